"""A small CNN, trained by kerasgan on a data set, used as a feature extractor."""

import keras
import numpy as np
import tensorflow as tf

from kerasgan.metrics.distances import classifier_accuracy
from kerasgan.metrics.feature_extractor import FeatureExtractor
from kerasgan.metrics.feature_extractor import prepare_images
from kerasgan.metrics.feature_extractor import sha256_of_weights

FEATURES_LAYER = "features"
LOGITS_LAYER = "logits"


def build_domain_classifier_network(image_shape, num_classes, feature_dim=128):
    """LeNet-like CNN: two conv/pool blocks, a `features` dense layer, logits.

    Returns a functional `keras.Model` mapping `[B, *image_shape]` in [-1, 1]
    to `[B, num_classes]` logits; the penultimate layer is named `features`.
    """
    inputs = keras.Input(shape=tuple(image_shape), name="images")
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.25)(x)
    features = keras.layers.Dense(feature_dim, activation="relu", name=FEATURES_LAYER)(x)
    x = keras.layers.Dropout(0.25)(features)
    logits = keras.layers.Dense(num_classes, name=LOGITS_LAYER)(x)
    return keras.Model(inputs, logits, name="domain_classifier")


class DomainClassifier(FeatureExtractor):
    """A data-set-specific classifier whose penultimate layer gives features.

    ImageNet features are a poor ruler for small grayscale digits or emoji; a
    classifier trained on the real data itself is fast and sensitive there.
    Its scores are only comparable with scores from the very same weights,
    which `identity` (SHA-256 of the weight arrays) guarantees.

    Features: the `features` dense layer (ReLU, `feature_dim`-d). Probabilities:
    softmax of the logits, for the Inception Score on this domain and for the
    label accuracy of class-conditional samples. Images of other sizes or
    channel counts are resized / converted to the network's input.

    Args:
        model: a `keras.Model` from `build_domain_classifier_network` (or any
            model with a layer named `features` and logits as its output).
        name: name recorded in the identity, e.g. `"mnist_classifier"`.
        batch_size: images per forward pass.
    """

    def __init__(self, model, name="domain_classifier", batch_size=256):
        super().__init__(batch_size=batch_size)
        self.model = model
        self.name = name
        input_shape = model.input_shape
        self.image_size = (int(input_shape[1]), int(input_shape[2]))
        self.channels = int(input_shape[3])
        self.num_classes = int(model.output_shape[-1])
        features = model.get_layer(FEATURES_LAYER).output
        self.feature_dim = int(features.shape[-1])
        two_headed = keras.Model(model.input, [features, model.output])
        self._forward = tf.function(
            lambda x: two_headed(x, training=False), reduce_retracing=True
        )

    @classmethod
    def train(
        cls,
        images,
        labels,
        num_classes=None,
        image_size=None,
        epochs=3,
        batch_size=128,
        learning_rate=1e-3,
        feature_dim=128,
        name="domain_classifier",
        seed=None,
        verbose=0,
    ):
        """Trains a classifier on real `images` (in [-1, 1]) and `labels`.

        Args:
            images: array `[N, H, W, C]` (or `[N, H, W]`) in [-1, 1], or uint8.
            labels: int array `[N]`.
            num_classes: defaults to `max(labels) + 1`.
            image_size: `(height, width)` of the network input; defaults to the
                images' size.
            seed: when set, `keras.utils.set_random_seed(seed)` is called first
                (this seeds Python, NumPy and TF globally) so training is
                repeatable.

        Returns:
            A trained `DomainClassifier`; `train_accuracy` holds the accuracy
            of the final epoch.
        """
        images = np.asarray(images)
        labels = np.asarray(labels).astype("int32").reshape(-1)
        if images.shape[0] != labels.shape[0]:
            raise ValueError(
                "`images` and `labels` need the same length. Received: "
                f"images.shape={images.shape}, labels.shape={labels.shape}"
            )
        if num_classes is None:
            num_classes = int(labels.max()) + 1
        if seed is not None:
            keras.utils.set_random_seed(seed)
        if images.ndim == 3:
            images = images[..., None]
        channels = images.shape[-1]
        size = tuple(image_size) if image_size is not None else tuple(images.shape[1:3])
        x = np.concatenate(
            [
                prepare_images(images[i : i + 1024], size, channels).numpy()
                for i in range(0, images.shape[0], 1024)
            ]
        )
        model = build_domain_classifier_network((*size, channels), num_classes, feature_dim)
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        history = model.fit(
            x, labels, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=verbose
        )
        extractor = cls(model, name=name)
        extractor.train_accuracy = float(history.history["accuracy"][-1])
        return extractor

    def save(self, path):
        """Saves the network to a `.keras` file (the identity is in its weights)."""
        path = str(path)
        if not path.endswith(".keras"):
            raise ValueError(f"Save to a `.keras` file. Received: path={path}")
        self.model.save(path)

    @classmethod
    def load(cls, path, name="domain_classifier", batch_size=256):
        """Loads a classifier saved with `save`."""
        model = keras.saving.load_model(str(path), compile=False)
        return cls(model, name=name, batch_size=batch_size)

    def _weights_hash(self):
        return sha256_of_weights(self.model.get_weights())

    def _features_batch(self, x):
        return self._forward(x)[0]

    def _probabilities_batch(self, x):
        return tf.nn.softmax(self._forward(x)[1], axis=-1)

    def _features_and_probabilities_batch(self, x):
        features, logits = self._forward(x)
        return features, tf.nn.softmax(logits, axis=-1)

    def accuracy(self, images, labels):
        """Label accuracy on `images` (e.g. held-out real data)."""
        return classifier_accuracy(self.probabilities(images), labels)
