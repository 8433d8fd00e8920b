import numpy as np
import pytest

from kerasgan.metrics import ReferenceStatistics
from kerasgan.metrics import reference_statistics
from tests.metrics.fakes import ProjectionExtractor


def real_images(n=200, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 8, 8, 1)).astype("float32")


def test_statistics_match_numpy():
    extractor = ProjectionExtractor()
    x = real_images()
    stats = reference_statistics(x, extractor)
    features = extractor.features(x)
    np.testing.assert_allclose(stats.mu, features.mean(0), atol=1e-5)
    np.testing.assert_allclose(stats.sigma, np.cov(features, rowvar=False), atol=1e-5)
    assert stats.num_samples == 200 and stats.extractor == extractor.identity


def test_second_call_loads_cache(tmp_path):
    extractor = ProjectionExtractor()
    x = real_images()
    first = reference_statistics(x, extractor, cache_path=tmp_path, dataset="toy", split="test")
    assert extractor.calls == 200
    second = reference_statistics(x, extractor, cache_path=tmp_path, dataset="toy", split="test")
    assert extractor.calls == 200  # not recomputed
    np.testing.assert_array_equal(first.sigma, second.sigma)
    np.testing.assert_array_equal(first.features, second.features)
    assert second.key == {
        "dataset": "toy",
        "split": "test",
        "resolution": "8x8",
        "extractor": extractor.identity,
        "max_samples": None,
    }


def test_other_extractor_never_reuses_cache_dir(tmp_path):
    x = real_images()
    a, b = ProjectionExtractor(seed=0), ProjectionExtractor(seed=1)
    stats_a = reference_statistics(x, a, cache_path=tmp_path, dataset="toy")
    stats_b = reference_statistics(x, b, cache_path=tmp_path, dataset="toy")
    assert b.calls == 200 and stats_b.extractor == b.identity
    assert not np.allclose(stats_a.mu, stats_b.mu)
    assert len(list(tmp_path.glob("*.npz"))) == 2


def test_other_extractor_recomputes_cache_file(tmp_path):
    path = tmp_path / "mnist_test.npz"
    x = real_images()
    a, b = ProjectionExtractor(seed=0), ProjectionExtractor(seed=1)
    reference_statistics(x, a, cache_path=path, dataset="mnist")
    with pytest.warns(UserWarning, match="recomputing"):
        stats_b = reference_statistics(x, b, cache_path=path, dataset="mnist")
    assert b.calls == 200 and stats_b.extractor == b.identity
    # Loading the file for the wrong extractor is refused outright.
    with pytest.raises(ValueError, match="another feature extractor"):
        ReferenceStatistics.load(path, extractor=a)
    assert ReferenceStatistics.load(path, extractor=b).extractor == b.identity


def test_changed_data_recomputes(tmp_path):
    extractor = ProjectionExtractor()
    reference_statistics(real_images(seed=0), extractor, cache_path=tmp_path)
    reference_statistics(real_images(seed=1), extractor, cache_path=tmp_path)
    assert extractor.calls == 400  # arrays are keyed by a content hash


def test_stream_needs_a_dataset_name_to_cache(tmp_path):
    extractor = ProjectionExtractor()
    stream = [real_images(50, seed=i) for i in range(3)]
    with pytest.raises(ValueError, match="dataset="):
        reference_statistics(iter(stream), extractor, cache_path=tmp_path)
    stats = reference_statistics(iter(stream), extractor, cache_path=tmp_path, dataset="s")
    assert stats.num_samples == 150


def test_features_are_capped(tmp_path):
    stats = reference_statistics(real_images(), ProjectionExtractor(), max_features=50)
    assert stats.features.shape == (50, 16) and stats.num_samples == 200
