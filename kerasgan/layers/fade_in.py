import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class FadeIn(keras.layers.Layer):
    """Blends the old and the new path of a growing network (ProGAN).

    Formula: y = (1 - alpha) * old + alpha * new

    Called on `[old, new, alpha]` with `old` and `new` of the same shape
    `[batch, ...]` and `alpha` of shape `[batch]` (one value per example, in
    practice the model's `alpha` variable broadcast over the batch). At
    alpha = 0 the output is exactly `old`, at alpha = 1 exactly `new`.
    """

    def call(self, inputs):
        old, new, alpha = inputs
        alpha = ops.cast(alpha, old.dtype)
        alpha = ops.reshape(alpha, (-1,) + (1,) * (len(old.shape) - 1))
        return (1.0 - alpha) * old + alpha * new

    def compute_output_shape(self, input_shape):
        return input_shape[0]
