import keras
from keras import ops

from kerasgan.layers.spectral_norm import spectral_norm


@keras.saving.register_keras_serializable(package="kerasgan")
class SelfAttention(keras.layers.Layer):
    """Self-attention over the positions of a feature map (SAGAN, Zhang et
    al., 2019).

    For `x` of shape `[batch, H, W, C]` with N = H * W positions:

    Formula: q = f(x), k = g(x) (1x1 convolutions to C/8 channels), v = h(x)
    (1x1 convolution to C/2), beta = softmax_j(q_i . k_j) (each query's
    weights over the N key positions sum to 1), o = v_o(beta v) (1x1
    convolution back to C), y = x + gamma * o, gamma a learned scalar
    initialised to 0 (so the layer starts as the identity and the network
    learns how much to rely on non-local evidence).

    Args:
        spectral_norm: wrap the four 1x1 convolutions in Keras'
            `SpectralNormalization` (SAGAN does, in G and D).
        key_ratio: C / channels of query and key (8).
        value_ratio: C / channels of the value (2).

    `attention_map(x)` returns beta, `[batch, N, N]` (row i: where query
    position i looks; positions in row-major order, i = row * W + col), for
    pictures.
    """

    def __init__(self, spectral_norm=True, key_ratio=8, value_ratio=2, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("key_ratio", key_ratio), ("value_ratio", value_ratio)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be a positive int. Received: {name}={value!r}")
        self.spectral_norm = bool(spectral_norm)
        self.key_ratio = key_ratio
        self.value_ratio = value_ratio

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                f"SelfAttention takes feature maps [batch, H, W, C] with a known C. Received: input_shape={input_shape}"
            )
        channels = int(input_shape[-1])
        self.key_channels = max(1, channels // self.key_ratio)
        self.value_channels = max(1, channels // self.value_ratio)

        def conv(filters, name):
            layer = keras.layers.Conv2D(
                filters, 1, use_bias=False, kernel_initializer="glorot_uniform", dtype=self.dtype_policy, name=name
            )
            return spectral_norm(layer, self.spectral_norm)

        self.query = conv(self.key_channels, "query")
        self.key = conv(self.key_channels, "key")
        self.value = conv(self.value_channels, "value")
        self.out = conv(channels, "out")
        self.query.build(input_shape)
        self.key.build(input_shape)
        self.value.build(input_shape)
        self.out.build(tuple(input_shape[:-1]) + (self.value_channels,))
        self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")

    def _attend(self, inputs, training):
        shape = ops.shape(inputs)
        batch, n = shape[0], shape[1] * shape[2]
        q = ops.reshape(self.query(inputs, training=training), (batch, n, self.key_channels))
        k = ops.reshape(self.key(inputs, training=training), (batch, n, self.key_channels))
        v = ops.reshape(self.value(inputs, training=training), (batch, n, self.value_channels))
        logits = ops.matmul(ops.cast(q, "float32"), ops.transpose(ops.cast(k, "float32"), (0, 2, 1)))
        beta = ops.softmax(logits, axis=-1)  # [batch, queries, keys]
        attended = ops.matmul(ops.cast(beta, v.dtype), v)
        attended = ops.reshape(attended, (shape[0], shape[1], shape[2], self.value_channels))
        return beta, attended

    def call(self, inputs, training=None):
        _, attended = self._attend(inputs, training)
        o = self.out(attended, training=training)
        return inputs + ops.cast(self.gamma, inputs.dtype) * ops.cast(o, inputs.dtype)

    def attention_map(self, inputs):
        """The attention weights `[batch, N, N]` (float32; rows sum to 1)."""
        beta, _ = self._attend(ops.convert_to_tensor(inputs), False)
        return beta

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(spectral_norm=self.spectral_norm, key_ratio=self.key_ratio, value_ratio=self.value_ratio)
        return config
