import keras

from kerasgan.utils.validation import check_image_shape, check_positive_int
from kerasgan.models.dcgan.dcgan_discriminator import DCGANDiscriminator
from kerasgan.models.dcgan.dcgan_generator import DCGANGenerator
from kerasgan.models.gan import GAN


@keras.saving.register_keras_serializable(package="kerasgan")
class DCGAN(GAN):
    """Deep Convolutional GAN (Radford et al., 2016).

    Transposed-convolution generator with batch norm and ReLU, convolutional
    discriminator with batch norm and LeakyReLU(0.2), non-saturating BCE loss,
    Adam(2e-4, beta_1=0.5) for both networks.

    Args:
        image_shape: `(size, size, channels)`, size a power of two in
            [16, 128], 1 or 3 channels.
        latent_dim: size of the latent vector (100 in the paper).
        generator_filters: ngf, channels of the generator's last hidden layer.
        discriminator_filters: ndf, channels of the discriminator's first layer.
        minibatch_stddev: add a minibatch-stddev map to the discriminator.
        ema_decay, seed: see `kerasgan.models.GAN`.

    Example:
        >>> gan = kerasgan.models.DCGAN(image_shape=(32, 32, 1), latent_dim=64)
        >>> gan.compile()
        >>> gan.fit(kerasgan.data.load("digits", image_size=32), epochs=2)
        >>> images = gan.generate(16, seed=0)
    """

    presets = {"tiny": {"image_shape": (16, 16, 1), "latent_dim": 8, "generator_filters": 4, "discriminator_filters": 4, "seed": 0}}

    def __init__(
        self,
        image_shape=(64, 64, 1),
        latent_dim=100,
        generator_filters=64,
        discriminator_filters=64,
        minibatch_stddev=False,
        ema_decay=None,
        seed=None,
        **kwargs,
    ):
        image_shape = check_image_shape(image_shape)
        latent_dim = check_positive_int("latent_dim", latent_dim)
        generator = DCGANGenerator(
            image_shape, latent_dim, base_filters=generator_filters, name="generator"
        )
        discriminator = DCGANDiscriminator(
            image_shape,
            base_filters=discriminator_filters,
            minibatch_stddev=minibatch_stddev,
            name="discriminator",
        )
        super().__init__(generator, discriminator, latent_dim=latent_dim, ema_decay=ema_decay, seed=seed, **kwargs)
        self.generator_filters = generator_filters
        self.discriminator_filters = discriminator_filters
        self.minibatch_stddev = bool(minibatch_stddev)
