"""Finding and decoding the images of a folder, with Pillow.

A folder source is searched recursively for `.png`, `.jpg` and `.jpeg` files
(any case); hidden files and folders (name starting with `.`) are ignored, and
files are taken in sorted path order. Class labels, when asked for, come from
the first-level subfolder names: sorted, label = position in that list, and a
file in `root/cat/a/b.png` has the label of `cat`.

The walk is safe on any tree (`list_image_files`): links are followed, but
each folder is entered and each file listed once (by device and inode), so
link loops neither hang nor duplicate; only regular files are read (a FIFO
named `pipe.png` is skipped with a warning, never opened); and the walk stops
with a `ValueError` beyond `MAX_FOLDER_DEPTH` levels or `MAX_IMAGE_FILES`
files.

Every file is decoded once, up front, with Pillow (`decode_folder`), so a
corrupt or unreadable file is reported by name when the dataset is built, not
from inside a `tf.data` iterator. Transparent images (RGBA, LA, palette or
grayscale with a transparency key) are composited onto a background colour
(white by default). The result is grayscale (1 channel) if every image is
grayscale, else RGB (3 channels; grayscale images are repeated). 16-bit
grayscale PNGs are scaled to 8 bits by their stated bit depth (`x * 255 /
65535`), never by guessing from their values.

Memory: the decoded pixels of the whole folder are held in RAM at their native
size, `N * H * W * C` bytes (Twemoji: 4,009 * 72 * 72 * 3 = 62 MB). That is
fine for tens of thousands of small images; for far larger sets (e.g. the
200,000 CelebA photos, about 24 GB decoded) use the TFDS source, or resize the
files on disk first.
"""

import concurrent.futures
import heapq
import logging
import os
import pathlib
import stat

import numpy as np
from PIL import Image

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")
_GRAY_MODES = ("1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F")

#: Deepest folder level `list_image_files` searches below the root.
MAX_FOLDER_DEPTH = 64
#: Most image files a folder source may hold (their pixels are held in RAM).
MAX_IMAGE_FILES = 5_000_000


def list_image_files(root, *, max_depth=None, max_files=None):
    """All image files under `root`, recursively, sorted by relative path.

    Symbolic links are followed, but every folder is entered at most once and
    every file is listed at most once: both are identified by the device and
    inode of what they resolve to (`os.stat`), so a link loop such as
    `root/x -> .` neither hangs the walk nor repeats images. When one folder
    or file is reachable by several paths, the path through the fewest links
    wins, then the shallowest, then the first in sorted order; so a class
    folder keeps its own name even when a link to it sorts first.

    Only regular files (after following links) are images: a FIFO, socket or
    device named `*.png` is never opened (a warning names it and it is left
    out). A link whose target is missing is kept, so that decoding reports it
    by name. A folder that cannot be read is left out with a warning.

    Args:
        root: the folder (`pathlib.Path`).
        max_depth: deepest folder level searched below `root` (default
            `MAX_FOLDER_DEPTH`); a deeper folder raises.
        max_files: most image files accepted (default `MAX_IMAGE_FILES`);
            more raises.

    Returns:
        A list of `pathlib.Path`.

    Raises:
        ValueError: naming the folder, when it is nested deeper than
            `max_depth` or holds more than `max_files` image files.
    """
    root = pathlib.Path(root)
    max_depth = MAX_FOLDER_DEPTH if max_depth is None else max_depth
    max_files = MAX_IMAGE_FILES if max_files is None else max_files
    visited = set()
    files = {}  # (st_dev, st_ino) or path -> (rank, path)
    # Folders come off the heap in the order (links followed, depth, parts), so
    # the first path that reaches a folder is the preferred one.
    heap = [(0, 0, (), root)]
    while heap:
        links, depth, parts, folder = heapq.heappop(heap)
        try:
            status = os.stat(folder)
        except OSError as err:
            logger.warning("Skipping unreadable folder '%s' (%s)", folder, err)
            continue
        key = (status.st_dev, status.st_ino)
        if key in visited:
            continue
        visited.add(key)
        if depth > max_depth:
            raise ValueError(
                f"Folder '{root}' is nested deeper than max_depth={max_depth} levels "
                f"(e.g. '{folder}'); pass the folder that holds the images."
            )
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            logger.warning("Skipping unreadable folder '%s' (%s)", folder, err)
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = pathlib.Path(folder) / entry.name
            is_link = entry.is_symlink()
            try:
                is_dir = entry.is_dir()  # follows links
            except OSError:
                is_dir = False
            if is_dir:
                heapq.heappush(heap, (links + is_link, depth + 1, parts + (entry.name,), path))
                continue
            if not entry.name.lower().endswith(IMAGE_EXTENSIONS):
                continue
            rank = (links + is_link, depth, parts + (entry.name,))
            try:
                file_status = os.stat(path)  # follows links
            except OSError:
                files.setdefault(path, (rank, path))  # dangling link: decoding names it
                continue
            if not stat.S_ISREG(file_status.st_mode):
                logger.warning(
                    "Skipping '%s': not a regular file (%s), so not read as an image",
                    path, _file_kind(file_status.st_mode),
                )
                continue
            file_key = (file_status.st_dev, file_status.st_ino)
            if file_key not in files or rank < files[file_key][0]:
                files[file_key] = (rank, path)
            if len(files) > max_files:
                raise ValueError(
                    f"Folder '{root}' holds more than max_files={max_files} image files; "
                    "use a TFDS source or a smaller folder."
                )
    found = [path for _, path in files.values()]
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def _file_kind(mode):
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "a special file"


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

    Grayscale stays 1 channel; every other mode becomes RGB. Transparency is
    composited onto `background`; a grayscale image with alpha stays
    grayscale if the background is gray (r == g == b), else becomes RGB.

    16-bit grayscale (Pillow modes `I;16*`, or `I` from a 16-bit PNG) is
    scaled by `255 / 65535` to 8 bits, whatever values it holds: the bit
    depth comes from the file (the PNG header), never from the value range,
    so a 16-bit image of dark pixels stays dark. Modes whose range the file
    does not state (32-bit integer `I` from a non-PNG file, float `F`) are
    refused.

    Args:
        path: the image file; it must be a regular file (a FIFO or device is
            refused without being opened).
        background: RGB background colour, three ints in 0..255.

    Returns:
        A uint8 NumPy array `[H, W, 1]` or `[H, W, 3]`.

    Raises:
        ValueError: for a path that is not a regular file, or an unsupported
            mode.
        Whatever Pillow raises for an unreadable file (`OSError`,
        `PIL.UnidentifiedImageError`, `ValueError`, ...); `decode_folder`
        turns these into errors naming the file.
    """
    mode_bits = os.stat(path).st_mode
    if not stat.S_ISREG(mode_bits):
        raise ValueError(f"'{path}' is {_file_kind(mode_bits)}, not a regular image file.")
    with Image.open(path) as image:
        image.load()
        mode = image.mode
        has_alpha = mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in image.info
        channels = mode_channels(mode, background)
        if mode.startswith("I") or mode == "F":
            gray, alpha = _deep_gray(image, path)
            if not has_alpha:
                return gray[..., None]
            rgba = np.concatenate([np.repeat(gray[..., None], 3, -1), alpha[..., None]], -1)
            rgb = _composite(rgba, background)
            return rgb[..., :1].copy() if channels == 1 else rgb
        if has_alpha:
            rgb = _composite(np.asarray(image.convert("RGBA")), background)
            if channels == 1:
                return rgb[..., :1].copy()
            return rgb
        if channels == 1:
            return np.asarray(image.convert("L"))[..., None]
        return np.asarray(image.convert("RGB"))


def _deep_gray(image, path):
    """A 16-bit (`I;16*`, or `I` from a PNG) image as uint8 gray and alpha."""
    mode = image.mode
    if mode.startswith("I;16"):
        bits = 16
    elif mode == "I" and image.format == "PNG":
        bits = png_bit_depth(path)
    else:
        raise ValueError(
            f"Unsupported {image.format} image mode {mode!r}: its value range is not "
            "stated by the file; save it as an 8- or 16-bit PNG."
        )
    raw = np.asarray(image, dtype=np.int64)
    peak = 2**bits - 1
    gray = np.rint(np.clip(raw, 0, peak) * (255.0 / peak)).astype(np.uint8)
    alpha = np.full(gray.shape, 255, np.uint8)
    key = image.info.get("transparency")
    if isinstance(key, int):  # a tRNS gray key, in the image's own bit depth
        alpha[raw == key] = 0
    return gray, alpha


def png_bit_depth(path):
    """The bit depth per sample stated in a PNG file's IHDR chunk (1..16)."""
    with open(path, "rb") as f:
        head = f.read(26)
    if len(head) < 26 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"'{path}' has no PNG IHDR header to read its bit depth from.")
    return head[24]


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
