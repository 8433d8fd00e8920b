import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan.utils.validation import check_positive_int
from kerasgan.models.progan.progan import ProGAN, _build_discriminator, _filters_up_to
from kerasgan.models.stylegan.stylegan_generator import StyleGANGenerator, num_ws_for, style_args

NOISE_MODES = {"random": 1.0, "const": 0.0}


@keras.saving.register_keras_serializable(package="kerasgan")
class StyleGAN(ProGAN):
    """A style-based GAN (Karras et al., 2019; StyleGAN2's weight
    demodulation with `style_mode="modulated"`).

    Generator: `StyleGANGenerator` (mapping network with learning-rate
    multiplier 0.01, learned constant input, per-layer styles through AdaIN
    or modulated convolutions, per-pixel noise with learned strengths).
    Discriminator: ProGAN's (`ProGANDiscriminator`, with minibatch stddev),
    as StyleGAN used. Training (the paper's defaults, all overridable in
    `compile`): non-saturating loss, R1 on reals with gamma = 10 applied
    lazily every 16 discriminator steps (StyleGAN2's lazy regularisation,
    scaled by the interval), Adam(1e-3, beta_1=0, beta_2=0.99) for both
    networks, style-mixing regularisation (with probability
    `style_mixing_prob` a second latent takes over from a random layer on),
    an EMA of the generator (`ema_decay=0.999`) and a running average of w
    (`w_avg`, decay `w_avg_beta`) for the truncation trick.

    Resolution: progressive growing exactly as `ProGAN` (`grow()`, the
    `ProgressiveGrowing` callback / `train_progressive`, fade-in with
    `alpha`), or fixed resolution with `start_resolution=target_resolution`
    (then `fit` trains it directly).

    Sampling uses the EMA generator and fixed noise maps by default
    (`noise_mode="const"`: the same seed gives the same image):

        gan.generate(16, seed=0, truncation_psi=0.7, truncation_cutoff=8)
        gan.mix_styles(seeds_coarse=[1, 2], seeds_fine=[3, 4], crossover=4)
        w = gan.mapping(z); images = gan.synthesis(w)

    Args:
        target_resolution, channels, latent_dim, start_resolution,
        resolution, alpha, filters, fmap_base, fmap_max,
        minibatch_group_size, fade_in_reals, seed: see `ProGAN`.
        w_dim: size of w (default `latent_dim`).
        mapping_layers: depth of the mapping network (8).
        mapping_lr_multiplier: the mapping network's learning-rate multiplier (0.01).
        style_mode: `"adain"` (StyleGAN) or `"modulated"` (StyleGAN2).
        style_mixing_prob: probability of style mixing per training example (0.9).
        w_avg_beta: decay of the running average of w (0.995).
        ema_decay: decay of the generator EMA (0.999; None for none).
        ema_warmup: ramp the EMA decay up from 0 (`GAN`'s `ema_warmup`; on by
            default here: with 0.999 alone a short progressive phase keeps
            about half of a new layer's initial weights in the EMA).
    """

    compile_defaults = {
        "loss": "non_saturating",
        "d_learning_rate": 1e-3,
        "g_learning_rate": 1e-3,
        "beta_1": 0.0,
        "beta_2": 0.99,
        "n_critic": 1,
        "gradient_penalty_weight": 0.0,
        "drift_weight": 0.0,
        "r1_weight": 10.0,
        "r1_interval": 16,
    }

    #: Extra scalar inputs of the serving signatures (see kerasgan.export):
    #: (dtype, default, doc, (min, max)). psi in [-1, 1]: the StyleGAN paper's
    #: figure 8 spans 1 to -1 (negative: the "opposite" of the average image);
    #: beyond that the mapping is extrapolated far outside what was trained.
    serving_inputs = {
        "truncation_psi": (
            "float32", 1.0, "truncation in W, in [-1, 1]: 1 = none, 0 = the average image", (-1.0, 1.0)
        ),
    }

    presets = {"tiny": {"target_resolution": 8, "channels": 1, "latent_dim": 8, "filters": 4, "mapping_layers": 2, "seed": 0}}

    def __init__(
        self,
        target_resolution=128,
        channels=3,
        latent_dim=512,
        w_dim=None,
        mapping_layers=8,
        mapping_lr_multiplier=0.01,
        style_mode="adain",
        style_mixing_prob=0.9,
        w_avg_beta=0.995,
        ema_decay=0.999,
        ema_warmup=True,
        **kwargs,
    ):
        network_args = style_args(
            latent_dim, w_dim, mapping_layers, mapping_lr_multiplier, style_mode, w_avg_beta
        )
        style_mixing_prob = float(style_mixing_prob)
        if not 0.0 <= style_mixing_prob <= 1.0:
            raise ValueError(
                f"`style_mixing_prob` must be in [0, 1]. Received: style_mixing_prob={style_mixing_prob}"
            )
        super().__init__(
            target_resolution=target_resolution,
            channels=channels,
            latent_dim=latent_dim,
            ema_decay=ema_decay,
            ema_warmup=ema_warmup,
            _network_args=network_args,
            **kwargs,
        )
        for key, value in network_args.items():
            setattr(self, key, value)
        self.style_mixing_prob = style_mixing_prob

    # ------------------------------------------------------------- networks
    @staticmethod
    def build_generator(resolution, latent_dim, arch):
        return StyleGANGenerator(
            resolution=resolution,
            latent_dim=latent_dim,
            channels=arch["channels"],
            filters=_filters_up_to(arch["filters"], resolution),
            start_resolution=arch["start_resolution"],
            w_dim=arch["w_dim"],
            mapping_layers=arch["mapping_layers"],
            mapping_lr_multiplier=arch["mapping_lr_multiplier"],
            style_mode=arch["style_mode"],
            w_avg_beta=arch["w_avg_beta"],
            name="generator",
        )

    @staticmethod
    def build_discriminator(resolution, arch):
        return _build_discriminator(resolution, **arch)

    @property
    def num_ws(self):
        """Styles per image at the current resolution (2 log2(resolution) - 2)."""
        return num_ws_for(self.resolution)

    @property
    def sampling_generator(self):
        return self.ema_generator if self.ema_generator is not None else self.generator

    # --------------------------------------------------------------- inputs
    def _per_layer(self, values, batch):
        return ops.broadcast_to(ops.reshape(values, (1, -1)), (batch, self.num_ws))

    def generator_inputs(self, latents, labels=None):
        """Training inputs: random noise, no truncation, and style mixing with
        probability `style_mixing_prob` per example (a second latent takes
        over from a crossover layer drawn uniformly in [1, num_ws))."""
        batch = ops.shape(latents)[0]
        num_ws = self.num_ws
        latents_mix = self.sample_latents(batch)
        if self.style_mixing_prob > 0 and num_ws > 1:
            crossover = keras.random.randint((batch, 1), 1, num_ws, seed=self.seed_generator)
            mixing = keras.random.uniform((batch, 1), seed=self.seed_generator) < self.style_mixing_prob
            crossover = ops.where(mixing, crossover, num_ws)
            mix = ops.cast(ops.arange(num_ws)[None, :] >= crossover, "float32")
        else:
            mix = ops.zeros((batch, num_ws), "float32")
        ones = ops.ones((batch,), "float32")
        return [latents, latents_mix, mix, ops.ones((batch, num_ws), "float32"), self._alpha_for(latents), ones]

    def sampling_inputs(
        self, latents, truncation_psi=1.0, truncation_cutoff=None, noise_mode="const", latents_mix=None, crossover=None
    ):
        """The generator's inputs for sampling (no random mixing).

        Args:
            latents: z `[batch, latent_dim]`.
            truncation_psi: psi, a float or a `[batch]` tensor.
            truncation_cutoff: truncate only the layers before this one (None: all).
            noise_mode: `"const"` (fixed noise maps) or `"random"`.
            latents_mix, crossover: style mixing: layers `>= crossover` take
                the w of `latents_mix`.
        """
        latents = tf.convert_to_tensor(latents, tf.float32)
        batch = tf.shape(latents)[0]
        num_ws = self.num_ws
        if noise_mode not in NOISE_MODES:
            raise ValueError(
                f"`noise_mode` must be one of {sorted(NOISE_MODES)}. Received: noise_mode={noise_mode!r}"
            )
        layer = tf.range(num_ws)[None, :]
        if truncation_cutoff is None:
            truncated = tf.ones((1, num_ws), tf.bool)
        else:
            truncation_cutoff = check_positive_int("truncation_cutoff", truncation_cutoff)
            truncated = layer < truncation_cutoff
        psi = tf.reshape(tf.cast(truncation_psi, tf.float32), (-1, 1))
        psi = tf.where(truncated, psi, 1.0)
        psi = tf.broadcast_to(psi, (batch, num_ws))
        if latents_mix is None:
            latents_mix = latents
            mix = tf.zeros((batch, num_ws))
        else:
            latents_mix = tf.convert_to_tensor(latents_mix, tf.float32)
            mix = tf.broadcast_to(tf.cast(layer >= crossover, tf.float32), (batch, num_ws))
        mode = tf.fill([batch], NOISE_MODES[noise_mode])
        return [latents, latents_mix, mix, psi, self._alpha_for(latents), mode]

    # ------------------------------------------------------------- sampling
    def call(self, inputs, training=False):
        """Latents (or the generator's full input list) -> images clipped to
        [-1, 1], with the EMA generator, no truncation, fixed noise."""
        if not isinstance(inputs, (list, tuple)):
            inputs = self.sampling_inputs(inputs)
        images = self.sampling_generator(list(inputs), training=training)
        return ops.clip(images, -1.0, 1.0)

    def images_from_latents(self, latents, labels=None, truncation_psi=1.0):
        """Serving entry point: latents -> float32 images in [-1, 1] with the
        EMA generator, fixed noise and the given truncation."""
        if labels is not None:
            raise ValueError("`labels` were given, but this model is not conditional.")
        inputs = self.sampling_inputs(latents, truncation_psi=truncation_psi)
        return tf.cast(self(inputs, training=False), tf.float32)

    def generate(
        self,
        n,
        seed=None,
        labels=None,
        batch_size=256,
        latents=None,
        truncation_psi=1.0,
        truncation_cutoff=None,
        noise_mode="const",
    ):
        """`GAN.generate` plus the truncation trick and the noise mode.

        Args:
            truncation_psi: 1 = no truncation; 0 = every image is the
                average-w image; 0.5-0.7 trades variety for quality.
            truncation_cutoff: truncate only layers before this index
                (StyleGAN used 8: the coarse styles).
            noise_mode: `"const"` (default: the fixed noise maps, so a seed
                always gives the same image) or `"random"`.
        """
        n = check_positive_int("n", n)
        batch_size = check_positive_int("batch_size", batch_size)
        self._check_output_size(n)
        psi = float(truncation_psi)
        if labels is not None:
            raise ValueError("`labels` were given, but this model is not conditional.")
        latents = self._latents(n, seed, latents, "latents")
        outputs = []
        for start in range(0, n, batch_size):
            z = latents[start : start + batch_size]
            inputs = self.sampling_inputs(
                z, truncation_psi=psi, truncation_cutoff=truncation_cutoff, noise_mode=noise_mode
            )
            outputs.append(tf.cast(self(inputs, training=False), tf.float32))
        return tf.concat(outputs, axis=0)

    def _latents(self, n, seed, latents, name):
        if latents is None:
            return self.sample_latents(n, seed=seed)
        latents = tf.convert_to_tensor(latents, tf.float32)
        if tuple(latents.shape) != (n, self.latent_dim):
            raise ValueError(
                f"`{name}` must have shape ({n}, {self.latent_dim}). Received: {name}.shape={tuple(latents.shape)}"
            )
        return latents

    def _seed_latents(self, seeds, name):
        seeds = np.atleast_1d(np.asarray(seeds))
        if seeds.ndim != 1 or not np.issubdtype(seeds.dtype, np.integer):
            raise ValueError(f"`{name}` must be a list of int seeds. Received: {seeds!r}")
        return tf.concat([self.sample_latents(1, seed=int(s)) for s in seeds], axis=0)

    def mix_styles(self, seeds_coarse, seeds_fine, crossover, truncation_psi=1.0, noise_mode="const"):
        """Style mixing: images whose layers before `crossover` take the styles
        of `seeds_coarse` and the rest those of `seeds_fine` (one image per
        pair; a seed here gives the same latent as `generate(1, seed=s)`).

        `crossover=0` gives the fine seeds' images, `crossover=num_ws` the
        coarse seeds'. Returns float32 `[pairs, H, W, C]` in [-1, 1].
        """
        num_ws = self.num_ws
        if isinstance(crossover, bool) or not isinstance(crossover, (int, np.integer)) or not 0 <= crossover <= num_ws:
            raise ValueError(
                f"`crossover` must be an int in [0, {num_ws}] (this model has {num_ws} style "
                f"layers). Received: crossover={crossover!r}"
            )
        coarse = self._seed_latents(seeds_coarse, "seeds_coarse")
        fine = self._seed_latents(seeds_fine, "seeds_fine")
        if coarse.shape[0] != fine.shape[0]:
            raise ValueError(
                f"`seeds_coarse` and `seeds_fine` must have the same length. "
                f"Received {coarse.shape[0]} and {fine.shape[0]}."
            )
        inputs = self.sampling_inputs(
            coarse, truncation_psi=truncation_psi, noise_mode=noise_mode, latents_mix=fine, crossover=int(crossover)
        )
        return tf.cast(self(inputs, training=False), tf.float32)

    def mapping(self, z):
        """z `[batch, latent_dim]` -> w `[batch, w_dim]` (EMA generator's mapping network)."""
        z = tf.convert_to_tensor(z, tf.float32)
        if z.shape.rank != 2 or z.shape[-1] != self.latent_dim:
            raise ValueError(
                f"`z` must have shape [batch, {self.latent_dim}]. Received: z.shape={tuple(z.shape)}"
            )
        return self.generator.mapping(z, network=self.sampling_generator)

    def synthesis(self, w, noise_mode="const"):
        """w `[batch, w_dim]` (one style for every layer) or per-layer styles
        `[batch, num_ws, w_dim]` -> images in [-1, 1] (EMA generator)."""
        w = tf.convert_to_tensor(w, tf.float32)
        if w.shape.rank == 2:
            w = tf.repeat(w[:, None, :], self.num_ws, axis=1)
        if w.shape.rank != 3 or tuple(w.shape[1:]) != (self.num_ws, self.w_dim):
            raise ValueError(
                f"`w` must have shape [batch, {self.w_dim}] or [batch, {self.num_ws}, {self.w_dim}]. "
                f"Received: w.shape={tuple(w.shape)}"
            )
        if noise_mode not in NOISE_MODES:
            raise ValueError(
                f"`noise_mode` must be one of {sorted(NOISE_MODES)}. Received: noise_mode={noise_mode!r}"
            )
        batch = tf.shape(w)[0]
        images = self.generator.synthesis(
            w, self._alpha_for(w), tf.fill([batch], NOISE_MODES[noise_mode]), network=self.sampling_generator
        )
        return tf.clip_by_value(tf.cast(images, tf.float32), -1.0, 1.0)

    @property
    def w_avg(self):
        """The running average of w (the truncation centre), `[w_dim]`."""
        return self.sampling_generator.get_layer("truncation").w_avg


__all__ = ["StyleGAN"]
