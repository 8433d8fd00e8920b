"""Equalized learning-rate layers (Karras et al., 2018, ProGAN section 4.1).

The stored weights are drawn from N(0, 1) (N(0, 1 / lr_multiplier^2) with a
learning-rate multiplier) and scaled at *run time* by He's constant

    scale = gain / sqrt(fan_in) * lr_multiplier

so that every weight gets the same dynamic range and therefore the same
effective learning rate under Adam (whose update size does not depend on the
gradient's scale). The bias is zero-initialised and multiplied by
`lr_multiplier` (StyleGAN's mapping network uses `lr_multiplier=0.01`).
"""

import math

import keras
from keras import ops

_PADDINGS = ("same", "valid")


def _check_positive_float(name, value):
    value = float(value)
    if not value > 0.0 or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a positive number. Received: {name}={value}")
    return value


@keras.saving.register_keras_serializable(package="kerasgan")
class EqualizedDense(keras.layers.Layer):
    """A dense layer with an equalized learning rate (ProGAN).

    Formula: y = x @ (w * gain / sqrt(fan_in) * lr_multiplier) + b * lr_multiplier,
    with w initialised N(0, 1 / lr_multiplier^2), b initialised 0 and
    fan_in = the input's last dimension.

    Args:
        units: output size.
        gain: numerator of He's constant (sqrt(2) before a (leaky) ReLU, 1
            before a linear output).
        lr_multiplier: learning-rate multiplier (1: plain equalized LR).
        use_bias: whether to add a bias.
    """

    def __init__(self, units, gain=math.sqrt(2.0), lr_multiplier=1.0, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"`units` must be a positive integer. Received: units={units!r}")
        self.units = units
        self.gain = _check_positive_float("gain", gain)
        self.lr_multiplier = _check_positive_float("lr_multiplier", lr_multiplier)
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        fan_in = input_shape[-1]
        if fan_in is None:
            raise ValueError(
                f"EqualizedDense needs a known last input dimension. Received shape: {input_shape}"
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_multiplier),
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
            if self.use_bias
            else None
        )
        self.scale = self.gain / math.sqrt(fan_in) * self.lr_multiplier

    def effective_kernel(self):
        """The kernel actually applied: stored kernel * gain / sqrt(fan_in) * lr_multiplier."""
        return self.kernel * self.scale

    def call(self, inputs):
        outputs = ops.matmul(inputs, ops.cast(self.effective_kernel(), inputs.dtype))
        if self.bias is not None:
            outputs = outputs + ops.cast(self.bias * self.lr_multiplier, outputs.dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, gain=self.gain, lr_multiplier=self.lr_multiplier, use_bias=self.use_bias
        )
        return config


@keras.saving.register_keras_serializable(package="kerasgan")
class EqualizedConv2D(keras.layers.Layer):
    """A 2-D convolution with an equalized learning rate (ProGAN), channels last.

    Formula: y = conv(x, w * gain / sqrt(fan_in) * lr_multiplier) + b * lr_multiplier,
    with w initialised N(0, 1 / lr_multiplier^2), b initialised 0 and
    fan_in = kernel_height * kernel_width * input_channels.

    Args:
        filters: output channels.
        kernel_size: int or `(height, width)`.
        strides: int or `(height, width)`.
        padding: `"same"` or `"valid"`.
        gain, lr_multiplier, use_bias: see `EqualizedDense`.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="same",
        gain=math.sqrt(2.0),
        lr_multiplier=1.0,
        use_bias=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(filters, bool) or not isinstance(filters, int) or filters < 1:
            raise ValueError(f"`filters` must be a positive integer. Received: filters={filters!r}")
        self.filters = filters
        self.kernel_size = self._pair("kernel_size", kernel_size)
        self.strides = self._pair("strides", strides)
        if padding not in _PADDINGS:
            raise ValueError(f"`padding` must be one of {_PADDINGS}. Received: padding={padding!r}")
        self.padding = padding
        self.gain = _check_positive_float("gain", gain)
        self.lr_multiplier = _check_positive_float("lr_multiplier", lr_multiplier)
        self.use_bias = bool(use_bias)

    @staticmethod
    def _pair(name, value):
        pair = (value, value) if isinstance(value, int) else tuple(value)
        if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in pair):
            raise ValueError(f"`{name}` must be a positive int or a pair. Received: {name}={value!r}")
        return pair

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                "EqualizedConv2D expects [batch, H, W, C] inputs with known C. "
                f"Received shape: {input_shape}"
            )
        in_channels = input_shape[-1]
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (in_channels, self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_multiplier),
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")
            if self.use_bias
            else None
        )
        fan_in = self.kernel_size[0] * self.kernel_size[1] * in_channels
        self.scale = self.gain / math.sqrt(fan_in) * self.lr_multiplier

    def effective_kernel(self):
        """The kernel actually applied: stored kernel * gain / sqrt(fan_in) * lr_multiplier."""
        return self.kernel * self.scale

    def call(self, inputs):
        outputs = ops.conv(
            inputs,
            ops.cast(self.effective_kernel(), inputs.dtype),
            strides=self.strides,
            padding=self.padding,
            data_format="channels_last",
        )
        if self.bias is not None:
            outputs = outputs + ops.cast(self.bias * self.lr_multiplier, outputs.dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape
        size = []
        for dim, k, s in zip((height, width), self.kernel_size, self.strides):
            if dim is None:
                size.append(None)
            elif self.padding == "same":
                size.append(-(-dim // s))
            else:
                size.append((dim - k) // s + 1)
        return (batch, size[0], size[1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            strides=self.strides,
            padding=self.padding,
            gain=self.gain,
            lr_multiplier=self.lr_multiplier,
            use_bias=self.use_bias,
        )
        return config
