import keras
from keras import ops

from kerasgan.layers.spectral_norm import spectral_norm


@keras.saving.register_keras_serializable(package="kerasgan")
class ProjectionDiscriminatorHead(keras.layers.Layer):
    """The output of a projection discriminator (Miyato & Koyama, 2018).

    Formula: logit = psi(phi) + <embed(y), phi>, phi the pooled features
    `[batch, D]`, psi a linear map to one logit, embed a `num_classes x D`
    class embedding. Unconditional (`num_classes=None`, input `phi` alone):
    `logit = psi(phi)`. Logits are unbounded reals, `[batch, 1]`.

    Args:
        num_classes: classes of the labels (None: unconditional).
        spectral_norm: spectrally normalise psi and the embedding (SAGAN,
            BigGAN).

    Inputs: `[phi, labels]` (labels int `[batch]`) or `phi`.
    `projection(phi, labels)` returns the class term `<embed(y), phi>` alone.
    """

    def __init__(self, num_classes=None, spectral_norm=True, **kwargs):
        super().__init__(**kwargs)
        if num_classes is not None and (isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1):
            raise ValueError(f"`num_classes` must be a positive int or None. Received: num_classes={num_classes!r}")
        self.num_classes = num_classes
        self.spectral_norm = bool(spectral_norm)

    def build(self, input_shape):
        conditioned = self.num_classes is not None
        phi_shape = tuple(input_shape[0]) if conditioned else tuple(input_shape)
        if len(phi_shape) != 2 or phi_shape[-1] is None:
            raise ValueError(f"The head takes pooled features [batch, D]. Received: input_shape={input_shape}")
        self.linear = spectral_norm(keras.layers.Dense(1, name="linear"), self.spectral_norm)
        self.linear.build(phi_shape)
        if conditioned:
            # The class embedding is a bias-free dense map of one-hot labels
            # (its kernel is the `num_classes x D` embedding matrix): Keras'
            # SpectralNormalization casts a wrapped layer's output to the
            # input's dtype, which for an `Embedding` on int labels is int.
            self.embedding = spectral_norm(
                keras.layers.Dense(phi_shape[-1], use_bias=False, name="class_embedding"), self.spectral_norm
            )
            self.embedding.build((None, self.num_classes))

    def projection(self, phi, labels, training=None):
        """`<embed(y), phi>` per example, `[batch, 1]`."""
        one_hot = ops.one_hot(ops.reshape(ops.cast(labels, "int32"), (-1,)), self.num_classes, dtype=phi.dtype)
        embedded = self.embedding(one_hot, training=training)
        return ops.sum(ops.cast(embedded, phi.dtype) * phi, axis=-1, keepdims=True)

    def call(self, inputs, training=None):
        if self.num_classes is None:
            return self.linear(inputs, training=training)
        phi, labels = inputs
        return self.linear(phi, training=training) + self.projection(phi, labels, training)

    def compute_output_shape(self, input_shape):
        phi_shape = input_shape[0] if self.num_classes is not None else input_shape
        return (phi_shape[0], 1)

    def get_config(self):
        config = super().get_config()
        config.update(num_classes=self.num_classes, spectral_norm=self.spectral_norm)
        return config
