"""DiffAugment / ADA against no augmentation on a small emoji subset, with FID
measured along the way (training/README.md, "DiffAugment and ADA").

    mkdir -p /tmp/twemoji-250
    ls ../shared/data/emoji/twemoji-72/*.png | sort | awk 'NR%16==1' | head -250 | xargs cp -t /tmp/twemoji-250
    .venv/bin/python training/augment_study.py base --data /tmp/twemoji-250 --out runs/augment-study
    .venv/bin/python training/augment_study.py da_tc --data /tmp/twemoji-250 --out runs/augment-study \\
        --compile augment=diffaugment --compile augment_policy=translation,cutout

Each NAME trains the `dcgan-twemoji-32` recipe's networks (widths 32, latent
64, generator EMA 0.995, batch 32) on `--data` into `OUT/NAME` with
`kerasgan.trainer.train` (so a rerun resumes), and every `--evaluate-every`
epochs scores the EMA generator as `kerasgan evaluate` does for the zoo
(5,000 samples, seed 0, FID and KID with the Twemoji group classifier)
against `--eval-data` (default: all 4,009 Twemoji, not only the training
subset). The scores go to `OUT/NAME/evaluations.csv` (epoch, images seen,
seconds, fid, kid, kid_std), rewritten atomically after each evaluation, and
`--report [EVERY] --out OUT` prints the Markdown table of every run there.
"""

import argparse
import csv
import hashlib
import io
import os
import pathlib
import sys
import time

import kerasgan  # noqa: F401  (before TensorFlow: sets its oneDNN default)

REPO = pathlib.Path(__file__).resolve().parent.parent
EXTRACTOR = REPO / "zoo" / "extractors" / "twemoji-groups-classifier.keras"
MODEL_KWARGS = {"generator_filters": 32, "discriminator_filters": 32, "ema_decay": 0.995}
FIELDS = ["epoch", "images", "seconds", "fid", "kid", "kid_std"]


def names_digest(folder):
    """sha256 of the sorted file names (`ls | sha256sum`), naming the subset trained on."""
    names = "".join(name + "\n" for name in sorted(os.listdir(folder)))
    return hashlib.sha256(names.encode()).hexdigest()


def read_rows(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path, rows):
    from kerasgan.utils.atomic import atomic_write_text

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())


def report(root, every=1):
    """A Markdown table of the runs under `root`: FID (KID x1e3) at every
    `every`-th evaluation, then each run's best FID and its epoch."""
    folders = sorted(pathlib.Path(root).iterdir(), key=lambda p: (p.name != "base", p.name))  # the baseline first
    runs = {run.name: read_rows(run / "evaluations.csv") for run in folders
            if (run / "evaluations.csv").exists()}
    runs = {name: rows for name, rows in runs.items() if rows}
    epochs = sorted({int(r["epoch"]) for rows in runs.values() for r in rows})[every - 1::every]
    print("| epoch | images | " + " | ".join(runs) + " |")
    print("|---|---|" + "---|" * len(runs))
    for epoch in epochs:
        cells = []
        for rows in runs.values():
            row = next((r for r in rows if int(r["epoch"]) == epoch), None)
            cells.append("" if row is None else f"{float(row['fid']):.2f} ({1e3 * float(row['kid']):.0f})")
        images = next(r["images"] for rows in runs.values() for r in rows if int(r["epoch"]) == epoch)
        print(f"| {epoch} | {int(images):,} | " + " | ".join(cells) + " |")
    best = [min(rows, key=lambda r: float(r["fid"])) for rows in runs.values()]
    print("| best | | " + " | ".join(f"{float(r['fid']):.2f} (epoch {r['epoch']})" for r in best) + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", nargs="?", help="the run's name (its folder under --out)")
    parser.add_argument("--data", default="/tmp/twemoji-250", help="the training images (a folder)")
    parser.add_argument("--eval-data", default=str(REPO.parent / "shared" / "data" / "emoji" / "twemoji-72"),
                        help="the real images FID is measured against")
    parser.add_argument("--out", default=str(REPO / "runs" / "augment-study"))
    parser.add_argument("--epochs", type=int, default=4000)
    parser.add_argument("--evaluate-every", type=int, default=200, help="epochs between evaluations")
    parser.add_argument("--num-samples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compile", action="append", default=[], metavar="KEY=VALUE",
                        help="a compile argument, as `kerasgan train --compile`")
    parser.add_argument("--report", type=int, nargs="?", const=1, default=None, metavar="EVERY",
                        help="print the table of the runs under --out (every EVERY-th evaluation) and exit")
    args = parser.parse_args(argv)
    if args.report is not None:
        report(args.out, args.report)
        return 0
    if not args.name:
        parser.error("a run NAME is needed (or --report)")

    import keras

    from kerasgan import data, trainer
    from kerasgan.callbacks import Evaluate
    from kerasgan.cli import _key_values
    from kerasgan.metrics import DomainClassifier
    from kerasgan.metrics.reference_statistics import reference_statistics

    out = pathlib.Path(args.out) / args.name
    csv_path = out / "evaluations.csv"
    extractor = DomainClassifier.load(EXTRACTOR, name="twemoji-groups-classifier")
    real, _ = data.load_arrays(args.eval_data, 32, channels=3)
    reference = reference_statistics(real, extractor)
    evaluate = Evaluate(reference, every_n_epochs=args.evaluate_every, metrics=("fid", "kid"),
                        num_samples=args.num_samples, extractor=extractor, seed=0, verbose=1)
    steps_per_epoch = len(os.listdir(args.data)) // 32
    start = time.time()

    class Record(keras.callbacks.Callback):
        """Appends each new evaluation to evaluations.csv (a resumed run drops later rows)."""

        def on_epoch_end(self, epoch, logs=None):
            if not evaluate.results or evaluate.results[-1][0] != epoch:
                return
            results = evaluate.results[-1][1]
            rows = [r for r in read_rows(csv_path) if int(r["epoch"]) < epoch + 1]
            rows.append({"epoch": epoch + 1, "images": (epoch + 1) * steps_per_epoch * 32,
                         "seconds": round(time.time() - start, 1),
                         **{k: f"{results[k]:.6g}" for k in ("fid", "kid", "kid_std")}})
            write_rows(csv_path, rows)

    print(f"{args.name}: {args.data} (sha256 of the sorted names {names_digest(args.data)}), "
          f"{steps_per_epoch} steps per epoch")
    trainer.train(
        family="dcgan", dataset=args.data, out=str(out), epochs=args.epochs, image_size=32, batch_size=32,
        latent_dim=64, seed=args.seed, model_kwargs=MODEL_KWARGS, compile_kwargs=_key_values(args.compile, "--compile"),
        tensorboard=False, verbose=0, extra_callbacks=[evaluate, Record()],
        command=" ".join(["python", "training/augment_study.py", *(argv if argv is not None else sys.argv[1:])]),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
