"""Train, measure and package the zoo entry `srgan-emoji-x4` (SRGAN, 18x18 -> 72x72 emoji).

    .venv/bin/python training/build_srgan_zoo.py                 # train (or reuse the run), measure, package
    .venv/bin/python training/build_srgan_zoo.py --train-only    # train into runs/zoo/srgan-emoji-x4 only
    .venv/bin/python training/build_srgan_zoo.py --measure-only  # measure the finished run (results.json), no packaging
    .venv/bin/python training/build_srgan_zoo.py --dry-run       # print the settings
    .venv/bin/python training/build_srgan_zoo.py --only srgan    # train one file of the run (phase 1 first)

`kerasgan train` runs one `fit`; SRGAN needs two (`compile(phase=...)`
each), so this script uses the Python API:

1. Data: `kerasgan.data.load_super_resolution("../shared/data/emoji", 72)`:
   both emoji sets (Twemoji and Noto, 72x72 RGBA composited on white),
   each high-resolution image with its 18x18 bicubic (antialiased)
   downsampling. The held-out rule of `kerasgan.data.super_resolution`
   (SHA-256 of the emoji's code-point key, both drawings of an emoji on
   the same side) keeps about 10% of the emoji out: training sees only
   `split="train"`, every number is measured on `split="test"`.
2. Training (`runs/zoo/srgan-emoji-x4`): phase 1 `compile(phase="srresnet")`
   (the generator alone on the pixel MSE), saved as `srresnet.keras`;
   phase 2 `compile(phase="srgan")` (content loss in the content network's
   features + adversarial loss + a little pixel MSE), saved as
   `model.keras`. `run.json` records steps, wall times and host. A rerun
   reuses what is already saved (phase 1, then phase 2).
3. Measurement on the held-out split (`measure`): PSNR and SSIM
   (`kerasgan.metrics.translation_metrics`) and FID against the real
   high-resolution test images (`zoo/extractors/twemoji-groups-classifier.keras`
   features) for bicubic upscaling, the phase-1 generator (SRResNet) and
   the phase-2 generator (SRGAN).
4. Packaging: `zoo/srgan-emoji-x4/` (`model.keras`, `saved_model/1/`,
   `samples.png` = LR | bicubic | SRResNet | SRGAN | HR, `README.md`),
   the registry entry (`kerasgan.zoo.build_entry` under
   `/tmp/kerasgan-registry.lock`) and the regression references
   `tests/zoo/references/srgan-emoji-x4.npz`.
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
NAME = "srgan-emoji-x4"
RUN_DIR = REPO / "runs" / "zoo" / NAME
ZOO_DIR = REPO / "zoo" / NAME
REFERENCES = REPO / "tests" / "zoo" / "references" / f"{NAME}.npz"
EXTRACTOR = REPO / "zoo" / "extractors" / "twemoji-groups-classifier.keras"
REGISTRY_LOCK = "/tmp/kerasgan-registry.lock"
COMMAND = ".venv/bin/python training/build_srgan_zoo.py"
MEASURE_COMMAND = ".venv/bin/python training/build_srgan_zoo.py --measure-only"

#: The model (kept small: it trains on 2 shared CPU cores). The content
#: network is "auto": VGG19 when its ImageNet weights are in the Keras cache,
#: else the Twemoji group classifier (recorded in the model and the card).
MODEL_KWARGS = {
    "image_shape": (72, 72, 3), "scale": 4, "generator_filters": 32, "residual_blocks": 6,
    "discriminator_filters": 16, "discriminator_blocks": 3, "dense_units": 128, "content_network": "auto",
    "seed": 0,
}
#: The data: both emoji sets, 72x72, x4.
DATA = {"source": "{shared}/emoji", "image_size": 72, "scale": 4, "batch_size": 16, "seed": 0}
#: Phase 1 (SRResNet, pixel MSE) and phase 2 (SRGAN) schedules: `steps`
#: generator updates (phase 2: one discriminator update each too) in
#: `fit` epochs of `steps_per_epoch`; `decay`: both learning rates drop to
#: `learning_rate` after `at` steps (the paper: 1e-4, then 1e-5). Phase 2's
#: adversarial weight (3e-4, not the paper's 1e-3: our content loss is in
#: another network's features at another scale) and schedule come from
#: training/srgan_sweep.py's measurements (training/README.md, "SRGAN phase 2").
PHASE1 = {"steps": 2000, "steps_per_epoch": 200, "compile": {"phase": "srresnet", "g_learning_rate": 5e-4}}
PHASE2 = {"steps": 1600, "steps_per_epoch": 200, "decay": {"at": 1200, "learning_rate": 1e-5},
          "compile": {"phase": "srgan", "content_weight": 1.0, "adversarial_weight": 3e-4, "pixel_weight": 0.1,
                      "g_learning_rate": 1e-4, "d_learning_rate": 1e-4}}
#: The ablation: phase 2 without the adversarial term (`adversarial_weight=0`:
#: the generator alone on content + pixel loss, the discriminator untouched),
#: from the same phase-1 generator, for as many steps: what the adversarial
#: term itself changes.
ABLATION = {**PHASE2, "compile": {**PHASE2["compile"], "adversarial_weight": 0.0}}
#: What `samples.png` of the shipped run shows (written after looking at it).
PICTURE_NOTE = """\
In `samples.png`, SRResNet gives clean, slightly soft edges; SRGAN gives
sharper outlines and details (eyes and hair of the faces, the figures'
limbs, the sun's rays) but adds a fine speckled texture to flat colour
areas that emoji art does not have (the sun's disc, the heart, skin): the
adversarial term's hallucinated texture, which SRGAN's lower SSIM than
SRResNet's also shows (its PSNR is the same). Bicubic is blurred
throughout."""
#: How the run shared the host (written for the shipped run).
HOST_NOTE = ("phase 1 ran with one thread next to another training; the two phase 2s ran at the same "
             "time, one thread each (`--only srgan`, `--only content_only`): wall times, not speeds")
#: The regression references: `upscale` of the first REFERENCE_COUNT held-out LR images.
REFERENCE_COUNT = 4
#: Rows of the side-by-side picture (held-out images, evenly spaced over the split).
PICTURE_ROWS = 8


def test_arrays(shared):
    """The held-out `(low, high)` arrays (unshuffled, the split's file order)."""
    from kerasgan.data.super_resolution import load_super_resolution_arrays

    return load_super_resolution_arrays(DATA["source"].format(shared=shared), DATA["image_size"],
                                        scale=DATA["scale"], split="test")


class _Timer:
    """Wall time of each `fit`."""

    def __new__(cls):
        import keras

        class Timer(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.start = time.time()

            def on_train_end(self, logs=None):
                self.seconds = time.time() - self.start

        return Timer()


def _fit(model, data, phase, run, index):
    import keras

    timer = _Timer()
    csv = RUN_DIR / f"history_phase{index}.csv"
    csv.unlink(missing_ok=True)  # a retrained phase starts a new history; its stages append to it
    logger = keras.callbacks.CSVLogger(str(csv), append=True)
    per_epoch = phase["steps_per_epoch"]
    epochs = phase["steps"] // per_epoch
    decay = phase.get("decay")
    # One `fit` per learning rate: with `decay`, both optimizers drop to
    # decay["learning_rate"] after decay["at"] steps (Adam's moments kept).
    stages = [(0, epochs)] if decay is None else [(0, decay["at"] // per_epoch), (decay["at"] // per_epoch, epochs)]
    seconds, history = 0.0, {}
    for stage, (first, last) in enumerate(stages):
        if stage:
            for optimizer in (model.g_optimizer, model.d_optimizer):
                optimizer.learning_rate = decay["learning_rate"]
        result = model.fit(data, steps_per_epoch=per_epoch, epochs=last, initial_epoch=first,
                           callbacks=[timer, logger], verbose=2)
        seconds += timer.seconds
        history = result.history
    run[f"phase{index}"] = {
        "steps": epochs * per_epoch, "seconds": round(seconds, 1), "compile": phase["compile"],
        "last_logs": {k: float(v[-1]) for k, v in history.items()},
    }
    if decay is not None:
        run[f"phase{index}"]["decay"] = decay
    print(f"phase {index}: {epochs * per_epoch} steps, {seconds:.0f} s", flush=True)


def _update_run(run_file, updates):
    """Merges `updates` into `run_file` under a lock (phase-2 runs started
    with `--only` may finish at the same time) and returns the merged run."""
    with open(str(run_file) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        run = json.loads(run_file.read_text()) if run_file.exists() else {}
        run.update(updates)
        tmp = run_file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(run, indent=2))
        os.replace(tmp, run_file)
    return run


def train(shared, ablation=True, only=None):
    """Phase 1, phase 2 and (with `ablation`) the content-only phase 2,
    each skipped when its file is already saved; returns `(models, run)`:
    `{"srresnet", "srgan"[, "content_only"]}` -> the saved models, reloaded.
    `only` ("srresnet", "srgan" or "content_only") trains that one file (the
    phase-2 ones need `srresnet.keras`) and returns `(None, run)`: two
    processes can then train the two phase 2s at once."""
    import keras

    from kerasgan.data.super_resolution import info, load_super_resolution
    from kerasgan.models import SRGAN

    RUN_DIR.mkdir(parents=True, exist_ok=True)
    files = {"srresnet": RUN_DIR / "srresnet.keras", "srgan": RUN_DIR / "model.keras"}
    if ablation:
        files["content_only"] = RUN_DIR / "content_only.keras"
    run_file = RUN_DIR / "run.json"
    run = json.loads(run_file.read_text()) if run_file.exists() else {}
    if only is not None and only not in files:
        raise ValueError(f"--only must be one of {sorted(files)}. Received: {only!r}")
    wanted = {only} if only is not None else set(files)
    if all(files[k].exists() for k in wanted):
        print(f"Reusing the finished run in {RUN_DIR}")
    else:
        source = DATA["source"].format(shared=shared)
        data = load_super_resolution(source, DATA["image_size"], DATA["batch_size"], scale=DATA["scale"],
                                     split="train", seed=DATA["seed"], repeat=True)
        if not files["srresnet"].exists():
            if only not in (None, "srresnet"):
                raise FileNotFoundError(f"{files['srresnet']}: train phase 1 first (--only srresnet)")
            keras.utils.set_random_seed(DATA["seed"])  # the initial weights
            model = SRGAN(**MODEL_KWARGS)
            update = dict(host=host(), command=COMMAND, model_kwargs=MODEL_KWARGS, data=DATA,
                          num_train_images=info(source, split="train").num_examples,
                          parameters={n: int(model.get_network(n).count_params()) for n in model.network_names},
                          content_network=model.content_network_identity, content_layer=model.content_layer)
            model.compile(**PHASE1["compile"])
            _fit(model, data, PHASE1, update, "1")
            model.save(files["srresnet"])
            run = _update_run(run_file, update)
        for key, phase, index in (("srgan", PHASE2, "2"), ("content_only", ABLATION, "2_content_only")):
            if key not in wanted or files[key].exists():
                continue
            print(f"Phase 2 ({key}) from {files['srresnet']}")
            model = keras.saving.load_model(files["srresnet"])
            model.compile(**phase["compile"])
            update = {}
            _fit(model, data, phase, update, index)
            model.save(files[key])
            run = _update_run(run_file, update)
    if only is not None:
        return None, run
    return {key: keras.saving.load_model(f) for key, f in files.items()}, run


def bicubic(low, scale=4):
    """Bicubic upscaling of `low` `[N, h, w, C]` in [-1, 1] by `scale`, clipped to [-1, 1]."""
    import tensorflow as tf

    size = (int(low.shape[1]) * scale, int(low.shape[2]) * scale)
    return tf.clip_by_value(tf.image.resize(low, size, "bicubic"), -1.0, 1.0).numpy()


#: Top-left corners of the four 32x32 patches of a 72x72 image that the
#: patch FID compares at full resolution (the extractor's own input size).
PATCH_CORNERS = ((4, 4), (4, 36), (36, 4), (36, 36))
PATCH = 32


def patches(images):
    """The `PATCH_CORNERS` crops of every image, `[4 N, 32, 32, C]`."""
    import numpy as np

    return np.concatenate([images[:, y:y + PATCH, x:x + PATCH] for y, x in PATCH_CORNERS])


def score(upscaled, high, extractor, real_features, real_patch_features):
    """`translation_metrics` of `upscaled` against `high` (PSNR, SSIM, L1)
    with its FID and patch FID against the real images' features."""
    from kerasgan.metrics import fid_from_activations, translation_metrics

    scores = translation_metrics(upscaled, high)
    scores["fid"] = float(fid_from_activations(extractor.features(upscaled), real_features))
    scores["patch_fid"] = float(fid_from_activations(extractor.features(patches(upscaled)), real_patch_features))
    return scores


def measure(models, low, high, extractor):
    """PSNR, SSIM (`translation_metrics`), FID (whole images, brought to
    the extractor's 32x32 by its antialiased resize) and patch FID (32x32
    crops at full resolution) of nearest-neighbour (the LR image's pixels
    repeated: a reference), bicubic and each of `models` (`upscale`) on the
    held-out `(low, high)`, against `high`."""
    import numpy as np

    from kerasgan.metrics import fid_from_activations

    real_features = extractor.features(high)
    real_patch_features = extractor.features(patches(high))
    scale = high.shape[1] // low.shape[1]
    outputs = {"nearest": np.repeat(np.repeat(low, scale, axis=1), scale, axis=2), "bicubic": bicubic(low),
               **{key: np.asarray(model.upscale(low)) for key, model in models.items()}}
    results = {}
    for method, upscaled in outputs.items():
        scores = results[method] = score(upscaled, high, extractor, real_features, real_patch_features)
        print(f"{method:9s} PSNR {scores['psnr']:.2f} dB  SSIM {scores['ssim']:.4f}  FID {scores['fid']:.2f}  "
              f"patch FID {scores['patch_fid']:.2f}", flush=True)
    # Sampling noise of FID between two *different* image sets of this size:
    # two disjoint random halves of the real test images (seed 0).
    halves = np.random.default_rng(0).permutation(len(high))
    a, b = np.sort(halves[: len(high) // 2]), np.sort(halves[len(high) // 2:])
    patch_a, patch_b = (np.concatenate([h + i * len(high) for i in range(len(PATCH_CORNERS))]) for h in (a, b))
    results["real_halves"] = {"fid": float(fid_from_activations(real_features[a], real_features[b])),
                              "patch_fid": float(fid_from_activations(real_patch_features[patch_a],
                                                                      real_patch_features[patch_b]))}
    results["num_test_images"] = int(len(high))
    results["extractor"] = extractor.identity
    return results, outputs


def side_by_side(low, outputs, high, path, rows=PICTURE_ROWS):
    """`rows` held-out images (evenly spaced over the split), one per row:
    LR (nearest-neighbour enlarged) | bicubic | SRResNet | SRGAN | HR."""
    import numpy as np

    from kerasgan.utils import save_image_grid

    index = np.linspace(0, len(high) - 1, rows).round().astype(int)
    scale = high.shape[1] // low.shape[1]
    enlarged = np.repeat(np.repeat(low, scale, axis=1), scale, axis=2)
    columns = [enlarged, outputs["bicubic"], outputs["srresnet"], outputs["srgan"], high]
    grid = np.stack([c[index] for c in columns], axis=1).reshape((-1,) + high.shape[1:])
    save_image_grid(grid, path, columns=len(columns))
    return index


def record_references(low):
    """`upscale` of the first `REFERENCE_COUNT` held-out LR images by the
    packaged entry, from its `.keras` file and its SavedModel's `upscale`
    signature (both loaded with `kerasgan.zoo.load`), with the input."""
    import tempfile

    import numpy as np
    import tensorflow as tf

    from kerasgan import zoo

    inputs = np.asarray(low[:REFERENCE_COUNT], np.float32)
    with tempfile.TemporaryDirectory() as cache:
        where = dict(zoo_dir=ZOO_DIR.parent, cache_dir=cache)
        model = zoo.load(NAME, **where)
        served = zoo.load(NAME, format="saved_model", **where)
        keras_out = np.asarray(model.upscale(inputs))
        served_out = served.signatures["upscale"](images=tf.constant(inputs))["images"].numpy()
    REFERENCES.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(REFERENCES, input=inputs, keras=keras_out, saved_model=served_out)
    print(f"{REFERENCES}: written (keras vs saved_model max difference "
          f"{float(np.abs(keras_out - served_out).max()):.2e})")


DATASET = ("Twemoji and Noto colour emoji, 72x72 RGBA composited on white (../shared/data/emoji: "
           "twemoji-72, 4,009 images, and noto-72, 3,223), each with its 18x18 bicubic antialiased "
           "downsampling; trained on the held-out rule's train split only")
LICENCE = ("Twemoji graphics (c) 2020 Twitter, Inc and other contributors, CC-BY 4.0: attribution required; "
           "Noto Emoji image resources (c) Google, Apache License 2.0; these weights are a derivative work")
DESCRIPTION = "SRGAN 4x super-resolution of colour emoji, 18x18 -> 72x72 (Twemoji and Noto)"


def _fmt_seconds(seconds):
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def write_card(path, run, results, srgan):
    r = results
    p1, p2 = run["phase1"], run["phase2"]
    c2 = p2["compile"]
    content = run["content_network"]
    content_name = content.partition("@")[0]
    if content_name.startswith("vgg19"):
        content_text = (f"VGG19 with the ImageNet weights of the local Keras cache, layer `{run['content_layer']}` "
                        f"(`{content}`)")
    else:
        content_text = (f"the project's Twemoji group classifier (`zoo/extractors/{content_name}.keras`; "
                        f"VGG19's ImageNet weights are not in this machine's Keras cache and kerasgan never "
                        f"downloads them), its convolution `{run['content_layer']}` (ReLU output, 64 maps at "
                        f"half the resolution): `{content}`")
    params = run["parameters"]
    rows = []
    for method, label in (("nearest", "nearest neighbour (the LR pixels repeated; a reference)"),
                          ("bicubic", "bicubic (`tf.image.resize`, clipped)"),
                          ("srresnet", "SRResNet (phase 1 alone: pixel MSE)"),
                          ("content_only", "phase 2 without the adversarial term (ablation: content + pixel loss)"),
                          ("srgan", "**SRGAN** (this entry's `upscale`)")):
        if method not in r:
            continue
        s = r[method]
        rows.append(f"| {label} | {s['psnr']:.2f} | {s['ssim']:.4f} | {s['fid']:.3f} | {s['patch_fid']:.3f} |")
    targets = []
    g, sr, bi = r["srgan"], r["srresnet"], r["bicubic"]
    for key, label in (("fid", "whole-image FID (at the extractor's 32x32)"),
                       ("patch_fid", "patch FID (32x32 crops at full resolution)")):
        below = [name for name, other in (("SRResNet", sr), ("bicubic", bi)) if g[key] < other[key]]
        above = [name for name, other in (("SRResNet", sr), ("bicubic", bi)) if g[key] >= other[key]]
        verdict = "**met**" if not above else f"**MISSED** (not below {' and '.join(above)}'s)"
        targets.append(f"- SRGAN's {label} below SRResNet's and bicubic's: {verdict}: {g[key]:.3f} vs "
                       f"{sr[key]:.3f} (SRResNet) and {bi[key]:.3f} (bicubic).")
    psnr_ok = g["psnr"] > bi["psnr"]
    targets.append(f"- SRGAN's PSNR above bicubic's: **{'met' if psnr_ok else 'MISSED'}**: "
                   f"{g['psnr']:.2f} dB vs {bi['psnr']:.2f} dB (SRResNet, trained on the pixel "
                   f"MSE itself, {sr['psnr']:.2f} dB).")
    if "content_only" in r:
        a, g = r["content_only"], r["srgan"]
        targets.append(f"- What the adversarial term itself does (SRGAN against the ablation: the same phase 2 "
                       f"from the same phase-1 generator for as many steps, without it): FID {g['fid']:.3f} vs "
                       f"{a['fid']:.3f}, "
                       f"patch FID {g['patch_fid']:.3f} vs {a['patch_fid']:.3f}, PSNR {g['psnr']:.2f} vs "
                       f"{a['psnr']:.2f} dB, SSIM {g['ssim']:.4f} vs {a['ssim']:.4f}.")
    ablation_row = ""
    if "phase2_content_only" in run:
        pa = run["phase2_content_only"]
        ablation_row = (f"| ablation (not shipped) | phase 2 with `adversarial_weight=0` from the same phase-1 "
                        f"generator: {pa['steps']:,} generator steps, {_fmt_seconds(pa['seconds'])} |\n")
    ablation_verdict = "."
    if "content_only" in r:
        a, g = r["content_only"], r["srgan"]
        better = {"patch FID (full-resolution detail)": g["patch_fid"] < a["patch_fid"],
                  "the whole-image FID": g["fid"] < a["fid"], "PSNR": g["psnr"] > a["psnr"],
                  "SSIM": g["ssim"] > a["ssim"]}
        wins = [k for k, v in better.items() if v]
        costs = [k for k, v in better.items() if not v]
        ablation_verdict = (": against it, SRGAN " + "; ".join(
            part for part in (f"wins {', '.join(wins)}" if wins else "",
                              f"costs {', '.join(costs)}" if costs else "") if part) +
            " (see the last line of the targets above).")
    n = r["nearest"]
    sharper = [label for key, label in (("fid", "FID"), ("patch_fid", "patch FID"))
               if n[key] < r["bicubic"][key]]
    if sharper:
        ruler_note = (f"- **A caveat on this ruler**: nearest-neighbour pixelation, the LR input's pixels merely "
                      f"repeated (first column of `samples.png`), scores a better {' and '.join(sharper)} than "
                      f"bicubic ({n['fid']:.3f} / {n['patch_fid']:.3f} vs {r['bicubic']['fid']:.3f} / "
                      f"{r['bicubic']['patch_fid']:.3f}). The classifier's features respond to sharp edges and "
                      f"are blind to blockiness, so these FIDs reward sharpness as this classifier sees it, not "
                      f"realism as a person sees it; PSNR, SSIM and the picture are the other half of the story.")
    else:
        ruler_note = (f"- Nearest-neighbour pixelation (the LR input's pixels repeated) scores FID "
                      f"{n['fid']:.3f} / patch FID {n['patch_fid']:.3f}, worse than bicubic: the extractor does "
                      f"see blockiness.")
    decay = p2.get("decay")
    decay_text = (f", {decay['learning_rate']:g} for the last {p2['steps'] - decay['at']:,} steps" if decay else "")
    api_fit = f"gan.fit(ds, steps_per_epoch=200, epochs={p2['steps'] // 200})"
    if decay:
        api_fit = (f"gan.fit(ds, steps_per_epoch=200, epochs={decay['at'] // 200})\n"
                   f"gan.g_optimizer.learning_rate = gan.d_optimizer.learning_rate = {decay['learning_rate']:g}\n"
                   f"gan.fit(ds, steps_per_epoch=200, epochs={p2['steps'] // 200}, initial_epoch={decay['at'] // 200})")
    text = f"""# {NAME}

SRGAN (Ledig et al., 2017) 4x single-image super-resolution of colour emoji:
18x18 -> 72x72 RGB, trained on both the Twemoji and the Noto drawings.

![LR | bicubic | SRResNet | SRGAN | HR](samples.png)

`samples.png`: {PICTURE_ROWS} held-out emoji (evenly spaced over the test split), one per row:
LR input (18x18, shown enlarged by pixel repetition) | bicubic | SRResNet (phase 1) | SRGAN (this
entry) | the real 72x72 image.

| | |
|---|---|
| family | `srgan` (`kerasgan.models.SRGAN`), task `upscale` |
| resolution | 18x18 -> 72x72 (x{srgan.scale}), 3 channels, images in [-1, 1]; `upscale` takes any input size |
| training data | {DATASET} |
| data licence | {LICENCE} |
| split | `kerasgan.data.super_resolution`'s held-out rule: an emoji is held out when the SHA-256 of `"kerasgan-split-v1" + key` (key: the file's code points, `kerasgan.data.codepoint_key`, so the Twemoji and Noto drawings of one emoji share it), read as a fraction, is below 0.1. Train: {run['num_train_images']:,} images; test: {r['num_test_images']:,} images, never seen in training |
| generator | `SRResNetGenerator`: {MODEL_KWARGS['generator_filters']} filters, {MODEL_KWARGS['residual_blocks']} residual blocks, two x2 sub-pixel blocks; {params['generator']:,} parameters |
| discriminator | `SRGANDiscriminator`: {MODEL_KWARGS['discriminator_blocks']} blocks from {MODEL_KWARGS['discriminator_filters']} filters, dense {MODEL_KWARGS['dense_units']}; {params['discriminator']:,} parameters (in `model.keras`, for fine-tuning) |
| content network | {content_text}; frozen, {params.get('content_network', 0):,} parameters |
| phase 1 (SRResNet) | `compile(phase="srresnet", g_learning_rate={PHASE1['compile']['g_learning_rate']:g})`: pixel MSE, {p1['steps']:,} generator steps at batch {DATA['batch_size']}, {_fmt_seconds(p1['seconds'])} |
| phase 2 (SRGAN) | `compile(phase="srgan", content_weight={c2['content_weight']:g}, adversarial_weight={c2['adversarial_weight']:g}, pixel_weight={c2['pixel_weight']:g})`, Adam 1e-4 for both networks{decay_text}: content MSE + {c2['adversarial_weight']:g} x non-saturating adversarial + {c2['pixel_weight']:g} x pixel MSE, {p2['steps']:,} steps (one D and one G update each) at batch {DATA['batch_size']}, {_fmt_seconds(p2['seconds'])} |
{ablation_row}| host | {run['host']}; {HOST_NOTE} |
| weights shipped | the phase-2 generator (no EMA); `model.keras` holds the discriminator and the content network too |
| files | `model.keras` (Keras: `upscale`, `fit`), `saved_model/1/` (TF Serving: `upscale` = `translate` = `serving_default`: `images` float32 [batch, h, w, 3] in [-1, 1] -> `images` [batch, 4h, 4w, 3], `images_uint8`), `samples.png` |

## Quality (measured on the {r['num_test_images']} held-out test images)

| method | PSNR (dB) | SSIM | FID | patch FID |
|---|---|---|---|---|
{chr(10).join(rows)}

- PSNR and SSIM: `kerasgan.metrics.translation_metrics` against the real
  72x72 image, per image on [0, 1] (`tf.image.psnr`, `tf.image.ssim` with
  the 11x11 Gaussian window), averaged over the images.
- FID: the upscaled test images against the real high-resolution test
  images ({r['num_test_images']} each), features of the extractor
  `{r['extractor']}` (`zoo/extractors/twemoji-groups-classifier.keras`, its
  128-d `features` layer). That classifier reads 32x32 images, so the whole
  72x72 images are shrunk to 32x32 first (antialiased bilinear), which
  hides much of the fine detail super-resolution adds; **patch FID** feeds it
  32x32 crops at full resolution instead (four per image, corners
  {', '.join(f'({y}, {x})' for y, x in PATCH_CORNERS)}: {4 * r['num_test_images']:,} patches on each side).
  These numbers compare only with numbers from that extractor.
{ruler_note}
- Both sides of each FID are the same {r['num_test_images']} emoji (each upscaled image
  against the real drawings of the same emoji), so there is no sampling
  floor: two disjoint random halves of the real test images, different
  emoji, score {r['real_halves']['fid']:.2f} (patch FID {r['real_halves']['patch_fid']:.2f}) against each
  other. The small values measure how close the upscaled set sits to the
  real one in the classifier's feature space.
- The content network and the FID extractor are the same classifier's
  weights (its second convolution for the loss, its dense features, which
  sit on that convolution, for FID): phase 2 trains on the ruler's own
  lower layers, so part of any FID gain over SRResNet is the content loss
  optimising the ruler. The ablation row (phase 2 without the adversarial
  term) separates that part from the adversarial term's.

Targets of the issue:

{chr(10).join(targets)}

{PICTURE_NOTE}

Step counts: SRResNet is the phase-1 generator ({p1['steps']:,} steps); SRGAN and the
ablation both continue it for {p2['steps']:,} more steps, so they have had more training than the
SRResNet row. The ablation, trained exactly like SRGAN but without the adversarial term, is the fair
comparison for what that term does{ablation_verdict}

Phase 2's adversarial weight is 3e-4, not the paper's 1e-3 (which balanced VGG features rescaled
by 1/12.75; this content loss is in another network's features): training/README.md, "SRGAN
phase 2", measured 1e-3, 3e-4 and 1e-4 from one phase-1 generator, with and without a generator
EMA. There 1e-3 made the whole-image FID worse than SRResNet's, 1e-4 lost most of the patch-FID
gain, the EMA averaged the adversarial detail away, and at a constant learning rate the
whole-image FID moved by 0.02-0.04 between checkpoints of one run. The last 400 steps at
learning rate 1e-5 (the paper's decay) are what settled it there: continuing a 1,200-step run
that scored 0.066 (worse than SRResNet) gave 0.035 and 0.039 after 200 and 400 more steps.

## Reproduce

From the repository root with the real data in `../shared/data`:

```bash
{COMMAND}                  # trains phase 1, 2 and the ablation into runs/zoo/{NAME}, measures, packages zoo/{NAME}
{MEASURE_COMMAND}   # only measures the finished run (prints the table, writes results.json)
```

Settings (`--dry-run` prints them): `training/build_srgan_zoo.py`'s
`MODEL_KWARGS`, `DATA`, `PHASE1`, `PHASE2`, `ABLATION`; the run's `run.json` records them
with the steps, times and host. The same training through the API:

```python
import kerasgan
ds = kerasgan.data.load_super_resolution("../shared/data/emoji", 72, 16, split="train", seed=0, repeat=True)
gan = kerasgan.models.SRGAN(image_shape=(72, 72, 3), generator_filters=32, residual_blocks=6,
                            discriminator_filters=16, discriminator_blocks=3, dense_units=128, seed=0)
gan.compile(phase="srresnet", g_learning_rate=5e-4); gan.fit(ds, steps_per_epoch=200, epochs={p1['steps'] // 200})
gan.compile(phase="srgan", adversarial_weight={c2['adversarial_weight']:g}, pixel_weight={c2['pixel_weight']:g})
{api_fit}
```

## Use

```python
import kerasgan
import tensorflow as tf
gan = kerasgan.zoo.load("{NAME}")
low, high = kerasgan.data.load_super_resolution_arrays("../shared/data/emoji", 72, split="test")
upscaled = gan.upscale(low[:8])                # [8, 72, 72, 3] in [-1, 1]; uint8 inputs are accepted too
served = kerasgan.zoo.load("{NAME}", format="saved_model")
served.signatures["upscale"](images=tf.constant(low[:8]))["images_uint8"]
```
"""
    path.write_text(text)


def package(srgan, run, results, outputs, low, high):
    from kerasgan import export, zoo

    ZOO_DIR.mkdir(parents=True, exist_ok=True)
    srgan.save(ZOO_DIR / "model.keras")
    export.export_saved_model(srgan, str(ZOO_DIR / "saved_model"), version=1, overwrite=True)
    side_by_side(low, outputs, high, ZOO_DIR / "samples.png")
    write_card(ZOO_DIR / "README.md", run, results, srgan)
    metrics = {}
    for method, prefix in (("srgan", ""), ("srresnet", "srresnet_"), ("bicubic", "bicubic_"),
                           ("nearest", "nearest_"), ("content_only", "content_only_")):
        if method not in results:
            continue
        for key in ("psnr", "ssim", "fid", "patch_fid"):
            metrics[prefix + key] = round(results[method][key], 4)
    metrics.update(real_halves_fid=round(results["real_halves"]["fid"], 4),
                   real_halves_patch_fid=round(results["real_halves"]["patch_fid"], 4))
    with open(REGISTRY_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        zoo.build_entry(
            NAME, ZOO_DIR, family="srgan", description=DESCRIPTION, resolution=DATA["image_size"],
            dataset=DATASET, licence=LICENCE, metrics=metrics, extractor=results["extractor"],
            content_network=run["content_network"], scale=DATA["scale"], eval_split="test",
            num_test_images=results["num_test_images"], eval_dataset="{shared}/emoji", command=COMMAND,
            measure_command=MEASURE_COMMAND,
            train_seconds={"srresnet": run["phase1"]["seconds"], "srgan": run["phase2"]["seconds"]},
            train_steps={"srresnet": run["phase1"]["steps"], "srgan": run["phase2"]["steps"]}, host=run["host"],
        )
    record_references(low)
    print(f"zoo/{NAME}: done")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--train-only", action="store_true")
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--skip-ablation", action="store_true",
                        help="neither train nor measure the content-only phase 2 (the card then lacks its row)")
    parser.add_argument("--only", choices=("srresnet", "srgan", "content_only"),
                        help="train this one file into the run folder and stop (two processes can train the "
                             "two phase 2s at once, after phase 1)")
    args = parser.parse_args(argv)
    if args.dry_run:
        print(json.dumps({"model": MODEL_KWARGS, "data": DATA, "phase1": PHASE1, "phase2": PHASE2, "ablation": ABLATION,
                          "run_dir": str(RUN_DIR)}, indent=2))
        return 0
    models, run = train(args.shared, ablation=not args.skip_ablation, only=args.only)
    if args.train_only or args.only:
        return 0
    from kerasgan.metrics import DomainClassifier

    extractor = DomainClassifier.load(EXTRACTOR, name="twemoji-groups-classifier")
    low, high = test_arrays(args.shared)
    start = time.time()
    results, outputs = measure(models, low, high, extractor)
    print(f"(measured in {time.time() - start:.0f} s)")
    (RUN_DIR / "results.json").write_text(json.dumps(results, indent=2))
    if args.measure_only:
        print(f"{RUN_DIR / 'results.json'}: written; zoo/{NAME} left as it is")
        return 0
    package(models["srgan"], run, results, outputs, low, high)
    return 0


if __name__ == "__main__":
    sys.exit(main())
