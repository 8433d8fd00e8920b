"""Cheap stand-ins shared by the metrics and callback tests."""

import numpy as np
import tensorflow as tf

from kerasgan.metrics.feature_extractor import FeatureExtractor
from kerasgan.metrics.feature_extractor import sha256_of_weights


class ProjectionExtractor(FeatureExtractor):
    """Features = flattened 8x8 grayscale image times a fixed random matrix.

    Counts the images it featurises in `calls`, so tests can tell whether
    statistics were recomputed or loaded from a cache.
    """

    image_size = (8, 8)
    channels = 1

    def __init__(self, seed=0, feature_dim=16, num_classes=4, name="projection"):
        super().__init__(batch_size=64)
        rng = np.random.default_rng(seed)
        self.name = name
        self.feature_dim = feature_dim
        self.projection = rng.normal(size=(64, feature_dim)).astype("float32") / 8.0
        self.head = rng.normal(size=(feature_dim, num_classes)).astype("float32")
        self.calls = 0

    def _weights_hash(self):
        return sha256_of_weights([self.projection, self.head])

    def _features_batch(self, x):
        self.calls += int(x.shape[0])
        return tf.reshape(x, [-1, 64]) @ self.projection

    def _probabilities_batch(self, x):
        return tf.nn.softmax(self._features_batch(x) @ self.head)
