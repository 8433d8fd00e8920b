"""Score a generator against real images: FID, KID, IS, precision/recall, accuracy.

Generated samples are streamed: each chunk of `GENERATE_CHUNK` images is
featurised and folded into running statistics (FID: mean and covariance;
IS: per-split class sums; accuracy: a count), so memory does not grow with
`num_samples`. KID and precision/recall need feature rows: they keep at
most `max_feature_rows` of them (a uniform random subset once more are drawn).
"""

import numpy as np

from kerasgan.metrics import distances
from kerasgan.metrics.reference_statistics import ReferenceStatistics
from kerasgan.metrics.reference_statistics import reference_statistics

METRICS = ("fid", "kid", "is", "pr", "precision", "recall", "accuracy")

# Samples are generated (and featurised) this many at a time, so memory does
# not grow with `num_samples`; each chunk gets its own seed derived from `seed`.
GENERATE_CHUNK = 1000
#: The most samples `evaluate` draws: 10^8 InceptionV3 passes are days of GPU
#: time (FID is usually reported at 50,000); a larger count is a typo.
MAX_NUM_SAMPLES = 10**8
#: Default of `max_feature_rows`: the generated feature rows KID and
#: precision/recall keep (50,000, the count of the usual "FID50k" protocol;
#: 400 MB at InceptionV3's 2048 float32 features).
MAX_FEATURE_ROWS = 50_000


def check_num_samples(num_samples):
    """`num_samples` as an int in [2, MAX_NUM_SAMPLES] (an integral float such
    as 1e4 is accepted), else `ValueError`."""
    value = num_samples
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        value = int(value)
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, np.integer))
        or not 2 <= value <= MAX_NUM_SAMPLES
    ):
        raise ValueError(
            f"`num_samples` must be an integer in [2, {MAX_NUM_SAMPLES}] (MAX_NUM_SAMPLES). "
            f"Received: num_samples={num_samples!r}"
        )
    return int(value)


class _RunningMoments:
    """Mean and covariance of rows that arrive in chunks, in O(dim^2) memory
    (the pairwise update of Chan, Golub and LeVeque; float64).
    `statistics()` equals `distances.activation_statistics` of all rows."""

    def __init__(self):
        self.count = 0
        self.mean = None
        self.m2 = None  # sum of outer products of deviations from the mean

    def update(self, rows):
        x = np.asarray(rows, np.float64)
        n_b = x.shape[0]
        if n_b == 0:
            return
        mean_b = x.mean(axis=0)
        centered = x - mean_b
        m2_b = centered.T @ centered
        if self.count == 0:
            self.count, self.mean, self.m2 = n_b, mean_b, m2_b
            return
        n = self.count + n_b
        delta = mean_b - self.mean
        self.m2 = self.m2 + m2_b + np.outer(delta, delta) * (self.count * n_b / n)
        self.mean = self.mean + delta * (n_b / n)
        self.count = n

    def statistics(self):
        return self.mean, np.atleast_2d(self.m2 / (self.count - 1))


class _Reservoir:
    """At most `capacity` rows of a stream: all of them, in order, while they
    fit; then a uniform random subset (Algorithm R, seeded)."""

    def __init__(self, capacity, seed):
        self.capacity = int(capacity)
        self.rows = None
        self.seen = 0
        self._rng = np.random.default_rng(seed)

    def add(self, rows):
        rows = np.asarray(rows)
        if self.rows is None:
            self.rows = np.empty((self.capacity,) + rows.shape[1:], rows.dtype)
        fit = max(0, min(self.capacity - self.seen, rows.shape[0]))
        self.rows[self.seen : self.seen + fit] = rows[:fit]
        rest = rows[fit:]
        if rest.shape[0]:
            index = np.arange(self.seen + fit, self.seen + rows.shape[0])
            slot = self._rng.integers(0, index + 1)  # row i replaces slot j < capacity w.p. capacity/(i+1)
            keep = slot < self.capacity
            self.rows[slot[keep]] = rest[keep]
        self.seen += rows.shape[0]

    def result(self):
        return self.rows[: min(self.seen, self.capacity)]


class _RunningInceptionScore:
    """`distances.inception_score` of a stream of `num_samples` probability
    rows over `splits` consecutive parts (split as `np.array_split`), keeping
    per part only the class sums and the sum of p log p."""

    def __init__(self, num_samples, splits):
        if not 1 <= splits <= num_samples:
            raise ValueError(f"`is_splits` must be >= 1. Received: is_splits={splits}")
        sizes = np.full(splits, num_samples // splits)
        sizes[: num_samples % splits] += 1
        self.ends = np.cumsum(sizes)
        self.count = sizes.astype(np.float64)
        self.sum_p = None
        self.sum_p_log_p = np.zeros(splits)
        self.seen = 0

    def update(self, probabilities):
        p = np.asarray(probabilities, np.float64)
        if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
            raise ValueError(
                "The extractor's probabilities must be non-negative rows summing to 1."
            )
        if self.sum_p is None:
            self.sum_p = np.zeros((len(self.ends), p.shape[1]))
        split = np.searchsorted(self.ends, np.arange(self.seen, self.seen + p.shape[0]), side="right")
        with np.errstate(divide="ignore", invalid="ignore"):
            p_log_p = np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
        for s in np.unique(split):
            rows = split == s
            self.sum_p[s] += p[rows].sum(axis=0)
            self.sum_p_log_p[s] += p_log_p[rows].sum()
        self.seen += p.shape[0]

    def result(self):
        p_y = self.sum_p / self.count[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = np.where(self.sum_p > 0, self.sum_p * np.log(p_y), 0.0).sum(axis=1)
        scores = np.exp((self.sum_p_log_p - cross) / self.count)
        return float(np.mean(scores)), float(np.std(scores))


def expand_metrics(metrics):
    if isinstance(metrics, str):
        metrics = (metrics,)
    out = []
    for m in metrics:
        m = m.lower()
        if m not in METRICS:
            raise ValueError(f"Unknown metric. Expected some of {METRICS}. Received: {m!r}")
        for name in ("precision", "recall") if m == "pr" else (m,):
            if name not in out:
                out.append(name)
    if not out:
        raise ValueError("`metrics` is empty.")
    return out


def _chunk_seed(seed, index):
    if seed is None:
        return None
    return int(np.random.SeedSequence([int(seed), index]).generate_state(1)[0] % (2**31 - 1))


def _sample_fn(model_or_fn, batch_size):
    """(fn(n, seed, labels) -> images, num_classes) for models and callables:
    a kerasgan model's task says how it is sampled; any object with
    `generate(n, seed=..., labels=...)` and `num_classes` (an exported
    SavedModel's sampler) or a callable `fn(n, seed)` works too."""
    task = getattr(type(model_or_fn), "task", None)
    if task is not None:
        return task.sampler(model_or_fn, batch_size)
    if hasattr(model_or_fn, "generate"):
        return latent_sampler(model_or_fn, batch_size)
    if callable(model_or_fn):
        return (lambda n, seed, labels: model_or_fn(n, seed)), None
    raise ValueError(
        "Expected a kerasgan model (with `generate`) or a callable fn(n, seed) -> "
        f"images. Received: {type(model_or_fn).__name__}"
    )


def latent_sampler(model, batch_size):
    """How a latent -> image model is sampled for evaluation: `generate` with
    the chunk's seed and labels; `(fn, num_classes)`."""

    def fn(n, seed, labels):
        kwargs = {"seed": seed}
        if batch_size is not None:
            kwargs["batch_size"] = batch_size
        if labels is not None:
            kwargs["labels"] = labels
        return model.generate(n, **kwargs)

    return fn, getattr(model, "num_classes", None)


def default_extractor(include_top=False):
    """`InceptionV3Extractor("imagenet")` from the Keras cache (never downloads)."""
    from kerasgan.metrics.inception_v3_extractor import InceptionV3Extractor

    return InceptionV3Extractor("imagenet", include_top=include_top)


#: The golden ratio's fractional part: the step of `sample_labels`' Weyl sequence.
_GOLDEN = (5 ** 0.5 - 1) / 2


def sample_labels(num_samples, num_classes, class_frequencies=None, seed=0, start=0):
    """The labels `evaluate` generates for samples `start .. start + num_samples - 1`,
    int32 (any range of the run can be made alone, so a long run never holds
    every label).

    Balanced (`class_frequencies=None`): `0, 1, ..., K-1, 0, 1, ...`.
    Otherwise class `k` gets a share `w_k / sum(w)` of the samples: sample `i`
    takes the class whose cumulative-share interval holds
    `u_i = frac(offset + i * 0.618...)` (a Weyl sequence, `offset` drawn from
    `seed`), so every prefix of the run is within a few samples of the exact
    proportions, the classes are interleaved, and a class of weight 0 is never
    drawn.

    Raises:
        ValueError: for weights that are not `num_classes` finite
            non-negative numbers with a positive sum.
    """
    num_classes = int(num_classes)
    index = np.arange(start, start + num_samples, dtype=np.int64)
    if class_frequencies is None:
        return (index % num_classes).astype("int32")
    weights = np.asarray(class_frequencies, np.float64)
    if weights.shape != (num_classes,) or not np.all(np.isfinite(weights)) or np.any(weights < 0) \
            or weights.sum() <= 0:
        raise ValueError(
            f"`class_frequencies` must be {num_classes} finite non-negative weights (one per class) "
            f"with a positive sum. Received: {np.asarray(class_frequencies).tolist()!r}"
        )
    bounds = np.cumsum(weights / weights.sum())
    offset = np.random.default_rng(seed).random()
    u = np.mod(offset + index * _GOLDEN, 1.0)
    labels = np.searchsorted(bounds, u, side="right")
    return np.minimum(labels, num_classes - 1).astype("int32")


def evaluate(
    model_or_generate_fn,
    real,
    metrics=("fid", "kid", "is", "pr"),
    num_samples=10000,
    extractor=None,
    batch_size=100,
    seed=0,
    max_real=None,
    kid_subsets=100,
    kid_subset_size=1000,
    pr_k=3,
    is_splits=10,
    max_feature_rows=None,
    class_frequencies=None,
):
    """Draws `num_samples` images from a generator and scores them against real data.

    Args:
        model_or_generate_fn: a kerasgan GAN (its `generate(n, seed=...,
            labels=..., batch_size=...)` is used, so the EMA generator when it
            has one), or any callable `fn(n, seed) -> images [n, H, W, C]` in
            [-1, 1].
        real: real images (array `[N, H, W, C]` in [-1, 1] or an iterable of
            batches, e.g. `kerasgan.data.load(...)`), or `ReferenceStatistics`
            made with the same extractor (a different identity raises).
        metrics: any of `"fid"`, `"kid"`, `"is"`, `"pr"` (= `"precision"` and
            `"recall"`), `"accuracy"` (class-conditional models: samples are
            generated for balanced labels, or in `class_frequencies`, and
            classified by the extractor).
        num_samples: generated samples, an integer in [2, MAX_NUM_SAMPLES].
            FID depends on it (biased upwards at small N): report it and
            compare at equal N. Memory does not grow with it (beyond
            `max_feature_rows`).
        extractor: a `FeatureExtractor`; default `InceptionV3Extractor` from
            the Keras cache, with its ImageNet head when `"is"` is requested.
        batch_size: generation batch size.
        seed: seed of generation and of KID's subset sampling.
        max_real: use at most this many real images.
        kid_subsets, kid_subset_size, pr_k, is_splits: metric settings.
        max_feature_rows: the most generated feature rows kept for KID and
            precision/recall (default `MAX_FEATURE_ROWS`); with more samples
            they use a uniform random subset of this size (FID, IS and
            accuracy always use every sample).
        class_frequencies: class-conditional models: how often each class is
            sampled. None draws balanced labels `0, 1, ..., K-1, 0, ...`;
            the real data's class counts (`K` non-negative weights) draw the
            labels in those proportions instead (within a few samples; the
            order interleaved, depending on `seed`), so a model trained
            on unbalanced classes is compared with its real data as it is
            distributed, not with a balanced mixture of it. See
            `sample_labels`.

    Returns:
        A JSON-serialisable dict: one float per metric (`"fid"`, `"kid"`,
        `"is"`, `"precision"`, `"recall"`, `"accuracy"`), `"kid_std"`,
        `"is_std"`, and `"extractor"` (identity), `"extractor_name"`,
        `"num_samples"`, `"num_real"`, `"seed"`, and with KID or
        precision/recall `"fake_feature_rows"` (the generated rows they
        used). Turn it into `Score`s with
        `kerasgan.metrics.scores_from_results`.
    """
    names = expand_metrics(metrics)
    num_samples = check_num_samples(num_samples)
    max_feature_rows = MAX_FEATURE_ROWS if max_feature_rows is None else max_feature_rows
    if (
        isinstance(max_feature_rows, bool)
        or not isinstance(max_feature_rows, (int, np.integer))
        or max_feature_rows < 2
    ):
        raise ValueError(
            f"`max_feature_rows` must be an integer >= 2. Received: max_feature_rows={max_feature_rows!r}"
        )
    if extractor is None:
        extractor = default_extractor(include_top="is" in names)
    sample, num_classes = _sample_fn(model_or_generate_fn, batch_size)
    if "accuracy" in names and not num_classes:
        raise ValueError(
            "`accuracy` needs a class-conditional kerasgan model (with `num_classes`)."
        )
    needs_probs = "is" in names or "accuracy" in names
    needs_real_features = any(n in names for n in ("kid", "precision", "recall"))

    if isinstance(real, ReferenceStatistics):
        real.check_extractor(extractor)
        reference = real
    elif "fid" in names or needs_real_features:
        reference = reference_statistics(
            real, extractor, max_samples=max_real
        )
    else:
        reference = None
    if needs_real_features and reference.features is None:
        raise ValueError("KID and precision/recall need reference statistics with `features`.")

    moments = _RunningMoments() if "fid" in names else None
    rows = _Reservoir(min(max_feature_rows, num_samples), seed) if needs_real_features else None
    inception = _RunningInceptionScore(num_samples, min(is_splits, num_samples)) if "is" in names else None
    correct = 0
    if class_frequencies is not None and not num_classes:
        raise ValueError("`class_frequencies` is for class-conditional models (with `num_classes`).")
    if num_classes:
        sample_labels(1, num_classes, class_frequencies)  # bad weights fail before any sampling
    for index, start in enumerate(range(0, num_samples, GENERATE_CHUNK)):
        n = min(GENERATE_CHUNK, num_samples - start)
        # Balanced labels 0, 1, ... (or in class_frequencies), run on across chunks.
        chunk_labels = None
        if num_classes:
            chunk_labels = sample_labels(n, num_classes, class_frequencies, seed=seed, start=start)
        images = np.asarray(sample(n, _chunk_seed(seed, index), chunk_labels))
        if needs_probs:
            features, probs = extractor.features_and_probabilities(images)
        else:
            features, probs = extractor.features(images), None
        del images
        if moments is not None:
            moments.update(features)
        if rows is not None:
            rows.add(features)
        if inception is not None:
            inception.update(probs)
        if "accuracy" in names:
            correct += int(np.sum(np.argmax(probs, axis=1) == chunk_labels))

    results = {}
    if "fid" in names:
        mu, sigma = moments.statistics()
        results["fid"] = distances.frechet_distance(reference.mu, reference.sigma, mu, sigma)
    if "kid" in names:
        results["kid"], results["kid_std"] = distances.kernel_inception_distance(
            reference.features,
            rows.result(),
            num_subsets=kid_subsets,
            subset_size=kid_subset_size,
            seed=seed,
        )
    if "is" in names:
        results["is"], results["is_std"] = inception.result()
    if "precision" in names or "recall" in names:
        precision, recall = distances.precision_recall(reference.features, rows.result(), k=pr_k)
        if "precision" in names:
            results["precision"] = precision
        if "recall" in names:
            results["recall"] = recall
    if "accuracy" in names:
        results["accuracy"] = correct / num_samples
    if rows is not None:
        results["fake_feature_rows"] = int(rows.result().shape[0])
    results.update(
        extractor=extractor.identity,
        extractor_name=extractor.name,
        num_samples=num_samples,
        num_real=None if reference is None else reference.num_samples,
        seed=seed,
    )
    if num_classes:
        results["labels"] = "balanced" if class_frequencies is None else "class frequencies"
    return results


_ROWS = (
    ("fid", "FID", "lower is better"),
    ("kid", "KID", "lower is better"),
    ("is", "IS", "higher is better"),
    ("precision", "precision", "higher is better"),
    ("recall", "recall", "higher is better"),
    ("accuracy", "accuracy", "higher is better"),
)


def format_table(results):
    """A plain-text table of a results dict from `evaluate`, for the CLI."""
    lines = [f"{'metric':<10} {'value':>12} {'std':>10}  ", "-" * 46]
    for key, label, direction in _ROWS:
        if key in results:
            std = results.get(f"{key}_std")
            std_text = "" if std is None else f"{std:10.4g}"
            lines.append(f"{label:<10} {results[key]:>12.5g} {std_text:>10}  ({direction})")
    lines.append("-" * 46)
    name, _, digest = str(results.get("extractor", "?")).partition("@sha256:")
    lines.append(f"extractor:   {name} (sha256 {digest[:16]})")
    real = results.get("num_real")
    lines.append(
        f"samples:     {results.get('num_samples')} generated"
        + ("" if real is None else f", {real} real")
        + f", seed {results.get('seed')}"
    )
    return "\n".join(lines)
