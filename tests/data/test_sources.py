import logging

import numpy as np
import pytest

import kerasgan.data
from kerasgan.data import sources


def test_check_image_array_adds_channel_axis_and_keeps_uint8():
    x = np.zeros((2, 5, 6), np.uint8)
    out = sources.check_image_array(x)
    assert out.shape == (2, 5, 6, 1) and out.dtype == np.uint8
    ints = sources.check_image_array(np.full((1, 2, 2, 3), 255, np.int64))
    assert ints.dtype == np.uint8


@pytest.mark.parametrize(
    "array, message",
    [
        (np.zeros((5, 5), np.uint8), r"\[N, H, W\] or \[N, H, W, C\]. Received: source with shape \(5, 5\)"),
        (np.zeros((1, 5, 5, 4), np.uint8), r"1 \(grayscale\) or 3 \(RGB\).*shape \(1, 5, 5, 4\)"),
        (np.zeros((0, 5, 5), np.uint8), "holds no images"),
        (np.full((1, 2, 2), 2.0, np.float32), r"\[-1, 1\].*values in \[2.0, 2.0\]"),
        (np.full((1, 2, 2), np.nan), r"\[-1, 1\]"),
        (np.full((1, 2, 2), 300, np.int32), r"0..255.*values in \[300, 300\]"),
        (np.zeros((1, 2, 2), bool), "dtype bool"),
    ],
)
def test_check_image_array_errors_say_what_was_received(array, message):
    with pytest.raises(ValueError, match=message):
        sources.check_image_array(array)


def test_nonnegative_float_array_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="kerasgan.data.sources"):
        sources.check_image_array(np.full((1, 2, 2), 0.5))
    assert "If it is in [0, 1], pass 2 * x - 1" in caplog.text


def test_check_labels():
    np.testing.assert_array_equal(sources.check_labels([2.0, 0.0], 2), [2, 0])
    with pytest.raises(ValueError, match=r"one label per image \(3\). Received: labels with shape \(2,\)"):
        sources.check_labels([1, 2], 3)
    with pytest.raises(ValueError, match="integer class indices"):
        sources.check_labels([0.5, 1.0], 2)
    with pytest.raises(ValueError, match="non-negative"):
        sources.check_labels([-1, 1], 2)


def test_resolve_kinds(tmp_path, write_idx):
    assert sources.resolve_source("digits").kind == "digits"
    assert sources.resolve_source(np.zeros((1, 2, 2))).kind == "array"
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((1, 2, 2), np.uint8))
    assert sources.resolve_source(tmp_path).kind == "idx"
    assert sources.resolve_source(str(tmp_path / "t10k-images-idx3-ubyte")).kind == "idx"


def test_unknown_source_lists_accepted_kinds():
    with pytest.raises(ValueError, match="Unknown source 'no_such_dataset_xyz'.*Accepted sources: 'digits'"):
        sources.resolve_source("no_such_dataset_xyz")
    with pytest.raises(ValueError, match=r"Unknown source './missing'.*no such file or directory"):
        sources.resolve_source("./missing")
    with pytest.raises(ValueError, match="Unknown source of type dict"):
        sources.resolve_source({"a": 1})


def test_arguments_that_do_not_apply_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="split= only applies to TFDS sources.*split='test'"):
        sources.resolve_source("digits", split="test")
    with pytest.raises(ValueError, match="data_dir= only applies to TFDS"):
        sources.resolve_source(np.zeros((1, 2, 2)), data_dir="/tmp")
    with pytest.raises(ValueError, match="labels= only applies to NumPy array sources"):
        sources.resolve_source("digits", labels=[1])
    with pytest.raises(FileNotFoundError):
        sources.resolve_source(tmp_path / "nope")
    (tmp_path / "one.png").write_bytes(b"")
    with pytest.raises(ValueError, match="single image file"):
        sources.resolve_source(tmp_path / "one.png")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no image files"):
        sources.resolve_source(tmp_path / "empty")


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.array([0.0, 2.0**32 + 3]), r"class index 4294967299.0, which does not fit int32"),
        (np.array([0, 2**40], np.int64), r"class index 1099511627776, which does not fit int32"),
        (np.array([0, 2**63 + 5], np.uint64), r"class index 9223372036854775813, which does not fit"),
        (np.array([1.0, np.nan]), r"whole numbers. Received: labels\[1\] = nan"),
        (np.array([np.inf, 1.0]), r"labels\[0\] = inf"),
        (np.array([0.0, 2.5]), r"labels\[1\] = 2.5"),
        (np.array([3, -7], np.int8), r"non-negative.*minimum -7"),
        (np.array([0, 2**30]), r"class index 1073741824, so 1073741825 classes, over max_classes=100000"),
    ],
)
def test_labels_that_do_not_fit_are_refused_not_wrapped(labels, message):
    with pytest.raises(ValueError, match=message):
        sources.check_labels(labels, 2)


def test_max_classes_bounds_num_classes():
    images = np.zeros((2, 2, 2), np.uint8)
    labels = np.array([0, 100_000])
    with pytest.raises(ValueError, match="100001 classes, over max_classes=100000"):
        kerasgan.data.info(images, labels=labels)
    assert kerasgan.data.info(images, labels=labels, max_classes=100_001).num_classes == 100_001
    with pytest.raises(ValueError, match=r"class index 4, so 5 classes, over max_classes=4"):
        kerasgan.data.info(images, labels=[0, 4], max_classes=4)
    with pytest.raises(ValueError, match=r"`max_classes` must be an int in 1..2147483647. Received: max_classes=0"):
        kerasgan.data.load(images, 2, 1, labels=[0, 1], max_classes=0)


def test_idx_labels_beyond_int32_name_the_file(tmp_path, write_idx):
    images = write_idx(tmp_path / "t-images-idx3-ubyte", np.zeros((2, 2, 2), np.uint8))
    write_idx(tmp_path / "t-labels-idx1-ubyte", np.array([1.0, 2.0**32 + 3], ">f8"))
    with pytest.raises(ValueError, match="4294967299.0, which does not fit int32") as err:
        kerasgan.data.info(images)
    assert "t-images-idx3-ubyte" in str(err.value)  # was num_classes == 3 (-2**31 after wrapping)
