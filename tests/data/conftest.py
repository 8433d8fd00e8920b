"""Fixtures for the data tests: small IDX files and image folders written to tmp_path."""

import gzip
import struct

import numpy as np
import pytest
from PIL import Image

_IDX_TYPE_CODES = {"u1": 0x08, "i1": 0x09, ">i2": 0x0B, ">i4": 0x0C, ">f4": 0x0D, ">f8": 0x0E}


def idx_bytes(array):
    """Encode an array in the IDX format (big-endian), the way MNIST is stored."""
    array = np.asarray(array)
    dtype = array.dtype.newbyteorder(">") if array.dtype.itemsize > 1 else array.dtype
    code = _IDX_TYPE_CODES[dtype.str.lstrip("|")]
    header = struct.pack(">BBBB", 0, 0, code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtype).tobytes()


def write_idx_file(path, array, *, gz=None):
    """Write `array` as an IDX file; gzip-compressed when `gz` (default: name ends in .gz)."""
    data = idx_bytes(array)
    gz = str(path).endswith(".gz") if gz is None else gz
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.fixture
def write_idx():
    return write_idx_file


def make_image_folder(root):
    """A labelled folder with every kind of file a user's folder may hold.

    root/animals/rgb.png        4x4 RGB, every pixel (200, 100, 0)
    root/animals/rgba.png       4x4 RGBA: left half opaque red, right half transparent
                                black, pixel (0, 0) half-transparent black (alpha 128)
    root/plants/gray.png        4x4 L, every pixel 51
    root/plants/photo.JPG       4x4 RGB jpeg, every pixel (0, 0, 255) (lossy)
    root/plants/notes.txt       ignored
    root/.hidden/x.png          ignored
    Returns the expected (sorted) relative paths of the images.
    """
    (root / "animals").mkdir(parents=True)
    (root / "plants").mkdir()
    (root / ".hidden").mkdir()
    Image.new("RGB", (4, 4), (200, 100, 0)).save(root / "animals" / "rgb.png")
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:, :2] = (255, 0, 0, 255)
    rgba[0, 0] = (0, 0, 0, 128)
    Image.fromarray(rgba, "RGBA").save(root / "animals" / "rgba.png")
    Image.new("L", (4, 4), 51).save(root / "plants" / "gray.png")
    Image.new("RGB", (4, 4), (0, 0, 255)).save(root / "plants" / "photo.JPG", quality=100)
    (root / "plants" / "notes.txt").write_text("not an image")
    Image.new("RGB", (4, 4)).save(root / ".hidden" / "x.png")
    return ["animals/rgb.png", "animals/rgba.png", "plants/gray.png", "plants/photo.JPG"]


@pytest.fixture
def image_folder(tmp_path):
    root = tmp_path / "images"
    make_image_folder(root)
    return root
