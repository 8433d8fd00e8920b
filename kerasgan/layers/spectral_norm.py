"""Spectral normalisation (Miyato et al., 2018) for any kernel layer."""

import keras


def spectral_norm(layer, enabled=True, power_iterations=1):
    """`layer` wrapped in `keras.layers.SpectralNormalization` (when `enabled`).

    Keras' wrapper keeps the power-iteration vector `u` in a non-trainable
    variable (saved, restored and mirrored across replicas like any weight)
    and, on every call with `training=True`, runs `power_iterations` steps
    and assigns `W / sigma` back into the kernel before using it. So:

    - the gradient flows through the normalised kernel but not through sigma
      (PyTorch's `spectral_norm` differentiates through sigma; Keras treats
      it as a projection after each update);
    - calling a network twice in one step (a discriminator on reals and on
      fakes) renormalises twice; the second time sigma is ~1, so it is
      nearly the identity;
    - in inference (`training=False`) the stored kernel is used as it is,
      which after a training call is already normalised.

    The wrapped layer keeps its own name inside the wrapper; the wrapper is
    named `<name>_sn`.
    """
    if not enabled:
        return layer
    return keras.layers.SpectralNormalization(layer, power_iterations=power_iterations, name=f"{layer.name}_sn")


def wrapped_layer(layer):
    """The layer inside a `SpectralNormalization` wrapper (or `layer`)."""
    return layer.layer if isinstance(layer, keras.layers.SpectralNormalization) else layer
