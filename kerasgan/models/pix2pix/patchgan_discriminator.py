import math

import keras
from keras import layers

from kerasgan.models.common import Network, dcgan_init
from kerasgan.models.pix2pix.norms import apply_norm, check_norm
from kerasgan.utils.validation import check_image_shape, check_positive_int


def patch_receptive_field(num_layers):
    """Receptive field (pixels) of a PatchGAN with `num_layers` stride-2 4x4
    convolutions, then a stride-1 4x4 convolution and the stride-1 4x4
    output: `9 * 2**num_layers - 2` (70 for 3 layers)."""
    return 9 * 2**num_layers - 2


def scaled_num_layers(size, reference_size=256, reference_field=70):
    """The number of stride-2 layers whose receptive field is closest to
    `reference_field * size / reference_size` (70x70 at 256 px: 3 layers;
    128 px: 2 (34 px), 64 px: 1 (16 px), 32 px and less: 0 (7 px))."""
    target = reference_field * size / reference_size
    return min(range(int(math.log2(size))), key=lambda n: abs(patch_receptive_field(n) - target))


@keras.saving.register_keras_serializable(package="kerasgan")
class PatchGANDiscriminator(Network):
    """PatchGAN discriminator (Isola et al., 2017): a map of logits, one per
    overlapping patch, of shape `[batch, size / 2**num_layers, ..., 1]`.

    `num_layers` stride-2 4x4 convolutions (`C64-C128-C256-...`, channels
    `base_filters * min(2**i, 8)`), a stride-1 4x4 convolution, and a
    stride-1 4x4 convolution to one logit; norm on all but the first and the
    last, LeakyReLU(0.2). The receptive field is `9 * 2**num_layers - 2`:
    the paper's 70x70 at 256 px with 3 layers. By default `num_layers` is
    scaled to the image size (`scaled_num_layers`).

    Conditional (`source_channels` set, Pix2Pix): inputs `[source, image]`,
    concatenated on channels. Unconditional (`source_channels=None`,
    CycleGAN): one image.

    Args:
        image_shape: `(size, size, channels)` of the judged image.
        source_channels: channels of the source (conditional), or None.
        base_filters: ndf.
        num_layers: stride-2 layers (default: scaled, see above).
        norm: `"batch"`, `"instance"` or `"none"`.
    """

    config_keys = ("image_shape", "source_channels", "base_filters", "num_layers", "norm")

    def __init__(self, image_shape=(256, 256, 3), source_channels=None, base_filters=64, num_layers=None,
                 norm="batch", **kwargs):
        image_shape = check_image_shape(image_shape, max_size=512)
        size, _, channels = image_shape
        base_filters = check_positive_int("base_filters", base_filters)
        if num_layers is None:
            num_layers = scaled_num_layers(size)
        elif isinstance(num_layers, bool) or not isinstance(num_layers, int) or not 0 <= num_layers < math.log2(size):
            raise ValueError(f"`num_layers` must be an int in [0, log2(size)). Received: num_layers={num_layers!r}")
        norm = check_norm(norm)
        image = keras.Input(image_shape, name="image")
        if source_channels is None:
            inputs, x = image, image
        else:
            source = keras.Input((size, size, source_channels), name="source")
            inputs = [source, image]
            x = layers.Concatenate(name="pair")([source, image])
        for i in range(num_layers + 1):
            filters = base_filters * min(2**i, 8)
            x = layers.Conv2D(filters, 4, strides=2 if i < num_layers else 1, padding="same",
                              kernel_initializer=dcgan_init(), name=f"conv{i}")(x)
            if i > 0:
                x = apply_norm(x, norm, f"conv{i}_norm")
            x = layers.LeakyReLU(0.2, name=f"conv{i}_lrelu")(x)
        logits = layers.Conv2D(1, 4, padding="same", kernel_initializer=dcgan_init(), dtype="float32",
                               name="patch_logits")(x)
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.image_shape = image_shape
        self.source_channels = source_channels
        self.base_filters = base_filters
        self.num_layers = num_layers
        self.norm = norm

    @property
    def receptive_field(self):
        return patch_receptive_field(self.num_layers)
