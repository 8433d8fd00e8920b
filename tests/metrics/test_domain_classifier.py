import numpy as np
import pytest

from kerasgan.metrics import DomainClassifier


def toy_digits(n=256, seed=0):
    """Two classes of 12x12 images: a bright top half or a bright bottom half."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    images = rng.uniform(-1, -0.6, size=(n, 12, 12, 1)).astype("float32")
    images[labels == 0, :6] += 1.4
    images[labels == 1, 6:] += 1.4
    return images, labels


@pytest.fixture(scope="module")
def classifier():
    images, labels = toy_digits()
    return DomainClassifier.train(
        images, labels, epochs=3, batch_size=32, feature_dim=16, name="toy", seed=0
    )


def test_trains_and_exposes_features_and_probabilities(classifier):
    images, labels = toy_digits(64, seed=1)
    assert classifier.name == "toy" and classifier.num_classes == 2
    features = classifier.features(images)
    probs = classifier.probabilities(images)
    assert features.shape == (64, 16) and probs.shape == (64, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert classifier.accuracy(images, labels) > 0.95


def test_other_sizes_and_channels_are_resized(classifier):
    images, labels = toy_digits(32, seed=2)
    rgb_large = np.repeat(np.repeat(np.repeat(images, 2, axis=1), 2, axis=2), 3, axis=-1)
    assert classifier.features(rgb_large).shape == (32, 16)
    assert classifier.accuracy(rgb_large, labels) > 0.9


def test_save_load_keeps_identity_and_outputs(classifier, tmp_path):
    path = tmp_path / "toy.keras"
    classifier.save(path)
    loaded = DomainClassifier.load(path, name="toy")
    assert loaded.identity == classifier.identity
    assert loaded.identity.startswith("toy@sha256:")
    images, _ = toy_digits(8, seed=3)
    np.testing.assert_allclose(loaded.features(images), classifier.features(images), atol=1e-6)
    with pytest.raises(ValueError, match=".keras"):
        classifier.save(tmp_path / "toy.h5")


def test_different_weights_different_identity(classifier):
    images, labels = toy_digits(64, seed=4)
    other = DomainClassifier.train(images, labels, epochs=1, feature_dim=16, name="toy", seed=1)
    assert other.identity != classifier.identity
