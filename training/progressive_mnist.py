"""ProGAN or StyleGAN grown 4x4 -> 32x32 on the MNIST test split, with a
sample grid and the FID per phase.

    .venv/bin/python training/progressive_mnist.py --family progan [--shared ../shared/data] [--out runs/progan-mnist]
    .venv/bin/python training/progressive_mnist.py --family stylegan --style-mode modulated [--out runs/stylegan-mnist]

Both families run the same schedule: each phase fades in its new block over
`--fade-in` images and trains `--stabilize` more at alpha = 1 (batch 32,
latent 64, `--filters` channels per layer). Everything else is the family's
own default (ProGAN: WGAN-GP + drift, no EMA; StyleGAN: non-saturating loss,
lazy R1 gamma 10 every 16 steps, style mixing 0.9, generator EMA 0.999,
8-layer mapping network with lr multiplier 0.01, `--style-mode`), unless
`--ema-decay` says otherwise (the zoo's StyleGAN recipe uses 0.99: with
20,000-image phases, 0.999 leaves the EMA generator half made of the new
layers' random initial weights at the end of a phase).

Training options (each None: the family's default; all recorded in
OUT/phases.json): `--final-stabilize` (images at alpha = 1 in the 32x32
phase, default `--stabilize`), `--batch-size`, `--loss`, `--learning-rate`,
`--gp-weight`, `--drift-weight`, `--r1-weight`, `--r1-interval`,
`--ema-warmup True`, `--minibatch-group-size`, and for StyleGAN
`--mapping-layers`, `--mapping-lr-multiplier`, `--style-mixing-prob`.
`--eval-every N` also measures the phase FID (EMA and raw generator) every
N images of the last phase and saves the state there (OUT/model_<images>.keras,
OUT/samples_32_<images>.png, OUT/phases.json `curve`), for budget curves.

At the end of every phase the sampling generator (the EMA one when the
family keeps one) draws 2,000 samples; FID uses the zoo's MNIST domain
classifier (`zoo/extractors/mnist-classifier.keras`, built by
`training/build_zoo.py`) against the first 2,000 real images at the phase's
resolution (both sides resized to the classifier's 32x32 input), so each
phase is measured against what it can represent. Results go to
OUT/phases.json (per-phase FIDs, training time without the per-phase
evaluations, hardware), OUT/samples_<resolution>.png and OUT/model.keras.

`training/build_zoo.py progan-mnist-32` / `stylegan-mnist-32` run this
script (with `--out runs/zoo/NAME`), then measure and package the zoo
entry; a finished run of the same family in OUT (phases.json marked
complete, model.keras) is reused.
"""

import argparse
import json
import os
import pathlib
import platform
import sys
import time

import kerasgan  # noqa: F401  (before TensorFlow: sets its oneDNN default)
import numpy as np

REPO = pathlib.Path(__file__).resolve().parent.parent
PHASES_FILE = "phases.json"
FAMILIES = ("progan", "stylegan")
STYLE_MODES = ("adain", "modulated")
#: The recipes' defaults (build_zoo.py's `progan-mnist-32` and `stylegan-mnist-32` use them).
DEFAULTS = dict(fade_in=10_000, stabilize=10_000, filters=32, latent_dim=64, batch_size=32,
                target_resolution=32, seed=0, style_mode="modulated")
#: Options of `train` that change the training (None: the family's default),
#: with the `compile` argument or model argument each sets. A run records
#: the ones it was given.
COMPILE_OPTIONS = {"loss": "loss", "learning_rate": ("d_learning_rate", "g_learning_rate"),
                   "gp_weight": "gradient_penalty_weight", "drift_weight": "drift_weight",
                   "r1_weight": "r1_weight", "r1_interval": "r1_interval"}
MODEL_OPTIONS = ("ema_warmup", "minibatch_group_size", "mapping_layers", "mapping_lr_multiplier",
                 "style_mixing_prob")


def hardware():
    return f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()})"


def build_model(family, filters, style_mode=None, ema_decay=None, **options):
    """The family's model at 4x4, with the recipe's shared settings, compiled
    with the family's defaults (`ema_decay=None`: the family's default EMA,
    none for ProGAN, 0.999 for StyleGAN) except the `options` given (keys of
    `COMPILE_OPTIONS` and `MODEL_OPTIONS`; None: the family's default)."""
    d = DEFAULTS
    unknown = set(options) - set(COMPILE_OPTIONS) - set(MODEL_OPTIONS)
    if unknown:
        raise ValueError(f"Unknown options {sorted(unknown)}; known: "
                         f"{sorted(COMPILE_OPTIONS) + sorted(MODEL_OPTIONS)}")
    common = dict(target_resolution=d["target_resolution"], channels=1, latent_dim=d["latent_dim"],
                  filters=filters, seed=d["seed"])
    if ema_decay is not None:
        common["ema_decay"] = ema_decay
    # ema_warmup=False by default for both: the shipped stylegan-mnist-32 was
    # trained before StyleGAN's EMA warm-up existed (with a fixed decay of 0.99).
    common["ema_warmup"] = bool(options.get("ema_warmup") or False)
    for key in ("minibatch_group_size",):
        if options.get(key) is not None:
            common[key] = options[key]
    if family == "progan":
        from kerasgan.models.progan import ProGAN

        stylegan_only = [k for k in ("mapping_layers", "mapping_lr_multiplier", "style_mixing_prob")
                         if options.get(k) is not None]
        if stylegan_only:
            raise ValueError(f"{stylegan_only} are StyleGAN options; ProGAN has none.")
        model = ProGAN(**common)
    elif family == "stylegan":
        from kerasgan.models.stylegan import StyleGAN

        for key in ("mapping_layers", "mapping_lr_multiplier", "style_mixing_prob"):
            if options.get(key) is not None:
                common[key] = options[key]
        model = StyleGAN(**common, style_mode=style_mode or d["style_mode"])
    else:
        raise ValueError(f"`family` must be one of {FAMILIES}. Received: family={family!r}")
    compile_kwargs = {}
    for key, targets in COMPILE_OPTIONS.items():
        if options.get(key) is not None:
            for target in (targets if isinstance(targets, tuple) else (targets,)):
                compile_kwargs[target] = options[key]
    model.compile(**compile_kwargs)
    return model


def train(shared, out, family="progan", fade_in=10_000, stabilize=10_000, filters=32,
          style_mode=None, ema_decay=None, final_stabilize=None, batch_size=None, eval_every=None,
          command=None, verbose=0, **options):
    """Trains the recipe into `out`; returns `(model, result)` (`result` is
    what OUT/phases.json holds).

    `final_stabilize`: images at alpha = 1 in the last (target-resolution)
    phase (default `stabilize`). `eval_every`: also measure the per-phase FID
    every this many images of the last phase (OUT/phases.json `curve`).
    `options`: see `build_model` (loss, learning rate, penalties, EMA
    warm-up, StyleGAN's mapping network...)."""
    import keras

    import kerasgan
    from kerasgan.metrics import DomainClassifier, evaluate
    from kerasgan.callbacks import train_progressive
    from kerasgan.utils import save_image_grid

    d = DEFAULTS
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    mnist = f"{shared}/mnist/t10k-images-idx3-ubyte.gz"
    keras.utils.set_random_seed(d["seed"])
    if family == "stylegan":
        style_mode = style_mode or d["style_mode"]
    elif style_mode is not None:
        raise ValueError("`style_mode` is a StyleGAN option; ProGAN has none.")
    model = build_model(family, filters, style_mode, ema_decay, **options)
    batch_size = batch_size or d["batch_size"]
    target = d["target_resolution"]
    stabilize_at = stabilize
    if final_stabilize is not None:
        stabilize_at = {r: stabilize for r in (4, 8, 16, 32) if r < target}
        stabilize_at[target] = final_stabilize
    schedule = kerasgan.callbacks.ProgressiveSchedule(
        fade_in_images=fade_in, stabilize_images=stabilize_at, batch_size=batch_size
    )
    classifier = DomainClassifier.load(REPO / "zoo" / "extractors" / "mnist-classifier.keras",
                                       name="mnist-classifier")
    phases = []
    eval_seconds = [0.0]

    curve = []

    def raw_samples(n, seed):
        # The trained (not averaged) generator, as `generate` draws it.
        z = model.sample_latents(n, seed=seed)
        inputs = model.sampling_inputs(z) if family == "stylegan" else model.generator_inputs(z)
        return np.clip(model.generator(inputs, training=False).numpy(), -1.0, 1.0)

    def measure_phase(name, raw=False):
        t0 = time.time()
        resolution = model.resolution
        real = kerasgan.data.load(mnist, resolution, batch_size=2000, shuffle=False)
        real = next(iter(real)).numpy()
        scores = evaluate(model, real, metrics=("fid",), num_samples=2000, extractor=classifier, seed=0)
        save_image_grid(model.generate(64, seed=0), out / f"samples_{name}.png")
        row = {"resolution": resolution, "alpha": float(model.alpha.numpy()),
               "images_seen": int(model.images_seen.numpy()), "fid": scores["fid"]}
        if raw and model.ema_generator is not None:
            row["fid_raw"] = evaluate(raw_samples, real, metrics=("fid",), num_samples=2000,
                                      extractor=classifier, seed=0)["fid"]
        eval_seconds[0] += time.time() - t0
        row.update(seconds=round(time.time() - start, 1),
                   train_seconds=round(time.time() - start - eval_seconds[0], 1))
        raw_note = f" (raw generator {row['fid_raw']:.2f})" if "fid_raw" in row else ""
        print(f"{resolution}x{resolution} after {row['images_seen']:,} images: FID {scores['fid']:.2f}"
              f"{raw_note} ({row['seconds']} s so far, {row['train_seconds']} s training)", flush=True)
        return row

    def record(complete):
        wall = time.time() - start
        result = {"family": family, "extractor": classifier.identity, "num_samples": 2000, "phases": phases,
                  "fade_in_images": fade_in, "stabilize_images": stabilize, "filters": filters,
                  "latent_dim": d["latent_dim"], "batch_size": batch_size,
                  "images_seen": int(model.images_seen.numpy()),
                  "wall_seconds": round(wall, 1), "train_seconds": round(wall - eval_seconds[0], 1),
                  "hardware": hardware(), "command": command or " ".join(sys.argv)}
        if style_mode is not None:
            result["style_mode"] = style_mode
        result["ema_decay"] = model.ema_decay
        if final_stabilize is not None:
            result["final_stabilize_images"] = final_stabilize
        if eval_every:
            result["eval_every"] = eval_every
            result["curve"] = curve
        given = {k: v for k, v in options.items() if v is not None}
        if given:
            result["options"] = given
        result["complete"] = complete
        (out / PHASES_FILE).write_text(json.dumps(result, indent=2))
        return result

    class PhaseReport(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            # Intermediate points of the last phase (`eval_every`), each with
            # the state saved (small) and OUT/phases.json (not complete).
            if eval_every and model.resolution == target and float(model.alpha.numpy()) == 1.0:
                seen = int(model.images_seen.numpy())
                if seen < schedule.total_images(model.start_resolution, target):
                    curve.append(measure_phase(f"{target}_{seen}", raw=True))
                    t0 = time.time()
                    model.save(out / f"model_{seen}.keras")
                    eval_seconds[0] += time.time() - t0
                    record(complete=False)

        def on_train_end(self, logs=None):
            phases.append(measure_phase(str(model.resolution), raw=bool(eval_every)))
            if model.resolution == target and eval_every:
                curve.append(phases[-1])

    def dataset_fn(resolution, batch_size):
        return kerasgan.data.load(mnist, resolution, batch_size, seed=0, repeat=True)

    start = time.time()
    steps_per_epoch = max(1, eval_every // batch_size) if eval_every else None
    train_progressive(model, dataset_fn, schedule, callbacks=[PhaseReport()], verbose=verbose,
                      steps_per_epoch=steps_per_epoch)
    model.save(out / "model.keras")
    result = record(complete=True)
    return model, result


#: `train` arguments -> the keys of phases.json that record them.
RECORDED = {"family": "family", "fade_in": "fade_in_images", "stabilize": "stabilize_images",
            "filters": "filters", "style_mode": "style_mode", "ema_decay": "ema_decay",
            "final_stabilize": "final_stabilize_images", "batch_size": "batch_size"}


def load_finished(out, **settings):
    """`(model, result)` of a finished run in `out`, or `(None, None)`.

    `settings` (any `train` arguments: `family`, `fade_in`, `stabilize`,
    `filters`, `style_mode`, `ema_decay`) must match what the run recorded,
    else it is not reused. Runs made before StyleGAN joined this script
    recorded neither `family` (they are ProGAN runs) nor `ema_decay` nor
    `style_mode`; a setting the run did not record is not compared. The
    settings added later (`final_stabilize`, the `options` of `build_model`)
    count as their defaults (None) when a run did not record them."""
    out = pathlib.Path(out)
    if not (out / PHASES_FILE).is_file() or not (out / "model.keras").is_file():
        return None, None
    result = json.loads((out / PHASES_FILE).read_text())
    if not result.get("complete"):
        return None, None
    recorded = dict(result, family=result.get("family", "progan"))
    recorded.setdefault("final_stabilize_images", None)
    options = result.get("options", {})
    for name, value in settings.items():
        if name in COMPILE_OPTIONS or name in MODEL_OPTIONS:
            if options.get(name) != value:
                print(f"Not reusing {out}: it was trained with {name}={options.get(name)!r}, not {value!r}")
                return None, None
            continue
        key = RECORDED.get(name)
        if key in recorded and value is not None and recorded[key] != value:
            print(f"Not reusing {out}: it was trained with {key}={recorded[key]!r}, not {value!r}")
            return None, None
    for name, value in options.items():
        if settings.get(name) != value:
            print(f"Not reusing {out}: it was trained with {name}={value!r}, not {settings.get(name)!r}")
            return None, None
    import keras

    import kerasgan.models  # noqa: F401  (registers the classes)

    return keras.saving.load_model(out / "model.keras"), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=FAMILIES, default="progan")
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--out", default=None, help="default: runs/<family>-mnist")
    parser.add_argument("--fade-in", type=int, default=DEFAULTS["fade_in"])
    parser.add_argument("--stabilize", type=int, default=DEFAULTS["stabilize"])
    parser.add_argument("--filters", type=int, default=DEFAULTS["filters"])
    parser.add_argument("--style-mode", choices=STYLE_MODES, default=None,
                        help=f"StyleGAN only (default {DEFAULTS['style_mode']})")
    parser.add_argument("--ema-decay", type=float, default=None,
                        help="generator EMA decay (default: the family's, none for ProGAN, 0.999 for StyleGAN)")
    parser.add_argument("--final-stabilize", type=int, default=None,
                        help="images at alpha = 1 in the last phase (default: --stabilize)")
    parser.add_argument("--batch-size", type=int, default=None, help=f"default {DEFAULTS['batch_size']}")
    parser.add_argument("--eval-every", type=int, default=None,
                        help="also measure the phase FID every this many images of the last phase")
    parser.add_argument("--loss", default=None, help="e.g. non_saturating, wasserstein (default: the family's)")
    parser.add_argument("--learning-rate", type=float, default=None, help="Adam lr of both networks")
    parser.add_argument("--gp-weight", type=float, default=None, help="WGAN-GP lambda (0: off)")
    parser.add_argument("--drift-weight", type=float, default=None, help="ProGAN's epsilon_drift (0: off)")
    parser.add_argument("--r1-weight", type=float, default=None, help="R1 gamma (0: off)")
    parser.add_argument("--r1-interval", type=int, default=None, help="lazy R1 interval")
    parser.add_argument("--ema-warmup", type=lambda v: {"true": True, "false": False}[v.lower()], default=None,
                        metavar="{True,False}", help="ramp the EMA decay up from 0 (GAN's ema_warmup)")
    parser.add_argument("--minibatch-group-size", type=int, default=None)
    parser.add_argument("--mapping-layers", type=int, default=None, help="StyleGAN only")
    parser.add_argument("--mapping-lr-multiplier", type=float, default=None, help="StyleGAN only")
    parser.add_argument("--style-mixing-prob", type=float, default=None, help="StyleGAN only")
    args = parser.parse_args(argv)
    if args.style_mode is not None and args.family != "stylegan":
        parser.error("--style-mode is a StyleGAN option")
    out = args.out or str(REPO / "runs" / f"{args.family}-mnist")
    options = {k: getattr(args, k) for k in list(COMPILE_OPTIONS) + list(MODEL_OPTIONS)}
    _, result = train(args.shared, out, args.family, args.fade_in, args.stabilize, args.filters,
                      style_mode=args.style_mode, ema_decay=args.ema_decay,
                      final_stabilize=args.final_stabilize, batch_size=args.batch_size,
                      eval_every=args.eval_every, **options)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
