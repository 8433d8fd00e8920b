import math

import keras
from keras import layers

from kerasgan.layers import ConditionalBatchNormalization, SelfAttention, spectral_norm
from kerasgan.models.common import Network
from kerasgan.utils.validation import check_image_shape, check_positive_int


def check_attention_resolution(attention_resolution, size):
    """None (no attention) or a power of two in [4, size]."""
    if attention_resolution is None:
        return None
    valid = [2**i for i in range(2, int(math.log2(size)) + 1)]
    if attention_resolution not in valid:
        raise ValueError(
            f"`attention_resolution` must be None or one of {valid} for images of size {size}. "
            f"Received: attention_resolution={attention_resolution!r}"
        )
    return int(attention_resolution)


@keras.saving.register_keras_serializable(package="kerasgan")
class SAGANGenerator(Network):
    """SAGAN generator (Zhang et al., 2019), DCGAN-shaped.

    latent `[batch, latent_dim]` (and labels `[batch]` when class-conditional)
    -> spectrally normalised dense projection to 4x4 -> stride-2 4x4
    transposed convolutions doubling the size and halving the channels
    (down to `base_filters`), each followed by (class-)conditional batch norm
    and ReLU -> self-attention after the block that reaches
    `attention_resolution` -> 3x3 convolution to `channels`, tanh. Every
    convolution and dense layer is spectrally normalised (Keras'
    `SpectralNormalization`, see `kerasgan.layers.spectral_norm`).

    Args:
        image_shape: `(size, size, channels)`, size a power of two in [16, 128].
        latent_dim: size of the latent vector.
        base_filters: channels at the last block; the 4x4 map has
            `base_filters * 2**(log2(size) - 3)`.
        num_classes: class-conditional batch norm with this many classes
            (None: plain batch norm, unconditional).
        attention_resolution: where the self-attention layer sits (None: none).
        spectral_norm: spectral norm on every convolution and dense layer.
    """

    config_keys = ("image_shape", "latent_dim", "base_filters", "num_classes", "attention_resolution", "spectral_norm")

    def __init__(self, image_shape=(32, 32, 1), latent_dim=128, base_filters=64, num_classes=None,
                 attention_resolution=16, spectral_norm=True, **kwargs):
        image_shape = check_image_shape(image_shape)
        latent_dim = check_positive_int("latent_dim", latent_dim)
        base_filters = check_positive_int("base_filters", base_filters)
        num_classes = None if num_classes is None else check_positive_int("num_classes", num_classes)
        size, _, channels = image_shape
        attention_resolution = check_attention_resolution(attention_resolution, size)
        sn = bool(spectral_norm)
        num_up = int(math.log2(size)) - 2
        latents = keras.Input((latent_dim,), name="latents")
        inputs = latents
        if num_classes is not None:
            labels = keras.Input((), dtype="int32", name="labels")
            inputs = [latents, labels]

        def norm(x, name):
            cbn = ConditionalBatchNormalization(num_classes=num_classes, name=name)
            return cbn([x, labels]) if num_classes is not None else cbn(x)

        filters = base_filters * 2 ** (num_up - 1)
        x = _sn(layers.Dense(4 * 4 * filters, name="project"), sn)(latents)
        x = layers.Reshape((4, 4, filters), name="reshape")(x)
        x = layers.ReLU(name="project_relu")(norm(x, "project_bn"))
        resolution = 4
        if attention_resolution == 4:
            x = SelfAttention(spectral_norm=sn, name="attention")(x)
        for i in range(num_up):
            filters = max(base_filters, filters // 2) if i else filters
            x = _sn(layers.Conv2DTranspose(filters, 4, strides=2, padding="same", name=f"up{i}"), sn)(x)
            x = layers.ReLU(name=f"up{i}_relu")(norm(x, f"up{i}_bn"))
            resolution *= 2
            if resolution == attention_resolution:
                x = SelfAttention(spectral_norm=sn, name="attention")(x)
        x = _sn(layers.Conv2D(channels, 3, padding="same", name="to_image"), sn)(x)
        images = layers.Activation("tanh", dtype="float32", name="images")(x)
        super().__init__(inputs=inputs, outputs=images, **kwargs)
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.base_filters = base_filters
        self.num_classes = num_classes
        self.attention_resolution = attention_resolution
        self.spectral_norm = sn


def _sn(layer, enabled):
    return spectral_norm(layer, enabled)
