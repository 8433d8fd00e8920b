"""Truncation sweeps: sample quality against the truncation threshold.

Truncation trades diversity for fidelity (Brock et al., 2019; Karras et al.,
2019): a smaller threshold gives more typical, less varied samples. FID
counts both, precision measures fidelity (how many samples fall inside the
real images' manifold) and recall diversity (how much of the real manifold
the samples cover), so a sweep shows the trade-off as numbers. It works for
every family with a truncation option: BigGAN's `generate(truncation=psi)`
(latents resampled inside [-psi, psi]; 0 = none) and StyleGAN's
`generate(truncation_psi=psi)` (w pulled towards its average; 1 = none).
`kerasgan evaluate MODEL --truncation-sweep 0.25,0.5,0.75,1 --plot sweep.png`
runs it from the command line.
"""

import math

#: Per family keyword: (the `generate` keyword, its value meaning "no truncation").
TRUNCATION_KEYWORDS = (("truncation", 0.0), ("truncation_psi", 1.0))


def truncation_keyword(model):
    """`(keyword, untruncated value)` of `model.generate`'s truncation
    option, or a ValueError naming the model when it has none."""
    serving = getattr(type(model), "serving_inputs", None) or {}
    for keyword, untruncated in TRUNCATION_KEYWORDS:
        if keyword in serving:
            return keyword, untruncated
    raise ValueError(
        f"{type(model).__name__} has no truncation option (BigGAN's `truncation`, StyleGAN's "
        "`truncation_psi`): a truncation sweep needs one."
    )


def _check_psis(psis):
    values = []
    for psi in psis:
        psi = float(psi)
        if not math.isfinite(psi) or psi <= 0:
            raise ValueError(f"Truncation thresholds must be finite numbers > 0. Received: {psi!r}")
        values.append(psi)
    if not values:
        raise ValueError("A truncation sweep needs at least one threshold.")
    return sorted(set(values))


def truncation_sweep(model, real, psis=(0.25, 0.5, 0.75, 1.0), extractor=None, metrics=None,
                     num_samples=2000, seed=0, include_untruncated=True, class_frequencies=None):
    """Scores `model`'s samples at each truncation threshold in `psis`.

    Every threshold scores the same latents (the same `seed`), so the rows
    differ only by truncation. `metrics` defaults to FID, precision and
    recall, plus class accuracy for a class-conditional model, whose labels
    are balanced or drawn in `class_frequencies` (as in
    `kerasgan.metrics.evaluate`).

    Returns:
        A list of dicts, one per threshold in increasing order (`psi` and
        the `kerasgan.metrics.evaluate` results), then, with
        `include_untruncated`, a row with `psi` None: the model without
        truncation.
    """
    from kerasgan.metrics.evaluation import default_extractor, evaluate
    from kerasgan.metrics.reference_statistics import ReferenceStatistics, reference_statistics

    keyword, untruncated = truncation_keyword(model)
    psis = _check_psis(psis)
    if metrics is None:
        metrics = ["fid", "pr"] + (["accuracy"] if getattr(model, "num_classes", None) else [])
    if extractor is None:
        extractor = default_extractor(include_top="is" in metrics)
    if not isinstance(real, ReferenceStatistics):
        real = reference_statistics(real, extractor)  # the real features once, not once per threshold
    rows = []
    for psi in psis + ([None] if include_untruncated else []):
        value = untruncated if psi is None else psi
        # A callable keeps evaluate's per-chunk seeds, so every threshold sees
        # the same latents; accuracy needs the model itself (labels), so the
        # model is wrapped only for the truncation keyword.
        scored = _Truncated(model, keyword, value)
        result = evaluate(scored, real, metrics=metrics, num_samples=num_samples, extractor=extractor, seed=seed,
                          class_frequencies=class_frequencies)
        result["psi"] = psi
        rows.append(result)
    return rows


class _Truncated:
    """`model` with its truncation keyword fixed: what `evaluate` calls
    `generate` on (same attributes otherwise, so class accuracy works)."""

    def __init__(self, model, keyword, value):
        self._model, self._keyword, self._value = model, keyword, value

    def __getattr__(self, name):
        return getattr(self._model, name)

    def generate(self, n, **kwargs):
        kwargs[self._keyword] = self._value
        return self._model.generate(n, **kwargs)


def sweep_table(rows):
    """A Markdown table of `truncation_sweep`'s rows."""
    keys = [k for k in ("fid", "precision", "recall", "accuracy", "kid", "is") if k in rows[0]]
    names = {"fid": "FID", "precision": "precision", "recall": "recall", "accuracy": "class accuracy",
             "kid": "KID", "is": "IS"}
    lines = ["| truncation psi | " + " | ".join(names[k] for k in keys) + " |",
             "|---|" + "---|" * len(keys)]
    for row in rows:
        psi = "none" if row["psi"] is None else f"{row['psi']:g}"
        lines.append(f"| {psi} | " + " | ".join(f"{row[k]:.3f}" if k != "fid" else f"{row[k]:.2f}" for k in keys)
                     + " |")
    return "\n".join(lines)


def sweep_picture(rows):
    """A PIL image of the sweep: FID against psi (the untruncated model as a
    flat reference line), then precision, recall (and class accuracy) on
    [0, 1]."""
    from kerasgan.callbacks.curves import draw_panels

    swept = [r for r in rows if r["psi"] is not None]
    xs = [r["psi"] for r in swept]
    base = next((r for r in rows if r["psi"] is None), None)
    fid = {"FID": [(r["psi"], r["fid"]) for r in swept]}
    if base is not None:
        fid["FID untruncated"] = [(min(xs), base["fid"]), (max(xs), base["fid"])]
    shares = {k: [(r["psi"], r[k]) for r in swept] for k in ("precision", "recall", "accuracy") if k in swept[0]}
    panels = [("FID against truncation psi (lower is better)", fid, None)]
    if shares:
        panels.append(("precision (fidelity), recall (diversity), class accuracy", shares, (0.0, 1.0)))
    return draw_panels(panels, "truncation psi (smaller: stronger truncation)")


def save_sweep_picture(rows, path):
    """Writes `sweep_picture(rows)` to `path` (PNG, atomically)."""
    from kerasgan.utils.atomic import atomic_write

    with atomic_write(str(path), "wb") as f:
        sweep_picture(rows).save(f, format="PNG")
    return path
