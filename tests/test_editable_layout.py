"""An editable install puts the checkout on sys.path, so a script run from
the parent folder of a clone named `kerasgan` imports the package, not the
clone as an empty namespace package (issue 15)."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO_ROOT


def test_the_editable_wheel_adds_the_checkout_to_sys_path(tmp_path):
    pytest.importorskip("setuptools")
    clone = tmp_path / "parent" / "kerasgan"
    clone.mkdir(parents=True)
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, clone / name)
    shutil.copytree(REPO_ROOT / "kerasgan", clone / "kerasgan",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (clone / "tests").mkdir()  # other top-level folders of a checkout, never packaged
    (clone / "zoo").mkdir()
    build = subprocess.run(
        [sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
                               "print(b.build_editable(sys.argv[1]))", str(tmp_path / "wheel")],
        cwd=clone, capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = tmp_path / "wheel" / build.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(wheel) as archive:
        pth = [n for n in archive.namelist() if n.endswith(".pth")]
        assert len(pth) == 1
        # A plain path (searched with sys.path, where a regular package beats the
        # namespace portion the clone is from its parent folder), not an import hook.
        assert archive.read(pth[0]).decode().strip() == os.fspath(clone)
