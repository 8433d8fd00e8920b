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

REPO = pathlib.Path(__file__).resolve().parent.parent
PHASES_FILE = "phases.json"
FAMILIES = ("progan", "stylegan")
STYLE_MODES = ("adain", "modulated")
#: The recipes' defaults (build_zoo.py's `progan-mnist-32` and `stylegan-mnist-32` use them).
DEFAULTS = dict(fade_in=10_000, stabilize=10_000, filters=32, latent_dim=64, batch_size=32,
                target_resolution=32, seed=0, style_mode="modulated")


def hardware():
    return f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()})"


def build_model(family, filters, style_mode=None, ema_decay=None):
    """The family's model at 4x4, with the recipe's shared settings, compiled
    with the family's defaults (`ema_decay=None`: the family's default EMA,
    none for ProGAN, 0.999 for StyleGAN)."""
    d = DEFAULTS
    common = dict(target_resolution=d["target_resolution"], channels=1, latent_dim=d["latent_dim"],
                  filters=filters, seed=d["seed"])
    if ema_decay is not None:
        common["ema_decay"] = ema_decay
    if family == "progan":
        from kerasgan.models.progan import ProGAN

        model = ProGAN(**common)
    elif family == "stylegan":
        from kerasgan.models.stylegan import StyleGAN

        # ema_warmup=False: the shipped stylegan-mnist-32 was trained before
        # StyleGAN's EMA warm-up existed (with a fixed decay of 0.99).
        model = StyleGAN(**common, style_mode=style_mode or d["style_mode"], ema_warmup=False)
    else:
        raise ValueError(f"`family` must be one of {FAMILIES}. Received: family={family!r}")
    model.compile()
    return model


def train(shared, out, family="progan", fade_in=10_000, stabilize=10_000, filters=32,
          style_mode=None, ema_decay=None, command=None, verbose=0):
    """Trains the recipe into `out`; returns `(model, result)` (`result` is
    what OUT/phases.json holds)."""
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
    model = build_model(family, filters, style_mode, ema_decay)
    schedule = kerasgan.callbacks.ProgressiveSchedule(
        fade_in_images=fade_in, stabilize_images=stabilize, batch_size=d["batch_size"]
    )
    classifier = DomainClassifier.load(REPO / "zoo" / "extractors" / "mnist-classifier.keras",
                                       name="mnist-classifier")
    phases = []
    eval_seconds = [0.0]

    class PhaseReport(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            t0 = time.time()
            resolution = model.resolution
            real = kerasgan.data.load(mnist, resolution, batch_size=2000, shuffle=False)
            real = next(iter(real)).numpy()
            scores = evaluate(model, real, metrics=("fid",), num_samples=2000, extractor=classifier, seed=0)
            save_image_grid(model.generate(64, seed=0), out / f"samples_{resolution}.png")
            eval_seconds[0] += time.time() - t0
            phases.append({"resolution": resolution, "alpha": float(model.alpha.numpy()),
                           "images_seen": int(model.images_seen.numpy()), "fid": scores["fid"],
                           "seconds": round(time.time() - start, 1),
                           "train_seconds": round(time.time() - start - eval_seconds[0], 1)})
            print(f"phase {resolution}x{resolution}: FID {scores['fid']:.2f} "
                  f"({phases[-1]['seconds']} s so far)", flush=True)

    def dataset_fn(resolution, batch_size):
        return kerasgan.data.load(mnist, resolution, batch_size, seed=0, repeat=True)

    start = time.time()
    train_progressive(model, dataset_fn, schedule, callbacks=[PhaseReport()], verbose=verbose)
    wall = time.time() - start
    result = {"family": family, "extractor": classifier.identity, "num_samples": 2000, "phases": phases,
              "fade_in_images": fade_in, "stabilize_images": stabilize, "filters": filters,
              "latent_dim": d["latent_dim"], "batch_size": d["batch_size"],
              "images_seen": int(model.images_seen.numpy()),
              "wall_seconds": round(wall, 1), "train_seconds": round(wall - eval_seconds[0], 1),
              "hardware": hardware(), "command": command or " ".join(sys.argv)}
    if style_mode is not None:
        result["style_mode"] = style_mode
    result["ema_decay"] = model.ema_decay
    model.save(out / "model.keras")
    result["complete"] = True
    (out / PHASES_FILE).write_text(json.dumps(result, indent=2))
    return model, result


#: `train` arguments -> the keys of phases.json that record them.
RECORDED = {"family": "family", "fade_in": "fade_in_images", "stabilize": "stabilize_images",
            "filters": "filters", "style_mode": "style_mode", "ema_decay": "ema_decay"}


def load_finished(out, **settings):
    """`(model, result)` of a finished run in `out`, or `(None, None)`.

    `settings` (any `train` arguments: `family`, `fade_in`, `stabilize`,
    `filters`, `style_mode`, `ema_decay`) must match what the run recorded,
    else it is not reused. Runs made before StyleGAN joined this script
    recorded neither `family` (they are ProGAN runs) nor `ema_decay` nor
    `style_mode`; a setting the run did not record is not compared."""
    out = pathlib.Path(out)
    if not (out / PHASES_FILE).is_file() or not (out / "model.keras").is_file():
        return None, None
    result = json.loads((out / PHASES_FILE).read_text())
    if not result.get("complete"):
        return None, None
    recorded = dict(result, family=result.get("family", "progan"))
    for name, value in settings.items():
        key = RECORDED.get(name)
        if key in recorded and value is not None and recorded[key] != value:
            print(f"Not reusing {out}: it was trained with {key}={recorded[key]!r}, not {value!r}")
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
    args = parser.parse_args(argv)
    if args.style_mode is not None and args.family != "stylegan":
        parser.error("--style-mode is a StyleGAN option")
    out = args.out or str(REPO / "runs" / f"{args.family}-mnist")
    _, result = train(args.shared, out, args.family, args.fade_in, args.stabilize, args.filters,
                      style_mode=args.style_mode, ema_decay=args.ema_decay)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
