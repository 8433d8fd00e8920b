import gzip
import os
import struct
import tracemalloc

import numpy as np
import pytest

from kerasgan.data import idx
from kerasgan.data import read_idx


@pytest.mark.parametrize("name", ["x-idx3-ubyte", "x-idx3-ubyte.gz"])
def test_round_trip_plain_and_gzip(tmp_path, write_idx, name):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    out = read_idx(write_idx(tmp_path / name, images))
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, images)


@pytest.mark.parametrize("dtype", ["i1", ">i2", ">i4", ">f4", ">f8"])
def test_other_element_types_are_big_endian(tmp_path, write_idx, dtype):
    values = np.array([[-3, 2], [1, 0]], dtype=dtype)
    out = read_idx(write_idx(tmp_path / "v.idx", values))
    assert out.dtype.isnative and out.dtype.kind == np.dtype(dtype).kind
    np.testing.assert_array_equal(out, values)


def test_gzip_detected_by_content_not_name(tmp_path, write_idx):
    path = write_idx(tmp_path / "labels-idx1-ubyte", np.array([3, 1, 4], np.uint8), gz=True)
    np.testing.assert_array_equal(read_idx(path), [3, 1, 4])


def test_bad_magic_names_the_file(tmp_path):
    path = tmp_path / "bad-images-idx3-ubyte"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(ValueError, match="bad magic number 0x89504e47") as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_unknown_type_code_is_bad_magic(tmp_path):
    path = tmp_path / "t.idx"
    path.write_bytes(bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]))
    with pytest.raises(ValueError, match="bad magic"):
        read_idx(path)


def test_truncated_data_names_the_file(tmp_path, write_idx):
    full = tmp_path / "full-idx3-ubyte"
    write_idx(full, np.zeros((10, 28, 28), np.uint8))
    cut = tmp_path / "cut-images-idx3-ubyte.gz"
    cut.write_bytes(gzip.compress(full.read_bytes()[:-100]))
    with pytest.raises(ValueError, match="truncated.*needs 7840 data bytes but only 7740") as err:
        read_idx(cut)
    assert str(cut) in str(err.value)


def test_truncated_header_and_trailing_bytes(tmp_path, write_idx):
    short = tmp_path / "short"
    short.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(ValueError, match="truncated: its header declares 3 dimensions"):
        read_idx(short)
    long = write_idx(tmp_path / "long", np.zeros(4, np.uint8))
    long.write_bytes(long.read_bytes() + b"xx")
    with pytest.raises(ValueError, match="2 unexpected bytes"):
        read_idx(long)


def test_broken_gzip_stream_names_the_file(tmp_path, write_idx):
    path = write_idx(tmp_path / "a-idx1-ubyte.gz", np.zeros(1000, np.uint8))
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(ValueError, match="Cannot read IDX file") as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_labels_file_pairing(tmp_path, write_idx):
    images = write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((2, 2, 2), np.uint8))
    assert idx.find_labels_file(images) is None
    labels = write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([1, 2], np.uint8))
    assert idx.find_labels_file(images) == labels  # gzip or not
    assert idx.find_images_file(tmp_path) == images


def test_count_mismatch_names_both_files(tmp_path, write_idx):
    images = write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 2, 2), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([1, 2], np.uint8))
    with pytest.raises(ValueError, match="3 images but labels .*train-labels-idx1-ubyte' has 2"):
        idx.read_idx_pair(images, need_labels=False)


def test_several_images_files_in_a_directory(tmp_path, write_idx):
    write_idx(tmp_path / "a-images-idx3-ubyte", np.zeros((1, 2, 2), np.uint8))
    write_idx(tmp_path / "a-images-idx3-ubyte.gz", np.zeros((1, 2, 2), np.uint8))
    with pytest.raises(ValueError, match="several IDX image files"):
        idx.find_images_file(tmp_path)


def _traced_peak(fn):
    """(exception raised by fn(), peak bytes Python allocated meanwhile)."""
    tracemalloc.start()
    try:
        fn()
    except ValueError as err:
        return err, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    raise AssertionError("expected a ValueError")


def test_gzip_bomb_is_refused_after_the_declared_bytes(tmp_path):
    path = tmp_path / "bomb-images-idx3-ubyte.gz"
    with gzip.open(path, "wb") as g:  # a 4-byte array followed by 64 MiB of zeros
        g.write(struct.pack(">BBBB2I", 0, 0, 8, 2, 2, 2) + bytes(4))
        for _ in range(4):
            g.write(bytes(16 << 20))
    assert path.stat().st_size < 100_000
    err, peak = _traced_peak(lambda: read_idx(path))
    assert "unexpected bytes after the data for shape (2, 2)" in str(err) and str(path) in str(err)
    assert peak < 4 << 20  # the old reader decompressed all 64 MiB first


@pytest.mark.parametrize("gz", [False, True])
def test_huge_declared_shape_fails_before_allocating(tmp_path, gz):
    header = struct.pack(">BBBB4I", 0, 0, 8, 4, 65536, 65536, 65536, 65536)
    path = tmp_path / "huge-idx3-ubyte"
    path.write_bytes(gzip.compress(header + bytes(10)) if gz else header + bytes(10))
    err, peak = _traced_peak(lambda: read_idx(path))
    assert f"'{path}' declares shape (65536, 65536, 65536, 65536) of uint8" in str(err)
    assert "max_bytes=4294967296" in str(err) and peak < 1 << 20


@pytest.mark.parametrize("gz", [False, True])
def test_short_data_under_a_large_header_reads_only_what_is_there(tmp_path, gz):
    header = struct.pack(">BBBB3I", 0, 0, 8, 3, 1000, 1000, 1000)  # 1 GB declared
    path = tmp_path / "short-idx3-ubyte"
    path.write_bytes(gzip.compress(header + bytes(10)) if gz else header + bytes(10))
    err, peak = _traced_peak(lambda: read_idx(path))
    assert "needs 1000000000 data bytes but only 10 are present" in str(err)
    assert peak < 4 << 20  # one 1 MiB read chunk, not the declared 1 GB


def test_max_bytes_and_special_files(tmp_path, write_idx):
    path = write_idx(tmp_path / "x-idx1-ubyte", np.arange(8, dtype=">i4"))
    np.testing.assert_array_equal(read_idx(path, max_bytes=32), np.arange(8))
    with pytest.raises(ValueError, match=r"declares shape \(8,\) of int32, 32 data bytes.*max_bytes=31"):
        read_idx(path, max_bytes=31)
    os.mkfifo(tmp_path / "pipe-idx3-ubyte")
    with pytest.raises(ValueError, match="pipe-idx3-ubyte' is not a regular file"):
        read_idx(tmp_path / "pipe-idx3-ubyte")
