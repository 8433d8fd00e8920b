import math

import keras
from keras import layers

from kerasgan.layers import MinibatchStdDev
from kerasgan.layers.batch_normalization import BatchNormalization
from kerasgan.layers.replica_dropout import ReplicaDropout
from kerasgan.models.common import Network, dcgan_gamma_init, dcgan_init
from kerasgan.utils.validation import check_image_shape, check_positive_int

_NORMALIZATIONS = ("batch", "layer", "none")


@keras.saving.register_keras_serializable(package="kerasgan")
class DCGANDiscriminator(Network):
    """DCGAN discriminator (Radford et al., 2016), also the WGAN-GP critic.

    image -> stride-2 4x4 convolutions with LeakyReLU(0.2) doubling the
    channels down to 4x4 (normalisation on every block but the first) -> a
    layer named `"features"` (the flattened 4x4 map, used by feature
    matching) -> a 4x4 valid convolution to one logit `[batch, 1]`.

    Args:
        image_shape: `(size, size, channels)`, size a power of two in [16, 128].
        base_filters: channels of the first block (ndf).
        normalization: `"batch"` (DCGAN), `"layer"` or `"none"` (WGAN-GP
            critics must not use batch norm: the penalty is per example).
        minibatch_stddev: append a minibatch-stddev feature map before the
            last convolution (ProGAN).
        num_classes: when set the discriminator is conditional: it takes
            `[images, labels]`; each label is embedded, projected to an
            image-sized map and concatenated as an extra input channel.
        dropout: dropout rate after each block (0: none).
    """

    config_keys = (
        "image_shape", "base_filters", "normalization", "minibatch_stddev",
        "num_classes", "embedding_dim", "dropout",
    )

    def __init__(
        self,
        image_shape=(64, 64, 1),
        base_filters=64,
        normalization="batch",
        minibatch_stddev=False,
        num_classes=None,
        embedding_dim=50,
        dropout=0.0,
        **kwargs,
    ):
        image_shape = check_image_shape(image_shape)
        base_filters = check_positive_int("base_filters", base_filters)
        if normalization not in _NORMALIZATIONS:
            raise ValueError(
                f"`normalization` must be one of {_NORMALIZATIONS}. "
                f"Received: normalization={normalization!r}"
            )
        size, _, channels = image_shape
        num_down = int(math.log2(size)) - 2  # size -> 4
        images = keras.Input(image_shape, name="images")
        inputs = images
        x = images
        if num_classes is not None:
            num_classes = check_positive_int("num_classes", num_classes)
            embedding_dim = check_positive_int("embedding_dim", embedding_dim)
            labels = keras.Input((), dtype="int32", name="labels")
            embedded = layers.Embedding(num_classes, embedding_dim, name="label_embedding")(labels)
            label_map = layers.Dense(size * size, name="label_projection")(embedded)
            label_map = layers.Reshape((size, size, 1), name="label_map")(label_map)
            x = layers.Concatenate(name="images_and_labels")([images, label_map])
            inputs = [images, labels]
        filters = base_filters
        for i in range(num_down):
            x = layers.Conv2D(
                filters, 4, strides=2, padding="same", use_bias=normalization != "batch",
                kernel_initializer=dcgan_init(), name=f"down{i}",
            )(x)
            if i > 0 and normalization == "batch":
                x = BatchNormalization(gamma_initializer=dcgan_gamma_init(), name=f"down{i}_bn")(x)
            elif i > 0 and normalization == "layer":
                x = layers.LayerNormalization(axis=[1, 2, 3], name=f"down{i}_ln")(x)
            x = layers.LeakyReLU(0.2, name=f"down{i}_lrelu")(x)
            if dropout:
                x = ReplicaDropout(dropout, name=f"down{i}_dropout")(x)
            filters *= 2
        if minibatch_stddev:
            x = MinibatchStdDev(name="minibatch_stddev")(x)
        # A dense layer on the flattened 4x4 map is the reference's 4x4 valid
        # convolution to one channel, and exposes the features by name.
        features = layers.Flatten(name="features")(x)
        logits = layers.Dense(
            1, use_bias=normalization != "batch", kernel_initializer=dcgan_init(),
            dtype="float32", name="logits",
        )(features)
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.image_shape = image_shape
        self.base_filters = base_filters
        self.normalization = normalization
        self.minibatch_stddev = bool(minibatch_stddev)
        self.num_classes = num_classes
        self.embedding_dim = embedding_dim
        self.dropout = float(dropout)
