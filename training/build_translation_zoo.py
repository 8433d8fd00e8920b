"""Train, measure and package the translation zoo entries of issue 12, and
write the Twemoji -> Noto comparison table.

    .venv/bin/python training/build_translation_zoo.py NAME               # train (or reuse), measure, package
    .venv/bin/python training/build_translation_zoo.py NAME --train-only  # train into runs/zoo/NAME only
    .venv/bin/python training/build_translation_zoo.py NAME --measure-only   # runs/zoo/NAME/results.json only
    .venv/bin/python training/build_translation_zoo.py NAME --dry-run     # print the recipe
    .venv/bin/python training/build_translation_zoo.py --table            # the comparison table (zoo/README.md)

NAME is one of `pix2pix-twemoji2noto`, `cyclegan-twemoji2noto`,
`dualgan-twemoji2noto` and `cyclegan-mnist2uci` (`stargan-mnist` has its
own script, `training/build_stargan_zoo.py`).

1. Data. Emoji: Twemoji (domain a, the source) and Noto (domain b, the
   target), 32x32 RGB composited on white, paired by code point
   (`kerasgan.data.pairs`, `fe0f` ignored). The pairs' hash split
   (`split_of`: SHA-256 of the key, about 10% test) decides what is held
   out: Pix2Pix trains on the train pairs; CycleGAN and DualGAN train on the
   train-split files of each folder as two independently shuffled,
   unpaired sets (they never see which images pair up); every number is
   measured on the test pairs. Digits: the MNIST test split (10,000, domain
   a) and scikit-learn's UCI digits (1,797, domain b), both brought to
   16x16 grayscale; the last tenth of each (1,000 and 180) is held out,
   the unpaired model trains on the rest.
2. Training: `kerasgan train` with the recipe's arguments (the emoji
   entries, a subprocess; the command is in the card) or
   `kerasgan.trainer.train` on the arrays (digits), into `runs/zoo/NAME`;
   a finished run (`model.keras`) is reused.
3. Measurement (`measure`), on the held-out data. Emoji, for each
   direction the model has: L1, PSNR and SSIM to the true counterpart
   (`kerasgan.metrics.translation_metrics`) and FID in the target domain
   (features of `zoo/extractors/twemoji-groups-classifier.keras`, the
   translations against the real held-out target images), with the
   identity (the input unchanged) as the baseline and the FID between two
   halves of the real held-out target images as the noise floor. Digits:
   FID in the target domain (`zoo/extractors/mnist-classifier.keras`
   features) against the identity (the input resized), and how often the
   MNIST classifier still reads the source digit's label in the
   translation (content kept), next to its accuracy on the real images
   of each domain.
4. Packaging: `zoo/NAME/` (`model.keras`, `saved_model/1/` with
   `translate` and, for two-domain models, `translate_a2b` /
   `translate_b2a`, `samples.png`, `README.md`), the registry entry
   (`kerasgan.zoo.build_entry` under `/tmp/kerasgan-registry.lock`) and the
   regression references `tests/zoo/references/NAME.npz`
   (checked by `tests/zoo/test_translation_entries.py`).
"""

import argparse
import fcntl
import json
import os
import pathlib
import subprocess
import sys
import time

import kerasgan  # noqa: F401  (before TensorFlow: sets its oneDNN default)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from hosts import host  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
REGISTRY_LOCK = "/tmp/kerasgan-registry.lock"
SCRIPT = ".venv/bin/python training/build_translation_zoo.py"
EMOJI_EXTRACTOR = REPO / "zoo" / "extractors" / "twemoji-groups-classifier.keras"
DIGITS_EXTRACTOR = REPO / "zoo" / "extractors" / "mnist-classifier.keras"
TABLE_FILE = REPO / "zoo" / "README.md"
TABLE_BEGIN = "<!-- translation table: written by training/build_translation_zoo.py --table -->"
TABLE_END = "<!-- end of translation table -->"

#: The emoji folders (domain a = source, domain b = target) and the size.
EMOJI = {"a": "{shared}/emoji/twemoji-72", "b": "{shared}/emoji/noto-72", "image_size": 32}
#: The digits: MNIST (a) and the UCI digits (b), 16x16, the last tenth of each held out.
DIGITS = {"a": "{shared}/mnist/t10k-images-idx3-ubyte.gz", "b": "digits", "image_size": 16, "test_fraction": 0.1}

#: The recipes. `args`: `kerasgan train` arguments after the family (emoji)
#: or `kerasgan.trainer.train` keyword arguments (digits).
RECIPES = {
    "pix2pix-twemoji2noto": {
        "family": "pix2pix", "data": "emoji", "directions": ("a2b",),
        "args": ["--image-size", "32", "--batch-size", "16", "--epochs", "25",
                 "--model", "generator_filters=32", "--model", "discriminator_filters=32",
                 "--model", "discriminator_layers=1"],
        "description": "Pix2Pix Twemoji -> Noto colour emoji at 32x32, trained on paired emoji",
    },
    "cyclegan-twemoji2noto": {
        "family": "cyclegan", "data": "emoji", "directions": ("a2b", "b2a"),
        "args": ["--image-size", "32", "--batch-size", "8", "--epochs", "14", "--steps-per-epoch", "200",
                 "--model", "generator_filters=16", "--model", "discriminator_filters=16",
                 "--compile", "total_steps=2800"],
        "override_note": ("It started as 20 epochs with `total_steps=4000` and was shortened to this recipe "
                          "after epoch 6 (1,200 steps, before any decay) to fit the session's CPU time."),
        "description": "CycleGAN Twemoji <-> Noto colour emoji at 32x32 (both directions), trained unpaired",
    },
    "dualgan-twemoji2noto": {
        "family": "dualgan", "data": "emoji", "directions": ("a2b", "b2a"),
        "args": ["--image-size", "32", "--batch-size", "16", "--epochs", "20", "--steps-per-epoch", "200",
                 "--model", "generator_filters=32", "--model", "discriminator_filters=32"],
        "description": "DualGAN Twemoji <-> Noto colour emoji at 32x32 (both directions), trained unpaired",
    },
    "cyclegan-mnist2uci": {
        "family": "cyclegan", "data": "digits", "directions": ("a2b", "b2a"),
        "args": {"image_size": 16, "batch_size": 16, "epochs": 15, "steps_per_epoch": 200, "channels": 1,
                 "model_kwargs": {"generator_filters": 16, "discriminator_filters": 16, "num_blocks": 4},
                 "compile_kwargs": {"total_steps": 3000}},
        "description": "CycleGAN MNIST <-> UCI handwritten digits at 16x16 (both directions), trained unpaired",
    },
}
#: The three emoji models in the comparison table, in its order.
TABLE_MODELS = ("pix2pix-twemoji2noto", "cyclegan-twemoji2noto", "dualgan-twemoji2noto")
#: Regression references: the first REFERENCE_COUNT held-out inputs of each direction.
REFERENCE_COUNT = 4
#: Rows of the samples picture per direction.
PICTURE_ROWS = 8

EMOJI_DATASET = ("Twemoji (domain a) and Noto colour emoji (domain b), 72x72 RGBA composited on white and "
                 "resized to 32x32 (../shared/data/emoji); paired by code point; trained on the hash split's "
                 "train side only, measured on its test pairs")
EMOJI_LICENCE = ("Twemoji graphics (c) 2020 Twitter, Inc and other contributors, CC-BY 4.0: attribution required; "
                 "Noto Emoji image resources (c) Google, Apache License 2.0; these weights are a derivative work")
DIGITS_DATASET = ("MNIST test split (10,000 digits, domain a) and scikit-learn's UCI digits (1,797, 8x8, domain b), "
                  "both as 16x16 grayscale; the last tenth of each held out")
DIGITS_LICENCE = ("MNIST: Yann LeCun and Corinna Cortes, CC BY-SA 3.0; UCI optical recognition of handwritten "
                  "digits: CC BY 4.0")


def run_dir(name):
    return REPO / "runs" / "zoo" / name


def zoo_dir(name):
    return REPO / "zoo" / name


def references_file(name):
    return REPO / "tests" / "zoo" / "references" / f"{name}.npz"


def train_command(name, shared="../shared/data"):
    """The `kerasgan train` command line of an emoji recipe (paths relative to the repo)."""
    recipe = RECIPES[name]
    return (["kerasgan", "train", recipe["family"], "--dataset", EMOJI["a"].format(shared=shared),
             "--target-dataset", EMOJI["b"].format(shared=shared)] + recipe["args"]
            + ["--out", f"runs/zoo/{name}", "--no-tensorboard"])


# ----------------------------------------------------------------------------- data


def emoji_test_pairs(shared):
    """The held-out Twemoji/Noto pairs `(a, b, keys)` in key order, float32 [-1, 1]."""
    from kerasgan.data.pairs import load_pair_arrays

    return load_pair_arrays(EMOJI["a"].format(shared=shared), EMOJI["b"].format(shared=shared),
                            EMOJI["image_size"], split="test", channels=3)


def _resized(images, size):
    """float32 `[N, H, W, C]` in [-1, 1] brought to `size` x `size` the way `load` does."""
    import numpy as np
    import tensorflow as tf

    out = tf.image.resize(tf.convert_to_tensor(images, tf.float32), (size, size), "bilinear", antialias=True)
    return np.asarray(tf.clip_by_value(out, -1.0, 1.0))


def digits_arrays(shared):
    """`{"a": (train, test, train_labels, test_labels), "b": ...}`: MNIST
    and UCI digits at the recipe's size, float32 in [-1, 1]; the last
    `test_fraction` of each (in file order) is the test side."""
    import numpy as np

    from kerasgan.data import idx
    from kerasgan.data.sources import digits_source

    mnist, mnist_labels, _ = idx.read_idx_pair(DIGITS["a"].format(shared=shared), need_labels=True)
    mnist = mnist.astype(np.float32)[..., None] / 127.5 - 1.0
    uci = digits_source()
    sides = {"a": (mnist, np.asarray(mnist_labels)), "b": (np.asarray(uci.images), np.asarray(uci.labels))}
    out = {}
    for side, (images, labels) in sides.items():
        images = _resized(images, DIGITS["image_size"])
        cut = len(images) - int(round(len(images) * DIGITS["test_fraction"]))
        out[side] = (images[:cut], images[cut:], labels[:cut].astype(np.int64), labels[cut:].astype(np.int64))
    return out


# ----------------------------------------------------------------------------- training


def train(name, shared):
    """Trains `name` into its run folder unless `model.keras` is there; returns the run's `run.json`."""
    recipe = RECIPES[name]
    out = run_dir(name)
    if (out / "model.keras").exists():
        print(f"Reusing the finished run in {out}")
    elif recipe["data"] == "emoji":
        command = train_command(name, os.path.relpath(shared, REPO))
        print(" ".join(command), flush=True)
        subprocess.run([str(REPO / ".venv" / "bin" / command[0])] + command[1:], cwd=REPO, check=True)
    else:
        from kerasgan import trainer

        data = digits_arrays(shared)
        args = recipe["args"]
        trainer.train(recipe["family"], dataset=data["a"][0], target_dataset=data["b"][0], out=str(out),
                      tensorboard=False, verbose=2,
                      command=f"{SCRIPT} {name}", **args)
    run = json.loads((out / "run.json").read_text())
    run.setdefault("host", host())
    return run


# ----------------------------------------------------------------------------- measurement


def _fid_noise_floor(features):
    """FID between two disjoint random halves (seed 0) of one real image set's features."""
    import numpy as np

    from kerasgan.metrics import fid_from_activations

    order = np.random.default_rng(0).permutation(len(features))
    half = len(features) // 2
    return float(fid_from_activations(features[np.sort(order[:half])], features[np.sort(order[half:])]))


def measure_emoji(model, a, b, directions, extractor):
    """Per direction: identity and the model's L1/PSNR/SSIM to the true
    counterpart and FID against the real held-out target images."""
    import numpy as np

    from kerasgan.metrics import fid_from_activations, translation_metrics

    results, outputs = {}, {}
    for direction in directions:
        source, target = (a, b) if direction == "a2b" else (b, a)
        kwargs = {} if "direction" not in _translate_parameters(model) else {"direction": direction}
        translated = np.asarray(model.translate(source, **kwargs))
        target_features = extractor.features(target)
        row = {}
        for method, images in (("identity", source), ("model", translated)):
            scores = translation_metrics(images, target)
            scores["fid"] = float(fid_from_activations(extractor.features(images), target_features))
            row[method] = scores
            print(f"{direction} {method:8s} L1 {scores['l1']:.4f}  PSNR {scores['psnr']:.2f} dB  "
                  f"SSIM {scores['ssim']:.4f}  FID {scores['fid']:.3f}", flush=True)
        row["real_halves_fid"] = _fid_noise_floor(target_features)
        results[direction] = row
        outputs[direction] = (source, translated, target)
    return results, outputs


def measure_digits(model, data, classifier):
    """Per direction: FID in the target domain (identity and model) and the
    classifier's reading of the source label in the translations."""
    import numpy as np

    from kerasgan.metrics import fid_from_activations

    results, outputs = {}, {}
    for direction in ("a2b", "b2a"):
        (_, source, _, labels), (_, target, _, _) = ((data["a"], data["b"]) if direction == "a2b"
                                                     else (data["b"], data["a"]))
        translated = np.asarray(model.translate(source, direction=direction))
        target_features = classifier.features(target)
        row = {}
        for method, images in (("identity", source), ("model", translated)):
            row[method] = {"fid": float(fid_from_activations(classifier.features(images), target_features)),
                           "label_kept": float(classifier.accuracy(images, labels))}
            print(f"{direction} {method:8s} FID {row[method]['fid']:.3f}  "
                  f"source label kept {row[method]['label_kept']:.3f}", flush=True)
        row["real_halves_fid"] = _fid_noise_floor(target_features)
        results[direction] = row
        outputs[direction] = (source, translated, None)
    results["classifier_accuracy"] = {side: float(classifier.accuracy(data[side][1], data[side][3]))
                                      for side in ("a", "b")}
    results["num_test_images"] = {side: int(len(data[side][1])) for side in ("a", "b")}
    return results, outputs


def _translate_parameters(model):
    import inspect

    return inspect.signature(model.translate).parameters


def measure(name, shared):
    import keras

    from kerasgan.metrics import DomainClassifier

    recipe = RECIPES[name]
    model = keras.saving.load_model(run_dir(name) / "model.keras")
    start = time.time()
    if recipe["data"] == "emoji":
        extractor = DomainClassifier.load(EMOJI_EXTRACTOR, name="twemoji-groups-classifier")
        a, b, keys = emoji_test_pairs(shared)
        results, outputs = measure_emoji(model, a, b, recipe["directions"], extractor)
        results["num_test_pairs"] = len(keys)
    else:
        extractor = DomainClassifier.load(DIGITS_EXTRACTOR, name="mnist-classifier")
        results, outputs = measure_digits(model, digits_arrays(shared), extractor)
    results["extractor"] = extractor.identity
    results["seconds"] = round(time.time() - start, 1)
    return model, results, outputs


# ----------------------------------------------------------------------------- packaging


def side_by_side(outputs, path, rows=PICTURE_ROWS):
    """Per direction, `rows` held-out inputs spread over the split, one per
    row: input | translation (| true counterpart when there is one);
    two-direction models put the directions side by side."""
    import numpy as np

    from kerasgan.utils import save_image_grid

    blocks = []
    for source, translated, target in outputs.values():
        index = np.linspace(0, len(source) - 1, rows).round().astype(int)
        columns = [source, translated] + ([target] if target is not None else [])
        blocks.append(np.stack([c[index] for c in columns], axis=1))
    grid = np.concatenate(blocks, axis=1)
    save_image_grid(grid.reshape((-1,) + grid.shape[2:]), path, columns=grid.shape[1])
    return grid.shape[1]


def record_references(name, outputs):
    """The packaged entry's translations of the first `REFERENCE_COUNT`
    held-out inputs of each direction, from the `.keras` model and from the
    SavedModel's `translate_<direction>` (or `translate`) signature."""
    import tempfile

    import numpy as np
    import tensorflow as tf

    from kerasgan import zoo

    arrays = {}
    with tempfile.TemporaryDirectory() as cache:
        where = dict(zoo_dir=REPO / "zoo", cache_dir=cache)
        model = zoo.load(name, **where)
        served = zoo.load(name, format="saved_model", **where)
        two_way = "direction" in _translate_parameters(model)
        for direction in outputs:
            inputs = np.asarray(outputs[direction][0][:REFERENCE_COUNT], np.float32)
            kwargs = {"direction": direction} if two_way else {}
            signature = f"translate_{direction}" if two_way else "translate"
            arrays[f"{direction}_input"] = inputs
            arrays[f"{direction}_keras"] = np.asarray(model.translate(inputs, **kwargs))
            arrays[f"{direction}_saved_model"] = served.signatures[signature](
                images=tf.constant(inputs))["images"].numpy()
            gap = float(np.abs(arrays[f"{direction}_keras"] - arrays[f"{direction}_saved_model"]).max())
            print(f"{name} {direction}: keras vs saved_model max difference {gap:.2e}")
    path = references_file(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def _history_rows(name):
    import csv

    path = run_dir(name) / "history.csv"
    if not path.exists():
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def _fmt_seconds(seconds):
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


DIRECTION_NAMES = {"emoji": {"a2b": "Twemoji -> Noto", "b2a": "Noto -> Twemoji"},
                   "digits": {"a2b": "MNIST -> UCI", "b2a": "UCI -> MNIST"}}


#: The card table's columns per data kind: (header, results key, format).
CARD_COLUMNS = {
    "emoji": (("L1", "l1", "{:.4f}"), ("PSNR (dB)", "psnr", "{:.2f}"), ("SSIM", "ssim", "{:.4f}"),
              ("FID in the target domain", "fid", "{:.3f}")),
    "digits": (("FID in the target domain", "fid", "{:.3f}"), ("source digit kept (classifier)", "label_kept", "{:.3f}")),
}
IDENTITY_LABEL = {"emoji": "identity (input unchanged)", "digits": "identity (input resized)"}


def _card_table(results, data):
    """The card's table: per direction, the identity, the model and the FID noise floor."""
    columns = CARD_COLUMNS[data]
    lines = ["| direction | method | " + " | ".join(c[0] for c in columns) + " |",
             "|---|---|" + "---|" * len(columns)]
    for direction in ("a2b", "b2a"):
        if direction not in results:
            continue
        row, label = results[direction], DIRECTION_NAMES[data][direction]
        for method in ("identity", "model"):
            cells = " | ".join(fmt.format(row[method][key]) for _, key, fmt in columns)
            lines.append(f"| {label} | {IDENTITY_LABEL[data] if method == 'identity' else '**this model**'} | {cells} |")
        floor = " | ".join(f"{row['real_halves_fid']:.3f}" if key == "fid" else "" for _, key, _ in columns)
        lines.append(f"| {label} | real held-out target images, two halves (FID noise floor) | {floor} |")
    return "\n".join(lines)


def _steps(model):
    """`(generator updates, discriminator updates)` of a trained model: its optimizers' counts."""
    return int(model.g_optimizer.iterations), int(model.d_optimizer.iterations)


def write_card(name, model, run, results, columns):
    recipe = RECIPES[name]
    history = _history_rows(name)
    last = history[-1] if history else {}
    losses = ", ".join(f"{k} {float(v):.3f}" for k, v in last.items() if k != "epoch")
    g_steps, d_steps = _steps(model)
    steps = f"{g_steps:,} generator updates ({d_steps:,} discriminator updates)"
    model_config = {k: v for k, v in run.get("model_config", {}).items()
                    if k not in ("name", "trainable", "dtype", "seed")}
    compile_config = {k: v for k, v in run.get("compile_config", {}).items()
                      if k not in ("extra_terms", "term_weights", "jit_compile", "steps_per_execution")}
    overrides = ""
    if run.get("overrides"):
        changes = "; ".join(c for group in run["overrides"] for c in group)
        overrides = (f"\nThe run was resumed once with changed settings (`--override`): {changes}. "
                     f"{recipe.get('override_note', '')}\n")
    verdicts = ""
    names = DIRECTION_NAMES[recipe["data"]]
    for direction in recipe["directions"]:
        row = results[direction]
        better = row["model"]["fid"] < row["identity"]["fid"]
        verdicts += (f"\n{names[direction]}: FID in the target domain {row['model']['fid']:.3f} against the "
                     f"identity's {row['identity']['fid']:.3f}: "
                     + ("beats the identity." if better else "**does not beat the identity** in this direction.")
                     + "\n")
    if recipe["data"] == "emoji":
        command = " ".join(train_command(name))
        data_text = EMOJI_DATASET
        table = _card_table(results, "emoji")
        measured_on = (f"the {results['num_test_pairs']} held-out Twemoji/Noto pairs (the hash split's test side), "
                       f"features of `zoo/extractors/twemoji-groups-classifier.keras` for FID "
                       f"(`{results['extractor']}`)")
        picture = ("input | translation | true counterpart" if len(recipe["directions"]) == 1 else
                   "Twemoji | translated to Noto | true Noto, then Noto | translated to Twemoji | true Twemoji")
    else:
        command = f"{SCRIPT} {name}"
        data_text = DIGITS_DATASET
        table = _card_table(results, "digits")
        acc = results["classifier_accuracy"]
        measured_on = (f"the held-out digits ({results['num_test_images']['a']} MNIST, "
                       f"{results['num_test_images']['b']} UCI), features and labels of "
                       f"`zoo/extractors/mnist-classifier.keras` (`{results['extractor']}`); that classifier "
                       f"reads the real held-out MNIST digits' labels with accuracy {acc['a']:.3f} and the real "
                       f"UCI digits' with {acc['b']:.3f}. That classifier was trained (training/build_zoo.py) on "
                       f"all 10,000 digits of the MNIST test split, the held-out ones included; CycleGAN never saw "
                       f"them. The UCI floor compares two halves of only 90 images (fewer than the 128 feature "
                       f"dimensions: a rough value)")
        picture = "MNIST | translated to UCI, then UCI | translated to MNIST"
    text = f"""# {name}

{recipe['description']}.

| | |
|---|---|
| family | `{recipe['family']}` |
| resolution | {run.get('image_size')}x{run.get('image_size')} |
| data | {data_text} |
| training | {steps} at batch {run.get('batch_size')}, {_fmt_seconds(float(run.get('train_seconds', 0)))} on {run['host']} |
| last epoch's losses | {losses} |
| model | `{json.dumps(model_config)}` |
| compile | `{json.dumps(compile_config)}` |

## Measured

On {measured_on}:

{table}
{verdicts}
Measured with `{SCRIPT} {name} --measure-only` (writes `runs/zoo/{name}/results.json`).

## Command

```
{command}
```

{"then `" + SCRIPT + " " + name + "` measures and packages it (it reuses the finished run)." if recipe["data"] == "emoji"
 else "trains (Python API: `kerasgan.trainer.train` on the arrays), measures and packages it."}
{overrides}
Training wall time is on 2 CPU cores shared with the other translation trainings of this build (up to five
processes at once, load average up to 17), so it says little about speed.

## Use

```python
import kerasgan
model = kerasgan.zoo.load("{name}")
{"translated = model.translate(images)  # float32 [N, H, W, C] in [-1, 1]" if len(recipe["directions"]) == 1 else
 "translated = model.translate(images, direction=" + chr(34) + "a2b" + chr(34) + ")  # or b2a"}
```

`kerasgan translate zoo/{name}/model.keras INPUT_DIR --out DIR`; the SavedModel in `saved_model/1/` serves
`translate`{" (and `translate_a2b`, `translate_b2a`)" if len(recipe["directions"]) == 2 else ""}.

`samples.png`: {picture} ({columns} columns, held-out inputs only).

Licence of the training data: {EMOJI_LICENCE if recipe['data'] == 'emoji' else DIGITS_LICENCE}.
"""
    (zoo_dir(name) / "README.md").write_text(text)


def package(name, model, run, results, outputs):
    from kerasgan import export, zoo

    recipe = RECIPES[name]
    folder = zoo_dir(name)
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / "model.keras")
    export.export_saved_model(model, str(folder / "saved_model"), version=1, overwrite=True)
    columns = side_by_side(outputs, folder / "samples.png")
    write_card(name, model, run, results, columns)
    metrics = {}
    for direction in recipe["directions"]:
        prefix = "" if direction == "a2b" else "b2a_"
        for method, mprefix in (("model", ""), ("identity", "identity_")):
            # Unrounded: the card, the table and the tests format these same floats.
            for key, value in results[direction][method].items():
                metrics[f"{prefix}{mprefix}{key}"] = float(value)
        metrics[f"{prefix}real_halves_fid"] = float(results[direction]["real_halves_fid"])
    extra = ({"num_test_pairs": results["num_test_pairs"], "eval_split": "test", "eval_dataset": "{shared}/emoji"}
             if recipe["data"] == "emoji" else
             {"num_test_images": results["num_test_images"], "eval_dataset": "{shared}/mnist + digits",
              "classifier_accuracy": results["classifier_accuracy"]})
    with open(REGISTRY_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        zoo.build_entry(
            name, folder, family=recipe["family"], description=recipe["description"],
            resolution=int(run["image_size"]), dataset=EMOJI_DATASET if recipe["data"] == "emoji" else DIGITS_DATASET,
            licence=EMOJI_LICENCE if recipe["data"] == "emoji" else DIGITS_LICENCE, metrics=metrics,
            extractor=results["extractor"], task="image_to_image", directions=list(recipe["directions"]),
            command=" ".join(train_command(name)) if recipe["data"] == "emoji" else f"{SCRIPT} {name}",
            measure_command=f"{SCRIPT} {name} --measure-only", train_seconds=run.get("train_seconds"),
            train_steps=dict(zip(("generator", "discriminator"), _steps(model))), host=run["host"], **extra,
        )
    record_references(name, outputs)
    print(f"zoo/{name}: done")


# ----------------------------------------------------------------------------- the comparison table


def comparison_table():
    """The Twemoji -> Noto table over the identity and `TABLE_MODELS`, from
    their registry entries (the numbers `package` recorded), written into
    zoo/README.md."""
    from kerasgan import zoo

    entries = {e["name"]: e for e in zoo.read_registry()["models"]}
    rows, identity = [], None
    for name in TABLE_MODELS:
        if name not in entries:
            rows.append(f"| `{name}` | not in the registry yet | | | |")
            continue
        m = entries[name]["metrics"]
        identity = m
        rows.append(f"| `{name}` | {m['l1']:.4f} | {m['psnr']:.2f} | {m['ssim']:.4f} | {m['fid']:.3f} |")
    if identity is None:
        raise SystemExit("No translation model is in the registry yet: run build_translation_zoo.py NAME first.")
    m = identity
    lines = [
        TABLE_BEGIN,
        "| Twemoji -> Noto, held-out pairs | L1 | PSNR (dB) | SSIM | FID in the Noto domain |",
        "|---|---|---|---|---|",
        f"| identity (the input unchanged) | {m['identity_l1']:.4f} | {m['identity_psnr']:.2f} | "
        f"{m['identity_ssim']:.4f} | {m['identity_fid']:.3f} |",
        *rows,
        f"| real Noto test images, two halves (FID noise floor) | | | | {m['real_halves_fid']:.3f} |",
        TABLE_END,
    ]
    table = "\n".join(lines)
    text = TABLE_FILE.read_text()
    if TABLE_BEGIN in text:
        head, _, rest = text.partition(TABLE_BEGIN)
        _, _, tail = rest.partition(TABLE_END)
        text = head + table + tail
    else:
        text = text.rstrip("\n") + "\n\n## Translation: Twemoji -> Noto\n\n" + table + "\n"
    TABLE_FILE.write_text(text)
    print(table)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", nargs="?", choices=sorted(RECIPES))
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--train-only", action="store_true")
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--table", action="store_true", help="write the Twemoji -> Noto comparison table")
    args = parser.parse_args(argv)
    if args.table:
        comparison_table()
        return 0
    if args.name is None:
        parser.error("give a NAME (or --table)")
    if args.dry_run:
        recipe = RECIPES[args.name]
        print(json.dumps({**recipe, "command": (" ".join(train_command(args.name)) if recipe["data"] == "emoji"
                                                else f"{SCRIPT} {args.name}"),
                          "run_dir": str(run_dir(args.name))}, indent=2))
        return 0
    run = train(args.name, args.shared)
    if args.train_only:
        return 0
    model, results, outputs = measure(args.name, args.shared)
    (run_dir(args.name) / "results.json").write_text(json.dumps(results, indent=2))
    if args.measure_only:
        print(f"{run_dir(args.name) / 'results.json'}: written; zoo/{args.name} left as it is")
        return 0
    package(args.name, model, run, results, outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
