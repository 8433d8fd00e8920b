"""Sub-pixel upsampling (Shi et al., 2016): a convolution to `scale**2`
times the channels, then a pixel shuffle that moves them into space."""

import keras
import tensorflow as tf

from kerasgan.utils.validation import check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class PixelShuffle(keras.layers.Layer):
    """Rearranges `[batch, H, W, C * scale**2]` into `[batch, H * scale,
    W * scale, C]` (`tf.nn.depth_to_space`, NHWC): output pixel
    `(h * scale + i, w * scale + j, c)` is input channel
    `(i * scale + j) * C + c` at `(h, w)`. It inverts
    `tf.nn.space_to_depth(x, scale)`. Any spatial size (None dims work).

    Args:
        scale: the upsampling factor (block size), an int >= 2.
    """

    def __init__(self, scale=2, **kwargs):
        super().__init__(**kwargs)
        scale = check_positive_int("scale", scale)
        if scale < 2:
            raise ValueError(f"`scale` must be >= 2. Received: scale={scale}")
        self.scale = scale

    def call(self, inputs):
        channels = inputs.shape[-1]
        if channels is not None and channels % (self.scale**2):
            raise ValueError(
                f"PixelShuffle(scale={self.scale}) needs channels divisible by {self.scale**2}. "
                f"Received inputs of shape {tuple(inputs.shape)}."
            )
        return tf.nn.depth_to_space(inputs, self.scale)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        grow = lambda d: None if d is None else d * self.scale  # noqa: E731
        return (b, grow(h), grow(w), None if c is None else c // self.scale**2)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package="kerasgan")
class SubPixelConv2D(keras.layers.Layer):
    """The convolution of a sub-pixel upsampling block, then its pixel
    shuffle: `[batch, H, W, C_in]` -> `[batch, H * scale, W * scale, filters]`
    (the convolution makes `filters * scale**2` channels in `PixelShuffle`'s
    order and a `PixelShuffle(scale)` moves them into space). Padding is
    "valid": pad the input first (the SRGAN generator replicates its border).

    `tie_phases=True` (default) removes the checkerboard artifacts of
    sub-pixel upsampling by construction (Sugawara et al., 2019, "Checkerboard
    artifacts free convolutional neural networks"): the `scale**2` kernels
    that make the `scale**2` sub-pixel phases of one output channel are
    re-parameterised to have the same sum over their spatial taps (for every
    input channel) and share one bias. A constant input then gives every
    phase the same value, so a constant image upsamples to a constant image
    (which a plain sub-pixel convolution only does at ICNR initialisation,
    Aitken et al. 2017). Only the `scale**2 - 1` per-phase DC offsets are
    lost; every other direction of the kernel is free. `tie_phases=False`
    is the plain layer (Shi et al.).

    Args:
        filters: output channels (after the shuffle).
        kernel_size: odd int, the square kernel.
        scale: upsampling factor (2 in SRGAN, applied twice for 4x).
        tie_phases: see above.
        kernel_initializer: of the `[k, k, C_in, filters * scale**2]` kernel.
    """

    def __init__(self, filters, kernel_size=3, scale=2, tie_phases=True, kernel_initializer="glorot_uniform",
                 **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int("filters", filters)
        self.kernel_size = check_positive_int("kernel_size", kernel_size)
        self.shuffle = PixelShuffle(scale, dtype=self.dtype_policy, name="shuffle")
        self.scale = self.shuffle.scale
        self.tie_phases = bool(tie_phases)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        k, phases = self.kernel_size, self.scale**2
        self.kernel = self.add_weight(name="kernel", shape=(k, k, int(input_shape[-1]), self.filters * phases),
                                      initializer=self.kernel_initializer)
        self.bias = self.add_weight(name="bias", shape=(self.filters if self.tie_phases else self.filters * phases,),
                                    initializer="zeros")

    def effective_kernel_and_bias(self):
        """The kernel and bias the convolution uses (tied when `tie_phases`)."""
        kernel, bias = self.kernel, self.bias
        if not self.tie_phases:
            return kernel, bias
        k, phases = self.kernel_size, self.scale**2
        shape = tf.shape(kernel)
        split = tf.reshape(kernel, [k, k, shape[2], phases, self.filters])  # phase-major, as depth_to_space
        dc = tf.reduce_sum(split, axis=[0, 1], keepdims=True)
        split = split + (tf.reduce_mean(dc, axis=3, keepdims=True) - dc) / float(k * k)
        return tf.reshape(split, shape), tf.tile(bias, [phases])

    def call(self, inputs):
        kernel, bias = self.effective_kernel_and_bias()
        kernel = tf.cast(kernel, inputs.dtype)
        x = tf.nn.conv2d(inputs, kernel, strides=1, padding="VALID") + tf.cast(bias, inputs.dtype)
        return self.shuffle(x)

    def compute_output_shape(self, input_shape):
        b, h, w, _ = input_shape
        grow = lambda d: None if d is None else (d - self.kernel_size + 1) * self.scale  # noqa: E731
        return (b, grow(h), grow(w), self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "scale": self.scale, "tie_phases": self.tie_phases,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}
