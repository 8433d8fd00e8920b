"""Sample-quality scores computed from features or class probabilities.

Pure NumPy/SciPy functions: they take the activations of a feature extractor
(`[num_samples, feature_dim]`) or its class probabilities
(`[num_samples, num_classes]`) and return plain Python floats. All arithmetic
is done in float64. Which network produced the activations is recorded by the
callers (`kerasgan.metrics.evaluate`), never here: a score is only meaningful
next to the extractor that made it.
"""

import warnings

import numpy as np

# Pairwise distances are computed in row blocks of at most this many float64
# entries (64 MiB), so 10k x 10k precision/recall never holds an N x N matrix.
_MAX_BLOCK_ENTRIES = 8 * 1024 * 1024


def _as_2d_float64(x, name):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(
            f"`{name}` must be a 2D array [num_samples, dim]. "
            f"Received: {name}.shape={x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"`{name}` contains NaN or infinite values.")
    return x


def _activation_pair(activations1, activations2):
    """Both sets as float64 `[N, D]` arrays with the same feature dimension D."""
    a1 = _as_2d_float64(activations1, "activations1")
    a2 = _as_2d_float64(activations2, "activations2")
    if a1.shape[1] != a2.shape[1]:
        raise ValueError(
            "Both activation sets need the same feature dimension. Received: "
            f"activations1.shape={a1.shape}, activations2.shape={a2.shape}"
        )
    return a1, a2


def activation_statistics(activations):
    """Mean and covariance of activations, the Gaussian fitted by FID.

    Args:
        activations: array `[num_samples, dim]`.

    Returns:
        `(mu, sigma)`: float64 arrays `[dim]` and `[dim, dim]`; `sigma` is the
        unbiased sample covariance (`ddof=1`, as in the reference TTUR code).
    """
    a = _as_2d_float64(activations, "activations")
    if a.shape[0] < 2:
        raise ValueError(
            "`activations` needs at least 2 samples for a covariance. "
            f"Received: activations.shape={a.shape}"
        )
    mu = a.mean(axis=0)
    sigma = np.cov(a, rowvar=False)
    return mu, np.atleast_2d(sigma)


def _sqrt_psd(matrix):
    """Symmetric square root of a symmetric positive semi-definite matrix."""
    eigvals, eigvecs = np.linalg.eigh(matrix)
    eigvals = np.clip(eigvals, 0.0, None)
    return (eigvecs * np.sqrt(eigvals)) @ eigvecs.T


def _is_near_singular(sigma, rtol=1e-10):
    eigvals = np.linalg.eigvalsh(sigma)
    return eigvals[0] <= rtol * max(eigvals[-1], np.finfo(np.float64).tiny)


def trace_sqrt_product(sigma1, sigma2):
    """`Tr((sigma1 sigma2)^(1/2))` for two covariance matrices.

    `sigma1 sigma2` is not symmetric, but it is similar to the symmetric PSD
    matrix `M = sigma1^(1/2) sigma2 sigma1^(1/2)`, so both have the same
    (real, non-negative) eigenvalues and
    `Tr((sigma1 sigma2)^(1/2)) = sum_i sqrt(eigval_i(M))`. Two symmetric
    eigen-decompositions replace `scipy.linalg.sqrtm` of a non-symmetric
    product: no complex parts, no eps offset, and singular covariances give a
    finite, exact answer (the same trick as TF-GAN's `trace_sqrt_product`).
    """
    sqrt_sigma1 = _sqrt_psd(sigma1)
    m = sqrt_sigma1 @ sigma2 @ sqrt_sigma1
    m = 0.5 * (m + m.T)
    eigvals = np.clip(np.linalg.eigvalsh(m), 0.0, None)
    return float(np.sum(np.sqrt(eigvals)))


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """Fréchet distance between two Gaussians N(mu1, sigma1), N(mu2, sigma2).

    Reference: Heusel et al., "GANs Trained by a Two Time-Scale Update Rule
    Converge to a Local Nash Equilibrium", NeurIPS 2017 (FID); Dowson &
    Landau, 1982, for the closed form.

    Formula: d^2 = ||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))

    The matrix square root is taken through a symmetric eigen-decomposition
    (see `trace_sqrt_product`); it agrees with `scipy.linalg.sqrtm` on
    well-conditioned covariances and stays finite on singular ones. A singular
    or near-singular covariance (typically: fewer samples than feature
    dimensions) triggers a `UserWarning`, because FID is then dominated by
    estimation noise.

    Args:
        mu1, mu2: mean vectors `[dim]`.
        sigma1, sigma2: covariance matrices `[dim, dim]`.

    Returns:
        The squared Fréchet distance as a Python float (this is what is
        reported as "FID"), clipped at 0 against round-off.
    """
    mu1 = np.atleast_1d(np.asarray(mu1, dtype=np.float64))
    mu2 = np.atleast_1d(np.asarray(mu2, dtype=np.float64))
    sigma1 = np.atleast_2d(np.asarray(sigma1, dtype=np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, dtype=np.float64))
    if mu1.shape != mu2.shape or mu1.ndim != 1:
        raise ValueError(
            "`mu1` and `mu2` must be vectors of the same length. "
            f"Received: mu1.shape={mu1.shape}, mu2.shape={mu2.shape}"
        )
    dim = mu1.shape[0]
    for name, sigma in (("sigma1", sigma1), ("sigma2", sigma2)):
        if sigma.shape != (dim, dim):
            raise ValueError(
                f"`{name}` must be [{dim}, {dim}] to match the means. "
                f"Received: {name}.shape={sigma.shape}"
            )
    sigma1 = 0.5 * (sigma1 + sigma1.T)
    sigma2 = 0.5 * (sigma2 + sigma2.T)
    if _is_near_singular(sigma1) or _is_near_singular(sigma2):
        warnings.warn(
            "FID: a covariance matrix is singular or near singular: fewer "
            "samples than feature dimensions, or features that are constant "
            "over the samples (e.g. dead ReLU units). The distance is computed "
            "with a stable PSD square root and is finite; with too few samples "
            "it is dominated by estimation noise.",
            UserWarning,
            stacklevel=2,
        )
    diff = mu1 - mu2
    trace = np.trace(sigma1) + np.trace(sigma2)
    value = diff @ diff + trace - 2.0 * trace_sqrt_product(sigma1, sigma2)
    return float(max(value, 0.0))


def fid_from_activations(activations1, activations2):
    """Fréchet Inception Distance between two sets of activations.

    Formula: FID = frechet_distance(*activation_statistics(a1),
    *activation_statistics(a2)).

    FID estimated from N samples is biased upwards, by an amount that shrinks
    with N (roughly like 1/N); only compare values computed with the same N
    and the same extractor. `kernel_inception_distance` is unbiased.
    """
    a1, a2 = _activation_pair(activations1, activations2)
    if min(a1.shape[0], a2.shape[0]) <= a1.shape[1]:
        warnings.warn(
            f"FID from {a1.shape[0]} and {a2.shape[0]} samples of "
            f"{a1.shape[1]}-d features: fewer samples than dimensions gives a "
            "singular covariance; the value is finite but unreliable.",
            UserWarning,
            stacklevel=2,
        )
    mu1, sigma1 = activation_statistics(a1)
    mu2, sigma2 = activation_statistics(a2)
    with warnings.catch_warnings():
        # Already warned above with the sample counts.
        warnings.simplefilter("ignore", UserWarning)
        return frechet_distance(mu1, sigma1, mu2, sigma2)


def _polynomial_kernel(x, y):
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def kernel_inception_distance(
    activations1, activations2, num_subsets=100, subset_size=1000, seed=0
):
    """Kernel Inception Distance: unbiased squared MMD with a cubic kernel.

    Reference: Bińkowski et al., "Demystifying MMD GANs", ICLR 2018.

    Formula: k(x, y) = (x.y / d + 1)^3 and, for subsets X, Y of m samples,
    MMD^2_u = sum_{i!=j} k(x_i, x_j) / (m (m-1))
            + sum_{i!=j} k(y_i, y_j) / (m (m-1))
            - 2 sum_{i,j} k(x_i, y_j) / m^2.

    The estimate is averaged over `num_subsets` random subsets (drawn without
    replacement within each subset), which bounds memory and gives a spread.
    Unlike FID, its expectation does not depend on the number of samples, and
    it is 0 in expectation for two samples of the same distribution (so
    single estimates can be slightly negative).

    Args:
        activations1, activations2: arrays `[n1, d]`, `[n2, d]`.
        num_subsets: number of random subsets averaged.
        subset_size: samples per subset, capped at `min(n1, n2)`.
        seed: seed of the subset sampler (NumPy), for reproducible scores.

    Returns:
        `(mean, std)` of MMD^2_u over the subsets, Python floats.
    """
    a1, a2 = _activation_pair(activations1, activations2)
    if num_subsets < 1:
        raise ValueError(f"`num_subsets` must be >= 1. Received: num_subsets={num_subsets}")
    m = min(int(subset_size), a1.shape[0], a2.shape[0])
    if m < 2:
        raise ValueError(
            "KID needs subsets of at least 2 samples. Received: "
            f"subset_size={subset_size}, n1={a1.shape[0]}, n2={a2.shape[0]}"
        )
    rng = np.random.default_rng(seed)
    estimates = np.empty(num_subsets, dtype=np.float64)
    for i in range(num_subsets):
        x = a1[rng.choice(a1.shape[0], m, replace=False)]
        y = a2[rng.choice(a2.shape[0], m, replace=False)]
        k_xx = _polynomial_kernel(x, x)
        k_yy = _polynomial_kernel(y, y)
        k_xy = _polynomial_kernel(x, y)
        estimates[i] = (
            (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
            + (k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
            - 2.0 * k_xy.mean()
        )
    return float(estimates.mean()), float(estimates.std())


def inception_score(probabilities, splits=10):
    """Inception Score of class probabilities p(y|x).

    Reference: Salimans et al., "Improved Techniques for Training GANs",
    NeurIPS 2016.

    Formula: IS = exp(E_x[KL(p(y|x) || p(y))]), with p(y) the mean of p(y|x)
    over the split. Computed on `splits` equal, consecutive chunks.

    It ranges from 1 (every sample gets the same prediction) to the number of
    classes (confident predictions, spread uniformly over classes); higher is
    better.

    Args:
        probabilities: array `[num_samples, num_classes]`, rows summing to 1
            (softmax outputs, not logits).
        splits: number of chunks the score is averaged over.

    Returns:
        `(mean, std)` over the splits, Python floats.
    """
    p = _as_2d_float64(probabilities, "probabilities")
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError(
            "`probabilities` must be non-negative rows summing to 1 (apply a "
            "softmax to logits first)."
        )
    if not 1 <= splits <= p.shape[0]:
        raise ValueError(
            f"`splits` must be in [1, num_samples={p.shape[0]}]. Received: splits={splits}"
        )
    scores = []
    for part in np.array_split(p, splits):
        p_y = part.mean(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            kl = np.where(part > 0, part * (np.log(part) - np.log(p_y)), 0.0)
        scores.append(np.exp(kl.sum(axis=1).mean()))
    return float(np.mean(scores)), float(np.std(scores))


def _squared_norms(x):
    return np.einsum("ij,ij->i", x, x)


def _row_blocks(num_rows, num_cols):
    step = max(1, _MAX_BLOCK_ENTRIES // max(num_cols, 1))
    for start in range(0, num_rows, step):
        yield slice(start, min(start + step, num_rows))


def _pairwise_sq_dists(x, y, y_sq):
    d = _squared_norms(x)[:, None] + y_sq[None, :] - 2.0 * (x @ y.T)
    return np.maximum(d, 0.0)


def _knn_sq_radii(x, k):
    """Squared distance of each row of `x` to its k-th nearest other row."""
    x_sq = _squared_norms(x)
    radii = np.empty(x.shape[0], dtype=np.float64)
    for rows in _row_blocks(x.shape[0], x.shape[0]):
        d = _pairwise_sq_dists(x[rows], x, x_sq)
        # Index k, not k-1: the point itself is its own nearest neighbour (0).
        radii[rows] = np.partition(d, k, axis=1)[:, k]
    return radii


def _fraction_in_manifold(manifold, radii, queries):
    m_sq = _squared_norms(manifold)
    inside = np.zeros(queries.shape[0], dtype=bool)
    for rows in _row_blocks(queries.shape[0], manifold.shape[0]):
        d = _pairwise_sq_dists(queries[rows], manifold, m_sq)
        inside[rows] = np.any(d <= radii[None, :], axis=1)
    return float(inside.mean())


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall of generated samples.

    Reference: Kynkäänniemi et al., "Improved Precision and Recall Metric for
    Assessing Generative Models", NeurIPS 2019.

    Formula: the real manifold is the union of balls B(r_i, NND_k(r_i)), where
    NND_k is the distance to the k-th nearest other real sample; likewise for
    fake samples.
    precision = fraction of fake samples inside the real manifold (fidelity);
    recall    = fraction of real samples inside the fake manifold (coverage).

    Distances are computed in row blocks (<= 64 MiB each), so 10k x 10k sets
    need O(block x N) memory, never O(N^2).

    Args:
        real_features: array `[n_real, d]`.
        fake_features: array `[n_fake, d]`.
        k: neighbourhood size (the paper uses 3).

    Returns:
        `(precision, recall)`, Python floats in [0, 1]; higher is better.
    """
    real = _as_2d_float64(real_features, "real_features")
    fake = _as_2d_float64(fake_features, "fake_features")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            "Both feature sets need the same dimension. Received: "
            f"real_features.shape={real.shape}, fake_features.shape={fake.shape}"
        )
    if not 1 <= k < min(real.shape[0], fake.shape[0]):
        raise ValueError(
            f"`k` must be in [1, min(n_real, n_fake) - 1]. Received: k={k}, "
            f"n_real={real.shape[0]}, n_fake={fake.shape[0]}"
        )
    real_radii = _knn_sq_radii(real, k)
    fake_radii = _knn_sq_radii(fake, k)
    precision = _fraction_in_manifold(real, real_radii, fake)
    recall = _fraction_in_manifold(fake, fake_radii, real)
    return precision, recall


def classifier_accuracy(probabilities_or_logits, labels):
    """Fraction of samples whose arg-max class equals the requested label.

    For class-conditional generators: classify samples generated for `labels`
    with a classifier trained on real data. Arg-max is the same for logits and
    probabilities, so either can be passed.

    Formula: accuracy = mean(argmax_c p(c|x_i) == y_i).
    """
    p = np.asarray(probabilities_or_logits)
    labels = np.asarray(labels).reshape(-1)
    if p.ndim != 2 or p.shape[0] != labels.shape[0]:
        raise ValueError(
            "`probabilities_or_logits` must be [num_samples, num_classes] with one "
            f"label per sample. Received: shape={p.shape}, labels.shape={labels.shape}"
        )
    return float(np.mean(np.argmax(p, axis=1) == labels))
