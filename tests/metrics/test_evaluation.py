import json

import numpy as np
import pytest

from kerasgan import metrics
from kerasgan.metrics import evaluation
from tests.metrics.fakes import ProjectionExtractor


def uniform_images(n, seed, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, (n, 8, 8, 1)).astype("float32")


class FakeConditionalGAN:
    """Has the `generate` signature of kerasgan.models.GAN."""

    num_classes = 4

    def __init__(self):
        self.calls = []

    def generate(self, n, seed=None, labels=None, batch_size=None):
        self.calls.append((n, seed, None if labels is None else np.asarray(labels).copy()))
        return uniform_images(n, seed)


def test_good_generator_beats_bad_generator():
    real = uniform_images(600, seed=100)
    extractor = ProjectionExtractor()
    good = metrics.evaluate(
        lambda n, seed: uniform_images(n, seed), real, num_samples=600, extractor=extractor,
        kid_subsets=10, kid_subset_size=200,
    )
    bad = metrics.evaluate(
        lambda n, seed: uniform_images(n, seed, 0.0, 1.0), real, num_samples=600,
        extractor=extractor, kid_subsets=10, kid_subset_size=200,
    )
    assert set(good) >= {"fid", "kid", "kid_std", "is", "is_std", "precision", "recall"}
    assert good["fid"] < 0.1 * bad["fid"]
    assert good["kid"] < 0.1 * bad["kid"]
    assert good["precision"] > 0.8 and good["recall"] > 0.8
    assert bad["recall"] < good["recall"]
    assert good["extractor"] == extractor.identity and good["num_samples"] == 600
    json.dumps(good)  # JSON-serialisable


def test_model_generate_is_used_in_seeded_chunks(monkeypatch):
    monkeypatch.setattr(evaluation, "GENERATE_CHUNK", 100)
    model = FakeConditionalGAN()
    real = uniform_images(300, seed=7)
    results = metrics.evaluate(
        model, real, metrics=("fid", "accuracy"), num_samples=250,
        extractor=ProjectionExtractor(), seed=3,
    )
    assert [c[0] for c in model.calls] == [100, 100, 50]
    assert len({c[1] for c in model.calls}) == 3  # one derived seed per chunk
    # Balanced labels over the 4 classes, passed through to `generate`.
    np.testing.assert_array_equal(model.calls[0][2][:6], [0, 1, 2, 3, 0, 1])
    assert 0.0 <= results["accuracy"] <= 1.0
    again = metrics.evaluate(
        FakeConditionalGAN(), real, metrics=("fid",), num_samples=250,
        extractor=ProjectionExtractor(), seed=3,
    )
    assert again["fid"] == results["fid"]  # same seed, same score


def test_reference_statistics_from_another_extractor_are_refused():
    real = uniform_images(100, seed=1)
    stats = metrics.reference_statistics(real, ProjectionExtractor(seed=0))
    with pytest.raises(ValueError, match="another feature extractor"):
        metrics.evaluate(
            lambda n, seed: uniform_images(n, seed), stats, metrics=("fid",), num_samples=100,
            extractor=ProjectionExtractor(seed=1),
        )


def test_unknown_metric_and_missing_conditioning():
    real = uniform_images(50, seed=1)
    with pytest.raises(ValueError, match="Unknown metric"):
        metrics.evaluate(
            lambda n, s: real, real, metrics=("lpips",), extractor=ProjectionExtractor()
        )
    with pytest.raises(ValueError, match="class-conditional"):
        metrics.evaluate(
            lambda n, s: real, real, metrics=("accuracy",), extractor=ProjectionExtractor()
        )


def test_format_table():
    table = metrics.format_table(
        {
            "fid": 12.3456, "kid": 0.0123, "kid_std": 0.0004,
            "extractor": "inception_v3@sha256:" + "ab" * 32,
            "num_samples": 5000, "num_real": 10000, "seed": 0,
        }
    )
    assert "FID" in table and "12.346" in table and "0.0004" in table
    assert "inception_v3 (sha256 abababababababab)" in table
    assert "5000 generated, 10000 real" in table
