"""Score a generator against real images: FID, KID, IS, precision/recall, accuracy."""

import numpy as np

from kerasgan.metrics import distances
from kerasgan.metrics.reference_statistics import ReferenceStatistics
from kerasgan.metrics.reference_statistics import reference_statistics

METRICS = ("fid", "kid", "is", "pr", "precision", "recall", "accuracy")

# Samples are generated (and featurised) this many at a time, so memory does
# not grow with `num_samples`; each chunk gets its own seed derived from `seed`.
GENERATE_CHUNK = 1000


def _expand_metrics(metrics):
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
    """(fn(n, seed, labels) -> images, num_classes) for models and callables."""
    if hasattr(model_or_fn, "generate"):
        model = model_or_fn

        def fn(n, seed, labels):
            kwargs = {"seed": seed}
            if batch_size is not None:
                kwargs["batch_size"] = batch_size
            if labels is not None:
                kwargs["labels"] = labels
            return model.generate(n, **kwargs)

        return fn, getattr(model, "num_classes", None)
    if callable(model_or_fn):
        return (lambda n, seed, labels: model_or_fn(n, seed)), None
    raise ValueError(
        "Expected a kerasgan model (with `generate`) or a callable fn(n, seed) -> "
        f"images. Received: {type(model_or_fn).__name__}"
    )


def default_extractor(include_top=False):
    """`InceptionV3Extractor("imagenet")` from the Keras cache (never downloads)."""
    from kerasgan.metrics.inception_v3_extractor import InceptionV3Extractor

    return InceptionV3Extractor("imagenet", include_top=include_top)


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
            generated for balanced labels and classified by the extractor).
        num_samples: generated samples. FID depends on it (biased upwards at
            small N): report it and compare at equal N.
        extractor: a `FeatureExtractor`; default `InceptionV3Extractor` from
            the Keras cache, with its ImageNet head when `"is"` is requested.
        batch_size: generation batch size.
        seed: seed of generation and of KID's subset sampling.
        max_real: use at most this many real images.
        kid_subsets, kid_subset_size, pr_k, is_splits: metric settings.

    Returns:
        A JSON-serialisable dict: one float per metric (`"fid"`, `"kid"`,
        `"is"`, `"precision"`, `"recall"`, `"accuracy"`), `"kid_std"`,
        `"is_std"`, and `"extractor"` (identity), `"extractor_name"`,
        `"num_samples"`, `"num_real"`, `"seed"`. Turn it into `Score`s with
        `kerasgan.metrics.scores_from_results`.
    """
    names = _expand_metrics(metrics)
    if int(num_samples) < 2:
        raise ValueError(f"`num_samples` must be >= 2. Received: num_samples={num_samples}")
    num_samples = int(num_samples)
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

    labels = None
    if num_classes:
        labels = (np.arange(num_samples) % int(num_classes)).astype("int32")
    fake_features, fake_probs = [], []
    for index, start in enumerate(range(0, num_samples, GENERATE_CHUNK)):
        n = min(GENERATE_CHUNK, num_samples - start)
        chunk_labels = None if labels is None else labels[start : start + n]
        images = np.asarray(sample(n, _chunk_seed(seed, index), chunk_labels))
        if needs_probs:
            f, p = extractor.features_and_probabilities(images)
            fake_probs.append(p)
        else:
            f = extractor.features(images)
        fake_features.append(f)
    fake_features = np.concatenate(fake_features)

    results = {}
    if "fid" in names:
        mu, sigma = distances.activation_statistics(fake_features)
        results["fid"] = distances.frechet_distance(reference.mu, reference.sigma, mu, sigma)
    if "kid" in names:
        results["kid"], results["kid_std"] = distances.kernel_inception_distance(
            reference.features,
            fake_features,
            num_subsets=kid_subsets,
            subset_size=kid_subset_size,
            seed=seed,
        )
    if "is" in names:
        results["is"], results["is_std"] = distances.inception_score(
            np.concatenate(fake_probs), splits=min(is_splits, num_samples)
        )
    if "precision" in names or "recall" in names:
        precision, recall = distances.precision_recall(reference.features, fake_features, k=pr_k)
        if "precision" in names:
            results["precision"] = precision
        if "recall" in names:
            results["recall"] = recall
    if "accuracy" in names:
        results["accuracy"] = distances.classifier_accuracy(np.concatenate(fake_probs), labels)
    results.update(
        extractor=extractor.identity,
        extractor_name=extractor.name,
        num_samples=num_samples,
        num_real=None if reference is None else reference.num_samples,
        seed=seed,
    )
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
