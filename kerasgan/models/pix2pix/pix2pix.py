import keras

from kerasgan.engine.image_to_image import ImageToImageGAN
from kerasgan.models.pix2pix.patchgan_discriminator import PatchGANDiscriminator
from kerasgan.models.pix2pix.unet_generator import UNetGenerator
from kerasgan.utils.validation import check_image_shape


@keras.saving.register_keras_serializable(package="kerasgan")
class Pix2Pix(ImageToImageGAN):
    """Pix2Pix (Isola et al., 2017): paired image-to-image translation.

    A U-Net generator (`UNetGenerator`: skip connections, dropout in the
    decoder) translates the source; a PatchGAN (`PatchGANDiscriminator`,
    70x70 receptive field at 256 px, scaled to the image size) judges
    `[source, image]`. Objective: non-saturating adversarial loss plus
    `l1_weight` (lambda = 100) times the L1 distance to the target; Adam(2e-4,
    beta_1=0.5). Batches are `{"source", "target"}` (e.g.
    `kerasgan.data.load_paired`).

    Dropout at inference is off by default, so `translate` is deterministic;
    `inference_dropout=True` keeps it on as the paper does (see
    `UNetGenerator`).

    Args:
        image_shape: target `(size, size, channels)`.
        source_channels: source channels (default: the target's).
        generator_filters, discriminator_filters: ngf, ndf (64).
        discriminator_layers: the PatchGAN's stride-2 layers (default scaled).
        dropout, inference_dropout: the U-Net's decoder dropout.
        norm: `"batch"` (paper) or `"instance"`, in both networks.
        ema_decay, seed: see `kerasgan.engine.AdversarialModel`.

    Example:
        >>> gan = kerasgan.models.Pix2Pix(image_shape=(32, 32, 3))
        >>> gan.compile()
        >>> gan.fit(kerasgan.data.load_paired("twemoji-72", "noto-72", 32, augment=True), epochs=5)
        >>> noto_style = gan.translate(twemoji_images)
    """

    presets = {
        "tiny": {"image_shape": (16, 16, 1), "generator_filters": 4, "discriminator_filters": 4, "seed": 0},
        "emoji32": {"image_shape": (32, 32, 3), "generator_filters": 32, "discriminator_filters": 32,
                    "discriminator_layers": 1},
    }
    compile_defaults = {"loss": "non_saturating", "l1_weight": 100.0}

    def __init__(self, image_shape=(256, 256, 3), source_channels=None, generator_filters=64,
                 discriminator_filters=64, discriminator_layers=None, dropout=0.5, inference_dropout=False,
                 norm="batch", ema_decay=None, seed=None, **kwargs):
        image_shape = check_image_shape(image_shape, max_size=512)
        generator = UNetGenerator(image_shape, source_channels, generator_filters, dropout=dropout,
                                  inference_dropout=inference_dropout, norm=norm, seed=seed, name="generator")
        discriminator = PatchGANDiscriminator(image_shape, generator.source_channels, discriminator_filters,
                                              discriminator_layers, norm=norm, name="discriminator")
        super().__init__(generator, discriminator, ema_decay=ema_decay, seed=seed, **kwargs)
        self.generator_filters = generator_filters
        self.discriminator_filters = discriminator_filters
