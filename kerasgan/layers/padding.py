"""Border padding layers that keep a flat image flat: reflection (CycleGAN's
ResNet generator) and replication (SRGAN's generator)."""

import keras
import tensorflow as tf


class _BorderPadding2D(keras.layers.Layer):
    """Pads height and width by `padding` pixels on every side (an int >= 0)."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
            raise ValueError(f"`padding` must be an int >= 0. Received: padding={padding!r}")
        self.padding = padding

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        grow = lambda d: None if d is None else d + 2 * self.padding  # noqa: E731
        return (b, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(package="kerasgan")
class ReflectionPadding2D(_BorderPadding2D):
    """Pads height and width by `padding` pixels, mirroring the image at its
    border (`tf.pad(mode="REFLECT")`, which needs `padding < size`), as
    CycleGAN's ResNet generator does before its 7x7 and 3x3 convolutions."""

    def call(self, inputs):
        p = self.padding
        return tf.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]], mode="REFLECT")


@keras.saving.register_keras_serializable(package="kerasgan")
class ReplicationPadding2D(_BorderPadding2D):
    """Pads height and width by `padding` pixels, repeating the border pixels
    (edge / replicate padding, `torch.nn.ReplicationPad2d`).

    The SRGAN generator pads with it before every convolution: unlike zero
    padding it maps a constant image to a constant image (so `upscale` of a
    flat image is flat), and unlike reflection it works on inputs of any
    size >= 1, so a 9x9 convolution still runs on a 2x2 input."""

    def call(self, inputs):
        p = self.padding
        if p == 0:
            return inputs
        for axis in (1, 2):
            size = tf.shape(inputs)[axis]
            index = tf.clip_by_value(tf.range(-p, size + p), 0, size - 1)
            inputs = tf.gather(inputs, index, axis=axis)
        return inputs
