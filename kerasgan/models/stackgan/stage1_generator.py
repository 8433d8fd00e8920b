import math

import keras
from keras import layers

from kerasgan.models.common import Network, dcgan_init
from kerasgan.models.pix2pix.norms import apply_norm, check_norm
from kerasgan.models.stackgan.blocks import to_image, upsample_block
from kerasgan.models.stackgan.conditioning_augmentation import ConditioningAugmentation
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class StackGANStage1Generator(Network):
    """Stage-I generator of StackGAN (Zhang et al., 2017): `(z, c)` -> a
    coarse image.

    Inputs `[z [B, latent_dim], embedding [B, text_dim], eps [B,
    condition_dim]]`; conditioning augmentation (`ConditioningAugmentation`)
    draws `c = mu + sigma * eps` from the text embedding; `[z, c]` -> dense
    to `4 x 4 x (base_filters * size / 4)` -> norm -> ReLU -> up-sampling
    blocks (nearest 2x, 3x3 conv, norm, ReLU; filters halving) to
    `size x size` -> 3x3 conv -> tanh. Outputs `[images, mu, log_sigma]`
    (the last two for the KL term).

    Args:
        image_shape: `(size, size, channels)` of the coarse image (16x16 by
            default in kerasgan; 64x64 in the paper).
        latent_dim, text_dim, condition_dim: sizes of z, the text
            embedding and c.
        base_filters: channels of the last up-sampling block (doubling
            towards 4x4).
        norm: `"batch"` (paper), `"instance"` or `"none"`.
    """

    config_keys = ("image_shape", "latent_dim", "text_dim", "condition_dim", "base_filters", "norm")

    def __init__(self, image_shape=(16, 16, 3), latent_dim=100, text_dim=128, condition_dim=128, base_filters=64,
                 norm="batch", **kwargs):
        image_shape = check_image_shape(image_shape, min_size=8, max_size=128)
        size, _, channels = image_shape
        latent_dim = check_positive_int("latent_dim", latent_dim)
        text_dim = check_positive_int("text_dim", text_dim)
        condition_dim = check_positive_int("condition_dim", condition_dim)
        base_filters = check_positive_int("base_filters", base_filters)
        norm = check_norm(norm)
        z = keras.Input((latent_dim,), name="z")
        embedding = keras.Input((text_dim,), name="embedding")
        eps = keras.Input((condition_dim,), name="eps")
        c, mu, log_sigma = ConditioningAugmentation(condition_dim, name="conditioning")([embedding, eps])
        num_up = int(math.log2(size)) - 2
        filters = base_filters * 2**num_up
        x = layers.Concatenate(name="z_c")([z, c])
        x = layers.Dense(4 * 4 * filters, use_bias=norm != "batch", kernel_initializer=dcgan_init(), name="project")(x)
        x = layers.Reshape((4, 4, filters), name="project_map")(x)
        x = apply_norm(x, norm, "project_norm")
        x = layers.ReLU(name="project_relu")(x)
        for i in range(num_up):
            x = upsample_block(x, base_filters * 2 ** (num_up - 1 - i), norm, f"up{i}")
        images = to_image(x, channels)
        super().__init__(inputs=[z, embedding, eps], outputs=[images, mu, log_sigma], **kwargs)
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.text_dim = text_dim
        self.condition_dim = condition_dim
        self.base_filters = base_filters
        self.norm = norm
