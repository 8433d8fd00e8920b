import keras
from keras import layers

from kerasgan.models.common import Network, dcgan_init
from kerasgan.layers.padding import ReflectionPadding2D
from kerasgan.models.pix2pix.norms import apply_norm, check_norm
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class ResNetGenerator(Network):
    """CycleGAN's ResNet generator (Zhu et al., 2017, after Johnson et al.).

    `c7s1-64, d128, d256, R256 x num_blocks, u128, u64, c7s1-C`: a 7x7
    convolution after reflection padding, `num_downsamples` stride-2 3x3
    convolutions, residual blocks of two reflection-padded 3x3 convolutions,
    as many stride-2 transposed convolutions back, and a 7x7 convolution to
    the image with tanh. Instance norm (`GroupNormalization(groups=-1)`)
    and ReLU after every convolution but the last.

    Args:
        image_shape: `(size, size, channels)` of input and output.
        base_filters: ngf (64).
        num_blocks: residual blocks; default 9 at 256 px and above, else 6
            (the paper's choice for 128 px).
        num_downsamples: 2 in the paper.
        norm: `"instance"` (paper), `"batch"` or `"none"`.
    """

    config_keys = ("image_shape", "base_filters", "num_blocks", "num_downsamples", "norm")

    def __init__(self, image_shape=(256, 256, 3), base_filters=64, num_blocks=None, num_downsamples=2,
                 norm="instance", **kwargs):
        image_shape = check_image_shape(image_shape, min_size=8, max_size=512)
        size, _, channels = image_shape
        base_filters = check_positive_int("base_filters", base_filters)
        num_blocks = (9 if size >= 256 else 6) if num_blocks is None else check_positive_int("num_blocks", num_blocks)
        num_downsamples = check_positive_int("num_downsamples", num_downsamples)
        if size // 2**num_downsamples < 2:
            raise ValueError(f"`num_downsamples` leaves less than 2x2 pixels at size {size}. "
                             f"Received: num_downsamples={num_downsamples}")
        norm = check_norm(norm)
        init = dcgan_init()

        def conv(x, filters, kernel, name, strides=1, pad=0):
            if pad:
                x = ReflectionPadding2D(pad, name=f"{name}_pad")(x)
            return layers.Conv2D(filters, kernel, strides=strides, padding="valid" if pad else "same",
                                 kernel_initializer=init, name=name)(x)

        images = keras.Input(image_shape, name="images")
        x = conv(images, base_filters, 7, "c7s1", pad=3)
        x = layers.ReLU(name="c7s1_relu")(apply_norm(x, norm, "c7s1_norm"))
        for i in range(num_downsamples):
            x = conv(x, base_filters * 2 ** (i + 1), 3, f"down{i}", strides=2)
            x = layers.ReLU(name=f"down{i}_relu")(apply_norm(x, norm, f"down{i}_norm"))
        filters = base_filters * 2**num_downsamples
        for i in range(num_blocks):
            y = conv(x, filters, 3, f"res{i}_conv1", pad=1)
            y = layers.ReLU(name=f"res{i}_relu")(apply_norm(y, norm, f"res{i}_norm1"))
            y = conv(y, filters, 3, f"res{i}_conv2", pad=1)
            y = apply_norm(y, norm, f"res{i}_norm2")
            x = layers.Add(name=f"res{i}_add")([x, y])
        for i in reversed(range(num_downsamples)):
            x = layers.Conv2DTranspose(base_filters * 2**i, 3, strides=2, padding="same", kernel_initializer=init,
                                       name=f"up{i}")(x)
            x = layers.ReLU(name=f"up{i}_relu")(apply_norm(x, norm, f"up{i}_norm"))
        x = conv(x, channels, 7, "to_image", pad=3)
        outputs = layers.Activation("tanh", dtype="float32", name="translated")(x)
        super().__init__(inputs=images, outputs=outputs, **kwargs)
        self.image_shape = image_shape
        self.base_filters = base_filters
        self.num_blocks = num_blocks
        self.num_downsamples = num_downsamples
        self.norm = norm
