import keras
import numpy as np
import tensorflow as tf

from kerasgan.engine import terms
from kerasgan.layers import ConditionalBatchNormalization, standing_statistics
from kerasgan.models.biggan.biggan_discriminator import BigGANDiscriminator
from kerasgan.models.biggan.biggan_generator import BigGANGenerator
from kerasgan.models.gan import GAN
from kerasgan.utils.validation import check_image_shape, check_positive_int


def truncate_latents(latents, truncation):
    """Standard-normal latents -> the same number of draws from the normal
    truncated to [-truncation, truncation] (the truncation trick).

    Each value is mapped through the inverse-CDF transform
    `Phi^-1(Phi(-psi) + Phi(z) (Phi(psi) - Phi(-psi)))`: an exact sample of the
    truncated normal (what `scipy.stats.truncnorm.rvs`, used by BigGAN's
    sampling code, computes), i.e. values outside the threshold are
    resampled inside it, not clipped to it (no mass piles up at +-psi).
    Monotone in z, so a seed keeps its image's identity as psi shrinks.
    `truncation <= 0` means none: the latents are returned as they are.
    """
    latents = tf.convert_to_tensor(latents, tf.float32)
    psi = tf.cast(truncation, tf.float64)
    z = tf.cast(latents, tf.float64)
    low = _normal_cdf(-psi)
    width = _normal_cdf(psi) - low
    mapped = tf.math.ndtri(low + _normal_cdf(z) * width)
    mapped = tf.clip_by_value(mapped, -psi, psi)  # float rounding only: |mapped| <= psi analytically
    return tf.cast(tf.where(psi > 0.0, mapped, z), tf.float32)


def _normal_cdf(x):
    return 0.5 * tf.math.erfc(-x / np.sqrt(2.0))


@keras.saving.register_keras_serializable(package="kerasgan")
class BigGAN(GAN):
    """BigGAN (Brock et al., 2019) on the engine.

    Generator `BigGANGenerator` (residual up blocks, shared class embedding,
    hierarchical latent fed with the embedding to every block's conditional
    batch norms, self-attention), discriminator `BigGANDiscriminator`
    (residual down blocks, projection head), spectral norm on every
    convolution and dense layer of both. Training (the paper's defaults,
    overridable in `compile`): hinge loss, Adam(5e-5) for G and Adam(2e-4)
    for D with betas (0, 0.999), two D steps per G step, orthogonal
    regularisation of G's kernels (`orthogonal_weight`, beta = 1e-4, the
    engine's `OrthogonalRegularization` term, logged as `orthogonal`), and
    an EMA of G (`ema_decay`). Large batches: `compile(accumulation_steps=k)`
    (the engine's gradient accumulation).

    Sampling: `generate(n, truncation=psi)` draws z from the normal truncated
    at psi (`truncate_latents`: resampled inside the threshold, not
    clipped); `truncation` is also an input of the serving signatures
    (`kerasgan.export`; 0 = none). Before sampling or exporting, call
    `recompute_batch_norm_statistics(n_batches)` ("standing statistics"):
    the EMA generator's batch-norm moments are re-estimated as the mean
    batch statistics over `n_batches` generated batches.

    Args:
        image_shape: `(size, size, channels)`, size a power of two in [16, 128].
        num_classes: classes (None: unconditional).
        latent_dim: size of z, a multiple of `log2(size) - 1`.
        shared_dim: size of the shared class embedding.
        generator_filters, discriminator_filters: channels of G's last and
            D's first block.
        attention_resolution: where both networks attend (None: none).
        spectral_norm: spectral norm in G and D.
        ema_decay, ema_warmup, seed: see `kerasgan.models.GAN` (EMA on by
            default, with warm-up).
    """

    needs_labels = True

    compile_defaults = {
        "loss": "hinge",
        "d_learning_rate": 2e-4,
        "g_learning_rate": 5e-5,
        "beta_1": 0.0,
        "beta_2": 0.999,
        "n_critic": 2,
        "orthogonal_weight": 1e-4,
    }

    #: The serving signatures' extra input (kerasgan.export).
    serving_inputs = {
        "truncation": (
            "float32", 0.0, "truncation threshold psi of the latents (resampled inside [-psi, psi]); 0 = none",
            (0.0, None),
        ),
    }

    presets = {"tiny": {"image_shape": (16, 16, 1), "num_classes": 3, "latent_dim": 9, "shared_dim": 4,
                        "generator_filters": 4, "discriminator_filters": 4, "attention_resolution": 8,
                        "seed": 0}}

    def __init__(self, image_shape=(32, 32, 1), num_classes=10, latent_dim=120, shared_dim=128,
                 generator_filters=64, discriminator_filters=64, attention_resolution=16, spectral_norm=True,
                 ema_decay=0.999, ema_warmup=True, seed=None, **kwargs):
        image_shape = check_image_shape(image_shape)
        num_classes = None if num_classes is None else check_positive_int("num_classes", num_classes)
        generator = BigGANGenerator(
            image_shape, latent_dim, base_filters=generator_filters, num_classes=num_classes,
            shared_dim=shared_dim, attention_resolution=attention_resolution, spectral_norm=spectral_norm,
            name="generator",
        )
        discriminator = BigGANDiscriminator(
            image_shape, base_filters=discriminator_filters, num_classes=num_classes,
            attention_resolution=attention_resolution, spectral_norm=spectral_norm, name="discriminator",
        )
        super().__init__(generator, discriminator, latent_dim=latent_dim, num_classes=num_classes,
                         ema_decay=ema_decay, ema_warmup=ema_warmup, seed=seed, **kwargs)
        self.shared_dim = shared_dim
        self.generator_filters = generator_filters
        self.discriminator_filters = discriminator_filters
        self.attention_resolution = generator.attention_resolution
        self.spectral_norm = bool(spectral_norm)

    # ------------------------------------------------------------- training
    def compile(self, orthogonal_weight=None, **kwargs):
        """`GAN.compile` plus `orthogonal_weight` (beta of the orthogonal
        regularisation; 0 turns it off)."""
        super().compile(orthogonal_weight=orthogonal_weight, **kwargs)

    def default_terms(self, settings):
        found = super().default_terms(settings)
        weight = float(settings["orthogonal_weight"])
        if not weight >= 0:
            raise ValueError(f"`orthogonal_weight` must be >= 0. Received: orthogonal_weight={settings['orthogonal_weight']}")
        if weight:
            found.append(terms.OrthogonalRegularization(weight))
        return found

    # ------------------------------------------------------------- sampling
    def images_from_latents(self, latents, labels=None, truncation=0.0):
        """Serving entry point: latents (truncated at `truncation`, 0 = none)
        -> float32 images in [-1, 1] with the EMA generator."""
        return super().images_from_latents(truncate_latents(latents, truncation), labels)

    def generate(self, n, seed=None, labels=None, batch_size=256, latents=None, truncation=None):
        """`GAN.generate` with the truncation trick: `truncation=psi` draws
        the latents from the normal truncated to [-psi, psi] (None or 0:
        none). Explicit `latents` are truncated the same way."""
        if truncation is not None:
            truncation = float(truncation)
            if not np.isfinite(truncation) or truncation < 0:
                raise ValueError(f"`truncation` must be a finite number >= 0 (0: none). Received: truncation={truncation}")
        if truncation:
            n = check_positive_int("n", n)
            base = self.sample_latents(n, seed=seed) if latents is None else latents
            latents = truncate_latents(base, truncation)
        return super().generate(n, seed=seed, labels=labels, batch_size=batch_size, latents=latents)

    def recompute_batch_norm_statistics(self, n_batches=16, batch_size=64, seed=0, class_frequencies=None):
        """Standing statistics (Brock et al., 2019, appendix C): re-estimates
        the batch-norm moving mean and variance of the sampling generator
        (the EMA one) as the average batch statistics over `n_batches`
        batches of `batch_size` generated images (untruncated latents from
        `seed`, classes drawn uniformly, or in the proportions of
        `class_frequencies`: one weight per class, e.g. the training data's
        class counts, so that a model of unbalanced classes is normalised
        for the class mixture it is sampled in; see
        `kerasgan.metrics.evaluation.sample_labels`). Spectral norm is left
        alone (the generator runs in inference mode; only its batch norms
        use batch statistics). Call it before `generate` or export; training
        overwrites the EMA copy's statistics again."""
        from kerasgan.metrics.evaluation import sample_labels

        n_batches = check_positive_int("n_batches", n_batches)
        batch_size = check_positive_int("batch_size", batch_size)
        if class_frequencies is not None:
            if self.num_classes is None:
                raise ValueError("`class_frequencies` is for a class-conditional BigGAN (num_classes set).")
            sample_labels(1, self.num_classes, class_frequencies)  # checks the weights
        network = self.sampling_network("generator")
        norms = [l for l in network._flatten_layers() if isinstance(l, ConditionalBatchNormalization)]
        rng = np.random.default_rng(seed)
        with standing_statistics(norms) as passes:
            for i in range(n_batches):
                latents = self.sample_latents(batch_size, seed=int(seed) * 100003 + i)
                labels = None
                if self.num_classes is not None and class_frequencies is not None:
                    labels = tf.constant(sample_labels(batch_size, self.num_classes, class_frequencies,
                                                       seed=seed, start=i * batch_size), tf.int32)
                elif self.num_classes is not None:
                    labels = tf.constant(rng.integers(0, self.num_classes, batch_size), tf.int32)
                network(self.generator_inputs(latents, labels), training=False)
                passes.step()
        return norms
