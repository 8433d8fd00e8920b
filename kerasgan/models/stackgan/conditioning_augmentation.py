"""StackGAN's conditioning augmentation (Zhang et al., 2017, section 3.1)."""

import keras
from keras import layers

from kerasgan.utils.validation import check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class ConditioningAugmentation(layers.Layer):
    """Text embedding -> a sampled condition, `[embedding, eps] -> [c, mu, log_sigma]`.

    A dense layer maps the embedding to `(mu, log sigma)` (linear, each
    `condition_dim` wide) and the condition is drawn by reparameterisation:

    Formula: c = mu + exp(log_sigma) * eps, eps ~ N(0, I).

    `eps` is an input (the model draws it from its seed generator), so the
    layer is deterministic given its inputs: `generate(seed=...)`, export and
    replicas reproduce it. The generator objective adds
    `KL(N(mu, sigma^2) || N(0, I))` (`kerasgan.engine.terms.KL` on `mu` and
    `log_sigma`), which keeps the condition manifold smooth. With `eps = 0`
    the condition is `mu`.

    Args:
        condition_dim: size of c (N_g, 128 in the paper).
    """

    def __init__(self, condition_dim, **kwargs):
        super().__init__(**kwargs)
        self.condition_dim = check_positive_int("condition_dim", condition_dim)
        self.statistics = layers.Dense(2 * self.condition_dim, name="mu_log_sigma")

    def build(self, input_shape):
        self.statistics.build(input_shape[0])

    def call(self, inputs):
        embedding, eps = inputs
        stats = keras.ops.cast(self.statistics(embedding), "float32")
        mu, log_sigma = stats[:, : self.condition_dim], stats[:, self.condition_dim :]
        c = mu + keras.ops.exp(log_sigma) * keras.ops.cast(eps, "float32")
        return [c, mu, log_sigma]

    def compute_output_shape(self, input_shape):
        shape = (input_shape[0][0], self.condition_dim)
        return [shape, shape, shape]

    def get_config(self):
        return {**super().get_config(), "condition_dim": self.condition_dim}
