import numpy as np
import keras
from keras import layers

from kerasgan.models.common import Network
from kerasgan.utils.validation import check_positive_int


def check_hidden_units(hidden_units):
    units = tuple(int(u) for u in hidden_units)
    if not units or min(units) < 1:
        raise ValueError(f"`hidden_units` must be positive sizes. Received: hidden_units={hidden_units!r}")
    return units


@keras.saving.register_keras_serializable(package="kerasgan")
class MLPGenerator(Network):
    """Fully connected generator of the original GAN (Goodfellow et al., 2014).

    latent -> Dense + LeakyReLU(0.2) for each of `hidden_units` -> Dense to
    `prod(image_shape)` with tanh -> reshape to `image_shape`.
    """

    config_keys = ("image_shape", "latent_dim", "hidden_units")

    def __init__(self, image_shape=(28, 28, 1), latent_dim=64, hidden_units=(256, 512, 1024), **kwargs):
        image_shape = tuple(int(d) for d in image_shape)
        if len(image_shape) != 3 or min(image_shape) < 1:
            raise ValueError(f"`image_shape` must be (height, width, channels). Received: image_shape={image_shape!r}")
        latent_dim = check_positive_int("latent_dim", latent_dim)
        hidden_units = check_hidden_units(hidden_units)
        latents = keras.Input((latent_dim,), name="latents")
        x = latents
        for i, units in enumerate(hidden_units):
            x = layers.Dense(units, name=f"dense{i}")(x)
            x = layers.LeakyReLU(0.2, name=f"dense{i}_lrelu")(x)
        x = layers.Dense(int(np.prod(image_shape)), activation="tanh", dtype="float32", name="to_image")(x)
        images = layers.Reshape(image_shape, name="images")(x)
        super().__init__(inputs=latents, outputs=images, **kwargs)
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.hidden_units = hidden_units
