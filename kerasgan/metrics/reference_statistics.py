"""Real-data statistics, computed once per (data set, split, resolution, extractor)."""

import hashlib
import json
import os
import re
import warnings

import numpy as np

from kerasgan.metrics.distances import activation_statistics


class ReferenceStatistics:
    """Feature statistics of real images under one extractor.

    Attributes:
        mu, sigma: mean `[d]` and covariance `[d, d]` of the features (FID).
        features: up to `max_features` raw feature rows (KID, precision/recall),
            or None.
        extractor: identity of the extractor that produced them.
        num_samples: number of real images behind `mu` and `sigma`.
        key: dict describing what was measured (dataset, split, resolution,
            extractor, max_samples); used to validate a cache file.
    """

    def __init__(self, mu, sigma, extractor, num_samples, features=None, key=None):
        self.mu = np.asarray(mu, dtype=np.float64)
        self.sigma = np.asarray(sigma, dtype=np.float64)
        self.features = None if features is None else np.asarray(features, dtype=np.float32)
        self.extractor = extractor
        self.num_samples = int(num_samples)
        self.key = dict(key or {"extractor": extractor})

    def check_extractor(self, extractor):
        """Raises `ValueError` unless `extractor` (or its identity) made these statistics."""
        identity = extractor if isinstance(extractor, str) else extractor.identity
        if identity != self.extractor:
            raise ValueError(
                "Reference statistics were computed with another feature extractor: "
                f"stored {self.extractor}, requested {identity}. Recompute them with "
                "the requested extractor; scores from different extractors are not comparable."
            )

    def save(self, path):
        arrays = {"mu": self.mu, "sigma": self.sigma}
        if self.features is not None:
            arrays["features"] = self.features
        np.savez(
            path,
            key=np.array(json.dumps(self.key, sort_keys=True)),
            extractor=np.array(self.extractor),
            num_samples=np.array(self.num_samples),
            **arrays,
        )

    @classmethod
    def load(cls, path, extractor=None):
        """Loads an `.npz`; with `extractor`, refuses statistics made by another one."""
        with np.load(path, allow_pickle=False) as data:
            stats = cls(
                mu=data["mu"],
                sigma=data["sigma"],
                features=data["features"] if "features" in data.files else None,
                extractor=str(data["extractor"]),
                num_samples=int(data["num_samples"]),
                key=json.loads(str(data["key"])),
            )
        if extractor is not None:
            stats.check_extractor(extractor)
        return stats


def _slug(text):
    return re.sub(r"[^A-Za-z0-9._-]+", "-", str(text)).strip("-") or "data"


def _infer_resolution(images):
    shape = getattr(images, "shape", None)
    if shape is not None and len(shape) >= 3:
        return f"{int(shape[1])}x{int(shape[2])}"
    spec = getattr(images, "element_spec", None)  # tf.data.Dataset
    if spec is not None:
        spec = spec[0] if isinstance(spec, (tuple, list)) else spec
        if len(spec.shape) >= 3 and spec.shape[1] is not None:
            return f"{int(spec.shape[1])}x{int(spec.shape[2])}"
    return None


def _array_fingerprint(images):
    array = np.ascontiguousarray(np.asarray(images))
    digest = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    digest.update(array.tobytes())
    return f"array-{digest.hexdigest()[:16]}"


def reference_statistics(
    images,
    extractor,
    cache_path=None,
    dataset=None,
    split=None,
    resolution=None,
    max_samples=None,
    max_features=10000,
):
    """Feature statistics of real images, cached in an `.npz`.

    The cache is keyed by (dataset, split, resolution, extractor identity,
    max_samples). A cache file whose key differs, in particular one made by
    another extractor, is never used: it is recomputed and overwritten, with
    a warning. With a directory as `cache_path`, each key gets its own file
    (named after dataset, split, resolution and extractor hash).

    Args:
        images: real images in [-1, 1]: array `[N, H, W, C]` or an iterable of
            batches (e.g. `kerasgan.data.load(...)`; `(images, labels)` works).
        extractor: a `FeatureExtractor`.
        cache_path: `.npz` file or directory; None disables caching.
        dataset: name of the data set for the key (e.g. `"mnist"`). Required
            to cache a stream; for arrays it defaults to a content hash.
        split: split name for the key (e.g. `"test"`).
        resolution: `"HxW"` for the key; inferred from arrays and tf.data.
        max_samples: use at most this many images.
        max_features: raw feature rows kept for KID / precision-recall (a
            fixed random subset when there are more); 0 keeps none.

    Returns:
        A `ReferenceStatistics`.
    """
    if resolution is None:
        resolution = _infer_resolution(images)
    path = None
    if cache_path is not None:
        if dataset is None:
            if getattr(images, "shape", None) is None:
                raise ValueError(
                    "Pass `dataset=` (a name for the cache key) to cache statistics "
                    "of a stream of batches."
                )
            dataset = _array_fingerprint(images)
    key = {
        "dataset": None if dataset is None else str(dataset),
        "split": None if split is None else str(split),
        "resolution": resolution,
        "extractor": extractor.identity,
        "max_samples": max_samples,
    }
    if cache_path is not None:
        path = os.fspath(cache_path)
        if not path.endswith(".npz"):
            os.makedirs(path, exist_ok=True)
            filename = "_".join(
                _slug(part)
                for part in (dataset, split or "all", resolution or "anysize", extractor.name)
            )
            path = os.path.join(path, f"{filename}_{extractor.weights_hash[:16]}.npz")
        if os.path.isfile(path):
            cached = ReferenceStatistics.load(path)
            if cached.key == key:
                return cached
            warnings.warn(
                f"Reference statistics cache {path} was made for {cached.key}, not "
                f"{key}; recomputing and overwriting it.",
                UserWarning,
                stacklevel=2,
            )
    features = extractor.features(images, max_samples=max_samples)
    mu, sigma = activation_statistics(features)
    kept = None
    if max_features:
        kept = features
        if features.shape[0] > max_features:
            # A fixed random subset, not the first rows: streams may be sorted.
            rows = np.random.default_rng(0).choice(features.shape[0], max_features, replace=False)
            kept = features[np.sort(rows)]
    stats = ReferenceStatistics(
        mu, sigma, extractor.identity, features.shape[0], features=kept, key=key
    )
    if path is not None:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        stats.save(path)
    return stats
