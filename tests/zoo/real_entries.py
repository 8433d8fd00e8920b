"""The checkout's real registry entries, for the per-entry test files."""

import pathlib

import pytest

from kerasgan import zoo
from kerasgan.zoo import registry as registry_lib

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
REGISTRY = registry_lib.PACKAGE_REGISTRY
ZOO_DIR = REPO_ROOT / "zoo"


def entry_or_skip(name):
    """The registry entry `name`; the test is skipped (with the reason) when the
    registry does not list it or its `zoo/NAME/` folder is not in this checkout."""
    names = {e["name"] for e in zoo.read_registry(REGISTRY)["models"]}
    if name not in names:
        pytest.skip(f"{name} is not in the registry {REGISTRY}")
    if not (ZOO_DIR / name).is_dir():
        pytest.skip(f"{ZOO_DIR / name} is not in this checkout")
    return registry_lib.get_entry(name, REGISTRY)
