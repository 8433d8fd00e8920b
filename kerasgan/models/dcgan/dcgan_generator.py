import math

import keras
from keras import layers

from kerasgan.layers.batch_normalization import BatchNormalization
from kerasgan.models.common import Network, dcgan_gamma_init, dcgan_init
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class DCGANGenerator(Network):
    """DCGAN generator (Radford et al., 2016).

    latent `[batch, latent_dim]` -> projection to 4x4 (a dense layer, which is
    the reference's 4x4 transposed convolution on a 1x1 input) -> stride-2
    4x4 transposed convolutions doubling the size and halving the channels,
    each followed by batch norm and ReLU -> a last transposed convolution to
    `channels` with tanh. At 64x64 with `base_filters=64` this is exactly the
    reference architecture (512-256-128-64 channels).

    Args:
        image_shape: `(size, size, channels)`, size a power of two in [16, 128],
            channels 1 or 3.
        latent_dim: size of the latent vector.
        base_filters: channels of the last hidden layer (ngf); layer i from
            the output has `base_filters * 2**i`.
        num_classes, embedding_dim: when `num_classes` is set the generator is
            conditional: it takes `[latents, labels]` and concatenates a
            learned `embedding_dim`-d label embedding to the latent.
    """

    config_keys = ("image_shape", "latent_dim", "base_filters", "num_classes", "embedding_dim")

    def __init__(
        self,
        image_shape=(64, 64, 1),
        latent_dim=100,
        base_filters=64,
        num_classes=None,
        embedding_dim=50,
        **kwargs,
    ):
        image_shape = check_image_shape(image_shape)
        latent_dim = check_positive_int("latent_dim", latent_dim)
        base_filters = check_positive_int("base_filters", base_filters)
        size, _, channels = image_shape
        num_up = int(math.log2(size)) - 2  # 4 -> size
        latents = keras.Input((latent_dim,), name="latents")
        inputs = latents
        x = latents
        if num_classes is not None:
            num_classes = check_positive_int("num_classes", num_classes)
            embedding_dim = check_positive_int("embedding_dim", embedding_dim)
            labels = keras.Input((), dtype="int32", name="labels")
            embedded = layers.Embedding(num_classes, embedding_dim, name="label_embedding")(labels)
            x = layers.Concatenate(name="latents_and_labels")([latents, embedded])
            inputs = [latents, labels]
        filters = base_filters * 2 ** (num_up - 1)
        x = layers.Dense(4 * 4 * filters, use_bias=False, kernel_initializer=dcgan_init(), name="project")(x)
        x = layers.Reshape((4, 4, filters), name="reshape")(x)
        x = BatchNormalization(gamma_initializer=dcgan_gamma_init(), name="project_bn")(x)
        x = layers.ReLU(name="project_relu")(x)
        for i in range(num_up - 1):
            filters //= 2
            x = layers.Conv2DTranspose(
                filters, 4, strides=2, padding="same", use_bias=False,
                kernel_initializer=dcgan_init(), name=f"up{i}",
            )(x)
            x = BatchNormalization(gamma_initializer=dcgan_gamma_init(), name=f"up{i}_bn")(x)
            x = layers.ReLU(name=f"up{i}_relu")(x)
        x = layers.Conv2DTranspose(
            channels, 4, strides=2, padding="same", use_bias=False,
            kernel_initializer=dcgan_init(), name="to_image",
        )(x)
        images = layers.Activation("tanh", dtype="float32", name="images")(x)
        super().__init__(inputs=inputs, outputs=images, **kwargs)
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.base_filters = base_filters
        self.num_classes = num_classes
        self.embedding_dim = embedding_dim
