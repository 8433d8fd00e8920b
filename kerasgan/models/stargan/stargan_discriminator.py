import math

import keras
from keras import layers

from kerasgan.models.common import Network
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class StarGANDiscriminator(Network):
    """StarGAN discriminator (Choi et al., 2018): a PatchGAN critic with an
    auxiliary domain classifier on one trunk.

    Trunk: `num_layers` 4x4 stride-2 convolutions (`base_filters * 2**i`
    channels), each followed by LeakyReLU(0.01), no norm (the WGAN-GP critic
    of the paper). Heads: `source_logits`, a 3x3 convolution to one logit
    per patch (`[batch, size / 2**num_layers, ..., 1]`), and `class_logits`,
    a convolution over the whole last map to `num_domains` logits
    (`[batch, num_domains]`). Default `num_layers` is `log2(size) - 1` (2x2
    patch map: the paper's 6 layers at 128 px).

    Outputs: `[source_logits, class_logits]`, float32.

    Args:
        image_shape: `(size, size, channels)`.
        num_domains: classes of the auxiliary head.
        base_filters: channels of the first layer (64).
        num_layers: stride-2 layers (default `log2(size) - 1`).
    """

    config_keys = ("image_shape", "num_domains", "base_filters", "num_layers")

    def __init__(self, image_shape=(128, 128, 3), num_domains=5, base_filters=64, num_layers=None, **kwargs):
        image_shape = check_image_shape(image_shape, max_size=512)
        size = image_shape[0]
        num_domains = check_positive_int("num_domains", num_domains)
        base_filters = check_positive_int("base_filters", base_filters)
        if num_layers is None:
            num_layers = int(math.log2(size)) - 1
        elif isinstance(num_layers, bool) or not isinstance(num_layers, int) or not 1 <= num_layers <= math.log2(size):
            raise ValueError(f"`num_layers` must be an int in [1, log2(size)]. Received: num_layers={num_layers!r}")
        image = keras.Input(image_shape, name="image")
        x = image
        for i in range(num_layers):
            x = layers.Conv2D(base_filters * 2**i, 4, strides=2, padding="same", name=f"conv{i}")(x)
            x = layers.LeakyReLU(0.01, name=f"conv{i}_lrelu")(x)
        source = layers.Conv2D(1, 3, padding="same", use_bias=False, dtype="float32", name="source_logits")(x)
        last = size // 2**num_layers
        classes = layers.Conv2D(num_domains, last, padding="valid", use_bias=False, dtype="float32",
                                name="class_map")(x)
        classes = layers.Reshape((num_domains,), dtype="float32", name="class_logits")(classes)
        super().__init__(inputs=image, outputs=[source, classes], **kwargs)
        self.image_shape = image_shape
        self.num_domains = num_domains
        self.base_filters = base_filters
        self.num_layers = num_layers
