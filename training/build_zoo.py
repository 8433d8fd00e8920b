"""Train, measure and package one zoo checkpoint from its recipe.

    .venv/bin/python training/build_zoo.py dcgan-mnist-32            # train + evaluate + package
    .venv/bin/python training/build_zoo.py dcgan-mnist-32 --dry-run  # print what it would run
    .venv/bin/python training/build_zoo.py --list

Steps (all recorded in the model card):
1. `kerasgan.trainer.train` with the recipe (run folder `runs/zoo/NAME`,
   resumable), or, for a recipe with a `script` (ProGAN, StyleGAN), that
   script's `train` (`training/progressive_mnist.py --out runs/zoo/NAME
   --family ...`; a finished run of the same family there is reused);
2. FID / KID (and class accuracy for conditional models) of 5,000 samples of
   the EMA generator against the recipe's real images, with the domain
   classifier `zoo/extractors/<dataset>-classifier.keras` (trained once here
   on the same real images, then reused so every entry is measured with the
   same weights); the FID of two disjoint halves of the real data is recorded
   next to it as the floor; a recipe with `truncation_psi` (StyleGAN) is
   measured once more, same samples' latents and protocol, at that psi;
3. `zoo/NAME/`: `model.keras`, `saved_model/1/` (TF Serving), `samples.png`,
   `README.md` (the card), StyleGAN's `truncation.png` and
   `style_mixing.png`, and the entry in the registry with SHA-256s.
"""

import argparse
import importlib
import json
import os
import pathlib
import shlex
import sys
import time

import kerasgan  # noqa: F401  (before TensorFlow: sets its oneDNN default)

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "training"))

from recipes import DATA_CARDS, RECIPES  # noqa: E402

NUM_EVAL_SAMPLES = 5000


def shell_command(recipe, name, shared):
    r = recipe
    if r.get("script"):
        parts = [".venv/bin/python", f"training/{r['script']}.py", "--out", f"runs/zoo/{name}"]
        for key, value in r["script_args"].items():
            parts += [f"--{key.replace('_', '-')}", str(value)]
        return " ".join(shlex.quote(p) for p in parts)
    parts = ["kerasgan", "train", r["family"], "--dataset", r["dataset"].format(shared=shared),
             *(["--labels-file", r["labels_file"].format(shared=shared)] if r.get("labels_file") else []),
             "--out", f"runs/zoo/{name}", "--epochs", str(r["epochs"]), "--image-size", str(r["image_size"]),
             "--batch-size", str(r["batch_size"]), "--latent-dim", str(r["latent_dim"])]
    for key, value in r["model_kwargs"].items():
        parts += ["--model", f"{key}={json.dumps(value)}"]
    for key, value in r["compile_kwargs"].items():
        parts += ["--compile", f"{key}={json.dumps(value)}"]
    return " ".join(shlex.quote(p) for p in parts)


def real_data(dataset, image_size, recipe, shared):
    """All real images (and labels) of a dataset at the recipe's size, as arrays.

    Labels come from the dataset itself, or from the recipe's `labels`
    function (emoji: Emojibase groups, -1 where unknown)."""
    import kerasgan

    if recipe.get("labels") == "emoji_groups":
        import recipes

        images, _ = kerasgan.data.load_arrays(dataset, image_size)
        return images, recipes.emoji_groups(dataset, f"{shared}/emoji/emojibase.data.json")
    with_labels = kerasgan.data.info(dataset).num_classes is not None
    return kerasgan.data.load_arrays(dataset, image_size, with_labels=with_labels)


def domain_classifier(dataset_key, images, labels):
    from kerasgan.metrics import DomainClassifier

    path = REPO / "zoo" / "extractors" / f"{dataset_key}-classifier.keras"
    if path.exists():
        return DomainClassifier.load(path, name=f"{dataset_key}-classifier"), path
    known = labels >= 0  # emoji without a group are left out of the classifier's training
    classifier = DomainClassifier.train(
        images[known], labels[known], epochs=6, seed=0, name=f"{dataset_key}-classifier"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    classifier.save(path)
    return DomainClassifier.load(path, name=f"{dataset_key}-classifier"), path


def measure(model, images, labels, extractor, truncation_psi=None, class_frequencies=None):
    """The zoo's protocol: FID/KID (class accuracy) of 5,000 samples, seed 0,
    against every real image, and the real-halves floor. With
    `truncation_psi`, also `fid_psi` / `kid_psi` / `kid_std_psi` of samples
    drawn at that psi from the same latents (`evaluate` draws the same
    per-chunk seeds for a callable as for the model)."""
    import numpy as np

    from kerasgan import metrics

    wanted = ["fid", "kid"] + (["accuracy"] if model.num_classes else [])
    results = metrics.evaluate(model, images, metrics=wanted, num_samples=NUM_EVAL_SAMPLES,
                               extractor=extractor, seed=0, class_frequencies=class_frequencies)
    if truncation_psi is not None:
        def truncated(n, seed):
            return model.generate(n, seed=seed, batch_size=100, truncation_psi=truncation_psi)

        trunc = metrics.evaluate(truncated, images, metrics=("fid", "kid"),
                                 num_samples=NUM_EVAL_SAMPLES, extractor=extractor, seed=0)
        results.update(truncation_psi=float(truncation_psi), fid_psi=trunc["fid"],
                       kid_psi=trunc["kid"], kid_std_psi=trunc["kid_std"])
    order = np.random.default_rng(0).permutation(len(images))
    half = len(images) // 2
    floor = metrics.fid_from_activations(extractor.features(images[order[:half]]),
                                         extractor.features(images[order[half:]]))
    results["fid_real_halves"] = float(floor)
    return results


#: Seeds and settings of StyleGAN's extra pictures (cheap: a few dozen images).
TRUNCATION_PSIS = (1.0, 0.85, 0.7, 0.5, 0.3, 0.0)
TRUNCATION_SEEDS = tuple(range(8))
MIX_COARSE_SEEDS = (10, 11, 12, 13, 14)
MIX_FINE_SEEDS = (20, 21, 22, 23, 24, 25)


def mix_crossover(model):
    """The first style layer of the 16x16 block: the coarse seed gives the
    4x4 and 8x8 styles, the fine seed the rest."""
    from kerasgan.models.stylegan import num_ws_for

    return num_ws_for(16) - (3 if model.style_mode == "modulated" else 2)


def save_style_pictures(model, folder):
    """`truncation.png` (one row per seed, psi 1 -> 0 left to right) and
    `style_mixing.png` (top row: the fine seeds; left column: the coarse
    seeds; each cell: that row's coarse styles with that column's fine
    styles). Returns the card's section about them."""
    import numpy as np
    import tensorflow as tf

    from kerasgan.utils import save_image_grid

    z = tf.concat([model.sample_latents(1, seed=s) for s in TRUNCATION_SEEDS], axis=0)
    strip = np.stack([model.generate(len(TRUNCATION_SEEDS), latents=z, truncation_psi=psi).numpy()
                      for psi in TRUNCATION_PSIS], axis=1)  # [seeds, psis, H, W, C]
    save_image_grid(strip.reshape((-1,) + strip.shape[2:]), folder / "truncation.png",
                    columns=len(TRUNCATION_PSIS))
    crossover = mix_crossover(model)
    coarse = np.concatenate([model.mix_styles([s], [s], crossover).numpy() for s in MIX_COARSE_SEEDS])
    fine = np.concatenate([model.mix_styles([s], [s], crossover).numpy() for s in MIX_FINE_SEEDS])
    rows = [np.concatenate([np.zeros_like(fine[:1]), fine])]  # a grey corner cell
    for i, s in enumerate(MIX_COARSE_SEEDS):
        mixed = model.mix_styles([s] * len(MIX_FINE_SEEDS), list(MIX_FINE_SEEDS), crossover).numpy()
        rows.append(np.concatenate([coarse[i : i + 1], mixed]))
    save_image_grid(np.concatenate(rows), folder / "style_mixing.png", columns=len(MIX_FINE_SEEDS) + 1)
    psis = ", ".join(f"{p:g}" for p in TRUNCATION_PSIS)
    return STYLE_SECTION.format(psis=psis, seeds=len(TRUNCATION_SEEDS), crossover=crossover,
                                last_coarse=crossover - 1, last=model.num_ws - 1)


STYLE_SECTION = """## Truncation and style mixing

![truncation](truncation.png)

`truncation.png`: {seeds} seeds (rows) at truncation psi = {psis} (columns):
`gan.generate(n, latents=z, truncation_psi=psi)`; psi = 0 is the average-w
image, the same for every seed.

![style mixing](style_mixing.png)

`style_mixing.png`: top row, the fine seeds' images; left column, the
coarse seeds'; each other cell takes the style layers 0..{last_coarse} (4x4
and 8x8) from its row's seed and the layers {crossover}..{last} from its
column's seed: `gan.mix_styles(seeds_coarse, seeds_fine, crossover={crossover})`.

"""


def clone_without_ema(model):
    """The trained `model` without its EMA networks: the same config with
    `ema_decay=None`, the raw networks' weights and both optimizers' state
    (so `model.keras` still resumes). The raw networks train the same with
    or without the EMA copy, which is only read from them."""
    config = model.get_config()
    config["ema_decay"] = None
    clone = type(model).from_config(config)
    clone.compile_from_config(model.get_compile_config())
    for name in model.network_names:
        if not name.startswith("ema_"):
            clone.get_network(name).set_weights(model.get_network(name).get_weights())
    for role in ("discriminator", "generator"):
        ours, theirs = clone.optimizer_for(role), model.optimizer_for(role)
        if len(ours.variables) != len(theirs.variables):
            raise RuntimeError(f"the {role} optimizers differ: {len(ours.variables)} vs {len(theirs.variables)}")
        for a, b in zip(ours.variables, theirs.variables):
            a.assign(b)
    return clone


def without_ema(model):
    """`clone_without_ema(model)`, checked to generate exactly what the raw
    generator does. For recipes whose measured raw generator beats the EMA
    one (`ship="raw"`)."""
    import numpy as np

    clone = clone_without_ema(model)
    probe = {"labels": [i % model.num_classes for i in range(8)]} if model.num_classes else {}
    model.ema_networks, saved = (), model.ema_networks
    try:
        np.testing.assert_array_equal(np.asarray(clone.generate(8, seed=0, **probe)),
                                      np.asarray(model.generate(8, seed=0, **probe)))
    finally:
        model.ema_networks = saved
    return clone


#: BigGAN's standing statistics before measuring and packaging.
STANDING_STATISTICS = {"n_batches": 32, "batch_size": 100, "seed": 0}

STANDING_SECTION = """## Standing statistics

The shipped EMA generator's batch-norm statistics were re-estimated after
training (`gan.recompute_batch_norm_statistics(n_batches={n_batches},
batch_size={batch_size}, seed={seed}{frequencies_arg})`, Brock et al. 2019, appendix C): the
average batch statistics of generated batches replace the moving averages
that training left.{frequencies_note} Same protocol: FID {before:.2f} before, {after:.2f} after;
class accuracy {acc_before:.3f} before, {acc_after:.3f} after. The table above
is the model as shipped (after).

"""

RAW_SECTION = """## Raw generator, not the EMA one

The run kept an EMA copy of the generator (decay {ema_decay}); measured with
the same protocol, the raw generator is better, so this entry ships the raw
one (`model.keras` has no EMA copy; `training/build_zoo.py` drops it after
training, keeping the optimizer state):

| generator | FID | KID | class accuracy |
|---|---|---|---|
| raw (shipped) | {fid:.2f} | {kid:.4f} | {acc:.3f} |
| EMA {ema_decay} | {ema_fid:.2f} | {ema_kid:.4f} | {ema_acc:.3f} |

"""

ATTENTION_LABELS = (0, 3, 7, 8)


def save_attention_section(model, folder, name):
    """`attention.png` (where the EMA generator's self-attention looks, for
    four query pixels of four samples) and the card's section about it."""
    from kerasgan.attention import DEFAULT_QUERIES, save_attention_picture

    result = save_attention_picture(model, folder / "attention.png", n=len(ATTENTION_LABELS), seed=0,
                                     labels=list(ATTENTION_LABELS) if model.num_classes else None)
    r = result["resolution"]
    queries = ", ".join(f"({row}, {col})" for row, col in result["cells"])
    # How far from uniform the maps are: the largest weight against the uniform 1/N.
    peak = float(result["maps"].max(axis=(2, 3)).mean()) * r * r
    return ATTENTION_SECTION.format(name=name, resolution=r, queries=queries, peak=peak,
                                    labels=", ".join(map(str, ATTENTION_LABELS)),
                                    fractions=", ".join(f"({a:g}, {b:g})" for a, b in DEFAULT_QUERIES))


ATTENTION_SECTION = """## Where the attention looks

![attention](attention.png)

`attention.png`: four samples (classes {labels}, seed 0), one per row. First
column: the sample with four query pixels marked; then, for each query, the
attention weights of the generator's self-attention layer ({resolution}x{resolution}
positions) over the image, brightest where that query position draws most of
its features from. The queries are the cells {queries} of the attention grid
(fractions {fractions} of the image). On average a query's largest weight is
{peak:.1f}x the uniform 1/{resolution}^2. Made with `kerasgan sample zoo/{name}/model.keras
--attention attention.png` (or `kerasgan.attention.attention_maps`).

"""


def save_truncation_sweep(model, folder, images, extractor, psis, name, class_frequencies=None):
    """`truncation_sweep.png` and the card's section: FID, precision, recall
    and class accuracy at each threshold, same latents."""
    from kerasgan.metrics import sweep

    rows = sweep.truncation_sweep(model, images, psis, extractor=extractor, num_samples=NUM_EVAL_SAMPLES, seed=0,
                                  class_frequencies=class_frequencies)
    sweep.save_sweep_picture(rows, folder / "truncation_sweep.png")
    keyword, _ = sweep.truncation_keyword(model)
    return TRUNCATION_SWEEP_SECTION.format(
        name=name, table=sweep.sweep_table(rows), keyword=keyword, num_samples=NUM_EVAL_SAMPLES,
        psis=",".join(f"{p:g}" for p in psis))


TRUNCATION_SWEEP_SECTION = """## Truncation sweep

![truncation sweep](truncation_sweep.png)

The same protocol ({num_samples} samples, seed 0, the same latents for every
row, same extractor and real images) with the latents truncated at psi
(`gan.generate(n, seed=..., {keyword}=psi)`: each latent coordinate redrawn
until it lies in [-psi, psi]); `none` is the untruncated model of the table
above. Precision and recall are Kynkäänniemi et al.'s (k = 3, on the
extractor's features): precision is the share of samples inside the real
images' manifold (fidelity), recall the share of real images inside the
samples' manifold (diversity).

{table}

Measured with `kerasgan evaluate {name} --truncation-sweep {psis} --num-samples {num_samples} --plot
truncation_sweep.png`.

"""


def comparison_section(recipe, results):
    """The card's section comparing with the zoo entry named in the recipe's
    `compare_with` (its registry metrics, same extractor)."""
    from kerasgan import zoo

    other = recipe.get("compare_with")
    if not other:
        return ""
    theirs = zoo.info(other)["metrics"]
    rows = [f"| FID | {results['fid']:.2f} | {theirs['fid']:.2f} |",
            f"| KID | {results['kid']:.4f} | {theirs['kid']:.4f} |"]
    if "accuracy" in results and "accuracy" in theirs:
        rows.append(f"| class accuracy | {results['accuracy']:.3f} | {theirs['accuracy']:.3f} |")
    return (f"## Against `{other}`\n\nSame data, extractor and protocol ({other}'s numbers from its "
            f"registry entry):\n\n| metric | this entry | `{other}` |\n|---|---|---|\n" + "\n".join(rows)
            + "\n\n")


CARD = """# {name}

{description}

![samples](samples.png)

| | |
|---|---|
| family | `{family}` (`kerasgan.models.{cls}`) |
| resolution | {size}x{size}, {channels} channel(s), images in [-1, 1] |
| latent | {latent_dim}-d standard normal{conditional} |
| training data | {data_card} |
| data licence | {licence} |
| training | {training} |
{configuration}| weights shipped | {weights} |
| files | `model.keras` (Keras, resumable), `saved_model/1/` (TF Serving: `serving_default`, `generate_from_seed`{serving_inputs}) |

## Quality (measured, {num_samples} samples, seed 0)

| metric | value |
|---|---|
{metric_rows}

Extractor: `{extractor}`, a small CNN trained by kerasgan on the same real
images (`zoo/extractors/{extractor_file}`): these numbers compare only with
numbers from that extractor, never with published Inception FIDs. FID and KID
compare {num_samples} samples with all {num_real} real images; `FID (real
halves)` compares two disjoint halves of the real images with each other, the
floor that a perfect generator would reach at about this sample size.

{truncation_note}{phases_section}{style_section}{notes_section}## Reproduce

The quality numbers above, from the repository root with the real data in
`../shared/data` (the entry's extractor `zoo/extractors/{extractor_file}` and real
images `{eval_dataset}` are the defaults for a zoo name; spelled out:
`--extractor zoo/extractors/{extractor_file} --dataset {eval_dataset}{eval_labels}`). `FID (real halves)` is
measured by `training/build_zoo.py` only.{eval_labels_note}

```bash
kerasgan evaluate {name} --num-samples {num_samples} --seed 0 --metrics {eval_metrics}
```

Training:

```bash
{command}
```

or `python training/build_zoo.py {name}` (trains, measures and packages).
Configuration: `model.keras` holds the full model config; the recipe is
`training/recipes.py`.

## Use

```python
import kerasgan
gan = kerasgan.zoo.load("{name}")
images = gan.generate(16, seed=0{labels_example}){use_extra}
```
"""


PHASES_SECTION = """## Training phases

As `training/{script}.py` measures it at the end of every phase: FID of 2,000
samples against the first 2,000 real images at the phase's resolution (both
resized to the extractor's 32x32 input), same extractor. Each phase is
measured against what it can represent (a 4x4 digit is easy to match), so
these numbers are not comparable with each other, nor with the 5,000-sample
FID above.

| phase | images seen | FID (2,000 samples) | training time so far |
|---|---|---|---|
{rows}

"""


TRUNCATION_NOTE = """The truncated rows are extra: the same protocol (the same 5,000 latents,
extractor and real images) with every style pulled towards the average w,
`w' = w_avg + {psi:g} (w - w_avg)` on all layers (`gan.generate(n, seed=...,
truncation_psi={psi:g})`). Truncation trades variety for typical-looking
samples, so only the untruncated FID/KID compare with the other zoo entries.

"""


def hardware():
    from hosts import host

    return host()


def training_facts(recipe, model, run):
    """The card's `training` row and `Training phases` section."""
    if not recipe.get("script"):
        text = (f"{recipe['epochs']} epochs at batch {recipe['batch_size']} "
                f"({recipe['epochs'] * run['steps_per_epoch']} steps), "
                f"{run.get('train_seconds', '?')} s on {hardware()}")
        return text, ""
    phases = run["phases"]
    args = recipe["script_args"]
    final = run.get("final_stabilize_images")
    final_phase = f", the last stabilises for {final:,}" if final else ""
    text = (f"{run['images_seen']:,} images at batch {recipe['batch_size']}: "
            f"{model.start_resolution}x{model.start_resolution} -> "
            f"{model.target_resolution}x{model.target_resolution} in {len(phases)} phases of "
            f"{args['fade_in']:,} fade-in + {args['stabilize']:,} stabilising images (the first "
            f"only stabilises{final_phase}); {run['train_seconds']:.0f} s on {run['hardware']} (training "
            f"only; the per-phase evaluations took {run['wall_seconds'] - run['train_seconds']:.0f} s more)")
    rows = "\n".join(
        f"| {p['resolution']}x{p['resolution']} | {p['images_seen']:,} | {p['fid']:.2f} | "
        f"{p['train_seconds']:.0f} s |" for p in phases
    )
    return text, PHASES_SECTION.format(script=recipe["script"], rows=rows)


def configuration_row(recipe, model):
    """The card's `configuration` row (StyleGAN: its settings, read back
    from the trained model; other families: none, `model.keras` holds it)."""
    if recipe["family"] != "stylegan":
        return ""
    compiled = model.get_compile_config()
    adam = compiled["g_optimizer"]["config"]
    why = recipe.get("style_mode_note", "")
    return (
        f"| configuration | `style_mode=\"{model.style_mode}\"`{why}; mapping network "
        f"{model.mapping_layers} layers (lr multiplier {model.mapping_lr_multiplier:g}), "
        f"w {model.w_dim}-d; {model.filters[-1]} filters per layer; style mixing "
        f"{model.style_mixing_prob:g}; generator EMA {model.ema_decay:g}; w_avg decay "
        f"{model.w_avg_beta:g}; loss `{compiled['loss']}`, lazy R1 gamma {compiled['r1_weight']:g} "
        f"every {compiled['r1_interval']} steps; Adam(lr {adam['learning_rate']:.0e}, "
        f"beta_1 {adam['beta_1']:g}, beta_2 {adam['beta_2']:g}) for both networks |\n"
    )


def write_card(folder, name, recipe, model, results, run, extractor_path, command, style_section=""):
    rows = [f"| FID | {results['fid']:.2f} |",
            f"| FID (real halves) | {results['fid_real_halves']:.2f} |",
            f"| KID | {results['kid']:.4f} ± {results['kid_std']:.4f} |"]
    if "accuracy" in results:
        rows.append(f"| class accuracy of conditional samples | {results['accuracy']:.3f} |")
    if "accuracy_real" in results:
        rows.append(f"| the same classifier's accuracy on the real images (its training data) | "
                    f"{results['accuracy_real']:.3f} |")
    truncation_note = ""
    if "fid_psi" in results:
        psi = results["truncation_psi"]
        rows += [f"| FID, truncated: psi = {psi:g} (extra row, see below) | {results['fid_psi']:.2f} |",
                 f"| KID, truncated: psi = {psi:g} (extra row, see below) | "
                 f"{results['kid_psi']:.4f} ± {results['kid_std_psi']:.4f} |"]
        truncation_note = TRUNCATION_NOTE.format(psi=psi)
    training, phases_section = training_facts(recipe, model, run)
    if model.ema_generator is not None:
        weights = ("the EMA generator (`generate` uses it); the discriminator and optimizer state "
                   "are in `model.keras` for fine-tuning")
    else:
        weights = ("the generator (no EMA copy is shipped); the discriminator and optimizer "
                   "state are in `model.keras` for fine-tuning")
    serving = getattr(type(model), "serving_inputs", None) or {}
    serving_inputs = "".join(
        f"; both also take the scalar `{key}`, {spec[0]}, default {float(spec[1])!r}, which "
        "`kerasgan.zoo.load(..., format=\"saved_model\")` fills in when a call leaves it out"
        for key, spec in serving.items()
    )
    use_extra = ""
    if "truncation_psi" in serving:
        use_extra = ("\ntruncated = gan.generate(16, seed=0, truncation_psi=0.7)\n"
                     f"served = kerasgan.zoo.load(\"{name}\", format=\"saved_model\")\n"
                     "served.signatures[\"generate_from_seed\"](seed=0, num_images=16)  # truncation_psi=1.0\n"
                     "served.signatures[\"generate_from_seed\"](seed=0, num_images=16, truncation_psi=0.7)")
    text = CARD.format(
        configuration=configuration_row(recipe, model), serving_inputs=serving_inputs,
        truncation_note=truncation_note, style_section=style_section, use_extra=use_extra,
        notes_section=f"## Notes\n\n{recipe['card_notes'].strip()}\n\n" if recipe.get("card_notes") else "",
        name=name, description=recipe["description"], family=recipe["family"], cls=type(model).__name__,
        size=recipe["image_size"], channels=model.image_shape[-1], latent_dim=recipe["latent_dim"],
        conditional=f"; labels 0..{model.num_classes - 1}" if model.num_classes else "",
        data_card=DATA_CARDS[recipe["dataset"]]["dataset"],
        licence=DATA_CARDS[recipe["dataset"]]["licence"], training=training, weights=weights,
        phases_section=phases_section, num_samples=results["num_samples"], num_real=results["num_real"], metric_rows="\n".join(rows), extractor=results["extractor"],
        extractor_file=extractor_path.name, command=command, name_=name,
        eval_dataset=recipe["dataset"].replace("{shared}", "../shared/data"),
        eval_labels="" if recipe.get("label_distribution") != "data" else
        f" --labels-file {recipe['labels_file'].replace('{shared}', '../shared/data')} --sample-labels data",
        eval_labels_note="" if recipe.get("label_distribution") != "data" else
        "\nThe conditional samples' labels follow the real images' class proportions "
        "(`--sample-labels data`: the counts of the labels `--labels-file` gives), not a "
        "balanced mixture: the classes are unbalanced.",
        eval_metrics="fid,kid" + (",accuracy" if "accuracy" in results else ""),
        labels_example=", labels=[0, 1, 2, 3] * 4" if model.num_classes else "",
    )
    (folder / "README.md").write_text(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", nargs="?")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--precision", default="float32", choices=("float32", "bf16", "fp16"),
                        help="train the recipe in this precision into runs/zoo/NAME-PRECISION and only "
                             "measure it (results.json there; zoo/ is left alone), e.g. to compare bf16 "
                             "with the float32 entry")
    parser.add_argument("--measure-only", action="store_true",
                        help="like --precision: train into runs/zoo/NAME-PRECISION (float32 too) and only "
                             "measure, e.g. a second float32 run to see the run-to-run spread")
    args = parser.parse_args(argv)
    args.measure_only = args.measure_only or args.precision != "float32"
    if args.list or not args.name:
        for name, recipe in RECIPES.items():
            print(f"{name:20s} {recipe['description']}")
        return 0
    if args.name not in RECIPES:
        parser.error(f"unknown recipe {args.name!r}; known: {', '.join(RECIPES)}")
    recipe = RECIPES[args.name]
    command = shell_command(recipe, args.name, "../shared/data")
    if args.measure_only:
        if recipe.get("script"):
            parser.error(f"--precision is for `kerasgan train` recipes; {args.name} is trained by a script")
        command = command.replace(f"runs/zoo/{args.name}", f"runs/zoo/{args.name}-{args.precision}")
        if args.precision != "float32":
            command += f" --precision {args.precision}"
    if args.dry_run:
        print(command)
        return 0

    import kerasgan
    from kerasgan import export, trainer
    from kerasgan.utils import save_image_grid

    dataset = recipe["dataset"].format(shared=args.shared)
    run_dir = REPO / "runs" / "zoo" / (f"{args.name}-{args.precision}" if args.measure_only else args.name)
    extra = {}
    if recipe.get("script"):
        script = importlib.import_module(recipe["script"])
        model, run = script.load_finished(run_dir, **recipe["script_args"])
        if model is None:
            model, run = script.train(args.shared, run_dir, **recipe["script_args"], command=command)
        else:
            print(f"Reusing the finished run in {run_dir}")
        extra = dict(
            train_seconds=run["train_seconds"], hardware=run["hardware"],
            phases=[{k: p[k] for k in ("resolution", "images_seen", "fid")} for p in run["phases"]],
        )
    else:
        # A recipe with a `labels_file` trains on the folder labelled by it
        # (`kerasgan train --labels-file`); it is measured against the whole folder.
        train_data = (kerasgan.data.LabelledFolder(dataset, recipe["labels_file"].format(shared=args.shared))
                      if recipe.get("labels_file") else dataset)
        model, _ = trainer.train(
            family=recipe["family"], dataset=train_data, out=str(run_dir), epochs=recipe["epochs"],
            image_size=recipe["image_size"], batch_size=recipe["batch_size"], latent_dim=recipe["latent_dim"],
            model_kwargs=recipe["model_kwargs"], compile_kwargs=recipe["compile_kwargs"], verbose=2,
            command=command, precision=args.precision,
        )
        run = json.loads((run_dir / "run.json").read_text())
    images, labels = real_data(dataset, recipe["image_size"], recipe, args.shared)
    extractor, extractor_path = domain_classifier(recipe["extractor"], images, labels)
    import numpy as np

    frequencies = None
    if recipe.get("label_distribution") == "data":
        # Unbalanced classes: samples are drawn in the real images' class proportions.
        frequencies = np.bincount(labels[labels >= 0], minlength=model.num_classes)
    start = time.time()
    ema_results = None
    if recipe.get("ship") == "raw" and model.ema_decay is not None:
        # Measured both: the recipe ships the raw generator (card_notes say why).
        ema_results = measure(model, images, labels, extractor, class_frequencies=frequencies)
        model = without_ema(model)
    before_standing = None
    if recipe.get("standing_statistics"):
        # BigGAN's standing statistics: the FID of the EMA generator with the
        # batch-norm statistics training left, then re-estimated.
        before_standing = measure(model, images, labels, extractor, class_frequencies=frequencies)
        model.recompute_batch_norm_statistics(**STANDING_STATISTICS, class_frequencies=frequencies)
    results = measure(model, images, labels, extractor, truncation_psi=recipe.get("truncation_psi"),
                      class_frequencies=frequencies)
    if model.num_classes and labels is not None:
        # The classifier's accuracy on the real images, next to the samples' (it
        # was trained on them: an upper reference, not a held-out score).
        known = labels >= 0
        results["accuracy_real"] = float(extractor.accuracy(images[known], labels[known]))
    print(kerasgan.metrics.format_table(results), f"\n(measured in {time.time() - start:.0f} s)")
    if "fid_psi" in results:
        print(f"truncation_psi={results['truncation_psi']:g}: FID {results['fid_psi']:.2f}, "
              f"KID {results['kid_psi']:.4f} ± {results['kid_std_psi']:.4f}")
    if args.measure_only:
        results.update(precision=args.precision, train_seconds=run.get("train_seconds"), hardware=hardware(),
                       command=command)
        (run_dir / "results.json").write_text(json.dumps(results, indent=2))
        print(f"{run_dir / 'results.json'}: written; zoo/{args.name} left as it is")
        return 0

    folder = REPO / "zoo" / args.name
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / "model.keras")
    export.export_saved_model(model, str(folder / "saved_model"), version=1, overwrite=True)
    if recipe.get("class_rows") and model.num_classes:
        # One class per row, eight samples each.
        labels_grid = [i // 8 for i in range(8 * model.num_classes)]
        save_image_grid(model.generate(len(labels_grid), seed=0, labels=labels_grid), folder / "samples.png",
                        columns=8)
    else:
        labels_grid = [i % model.num_classes for i in range(64)] if model.num_classes else None
        save_image_grid(model.generate(64, seed=0, labels=labels_grid), folder / "samples.png",
                        columns=model.num_classes or None)
    style_section = save_style_pictures(model, folder) if recipe["family"] == "stylegan" else ""
    style_section += comparison_section(recipe, results)
    if ema_results is not None:
        style_section += RAW_SECTION.format(
            ema_decay=recipe["model_kwargs"].get("ema_decay"), fid=results["fid"], kid=results["kid"],
            acc=results.get("accuracy", float("nan")), ema_fid=ema_results["fid"], ema_kid=ema_results["kid"],
            ema_acc=ema_results.get("accuracy", float("nan")))
    if before_standing is not None:
        style_section += STANDING_SECTION.format(
            before=before_standing["fid"], after=results["fid"], acc_before=before_standing.get("accuracy", float("nan")),
            acc_after=results.get("accuracy", float("nan")), **STANDING_STATISTICS,
            frequencies_arg="" if frequencies is None else ", class_frequencies=counts",
            frequencies_note="" if frequencies is None else
            " The batches' classes are drawn in the real images' class proportions (`counts`: "
            + ", ".join(str(int(c)) for c in frequencies) + "), as the measured samples are, not uniformly.")
    if recipe.get("attention_picture"):
        style_section += save_attention_section(model, folder, args.name)
    if recipe.get("truncation_sweep"):
        style_section += save_truncation_sweep(model, folder, images, extractor, recipe["truncation_sweep"], args.name,
                                               class_frequencies=frequencies)
    write_card(folder, args.name, recipe, model, results, run, extractor_path, command, style_section)
    metrics = {k: results[k] for k in ("fid", "fid_real_halves", "kid", "kid_std", "accuracy", "accuracy_real",
                                       "truncation_psi", "fid_psi", "kid_psi", "kid_std_psi") if k in results}
    from kerasgan import zoo

    zoo.build_entry(
        args.name, folder, family=recipe["family"], description=recipe["description"],
        resolution=recipe["image_size"], dataset=DATA_CARDS[recipe["dataset"]]["dataset"],
        licence=DATA_CARDS[recipe["dataset"]]["licence"], metrics=metrics,
        extractor=results["extractor"], num_samples=results["num_samples"], command=command,
        eval_dataset=recipe["dataset"], **extra,
        **({} if frequencies is None else {"eval_labels_file": recipe["labels_file"], "sample_labels": "data"}),
    )
    record_reference_images(args.name)
    print(f"zoo/{args.name}: done")
    return 0


#: `generate(8, seed=7)` of the entries packaged (or repackaged) after the
#: move onto the engine (tests/zoo/test_real_registry.py checks every later
#: version against them; the older entries' images are in
#: generate_seed7_before_engine.npz).
AFTER_ENGINE_REFERENCES = REPO / "tests" / "zoo" / "generate_seed7_after_engine.npz"


def record_reference_images(name):
    """Stores the packaged entry's `generate(8, seed=7)` from its `.keras`
    file and from its SavedModel's `generate_from_seed` (options at their
    defaults, classes cycled) with the after-engine references, which
    tests/zoo/test_real_registry.py reads over the before-engine ones: an
    entry packaged before the engine and repackaged now gets new ones."""
    import tempfile

    import numpy as np
    import tensorflow as tf

    from kerasgan import zoo

    with tempfile.TemporaryDirectory() as cache:
        where = dict(zoo_dir=REPO / "zoo", cache_dir=cache)
        model = zoo.load(name, **where)
        served = zoo.load(name, format="saved_model", **where)
        seven = {"seed": tf.constant(7, tf.int64), "num_images": tf.constant(8, tf.int64)}
        if model.num_classes:
            seven["labels"] = tf.zeros([0], tf.int32)
        images = {f"{name}/keras": np.asarray(model.generate(8, seed=7)),
                  f"{name}/saved_model": served.signatures["generate_from_seed"](**seven)["images"].numpy()}
    stored = dict(np.load(AFTER_ENGINE_REFERENCES)) if AFTER_ENGINE_REFERENCES.exists() else {}
    stored.update(images)
    tmp = AFTER_ENGINE_REFERENCES.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **stored)
    tmp.replace(AFTER_ENGINE_REFERENCES)


if __name__ == "__main__":
    sys.exit(main())
