"""InceptionV3 pool3 features and ImageNet probabilities, from local weights only."""

import os

import keras
import tensorflow as tf

from kerasgan.metrics.feature_extractor import FeatureExtractor, sha256_of_weights
from kerasgan.utils.hashing import sha256_file

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
NOTOP_FILENAME = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
TOP_FILENAME = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"


def keras_cache_dir():
    """`$KERAS_HOME/models`, else `~/.keras/models` (read at call time)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "models")


def resolve_inception_weights(weights, include_top=False):
    """Path of a local InceptionV3 weights file; never downloads.

    `weights="imagenet"` means the file Keras itself caches, looked up in
    `keras_cache_dir()`; any other string is a path. Raises
    `FileNotFoundError` with the URL and the place to put the file when it is
    missing, instead of letting Keras try (and, offline, hang on) a download.
    """
    filename = TOP_FILENAME if include_top else NOTOP_FILENAME
    if weights == "imagenet":
        path = os.path.join(keras_cache_dir(), filename)
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"InceptionV3 ImageNet weights (include_top={include_top}) are not "
                f"in the Keras cache: {path} does not exist, and kerasgan never "
                f"downloads them implicitly. Download {_BASE_URL}{filename} on a "
                f"machine with internet and copy it to {path} (or set KERAS_HOME), "
                "or pass weights='/path/to/file.h5'."
            )
        return path
    path = os.fspath(weights)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"InceptionV3 weights file not found. Received: weights={weights!r}. "
            f"Pass the path of a local copy of {_BASE_URL}{filename}, or "
            "weights='imagenet' with that file in the Keras cache "
            f"({keras_cache_dir()})."
        )
    return path


class InceptionV3Extractor(FeatureExtractor):
    """InceptionV3 (Keras applications) as the FID/KID/PR/IS feature extractor.

    Features are the 2048-d global-average-pooled last convolutional block
    ("pool3"); probabilities are the 1000-way ImageNet softmax (only with
    `include_top=True`, for the Inception Score).

    Inputs are images in [-1, 1], of any size, with 1 or 3 channels:
    grayscale is repeated to RGB and every image is resized bilinearly to
    299x299. No further scaling is applied because [-1, 1] *is* InceptionV3's
    input convention: `keras.applications.inception_v3.preprocess_input`
    ("tf" mode) maps [0, 255] to x / 127.5 - 1.

    Scores from this extractor are NOT comparable with published FIDs, which
    use the TF1 "pt_inception-2015-12-05" graph (TTUR, pytorch-fid): the Keras
    ImageNet weights and resize differ. Compare kerasgan numbers with kerasgan
    numbers made with the same `identity`.

    Args:
        weights: path to a local weights file (Keras `.h5` or `.weights.h5`),
            `"imagenet"` for the file in the Keras cache (never downloaded; a
            clear `FileNotFoundError` says where to put it), or `None` for
            random weights (tests only; the identity then hashes the arrays).
        include_top: build the 1000-class head too, for `probabilities`. The
            weights file must then contain it.
        batch_size: images per forward pass.
    """

    name = "inception_v3"
    image_size = (299, 299)
    channels = 3
    feature_dim = 2048

    def __init__(self, weights="imagenet", include_top=False, batch_size=32):
        super().__init__(batch_size=batch_size)
        self.weights = weights
        self.include_top = include_top
        self.weights_path = (
            None if weights is None else resolve_inception_weights(weights, include_top)
        )
        if include_top:
            full = keras.applications.InceptionV3(
                include_top=True, weights=self.weights_path, classifier_activation="softmax"
            )
            model = keras.Model(
                full.input, [full.get_layer("avg_pool").output, full.output]
            )
        else:
            model = keras.applications.InceptionV3(
                include_top=False, weights=self.weights_path, pooling="avg"
            )
        self.model = model
        self._forward = tf.function(
            lambda x: model(x, training=False), reduce_retracing=True
        )

    def _weights_hash(self):
        if self.weights_path is not None:
            return sha256_file(self.weights_path)
        return sha256_of_weights(self.model.get_weights())

    def _features_batch(self, x):
        out = self._forward(x)
        return out[0] if self.include_top else out

    def _features_and_probabilities_batch(self, x):
        if not self.include_top:
            return super()._features_and_probabilities_batch(x)
        features, probabilities = self._forward(x)
        return features, probabilities

    def _probabilities_batch(self, x):
        if not self.include_top:
            raise NotImplementedError(
                "InceptionV3Extractor(include_top=False) has no classifier head; "
                "build it with include_top=True (and weights with the top) for IS."
            )
        return self._forward(x)[1]

    @property
    def has_probabilities(self):
        return self.include_top
