import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.spatial

from kerasgan.metrics import distances


def scipy_fid(a, b):
    """The TTUR / pytorch-fid reference implementation with scipy.linalg.sqrtm."""
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    covmean = np.real(covmean)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean))


class TestFrechetDistance:
    def test_set_against_itself_is_zero(self):
        a = np.random.default_rng(0).normal(size=(500, 16))
        assert distances.fid_from_activations(a, a) == pytest.approx(0.0, abs=1e-6)

    def test_diagonal_gaussians_closed_form(self):
        mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
        s1, s2 = np.array([1.0, 4.0, 0.25]), np.array([2.0, 1.0, 9.0])
        expected = np.sum((mu1 - mu2) ** 2) + np.sum(s1 + s2 - 2 * np.sqrt(s1 * s2))
        value = distances.frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2))
        assert value == pytest.approx(expected, abs=1e-9)

    def test_scalar_gaussians(self):
        # 1-d: (m1 - m2)^2 + (sd1 - sd2)^2.
        value = distances.frechet_distance([0.0], [[4.0]], [3.0], [[1.0]])
        assert value == pytest.approx(9.0 + 1.0)

    def test_matches_scipy_sqrtm_reference(self):
        rng = np.random.default_rng(1)
        a = rng.normal(size=(600, 32)) @ rng.normal(size=(32, 32))
        b = rng.normal(size=(600, 32)) @ rng.normal(size=(32, 32)) + 0.3
        expected = scipy_fid(a, b)
        assert distances.fid_from_activations(a, b) == pytest.approx(expected, abs=1e-4, rel=1e-6)

    def test_fewer_samples_than_dims_is_finite_and_warns(self):
        rng = np.random.default_rng(2)
        a, b = rng.normal(size=(20, 64)), rng.normal(size=(20, 64)) + 1.0
        with pytest.warns(UserWarning, match="fewer samples than"):
            value = distances.fid_from_activations(a, b)
        assert np.isfinite(value) and value > 0
        mu1, s1 = distances.activation_statistics(a)
        mu2, s2 = distances.activation_statistics(b)
        with pytest.warns(UserWarning, match="singular"):
            assert np.isfinite(distances.frechet_distance(mu1, s1, mu2, s2))

    def test_well_conditioned_does_not_warn(self):
        a = np.random.default_rng(3).normal(size=(300, 8))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fid = distances.fid_from_activations(a, a + 1)
        # Same covariance, means 1 apart in each of 8 dimensions: FID = 8.
        assert fid == pytest.approx(8.0, rel=1e-6)

    def test_bad_shapes_raise(self):
        with pytest.raises(ValueError, match="sigma2"):
            distances.frechet_distance(np.zeros(3), np.eye(3), np.zeros(3), np.eye(2))
        with pytest.raises(ValueError, match="feature dimension"):
            distances.fid_from_activations(np.zeros((5, 3)), np.zeros((5, 4)))


class TestKernelInceptionDistance:
    def test_unbiased_for_same_distribution(self):
        # Average over independent draws: |mean| within 3 standard errors of 0.
        rng = np.random.default_rng(0)
        values = []
        for _ in range(20):
            a, b = rng.normal(size=(200, 8)), rng.normal(size=(200, 8))
            mean, _ = distances.kernel_inception_distance(
                a, b, num_subsets=10, subset_size=100, seed=1
            )
            values.append(mean)
        values = np.array(values)
        standard_error = values.std(ddof=1) / np.sqrt(len(values))
        assert abs(values.mean()) < 3 * standard_error

    def test_positive_for_shifted_distribution(self):
        rng = np.random.default_rng(0)
        a, b = rng.normal(size=(300, 8)), rng.normal(size=(300, 8)) + 0.5
        mean, std = distances.kernel_inception_distance(a, b, num_subsets=20, subset_size=200)
        assert mean > 10 * std > 0

    def test_matches_direct_formula_on_one_subset(self):
        rng = np.random.default_rng(4)
        x, y = rng.normal(size=(30, 5)), rng.normal(size=(30, 5)) + 0.2
        k = lambda p, q: (p @ q.T / 5 + 1) ** 3  # noqa: E731
        m = 30
        expected = (
            (k(x, x).sum() - np.trace(k(x, x))) / (m * (m - 1))
            + (k(y, y).sum() - np.trace(k(y, y))) / (m * (m - 1))
            - 2 * k(x, y).mean()
        )
        # A full-size subset is a permutation: the estimate is exact.
        mean, std = distances.kernel_inception_distance(x, y, num_subsets=3, subset_size=30)
        assert mean == pytest.approx(expected, rel=1e-9)
        assert std == pytest.approx(0.0, abs=1e-9)


class TestInceptionScore:
    def test_confident_uniform_predictions_give_num_classes(self):
        probs = np.eye(10)[np.arange(1000) % 10]
        mean, std = distances.inception_score(probs, splits=10)
        assert mean == pytest.approx(10.0, abs=1e-9)
        assert std == pytest.approx(0.0, abs=1e-9)

    def test_constant_predictions_give_one(self):
        probs = np.tile([0.2, 0.5, 0.3], (100, 1))
        assert distances.inception_score(probs, splits=5)[0] == pytest.approx(1.0)

    def test_rejects_logits(self):
        with pytest.raises(ValueError, match="softmax"):
            distances.inception_score(np.random.default_rng(0).normal(size=(10, 3)), splits=1)


class TestPrecisionRecall:
    def test_identical_sets(self):
        a = np.random.default_rng(0).normal(size=(300, 4))
        assert distances.precision_recall(a, a.copy(), k=3) == (1.0, 1.0)

    def test_half_of_the_modes(self):
        rng = np.random.default_rng(0)
        # 10 well-separated 2-d clusters, 200 points each; fake covers 5 of
        # them with the same density. k-NN balls miss a few tail points, so
        # the tolerances are 0.05 (measured: 0.976, 0.494).
        centers = rng.normal(size=(10, 2)) * 20.0
        real = centers[np.arange(2000) % 10] + rng.normal(size=(2000, 2))
        fake = centers[np.arange(1000) % 5] + rng.normal(size=(1000, 2))
        precision, recall = distances.precision_recall(real, fake, k=3)
        assert precision > 0.95
        assert recall == pytest.approx(0.5, abs=0.05)

    def test_blocked_computation_matches_dense(self, monkeypatch):
        rng = np.random.default_rng(5)
        real, fake = rng.normal(size=(120, 3)), rng.normal(size=(90, 3)) * 1.3
        dense = distances.precision_recall(real, fake, k=3)
        monkeypatch.setattr(distances, "_MAX_BLOCK_ENTRIES", 250)  # ~2 rows per block
        assert distances.precision_recall(real, fake, k=3) == dense
        d = scipy.spatial.distance.cdist(real, real)
        radii = np.sort(d, axis=1)[:, 3]
        inside = scipy.spatial.distance.cdist(fake, real) <= radii
        expected_precision = np.mean(np.any(inside, axis=1))
        assert dense[0] == pytest.approx(expected_precision)


def test_classifier_accuracy():
    logits = np.array([[2.0, 0.1], [0.0, 3.0], [1.0, 0.0], [0.0, 1.0]])
    assert distances.classifier_accuracy(logits, [0, 1, 1, 1]) == 0.75
