"""ProGAN grown 4x4 -> 32x32 on the MNIST test split, with a sample grid and
the FID per phase.

    .venv/bin/python training/progan_mnist.py [--shared ../shared/data] [--out runs/progan-mnist]

Each phase fades in its new block over `--fade-in` images and trains
`--stabilize` more at alpha = 1 (batch 32). At the end of every phase the
generator (no EMA in this recipe) draws 2,000 samples; FID uses the zoo's
MNIST domain classifier (`zoo/extractors/mnist-classifier.keras`, built by
`training/build_zoo.py`) against the first 2,000 real images at the phase's
resolution (both sides resized to the classifier's 32x32 input), so each
phase is measured against what it can represent. Results go to
OUT/phases.json (per-phase FIDs, training time without the per-phase
evaluations, hardware), OUT/samples_<resolution>.png and OUT/model.keras.

`training/build_zoo.py progan-mnist-32` runs this recipe (with
`--out runs/zoo/progan-mnist-32`), then measures and packages the zoo entry;
a finished run in OUT (phases.json marked complete, model.keras) is reused.
"""

import argparse
import json
import os
import pathlib
import platform
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
PHASES_FILE = "phases.json"
#: The recipe's defaults (build_zoo.py's `progan-mnist-32` uses them).
DEFAULTS = dict(fade_in=10_000, stabilize=10_000, filters=32, latent_dim=64, batch_size=32,
                target_resolution=32, seed=0)


def hardware():
    return f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()})"


def train(shared, out, fade_in=10_000, stabilize=10_000, filters=32, command=None, verbose=0):
    """Trains the recipe into `out`; returns `(model, result)` (`result` is
    what OUT/phases.json holds)."""
    import keras

    import kerasgan
    from kerasgan.metrics import DomainClassifier, evaluate
    from kerasgan.models.progan import ProGAN, train_progressive
    from kerasgan.utils import save_image_grid

    d = DEFAULTS
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    mnist = f"{shared}/mnist/t10k-images-idx3-ubyte.gz"
    keras.utils.set_random_seed(d["seed"])
    model = ProGAN(target_resolution=d["target_resolution"], channels=1, latent_dim=d["latent_dim"],
                   filters=filters, seed=d["seed"])
    model.compile()
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
    result = {"extractor": classifier.identity, "num_samples": 2000, "phases": phases,
              "fade_in_images": fade_in, "stabilize_images": stabilize, "filters": filters,
              "latent_dim": d["latent_dim"], "batch_size": d["batch_size"],
              "images_seen": int(model.images_seen.numpy()),
              "wall_seconds": round(wall, 1), "train_seconds": round(wall - eval_seconds[0], 1),
              "hardware": hardware(), "command": command or " ".join(sys.argv)}
    model.save(out / "model.keras")
    result["complete"] = True
    (out / PHASES_FILE).write_text(json.dumps(result, indent=2))
    return model, result


def load_finished(out):
    """`(model, result)` of a finished run in `out`, or `(None, None)`."""
    out = pathlib.Path(out)
    if not (out / PHASES_FILE).is_file() or not (out / "model.keras").is_file():
        return None, None
    result = json.loads((out / PHASES_FILE).read_text())
    if not result.get("complete"):
        return None, None
    import keras

    import kerasgan.models  # noqa: F401  (registers the classes)

    return keras.saving.load_model(out / "model.keras"), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--out", default=str(REPO / "runs" / "progan-mnist"))
    parser.add_argument("--fade-in", type=int, default=DEFAULTS["fade_in"])
    parser.add_argument("--stabilize", type=int, default=DEFAULTS["stabilize"])
    parser.add_argument("--filters", type=int, default=DEFAULTS["filters"])
    args = parser.parse_args(argv)
    _, result = train(args.shared, args.out, args.fade_in, args.stabilize, args.filters)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
