"""kerasgan: Generative Adversarial Networks for TensorFlow/Keras, trained with `model.fit`.

`import kerasgan` imports the engine, the models and the layers, which
registers every serialisable class with Keras (so `keras.saving.load_model`
finds a saved kerasgan model after `import kerasgan` alone). The other
submodules are imported on first use; the `kerasgan` command line imports
TensorFlow only once a command runs, so its `--help` stays quick.

    kerasgan.engine     the adversarial engine: networks in roles, loss terms, tasks
    kerasgan.data       tf.data pipelines (embedded digits, TFDS, image folders, IDX, arrays)
    kerasgan.models     the GAN base model and every family
    kerasgan.losses     adversarial losses as pure functions of logits
    kerasgan.penalties  gradient penalty, R1
    kerasgan.layers     shared layers (minibatch stddev, ...)
    kerasgan.callbacks  sample grids, checkpoint/resume, TensorBoard
    kerasgan.metrics    FID, KID, IS, precision/recall
    kerasgan.export     SavedModels for TF Serving
    kerasgan.zoo        pretrained checkpoints: list, info, load (SHA-256 verified), download
"""

import importlib
import os
import platform
import sys

__version__ = "0.1.0"


def _default_onednn():
    """Turns TensorFlow's oneDNN kernels on for x86-64 CPUs, unless the user chose.

    TensorFlow 2.21 enables oneDNN by default only on CPUs with AVX-512
    VNNI/BF16 or AMX; elsewhere (e.g. AMD EPYC with AVX2) its convolutions and
    matmuls fall back to Eigen. On such a CPU the DCGAN 64x64 training step
    ran 2.2x faster with oneDNN (benchmarks/README.md). The switch is read
    when TensorFlow is imported, so it only takes effect when kerasgan is
    imported first; when TensorFlow came first and runs without oneDNN this
    warns instead. An explicit `TF_ENABLE_ONEDNN_OPTS` (0 or 1) always wins
    and is never warned about.
    """
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return
    if "tensorflow" not in sys.modules:
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    elif "TF_ENABLE_ONEDNN_OPTS" not in os.environ and not onednn_enabled():
        import warnings

        warnings.warn(
            "TensorFlow was imported before kerasgan and runs without its oneDNN kernels on "
            "this CPU, which made DCGAN training 2.2x slower in kerasgan's benchmark. Import "
            "kerasgan before tensorflow/keras, or set TF_ENABLE_ONEDNN_OPTS=1 before starting "
            "Python (TF_ENABLE_ONEDNN_OPTS=0 keeps them off and silences this warning).",
            stacklevel=3,
        )


def onednn_enabled():
    """Whether TensorFlow runs its oneDNN CPU kernels in this process (imports
    TensorFlow; True when TensorFlow does not say)."""
    try:
        from tensorflow.python.util import _pywrap_util_port

        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return True


_default_onednn()

_SUBMODULES = (
    "callbacks",
    "data",
    "engine",
    "layers",
    "losses",
    "metrics",
    "models",
    "penalties",
    "export",
    "utils",
    "zoo",
)


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'kerasgan' has no attribute '{name}'")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))


def _started_as_cli():
    """Whether this process is the `kerasgan` console script (it imports
    what each command needs itself)."""
    return os.path.basename(sys.argv[0] if sys.argv else "") in ("kerasgan", "kerasgan.exe")


if not _started_as_cli():
    from kerasgan import engine, layers, models  # noqa: E402,F401  (registers the classes)
