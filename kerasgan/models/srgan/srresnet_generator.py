import math

import keras
from keras import layers

from kerasgan.layers.batch_normalization import BatchNormalization
from kerasgan.layers.pixel_shuffle import SubPixelConv2D
from kerasgan.models.common import Network
from kerasgan.layers.padding import ReplicationPadding2D
from kerasgan.utils.validation import check_positive_int

SCALES = (2, 4, 8)


def check_scale(scale):
    if isinstance(scale, bool) or scale not in SCALES:
        raise ValueError(f"`scale` must be one of {SCALES} (x2 sub-pixel blocks). Received: scale={scale!r}")
    return int(scale)


def _conv(x, filters, kernel_size, name):
    """A stride-1 convolution on a replicate-padded input (size kept)."""
    x = ReplicationPadding2D(kernel_size // 2, name=f"{name}_pad")(x)
    return layers.Conv2D(filters, kernel_size, padding="valid", name=name)(x)


@keras.saving.register_keras_serializable(package="kerasgan")
class SRResNetGenerator(Network):
    """The SRResNet / SRGAN generator (Ledig et al., 2017, figure 4).

    `k9n64` convolution + PReLU; `residual_blocks` blocks of
    `conv-BN-PReLU-conv-BN` with a skip; `conv-BN` and the global skip to
    the first convolution's output; `log2(scale)` sub-pixel blocks
    (`SubPixelConv2D`: a 3x3 convolution to `4 * filters` channels, a 2x
    `PixelShuffle` (`tf.nn.depth_to_space`), PReLU); a `k9` convolution to
    `channels` and tanh, so images are in [-1, 1] like the rest of kerasgan.

    The input is `keras.Input((None, None, channels))`: it upscales images of
    any size (>= 1 pixel). Every convolution pads by replicating the border
    (`ReplicationPadding2D`), PReLU shares its slope over space (per channel)
    and, with `tie_phases=True` (default), the sub-pixel convolutions give
    all phases the same DC gain and bias: with batch norm in inference mode
    (a per-channel affine map) a constant image therefore upscales to a
    constant image, for any weights (see `SubPixelConv2D`).

    Args:
        channels: image channels (1 or 3), in and out.
        scale: 2, 4 (the paper) or 8.
        filters: feature maps (64).
        residual_blocks: B (16).
        tie_phases: checkerboard-free sub-pixel convolutions (see above);
            False is the paper's plain layer.
    """

    config_keys = ("channels", "scale", "filters", "residual_blocks", "tie_phases")

    def __init__(self, channels=3, scale=4, filters=64, residual_blocks=16, tie_phases=True, **kwargs):
        if channels not in (1, 3):
            raise ValueError(f"`channels` must be 1 or 3. Received: channels={channels!r}")
        scale = check_scale(scale)
        filters = check_positive_int("filters", filters)
        if isinstance(residual_blocks, bool) or not isinstance(residual_blocks, int) or residual_blocks < 0:
            raise ValueError(f"`residual_blocks` must be an int >= 0. Received: residual_blocks={residual_blocks!r}")
        low_res = keras.Input((None, None, channels), name="low_res")
        x = _conv(low_res, filters, 9, "head")
        head = x = layers.PReLU(shared_axes=[1, 2], name="head_prelu")(x)
        for i in range(residual_blocks):
            h = _conv(x, filters, 3, f"res{i}_conv0")
            h = BatchNormalization(name=f"res{i}_bn0")(h)
            h = layers.PReLU(shared_axes=[1, 2], name=f"res{i}_prelu")(h)
            h = _conv(h, filters, 3, f"res{i}_conv1")
            h = BatchNormalization(name=f"res{i}_bn1")(h)
            x = layers.Add(name=f"res{i}_skip")([x, h])
        x = _conv(x, filters, 3, "body_conv")
        x = BatchNormalization(name="body_bn")(x)
        x = layers.Add(name="global_skip")([head, x])
        for i in range(int(math.log2(scale))):
            x = ReplicationPadding2D(1, name=f"up{i}_pad")(x)
            x = SubPixelConv2D(filters, 3, scale=2, tie_phases=tie_phases, name=f"up{i}")(x)
            x = layers.PReLU(shared_axes=[1, 2], name=f"up{i}_prelu")(x)
        x = _conv(x, channels, 9, "to_image")
        images = layers.Activation("tanh", dtype="float32", name="images")(x)
        super().__init__(inputs=low_res, outputs=images, **kwargs)
        self.channels = channels
        self.scale = scale
        self.filters = filters
        self.residual_blocks = residual_blocks
        self.tie_phases = bool(tie_phases)
