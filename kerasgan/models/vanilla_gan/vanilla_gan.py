import keras

from kerasgan.models.gan import GAN
from kerasgan.models.vanilla_gan.mlp_discriminator import MLPDiscriminator
from kerasgan.models.vanilla_gan.mlp_generator import MLPGenerator


@keras.saving.register_keras_serializable(package="kerasgan")
class VanillaGAN(GAN):
    """The original fully connected GAN (Goodfellow et al., 2014).

    MLP generator and discriminator, non-saturating loss, Adam(2e-4, 0.5).
    Works for any image shape (flattened).

    Args:
        image_shape: `(height, width, channels)`.
        latent_dim: size of the latent vector.
        generator_units, discriminator_units: hidden layer sizes.
        dropout: dropout rate in the discriminator.
        ema_decay, seed: see `kerasgan.models.GAN`.
    """

    presets = {"tiny": {"image_shape": (8, 8, 1), "latent_dim": 8, "generator_units": (16,), "discriminator_units": (16,), "seed": 0}}

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=64,
        generator_units=(256, 512, 1024),
        discriminator_units=(512, 256),
        dropout=0.3,
        ema_decay=None,
        seed=None,
        **kwargs,
    ):
        generator = MLPGenerator(image_shape, latent_dim, generator_units, name="generator")
        discriminator = MLPDiscriminator(image_shape, discriminator_units, dropout, name="discriminator")
        super().__init__(generator, discriminator, latent_dim=latent_dim, ema_decay=ema_decay, seed=seed, **kwargs)
        self.generator_units = generator.hidden_units
        self.discriminator_units = discriminator.hidden_units
        self.dropout = discriminator.dropout
