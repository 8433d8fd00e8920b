"""Finding and decoding the images of a folder, with Pillow.

A folder source is searched recursively for `.png`, `.jpg` and `.jpeg` files
(any case); hidden files and folders (name starting with `.`) are ignored, and
files are taken in sorted path order. Class labels, when asked for, come from
the first-level subfolder names: sorted, label = position in that list, and a
file in `root/cat/a/b.png` has the label of `cat`.

Every file is decoded once, up front, with Pillow (`decode_folder`), so a
corrupt or unreadable file is reported by name when the dataset is built, not
from inside a `tf.data` iterator. Transparent images (RGBA, LA, palette or
grayscale with a transparency key) are composited onto a background colour
(white by default). The result is grayscale (1 channel) if every image is
grayscale, else RGB (3 channels; grayscale images are repeated).

Memory: the decoded pixels of the whole folder are held in RAM at their native
size, `N * H * W * C` bytes (Twemoji: 4,009 * 72 * 72 * 3 = 62 MB). That is
fine for tens of thousands of small images; for far larger sets (e.g. the
200,000 CelebA photos, about 24 GB decoded) use the TFDS source, or resize the
files on disk first.
"""

import concurrent.futures
import logging
import os
import pathlib

import numpy as np
from PIL import Image

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")
_GRAY_MODES = ("1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F")


def list_image_files(root):
    """All image files under `root`, recursively, sorted by relative path.

    Args:
        root: the folder (`pathlib.Path`).

    Returns:
        A list of `pathlib.Path`.
    """
    root = pathlib.Path(root)
    files = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.startswith(".") and name.lower().endswith(IMAGE_EXTENSIONS):
                files.append(pathlib.Path(dirpath) / name)
    return sorted(files, key=lambda p: p.relative_to(root).parts)


def class_labels(root, files):
    """Class names and per-file labels from the first-level subfolders.

    Args:
        root: the folder.
        files: image files under `root` (from `list_image_files`).

    Returns:
        `(class_names, labels)`: the sorted tuple of first-level subfolder names
        that hold at least one image, and an int32 array with each file's index
        into it.

    Raises:
        ValueError: if there are no class subfolders, or some images sit directly
            in `root` (they would have no class).
    """
    root = pathlib.Path(root)
    loose = [f for f in files if len(f.relative_to(root).parts) == 1]
    class_names = tuple(
        sorted({f.relative_to(root).parts[0] for f in files if len(f.relative_to(root).parts) > 1})
    )
    if not class_names:
        raise ValueError(
            f"with_labels=True but folder '{root}' has no class subfolders: labels "
            "come from the names of its first-level subfolders (root/<class>/image.png)."
        )
    if loose:
        raise ValueError(
            f"with_labels=True but {len(loose)} image(s) sit directly in '{root}', "
            f"outside any class subfolder (e.g. '{loose[0]}'); move them into a "
            "subfolder or pass with_labels=False."
        )
    index = {name: i for i, name in enumerate(class_names)}
    labels = np.array([index[f.relative_to(root).parts[0]] for f in files], np.int32)
    return class_names, labels


def mode_channels(mode, background=(255, 255, 255)):
    """Channels (1 or 3) that `decode_image_file` gives an image of Pillow `mode`."""
    gray_background = len(set(background)) == 1
    if mode in _GRAY_MODES and (gray_background or mode not in ("LA", "La")):
        return 1
    return 3


def _composite(rgba, background):
    """Alpha-composite a uint8 RGBA array onto an RGB background colour."""
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    color = rgba[..., :3].astype(np.float32)
    bg = np.asarray(background, np.float32)
    return np.rint(color * alpha + bg * (1.0 - alpha)).astype(np.uint8)


def decode_image_file(path, background=(255, 255, 255)):
    """Decode one image file to a uint8 `[H, W, C]` array, C in {1, 3}.

    Grayscale stays 1 channel (16-bit grayscale is scaled to 8 bits); every
    other mode becomes RGB. Transparency is composited onto `background`;
    a grayscale image with alpha stays grayscale if the background is gray
    (r == g == b), else becomes RGB.

    Args:
        path: the image file.
        background: RGB background colour, three ints in 0..255.

    Returns:
        A uint8 NumPy array `[H, W, 1]` or `[H, W, 3]`.

    Raises:
        Whatever Pillow raises for an unreadable file (`OSError`,
        `PIL.UnidentifiedImageError`, `ValueError`, ...); `decode_folder`
        turns these into errors naming the file.
    """
    with Image.open(path) as image:
        image.load()
        mode = image.mode
        has_alpha = mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in image.info
        channels = mode_channels(mode, background)
        if has_alpha:
            rgb = _composite(np.asarray(image.convert("RGBA")), background)
            if channels == 1:
                return rgb[..., :1].copy()
            return rgb
        if channels == 1:
            if mode.startswith("I") or mode == "F":
                array = np.asarray(image, dtype=np.float64)
                if array.max(initial=0) > 255:
                    array = array / 257.0  # 16-bit range 0..65535 -> 0..255
                array = np.clip(np.rint(array), 0, 255).astype(np.uint8)
            else:
                array = np.asarray(image.convert("L"))
            return array[..., None]
        return np.asarray(image.convert("RGB"))


def decode_folder(files, *, on_corrupt="error", background=(255, 255, 255), max_workers=None):
    """Decode many image files, reporting or skipping unreadable ones by name.

    Args:
        files: a sequence of image paths.
        on_corrupt: `"error"` raises on the first unreadable file; `"skip"` logs
            a warning naming each unreadable file (logger `kerasgan.data.folders`)
            and leaves it out.
        background: RGB colour transparent pixels are composited onto.
        max_workers: threads used to decode (Pillow releases the GIL while
            decoding); default `min(8, os.cpu_count())`.

    Returns:
        `(images, kept)`: a list of uint8 `[H, W, C]` arrays, all with the same C
        (grayscale repeated to RGB if the folder mixes both), and the indices
        into `files` of the images kept.

    Raises:
        ValueError: naming the file, if one cannot be decoded and
            `on_corrupt="error"`; or if every file was skipped.
    """

    def decode(path):
        try:
            return decode_image_file(path, background), None
        except Exception as err:  # noqa: BLE001 - any decoder failure means "unreadable"
            return None, err

    workers = max_workers or min(8, os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        results = pool.map(decode, files)
        images, kept = [], []
        for i, (path, (image, err)) in enumerate(zip(files, results)):
            if err is not None:
                reason = f"{type(err).__name__}: {err}"
                if on_corrupt == "error":
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise ValueError(
                        f"Cannot decode image file '{path}' ({reason}). Fix or remove "
                        "it, or pass on_corrupt='skip' to leave unreadable files out."
                    ) from err
                logger.warning("Skipping unreadable image file '%s' (%s)", path, reason)
                continue
            images.append(image)
            kept.append(i)
    if not images:
        raise ValueError(f"None of the {len(files)} image files could be decoded.")
    if len({image.shape[-1] for image in images}) > 1:
        images = [np.repeat(im, 3, axis=-1) if im.shape[-1] == 1 else im for im in images]
    return images, kept
