import keras
from keras import layers

from kerasgan.models.common import Network
from kerasgan.models.pix2pix.norms import apply_norm, check_norm
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class StarGANGenerator(Network):
    """StarGAN generator (Choi et al., 2018): an image and a target-domain
    vector -> the image translated into that domain.

    The domain vector `[batch, num_domains]` (one-hot, or multi-hot for
    attributes) is replicated over the image's height and width (layers
    `domain_map`, `domain_tiled`: a reshape and a nearest upsampling) and
    concatenated to the image channels. Then the paper's network: a 7x7
    stride-1 convolution (`base_filters`), `num_downsamples` 4x4 stride-2
    convolutions doubling the channels, `num_blocks` residual blocks (3x3
    convolution, norm, ReLU, 3x3 convolution, norm, added to the input), as
    many 4x4 stride-2 transposed convolutions halving them, and a 7x7
    convolution to the image channels with tanh. Every convolution but the
    last is followed by instance norm (`GroupNormalization(groups=-1)`, with
    scale and offset) and ReLU; zero padding (`"same"`), as the paper's code.
    At inference the norm uses each image's own statistics (the reference
    PyTorch code tracks running statistics; per-image statistics need no
    state and match training).

    Args:
        image_shape: `(size, size, channels)`, size a power of two in [16, 512].
        num_domains: length of the domain vector.
        base_filters: channels of the first convolution (64).
        num_blocks: residual blocks (6).
        num_downsamples: stride-2 stages (2).
        norm: `"instance"` (paper), `"batch"` or `"none"`.
    """

    config_keys = ("image_shape", "num_domains", "base_filters", "num_blocks", "num_downsamples", "norm")

    def __init__(self, image_shape=(128, 128, 3), num_domains=5, base_filters=64, num_blocks=6, num_downsamples=2,
                 norm="instance", **kwargs):
        image_shape = check_image_shape(image_shape, max_size=512)
        size, _, channels = image_shape
        num_domains = check_positive_int("num_domains", num_domains)
        base_filters = check_positive_int("base_filters", base_filters)
        if isinstance(num_blocks, bool) or not isinstance(num_blocks, int) or num_blocks < 0:
            raise ValueError(f"`num_blocks` must be an int >= 0. Received: num_blocks={num_blocks!r}")
        num_downsamples = check_positive_int("num_downsamples", num_downsamples)
        if 2**num_downsamples > size // 2:
            raise ValueError(f"`num_downsamples` must leave maps of at least 2x2. Received: "
                             f"num_downsamples={num_downsamples} for size {size}")
        norm = check_norm(norm)
        image = keras.Input(image_shape, name="image")
        domain = keras.Input((num_domains,), name="domain")
        tiled = layers.Reshape((1, 1, num_domains), name="domain_map")(domain)
        tiled = layers.UpSampling2D(size=(size, size), name="domain_tiled")(tiled)
        x = layers.Concatenate(name="image_and_domain")([image, tiled])

        def conv_block(x, filters, kernel, strides, name, transpose=False):
            conv = layers.Conv2DTranspose if transpose else layers.Conv2D
            x = conv(filters, kernel, strides=strides, padding="same", use_bias=norm == "none", name=name)(x)
            return layers.ReLU(name=f"{name}_relu")(apply_norm(x, norm, f"{name}_norm"))

        x = conv_block(x, base_filters, 7, 1, "stem")
        filters = base_filters
        for i in range(num_downsamples):
            filters *= 2
            x = conv_block(x, filters, 4, 2, f"down{i}")
        for i in range(num_blocks):
            y = conv_block(x, filters, 3, 1, f"res{i}_conv1")
            y = layers.Conv2D(filters, 3, padding="same", use_bias=norm == "none", name=f"res{i}_conv2")(y)
            y = apply_norm(y, norm, f"res{i}_conv2_norm")
            x = layers.Add(name=f"res{i}_add")([x, y])
        for i in reversed(range(num_downsamples)):
            filters //= 2
            x = conv_block(x, filters, 4, 2, f"up{i}", transpose=True)
        x = layers.Conv2D(channels, 7, padding="same", use_bias=False, name="to_image")(x)
        outputs = layers.Activation("tanh", dtype="float32", name="translated")(x)
        super().__init__(inputs=[image, domain], outputs=outputs, **kwargs)
        self.image_shape = image_shape
        self.num_domains = num_domains
        self.base_filters = base_filters
        self.num_blocks = num_blocks
        self.num_downsamples = num_downsamples
        self.norm = norm
