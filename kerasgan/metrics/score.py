"""A score together with what it was measured with, and safe comparison."""

import dataclasses
import math
import warnings

# Direction of every metric `evaluate` can produce.
HIGHER_IS_BETTER = {
    "fid": False,
    "kid": False,
    "is": True,
    "precision": True,
    "recall": True,
    "accuracy": True,
}


def higher_is_better(metric):
    if metric not in HIGHER_IS_BETTER:
        raise ValueError(
            f"Unknown metric. Expected one of {sorted(HIGHER_IS_BETTER)}. "
            f"Received: metric={metric!r}"
        )
    return HIGHER_IS_BETTER[metric]


@dataclasses.dataclass(frozen=True)
class Score:
    """One metric value with the extractor identity and sample counts behind it.

    Attributes:
        metric: `"fid"`, `"kid"`, `"is"`, `"precision"`, `"recall"` or `"accuracy"`.
        value: the score (for KID / IS: the mean over subsets / splits).
        extractor: identity of the feature extractor, `"<name>@sha256:<hex>"`.
        num_samples: number of generated samples.
        std: spread over KID subsets / IS splits, else None.
        num_real: number of real samples behind the reference, if known.
    """

    metric: str
    value: float
    extractor: str
    num_samples: int
    std: float = None
    num_real: int = None

    @property
    def higher_is_better(self):
        return higher_is_better(self.metric)

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d):
        return cls(**{f.name: d.get(f.name) for f in dataclasses.fields(cls)})

    def is_better_than(self, other):
        """True when `self` beats `other` (same metric and extractor required)."""
        check_comparable(self, other)
        if other is None or math.isnan(other.value):
            return True
        if self.higher_is_better:
            return self.value > other.value
        return self.value < other.value


def scores_from_results(results):
    """`{metric: Score}` from a results dict returned by `kerasgan.metrics.evaluate`."""
    out = {}
    for metric in HIGHER_IS_BETTER:
        if metric in results:
            out[metric] = Score(
                metric=metric,
                value=float(results[metric]),
                extractor=results["extractor"],
                num_samples=int(results["num_samples"]),
                std=results.get(f"{metric}_std"),
                num_real=results.get("num_real"),
            )
    return out


def check_comparable(a, b):
    """Raises `ValueError` unless two scores measure the same thing the same way.

    Different metrics or extractor identities are refused: their numbers are
    on different scales. Different sample counts only warn, since FID's bias
    depends on N (compare FIDs at a fixed N).
    """
    if b is None:
        return
    if a.metric != b.metric:
        raise ValueError(f"Cannot compare a {a.metric!r} score with a {b.metric!r} score.")
    if a.extractor != b.extractor:
        raise ValueError(
            f"Cannot compare {a.metric} scores from different feature extractors: "
            f"{a.extractor} vs {b.extractor}. Recompute both with one extractor."
        )
    if a.num_samples != b.num_samples and a.metric == "fid":
        warnings.warn(
            f"Comparing FIDs from {a.num_samples} and {b.num_samples} samples: FID is "
            "biased upwards by an amount that depends on the sample count.",
            UserWarning,
            stacklevel=3,
        )


def compare(a, b, metric=None):
    """`a.value - b.value` after checking the two are comparable.

    `a` and `b` are `Score`s, or results dicts of `evaluate` together with
    `metric`. Raises `ValueError` when metrics or extractor identities differ.
    """
    if isinstance(a, dict):
        if metric is None:
            raise ValueError("Pass `metric` to compare two results dicts.")
        a = scores_from_results(a)[metric]
    if isinstance(b, dict):
        if metric is None:
            raise ValueError("Pass `metric` to compare two results dicts.")
        b = scores_from_results(b)[metric]
    check_comparable(a, b)
    return a.value - b.value
