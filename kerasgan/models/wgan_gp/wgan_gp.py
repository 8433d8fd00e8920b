import keras

from kerasgan.utils.validation import check_image_shape
from kerasgan.models.dcgan.dcgan_discriminator import DCGANDiscriminator
from kerasgan.models.dcgan.dcgan_generator import DCGANGenerator
from kerasgan.models.gan import GAN


@keras.saving.register_keras_serializable(package="kerasgan")
class WGANGP(GAN):
    """Wasserstein GAN with gradient penalty (Gulrajani et al., 2017).

    DCGAN generator; DCGAN-shaped critic with no batch norm (the penalty is
    per example; `critic_normalization="layer"` gives the paper's layer-norm
    variant). Training defaults follow the paper: Wasserstein loss,
    lambda = 10, `n_critic = 5` critic updates per generator update (each on
    a fresh real batch: one `fit` step is one critic update) and
    Adam(1e-4, beta_1=0, beta_2=0.9).

    Args:
        image_shape: `(size, size, channels)`, size a power of two in [16, 128].
        latent_dim: size of the latent vector.
        generator_filters, critic_filters: ngf / ndf as in DCGAN.
        critic_normalization: `"none"` or `"layer"`.
        ema_decay, seed: see `kerasgan.models.GAN`.
    """

    compile_defaults = {
        "loss": "wasserstein",
        "d_learning_rate": 1e-4,
        "g_learning_rate": 1e-4,
        "beta_1": 0.0,
        "beta_2": 0.9,
        "n_critic": 5,
        "gradient_penalty_weight": 10.0,
    }

    presets = {"tiny": {"image_shape": (16, 16, 1), "latent_dim": 8, "generator_filters": 4, "critic_filters": 4, "seed": 0}}

    def __init__(
        self,
        image_shape=(32, 32, 1),
        latent_dim=100,
        generator_filters=64,
        critic_filters=64,
        critic_normalization="none",
        ema_decay=None,
        seed=None,
        **kwargs,
    ):
        image_shape = check_image_shape(image_shape)
        if critic_normalization not in ("none", "layer"):
            raise ValueError(
                "A WGAN-GP critic cannot use batch norm: `critic_normalization` must be "
                f"'none' or 'layer'. Received: critic_normalization={critic_normalization!r}"
            )
        generator = DCGANGenerator(image_shape, latent_dim, base_filters=generator_filters, name="generator")
        critic = DCGANDiscriminator(
            image_shape, base_filters=critic_filters, normalization=critic_normalization, name="critic"
        )
        super().__init__(generator, critic, latent_dim=latent_dim, ema_decay=ema_decay, seed=seed, **kwargs)
        self.generator_filters = generator_filters
        self.critic_filters = critic_filters
        self.critic_normalization = critic_normalization
