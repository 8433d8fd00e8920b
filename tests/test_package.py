"""Import-time behaviour of the kerasgan package itself."""

import os
import platform
import subprocess
import sys

import pytest

_PROBE = (
    "import os\n"
    "{first}\n"
    "from tensorflow.python.util import _pywrap_util_port as port\n"
    "import kerasgan\n"
    "assert kerasgan.onednn_enabled() == port.IsMklEnabled()\n"
    "print(os.environ.get('TF_ENABLE_ONEDNN_OPTS'), port.IsMklEnabled())\n"
)


def _probes(*cases):
    """Runs each `(import statement, TF_ENABLE_ONEDNN_OPTS or None)` in a fresh
    Python, concurrently; returns per case `[env value, oneDNN on]` plus
    `"warned"` when kerasgan warned about oneDNN. Each also checks that
    `kerasgan.onednn_enabled()` agrees with TensorFlow's own flag."""
    procs = []
    for first, env_value in cases:
        env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
        if env_value is not None:
            env["TF_ENABLE_ONEDNN_OPTS"] = env_value
        env["TF_CPP_MIN_LOG_LEVEL"] = "3"
        procs.append(subprocess.Popen(
            [sys.executable, "-c", _PROBE.format(first=first)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    results = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err
            results.append(out.split() + (["warned"] if "oneDNN kernels" in err else []))
    finally:
        for proc in procs:
            proc.kill()
    return results


@pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"), reason="the oneDNN default is for x86-64"
)
def test_import_turns_onednn_on_unless_the_user_chose_or_tensorflow_came_first():
    first, chose_off, late, late_chose_off = _probes(
        ("import kerasgan; import tensorflow", None),
        ("import kerasgan; import tensorflow", "0"),
        ("import tensorflow; import kerasgan", None),
        ("import tensorflow; import kerasgan", "0"),
    )
    assert first == ["1", "True"]
    assert chose_off == ["0", "False"]  # the user's choice wins
    # TensorFlow already imported: the switch is no longer read, so kerasgan leaves it
    # alone, and warns when oneDNN is off; an explicit choice is not warned about.
    env, enabled, *warned = late
    assert env == "None" and warned == ([] if enabled == "True" else ["warned"])
    assert late_chose_off == ["0", "False"]
