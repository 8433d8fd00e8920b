import math

import keras
from keras import layers

from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.minibatch_stddev import MinibatchStdDev
from kerasgan.models.common import Network
from kerasgan.utils.validation import check_positive_int
from kerasgan.layers.fade_in import FadeIn
from kerasgan.models.progan.resolutions import check_network_args, resolutions_up_to


@keras.saving.register_keras_serializable(package="kerasgan")
class ProGANDiscriminator(Network):
    """ProGAN discriminator (critic) at one resolution (Karras et al., 2018).

    Inputs `[images [batch, resolution, resolution, channels], alpha [batch]]`,
    output one logit per example `[batch, 1]` (float32).

    `from_rgb_{resolution}` (1x1 conv) -> per resolution r = resolution, ...,
    8: two 3x3 convs (`block_{r}_conv0` to nf(r), `block_{r}_conv1` to
    nf(r/2)) and a 2x2 average pool -> at 4x4: minibatch stddev, a 3x3 conv
    (`block_4_conv`), a layer named `"features"` (the flattened 4x4 map), a
    dense layer (`block_4_dense`, the paper's 4x4 valid conv) and a dense
    layer to one logit (`logits`, gain 1). Every conv and hidden dense layer
    is equalized and followed by LeakyReLU(0.2); no normalisation (the
    gradient penalty is per example). While fading in, the input of block
    `resolution / 2` is

        (1 - alpha) * from_rgb_{r/2}(avgpool(images)) + alpha * block_r(from_rgb_r(images))

    Args:
        resolution: input size, a power of two in [4, 1024].
        channels: image channels.
        filters: channels per resolution `[nf(4), nf(8), ...]`.
        start_resolution: the first resolution of training; no fade-in there.
        minibatch_group_size: group size of the minibatch-stddev layer.
    """

    config_keys = ("resolution", "channels", "filters", "start_resolution", "minibatch_group_size")

    def __init__(
        self,
        resolution=4,
        channels=3,
        filters=(512,),
        start_resolution=4,
        minibatch_group_size=4,
        **kwargs,
    ):
        resolution, start_resolution, _, channels, filters = check_network_args(
            resolution, start_resolution, None, channels, filters
        )
        minibatch_group_size = check_positive_int("minibatch_group_size", minibatch_group_size)

        def nf(r):
            return filters[int(math.log2(r)) - 2]

        def conv(x, filters_out, kernel, name, padding="same"):
            x = EqualizedConv2D(filters_out, kernel, padding=padding, name=name)(x)
            return layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)

        images = keras.Input((resolution, resolution, channels), name="images")
        alpha = keras.Input((), name="alpha")
        x = conv(images, nf(resolution), 1, f"from_rgb_{resolution}")
        for r in reversed(resolutions_up_to(resolution)[1:]):
            x = conv(x, nf(r), 3, f"block_{r}_conv0")
            x = conv(x, nf(r // 2), 3, f"block_{r}_conv1")
            x = layers.AveragePooling2D(2, name=f"block_{r}_downsample")(x)
            if r == resolution and resolution > start_resolution:
                old = layers.AveragePooling2D(2, name="fade_downsample")(images)
                old = conv(old, nf(r // 2), 1, f"from_rgb_{r // 2}")
                x = FadeIn(name="fade_in")([old, x, alpha])
        x = MinibatchStdDev(group_size=minibatch_group_size, name="minibatch_stddev")(x)
        x = conv(x, nf(4), 3, "block_4_conv")
        x = layers.Flatten(name="features")(x)
        x = EqualizedDense(nf(4), name="block_4_dense")(x)
        x = layers.LeakyReLU(0.2, name="block_4_dense_lrelu")(x)
        logits = EqualizedDense(1, gain=1.0, dtype="float32", name="logits")(x)
        super().__init__(inputs=[images, alpha], outputs=logits, **kwargs)
        self.resolution = resolution
        self.channels = channels
        self.filters = filters
        self.start_resolution = start_resolution
        self.minibatch_group_size = minibatch_group_size
