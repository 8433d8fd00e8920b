import contextlib

import keras
import tensorflow as tf
from keras import ops

from kerasgan.layers.spectral_norm import spectral_norm


@keras.saving.register_keras_serializable(package="kerasgan")
class ConditionalBatchNormalization(keras.layers.Layer):
    """Batch normalisation whose gain and bias depend on a condition (de
    Vries et al., 2017; SAGAN's and BigGAN's generators).

    Formula: y = (x - mean) / sqrt(var + epsilon) * gain(c) + bias(c), mean
    and var over every axis but the last (batch statistics in training, the
    moving averages in inference).

    Three modes, by the constructor and the inputs:

    - class-conditional (`num_classes=K`, inputs `[x, labels]`, labels int
      `[batch]`): gain and bias are rows of two `K x C` embeddings (gains
      initialised to 1, biases to 0), so each class has its own (SAGAN);
    - vector-conditional (`num_classes=None`, inputs `[x, c]`, c float
      `[batch, D]`): gain = 1 + c W_g, bias = c W_b, two bias-free linear maps
      (BigGAN feeds c = [z_chunk, shared class embedding]); with
      `spectral_norm=True` they are spectrally normalised and orthogonally
      initialised as in BigGAN (a zero kernel under spectral norm and
      float16 gives sigma = 0 after the first small update, hence NaN),
      otherwise initialised to 0 (the layer starts as plain batch norm);
    - unconditional (inputs `x` alone): a learned gain and bias vector, i.e.
      plain batch norm.

    The moving statistics are this layer's own (`moving_mean`,
    `moving_variance`), so `standing_statistics(layers)` can re-estimate
    them (BigGAN's "standing statistics") without putting the rest of the
    network in training mode.

    Args:
        num_classes: classes of the class-conditional mode (None otherwise).
        momentum, epsilon: as in `keras.layers.BatchNormalization`.
        spectral_norm: spectral norm on the vector mode's linear maps.
        synchronized: under a distribution strategy with several replicas,
            all-reduce the batch statistics over the global batch (as
            `keras.layers.BatchNormalization(synchronized=True)`), so N
            replicas normalise like one device. Note:
            `kerasgan.distribute.synchronize_batch_norm` flips Keras' own
            batch norm only; set this attribute on these layers.
    """

    def __init__(self, num_classes=None, momentum=0.99, epsilon=1e-5, spectral_norm=False, synchronized=False,
                 **kwargs):
        super().__init__(**kwargs)
        if num_classes is not None and (isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1):
            raise ValueError(f"`num_classes` must be a positive int or None. Received: num_classes={num_classes!r}")
        momentum = float(momentum)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"`momentum` must be in [0, 1). Received: momentum={momentum}")
        self.num_classes = num_classes
        self.momentum = momentum
        self.epsilon = float(epsilon)
        self.spectral_norm = bool(spectral_norm)
        self.synchronized = bool(synchronized)
        self._standing = None  # (count variable) while re-estimating statistics

    def build(self, input_shape):
        conditioned = isinstance(input_shape, (list, tuple)) and len(input_shape) == 2 and isinstance(
            input_shape[0], (list, tuple)
        )
        x_shape = tuple(input_shape[0]) if conditioned else tuple(input_shape)
        channels = x_shape[-1]
        if channels is None:
            raise ValueError(f"ConditionalBatchNormalization needs a known channel count. Received: input_shape={input_shape}")
        self.channels = int(channels)
        self.conditioned = conditioned
        self.moving_mean = self.add_weight(
            shape=(channels,), initializer="zeros", trainable=False, name="moving_mean", autocast=False
        )
        self.moving_variance = self.add_weight(
            shape=(channels,), initializer="ones", trainable=False, name="moving_variance", autocast=False
        )
        if not conditioned:
            self.gain = self.add_weight(shape=(channels,), initializer="ones", name="gain")
            self.bias = self.add_weight(shape=(channels,), initializer="zeros", name="bias")
        elif self.num_classes is not None:
            self.gain_embedding = self.add_weight(
                shape=(self.num_classes, channels), initializer="ones", name="gain_embedding"
            )
            self.bias_embedding = self.add_weight(
                shape=(self.num_classes, channels), initializer="zeros", name="bias_embedding"
            )
        else:
            cond_shape = tuple(input_shape[1])
            if len(cond_shape) != 2 or cond_shape[-1] is None:
                raise ValueError(
                    "The vector-conditional mode takes a condition [batch, D] with a known D. "
                    f"Received: condition shape {cond_shape}"
                )
            init = "orthogonal" if self.spectral_norm else "zeros"
            self.gain_projection = spectral_norm(
                keras.layers.Dense(channels, use_bias=False, kernel_initializer=init, name="gain_projection"),
                self.spectral_norm,
            )
            self.bias_projection = spectral_norm(
                keras.layers.Dense(channels, use_bias=False, kernel_initializer=init, name="bias_projection"),
                self.spectral_norm,
            )
            self.gain_projection.build(cond_shape)
            self.bias_projection.build(cond_shape)

    def gain_and_bias(self, condition=None, training=None):
        """The gain and bias `[batch, C]` (or `[C]` unconditioned)."""
        if not self.conditioned:
            return self.gain, self.bias
        if self.num_classes is not None:
            labels = ops.reshape(ops.cast(condition, "int32"), (-1,))
            return ops.take(self.gain_embedding, labels, axis=0), ops.take(self.bias_embedding, labels, axis=0)
        condition = ops.cast(condition, self.compute_dtype)
        gain = 1.0 + self.gain_projection(condition, training=training)
        return gain, self.bias_projection(condition, training=training)

    def call(self, inputs, training=None):
        if self.conditioned:
            x, condition = inputs
        else:
            x, condition = inputs, None
        axes = list(range(len(x.shape) - 1))
        x32 = ops.cast(x, "float32")
        if training or self._standing is not None:
            mean, variance = self._moments(x32, axes)
            if self._standing is not None:
                # Cumulative average over the standing-statistics passes.
                n = self._standing
                self.moving_mean.assign(self.moving_mean + (mean - self.moving_mean) / (n + 1.0))
                self.moving_variance.assign(self.moving_variance + (variance - self.moving_variance) / (n + 1.0))
            else:
                m = self.momentum
                self.moving_mean.assign(m * self.moving_mean + (1.0 - m) * mean)
                self.moving_variance.assign(m * self.moving_variance + (1.0 - m) * variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        normalized = (x32 - mean) * ops.rsqrt(variance + self.epsilon)
        gain, bias = self.gain_and_bias(condition, training)
        gain, bias = ops.cast(gain, "float32"), ops.cast(bias, "float32")
        if self.conditioned:
            expand = (-1,) + (1,) * (len(x.shape) - 2) + (self.channels,)
            gain, bias = ops.reshape(gain, expand), ops.reshape(bias, expand)
        return ops.cast(normalized * gain + bias, x.dtype)

    def _moments(self, x, axes):
        context = tf.distribute.get_replica_context() if self.synchronized else None
        if context is None or context.num_replicas_in_sync == 1:
            return ops.moments(x, axes=axes)
        count = tf.cast(tf.reduce_prod(tf.gather(tf.shape(x), axes)), tf.float32)
        total, total_sq, count = context.all_reduce(
            "SUM", [tf.reduce_sum(x, axis=axes), tf.reduce_sum(tf.square(x), axis=axes), count]
        )
        mean = total / count
        return mean, tf.maximum(total_sq / count - tf.square(mean), 0.0)

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, (list, tuple)) and len(input_shape) == 2 and isinstance(input_shape[0], (list, tuple)):
            return tuple(input_shape[0])
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(num_classes=self.num_classes, momentum=self.momentum, epsilon=self.epsilon,
                      spectral_norm=self.spectral_norm, synchronized=self.synchronized)
        return config


@contextlib.contextmanager
def standing_statistics(layers):
    """Within the block, every `ConditionalBatchNormalization` in `layers`
    normalises with batch statistics and accumulates their running mean
    into its moving statistics (reset on entry), whatever `training` says.
    Call the network eagerly inside it, once per batch; each call is one
    pass (`record_pass()` is called by the returned object's `step`)."""
    layers = [l for l in layers if isinstance(l, ConditionalBatchNormalization)]
    for layer in layers:
        layer.moving_mean.assign(ops.zeros_like(layer.moving_mean))
        layer.moving_variance.assign(ops.zeros_like(layer.moving_variance))

    class Passes:
        count = 0

        def step(self):
            self.count += 1
            for layer in layers:
                layer._standing = float(self.count)

    passes = Passes()
    for layer in layers:
        layer._standing = 0.0
    try:
        yield passes
    finally:
        for layer in layers:
            layer._standing = None
