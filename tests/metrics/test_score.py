import pytest

from kerasgan import metrics


def test_scores_and_compare():
    a = {"fid": 10.0, "extractor": "x@sha256:1", "num_samples": 100, "num_real": 100}
    b = {"fid": 12.0, "extractor": "x@sha256:1", "num_samples": 100, "num_real": 100}
    c = {"fid": 5.0, "extractor": "y@sha256:2", "num_samples": 100, "num_real": 100}
    assert metrics.compare(a, b, metric="fid") == -2.0
    with pytest.raises(ValueError, match="different feature extractors"):
        metrics.compare(a, c, metric="fid")
    score_a = metrics.scores_from_results(a)["fid"]
    assert score_a.is_better_than(metrics.scores_from_results(b)["fid"])
    assert metrics.Score.from_dict(score_a.to_dict()) == score_a
    with pytest.warns(UserWarning, match="sample count"):
        metrics.compare(a, dict(b, num_samples=50), metric="fid")


def test_direction_of_each_metric():
    lower = metrics.Score("fid", 3.0, "x@sha256:1", 10)
    assert lower.is_better_than(metrics.Score("fid", 4.0, "x@sha256:1", 10))
    higher = metrics.Score("recall", 0.7, "x@sha256:1", 10)
    assert higher.is_better_than(metrics.Score("recall", 0.6, "x@sha256:1", 10))
    with pytest.raises(ValueError, match="Cannot compare"):
        lower.is_better_than(higher)
