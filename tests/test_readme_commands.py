"""README's shell commands, run in order in a fresh folder, shortened
(issue 15): the examples do not collide and each one works as printed.

Commands that install (venv, pip), run the tests, benchmark or need a
download (TFDS cifar10) are left out and listed; `path/to/mnist/...` is
the real MNIST file in ../shared/data. Shortening: training commands get
`--epochs 1 --steps-per-epoch 2` appended (argparse keeps the last value),
progressive ones 64-image phases, evaluation 200 samples. Selected with the
other slow checks: `pytest -m realdata`.
"""

import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

SKIPPED = ("python3 -m venv", ".venv/bin/pip", "pip install", "pytest", "benchmarks/", "docker ")
NEEDS_DOWNLOAD = ("--dataset cifar10",)


def readme_commands(text):
    """Every command of README's ```bash blocks, in order (`&&` chains split)."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#\s.*$", "", line).strip()
            if line:
                commands.extend(part.strip() for part in line.split(" && "))
    return commands


def shortened(argv, mnist):
    argv = [mnist if a == "path/to/mnist/t10k-images-idx3-ubyte.gz" else a for a in argv]
    if argv[1] == "train":
        if argv[2] in ("progan", "stylegan"):  # progressive: 64-image phases
            argv += ["--fade-in-images", "64", "--stabilize-images", "64", "--steps-per-epoch", "2"]
        argv += ["--epochs", "1", "--steps-per-epoch", "2"]
    if argv[1] == "evaluate":
        argv += ["--num-samples", "200"]
    return argv


@pytest.mark.realdata
def test_readme_commands_run_in_order(shared_data, tmp_path):
    commands = readme_commands((REPO_ROOT / "README.md").read_text())
    assert any(c.startswith("kerasgan train") for c in commands)
    exe = os.path.join(os.path.dirname(sys.executable), "kerasgan")
    mnist = str(shared_data / "mnist" / "t10k-images-idx3-ubyte.gz")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    ran, left_out = [], []
    for command in commands:
        command = command.replace(".venv/bin/kerasgan", "kerasgan")
        if command.startswith(SKIPPED) or not command.startswith("kerasgan ") or \
                any(s in command for s in NEEDS_DOWNLOAD):
            left_out.append(command)
            continue
        argv = shortened(shlex.split(command), mnist)
        result = subprocess.run([exe, *argv[1:]], cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"
        # Quiet: no TensorFlow start-up lines on stderr.
        assert "oneDNN custom operations" not in result.stderr, command
        ran.append(command)
    assert len(ran) >= 10, ran
    assert all(c.startswith(SKIPPED) or "cifar10" in c or not c.startswith("kerasgan") for c in left_out), left_out
    print(f"ran {len(ran)} README commands; left out: {left_out}")
