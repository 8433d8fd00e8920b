import keras
from keras import layers

from kerasgan.layers.replica_dropout import ReplicaDropout
from kerasgan.models.common import Network
from kerasgan.models.vanilla_gan.mlp_generator import check_hidden_units


@keras.saving.register_keras_serializable(package="kerasgan")
class MLPDiscriminator(Network):
    """Fully connected discriminator of the original GAN (Goodfellow et al., 2014).

    image -> flatten -> Dense + LeakyReLU(0.2) (+ dropout) for each of
    `hidden_units`; the last hidden layer is named `"features"` -> Dense(1) logit.
    """

    config_keys = ("image_shape", "hidden_units", "dropout")

    def __init__(self, image_shape=(28, 28, 1), hidden_units=(512, 256), dropout=0.3, **kwargs):
        image_shape = tuple(int(d) for d in image_shape)
        if len(image_shape) != 3 or min(image_shape) < 1:
            raise ValueError(f"`image_shape` must be (height, width, channels). Received: image_shape={image_shape!r}")
        hidden_units = check_hidden_units(hidden_units)
        images = keras.Input(image_shape, name="images")
        x = layers.Flatten(name="flatten")(images)
        for i, units in enumerate(hidden_units):
            x = layers.Dense(units, name=f"dense{i}")(x)
            last = i == len(hidden_units) - 1
            x = layers.LeakyReLU(0.2, name="features" if last else f"dense{i}_lrelu")(x)
            if dropout and not last:
                x = ReplicaDropout(dropout, name=f"dense{i}_dropout")(x)
        logits = layers.Dense(1, dtype="float32", name="logits")(x)
        super().__init__(inputs=images, outputs=logits, **kwargs)
        self.image_shape = image_shape
        self.hidden_units = hidden_units
        self.dropout = float(dropout)
