"""Import-time behaviour of the kerasgan package itself."""

import os
import platform
import subprocess
import sys

import pytest

_PROBE = (
    "import os, sys\n"
    "{first}\n"
    "from tensorflow.python.util import _pywrap_util_port as port\n"
    "print(os.environ.get('TF_ENABLE_ONEDNN_OPTS'), port.IsMklEnabled())\n"
)


def _probe(first, env_value=None):
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    if env_value is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = env_value
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(first=first)],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    return out.stdout.split()


@pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"), reason="the oneDNN default is for x86-64"
)
def test_import_turns_onednn_on_unless_the_user_chose_or_tensorflow_came_first():
    assert _probe("import kerasgan; import tensorflow") == ["1", "True"]
    # The user's choice wins.
    assert _probe("import kerasgan; import tensorflow", env_value="0") == ["0", "False"]
    # TensorFlow already imported: the switch is no longer read, so kerasgan leaves it alone.
    assert _probe("import tensorflow; import kerasgan")[0] == "None"
