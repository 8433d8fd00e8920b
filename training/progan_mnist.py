"""ProGAN grown 4x4 -> 32x32 on the MNIST test split, with a sample grid and
the FID per phase.

    .venv/bin/python training/progan_mnist.py [--shared ../shared/data] [--out runs/progan-mnist]

Each phase fades in its new block over `--fade-in` images and trains
`--stabilize` more at alpha = 1 (batch 32). At the end of every phase the
EMA-free generator draws 2,000 samples; FID uses the zoo's MNIST domain
classifier (`zoo/extractors/mnist-classifier.keras`, built by
`training/build_zoo.py`) against the real images at the phase's resolution
(both sides resized to the classifier's 32x32 input), so each phase is
measured against what it can represent. Results go to OUT/phases.json and
OUT/samples_<resolution>.png.
"""

import argparse
import json
import pathlib
import time

REPO = pathlib.Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--out", default=str(REPO / "runs" / "progan-mnist"))
    parser.add_argument("--fade-in", type=int, default=10_000)
    parser.add_argument("--stabilize", type=int, default=10_000)
    parser.add_argument("--filters", type=int, default=32)
    args = parser.parse_args(argv)

    import keras
    import numpy as np

    import kerasgan
    from kerasgan.metrics import DomainClassifier, evaluate
    from kerasgan.models.progan import ProGAN, train_progressive
    from kerasgan.utils import save_image_grid

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    mnist = f"{args.shared}/mnist/t10k-images-idx3-ubyte.gz"
    keras.utils.set_random_seed(0)
    model = ProGAN(target_resolution=32, channels=1, latent_dim=64, filters=args.filters, seed=0)
    model.compile()
    schedule = kerasgan.callbacks.ProgressiveSchedule(
        fade_in_images=args.fade_in, stabilize_images=args.stabilize, batch_size=32
    )
    classifier = DomainClassifier.load(REPO / "zoo" / "extractors" / "mnist-classifier.keras",
                                       name="mnist-classifier")
    phases = []

    class PhaseReport(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            resolution = model.resolution
            real = kerasgan.data.load(mnist, resolution, batch_size=2000, shuffle=False)
            real = next(iter(real)).numpy()
            scores = evaluate(model, real, metrics=("fid",), num_samples=2000, extractor=classifier, seed=0)
            save_image_grid(model.generate(64, seed=0), out / f"samples_{resolution}.png")
            phases.append({"resolution": resolution, "alpha": float(model.alpha.numpy()),
                           "images_seen": int(model.images_seen.numpy()), "fid": scores["fid"],
                           "seconds": round(time.time() - start, 1)})
            print(f"phase {resolution}x{resolution}: FID {scores['fid']:.2f} "
                  f"({phases[-1]['seconds']} s so far)", flush=True)

    def dataset_fn(resolution, batch_size):
        return kerasgan.data.load(mnist, resolution, batch_size, seed=0, repeat=True)

    start = time.time()
    train_progressive(model, dataset_fn, schedule, callbacks=[PhaseReport()], verbose=0)
    result = {"extractor": classifier.identity, "num_samples": 2000, "phases": phases,
              "fade_in_images": args.fade_in, "stabilize_images": args.stabilize, "filters": args.filters}
    (out / "phases.json").write_text(json.dumps(result, indent=2))
    model.save(out / "model.keras")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
