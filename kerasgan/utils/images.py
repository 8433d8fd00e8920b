"""Turning generated images into pictures."""

import math
import os

import numpy as np

from kerasgan.utils.atomic import atomic_write


def to_uint8(images):
    """Maps images in [-1, 1] (any float array or tensor) to uint8 [0, 255]."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def image_grid(images, columns=None, padding=2, pad_value=255):
    """Tiles `[n, H, W, C]` images in [-1, 1] into one uint8 `[rows*H', cols*W', C]` image.

    Args:
        images: float images in [-1, 1], 1 or 3 channels.
        columns: images per row (default: ceil(sqrt(n))).
        padding: pixels between tiles.
        pad_value: uint8 value of the padding.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"Expected images of shape [n, H, W, C] with C in (1, 3, 4). Received shape: {images.shape}"
        )
    n, height, width, channels = images.shape
    columns = int(columns or math.ceil(math.sqrt(n)))
    rows = math.ceil(n / columns)
    grid = np.full(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels),
        pad_value,
        np.uint8,
    )
    tiles = to_uint8(images)
    for i in range(n):
        r, c = divmod(i, columns)
        top, left = padding + r * (height + padding), padding + c * (width + padding)
        grid[top : top + height, left : left + width] = tiles[i]
    return grid


def save_image_grid(images, path, columns=None, padding=2):
    """Writes `image_grid(images)` as a PNG file at `path` (folders are created).

    Returns the path. The file is written atomically (`kerasgan.utils.atomic`),
    so an interrupted write never leaves a truncated grid behind.
    """
    from PIL import Image

    grid = image_grid(images, columns=columns, padding=padding)
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    mode = "L" if grid.shape[-1] == 1 else ("RGB" if grid.shape[-1] == 3 else "RGBA")
    with atomic_write(path, "wb") as f:
        Image.fromarray(grid[..., 0] if mode == "L" else grid, mode=mode).save(f, format="PNG")
    return path
