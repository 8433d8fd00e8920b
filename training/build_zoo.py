"""Train, measure and package one zoo checkpoint from its recipe.

    .venv/bin/python training/build_zoo.py dcgan-mnist-32            # train + evaluate + package
    .venv/bin/python training/build_zoo.py dcgan-mnist-32 --dry-run  # print what it would run
    .venv/bin/python training/build_zoo.py --list

Steps (all recorded in the model card):
1. `kerasgan.trainer.train` with the recipe (run folder `runs/zoo/NAME`,
   resumable), or, for a recipe with a `script` (ProGAN), that script's
   `train` (`training/progan_mnist.py --out runs/zoo/NAME`; a finished run
   there is reused);
2. FID / KID (and class accuracy for conditional models) of 5,000 samples of
   the EMA generator against the recipe's real images, with the domain
   classifier `zoo/extractors/<dataset>-classifier.keras` (trained once here
   on the same real images, then reused so every entry is measured with the
   same weights); the FID of two disjoint halves of the real data is recorded
   next to it as the floor;
3. `zoo/NAME/`: `model.keras`, `saved_model/1/` (TF Serving), `samples.png`,
   `README.md` (the card), and the entry in the registry with SHA-256s.
"""

import argparse
import importlib
import json
import os
import pathlib
import platform
import shlex
import sys
import time

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


def measure(model, images, labels, extractor):
    import numpy as np

    from kerasgan import metrics

    wanted = ["fid", "kid"] + (["accuracy"] if model.num_classes else [])
    results = metrics.evaluate(model, images, metrics=wanted, num_samples=NUM_EVAL_SAMPLES,
                               extractor=extractor, seed=0)
    order = np.random.default_rng(0).permutation(len(images))
    half = len(images) // 2
    floor = metrics.fid_from_activations(extractor.features(images[order[:half]]),
                                         extractor.features(images[order[half:]]))
    results["fid_real_halves"] = float(floor)
    return results


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
| weights shipped | {weights} |
| files | `model.keras` (Keras, resumable), `saved_model/1/` (TF Serving: `serving_default`, `generate_from_seed`) |

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

{phases_section}## Reproduce

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
images = gan.generate(16, seed=0{labels_example})
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


def hardware():
    return f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()})"


def training_facts(recipe, model, run):
    """The card's `training` row and `Training phases` section."""
    if not recipe.get("script"):
        text = (f"{recipe['epochs']} epochs at batch {recipe['batch_size']} "
                f"({recipe['epochs'] * run['steps_per_epoch']} steps), "
                f"{run.get('train_seconds', '?')} s on {hardware()}")
        return text, ""
    phases = run["phases"]
    args = recipe["script_args"]
    text = (f"{run['images_seen']:,} images at batch {recipe['batch_size']}: "
            f"{model.start_resolution}x{model.start_resolution} -> "
            f"{model.target_resolution}x{model.target_resolution} in {len(phases)} phases of "
            f"{args['fade_in']:,} fade-in + {args['stabilize']:,} stabilising images (the first "
            f"only stabilises); {run['train_seconds']:.0f} s on {run['hardware']} (training "
            f"only; the per-phase evaluations took {run['wall_seconds'] - run['train_seconds']:.0f} s more)")
    rows = "\n".join(
        f"| {p['resolution']}x{p['resolution']} | {p['images_seen']:,} | {p['fid']:.2f} | "
        f"{p['train_seconds']:.0f} s |" for p in phases
    )
    return text, PHASES_SECTION.format(script=recipe["script"], rows=rows)


def write_card(folder, name, recipe, model, results, run, extractor_path, command):
    rows = [f"| FID | {results['fid']:.2f} |",
            f"| FID (real halves) | {results['fid_real_halves']:.2f} |",
            f"| KID | {results['kid']:.4f} ± {results['kid_std']:.4f} |"]
    if "accuracy" in results:
        rows.append(f"| class accuracy of conditional samples | {results['accuracy']:.3f} |")
    training, phases_section = training_facts(recipe, model, run)
    if model.ema_generator is not None:
        weights = ("the EMA generator (`generate` uses it); the discriminator and optimizer state "
                   "are in `model.keras` for fine-tuning")
    else:
        weights = ("the generator (this recipe keeps no EMA); the discriminator and optimizer "
                   "state are in `model.keras` for fine-tuning")
    text = CARD.format(
        name=name, description=recipe["description"], family=recipe["family"], cls=type(model).__name__,
        size=recipe["image_size"], channels=model.image_shape[-1], latent_dim=recipe["latent_dim"],
        conditional=f"; labels 0..{model.num_classes - 1}" if model.num_classes else "",
        data_card=DATA_CARDS[recipe["dataset"]]["dataset"],
        licence=DATA_CARDS[recipe["dataset"]]["licence"], training=training, weights=weights,
        phases_section=phases_section, num_samples=results["num_samples"], num_real=results["num_real"], metric_rows="\n".join(rows), extractor=results["extractor"],
        extractor_file=extractor_path.name, command=command, name_=name,
        labels_example=", labels=[0, 1, 2, 3] * 4" if model.num_classes else "",
    )
    (folder / "README.md").write_text(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", nargs="?")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    args = parser.parse_args(argv)
    if args.list or not args.name:
        for name, recipe in RECIPES.items():
            print(f"{name:20s} {recipe['description']}")
        return 0
    if args.name not in RECIPES:
        parser.error(f"unknown recipe {args.name!r}; known: {', '.join(RECIPES)}")
    recipe = RECIPES[args.name]
    command = shell_command(recipe, args.name, "../shared/data")
    if args.dry_run:
        print(command)
        return 0

    import kerasgan
    from kerasgan import export, trainer
    from kerasgan.utils import save_image_grid

    dataset = recipe["dataset"].format(shared=args.shared)
    run_dir = REPO / "runs" / "zoo" / args.name
    extra = {}
    if recipe.get("script"):
        script = importlib.import_module(recipe["script"])
        model, run = script.load_finished(run_dir)
        if model is None:
            model, run = script.train(args.shared, run_dir, **recipe["script_args"], command=command)
        else:
            print(f"Reusing the finished run in {run_dir}")
        extra = dict(
            train_seconds=run["train_seconds"], hardware=run["hardware"],
            phases=[{k: p[k] for k in ("resolution", "images_seen", "fid")} for p in run["phases"]],
        )
    else:
        model, _ = trainer.train(
            family=recipe["family"], dataset=dataset, out=str(run_dir), epochs=recipe["epochs"],
            image_size=recipe["image_size"], batch_size=recipe["batch_size"], latent_dim=recipe["latent_dim"],
            model_kwargs=recipe["model_kwargs"], compile_kwargs=recipe["compile_kwargs"], verbose=2,
            command=command,
        )
        run = json.loads((run_dir / "run.json").read_text())
    images, labels = real_data(dataset, recipe["image_size"], recipe, args.shared)
    extractor, extractor_path = domain_classifier(recipe["extractor"], images, labels)
    start = time.time()
    results = measure(model, images, labels, extractor)
    print(kerasgan.metrics.format_table(results), f"\n(measured in {time.time() - start:.0f} s)")

    folder = REPO / "zoo" / args.name
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / "model.keras")
    export.export_saved_model(model, str(folder / "saved_model"), version=1, overwrite=True)
    labels_grid = [i % model.num_classes for i in range(64)] if model.num_classes else None
    save_image_grid(model.generate(64, seed=0, labels=labels_grid), folder / "samples.png",
                    columns=model.num_classes or None)
    write_card(folder, args.name, recipe, model, results, run, extractor_path, command)
    metrics = {k: results[k] for k in ("fid", "fid_real_halves", "kid", "kid_std", "accuracy") if k in results}
    from kerasgan import zoo

    zoo.build_entry(
        args.name, folder, family=recipe["family"], description=recipe["description"],
        resolution=recipe["image_size"], dataset=DATA_CARDS[recipe["dataset"]]["dataset"],
        licence=DATA_CARDS[recipe["dataset"]]["licence"], metrics=metrics,
        extractor=results["extractor"], num_samples=results["num_samples"], command=command, **extra,
    )
    print(f"zoo/{args.name}: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
