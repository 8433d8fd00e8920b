"""kerasgan: Generative Adversarial Networks for TensorFlow/Keras, trained with `model.fit`.

Submodules are imported on first use so that `import kerasgan` and the CLI's
`--help` stay quick:

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

__version__ = "0.1.0"

_SUBMODULES = (
    "callbacks",
    "data",
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
