"""Style-based generator layers (Karras et al., StyleGAN 2019 and StyleGAN2 2020).

Every layer here takes the per-layer styles as `ws [batch, num_ws, w_dim]`
(one intermediate latent w per synthesis layer; equal rows unless styles
are mixed) and reads its own row `w_index`, so a synthesis network is a
plain functional graph and style mixing / truncation only change `ws`.

- `LearnedConstant`: the 4x4 learned input of the synthesis network.
- `NoiseInjection`: per-pixel Gaussian noise with a learned per-channel scale.
- `AdaIN`: instance norm, then a per-channel scale and bias from w (StyleGAN).
- `ModulatedConv2D`: a convolution whose input channels are scaled by a style
  from w, optionally demodulated (StyleGAN2 weight demodulation).
- `StyleMixing`: per-layer choice between two w's (style-mixing regularisation
  and `mix_styles`).
- `Truncation`: the truncation trick in W, and the running average of w.
- `ScaledLeakyReLU`: LeakyReLU with StyleGAN2's sqrt(2) gain.

Weights are equalized (scaled at run time by He's constant, as in
`kerasgan.layers.EqualizedDense`); computations run in float32 where they
normalise.
"""

import math

import keras
from keras import ops

from kerasgan import distribute


def _check_index(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"`w_index` must be an int >= 0. Received: w_index={value!r}")
    return value


def _check_ws(ws_shape, w_index, layer):
    if len(ws_shape) != 3 or ws_shape[-1] is None:
        raise ValueError(
            f"{layer} expects styles `ws` of shape [batch, num_ws, w_dim]. "
            f"Received shape: {ws_shape}"
        )
    if ws_shape[1] is not None and w_index >= ws_shape[1]:
        raise ValueError(
            f"{layer} reads style {w_index}, but `ws` holds {ws_shape[1]} styles."
        )


class _StyleAffine:
    """The learned affine map A: w -> style (one value per channel), equalized
    with gain 1 and a bias initialised to `bias_init` (1 for a scale)."""

    def build_affine(self, w_dim, units, bias_init, name):
        kernel = self.add_weight(
            name=f"{name}_kernel", shape=(w_dim, units), initializer=keras.initializers.RandomNormal(0.0, 1.0)
        )
        bias = self.add_weight(
            name=f"{name}_bias", shape=(units,), initializer=keras.initializers.Constant(bias_init)
        )
        return kernel, bias, 1.0 / math.sqrt(w_dim)

    @staticmethod
    def affine(w, kernel, bias, scale):
        # float32 whatever the dtype policy (under mixed precision Keras
        # hands variables to `call` in the compute dtype).
        w = ops.cast(w, "float32")
        return ops.matmul(w, ops.cast(kernel, "float32") * scale) + ops.cast(bias, "float32")


@keras.saving.register_keras_serializable(package="kerasgan")
class LearnedConstant(keras.layers.Layer):
    """The learned constant input `[batch, size, size, filters]` (StyleGAN).

    Called on any tensor whose first dimension is the batch (the styles
    `ws`); the constant is broadcast to that batch. It is initialised
    N(0, 1), as in StyleGAN2 (StyleGAN used ones: a spatially constant input
    whose convolutions vary only at the borders until the constant has
    learned structure).
    """

    def __init__(self, size=4, filters=512, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("size", size), ("filters", filters)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
        self.size = size
        self.filters = filters

    def build(self, input_shape):
        self.const = self.add_weight(
            name="const",
            shape=(1, self.size, self.size, self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
        )

    def call(self, inputs):
        batch = ops.shape(inputs)[0]
        const = ops.cast(self.const, self.compute_dtype)
        return ops.broadcast_to(const, (batch, self.size, self.size, self.filters))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(size=self.size, filters=self.filters)
        return config


@keras.saving.register_keras_serializable(package="kerasgan")
class NoiseInjection(keras.layers.Layer):
    """Adds per-pixel noise with a learned per-channel strength (StyleGAN).

    Formula: y = x + strength[c] * noise[b, h, w], with `strength`
    initialised to 0 and

        noise = mode * N(0, 1) + (1 - mode) * const_noise

    where `mode` (the second input, `[batch]`) is 1 for fresh random noise
    (training, `noise_mode="random"`) and 0 for the layer's fixed noise map
    (`noise_mode="const"`: the same image for the same w, as StyleGAN2's
    generator uses by default). The fixed map is a non-trainable weight drawn
    N(0, 1) at build time and saved with the model. Random noise comes from a
    replica-aware seed generator, so replicas draw different noise.
    """

    def build(self, input_shape):
        x_shape = input_shape[0]
        if len(x_shape) != 4 or None in x_shape[1:]:
            raise ValueError(
                f"NoiseInjection expects [batch, H, W, C] inputs with known H, W, C. "
                f"Received shape: {x_shape}"
            )
        _, height, width, channels = x_shape
        self.strength = self.add_weight(name="strength", shape=(channels,), initializer="zeros")
        self.const_noise = self.add_weight(
            name="const_noise",
            shape=(1, height, width, 1),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
            trainable=False,
        )
        self.seed_generator = distribute.ReplicaSeedGenerator(name=f"{self.name}_seed")

    def call(self, inputs):
        x, mode = inputs
        batch = ops.shape(x)[0]
        height, width = x.shape[1], x.shape[2]
        random = keras.random.normal((batch, height, width, 1), seed=self.seed_generator)
        mode = ops.reshape(ops.cast(mode, "float32"), (-1, 1, 1, 1))
        noise = mode * ops.cast(random, "float32") + (1.0 - mode) * ops.cast(self.const_noise, "float32")
        strength = ops.reshape(ops.cast(self.strength, "float32"), (1, 1, 1, -1))
        return x + ops.cast(noise * strength, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable(package="kerasgan")
class ScaledLeakyReLU(keras.layers.Layer):
    """LeakyReLU followed by a constant gain (StyleGAN2's `lrelu` with gain
    sqrt(2)): keeps unit-variance activations at unit variance, which the
    next layer's weight demodulation assumes (it normalises the weights, not
    the activations)."""

    def __init__(self, negative_slope=0.2, gain=math.sqrt(2.0), **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = float(negative_slope)
        self.gain = float(gain)

    def call(self, inputs):
        return ops.leaky_relu(inputs, self.negative_slope) * ops.cast(self.gain, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(negative_slope=self.negative_slope, gain=self.gain)
        return config


@keras.saving.register_keras_serializable(package="kerasgan")
class AdaIN(keras.layers.Layer, _StyleAffine):
    """Adaptive instance normalisation with a style from w (StyleGAN).

    Formula: y = (x - mean_hw(x)) / sqrt(var_hw(x) + epsilon) * (1 + s) + b,
    with `[s, b] = A(ws[:, w_index])`, A an equalized dense map (gain 1, zero
    bias). Called on `[x, ws]`.

    Args:
        w_index: which style row this layer reads.
        epsilon: added to the variance.
    """

    def __init__(self, w_index, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.w_index = _check_index(w_index)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        x_shape, ws_shape = input_shape
        _check_ws(ws_shape, self.w_index, "AdaIN")
        channels = x_shape[-1]
        self.affine_kernel, self.affine_bias, self.affine_scale = self.build_affine(
            ws_shape[-1], 2 * channels, 0.0, "style"
        )

    def call(self, inputs):
        x, ws = inputs
        style = self.affine(ws[:, self.w_index], self.affine_kernel, self.affine_bias, self.affine_scale)
        scale, bias = ops.split(style, 2, axis=-1)
        h = ops.cast(x, "float32")
        mean = ops.mean(h, axis=(1, 2), keepdims=True)
        var = ops.mean(ops.square(h - mean), axis=(1, 2), keepdims=True)
        h = (h - mean) * ops.rsqrt(var + self.epsilon)
        h = h * (1.0 + scale[:, None, None, :]) + bias[:, None, None, :]
        return ops.cast(h, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(w_index=self.w_index, epsilon=self.epsilon)
        return config


@keras.saving.register_keras_serializable(package="kerasgan")
class ModulatedConv2D(keras.layers.Layer, _StyleAffine):
    """Modulated (and demodulated) convolution (StyleGAN2, Karras et al. 2020).

    With `s = A(ws[:, w_index])` (one scale per input channel, bias
    initialised to 1) and the equalized kernel `k`:

        k'[b] = k * s[b, cin]                       (modulation)
        k''[b] = k'[b] / sqrt(sum_{kh,kw,cin} k'[b]^2 + epsilon)   (demodulation)
        y[b] = conv(x[b], k''[b]) + bias

    computed without per-sample kernels (StyleGAN2's non-fused form): the
    input is scaled by `s`, convolved with the shared kernel, and the output
    scaled by the demodulation coefficients, which is the same linear map.
    Called on `[x, ws]`, "same" padding, stride 1.

    Args:
        filters: output channels.
        kernel_size: an odd int.
        w_index: which style row this layer reads.
        demodulate: divide by the norm of each output channel's modulated
            kernel (False for toRGB layers).
        gain: He gain of the equalized kernel.
    """

    def __init__(self, filters, kernel_size, w_index, demodulate=True, gain=math.sqrt(2.0), epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if isinstance(filters, bool) or not isinstance(filters, int) or filters < 1:
            raise ValueError(f"`filters` must be a positive integer. Received: filters={filters!r}")
        if isinstance(kernel_size, bool) or not isinstance(kernel_size, int) or kernel_size < 1:
            raise ValueError(
                f"`kernel_size` must be a positive integer. Received: kernel_size={kernel_size!r}"
            )
        self.filters = filters
        self.kernel_size = kernel_size
        self.w_index = _check_index(w_index)
        self.demodulate = bool(demodulate)
        self.gain = float(gain)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        x_shape, ws_shape = input_shape
        _check_ws(ws_shape, self.w_index, "ModulatedConv2D")
        in_channels = x_shape[-1]
        k = self.kernel_size
        self.kernel = self.add_weight(
            name="kernel",
            shape=(k, k, in_channels, self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")
        self.scale = self.gain / math.sqrt(k * k * in_channels)
        self.affine_kernel, self.affine_bias, self.affine_scale = self.build_affine(
            ws_shape[-1], in_channels, 1.0, "style"
        )

    def styles(self, ws):
        """The per-sample input-channel scales `s`, `[batch, in_channels]`."""
        return self.affine(ws[:, self.w_index], self.affine_kernel, self.affine_bias, self.affine_scale)

    def call(self, inputs):
        x, ws = inputs
        # Styles and demodulation coefficients in float32; the convolution
        # itself in the compute dtype (bfloat16 / float16 under mixed precision).
        s = self.styles(ws)
        kernel = ops.cast(self.kernel, "float32") * self.scale
        h = x * ops.cast(s[:, None, None, :], x.dtype)
        h = ops.conv(h, ops.cast(kernel, x.dtype), padding="same", data_format="channels_last")
        if self.demodulate:
            # sum_{kh,kw,cin} (k * s)^2 = s^2 @ sum_{kh,kw} k^2   -> [batch, filters]
            energy = ops.matmul(ops.square(s), ops.sum(ops.square(kernel), axis=(0, 1)))
            h = h * ops.cast(ops.rsqrt(energy + self.epsilon)[:, None, None, :], h.dtype)
        return h + ops.cast(self.bias, h.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            w_index=self.w_index,
            demodulate=self.demodulate,
            gain=self.gain,
            epsilon=self.epsilon,
        )
        return config


@keras.saving.register_keras_serializable(package="kerasgan")
class StyleMixing(keras.layers.Layer):
    """Builds the per-layer styles from two w's.

    Called on `[w, w_mix, mix]` with `w`, `w_mix` of shape `[batch, w_dim]`
    and `mix` `[batch, num_ws]` (1 where the layer takes `w_mix`, 0 where it
    takes `w`); returns `ws [batch, num_ws, w_dim]`. With `mix` all zero
    every layer gets `w` (no mixing). Style mixing with crossover c is
    `mix[:, l] = (l >= c)`.
    """

    def call(self, inputs):
        w, w_mix, mix = inputs
        mix = ops.cast(mix, w.dtype)[:, :, None]
        return (1.0 - mix) * w[:, None, :] + mix * w_mix[:, None, :]

    def compute_output_shape(self, input_shape):
        w_shape, _, mix_shape = input_shape
        return (w_shape[0], mix_shape[1], w_shape[-1])


@keras.saving.register_keras_serializable(package="kerasgan")
class Truncation(keras.layers.Layer):
    """The truncation trick in W and the running average of w (StyleGAN).

    Called on `[ws, psi, w]`: `ws [batch, num_ws, w_dim]` the styles,
    `psi [batch, num_ws]` the truncation per layer (1 = none; the cutoff of
    StyleGAN's `truncation_cutoff` is psi = 1 from that layer on) and `w
    [batch, w_dim]` the unmixed w of the batch. Returns

        ws_avg + psi * (ws - w_avg)

    so psi = 0 gives every sample the average w. In training
    (`training=True`) `w_avg` (a non-trainable weight, saved with the model,
    copied to the EMA generator) follows the batch mean of `w`:

        w_avg <- mean(w) + beta * (w_avg - mean(w))

    Args:
        beta: decay of the running average (0.995 in StyleGAN).
    """

    def __init__(self, beta=0.995, **kwargs):
        super().__init__(**kwargs)
        beta = float(beta)
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"`beta` must be in [0, 1). Received: beta={beta}")
        self.beta = beta

    def build(self, input_shape):
        w_dim = input_shape[0][-1]
        self.w_avg = self.add_weight(name="w_avg", shape=(w_dim,), initializer="zeros", trainable=False)

    def call(self, inputs, training=False):
        ws, psi, w = inputs
        w_avg = ops.cast(self.w_avg, "float32")
        if training:
            batch_mean = ops.mean(ops.cast(w, "float32"), axis=0)
            self.w_avg.assign(batch_mean + self.beta * (self.w_avg - batch_mean))
            w_avg = ops.stop_gradient(ops.convert_to_tensor(self.w_avg))
        psi = ops.cast(psi, ws.dtype)[:, :, None]
        w_avg = ops.cast(w_avg, ws.dtype)
        return w_avg + psi * (ws - w_avg)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(beta=self.beta)
        return config
