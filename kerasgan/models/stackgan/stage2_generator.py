import math

import keras
from keras import layers

from kerasgan.models.common import Network, dcgan_init
from kerasgan.models.pix2pix.norms import apply_norm, check_norm
from kerasgan.models.stackgan.blocks import residual_block, tile, to_image, upsample_block
from kerasgan.models.stackgan.conditioning_augmentation import ConditioningAugmentation
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class StackGANStage2Generator(Network):
    """Stage-II generator of StackGAN (Zhang et al., 2017): the Stage-I
    image and the text -> a refined image `scale` times larger.

    Inputs `[coarse [B, s, s, C], embedding [B, text_dim], eps [B,
    condition_dim]]`. Its own conditioning augmentation (separate weights
    from Stage I, as in the paper) gives `c`. Encoder: 3x3 conv (ReLU), 4x4
    stride-2 conv (norm, ReLU) to `s/2`. The condition, tiled over the map,
    is concatenated to the image features and joined by a 3x3 conv (norm,
    ReLU): the residual blocks that follow (`residual_blocks`, conv-norm-
    ReLU-conv-norm + skip) work on these text-conditioned features. Decoder:
    `log2(scale) + 1` up-sampling blocks to `scale * s`, 3x3 conv, tanh.
    Outputs `[images, mu, log_sigma]`.

    Args:
        coarse_shape: `(s, s, channels)` of the Stage-I image.
        scale: 2 or 4 (the paper: 4, 64 -> 256).
        text_dim, condition_dim: sizes of the text embedding and c.
        base_filters: channels of the encoder's first conv (the residual
            blocks use twice as many).
        residual_blocks: number of residual blocks (4 in the paper).
        norm: `"batch"`, `"instance"` or `"none"`.
    """

    config_keys = ("coarse_shape", "scale", "text_dim", "condition_dim", "base_filters", "residual_blocks", "norm")

    def __init__(self, coarse_shape=(16, 16, 3), scale=4, text_dim=128, condition_dim=128, base_filters=64,
                 residual_blocks=2, norm="batch", **kwargs):
        coarse_shape = check_image_shape(coarse_shape, min_size=8, max_size=128)
        size, _, channels = coarse_shape
        if scale not in (2, 4):
            raise ValueError(f"`scale` must be 2 or 4. Received: scale={scale!r}")
        text_dim = check_positive_int("text_dim", text_dim)
        condition_dim = check_positive_int("condition_dim", condition_dim)
        base_filters = check_positive_int("base_filters", base_filters)
        if isinstance(residual_blocks, bool) or not isinstance(residual_blocks, int) or residual_blocks < 0:
            raise ValueError(f"`residual_blocks` must be an int >= 0. Received: residual_blocks={residual_blocks!r}")
        norm = check_norm(norm)
        coarse = keras.Input(coarse_shape, name="coarse")
        embedding = keras.Input((text_dim,), name="embedding")
        eps = keras.Input((condition_dim,), name="eps")
        c, mu, log_sigma = ConditioningAugmentation(condition_dim, name="conditioning")([embedding, eps])
        x = layers.Conv2D(base_filters, 3, padding="same", kernel_initializer=dcgan_init(), name="encode0")(coarse)
        x = layers.ReLU(name="encode0_relu")(x)
        x = layers.Conv2D(2 * base_filters, 4, strides=2, padding="same", use_bias=norm != "batch",
                          kernel_initializer=dcgan_init(), name="encode1")(x)
        x = apply_norm(x, norm, "encode1_norm")
        x = layers.ReLU(name="encode1_relu")(x)
        x = layers.Concatenate(name="features_c")([x, tile(c, size // 2, "c")])
        x = layers.Conv2D(2 * base_filters, 3, padding="same", use_bias=norm != "batch",
                          kernel_initializer=dcgan_init(), name="joint")(x)
        x = apply_norm(x, norm, "joint_norm")
        x = layers.ReLU(name="joint_relu")(x)
        for i in range(residual_blocks):
            x = residual_block(x, 2 * base_filters, norm, f"res{i}")
        for i in range(int(math.log2(scale)) + 1):
            x = upsample_block(x, base_filters, norm, f"up{i}")
        images = to_image(x, channels)
        super().__init__(inputs=[coarse, embedding, eps], outputs=[images, mu, log_sigma], **kwargs)
        self.coarse_shape = coarse_shape
        self.scale = scale
        self.text_dim = text_dim
        self.condition_dim = condition_dim
        self.base_filters = base_filters
        self.residual_blocks = residual_blocks
        self.norm = norm
