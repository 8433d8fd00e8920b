"""Train, measure and package the zoo entry `stackgan-emoji` (StackGAN, text -> emoji).

    .venv/bin/python training/build_stackgan_zoo.py                # train (or reuse the run), measure, package
    .venv/bin/python training/build_stackgan_zoo.py --train-only   # train into runs/zoo/stackgan-emoji only
    .venv/bin/python training/build_stackgan_zoo.py --measure-zoo  # re-measure the shipped zoo/stackgan-emoji
    .venv/bin/python training/build_stackgan_zoo.py --dry-run      # print the settings

`kerasgan train` does not train text -> image families (it refuses
StackGAN); this script uses the Python API:

1. Data: the Twemoji images that have an Emojibase entry, composited on
   white and resized to 32x32 (`kerasgan.data.captions.caption_arrays`),
   each captioned with its Emojibase label and tags (`captions=
   "label_tags"`: "flag: Poland: PL flag", "red apple: apple diet food
   fruit health red ripe"; at most 24 words are read). The held-out rule
   `kerasgan.data.captions.caption_split` keeps about 10% of the emoji (with
   all their skin tones) out of training: only the "train" split is seen.
2. Training (`runs/zoo/stackgan-emoji`): `StackGAN` (Stage I 16x16 ->
   Stage II 32x32) through `kerasgan.callbacks.train_phases` with
   `gan.stage_phases(...)`: Stage I (text encoder, Stage-I generator and
   discriminator), then Stage II with Stage I frozen. `stage1.keras` is
   written after Stage I (a rerun resumes from it), `model.keras` and
   `run.json` (times, host) at the end; a rerun with `model.keras` present
   reuses it.
3. Measurement, with the Twemoji group classifier
   (`zoo/extractors/twemoji-groups-classifier.keras`) as the extractor:
   FID of Stage-I images (bilinearly upsampled to 32x32) and of Stage-II
   images, one per caption of every captioned Twemoji (train and held out,
   seed 0), against those real images; the group accuracy of images
   generated for the held-out captions (4 per caption), against chance and
   against the classifier on the real held-out images.
4. Packaging: `zoo/stackgan-emoji/` (`model.keras`, `saved_model/1/`,
   `samples.png` = the caption grid, `README.md`), the registry entry
   (`kerasgan.zoo.build_entry` under `/tmp/kerasgan-registry.lock`) and the
   regression references `tests/zoo/references/stackgan-emoji.npz`.
"""

import argparse
import fcntl
import json
import os
import pathlib
import sys
import time

import kerasgan  # noqa: F401  (before TensorFlow: sets its oneDNN default)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from hosts import host  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
NAME = "stackgan-emoji"
RUN_DIR = REPO / "runs" / "zoo" / NAME
ZOO_DIR = REPO / "zoo" / NAME
REFERENCES = REPO / "tests" / "zoo" / "references" / f"{NAME}.npz"
EXTRACTOR = REPO / "zoo" / "extractors" / "twemoji-groups-classifier.keras"
REGISTRY_LOCK = "/tmp/kerasgan-registry.lock"
COMMAND = ".venv/bin/python training/build_stackgan_zoo.py"

#: The model (kept small: it trains on 2 shared CPU cores).
MODEL_KWARGS = {
    "image_size": 32, "stage1_size": 16, "channels": 3, "latent_dim": 32, "condition_dim": 32, "text_dim": 64,
    "embedding_dim": 32, "sequence_length": 24, "generator_filters": 32, "discriminator_filters": 32,
    "residual_blocks": 1, "norm": "batch", "seed": 0,
}
#: Training schedule (Adam 2e-4, beta_1 0.5 for both roles: StackGAN's compile defaults).
TRAIN = {"batch_size": 32, "stage1_epochs": 100, "stage2_epochs": 40, "caption_mode": "label_tags", "seed": 0}
#: `compile` keywords of both stages (the rest are StackGAN's defaults). A first run with kl_weight 1 and
#: label-only captions did not follow the captions (see the card's notes).
COMPILE = {"kl_weight": 0.1}
#: The regression references: `generate(REFERENCE_TEXTS, seed=7)`.
REFERENCE_TEXTS = ("grinning face", "flag: Poland", "red apple")
REFERENCE_SEED = 7
#: Images per held-out caption in the group-accuracy measurement.
HELD_OUT_PER_TEXT = 4


def emoji_data(shared, split="all"):
    from kerasgan.data import captions

    return captions.caption_arrays(f"{shared}/emoji", MODEL_KWARGS["image_size"], sets=("twemoji-72",),
                                   captions=TRAIN["caption_mode"], split=split)


def phase_timer():
    """A callback recording the wall time of each `fit` (one per phase) in `.seconds`."""
    import keras

    class PhaseTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_train_begin(self, logs=None):
            self._start = time.time()

        def on_train_end(self, logs=None):
            self.seconds.append(time.time() - self._start)

    return PhaseTimer()


def train(shared):
    """Trains (or resumes / reuses) the run in `RUN_DIR`; returns `(model, run)`."""
    import keras

    from kerasgan.callbacks import train_phases
    from kerasgan.data import captions
    from kerasgan.models import StackGAN
    from kerasgan.models.stackgan import build_vocabulary

    final, stage1 = RUN_DIR / "model.keras", RUN_DIR / "stage1.keras"
    run_file = RUN_DIR / "run.json"
    if final.exists() and run_file.exists():
        print(f"Reusing the finished run in {RUN_DIR}")
        return keras.saving.load_model(final), json.loads(run_file.read_text())
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    images, texts, _, found = emoji_data(shared, split="train")
    vocabulary = build_vocabulary(texts)
    data = captions.captions_dataset(images, texts, batch_size=TRAIN["batch_size"], seed=TRAIN["seed"])
    steps_per_epoch = len(images) // TRAIN["batch_size"]
    run = json.loads(run_file.read_text()) if run_file.exists() else {}
    run.update(host=host(), command=COMMAND, model_kwargs=MODEL_KWARGS, train=TRAIN, compile=COMPILE,
               num_train_images=len(images), num_train_emoji=len(set(found.base_keys)), vocabulary_size=len(vocabulary),
               steps_per_epoch=steps_per_epoch)
    if stage1.exists():
        print(f"Resuming after Stage I from {stage1}")
        model = keras.saving.load_model(stage1)
        start = 1
    else:
        keras.utils.set_random_seed(TRAIN["seed"])  # the initial weights
        model = StackGAN(vocabulary, **MODEL_KWARGS)
        start = 0
    run["parameters"] = {name: int(model.get_network(name).count_params()) for name in model.network_names}
    phases = model.stage_phases(TRAIN["stage1_epochs"], TRAIN["stage2_epochs"], stage1_compile=COMPILE,
                                stage2_compile=COMPILE)
    for index in range(start, len(phases)):
        timer = phase_timer()
        logger = keras.callbacks.CSVLogger(str(RUN_DIR / f"history_stage{index + 1}.csv"))
        # One phase at a time (`phases[index:index + 1]`), so Stage I is saved before Stage II starts.
        history = train_phases(model, phases[index:index + 1], data=data, callbacks=[timer, logger], verbose=2,
                               initial_epoch=TRAIN["stage1_epochs"] if index == 1 else 0)[0]
        epochs = len(history.epoch)
        run[f"stage{index + 1}"] = {
            "epochs": epochs, "steps": epochs * steps_per_epoch, "seconds": round(timer.seconds[-1], 1),
            "last_logs": {k: float(v[-1]) for k, v in history.history.items() if k != "phase"},
        }
        model.save(stage1 if index == 0 else final)
        run_file.write_text(json.dumps(run, indent=2))
        print(f"stage {index + 1}: {epochs} epochs, {timer.seconds[-1]:.0f} s", flush=True)
    return model, run


def held_out_chance(labels, predicted, num_classes=10):
    """Chance levels of a group accuracy on `labels` (ints >= 0):
    `uniform` 1/10; `majority`, always answering the most frequent group
    (max_k p_k); `prior`, guessing at random with the groups' frequencies
    (sum_k p_k^2); `independent`, the accuracy if the classifier's answers on
    the generated images (`predicted`) had their observed frequencies q_k
    but were unrelated to the caption (sum_k p_k q_k)."""
    import numpy as np

    p = np.bincount(labels, minlength=num_classes) / len(labels)
    q = np.bincount(predicted, minlength=num_classes) / len(predicted)
    return {"uniform": 1.0 / num_classes, "majority": float(p.max()), "prior": float(np.sum(p * p)),
            "independent": float(np.sum(p * q))}


def measure(model, shared):
    """The card's numbers (see the module docstring). Returns a dict."""
    import numpy as np
    import tensorflow as tf

    from kerasgan import metrics

    start = time.time()
    extractor = metrics.DomainClassifier.load(EXTRACTOR, name="twemoji-groups-classifier")
    images, texts, groups, found = emoji_data(shared, split="all")
    size = MODEL_KWARGS["image_size"]
    real = extractor.features(images)
    stage2 = model.generate(list(texts), n_per_text=1, seed=0, stage=2).numpy()
    stage1 = model.generate(list(texts), n_per_text=1, seed=0, stage=1)  # the same noise
    stage1_up = tf.clip_by_value(tf.image.resize(stage1, [size, size], method="bilinear"), -1.0, 1.0).numpy()
    order = np.random.default_rng(0).permutation(len(images))
    half = len(images) // 2
    # What a perfect Stage I could reach: real images at Stage I's size (area, as Stage I trains on), upsampled.
    real_low = tf.image.resize(tf.image.resize(images, [MODEL_KWARGS["stage1_size"]] * 2, method="area"),
                               [size, size], method="bilinear")
    results = {
        "extractor": extractor.identity,
        "num_real": len(images),
        "fid_stage1": float(metrics.fid_from_activations(extractor.features(stage1_up), real)),
        "fid_stage2": float(metrics.fid_from_activations(extractor.features(stage2), real)),
        "fid_real_halves": float(metrics.fid_from_activations(extractor.features(images[order[:half]]),
                                                              extractor.features(images[order[half:]]))),
        "fid_real_at_stage1_size": float(metrics.fid_from_activations(
            extractor.features(tf.clip_by_value(real_low, -1.0, 1.0).numpy()), real)),
    }
    splits = np.asarray(found.splits)
    results["held_out_images"] = int(np.sum(splits == "test"))
    results["held_out_emoji"] = len({b for b, s in zip(found.base_keys, splits) if s == "test"})
    base = np.asarray([k == b for k, b in zip(found.keys, found.base_keys)])
    for split in ("test", "train"):
        keep = (splits == split) & (groups >= 0)
        per_text = HELD_OUT_PER_TEXT if split == "test" else 1
        labels = np.repeat(groups[keep], per_text)
        fakes = {stage: model.generate(list(texts[keep]), n_per_text=per_text, seed=0, stage=stage)
                 for stage in (1, 2)}
        predicted = {stage: np.argmax(extractor.probabilities(
            tf.image.resize(fakes[stage], [size, size], method="bilinear") if stage == 1 else fakes[stage]), axis=1)
            for stage in (1, 2)}
        real_predicted = np.argmax(extractor.probabilities(images[keep]), axis=1)
        row = {
            "captions": int(keep.sum()), "emoji": len({b for b, k in zip(found.base_keys, keep) if k}),
            "images_per_caption": per_text,
            "accuracy_stage2": float(np.mean(predicted[2] == labels)),
            "accuracy_stage1": float(np.mean(predicted[1] == labels)),
            "accuracy_real": float(np.mean(real_predicted == groups[keep])),
            "chance": held_out_chance(labels, predicted[2]),
            "chance_stage1": held_out_chance(labels, predicted[1]),
        }
        if split == "test":
            # Skin-tone variants make "people & body" most of the held-out captions: the base emoji alone too.
            on_base = np.repeat(base[keep], per_text)
            row["base_only"] = {
                "captions": int((keep & base).sum()),
                "accuracy_stage2": float(np.mean(predicted[2][on_base] == labels[on_base])),
                "accuracy_stage1": float(np.mean(predicted[1][on_base] == labels[on_base])),
                "chance_stage1": held_out_chance(labels[on_base], predicted[1][on_base]),
                "accuracy_real": float(np.mean(real_predicted[base[keep]] == groups[keep & base])),
                "chance": held_out_chance(labels[on_base], predicted[2][on_base]),
            }
            per_group = []
            for g in range(10):
                mine = labels == g
                if mine.any():
                    per_group.append({"group": g, "captions": int(mine.sum() // per_text),
                                      "accuracy_stage2": float(np.mean(predicted[2][mine] == g)),
                                      "accuracy_real": float(np.mean(real_predicted[groups[keep] == g] == g))})
            row["per_group"] = per_group
        results[split] = row
    results["measure_seconds"] = round(time.time() - start, 1)
    return results


#: Groups shown in the caption grid (one caption each, per split); component (2) and activities (6) left out.
GRID_GROUPS = (0, 1, 3, 4, 5, 7, 8, 9)
GRID_SAMPLES = 4
GRID_SCALE = 2


def grid_captions(found):
    """`[(caption, split, group, index)]`: for each split (held out first), one
    base emoji (no skin-tone variant) per group of `GRID_GROUPS`, drawn with a
    fixed generator (seed 0)."""
    import numpy as np

    rng = np.random.default_rng(0)
    rows = []
    for split in ("test", "train"):
        for group in GRID_GROUPS:
            candidates = [i for i in range(len(found)) if found.splits[i] == split and found.groups[i] == group
                          and found.keys[i] == found.base_keys[i]]
            if candidates:
                i = candidates[int(rng.integers(len(candidates)))]
                rows.append((found.texts[i], split, group, i))
    return rows


def save_caption_grid(model, images, found, path):
    """`samples.png`: one row per caption (`grid_captions`), labelled with the
    caption and whether it was held out; columns: the real emoji, the Stage-I
    image and `GRID_SAMPLES` Stage-II images (seeds 0..3 of
    `generate([caption], n_per_text=4, seed=0)`; the Stage-I column is the
    first of them). Images are shown `GRID_SCALE`x (nearest). Returns the rows."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from kerasgan.data.captions import GROUP_NAMES

    rows = grid_captions(found)
    cell = MODEL_KWARGS["image_size"] * GRID_SCALE
    pad, label_width, header = 4, 300, 22
    columns = 2 + GRID_SAMPLES
    width = label_width + columns * (cell + pad) + pad
    height = header + len(rows) * (cell + pad) + pad + 10
    canvas = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=13)
    small = ImageFont.load_default(size=11)

    def to_pil(image):
        array = np.clip((np.asarray(image) + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(array).resize((cell, cell), Image.NEAREST)

    titles = ["real", "Stage I"] + [f"Stage II #{k + 1}" for k in range(GRID_SAMPLES)]
    for c, title in enumerate(titles):
        draw.text((label_width + pad + c * (cell + pad), 4), title, fill="black", font=small)
    y = header
    for r, (caption, split, group, index) in enumerate(rows):
        if r and split != rows[r - 1][1]:  # a line between the held-out and the training captions
            draw.line([(0, y + 3), (width, y + 3)], fill="gray", width=2)
            y += 10
        stage2 = model.generate([caption], n_per_text=GRID_SAMPLES, seed=0, stage=2).numpy()
        stage1 = model.generate([caption], n_per_text=GRID_SAMPLES, seed=0, stage=1).numpy()[0]
        tag = "HELD OUT" if split == "test" else "training"
        draw.text((pad, y + 8), caption if len(caption) <= 40 else caption[:38] + "...", fill="black", font=font)
        draw.text((pad, y + 28), f"{tag} caption; group: {GROUP_NAMES[group]}",
                  fill="firebrick" if split == "test" else "dimgray", font=small)
        for c, image in enumerate([images[index], stage1] + list(stage2)):
            canvas.paste(to_pil(image), (label_width + pad + c * (cell + pad), y))
        y += cell + pad
    canvas = canvas.crop((0, 0, width, y + pad))
    path = pathlib.Path(path)
    canvas.save(path, format="PNG")
    return rows


def write_references(folder):
    """`tests/zoo/references/stackgan-emoji.npz`: the packaged `.keras`
    model's `generate(REFERENCE_TEXTS, seed=7)` and the SavedModel's
    `serving_default(texts=REFERENCE_TEXTS, seed=7)["images"]`, both loaded
    from `folder` as a user would (`kerasgan.zoo.load` of the entry)."""
    import tempfile

    import numpy as np
    import tensorflow as tf

    from kerasgan import zoo

    with tempfile.TemporaryDirectory() as cache:
        where = dict(zoo_dir=folder.parent, cache_dir=cache)
        model = zoo.load(NAME, **where)
        served = zoo.load(NAME, format="saved_model", **where)
        texts = list(REFERENCE_TEXTS)
        keras_images = model.generate(texts, seed=REFERENCE_SEED).numpy()
        served_images = served.signatures["serving_default"](
            texts=tf.constant(texts), seed=tf.constant(REFERENCE_SEED, tf.int64))["images"].numpy()
    np.testing.assert_allclose(served_images, keras_images, atol=1e-5)
    REFERENCES.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(REFERENCES, texts=np.asarray(texts), seed=np.asarray(REFERENCE_SEED),
                        keras=keras_images, saved_model=served_images)


DESCRIPTION = ("StackGAN, text -> emoji: Emojibase captions to Twemoji images, Stage I 16x16 -> Stage II 32x32 RGB "
               "(composited on white); about 10% of the emoji are held out as unseen captions.")
DATASET = ("Twemoji 72x72 colour emoji with an Emojibase entry ({num_real:,} of the 4,009 files), captioned "
           "'label: tags' from Emojibase (e.g. 'flag: Poland: PL flag'); trained on the {train} images of the "
           "'train' split of kerasgan.data.captions.caption_split ({held_out} images of {held_out_emoji} emoji held out)")
LICENCE = ("Twemoji graphics (c) 2020 Twitter, Inc and other contributors, CC-BY 4.0 (attribution required; these "
           "weights are a derivative work); Emojibase metadata (captions, groups) MIT")

#: What the card records about the first run (measured with this script's `measure` on its Stage-I model).
NOTES = """
- **A first run followed the captions less.** With label-only captions ("flag:
  Poland") and StackGAN's default `kl_weight=1`, Stage I after the same 100 epochs
  reached FID 8.69 (same protocol), and its images' group accuracy (Stage I, 4 per
  held-out caption, same protocol) was 0.573 on held-out captions and 0.600 on
  training captions: above caption-independent answers (0.412 and 0.437) but not
  above always answering the commonest group (0.611 and 0.595). Its conditioning
  augmentation kept the text's share of the condition small (KL about 3.5 nats
  over 32 dimensions, against unit-variance noise), and in Stage II the Stage-II
  augmentation collapsed onto the prior (KL 0.009 after 10 epochs), so that run
  was stopped there. This entry is the second run: `kl_weight=0.1` in both stages
  (Stage-I KL about 10 nats at the end of Stage I) and "label: tags" captions (tags such as "flag",
  "food", "animal", "face" are shared across an Emojibase group, which is what a
  held-out caption can be understood by).
- **What the picture shows.** Flags (a striped rectangle) and buttons and keycaps
  (a blue square with a white sign) follow their captions, held out or not, and the
  people captions get a figure; for most other captions the image is set mostly by
  the noise: in `samples.png` the rows of the smileys, animals, food and objects look
  alike column by column (same seeds, different captions). The per-group table
  above says the same in numbers.
- **What "held out" means here.** A held-out caption's emoji was never seen in
  training, in any skin tone; its words mostly were (they are words of other
  captions), and a word never seen shares the unknown-word id. Group accuracy asks
  whether the picture lands in the right kind of emoji (a flag for a flag, a face
  for a face), not whether it draws that emoji.
- **The ruler.** The group classifier is small and imperfect on the real images
  themselves (the *real images* column; e.g. food and activities are often taken
  for other groups), and it has seen the held-out emoji in its own training.
- 32x32 only: Stage I 16 -> Stage II 32 (scale 2) fits the 2-core CPU budget;
  the paper's 64 -> 256 does not.
"""


def _pct(x):
    return f"{x:.3f}"


def write_card(folder, run, results, rows):
    from kerasgan.data.captions import GROUP_NAMES

    test, train_row = results["test"], results["train"]
    base = test["base_only"]
    s1, s2 = run["stage1"], run["stage2"]
    params = run["parameters"]
    total = sum(params.values())
    size, low = MODEL_KWARGS["image_size"], MODEL_KWARGS["stage1_size"]

    def acc_row(name, row):
        c = row["chance"]
        return (f"| {name} | {row['captions']} | **{_pct(row['accuracy_stage2'])}** ({_pct(c['independent'])}) | "
                f"{_pct(row['accuracy_stage1'])} ({_pct(row['chance_stage1']['independent'])}) | "
                f"{_pct(row['accuracy_real'])} | {_pct(c['majority'])} | {_pct(c['prior'])} | {_pct(c['uniform'])} |")

    per_group = "\n".join(
        f"| {g['group']} {GROUP_NAMES[g['group']]} | {g['captions']} | {_pct(g['accuracy_stage2'])} | "
        f"{_pct(g['accuracy_real'])} |" for g in test["per_group"])
    shown = "\n".join(f"- {'held out' if split == 'test' else 'training'}: \"{caption}\" ({GROUP_NAMES[group]})"
                      for caption, split, group, _ in rows)
    text = f"""# {NAME}

{DESCRIPTION}

![caption grid](samples.png)

`samples.png`: one row per caption, the first {sum(r[1] == 'test' for r in rows)} HELD OUT (emoji never seen in
training, in any skin tone), then {sum(r[1] == 'train' for r in rows)} training captions, one base emoji per group
(drawn with a fixed seed, `training/build_stackgan_zoo.py:grid_captions`). Columns: the real emoji (for
reference, not an input), the Stage-I image ({low}x{low}), and four Stage-II images
(`gan.generate([caption], n_per_text=4, seed=0)`; the Stage-I column is the coarse image under the
first of them). Shown at {GRID_SCALE}x, nearest neighbour.

| | |
|---|---|
| family | `stackgan` (`kerasgan.models.StackGAN`), task text -> image |
| resolution | Stage I {low}x{low} -> Stage II {size}x{size}, 3 channels, images in [-1, 1] |
| input | captions (raw strings, trained on Emojibase's "label: tags", e.g. "flag: Poland: PL flag", at most {MODEL_KWARGS['sequence_length']} words read; a label alone works too; the {run['vocabulary_size']:,}-word vocabulary of the training captions is inside both files, unknown words share one id); noise {MODEL_KWARGS['latent_dim']}-d z + {MODEL_KWARGS['condition_dim']}-d conditioning-augmentation eps per stage |
| networks (parameters) | text encoder {params['text_encoder']:,}; Stage-I generator {params['stage1_generator']:,}, discriminator {params['stage1_discriminator']:,}; Stage-II generator {params['stage2_generator']:,}, discriminator {params['stage2_discriminator']:,}; {total:,} in all |
| configuration | `StackGAN(vocabulary, {", ".join(f"{k}={v!r}" for k, v in MODEL_KWARGS.items())})`; `compile(kl_weight={COMPILE['kl_weight']:g})` in both stages, otherwise StackGAN's defaults: loss `non_saturating`, matching-aware discriminator (mismatch weight 0.5), Adam(2e-4, beta_1 0.5) for both roles |
| training data | {DATASET.format(num_real=results['num_real'], train=f"{run['num_train_images']:,}", held_out=results['held_out_images'], held_out_emoji=results['held_out_emoji'])} |
| data licence | {LICENCE} |
| training | batch {TRAIN['batch_size']}, {run['steps_per_epoch']} steps per epoch; Stage I: {s1['epochs']} epochs ({s1['steps']:,} steps), {s1['seconds']:.0f} s; Stage II (Stage I frozen): {s2['epochs']} epochs ({s2['steps']:,} steps), {s2['seconds']:.0f} s ({(s1['seconds'] + s2['seconds']) / 60:.0f} min in all); wall time on {run['host']}, shared with two other trainings |
| weights shipped | the networks as trained (no EMA); `model.keras` also holds the Stage-II optimizer state |
| files | `model.keras` (Keras; `generate(texts, n_per_text, seed, stage)`), `saved_model/1/` (TF Serving: `serving_default` (`texts` string [n], `seed` int64 -> `images`, `images_uint8`, `noise`), `generate_from_noise` (`texts`, `noise`)), `samples.png` |

## Quality (measured)

Extractor: `{results['extractor']}`, the Twemoji group classifier of the zoo
(`zoo/extractors/twemoji-groups-classifier.keras`, a small CNN trained by kerasgan
on the Twemoji images that have an Emojibase group, held-out emoji included, at 32x32): these numbers compare only with numbers
from that extractor, never with published Inception FIDs.

### FID against the real emoji

One image per caption of every captioned Twemoji ({results['num_real']:,} captions, training and held out;
`gan.generate(texts, seed=0)`), against those {results['num_real']:,} real images at {size}x{size}. Stage-I
images come from the same noise, bilinearly upsampled to {size}x{size}.

| images | FID |
|---|---|
| Stage I ({low}x{low}, upsampled) | {results['fid_stage1']:.2f} |
| Stage II ({size}x{size}) | {results['fid_stage2']:.2f} |
| real images reduced to {low}x{low} (area) and upsampled: the floor of a perfect Stage I | {results['fid_real_at_stage1_size']:.2f} |
| real halves (two disjoint halves of the real images): the floor at this sample size | {results['fid_real_halves']:.2f} |

### Does the image follow the caption? Group accuracy

Every caption's emoji has an Emojibase group (smileys, people, animals, food, travel,
activities, objects, symbols, flags; component). The classifier is asked which group a
generated image is in; the accuracy is how often that is the caption's group. HELD-OUT
captions are the `test` split of `kerasgan.data.captions.caption_split` (emoji never
seen in training, with all their skin tones): {HELD_OUT_PER_TEXT} images per caption
(`gan.generate(held_out_texts, n_per_text={HELD_OUT_PER_TEXT}, seed=0)`); training captions:
one image each (seed 0).

| captions | captions (n) | generated, Stage II (chance: independent) | generated, Stage I (chance: independent) | real images | chance: always the majority group | chance: guess by the group prior | chance: uniform 1/10 |
|---|---|---|---|---|---|---|---|
{acc_row("held out, all", test)}
{acc_row("held out, base emoji only (no skin-tone variants)", base)}
{acc_row("training", train_row)}

Chance levels: *independent* (in brackets after each generated accuracy) is the
accuracy the classifier's answers on those generated images would get if they had
the same frequencies but ignored the caption (sum over groups of p_k q_k, p the
captions' group frequencies, q the answers' frequencies): the fair chance level for
"does the caption matter";
*majority* always answers the commonest group (max p_k); *prior* guesses at random
with the captions' group frequencies (sum p_k^2); *uniform* is 1/10. The held-out
captions are mostly skin-tone variants of people emoji
(see the per-group table), hence the high majority rate; the base-emoji row removes them.
The *real images* column is the classifier on the real emoji of the same captions:
it was trained on all Twemoji, the held-out ones included, so that column is
accuracy on its own training data (an upper reference, not a held-out score); the
generated images are new to it.

Held out, per group (Stage II, {HELD_OUT_PER_TEXT} images per caption):

| group | captions | generated | real |
|---|---|---|---|
{per_group}

Captions in the picture:

{shown}

## Notes

{NOTES.strip()}

## Reproduce

Training, measurement and packaging (from the repository root, real data in `../shared/data`;
a finished run in `runs/zoo/{NAME}` is reused, a run stopped after Stage I resumes from
`runs/zoo/{NAME}/stage1.keras`):

```bash
{COMMAND}
```

The measurement alone, on the shipped `zoo/{NAME}/model.keras` (prints the same numbers as JSON):

```bash
{COMMAND} --measure-zoo
```

The measurement took {results['measure_seconds']:.0f} s. Seeds: weights `keras.utils.set_random_seed(0)`,
model seed 0, data shuffle seed 0; oneDNN on (kerasgan's default), so a rerun on another
host gives other weights within run-to-run noise.

## Use

```python
import kerasgan
import tensorflow as tf
gan = kerasgan.zoo.load("{NAME}")
images = gan.generate(["grinning face", "flag: Poland", "red apple"], n_per_text=4, seed=0)  # [12, 32, 32, 3]
coarse = gan.generate(["grinning face"], seed=0, stage=1)                                   # [1, 16, 16, 3]
served = kerasgan.zoo.load("{NAME}", format="saved_model")
served.signatures["serving_default"](texts=tf.constant(["grinning face"]), seed=tf.constant(0, tf.int64))
```

`kerasgan sample zoo/{NAME}/model.keras --text "red apple" --text "cat face" -n 4 --out grid.png`
draws one row per caption.
"""
    (folder / "README.md").write_text(text)


def package(model, run, results, shared):
    """Writes `zoo/stackgan-emoji/`, the registry entry and the references."""
    import shutil

    from kerasgan import export, zoo

    if ZOO_DIR.exists():
        shutil.rmtree(ZOO_DIR)
    ZOO_DIR.mkdir(parents=True)
    model.save(ZOO_DIR / "model.keras")
    export.export_saved_model(model, str(ZOO_DIR / "saved_model"), version=1, overwrite=True)
    images, _, _, found = emoji_data(shared, split="all")
    rows = save_caption_grid(model, images, found, ZOO_DIR / "samples.png")
    write_card(ZOO_DIR, run, results, rows)
    test, train_row = results["test"], results["train"]
    metrics = {
        "fid_stage1": results["fid_stage1"], "fid_stage2": results["fid_stage2"],
        "fid_real_halves": results["fid_real_halves"], "fid_real_at_stage1_size": results["fid_real_at_stage1_size"],
        "heldout_group_accuracy": test["accuracy_stage2"], "heldout_group_accuracy_stage1": test["accuracy_stage1"],
        "heldout_group_accuracy_real": test["accuracy_real"],
        "heldout_chance_independent": test["chance"]["independent"],
        "heldout_chance_independent_stage1": test["chance_stage1"]["independent"],
        "heldout_base_chance_independent": test["base_only"]["chance"]["independent"],
        "heldout_chance_majority": test["chance"]["majority"], "heldout_chance_prior": test["chance"]["prior"],
        "heldout_base_group_accuracy": test["base_only"]["accuracy_stage2"],
        "heldout_base_chance_majority": test["base_only"]["chance"]["majority"],
        "train_group_accuracy": train_row["accuracy_stage2"],
    }
    with open(REGISTRY_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        zoo.build_entry(
            NAME, ZOO_DIR, family="stackgan", description=DESCRIPTION, resolution=MODEL_KWARGS["image_size"],
            dataset=DATASET.format(num_real=results["num_real"], train=f"{run['num_train_images']:,}",
                                   held_out=results["held_out_images"],
                                   held_out_emoji=results["held_out_emoji"]),
            licence=LICENCE, metrics=metrics, command=COMMAND, extractor=results["extractor"],
            task="text_to_image", stage1_resolution=MODEL_KWARGS["stage1_size"],
            held_out="kerasgan.data.captions.caption_split (test split)",
            train_seconds={"stage1": run["stage1"]["seconds"], "stage2": run["stage2"]["seconds"]},
            hardware=run["host"], captions=TRAIN["caption_mode"],
        )
    write_references(ZOO_DIR)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--train-only", action="store_true")
    parser.add_argument("--measure-zoo", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    if args.dry_run:
        print(json.dumps({"model": MODEL_KWARGS, "train": TRAIN, "run_dir": str(RUN_DIR)}, indent=2))
        return 0
    if args.measure_zoo:
        from kerasgan import zoo

        model = zoo.load(NAME, zoo_dir=ZOO_DIR.parent)
        print(json.dumps(measure(model, args.shared), indent=2))
        return 0
    model, run = train(args.shared)
    if args.train_only:
        return 0
    results = measure(model, args.shared)
    (RUN_DIR / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    package(model, run, results, args.shared)
    print(f"zoo/{NAME}: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
