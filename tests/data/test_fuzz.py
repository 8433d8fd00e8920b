"""Fuzzing the folder and IDX loaders with Hypothesis.

Every outcome must be a loaded dataset / array of the right shape and range,
or a `ValueError` (the one error type the loaders document for bad files),
within the deadline. Derandomized, with bounded examples and no example
database, so CI runs the same inputs every time and writes nothing.
"""

import gzip
import io
import os
import pathlib
import struct
import tempfile

import numpy as np
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from PIL import Image

import kerasgan.data
from kerasgan.data import folders
from kerasgan.data import read_idx

# Hypothesis caches the constants of local modules under ./.hypothesis while it
# collects the tests, even with no example database: keep that out of the
# checkout (unless the caller chose a place with HYPOTHESIS_STORAGE_DIRECTORY).
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(pathlib.Path(tempfile.gettempdir()) / "kerasgan-hypothesis")

_FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=5000,  # ms per example; a typical one takes 0.05 s
    suppress_health_check=[HealthCheck.too_slow],
)
_IDX_TYPES = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_MODES = ("1", "L", "LA", "P", "RGB", "RGBA", "I;16")


@st.composite
def png_bytes(draw):
    """A valid tiny PNG of a random mode and bit depth, maybe with a tRNS key."""
    mode = draw(st.sampled_from(_MODES))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    extra = {}
    if mode == "I;16":
        image = Image.fromarray(rng.integers(0, 65536, (h, w), dtype=np.uint16))
        if draw(st.booleans()):
            extra["transparency"] = draw(st.integers(0, 65535))
    elif mode == "1":
        image = Image.fromarray(rng.integers(0, 2, (h, w)).astype(bool))
    else:
        bands = {"L": 1, "P": 1, "LA": 2, "RGB": 3, "RGBA": 4}[mode]
        pixels = rng.integers(0, 256, (h, w, bands), dtype=np.uint8)
        image = Image.fromarray(pixels[..., 0] if bands == 1 else pixels)
        if mode == "P":
            image = image.convert("P")
        if mode in ("L", "P") and draw(st.booleans()):
            extra["transparency"] = draw(st.integers(0, 255))
        if mode == "RGB" and draw(st.booleans()):
            extra["transparency"] = tuple(draw(st.integers(0, 255)) for _ in range(3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **extra)
    return buffer.getvalue()


@st.composite
def image_files(draw):
    """(content, intact) pairs: valid PNGs, truncated PNGs and random bytes."""
    kind = draw(st.sampled_from(["png", "truncated", "random", "png-header"]))
    if kind == "png":
        return draw(png_bytes()), True
    if kind == "truncated":
        data = draw(png_bytes())
        return data[: draw(st.integers(0, len(data) - 1))], False
    data = draw(st.binary(max_size=200))
    return (b"\x89PNG\r\n\x1a\n" + data if kind == "png-header" else data), False


@settings(_FUZZ, max_examples=40)
@given(st.lists(image_files(), min_size=1, max_size=3))
def test_folder_loader_loads_or_refuses(contents):
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        for i, (data, _) in enumerate(contents):
            (root / f"f{i}.{'PNG' if i % 2 else 'png'}").write_bytes(data)
        intact = sum(ok for _, ok in contents)

        info = kerasgan.data.info(root)  # headers only: never raises for a folder of files
        assert info.num_examples == len(contents) and info.channels in (1, 3)

        files = folders.list_image_files(root)
        try:
            images, _ = kerasgan.data.load_arrays(root, 4, on_corrupt="skip")
        except ValueError as err:
            assert intact == 0 and "could be decoded" in str(err)
            return
        assert intact <= len(images) <= len(contents)  # no valid image is lost
        assert images.dtype == np.float32 and images.shape[1:3] == (4, 4)
        assert images.shape[3] in (1, 3)
        assert np.all(np.isfinite(images)) and images.min() >= -1 and images.max() <= 1
        if len(images) < len(contents):
            try:
                folders.decode_folder(files)  # on_corrupt="error"
            except ValueError as err:
                assert "Cannot decode image file" in str(err) and str(root) in str(err)
            else:
                raise AssertionError("a file was skipped but on_corrupt='error' did not raise")


@st.composite
def idx_files(draw):
    """(file bytes, declared shape or None, dtype or None, payload) for random IDX files."""
    valid_magic = draw(st.booleans()) or draw(st.booleans())
    if valid_magic:
        code = draw(st.sampled_from(sorted(_IDX_TYPES)))
        magic = bytes([0, 0, code, draw(st.integers(1, 4))])
    else:
        magic = draw(st.binary(min_size=0, max_size=4))
    ndim = magic[3] if len(magic) == 4 else 0
    small = st.integers(0, 5)
    huge = st.sampled_from([2**16, 2**31, 2**32 - 1])  # (2**16,) * 4 wraps an int64 product to 0
    dim = draw(st.sampled_from([small, small, st.one_of(small, st.integers(0, 2**32 - 1)), huge]))
    dims = [draw(dim) for _ in range(ndim)]
    header = magic + struct.pack(f">{ndim}I", *dims)
    header = header[: draw(st.integers(0, len(header)))] if draw(st.integers(0, 9)) == 0 else header
    dtype = np.dtype(_IDX_TYPES[magic[2]]) if valid_magic else None
    expected = int(np.prod(dims, dtype=object)) * dtype.itemsize if dtype is not None else 0
    length = draw(st.sampled_from(["exact", "exact", "short", "long"]))
    size = min(expected, 4096) if length == "exact" else draw(st.integers(0, 64))
    if length == "long":
        size = min(expected, 4096) + 1 + size
    payload = draw(st.binary(min_size=size, max_size=size))
    full_header = len(header) == 4 + 4 * ndim
    data = header + payload if full_header else header  # a cut header ends the file
    if draw(st.booleans()):
        data = gzip.compress(data)
        if draw(st.integers(0, 4)) == 0:
            data = data[: draw(st.integers(0, len(data)))]
    shape = tuple(dims) if full_header else None
    return data, shape, dtype, payload


@settings(_FUZZ, max_examples=100)
@given(idx_files())
def test_idx_loader_reads_exactly_or_refuses(case):
    data, shape, dtype, payload = case
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "fuzz-images-idx3-ubyte"
        path.write_bytes(data)
        try:
            array = read_idx(path)
        except ValueError as err:
            assert str(path) in str(err)
            return
    assert shape is not None and dtype is not None
    assert array.shape == shape and array.dtype == dtype.newbyteorder("=")
    np.testing.assert_array_equal(array.ravel(), np.frombuffer(payload, dtype))
