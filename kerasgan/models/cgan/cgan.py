import keras

from kerasgan.utils.validation import check_image_shape, check_positive_int
from kerasgan.models.dcgan.dcgan_discriminator import DCGANDiscriminator
from kerasgan.models.dcgan.dcgan_generator import DCGANGenerator
from kerasgan.models.gan import GAN


@keras.saving.register_keras_serializable(package="kerasgan")
class CGAN(GAN):
    """Conditional GAN (Mirza & Osindero, 2014) on the DCGAN architecture.

    The generator concatenates a learned label embedding to the latent; the
    discriminator embeds the label, projects it to an image-sized map and
    concatenates it as an extra input channel. Fake samples in training use
    the real batch's labels, so generated classes follow the data's class
    frequencies. `generate(n, labels=[...])` picks the classes.

    Args:
        image_shape: `(size, size, channels)`, size a power of two in [16, 128].
        num_classes: number of classes (labels are ints in [0, num_classes)).
        latent_dim: size of the latent vector.
        embedding_dim: size of the label embeddings.
        generator_filters, discriminator_filters: ngf / ndf as in DCGAN.
        ema_decay, seed: see `kerasgan.models.GAN`.
    """

    needs_labels = True

    presets = {"tiny": {"image_shape": (16, 16, 1), "num_classes": 3, "latent_dim": 8, "embedding_dim": 4, "generator_filters": 4, "discriminator_filters": 4, "seed": 0}}

    def __init__(
        self,
        image_shape=(32, 32, 1),
        num_classes=10,
        latent_dim=100,
        embedding_dim=50,
        generator_filters=64,
        discriminator_filters=64,
        ema_decay=None,
        seed=None,
        **kwargs,
    ):
        image_shape = check_image_shape(image_shape)
        num_classes = check_positive_int("num_classes", num_classes)
        generator = DCGANGenerator(
            image_shape, latent_dim, base_filters=generator_filters,
            num_classes=num_classes, embedding_dim=embedding_dim, name="generator",
        )
        discriminator = DCGANDiscriminator(
            image_shape, base_filters=discriminator_filters,
            num_classes=num_classes, embedding_dim=embedding_dim, name="discriminator",
        )
        super().__init__(
            generator, discriminator, latent_dim=latent_dim, num_classes=num_classes,
            ema_decay=ema_decay, seed=seed, **kwargs,
        )
        self.embedding_dim = embedding_dim
        self.generator_filters = generator_filters
        self.discriminator_filters = discriminator_filters
