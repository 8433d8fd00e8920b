"""Shared pytest fixtures.

Real data sets live outside the repo, in ``../shared/data`` next to the checkout
(override with ``KERASGAN_SHARED_DATA``). Tests that need them use the
``shared_data`` fixture, which skips with a reason when the folder is absent.
"""

import os
import pathlib

# Quiet TensorFlow's C++ start-up logging (read when TensorFlow is imported).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

# Before any test module imports TensorFlow: kerasgan's import sets the oneDNN
# default (kerasgan/__init__.py), as it does for a user who imports it first.
import kerasgan  # noqa: E402,F401

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


def shared_data_dir():
    env = os.environ.get("KERASGAN_SHARED_DATA")
    return pathlib.Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data():
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(
            f"real data folder {path} is absent (set KERASGAN_SHARED_DATA to point at a copy)"
        )
    return path


@pytest.fixture(autouse=True)
def _reset_keras_state():
    import keras

    keras.utils.clear_session(free_memory=False)
    yield
