"""Building blocks shared by StackGAN's networks."""

from keras import layers

from kerasgan.models.common import dcgan_init
from kerasgan.models.pix2pix.norms import apply_norm


def upsample_block(x, filters, norm, name):
    """Nearest 2x upsampling, 3x3 convolution, norm, ReLU (the paper's
    up-sampling block)."""
    x = layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_up")(x)
    x = layers.Conv2D(filters, 3, padding="same", use_bias=norm != "batch", kernel_initializer=dcgan_init(),
                      name=f"{name}_conv")(x)
    x = apply_norm(x, norm, f"{name}_norm")
    return layers.ReLU(name=f"{name}_relu")(x)


def residual_block(x, filters, norm, name):
    """conv3x3-norm-ReLU-conv3x3-norm, added to the input, then ReLU."""
    y = layers.Conv2D(filters, 3, padding="same", use_bias=norm != "batch", kernel_initializer=dcgan_init(),
                      name=f"{name}_conv1")(x)
    y = apply_norm(y, norm, f"{name}_norm1")
    y = layers.ReLU(name=f"{name}_relu1")(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=norm != "batch", kernel_initializer=dcgan_init(),
                      name=f"{name}_conv2")(y)
    y = apply_norm(y, norm, f"{name}_norm2")
    x = layers.Add(name=f"{name}_add")([x, y])
    return layers.ReLU(name=f"{name}_relu")(x)


def tile(vector, size, name):
    """A `[B, D]` vector repeated over a `size x size` map: `[B, size, size, D]`."""
    x = layers.RepeatVector(size * size, name=f"{name}_repeat")(vector)
    return layers.Reshape((size, size, vector.shape[-1]), name=f"{name}_map")(x)


def to_image(x, channels, name="to_image"):
    x = layers.Conv2D(channels, 3, padding="same", kernel_initializer=dcgan_init(), name=name)(x)
    return layers.Activation("tanh", dtype="float32", name="images")(x)
