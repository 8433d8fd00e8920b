"""`kerasgan export`: a saved model -> a TF Serving SavedModel version folder.

    kerasgan export runs/dcgan/model.keras --out exports/dcgan --version 1

Wired into `kerasgan.cli` with `add_export_parser(subparsers)` and
`run_export(args)`. TensorFlow is imported only when the command runs.
"""

import os
import sys


def add_export_parser(subparsers):
    p = subparsers.add_parser(
        "export", help="export a saved model's generator for TensorFlow Serving",
        description=(
            "Write the model's sampling path (its EMA generator when it has one; ProGAN with its "
            "fade-in alpha) as a SavedModel in TF Serving's layout OUT/VERSION/ with the "
            "signatures serving_default (z [, labels] [, options] -> images, images_uint8) and "
            "generate_from_seed (seed, num_images [, labels] [, options] -> images, "
            "images_uint8, z). Options are the family's extra scalar inputs (its "
            "serving_inputs, e.g. StyleGAN's truncation_psi). See serving/README.md."),
    )
    p.add_argument("model", help="a .keras model written by kerasgan")
    p.add_argument("--out", required=True,
                   help="model base folder (exports/NAME; NAME is TF Serving's --model_name), "
                        "or a version folder exports/NAME/N")
    p.add_argument("--version", type=int, default=None,
                   help="version number (default: the number ending --out, else 1 + the highest existing)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing version folder")
    p.add_argument("--max-images", type=int, default=1024,
                   help="largest num_images that generate_from_seed accepts")
    p.add_argument("--no-warmup", action="store_true",
                   help="do not write assets.extra/tf_serving_warmup_requests")
    return p


def run_export(args):
    """Runs `kerasgan export`; returns the exit status (1 when the version exists)."""
    from kerasgan.cli import load_model_file
    from kerasgan.export import export_saved_model, serving_inputs

    model = load_model_file(args.model)
    try:
        path = export_saved_model(
            model, args.out, version=args.version, overwrite=args.overwrite,
            max_images=args.max_images, warmup=not args.no_warmup,
        )
    except FileExistsError as e:
        print(f"kerasgan export: error: {e} (on the command line: --overwrite)", file=sys.stderr)
        return 1
    base = os.path.abspath(os.path.dirname(path))
    name = os.path.basename(base)
    print(f"Exported {type(model).__name__} to {path}")
    for name, dtype, default, doc in serving_inputs(model):
        print(f"  extra input {name}: {dtype.name} scalar, default {default.item()!r} ({doc})")
    print(f"Serve it with:\n  docker run --rm -p 8500:8500 -p 8501:8501 "
          f"-v {base}:/models/{name} -e MODEL_NAME={name} tensorflow/serving")
    return 0
