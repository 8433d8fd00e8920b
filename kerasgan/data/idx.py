"""Reading IDX files, the format MNIST ships in, without any helper library.

An IDX file (optionally gzip-compressed) is::

    bytes 0-1   zero
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     number of dimensions D
    4 * D bytes the size of each dimension, big-endian uint32
    the data    big-endian, C order, prod(sizes) elements

MNIST images are `*-idx3-ubyte[.gz]` (`[N, 28, 28]` uint8), their labels the
matching `*-idx1-ubyte[.gz]` (`[N]` uint8), e.g. `t10k-images-idx3-ubyte.gz`
and `t10k-labels-idx1-ubyte.gz`.
"""

import gzip
import math
import os
import pathlib
import re
import zlib

import numpy as np

_IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK_BYTES = 1 << 20
#: The most data bytes `read_idx` accepts from one file (its header declares
#: how many it holds): 4 GiB, far above MNIST (47 MB) or EMNIST (550 MB).
MAX_IDX_BYTES = 4 * 1024**3
_IMAGES_FILE = re.compile(r"idx3-ubyte(\.gz)?$", re.IGNORECASE)


def read_idx(path, *, max_bytes=None):
    """Read an IDX file (plain or gzip-compressed) into a NumPy array.

    Gzip is recognised by its magic bytes, not the file name. The header is
    read first and fixes how many data bytes the file must hold
    (`prod(shape) * itemsize`); no more than that plus one byte is ever read
    or decompressed, in 1 MiB chunks, so a small gzip file that expands to
    gigabytes (a "gzip bomb") is refused after reading only what its header
    announced, and a header announcing more than `max_bytes` is refused before
    anything is read or allocated. Memory used is about the array's own size.

    Args:
        path: path to the file (str or `os.PathLike`).
        max_bytes: the most data bytes accepted, default `MAX_IDX_BYTES`
            (4 GiB; MNIST's training images take 47 MB).

    Returns:
        A NumPy array with the file's shape and element type, in native byte
        order (e.g. `uint8 [10000, 28, 28]` for `t10k-images-idx3-ubyte.gz`).

    Raises:
        FileNotFoundError: if `path` does not exist.
        ValueError: naming the file, if it is not a regular file or not valid
            IDX: a bad magic number (first two bytes not zero, unknown type
            code, zero dimensions), a truncated header or data, data longer
            than the header declares, a declared size over `max_bytes`
            (naming the shape), or a corrupt gzip stream.
    """
    path = pathlib.Path(path)
    max_bytes = MAX_IDX_BYTES if max_bytes is None else max_bytes
    if not path.exists():
        raise FileNotFoundError(f"IDX file '{path}' does not exist.")
    if not path.is_file():
        raise ValueError(f"IDX file '{path}' is not a regular file.")
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == _GZIP_MAGIC
            raw.seek(0)
            if compressed:
                with gzip.GzipFile(fileobj=raw) as stream:
                    return _parse(path, stream, None, max_bytes)
            return _parse(path, raw, os.fstat(raw.fileno()).st_size, max_bytes)
    except (EOFError, OSError, zlib.error) as err:
        raise ValueError(f"Cannot read IDX file '{path}': {err}") from err


def _read_at_most(stream, limit):
    """Up to `limit` bytes of `stream` (fewer only at its end), read in chunks."""
    data = bytearray()
    while len(data) < limit:
        chunk = stream.read(min(_CHUNK_BYTES, limit - len(data)))
        if not chunk:
            break
        data += chunk
    return data


def _parse(path, stream, file_size, max_bytes):
    """Header checks, then exactly the declared data; `file_size` None if gzip."""
    magic_bytes = _read_at_most(stream, 4)
    if len(magic_bytes) < 4:
        raise ValueError(
            f"IDX file '{path}' is truncated: {len(magic_bytes)} bytes, shorter than the "
            "4-byte magic number."
        )
    magic = int.from_bytes(magic_bytes, "big")
    type_code, ndim = magic_bytes[2], magic_bytes[3]
    if magic_bytes[0] != 0 or magic_bytes[1] != 0 or type_code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"IDX file '{path}' has a bad magic number 0x{magic:08x}: expected "
            "0x0000TTDD with type code TT in "
            f"{{{', '.join(f'0x{c:02x}' for c in _IDX_DTYPES)}}} and D >= 1 "
            "dimensions (MNIST images: 0x00000803, labels: 0x00000801)."
        )
    header_size = 4 + 4 * ndim
    sizes = _read_at_most(stream, 4 * ndim)
    if len(sizes) < 4 * ndim:
        raise ValueError(
            f"IDX file '{path}' is truncated: its header declares {ndim} dimensions "
            f"({header_size} header bytes) but the file has {4 + len(sizes)} bytes."
        )
    shape = tuple(int.from_bytes(sizes[4 * i : 4 * i + 4], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[type_code]
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if expected > max_bytes:
        raise ValueError(
            f"IDX file '{path}' declares shape {shape} of {dtype.name}, {expected} data "
            f"bytes, over the limit of max_bytes={max_bytes}; refusing to read it."
        )
    if file_size is not None and file_size - header_size != expected:
        actual = file_size - header_size
        raise _length_error(path, shape, dtype, expected, actual, extra=actual - expected)
    data = _read_at_most(stream, expected + 1)
    if len(data) != expected:
        raise _length_error(path, shape, dtype, expected, len(data), extra=None)
    array = np.frombuffer(data, dtype=dtype).reshape(shape)  # no copy of `data`
    if not dtype.isnative:
        array = array.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return array


def _length_error(path, shape, dtype, expected, actual, extra):
    if actual < expected:
        return ValueError(
            f"IDX file '{path}' is truncated: shape {shape} of {dtype.name} needs "
            f"{expected} data bytes but only {actual} are present."
        )
    count = f"{extra} unexpected bytes" if extra is not None else "unexpected bytes"
    return ValueError(
        f"IDX file '{path}' has {count} after the data for shape {shape} of "
        f"{dtype.name} ({expected} bytes); it was read no further."
    )


def is_idx_images_file(path):
    """Whether a file name looks like an IDX images file (`*idx3-ubyte[.gz]`)."""
    return bool(_IMAGES_FILE.search(pathlib.Path(path).name))


def find_images_file(directory):
    """The single `*idx3-ubyte[.gz]` file directly inside `directory`, or None.

    Raises:
        ValueError: if there are several, listing them.
    """
    found = sorted(
        p for p in pathlib.Path(directory).iterdir() if p.is_file() and is_idx_images_file(p)
    )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise ValueError(
            f"Directory '{directory}' holds several IDX image files ({names}); "
            "pass the path of the one to load."
        )
    return found[0] if found else None


def find_labels_file(images_path):
    """The labels file matching an IDX images file, or None when absent.

    `t10k-images-idx3-ubyte.gz` is paired with `t10k-labels-idx1-ubyte.gz`
    (or the uncompressed `t10k-labels-idx1-ubyte`), `train-images...` with
    `train-labels...`: `images` -> `labels` and `idx3` -> `idx1` in the name.
    """
    images_path = pathlib.Path(images_path)
    name = images_path.name
    labels_name = re.sub("idx3", "idx1", re.sub("images", "labels", name, flags=re.I), flags=re.I)
    if labels_name == name:
        return None
    base = labels_name[:-3] if labels_name.lower().endswith(".gz") else labels_name
    for candidate in (labels_name, base, base + ".gz"):
        path = images_path.with_name(candidate)
        if path.is_file():
            return path
    return None


def read_idx_pair(images_path, *, need_labels):
    """Read an IDX images file and, when present or needed, its labels.

    Args:
        images_path: the `*idx3-ubyte[.gz]` file.
        need_labels: if True, a missing labels file is an error.

    Returns:
        `(images, labels, labels_path)`; `labels` and `labels_path` are None when
        there is no labels file and `need_labels` is False.

    Raises:
        ValueError: if the labels file is needed but missing, is not 1-D, or its
            count differs from the number of images (both files named).
    """
    images = read_idx(images_path)
    labels_path = find_labels_file(images_path)
    if labels_path is None:
        if need_labels:
            raise ValueError(
                f"No labels file found for IDX images '{images_path}' (looked for the "
                "same name with 'images' -> 'labels' and 'idx3' -> 'idx1', gzip or "
                "not); pass with_labels=False to load the images alone."
            )
        return images, None, None
    labels = read_idx(labels_path)
    if labels.ndim != 1:
        raise ValueError(
            f"IDX labels file '{labels_path}' must be 1-D. Received: shape {labels.shape}"
        )
    if len(labels) != len(images):
        raise ValueError(
            f"Count mismatch: IDX images '{images_path}' has {len(images)} images but "
            f"labels '{labels_path}' has {len(labels)} labels."
        )
    return images, labels, labels_path

