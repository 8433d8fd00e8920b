import math

import keras
from keras import layers

from kerasgan.models.common import Network, dcgan_init
from kerasgan.models.pix2pix.norms import apply_norm, check_norm
from kerasgan.models.stackgan.blocks import tile
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class StackGANDiscriminator(Network):
    """Matching-aware discriminator of StackGAN (Zhang et al., 2017; Reed et
    al., 2016), for either stage: `[image, text embedding]` -> one logit.

    The image goes through 4x4 stride-2 convolutions (LeakyReLU(0.2), norm
    after the first; channels doubling from `base_filters`, at most 8x) down
    to 4x4; the text embedding is compressed by a dense layer to
    `condition_dim` (N_d), LeakyReLU, tiled over the 4x4 map and
    concatenated; a 1x1 conv (norm, LeakyReLU) and a 4x4 valid conv give the
    logit `[B, 1]`. The model trains it to call (real image, its own
    caption) real and both (real image, another caption) and (fake image,
    caption) fake.

    Args:
        image_shape: `(size, size, channels)` of the judged image.
        text_dim: size of the text embedding.
        condition_dim: N_d, size of the compressed embedding.
        base_filters: channels of the first conv.
        norm: `"batch"`, `"instance"` or `"none"`.
    """

    config_keys = ("image_shape", "text_dim", "condition_dim", "base_filters", "norm")

    def __init__(self, image_shape=(16, 16, 3), text_dim=128, condition_dim=128, base_filters=64, norm="batch",
                 **kwargs):
        image_shape = check_image_shape(image_shape, min_size=8, max_size=512)
        size = image_shape[0]
        text_dim = check_positive_int("text_dim", text_dim)
        condition_dim = check_positive_int("condition_dim", condition_dim)
        base_filters = check_positive_int("base_filters", base_filters)
        norm = check_norm(norm)
        image = keras.Input(image_shape, name="image")
        embedding = keras.Input((text_dim,), name="embedding")
        x = image
        for i in range(int(math.log2(size)) - 2):
            filters = base_filters * min(2**i, 8)
            x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=not (i > 0 and norm == "batch"),
                              kernel_initializer=dcgan_init(), name=f"down{i}")(x)
            if i > 0:
                x = apply_norm(x, norm, f"down{i}_norm")
            x = layers.LeakyReLU(0.2, name=f"down{i}_lrelu")(x)
        text = layers.Dense(condition_dim, kernel_initializer=dcgan_init(), name="compress_text")(embedding)
        text = layers.LeakyReLU(0.2, name="compress_text_lrelu")(text)
        x = layers.Concatenate(name="image_text")([x, tile(text, 4, "text")])
        x = layers.Conv2D(x.shape[-1] - condition_dim, 1, use_bias=norm != "batch", kernel_initializer=dcgan_init(),
                          name="joint")(x)
        x = apply_norm(x, norm, "joint_norm")
        x = layers.LeakyReLU(0.2, name="joint_lrelu")(x)
        x = layers.Conv2D(1, 4, padding="valid", kernel_initializer=dcgan_init(), name="logit_conv")(x)
        logits = layers.Reshape((1,), dtype="float32", name="logits")(x)
        super().__init__(inputs=[image, embedding], outputs=logits, **kwargs)
        self.image_shape = image_shape
        self.text_dim = text_dim
        self.condition_dim = condition_dim
        self.base_filters = base_filters
        self.norm = norm
