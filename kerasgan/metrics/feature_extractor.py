"""The interface every feature extractor of `kerasgan.metrics` implements."""

import hashlib

import numpy as np
import tensorflow as tf


def iterate_image_batches(images, batch_size, max_samples=None):
    """Yields float32 NumPy batches `[b, H, W, C]` from arrays or iterables.

    `images` may be a NumPy array / tensor `[N, H, W, C]` (or `[N, H, W]`), or
    any iterable of such batches, such as a `tf.data.Dataset` from
    `kerasgan.data.load`; elements that are `(images, labels)` tuples or dicts
    with an `"images"` key contribute their images. Stops after `max_samples`.
    """
    if isinstance(images, (np.ndarray, tf.Tensor)) or hasattr(images, "__array__"):
        array = np.asarray(images)
        stop = array.shape[0] if max_samples is None else min(max_samples, array.shape[0])
        for start in range(0, stop, batch_size):
            yield array[start : min(start + batch_size, stop)]
        return
    seen = 0
    for element in images:
        if isinstance(element, dict):
            element = element["images"]
        elif isinstance(element, (tuple, list)):
            element = element[0]
        batch = np.asarray(element)
        if max_samples is not None:
            batch = batch[: max_samples - seen]
        if batch.shape[0] == 0:
            break
        seen += batch.shape[0]
        # Re-batch so the extractor sees at most `batch_size` images at once.
        for start in range(0, batch.shape[0], batch_size):
            yield batch[start : start + batch_size]
        if max_samples is not None and seen >= max_samples:
            break


def prepare_images(images, image_size, channels):
    """Brings a batch in [-1, 1] to `image_size` and `channels`.

    - uint8 images are taken as [0, 255] and mapped to [-1, 1];
    - float images must lie in [-1, 1] (a 5% overshoot, e.g. from bicubic
      resizing, is clipped); anything else raises `ValueError`;
    - `[B, H, W]` gets a channel axis; 1 channel is repeated to 3; 3 channels
      are averaged to 1 when the network is grayscale; 4 (RGBA) is refused,
      composite onto a background first;
    - spatial size is changed with bilinear interpolation (antialiased when
      shrinking), the resize used when the reference statistics were made.
    """
    x = tf.convert_to_tensor(images)
    if x.dtype == tf.uint8:
        x = tf.cast(x, tf.float32) / 127.5 - 1.0
    x = tf.cast(x, tf.float32)
    if x.shape.rank == 3:
        x = x[..., None]
    if x.shape.rank != 4:
        raise ValueError(
            f"`images` must be [batch, height, width, channels]. Received: shape={x.shape}"
        )
    lo, hi = float(tf.reduce_min(x)), float(tf.reduce_max(x))
    if lo < -1.05 or hi > 1.05:
        raise ValueError(
            "`images` must be in [-1, 1] (or uint8 in [0, 255]). "
            f"Received: values in [{lo:.3g}, {hi:.3g}]"
        )
    x = tf.clip_by_value(x, -1.0, 1.0)
    in_channels = x.shape[-1]
    if in_channels != channels:
        if in_channels == 1 and channels == 3:
            x = tf.repeat(x, 3, axis=-1)
        elif in_channels == 3 and channels == 1:
            x = tf.reduce_mean(x, axis=-1, keepdims=True)
        else:
            raise ValueError(
                f"Cannot feed {in_channels}-channel images to a {channels}-channel "
                "extractor (RGBA: composite onto a background first). "
                f"Received: shape={x.shape}"
            )
    size = tuple(int(s) for s in image_size)
    if tuple(x.shape[1:3]) != size:
        shrinking = x.shape[1] > size[0] or x.shape[2] > size[1]
        x = tf.image.resize(x, size, method="bilinear", antialias=shrinking)
    return x


def sha256_of_weights(weights):
    """SHA-256 over a list of weight arrays (dtype, shape and bytes, in order)."""
    digest = hashlib.sha256()
    for w in weights:
        w = np.ascontiguousarray(np.asarray(w))
        digest.update(f"{w.dtype.str}{w.shape}".encode())
        digest.update(w.tobytes())
    return digest.hexdigest()


class FeatureExtractor:
    """Maps images in [-1, 1] to feature vectors (and optionally class probabilities).

    A subclass sets `name`, `image_size` (height, width), `channels` and
    `feature_dim`, implements `_features_batch(x)` on a prepared float32
    tensor `[b, *image_size, channels]` and `_weights_hash()`, and, when it
    has a classifier head, `_probabilities_batch(x)`.

    `identity` (`"<name>@sha256:<hex>"`) names the network *and* its exact
    weights. Every score records it, and scores or reference statistics with
    different identities are never compared: numbers from different networks
    (or different weights of one network) live on different scales.
    """

    name = "feature_extractor"
    image_size = (299, 299)
    channels = 3
    feature_dim = None

    def __init__(self, batch_size=32):
        if int(batch_size) < 1:
            raise ValueError(f"`batch_size` must be >= 1. Received: batch_size={batch_size}")
        self.batch_size = int(batch_size)
        self._cached_hash = None

    @property
    def weights_hash(self):
        """Hex SHA-256 of the weights (computed once)."""
        if self._cached_hash is None:
            self._cached_hash = self._weights_hash()
        return self._cached_hash

    @property
    def identity(self):
        return f"{self.name}@sha256:{self.weights_hash}"

    @property
    def has_probabilities(self):
        return type(self)._probabilities_batch is not FeatureExtractor._probabilities_batch

    def _weights_hash(self):
        raise NotImplementedError

    def _features_batch(self, x):
        raise NotImplementedError

    def _probabilities_batch(self, x):
        raise NotImplementedError(
            f"{type(self).__name__} has no classifier head, so it cannot give "
            "class probabilities (needed for IS and accuracy)."
        )

    def _run(self, fn, images, max_samples):
        outputs = []
        for batch in iterate_image_batches(images, self.batch_size, max_samples):
            x = prepare_images(batch, self.image_size, self.channels)
            outputs.append(np.asarray(fn(x), dtype=np.float32))
        if not outputs:
            raise ValueError("`images` is empty.")
        return np.concatenate(outputs, axis=0)

    def features(self, images, max_samples=None):
        """Features `[n, feature_dim]` (float32) of images in [-1, 1].

        `images`: array/tensor `[N, H, W, C]` of any size and 1 or 3 channels,
        or an iterable of such batches (see `iterate_image_batches`).
        """
        return self._run(self._features_batch, images, max_samples)

    def probabilities(self, images, max_samples=None):
        """Softmax class probabilities `[n, num_classes]`, for IS and accuracy."""
        if not self.has_probabilities:
            self._probabilities_batch(None)
        return self._run(self._probabilities_batch, images, max_samples)

    def features_and_probabilities(self, images, max_samples=None):
        """Both outputs from one pass over `images` (a stream is read once)."""
        feats, probs = [], []
        for batch in iterate_image_batches(images, self.batch_size, max_samples):
            x = prepare_images(batch, self.image_size, self.channels)
            f, p = self._features_and_probabilities_batch(x)
            feats.append(np.asarray(f, dtype=np.float32))
            probs.append(np.asarray(p, dtype=np.float32))
        if not feats:
            raise ValueError("`images` is empty.")
        return np.concatenate(feats), np.concatenate(probs)

    def _features_and_probabilities_batch(self, x):
        return self._features_batch(x), self._probabilities_batch(x)

    def __repr__(self):
        return f"<{type(self).__name__} {self.identity[: len(self.name) + 20]}...>"
