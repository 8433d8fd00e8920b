import math

import keras
from keras import layers

from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.pixel_norm import PixelNorm
from kerasgan.layers.style import (
    AdaIN,
    LearnedConstant,
    ModulatedConv2D,
    NoiseInjection,
    ScaledLeakyReLU,
    StyleMixing,
    Truncation,
)
from kerasgan.models.common import Network
from kerasgan.utils.validation import check_positive_int
from kerasgan.layers.fade_in import FadeIn
from kerasgan.models.progan.resolutions import check_network_args, resolutions_up_to

STYLE_MODES = ("adain", "modulated")


def style_args(latent_dim, w_dim, mapping_layers, mapping_lr_multiplier, style_mode, w_avg_beta):
    """Checks the style-specific arguments (shared by `StyleGANGenerator` and
    `StyleGAN`); returns them as a dict, `w_dim` resolved."""
    mapping_lr_multiplier = float(mapping_lr_multiplier)
    if not mapping_lr_multiplier > 0:
        raise ValueError(
            f"`mapping_lr_multiplier` must be > 0. Received: mapping_lr_multiplier={mapping_lr_multiplier}"
        )
    if style_mode not in STYLE_MODES:
        raise ValueError(f"`style_mode` must be one of {STYLE_MODES}. Received: style_mode={style_mode!r}")
    w_avg_beta = float(w_avg_beta)
    if not 0.0 <= w_avg_beta < 1.0:
        raise ValueError(f"`w_avg_beta` must be in [0, 1). Received: w_avg_beta={w_avg_beta}")
    return dict(
        w_dim=latent_dim if w_dim is None else check_positive_int("w_dim", w_dim),
        mapping_layers=check_positive_int("mapping_layers", mapping_layers),
        mapping_lr_multiplier=mapping_lr_multiplier,
        style_mode=style_mode,
        w_avg_beta=w_avg_beta,
    )


def num_ws_for(resolution):
    """Styles (w rows) of a synthesis network at `resolution`: two per
    resolution from 4x4 (StyleGAN: 18 at 1024x1024)."""
    return 2 * int(math.log2(resolution)) - 2


class _Graph:
    """Builds (or re-applies) the mapping and synthesis graphs by layer name.

    With `network=None` every layer is created on first use (and reused when
    the same name comes again, e.g. the mapping network applied to two
    latents); with a built `network` the layers are that network's, so
    `mapping(z)` and `synthesis(ws)` can run on their own with the
    generator's weights.
    """

    def __init__(self, args, network=None):
        self.args = args
        self.network = network
        self.created = {}

    def layer(self, name, factory):
        if self.network is not None:
            return self.network.get_layer(name)
        if name not in self.created:
            self.created[name] = factory(name)
        return self.created[name]

    def nf(self, resolution):
        return self.args["filters"][int(math.log2(resolution)) - 2]

    def mapping(self, z):
        a = self.args
        x = self.layer("latent_norm", lambda n: PixelNorm(name=n))(z)
        for i in range(a["mapping_layers"]):
            x = self.layer(
                f"mapping_{i}",
                lambda n: EqualizedDense(a["w_dim"], lr_multiplier=a["mapping_lr_multiplier"], name=n),
            )(x)
            x = self.layer(f"mapping_{i}_lrelu", lambda n: layers.LeakyReLU(0.2, name=n))(x)
        return x

    def _noise_act(self, x, noise_mode, name):
        x = self.layer(f"{name}_noise", lambda n: NoiseInjection(name=n))([x, noise_mode])
        if self.args["style_mode"] == "modulated":
            # StyleGAN2's gain sqrt(2): demodulation assumes unit-variance inputs.
            return self.layer(f"{name}_lrelu", lambda n: ScaledLeakyReLU(0.2, name=n))(x)
        return self.layer(f"{name}_lrelu", lambda n: layers.LeakyReLU(0.2, name=n))(x)

    def _layer(self, x, ws, noise_mode, filters, w_index, name, conv=True):
        """One synthesis layer: [conv] -> noise -> lrelu -> AdaIN (StyleGAN),
        or modulated conv -> noise -> lrelu (StyleGAN2)."""
        if self.args["style_mode"] == "modulated":
            x = self.layer(name, lambda n: ModulatedConv2D(filters, 3, w_index=w_index, name=n))([x, ws])
            return self._noise_act(x, noise_mode, name)
        if conv:
            x = self.layer(name, lambda n: EqualizedConv2D(filters, 3, name=n))(x)
        x = self._noise_act(x, noise_mode, name)
        return self.layer(f"{name}_adain", lambda n: AdaIN(w_index, name=n))([x, ws])

    def _to_rgb(self, x, ws, resolution):
        name, channels = f"to_rgb_{resolution}", self.args["channels"]
        if self.args["style_mode"] == "modulated":
            w_index = num_ws_for(resolution) - 1
            return self.layer(
                name,
                lambda n: ModulatedConv2D(channels, 1, w_index=w_index, demodulate=False, gain=1.0, name=n),
            )([x, ws])
        return self.layer(name, lambda n: EqualizedConv2D(channels, 1, gain=1.0, name=n))(x)

    def synthesis(self, ws, alpha, noise_mode):
        a = self.args
        resolution = a["resolution"]
        x = self.layer("const", lambda n: LearnedConstant(4, self.nf(4), name=n))(ws)
        if a["style_mode"] == "modulated":
            x = self._layer(x, ws, noise_mode, self.nf(4), 0, "block_4_conv")
        else:
            x = self._layer(x, ws, noise_mode, self.nf(4), 0, "block_4_const", conv=False)
            x = self._layer(x, ws, noise_mode, self.nf(4), 1, "block_4_conv")
        previous = None
        for r in resolutions_up_to(resolution)[1:]:
            previous = x
            first = num_ws_for(r) - (3 if a["style_mode"] == "modulated" else 2)
            x = self.layer(
                f"block_{r}_upsample", lambda n: layers.UpSampling2D(2, interpolation="nearest", name=n)
            )(x)
            x = self._layer(x, ws, noise_mode, self.nf(r), first, f"block_{r}_conv0")
            x = self._layer(x, ws, noise_mode, self.nf(r), first + 1, f"block_{r}_conv1")
        images = self._to_rgb(x, ws, resolution)
        if resolution > a["start_resolution"]:
            old = self._to_rgb(previous, ws, resolution // 2)
            old = self.layer(
                "fade_upsample", lambda n: layers.UpSampling2D(2, interpolation="nearest", name=n)
            )(old)
            images = self.layer("fade_in", lambda n: FadeIn(name=n))([old, images, alpha])
        return self.layer(
            "images", lambda n: layers.Activation("linear", dtype="float32", name=n)
        )(images)


@keras.saving.register_keras_serializable(package="kerasgan")
class StyleGANGenerator(Network):
    """Style-based generator (Karras et al., 2019) at one resolution.

    Inputs (all per example, so one call can mix, truncate and fade):

    - `latents` `[batch, latent_dim]`: z.
    - `latents_mix` `[batch, latent_dim]`: the second z of style mixing.
    - `mix` `[batch, num_ws]`: 1 where a layer takes `latents_mix`'s w.
    - `truncation_psi` `[batch, num_ws]`: psi per layer (1 = no truncation).
    - `alpha` `[batch]`: fade-in of the newest resolution (as ProGAN).
    - `noise_mode` `[batch]`: 1 for random noise, 0 for the fixed noise maps.

    Graph: the mapping network (PixelNorm, `mapping_layers` equalized dense
    layers with learning-rate multiplier `mapping_lr_multiplier` and
    LeakyReLU(0.2)) maps both latents to w; `StyleMixing` and `Truncation`
    turn them into per-layer styles `ws [batch, num_ws, w_dim]` (`num_ws` =
    2 log2(resolution) - 2); the synthesis network starts from a learned
    4x4 constant and doubles the resolution per block (nearest upsample, two
    3x3 layers), each layer followed by per-pixel noise and:

    - `style_mode="adain"` (StyleGAN): LeakyReLU then AdaIN with its style;
    - `style_mode="modulated"` (StyleGAN2): the conv itself is modulated and
      demodulated by its style (`ModulatedConv2D`), then noise and
      LeakyReLU with gain sqrt(2);
      toRGB layers are modulated without demodulation.

    The output is linear (`to_rgb_{resolution}`, 1x1); while fading in, it is
    `(1 - alpha) * upsample(to_rgb_{r/2}) + alpha * to_rgb_r` as in ProGAN,
    and layer names depend only on the resolution they belong to, so
    `ProGAN.grow`'s copy-by-name carries every layer (the mapping network and
    `w_avg` included) to the next resolution. StyleGAN's blur after
    upsampling is left out.

    `mapping(z)` and `synthesis(ws, ...)` run the two halves with this
    network's weights.

    Args:
        resolution: output size, a power of two in [4, 1024].
        latent_dim: size of z (512 in the paper).
        channels: image channels.
        filters: channels per resolution `[nf(4), nf(8), ...]`.
        start_resolution: first resolution of progressive training (no
            fade-in there); equal to `resolution` for fixed-resolution training.
        w_dim: size of w (default `latent_dim`).
        mapping_layers: depth of the mapping network (8 in the paper).
        mapping_lr_multiplier: learning-rate multiplier of the mapping
            network (0.01 in the paper).
        style_mode: `"adain"` or `"modulated"`.
        w_avg_beta: decay of the running average of w (0.995).
    """

    config_keys = (
        "resolution",
        "latent_dim",
        "channels",
        "filters",
        "start_resolution",
        "w_dim",
        "mapping_layers",
        "mapping_lr_multiplier",
        "style_mode",
        "w_avg_beta",
    )

    def __init__(
        self,
        resolution=4,
        latent_dim=512,
        channels=3,
        filters=(512,),
        start_resolution=4,
        w_dim=None,
        mapping_layers=8,
        mapping_lr_multiplier=0.01,
        style_mode="adain",
        w_avg_beta=0.995,
        **kwargs,
    ):
        resolution, start_resolution, latent_dim, channels, filters = check_network_args(
            resolution, start_resolution, latent_dim, channels, filters
        )
        args = dict(
            resolution=resolution,
            latent_dim=latent_dim,
            channels=channels,
            filters=filters,
            start_resolution=start_resolution,
            **style_args(latent_dim, w_dim, mapping_layers, mapping_lr_multiplier, style_mode, w_avg_beta),
        )
        num_ws = num_ws_for(resolution)
        graph = _Graph(args)
        z = keras.Input((latent_dim,), name="latents")
        z_mix = keras.Input((latent_dim,), name="latents_mix")
        mix = keras.Input((num_ws,), name="mix")
        psi = keras.Input((num_ws,), name="truncation_psi")
        alpha = keras.Input((), name="alpha")
        noise_mode = keras.Input((), name="noise_mode")
        w = graph.mapping(z)
        w_mix = graph.mapping(z_mix)
        ws = StyleMixing(name="style_mixing")([w, w_mix, mix])
        ws = Truncation(args["w_avg_beta"], name="truncation")([ws, psi, w])
        images = graph.synthesis(ws, alpha, noise_mode)
        super().__init__(inputs=[z, z_mix, mix, psi, alpha, noise_mode], outputs=images, **kwargs)
        for key, value in args.items():
            setattr(self, key, value)
        self.num_ws = num_ws

    def mapping(self, z, network=None):
        """z `[batch, latent_dim]` -> w `[batch, w_dim]` with this network's
        weights, or those of `network`, a copy of it (e.g. the EMA generator,
        which `keras.models.clone_model` makes a plain functional model)."""
        return _Graph(self._args(), network=network or self).mapping(z)

    def synthesis(self, ws, alpha, noise_mode, network=None):
        """Styles `[batch, num_ws, w_dim]` -> images, with this network's
        weights or those of `network` (`alpha`, `noise_mode`: `[batch]`, as
        the network's inputs)."""
        return _Graph(self._args(), network=network or self).synthesis(ws, alpha, noise_mode)

    def _args(self):
        return {key: getattr(self, key) for key in self.config_keys}
