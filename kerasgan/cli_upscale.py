"""`kerasgan upscale`: super-resolve images with a saved super-resolution model.

    kerasgan upscale runs/srgan/model.keras small.png --out large.png
    kerasgan upscale runs/srgan/model.keras small_images/ --out large_images/

INPUT is one image file (then --out is the output file, written as PNG) or a
folder of images (searched recursively, as `kerasgan.data.load` finds them;
then --out is a folder and every image is written as a PNG at the same
relative path, extension `.png`). Each image is read at its own size
(transparency composited onto white, converted to the model's channels; no
resizing) and upscaled with `model.upscale`, so the output is `scale` times
its size (4x for SRGAN). Existing files are only replaced with --overwrite.

Wired into `kerasgan.cli` with `add_upscale_parser(subparsers)` and
`run_upscale(args)`; TensorFlow is imported only when the command runs.
"""

import os
import sys


def add_upscale_parser(subparsers):
    p = subparsers.add_parser(
        "upscale", help="super-resolve images with a saved super-resolution model (srgan)",
        description=("Upscale an image, or every image under a folder, with a saved super-resolution "
                     "model (srgan): each image at its own size, written as PNG."),
    )
    p.add_argument("model", help="a .keras model written by kerasgan (a super-resolution family: srgan)")
    p.add_argument("input", help="an image file (.png/.jpg) or a folder of images (searched recursively)")
    p.add_argument("--out", required=True,
                   help="output PNG file (INPUT a file) or folder (INPUT a folder)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    return p


def _load(path):
    """A super-resolution model from a `.keras` file, or SystemExit with one
    line saying what is wrong."""
    from kerasgan.cli_translate import _load as load_image_to_image
    from kerasgan.engine.tasks import SuperResolutionTask

    model = load_image_to_image(path)
    if not isinstance(type(model).task, SuperResolutionTask):
        raise SystemExit(f"kerasgan: {path} holds a {type(model).__name__}, not a super-resolution model "
                         "(srgan); use `kerasgan translate` for other image-to-image models")
    return model


def _to_channels(image, channels):
    """uint8 `[H, W, C]` -> `[H, W, channels]` (gray repeated, RGB to luma)."""
    import numpy as np

    if image.shape[-1] == channels:
        return image
    if channels == 3:
        return np.repeat(image, 3, axis=-1)
    luma = image[..., :3].astype(np.float64) @ np.array([0.2989, 0.5870, 0.1140])
    return np.clip(np.round(luma), 0, 255).astype(np.uint8)[..., None]


def upscale_files(model, files, targets, overwrite=False):
    """Upscales each image file into the PNG path of the same index in
    `targets`; returns the written paths."""
    import numpy as np
    from PIL import Image

    from kerasgan.data import folders
    from kerasgan.engine.tasks import SuperResolutionTask, task_of

    if not isinstance(task_of(model), SuperResolutionTask):
        raise ValueError(f"`kerasgan upscale` needs a super-resolution model. Received: {type(model).__name__}")
    _refuse_existing(targets, overwrite)
    channels = int(model.image_shape[-1])
    written = []
    for path, target in zip(files, targets):
        image = _to_channels(folders.decode_image_file(path), channels)
        output = model.upscale(image[None]).numpy()[0]
        pixels = np.clip(np.round((output + 1.0) * 127.5), 0, 255).astype(np.uint8)
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        Image.fromarray(pixels[..., 0] if channels == 1 else pixels).save(target, format="PNG")
        written.append(target)
    return written


def plan(input_path, out, overwrite=False):
    """`(files, targets)`: the image file `input_path` and the PNG file `out`,
    or every image under the folder `input_path` and its PNG path under the
    folder `out`. Refuses existing targets unless `overwrite`."""
    from kerasgan.data import folders

    if os.path.isdir(input_path):
        files = [os.fspath(f) for f in folders.list_image_files(input_path)]
        if not files:
            raise ValueError(f"{input_path!r} holds no .png/.jpg/.jpeg images.")
        targets = [os.path.join(out, os.path.splitext(os.path.relpath(f, input_path))[0] + ".png") for f in files]
    elif os.path.isfile(input_path):
        if os.path.isdir(out):
            raise ValueError(f"INPUT is one image, so --out must be a file path, not a folder. Received: {out!r}")
        files, targets = [input_path], [out]
    else:
        raise ValueError(f"INPUT must be an image file or a folder of images. Received: {input_path!r}")
    _refuse_existing(targets, overwrite)
    return files, targets


def _refuse_existing(targets, overwrite):
    existing = [t for t in targets if os.path.exists(t)]
    if existing and not overwrite:
        raise ValueError(f"{len(existing)} output file(s) exist already (e.g. {existing[0]}); pass --overwrite.")


def upscale_path(model, input_path, out, overwrite=False):
    """Upscales the image file `input_path` into the PNG file `out`, or every
    image under the folder `input_path` into the folder `out`."""
    files, targets = plan(input_path, out, overwrite)
    return upscale_files(model, files, targets, overwrite=True)


def run_upscale(args):
    """Runs `kerasgan upscale`; returns the exit status."""
    files, targets = plan(args.input, args.out, overwrite=args.overwrite)  # before the (slower) model load
    model = _load(args.model)
    written = upscale_files(model, files, targets, overwrite=True)
    print(f"Upscaled {len(written)} image{'s' if len(written) != 1 else ''} {model.scale}x with "
          f"{type(model).__name__} into {args.out}", file=sys.stdout)
    return 0
