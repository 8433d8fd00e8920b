"""`kerasgan translate`: a saved image-to-image model over a folder of images.

    kerasgan translate runs/pix2pix/model.keras twemoji/ --out noto_style/
    kerasgan translate runs/cyclegan/model.keras noto/ --out twemoji_style/ --direction b2a
    kerasgan translate runs/stargan/model.keras digits/ --out as_sevens/ --target 7

Every image file under INPUT_DIR (recursively, as `kerasgan.data.load` finds
them) is preprocessed like training data (transparency onto white, the
model's channels, center-cropped and resized to its input size), translated
with `model.translate`, and written as a PNG at the same relative path under
--out (extension `.png`). Existing files are only replaced with --overwrite.

Also gives `kerasgan train` its `--target-dataset` (the second domain of an
image-to-image family). Wired into `kerasgan.cli` with
`add_translate_parser(subparsers)` and `run_translate(args)`; TensorFlow is
imported only when the command runs.
"""

import os
import sys


def add_translate_parser(subparsers):
    train = subparsers.choices.get("train")
    if train is not None and "--target-dataset" not in train._option_string_actions:
        train.add_argument(
            "--target-dataset", default=None, metavar="SOURCE",
            help="image-to-image families: the second domain. Paired (pix2pix): the target image "
                 "folder, its files matched to --dataset's by name (emoji code points; --split train "
                 "or test is a fixed hash split, ~10%% test). Unpaired (cyclegan): domain b, any source")
    p = subparsers.add_parser(
        "translate", help="translate a folder of images with a saved image-to-image model",
        description=("Translate every image under INPUT_DIR with a saved image-to-image model "
                     "(pix2pix, cyclegan, ...) and write PNGs with the same relative paths under --out."),
    )
    p.add_argument("model", help="a .keras model written by kerasgan (an image-to-image family)")
    p.add_argument("input_dir", help="folder of .png/.jpg images (searched recursively)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--direction", choices=("a2b", "b2a"), default=None,
                   help="unpaired families (cyclegan): which generator (default a2b)")
    p.add_argument("--target", default=None, metavar="K",
                   help="multi-domain families (stargan): the target domain, an int class, or for "
                        "multi-label models comma-separated 0/1 attributes (e.g. 1,0,1)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    return p


def _load(path):
    """An image-to-image model from a `.keras` file (Keras' safe mode), or
    SystemExit with one line saying what is wrong."""
    import zipfile

    if not os.path.isfile(path):
        raise SystemExit(f"kerasgan: no model file at {path}")
    if not zipfile.is_zipfile(path):
        raise SystemExit(f"kerasgan: could not load the model {path}: not a valid .keras file (not a zip archive)")
    import keras

    import kerasgan.models  # noqa: F401  (registers the classes)
    from kerasgan.engine.tasks import ImageToImageTask

    try:
        model = keras.saving.load_model(path)
    except Exception as e:  # a corrupt or foreign file: say which and why
        raise SystemExit(f"kerasgan: could not load the model {path}: {type(e).__name__}: "
                         f"{str(e).strip().splitlines()[0][:300] if str(e).strip() else ''}") from None
    if not isinstance(getattr(type(model), "task", None), ImageToImageTask):
        raise SystemExit(f"kerasgan: {path} holds a {type(model).__name__}, not an image-to-image model "
                         "(pix2pix, cyclegan, ...); use `kerasgan sample` for latent families")
    return model


def translate_folder(model, input_dir, out, direction=None, batch_size=64, overwrite=False, target=None):
    """Translates the images under `input_dir` into PNGs under `out`;
    returns the written paths."""
    import numpy as np
    from PIL import Image

    from kerasgan.data import folders
    from kerasgan.data.pairs import decode_images
    from kerasgan.engine.tasks import ImageToImageTask, task_of

    if not isinstance(task_of(model), ImageToImageTask):
        raise ValueError(f"`kerasgan translate` needs an image-to-image model. Received: {type(model).__name__} "
                         "(a latent family: use `kerasgan sample`).")
    if not os.path.isdir(input_dir):
        raise ValueError(f"INPUT_DIR must be a folder of images. Received: {input_dir!r}")
    files = folders.list_image_files(input_dir)
    if not files:
        raise ValueError(f"{input_dir!r} holds no .png/.jpg/.jpeg images.")
    targets = [os.path.join(out, os.path.splitext(os.path.relpath(f, input_dir))[0] + ".png") for f in files]
    existing = [t for t in targets if os.path.exists(t)]
    if existing and not overwrite:
        raise ValueError(f"{len(existing)} output files exist already (e.g. {existing[0]}); pass --overwrite.")
    height, width, channels = model.source_shape
    kwargs = {"batch_size": batch_size}
    if direction is not None:
        kwargs["direction"] = direction
    if target is not None:
        kwargs["target"] = _parse_target(model, target)
    elif getattr(model, "num_domains", None) is not None:
        raise ValueError(f"{type(model).__name__} translates into a target domain: pass --target K "
                         f"(K in [0, {model.num_domains})).")
    written = []
    for start in range(0, len(files), 256):  # decoded, translated and written a chunk at a time
        chunk = files[start: start + 256]
        images, kept = decode_images(chunk, (height, width), channels)
        outputs = model.translate(images, **kwargs).numpy()
        pixels = np.clip(np.round((outputs + 1.0) * 127.5), 0, 255).astype(np.uint8)
        for i, image in zip(kept, pixels):
            path = targets[start + i]
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(path)
            written.append(path)
    return written


def _parse_target(model, target):
    """`--target` for a multi-domain model: an int class, or (multi-label)
    comma-separated 0/1 attributes; ValueError naming what is wrong."""
    import numpy as np

    num_domains = getattr(model, "num_domains", None)
    if num_domains is None:
        raise ValueError(f"--target is for multi-domain models (stargan); {type(model).__name__} has no domains.")
    text = str(target).strip()
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"--target must be an int (or 0/1 attributes separated by commas). Received: {text!r}") from None
    if getattr(model, "multi_label", False):
        if len(values) != num_domains or any(v not in (0, 1) for v in values):
            raise ValueError(f"--target must be {num_domains} comma-separated 0/1 attributes for this "
                             f"multi-label model. Received: {text!r}")
        return np.asarray(values, np.float32)
    if len(values) != 1 or not 0 <= values[0] < num_domains:
        raise ValueError(f"--target must be a domain in [0, {num_domains}). Received: {text!r}")
    return values[0]


def run_translate(args):
    """Runs `kerasgan translate`; returns the exit status."""
    model = _load(args.model)
    written = translate_folder(model, args.input_dir, args.out, direction=args.direction,
                               batch_size=args.batch_size, overwrite=args.overwrite,
                               target=getattr(args, "target", None))
    print(f"Translated {len(written)} images with {type(model).__name__}"
          f"{' (' + args.direction + ')' if args.direction else ''}"
          f"{' (target ' + str(args.target) + ')' if getattr(args, 'target', None) is not None else ''} "
          f"into {args.out}", file=sys.stdout)
    return 0
