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
    named `<name>_sn`. It is kerasgan's `SpectralNormalization`, which keeps
    the float32 master kernel under mixed precision (see there).
    """
    if not enabled:
        return layer
    return SpectralNormalization(layer, power_iterations=power_iterations, name=f"{layer.name}_sn")


@keras.saving.register_keras_serializable(package="kerasgan")
class SpectralNormalization(keras.layers.SpectralNormalization):
    """Keras' `SpectralNormalization` with its power iteration and the
    kernel it writes back kept in the variables' dtype (float32) under a
    mixed policy.

    Keras' wrapper reads the kernel inside the layer's autocast scope, so
    under `mixed_float16` / `mixed_bfloat16` it normalises a float16 copy
    and assigns that back into the float32 kernel: after every training
    call the master weights are rounded to float16 (measured: a BigGAN
    discriminator kernel equal to its float16 rounding after one step), and
    optimizer updates below float16's resolution are lost. This wrapper
    runs its own body in float32 (its dtype policy is float32 and variable
    autocasting is off), so the power iteration and the kernel it writes
    back stay in float32; the wrapped layer keeps the global policy and
    still computes in float16/bfloat16 (its output is returned as float32;
    the next layer casts it back). With float32 policies it computes
    exactly what Keras' wrapper does.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        kwargs["autocast"] = False
        kwargs["dtype"] = "float32"
        super().__init__(layer, power_iterations=power_iterations, **kwargs)


def wrapped_layer(layer):
    """The layer inside a `SpectralNormalization` wrapper (or `layer`)."""
    return layer.layer if isinstance(layer, keras.layers.SpectralNormalization) else layer
