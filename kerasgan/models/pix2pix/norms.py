"""Normalisation layers by name, shared by the translation families."""

import keras

from kerasgan.layers.batch_normalization import BatchNormalization

NORMS = ("batch", "instance", "none")


def check_norm(norm):
    if norm not in NORMS:
        raise ValueError(f"`norm` must be one of {NORMS}. Received: norm={norm!r}")
    return norm


def norm_layer(norm, name):
    """`"batch"`: BatchNormalization (kerasgan's fused one); `"instance"`: per-sample, per-channel
    (`GroupNormalization(groups=-1)`); `"none"`: None."""
    if norm == "batch":
        return BatchNormalization(name=name)
    if norm == "instance":
        return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)
    return None


def apply_norm(x, norm, name):
    layer = norm_layer(norm, name)
    return x if layer is None else layer(x)
