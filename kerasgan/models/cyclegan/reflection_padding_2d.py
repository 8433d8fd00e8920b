import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="kerasgan")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by `padding` pixels, mirroring the image at its
    border (`tf.pad(mode="REFLECT")`), as CycleGAN's ResNet generator does
    before its 7x7 and 3x3 convolutions. Kept with CycleGAN until a second
    family needs it (then it moves to kerasgan/layers)."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
            raise ValueError(f"`padding` must be an int >= 0. Received: padding={padding!r}")
        self.padding = padding

    def call(self, inputs):
        p = self.padding
        return tf.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]], mode="REFLECT")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        grow = lambda d: None if d is None else d + 2 * self.padding  # noqa: E731
        return (b, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
