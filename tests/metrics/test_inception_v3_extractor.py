"""InceptionV3 plumbing with locally built (random) weights: no download ever."""

import h5py
import keras
import numpy as np
import pytest
from keras.src.legacy.saving import legacy_h5_format

from kerasgan.metrics import InceptionV3Extractor
from kerasgan.metrics import inception_v3_extractor
from kerasgan.utils.hashing import sha256_file


@pytest.fixture(scope="module")
def weights_files(tmp_path_factory):
    """The same random no-top weights, as a Keras 3 `.weights.h5` file and as a
    legacy `.h5` (the format of Keras' official download) in a fake Keras cache."""
    root = tmp_path_factory.mktemp("inception")
    model = keras.applications.InceptionV3(weights=None, include_top=False, pooling="avg")
    path = root / "inception_notop.weights.h5"
    model.save_weights(path)
    keras_home = root / "keras_home"
    (keras_home / "models").mkdir(parents=True)
    with h5py.File(keras_home / "models" / inception_v3_extractor.NOTOP_FILENAME, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path, keras_home


@pytest.fixture(scope="module")
def extractor(weights_files):
    return InceptionV3Extractor(weights_files[0], batch_size=4)


def images(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


def test_pool3_features_shape_finite_deterministic(extractor):
    x = images((4, 64, 64, 3))
    features = extractor.features(x)
    assert features.shape == (4, 2048)
    assert np.all(np.isfinite(features))
    np.testing.assert_array_equal(features, extractor.features(x))
    # Different images give different features (the input reaches pool3).
    assert not np.allclose(features[0], features[1])


def test_grayscale_and_batches_of_batches(extractor):
    gray = images((3, 28, 28, 1), seed=1)
    features = extractor.features(gray)
    assert features.shape == (3, 2048) and np.all(np.isfinite(features))
    # Grayscale is repeated to RGB, so it equals feeding the RGB copy.
    rgb = np.repeat(gray, 3, axis=-1)
    np.testing.assert_allclose(extractor.features(rgb), features, atol=1e-6)
    # An iterable of (images, labels) batches gives the same rows.
    stream = [(gray[:2], np.zeros(2)), (gray[2:], np.zeros(1))]
    np.testing.assert_allclose(extractor.features(stream), features, atol=1e-6)


def test_identity_is_hash_of_weights_file(extractor, weights_files):
    assert extractor.identity == f"inception_v3@sha256:{sha256_file(weights_files[0])}"


def test_imagenet_from_keras_cache(extractor, weights_files, monkeypatch):
    _, keras_home = weights_files
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    cached = InceptionV3Extractor("imagenet", batch_size=4)
    x = images((2, 32, 32, 3), seed=2)
    np.testing.assert_allclose(cached.features(x), extractor.features(x), atol=1e-5)
    # Same arrays, different file: identities are per file, conservatively.
    assert cached.identity != extractor.identity


def test_missing_weights_raise_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = tmp_path / "models" / inception_v3_extractor.NOTOP_FILENAME
    with pytest.raises(FileNotFoundError, match="never downloads") as info:
        InceptionV3Extractor("imagenet")
    assert str(expected) in str(info.value)
    with pytest.raises(FileNotFoundError, match="not found"):
        InceptionV3Extractor(str(tmp_path / "nope.h5"))


def test_no_head_means_no_probabilities(extractor):
    with pytest.raises(NotImplementedError, match="include_top=True"):
        extractor.probabilities(images((1, 8, 8, 3)))


def test_out_of_range_images_are_refused(extractor):
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        extractor.features(np.full((1, 8, 8, 3), 255.0, dtype="float32"))


def test_include_top_gives_features_and_imagenet_probabilities(tmp_path):
    model = keras.applications.InceptionV3(weights=None, include_top=True)
    path = tmp_path / "inception_top.weights.h5"
    model.save_weights(path)
    extractor = InceptionV3Extractor(path, include_top=True, batch_size=2)
    features, probs = extractor.features_and_probabilities(images((2, 16, 16, 1), seed=3))
    assert features.shape == (2, 2048) and probs.shape == (2, 1000)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
