import math

import keras
from keras import layers, ops

from kerasgan.layers import ProjectionDiscriminatorHead, SelfAttention
from kerasgan.layers import spectral_norm as with_spectral_norm
from kerasgan.models.common import Network
from kerasgan.models.sagan.sagan_generator import check_attention_resolution
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class GlobalSumPooling2D(layers.Layer):
    """Sum over the spatial axes: `[batch, H, W, C]` -> `[batch, C]` (the
    pooling of SN-GAN / SAGAN / BigGAN discriminators)."""

    def call(self, inputs):
        return ops.sum(inputs, axis=(1, 2))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])


@keras.saving.register_keras_serializable(package="kerasgan")
class SAGANDiscriminator(Network):
    """SAGAN discriminator (Zhang et al., 2019) with a projection head.

    image -> stride-2 4x4 convolutions (LeakyReLU 0.1) doubling the channels
    from `base_filters` down to 4x4, self-attention after the block that
    reaches `attention_resolution` -> global sum pooling (`features`, phi)
    -> `ProjectionDiscriminatorHead`: `psi(phi) + <embed(y), phi>` when
    class-conditional (Miyato & Koyama, 2018), `psi(phi)` otherwise.
    Every convolution, the dense head and the class embedding are
    spectrally normalised. Logits `[batch, 1]`, for the hinge loss.

    Args: as `SAGANGenerator` (without `latent_dim`).
    """

    config_keys = ("image_shape", "base_filters", "num_classes", "attention_resolution", "spectral_norm")

    def __init__(self, image_shape=(32, 32, 1), base_filters=64, num_classes=None, attention_resolution=16,
                 spectral_norm=True, **kwargs):
        image_shape = check_image_shape(image_shape)
        base_filters = check_positive_int("base_filters", base_filters)
        num_classes = None if num_classes is None else check_positive_int("num_classes", num_classes)
        size = image_shape[0]
        attention_resolution = check_attention_resolution(attention_resolution, size)
        sn = bool(spectral_norm)
        images = keras.Input(image_shape, name="images")
        inputs = images
        if num_classes is not None:
            labels = keras.Input((), dtype="int32", name="labels")
            inputs = [images, labels]
        x = images
        resolution, filters = size, base_filters
        if attention_resolution == size:
            x = with_spectral_norm(layers.Conv2D(base_filters, 1, name="from_image"), sn)(x)
            x = SelfAttention(spectral_norm=sn, name="attention")(x)
        for i in range(int(math.log2(size)) - 2):
            x = with_spectral_norm(layers.Conv2D(filters, 4, strides=2, padding="same", name=f"down{i}"), sn)(x)
            x = layers.LeakyReLU(0.1, name=f"down{i}_lrelu")(x)
            resolution //= 2
            filters *= 2
            if resolution == attention_resolution:
                x = SelfAttention(spectral_norm=sn, name="attention")(x)
        features = GlobalSumPooling2D(name="features")(x)
        head = ProjectionDiscriminatorHead(num_classes=num_classes, spectral_norm=sn, name="head")
        logits = head([features, labels] if num_classes is not None else features)
        logits = layers.Activation("linear", dtype="float32", name="logits")(logits)
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.image_shape = image_shape
        self.base_filters = base_filters
        self.num_classes = num_classes
        self.attention_resolution = attention_resolution
        self.spectral_norm = sn
