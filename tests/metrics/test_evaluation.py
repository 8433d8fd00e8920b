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


def test_streamed_statistics_equal_the_whole_array_formulas(monkeypatch):
    from kerasgan.metrics import distances

    monkeypatch.setattr(evaluation, "GENERATE_CHUNK", 100)
    model, extractor = FakeConditionalGAN(), ProjectionExtractor()
    real = uniform_images(300, seed=7)
    results = metrics.evaluate(model, real, metrics=("fid", "kid", "is", "pr", "accuracy"),
                               num_samples=250, extractor=extractor, seed=3, kid_subsets=5,
                               kid_subset_size=50, is_splits=7)
    # The same samples, scored all at once as before streaming.
    images = np.concatenate([uniform_images(n, seed) for n, seed, _ in model.calls])
    labels = np.concatenate([chunk_labels for _, _, chunk_labels in model.calls])
    features, probs = extractor.features(images), extractor.probabilities(images)
    reference = metrics.reference_statistics(real, extractor)
    expected = {
        "fid": distances.frechet_distance(reference.mu, reference.sigma,
                                          *distances.activation_statistics(features)),
        "kid": distances.kernel_inception_distance(reference.features, features, 5, 50, seed=3)[0],
        "is": distances.inception_score(probs, splits=7)[0],
        "precision": distances.precision_recall(reference.features, features, k=3)[0],
        "recall": distances.precision_recall(reference.features, features, k=3)[1],
        "accuracy": distances.classifier_accuracy(probs, labels),
    }
    for name, value in expected.items():
        np.testing.assert_allclose(results[name], value, rtol=1e-5, err_msg=name)
    assert results["fake_feature_rows"] == 250


class NumpyProjectionExtractor(ProjectionExtractor):
    """ProjectionExtractor in NumPy only, so tracemalloc sees every allocation."""

    def features(self, images, max_samples=None):
        return np.asarray(images, np.float32).reshape(len(images), -1) @ self.projection

    def features_and_probabilities(self, images, max_samples=None):
        features = self.features(images)
        logits = features @ self.head
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return features, e / e.sum(axis=1, keepdims=True)


def test_memory_does_not_grow_with_num_samples(monkeypatch):
    import tracemalloc

    monkeypatch.setattr(evaluation, "GENERATE_CHUNK", 2000)
    extractor = NumpyProjectionExtractor()
    reference = metrics.reference_statistics(uniform_images(300, seed=7), extractor)

    def peak_memory(num_samples):
        model = FakeConditionalGAN()
        model.generate = lambda n, seed=None, labels=None, batch_size=None: (
            model.calls.append((n, None if labels is None else int(labels[0]))) or uniform_images(n, seed))
        tracemalloc.start()
        try:
            results = metrics.evaluate(model, reference, metrics=("fid", "kid", "is", "pr", "accuracy"),
                                       num_samples=num_samples, extractor=extractor, kid_subsets=3,
                                       kid_subset_size=100, max_feature_rows=500)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert len(model.calls) == num_samples // 2000 and {n for n, _ in model.calls} == {2000}
        assert [first for _, first in model.calls[:3]] == [0, 2000 % 4, 4000 % 4]  # labels run on
        assert results["fake_feature_rows"] == 500 and np.isfinite(results["fid"])
        return peak

    small, large = peak_memory(20_000), peak_memory(200_000)
    # Before streaming: 7.5 MB and 68.7 MB (features, labels and probabilities of every sample).
    assert large < 1.1 * small + (256 << 10), (small, large)
    assert large < 200_000 * 16 * 4 / 2  # well under the features of all samples alone


def test_reservoir_keeps_a_uniform_subset_of_the_whole_stream():
    reservoir = evaluation._Reservoir(100, seed=0)
    for start in range(0, 10_000, 700):
        reservoir.add(np.arange(start, min(start + 700, 10_000))[:, None])
    kept = reservoir.result()[:, 0]
    assert kept.shape == (100,) and len(set(kept)) == 100
    assert 4000 < kept.mean() < 6000 and kept.max() > 9000  # not just the first 100 rows


@pytest.mark.parametrize("num_samples", [1e10, 10**10, 0, 1, -5, 2.5, "100", True, None, float("nan")])
def test_bad_num_samples_is_refused_before_generating(num_samples):
    model = FakeConditionalGAN()
    with pytest.raises(ValueError, match=r"num_samples=") as error:
        metrics.evaluate(model, uniform_images(50, seed=1), metrics=("fid",), num_samples=num_samples,
                         extractor=ProjectionExtractor())
    assert repr(num_samples) in str(error.value)
    assert model.calls == []


def test_integral_float_num_samples_is_accepted():
    assert evaluation.check_num_samples(1e3) == 1000
    assert evaluation.check_num_samples(np.int64(7)) == 7


class LabelledPatternGAN:
    """Draws class k as noise around its own level: a perfect conditional
    model of `labelled_pattern_images`."""

    num_classes = 4
    LEVELS = np.array([-0.75, -0.25, 0.25, 0.75], np.float32)

    def generate(self, n, seed=None, labels=None, batch_size=None):
        return labelled_pattern_images(np.asarray(labels), seed)


def labelled_pattern_images(labels, seed):
    noise = np.random.default_rng(seed).normal(0, 0.1, (len(labels), 8, 8, 1)).astype("float32")
    return np.clip(LabelledPatternGAN.LEVELS[labels][:, None, None, None] + noise, -1, 1)


def test_sample_labels_follow_class_frequencies_chunk_by_chunk():
    np.testing.assert_array_equal(evaluation.sample_labels(6, 4), [0, 1, 2, 3, 0, 1])
    np.testing.assert_array_equal(evaluation.sample_labels(3, 4, start=5), [1, 2, 3])
    weights = [2261, 9, 1000]
    labels = evaluation.sample_labels(1000, 3, weights, seed=5)
    counts = np.bincount(labels, minlength=3)
    exact = 1000 * np.array(weights) / sum(weights)  # 691.4, 2.75, 305.8
    assert counts.sum() == 1000 and np.all(np.abs(counts - exact) <= 2), counts
    assert np.bincount(labels[:100], minlength=3)[0] in range(67, 72)  # every prefix is in proportion
    # Made chunk by chunk, the run is the same; the seed changes the order.
    chunks = np.concatenate([evaluation.sample_labels(n, 3, weights, seed=5, start=s)
                             for s, n in [(0, 300), (300, 300), (600, 400)]])
    np.testing.assert_array_equal(labels, chunks)
    assert not np.array_equal(labels, evaluation.sample_labels(1000, 3, weights, seed=6))
    assert np.bincount(evaluation.sample_labels(50, 3, [0, 1, 0]), minlength=3).tolist() == [0, 50, 0]
    for bad in ([1, 2], [1, -1, 1], [0, 0, 0], [1, np.nan, 1]):
        with pytest.raises(ValueError, match="class_frequencies"):
            evaluation.sample_labels(10, 3, bad)


def test_class_frequencies_score_an_unbalanced_model_against_its_own_distribution():
    """A perfect conditional model of data whose classes are 70/10/10/10 scores
    near zero FID when sampled in those proportions, and far worse balanced."""
    real_labels = np.repeat([0, 1, 2, 3], [700, 100, 100, 100])
    real = labelled_pattern_images(real_labels, seed=1)
    extractor = ProjectionExtractor()
    model = LabelledPatternGAN()
    data = metrics.evaluate(model, real, metrics=("fid",), num_samples=1000, extractor=extractor,
                            class_frequencies=np.bincount(real_labels))
    balanced = metrics.evaluate(model, real, metrics=("fid",), num_samples=1000, extractor=extractor)
    assert data["fid"] < 0.1 * balanced["fid"]
    assert data["labels"] == "class frequencies" and balanced["labels"] == "balanced"
    with pytest.raises(ValueError, match="class-conditional"):
        metrics.evaluate(lambda n, seed: real[:n], real, metrics=("fid",), num_samples=10,
                         extractor=extractor, class_frequencies=[1, 1, 1, 1])
