import keras
from keras import layers

from kerasgan.layers.batch_normalization import BatchNormalization
from kerasgan.models.common import Network
from kerasgan.utils.validation import check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class SRGANDiscriminator(Network):
    """The SRGAN discriminator (Ledig et al., 2017, figure 4): VGG-style
    3x3 convolutions in `num_blocks` blocks of two, the second of each with
    stride 2, filters `base_filters * 2**i` (the paper's 64-64-128-128-256-
    256-512-512 with the defaults), batch norm on all but the first,
    LeakyReLU(0.2); then `Dense(dense_units)`, LeakyReLU and one logit
    (`[batch, 1]`, float32; the paper's sigmoid is in the loss).

    It judges high-resolution images of one fixed `image_shape` (the dense
    layer needs it). Scale it down for small images with `base_filters`,
    `num_blocks` and `dense_units`.

    Args:
        image_shape: `(height, width, channels)` of the judged images.
        base_filters: filters of the first block (64).
        num_blocks: stride-2 blocks (4): the maps shrink `2**num_blocks` times.
        dense_units: width of the hidden dense layer (1024).
    """

    config_keys = ("image_shape", "base_filters", "num_blocks", "dense_units")

    def __init__(self, image_shape=(96, 96, 3), base_filters=64, num_blocks=4, dense_units=1024, **kwargs):
        try:
            image_shape = tuple(int(d) for d in image_shape)
        except (TypeError, ValueError):
            image_shape = None
        if image_shape is None or len(image_shape) != 3 or min(image_shape) < 1:
            raise ValueError(f"`image_shape` must be (height, width, channels). Received: image_shape={image_shape!r}")
        base_filters = check_positive_int("base_filters", base_filters)
        num_blocks = check_positive_int("num_blocks", num_blocks)
        dense_units = check_positive_int("dense_units", dense_units)
        images = keras.Input(image_shape, name="images")
        x = images
        for i in range(num_blocks):
            filters = base_filters * 2**i
            for j, stride in enumerate((1, 2)):
                name = f"block{i}_conv{j}"
                x = layers.Conv2D(filters, 3, strides=stride, padding="same", name=name)(x)
                if i or j:
                    x = BatchNormalization(name=f"{name}_bn")(x)
                x = layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(dense_units, name="dense")(x)
        x = layers.LeakyReLU(0.2, name="dense_lrelu")(x)
        logits = layers.Dense(1, dtype="float32", name="logits")(x)
        super().__init__(inputs=images, outputs=logits, **kwargs)
        self.image_shape = image_shape
        self.base_filters = base_filters
        self.num_blocks = num_blocks
        self.dense_units = dense_units
