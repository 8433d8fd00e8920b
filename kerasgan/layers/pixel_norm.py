import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class PixelNorm(keras.layers.Layer):
    """Pixelwise feature-vector normalisation (Karras et al., 2018, ProGAN section 4.2).

    Formula: y = x / sqrt(mean(x^2 over the channel axis) + epsilon)
    so that every pixel's feature vector has unit mean square. Computed in
    float32 and cast back to the input's dtype. No weights.

    Args:
        epsilon: added under the square root (1e-8 in the paper).
        axis: the channel axis (-1: channels last; also the latent axis of
            `[batch, latent_dim]` inputs).
    """

    def __init__(self, epsilon=1e-8, axis=-1, **kwargs):
        super().__init__(**kwargs)
        epsilon = float(epsilon)
        if epsilon < 0:
            raise ValueError(f"`epsilon` must be >= 0. Received: epsilon={epsilon}")
        self.epsilon = epsilon
        self.axis = int(axis)

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        x = x * ops.rsqrt(ops.mean(ops.square(x), axis=self.axis, keepdims=True) + self.epsilon)
        return ops.cast(x, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(epsilon=self.epsilon, axis=self.axis)
        return config
