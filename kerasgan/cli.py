"""The `kerasgan` command line.

    kerasgan train dcgan --dataset digits --epochs 2 --out runs/dcgan
    kerasgan sample runs/dcgan/model.keras -n 64 --out grid.png
    kerasgan evaluate runs/dcgan/model.keras --dataset digits --metrics fid,kid
    kerasgan export runs/dcgan/model.keras --out exports/dcgan --version 1
    kerasgan zoo sample dcgan-mnist-32 -n 16 --out grid.png

Every subcommand has `--help`. TensorFlow is imported only once a command
runs, so `--help` is quick.
"""

import argparse
import json
import os
import sys


def _parse_value(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _key_values(pairs, flag):
    """`["a=1", "b=[2,3]"]` -> `{"a": 1, "b": [2, 3]}` (values parsed as JSON when they can be)."""
    result = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise SystemExit(f"kerasgan: {flag} takes KEY=VALUE. Received: {pair!r}")
        key, value = pair.split("=", 1)
        result[key.strip().replace("-", "_")] = _parse_value(value)
    return result


def _add_train(subparsers):
    p = subparsers.add_parser("train", help="train (or resume) a GAN", description=(
        "Train a GAN family with model.fit. Writes OUT/samples/*.png, OUT/checkpoints "
        "(rerun with the same --out to resume), OUT/history.csv and OUT/model.keras."))
    p.add_argument("family", help="model family: gan, dcgan, cgan, wgan_gp")
    p.add_argument("--dataset", default="digits",
                   help="'digits' (embedded, default), a TFDS name, an image folder, an IDX file")
    p.add_argument("--out", default=None, help="run folder (default: runs/FAMILY)")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--latent-dim", type=int, default=100)
    p.add_argument("--channels", type=int, choices=(1, 3), default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-dir", default=None, help="TFDS data directory")
    p.add_argument("--split", default="train")
    p.add_argument("--steps-per-epoch", type=int, default=None)
    p.add_argument("--num-samples", type=int, default=64, help="images per sample grid")
    p.add_argument("--ema-decay", type=float, default=None)
    p.add_argument("--model", action="append", metavar="KEY=VALUE",
                   help="family constructor argument, e.g. --model generator_filters=32")
    p.add_argument("--compile", action="append", metavar="KEY=VALUE",
                   help="compile argument, e.g. --compile loss=hinge --compile n_critic=2")
    p.add_argument("--strategy", default="auto",
                   help="auto (all GPUs if >1), default, mirrored, multi_worker (TF_CONFIG), "
                        "cpu:N (N logical CPUs, for testing); --batch-size is the global batch")
    p.add_argument("--no-tensorboard", action="store_true")
    p.add_argument("--dry-run", action="store_true", help="print the configuration and exit")


def _add_sample(subparsers):
    p = subparsers.add_parser("sample", help="write a grid of samples from a saved model")
    p.add_argument("model", help="a .keras model written by kerasgan")
    p.add_argument("-n", "--num-images", type=int, default=64)
    p.add_argument("--out", default="samples.png", help="PNG grid path")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--labels", default=None, help="comma-separated class labels (conditional models)")
    p.add_argument("--columns", type=int, default=None)


def _add_evaluate(subparsers):
    p = subparsers.add_parser("evaluate", help="score a saved model (FID, KID, IS, precision/recall)")
    p.add_argument("model", help="a .keras model, a SavedModel folder written by `kerasgan export`, or a zoo name")
    p.add_argument("--dataset", default="digits", help="real data to compare with (any kerasgan.data source)")
    p.add_argument("--metrics", default="fid,kid", help="comma-separated: fid,kid,is,pr")
    p.add_argument("--num-samples", type=int, default=2000)
    p.add_argument("--extractor", default="domain",
                   help="'domain' (a classifier trained on --dataset, cached in --cache-dir), "
                        "'inception' or a path to InceptionV3 weights")
    p.add_argument("--cache-dir", default=os.path.join("~", ".cache", "kerasgan"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None, help="also write the results to this JSON file")


def build_parser():
    parser = argparse.ArgumentParser(prog="kerasgan", description="GANs for TensorFlow/Keras.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_train(subparsers)
    _add_sample(subparsers)
    _add_evaluate(subparsers)
    from kerasgan.cli_export import add_export_parser

    add_export_parser(subparsers)
    from kerasgan.cli_zoo import add_zoo_parser

    add_zoo_parser(subparsers)
    return parser


def _train(args, argv):
    out = args.out or os.path.join("runs", args.family.lower())
    model_kwargs = _key_values(args.model, "--model")
    if args.ema_decay is not None:
        model_kwargs["ema_decay"] = args.ema_decay
    compile_kwargs = _key_values(args.compile, "--compile")
    config = dict(
        family=args.family, dataset=args.dataset, out=out, epochs=args.epochs,
        image_size=args.image_size, batch_size=args.batch_size, latent_dim=args.latent_dim,
        channels=args.channels, seed=args.seed, data_dir=args.data_dir, split=args.split,
        model_kwargs=model_kwargs, compile_kwargs=compile_kwargs, num_samples=args.num_samples,
        steps_per_epoch=args.steps_per_epoch, tensorboard=not args.no_tensorboard,
        strategy=args.strategy,
    )
    if args.dry_run:
        print(json.dumps(config, indent=2))
        return 0
    from kerasgan import trainer

    trainer.train(**config, command="kerasgan " + " ".join(argv))
    print(f"Model: {os.path.join(out, 'model.keras')}  samples: {os.path.join(out, 'samples')}")
    return 0


def _load_model(path):
    import keras

    import kerasgan.models  # noqa: F401  (registers the classes)

    if not os.path.exists(path):
        raise SystemExit(f"kerasgan: no model file at {path}")
    try:
        return keras.saving.load_model(path)
    except Exception as e:  # a corrupt or foreign file: say which and why
        raise SystemExit(f"kerasgan: could not load the model {path}: {e}") from None


def _sample(args):
    from kerasgan.utils.images import save_image_grid

    model = _load_model(args.model)
    labels = None
    if args.labels:
        labels = [int(v) for v in args.labels.split(",")]
        if len(labels) == 1:
            labels = labels[0]
    images = model.generate(args.num_images, seed=args.seed, labels=labels)
    path = save_image_grid(images, args.out, columns=args.columns)
    print(f"Wrote {args.num_images} samples to {path}")
    return 0


def _extractor(args, dataset_name, images, labels):
    import re

    from kerasgan import metrics

    if args.extractor == "inception":
        return metrics.InceptionV3Extractor(weights="imagenet", include_top="is" in args.metrics)
    if args.extractor != "domain":
        return metrics.InceptionV3Extractor(weights=args.extractor, include_top="is" in args.metrics)
    if labels is None:
        raise ValueError(
            f"The 'domain' extractor trains a classifier on the dataset's labels, and "
            f"{dataset_name!r} has none: use --extractor inception (or a weights path)."
        )
    slug = re.sub(r"[^A-Za-z0-9]+", "_", os.path.basename(os.path.normpath(str(dataset_name)))).strip("_")
    shape = "x".join(str(d) for d in images.shape[1:])
    path = os.path.join(os.path.expanduser(args.cache_dir), f"domain_{slug}_{shape}.keras")
    if os.path.exists(path):
        return metrics.DomainClassifier.load(path)
    print(f"Training the domain classifier for {dataset_name} ({len(images)} images); cached at {path}")
    classifier = metrics.DomainClassifier.train(images, labels, epochs=5, seed=args.seed)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    classifier.save(path)
    return classifier


class _SavedModelSampler:
    """Draws samples from an exported SavedModel's `generate_from_seed`
    signature, so `evaluate` scores exactly what TF Serving would serve."""

    def __init__(self, path):
        import json as json_lib

        import tensorflow as tf

        versions = sorted((int(d) for d in os.listdir(path) if d.isdigit()), reverse=True)
        if not os.path.exists(os.path.join(path, "saved_model.pb")) and versions:
            path = os.path.join(path, str(versions[0]))
        self._signature = tf.saved_model.load(path).signatures["generate_from_seed"]
        with open(os.path.join(path, "assets.extra", "kerasgan.json")) as f:
            meta = json_lib.load(f)
        self.num_classes = meta.get("num_classes")
        self.image_shape = tuple(self._signature.structured_outputs["images"].shape[1:])

    def generate(self, n, seed=None, labels=None, batch_size=None):
        import tensorflow as tf

        inputs = {"seed": tf.constant(0 if seed is None else seed, tf.int64),
                  "num_images": tf.constant(n, tf.int64)}
        if self.num_classes:
            inputs["labels"] = tf.constant([] if labels is None else labels, tf.int32)
        return self._signature(**inputs)["images"]


def _model_for_evaluation(spec):
    """A `.keras` file, a SavedModel folder, or a zoo name -> something with `generate`."""
    if os.path.isdir(spec):
        return _SavedModelSampler(spec)
    if os.path.exists(spec) or spec.endswith(".keras"):
        return _load_model(spec)
    from kerasgan import zoo

    return zoo.load(spec)


def _evaluate(args):
    import json as json_lib

    from kerasgan import data, metrics

    model = _model_for_evaluation(args.model)
    wanted = [m.strip() for m in args.metrics.split(",") if m.strip()]
    info = data.info(args.dataset)
    images, labels = data.load_arrays(args.dataset, model.image_shape[0], channels=model.image_shape[-1],
                                      with_labels=info.num_classes is not None)
    extractor = _extractor(args, args.dataset, images, labels)
    results = metrics.evaluate(model, images, metrics=wanted, num_samples=args.num_samples,
                               extractor=extractor, seed=args.seed)
    results["model"] = os.path.abspath(args.model)
    results["dataset"] = str(args.dataset)
    print(metrics.format_table(results))
    if args.json:
        with open(args.json, "w") as f:
            json_lib.dump(results, f, indent=2)
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            return _train(args, argv)
        if args.command == "sample":
            return _sample(args)
        if args.command == "evaluate":
            return _evaluate(args)
        if args.command == "export":
            from kerasgan.cli_export import run_export

            return run_export(args)
        if args.command == "zoo":
            from kerasgan.cli_zoo import run_zoo

            return run_zoo(args)
    except ValueError as e:
        # Bad input (unknown family, dataset, shapes, ...): the message names it.
        print(f"kerasgan {args.command}: error: {e}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
