import keras

from kerasgan.models.gan import GAN
from kerasgan.models.sagan.sagan_discriminator import SAGANDiscriminator
from kerasgan.models.sagan.sagan_generator import SAGANGenerator
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class SAGAN(GAN):
    """Self-Attention GAN (Zhang et al., 2019).

    Generator `SAGANGenerator` (class-conditional batch norm), discriminator
    `SAGANDiscriminator` (projection head), self-attention in both at
    `attention_resolution`, spectral norm on every convolution and dense
    layer of both. Training (the paper's defaults, all overridable in
    `compile`): hinge loss, TTUR with Adam(1e-4) for G and Adam(4e-4) for D,
    betas (0, 0.9), one D step per G step.

    Class-conditional by default (`num_classes=10`; the trainer passes the
    data's class count, as for CGAN); `num_classes=None` builds the
    unconditional model (plain batch norm, a head without projection).

    Args:
        image_shape: `(size, size, channels)`, size a power of two in [16, 128].
        num_classes: classes of the labels, or None (unconditional).
        latent_dim: size of the latent vector.
        generator_filters, discriminator_filters: channels of G's last and
            D's first block.
        attention_resolution: feature-map size where both networks attend
            (None: no attention).
        spectral_norm: spectral norm in G and D (True in the paper).
        ema_decay, ema_warmup, seed: see `kerasgan.models.GAN`.
    """

    needs_labels = True

    compile_defaults = {
        "loss": "hinge",
        "d_learning_rate": 4e-4,
        "g_learning_rate": 1e-4,
        "beta_1": 0.0,
        "beta_2": 0.9,
        "n_critic": 1,
    }

    presets = {"tiny": {"image_shape": (16, 16, 1), "num_classes": 3, "latent_dim": 8, "generator_filters": 4,
                        "discriminator_filters": 4, "attention_resolution": 8, "seed": 0}}

    def __init__(self, image_shape=(32, 32, 1), num_classes=10, latent_dim=128, generator_filters=64,
                 discriminator_filters=64, attention_resolution=16, spectral_norm=True, ema_decay=None,
                 ema_warmup=False, seed=None, **kwargs):
        image_shape = check_image_shape(image_shape)
        num_classes = None if num_classes is None else check_positive_int("num_classes", num_classes)
        generator = SAGANGenerator(
            image_shape, latent_dim, base_filters=generator_filters, num_classes=num_classes,
            attention_resolution=attention_resolution, spectral_norm=spectral_norm, name="generator",
        )
        discriminator = SAGANDiscriminator(
            image_shape, base_filters=discriminator_filters, num_classes=num_classes,
            attention_resolution=attention_resolution, spectral_norm=spectral_norm, name="discriminator",
        )
        super().__init__(generator, discriminator, latent_dim=latent_dim, num_classes=num_classes,
                         ema_decay=ema_decay, ema_warmup=ema_warmup, seed=seed, **kwargs)
        self.generator_filters = generator_filters
        self.discriminator_filters = discriminator_filters
        self.attention_resolution = generator.attention_resolution
        self.spectral_norm = bool(spectral_norm)
