import math

import keras
from keras import layers

from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.pixel_norm import PixelNorm
from kerasgan.models.common import Network
from kerasgan.layers.fade_in import FadeIn
from kerasgan.models.progan.resolutions import check_network_args, resolutions_up_to


@keras.saving.register_keras_serializable(package="kerasgan")
class ProGANGenerator(Network):
    """ProGAN generator at one resolution (Karras et al., 2018, table 2).

    Inputs `[latents [batch, latent_dim], alpha [batch]]`, output linear
    images `[batch, resolution, resolution, channels]` (the paper has no
    output nonlinearity; `ProGAN.call` clips samples to [-1, 1]).

    latents -> PixelNorm -> equalized dense to 4x4 (`block_4_dense`) ->
    3x3 conv (`block_4_conv`); then per resolution r = 8, ..., resolution:
    nearest upsample x2 + two 3x3 convs (`block_{r}_conv0`, `block_{r}_conv1`),
    every conv followed by LeakyReLU(0.2) and PixelNorm; `to_rgb_{r}` (1x1
    conv, linear) at the end. While fading in (`resolution >
    start_resolution`) the output is

        (1 - alpha) * upsample(to_rgb_{r/2}(block r/2)) + alpha * to_rgb_{r}(block r)

    Layer names depend only on the resolution they belong to, so a network
    grown to 2r holds every layer of the one at r under the same name
    (`ProGAN.grow` copies weights by name). At `start_resolution` the `alpha`
    input is unused (kept so that every phase has the same signature).

    Args:
        resolution: output size, a power of two in [4, 1024].
        latent_dim: size of the latent vector (512 in the paper).
        channels: image channels.
        filters: channels per resolution, a list `[nf(4), nf(8), ...]`
            covering 4 to `resolution` (see `resolutions.resolve_filters`).
        start_resolution: the first resolution of training; no fade-in there.
    """

    config_keys = ("resolution", "latent_dim", "channels", "filters", "start_resolution")

    def __init__(
        self,
        resolution=4,
        latent_dim=512,
        channels=3,
        filters=(512,),
        start_resolution=4,
        **kwargs,
    ):
        resolution, start_resolution, latent_dim, channels, filters = check_network_args(
            resolution, start_resolution, latent_dim, channels, filters
        )

        def nf(r):
            return filters[int(math.log2(r)) - 2]

        def conv_block(x, filters_out, kernel, name):
            x = EqualizedConv2D(filters_out, kernel, name=name)(x)
            x = layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)
            return PixelNorm(name=f"{name}_pixel_norm")(x)

        latents = keras.Input((latent_dim,), name="latents")
        alpha = keras.Input((), name="alpha")
        x = PixelNorm(name="latent_norm")(latents)
        # The paper's 4x4 "conv" on a 1x1 input: a dense layer with gain sqrt(2)/4.
        x = EqualizedDense(16 * nf(4), gain=math.sqrt(2.0) / 4, name="block_4_dense")(x)
        x = layers.Reshape((4, 4, nf(4)), name="block_4_reshape")(x)
        x = layers.LeakyReLU(0.2, name="block_4_dense_lrelu")(x)
        x = PixelNorm(name="block_4_dense_pixel_norm")(x)
        x = conv_block(x, nf(4), 3, "block_4_conv")
        previous = None
        for r in resolutions_up_to(resolution)[1:]:
            previous = x
            x = layers.UpSampling2D(2, interpolation="nearest", name=f"block_{r}_upsample")(x)
            x = conv_block(x, nf(r), 3, f"block_{r}_conv0")
            x = conv_block(x, nf(r), 3, f"block_{r}_conv1")
        images = EqualizedConv2D(channels, 1, gain=1.0, name=f"to_rgb_{resolution}")(x)
        if resolution > start_resolution:
            old = EqualizedConv2D(channels, 1, gain=1.0, name=f"to_rgb_{resolution // 2}")(previous)
            old = layers.UpSampling2D(2, interpolation="nearest", name="fade_upsample")(old)
            images = FadeIn(name="fade_in")([old, images, alpha])
        images = layers.Activation("linear", dtype="float32", name="images")(images)
        super().__init__(inputs=[latents, alpha], outputs=images, **kwargs)
        self.resolution = resolution
        self.latent_dim = latent_dim
        self.channels = channels
        self.filters = filters
        self.start_resolution = start_resolution
