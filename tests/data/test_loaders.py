import logging
import os

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from sklearn.datasets import load_digits

import kerasgan.data
from kerasgan.data import loaders


def _epoch(ds):
    """All batches of one pass, concatenated: (images, labels or None)."""
    batches = list(ds.as_numpy_iterator())
    if isinstance(batches[0], tuple):
        return np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])
    return np.concatenate(batches), None


# --- digits -------------------------------------------------------------------


def test_digits_shape_range_and_labels():
    ds = kerasgan.data.load("digits", image_size=32, batch_size=64, with_labels=True, seed=0)
    assert ds.element_spec[0].shape == (64, 32, 32, 1)
    assert ds.element_spec[0].dtype == tf.float32 and ds.element_spec[1].dtype == tf.int32
    images, labels = _epoch(ds)
    assert images.shape == (1792, 32, 32, 1)  # 1797 // 64 full batches
    assert images.min() == -1.0 and images.max() == 1.0
    assert set(labels.tolist()) == set(range(10))
    assert kerasgan.data.num_classes("digits") == 10


def test_digits_values_exact_at_native_size():
    ds = kerasgan.data.load("digits", 8, 1797, with_labels=True, shuffle=False)
    images, labels = _epoch(ds)
    digits = load_digits()
    np.testing.assert_array_equal(images[..., 0], digits.images / 8.0 - 1.0)
    np.testing.assert_array_equal(labels, digits.target)


def test_seed_gives_same_order_and_reshuffles_each_epoch():
    def first_labels(ds):
        return [next(iter(ds))[1].numpy() for _ in range(2)]

    a = kerasgan.data.load("digits", 8, 32, with_labels=True, seed=7)
    b = kerasgan.data.load("digits", 8, 32, with_labels=True, seed=7)
    c = kerasgan.data.load("digits", 8, 32, with_labels=True, seed=8)
    epochs_a, epochs_b = first_labels(a), first_labels(b)
    np.testing.assert_array_equal(epochs_a[0], epochs_b[0])
    np.testing.assert_array_equal(epochs_a[1], epochs_b[1])
    assert not np.array_equal(epochs_a[0], epochs_a[1])  # new order next epoch
    assert not np.array_equal(epochs_a[0], first_labels(c)[0])


def test_repeat_and_drop_remainder():
    ds = kerasgan.data.load("digits", 8, 500, repeat=True)
    assert ds.cardinality() == tf.data.INFINITE_CARDINALITY
    assert len(list(ds.take(5))) == 5  # more than one epoch (3 batches)
    partial = kerasgan.data.load("digits", 8, 500, drop_remainder=False, shuffle=False)
    assert [b.shape[0] for b in partial] == [500, 500, 500, 297]
    with pytest.raises(ValueError, match="only 1797 images, fewer than one batch.*batch_size=2000"):
        kerasgan.data.load("digits", 8, 2000)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image_size": 0}, r"Received: image_size=0"),
        ({"image_size": (8, 8, 8)}, r"Received: image_size=\(8, 8, 8\)"),
        ({"image_size": 8, "batch_size": 0}, "Received: batch_size=0"),
        ({"image_size": 8, "channels": 4}, "Received: channels=4"),
        ({"image_size": 8, "on_corrupt": "ignore"}, "Received: on_corrupt='ignore'"),
        ({"image_size": 8, "background": (0, 0, 300)}, r"Received: background=\(0, 0, 300\)"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kerasgan.data.load("digits", **kwargs)


# --- image folders ------------------------------------------------------------


def test_folder_with_labels_and_white_compositing(image_folder):
    ds = kerasgan.data.load(image_folder, 4, 4, with_labels=True, shuffle=False)
    images, labels = _epoch(ds)
    assert images.shape == (4, 4, 4, 3) and images.dtype == np.float32
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])  # animals, animals, plants, plants
    np.testing.assert_allclose(images[0], np.broadcast_to([200, 100, 0], (4, 4, 3)) / 127.5 - 1, atol=1e-6)
    rgba = images[1]
    np.testing.assert_array_equal(rgba[1, 3], [1.0, 1.0, 1.0])  # fully transparent -> white
    np.testing.assert_array_equal(rgba[1, 0], [1.0, -1.0, -1.0])  # opaque red
    np.testing.assert_allclose(rgba[0, 0], 127 / 127.5 - 1, atol=1e-6)  # alpha 128 black on white
    np.testing.assert_allclose(images[2], 51 / 127.5 - 1, atol=1e-6)  # gray -> RGB
    np.testing.assert_allclose(images[3, ..., 2], 1.0, atol=0.05)  # blue jpeg (lossy)
    info = kerasgan.data.info(image_folder)
    assert info.class_names == ("animals", "plants") and info.num_classes == 2
    assert info.num_examples == 4 and info.channels == 3 and info.image_shape == (4, 4)


def test_folder_forced_grayscale_and_background(image_folder):
    ds = kerasgan.data.load(image_folder, 4, 4, channels=1, shuffle=False, background=(0, 0, 0))
    images, _ = _epoch(ds)
    assert images.shape == (4, 4, 4, 1)
    assert images[1, 1, 3, 0] == -1.0  # transparent on black


def test_folder_of_mixed_sizes_is_cropped_and_resized(tmp_path):
    Image.new("RGB", (8, 4), (255, 255, 255)).save(tmp_path / "wide.png")
    Image.new("RGB", (3, 3), (0, 0, 0)).save(tmp_path / "small.png")
    images, _ = _epoch(kerasgan.data.load(tmp_path, (6, 6), 2, shuffle=False))
    assert images.shape == (2, 6, 6, 3)
    np.testing.assert_allclose(images[0], -1.0)
    np.testing.assert_allclose(images[1], 1.0)


def test_folder_corrupt_file_is_named_at_load_time(image_folder):
    bad = image_folder / "plants" / "zz_corrupt.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated jpeg")
    with pytest.raises(ValueError, match="zz_corrupt.jpg") as err:
        kerasgan.data.load(image_folder, 4, 2)
    assert str(bad) in str(err.value) and "on_corrupt='skip'" in str(err.value)


def test_folder_corrupt_file_skipped_with_warning(image_folder, caplog):
    bad = image_folder / "animals" / "broken.png"
    bad.write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger="kerasgan.data"):
        ds = kerasgan.data.load(image_folder, 4, 1, with_labels=True, on_corrupt="skip", shuffle=False)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(bad) in warnings[0]
    images, labels = _epoch(ds)
    assert images.shape == (4, 4, 4, 3)
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])


def test_folder_labels_need_subfolders(tmp_path):
    Image.new("RGB", (2, 2)).save(tmp_path / "a.png")
    assert len(list(kerasgan.data.load(tmp_path, 2, 1))) == 1
    with pytest.raises(ValueError, match="has no class subfolders"):
        kerasgan.data.load(tmp_path, 2, 1, with_labels=True)


# --- IDX files ----------------------------------------------------------------


def _mnist_like(tmp_path, write_idx, gz):
    suffix = ".gz" if gz else ""
    images = np.zeros((6, 4, 4), np.uint8)
    images[:, 0, 0] = [0, 51, 102, 153, 204, 255]
    labels = np.array([5, 0, 4, 1, 9, 2], np.uint8)
    write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", images)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", labels)
    return images, labels


@pytest.mark.parametrize("gz", [True, False])
def test_idx_directory_and_file(tmp_path, write_idx, gz):
    images, labels = _mnist_like(tmp_path, write_idx, gz)
    for source in (tmp_path, next(tmp_path.glob("train-images*"))):
        got_images, got_labels = _epoch(
            kerasgan.data.load(source, 4, 6, with_labels=True, shuffle=False)
        )
        assert got_images.shape == (6, 4, 4, 1)
        np.testing.assert_allclose(got_images[:, 0, 0, 0], images[:, 0, 0] / 127.5 - 1, atol=1e-6)
        np.testing.assert_array_equal(got_labels, labels)
    assert kerasgan.data.num_classes(tmp_path) == 10


def test_idx_errors_name_the_file(tmp_path, write_idx):
    _mnist_like(tmp_path, write_idx, gz=False)
    labels_path = tmp_path / "train-labels-idx1-ubyte"
    write_idx(labels_path, np.zeros(5, np.uint8))
    with pytest.raises(ValueError, match="6 images but labels .* has 5 labels"):
        kerasgan.data.load(tmp_path, 4, 2, with_labels=True)
    labels_path.unlink()
    assert len(list(kerasgan.data.load(tmp_path, 4, 2))) == 3  # images alone are fine
    with pytest.raises(ValueError, match="No labels file found"):
        kerasgan.data.load(tmp_path, 4, 2, with_labels=True)
    bad = tmp_path / "bad-images-idx3-ubyte"
    bad.write_bytes(b"\x00\x01\x08\x03" + bytes(64))
    with pytest.raises(ValueError, match="bad magic number 0x00010803") as err:
        kerasgan.data.load(bad, 4, 2)
    assert str(bad) in str(err.value)


# --- NumPy arrays -------------------------------------------------------------


def test_uint8_array_scaled_exactly_with_labels():
    x = np.zeros((4, 2, 2, 3), np.uint8)
    x[1] = 255
    x[2] = 51
    ds = kerasgan.data.load(x, 2, 4, labels=[3, 1, 4, 1], with_labels=True, shuffle=False)
    images, labels = _epoch(ds)
    np.testing.assert_array_equal(images[0], -1.0)
    np.testing.assert_array_equal(images[1], 1.0)
    np.testing.assert_allclose(images[2], 51 / 127.5 - 1, atol=1e-7)
    np.testing.assert_array_equal(labels, [3, 1, 4, 1])
    assert labels.dtype == np.int32
    assert kerasgan.data.info(x, labels=[3, 1, 4, 1]).num_classes == 5


def test_float_array_kept_and_converted_to_rgb():
    x = np.linspace(-1, 1, 2 * 3 * 3, dtype=np.float64).reshape(2, 3, 3)
    images, _ = _epoch(kerasgan.data.load(x, 3, 2, channels=3, shuffle=False))
    assert images.shape == (2, 3, 3, 3) and images.dtype == np.float32
    np.testing.assert_allclose(images[..., 1], x, atol=1e-6)


def test_array_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"Received: source with shape \(2, 3, 3, 2\)"):
        kerasgan.data.load(np.zeros((2, 3, 3, 2), np.uint8), 3, 1)
    with pytest.raises(ValueError, match=r"Received: source with shape \(9,\)"):
        kerasgan.data.load(np.zeros(9, np.uint8), 3, 1)
    with pytest.raises(ValueError, match=r"Received: labels with shape \(3,\)"):
        kerasgan.data.load(np.zeros((2, 3, 3), np.uint8), 3, 1, labels=[0, 1, 2])
    with pytest.raises(ValueError, match=r"values in \[0.0, 255.0\]"):
        kerasgan.data.load(np.linspace(0, 255, 18).reshape(2, 3, 3), 3, 1)
    with pytest.raises(ValueError, match="has no labels \\(pass labels=...\\)"):
        kerasgan.data.load(np.zeros((2, 3, 3), np.uint8), 3, 1, with_labels=True)


# --- TFDS (no network: tfds.testing.mock_data) --------------------------------


@pytest.fixture(scope="module")
def tfds():
    return pytest.importorskip("tensorflow_datasets")


def mock_tfds(tfds, monkeypatch, num_examples):
    """TFDS's mock_data turns the download into a no-op; kerasgan's network
    probe before a download is told the network answers."""
    monkeypatch.setattr(kerasgan.data.sources, "network_available", lambda timeout=3.0: (True, ""))
    return tfds.testing.mock_data(num_examples=num_examples)


def test_tfds_mnist_with_mock_data(tfds, monkeypatch):
    with mock_tfds(tfds, monkeypatch, 20):
        ds = kerasgan.data.load("mnist", 32, 8, with_labels=True, seed=1)
        images, labels = _epoch(ds)
        info = kerasgan.data.info("mnist")
        assert kerasgan.data.info("tfds:mnist").kind == "tfds"
    assert images.shape == (16, 32, 32, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0 and images.min() < 0 < images.max()
    assert labels.dtype == np.int32 and ((labels >= 0) & (labels < 10)).all()
    assert info.kind == "tfds" and info.num_classes == 10 and info.channels == 1
    assert info.class_names[:3] == ("0", "1", "2")


def test_tfds_celeb_a_is_center_cropped_to_square(tfds, monkeypatch):
    with mock_tfds(tfds, monkeypatch, 3):
        ds = kerasgan.data.load("celeb_a", 16, 3, split="test", channels=1)
        images, _ = _epoch(ds)
        with pytest.raises(ValueError, match="has no 'label' feature"):
            kerasgan.data.load("celeb_a", 16, 3, with_labels=True)
        with pytest.raises(ValueError, match="only 3 images, fewer than one batch"):
            kerasgan.data.load("celeb_a", 16, 4)
    assert images.shape == (3, 16, 16, 1)


def test_unknown_tfds_name_is_a_clear_error(tfds):
    with pytest.raises(ValueError, match="Unknown source 'mnistt'.*not a TFDS dataset name") as err:
        kerasgan.data.load("mnistt", 32)
    assert "a directory of .png/.jpg/.jpeg images" in str(err.value)


# --- pipeline details ---------------------------------------------------------


def test_cache_limit_and_options(monkeypatch, caplog):
    ds = kerasgan.data.load("digits", 8, 64)
    assert ds.options().autotune.enabled is False
    monkeypatch.setattr(loaders, "MEMORY_CACHE_LIMIT_BYTES", 1000)
    with caplog.at_level(logging.WARNING, logger="kerasgan.data.loaders"):
        ds = kerasgan.data.load("digits", 8, 64)
    assert "Not caching digits in memory" in caplog.text
    assert len(list(ds)) == 28


def test_disk_cache(tmp_path):
    ds = kerasgan.data.load("digits", 8, 64, cache=tmp_path / "digits.cache", shuffle=False)
    first, _ = _epoch(ds)
    second, _ = _epoch(ds)
    np.testing.assert_array_equal(first, second)
    assert list(tmp_path.glob("digits.cache*"))


# --- real data (../shared/data; run with -m realdata) -------------------------


@pytest.mark.realdata
def test_real_mnist_idx_test_split(shared_data):
    source = shared_data / "mnist" / "t10k-images-idx3-ubyte.gz"
    ds = kerasgan.data.load(source, 28, 1000, with_labels=True, seed=0)
    images, labels = _epoch(ds)
    assert images.shape == (10_000, 28, 28, 1)
    assert images.min() == -1.0 and images.max() == 1.0
    np.testing.assert_array_equal(
        np.bincount(labels, minlength=10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    )
    assert kerasgan.data.num_classes(shared_data / "mnist") == 10


@pytest.mark.realdata
def test_real_twemoji_folder(shared_data):
    source = shared_data / "emoji" / "twemoji-72"
    ds = kerasgan.data.load(source, 64, 1, seed=0, drop_remainder=False)
    images, _ = _epoch(ds)
    assert images.shape == (4009, 64, 64, 3)
    assert images.min() == -1.0 and images.max() == 1.0
    corners = images[:, 0, 0, :]  # emoji corners are transparent -> white
    assert (corners == 1.0).mean() > 0.9


def test_load_arrays_returns_every_image_in_order_with_labels():
    digits = load_digits()
    images, labels = kerasgan.data.load_arrays("digits", 8, with_labels=True, batch_size=500)
    # 1,797 is not a multiple of the batch: nothing is dropped, nothing shuffled.
    assert images.shape == (1797, 8, 8, 1) and images.dtype == np.float32
    np.testing.assert_array_equal(labels, digits.target)
    np.testing.assert_allclose(images[..., 0], digits.images / 16.0 * 2.0 - 1.0, atol=1e-5)
    only_images, none = kerasgan.data.load_arrays("digits", 8)
    assert none is None and only_images.shape == images.shape


# --- folders that used to hang or lose precision --------------------------------


def test_folder_with_symlink_loops_and_a_fifo(tmp_path):
    root = tmp_path / "d"
    root.mkdir()
    Image.new("L", (8, 8), 3).save(root / "a.png")
    (root / "x").symlink_to(".")
    (root / "y").symlink_to(".")
    os.mkfifo(root / "pipe.png")
    assert kerasgan.data.info(root).num_examples == 1
    images, _ = kerasgan.data.load_arrays(root, 8)
    assert images.shape == (1, 8, 8, 1)
    with pytest.raises(ValueError, match="neither a regular file nor a directory"):
        kerasgan.data.info(root / "pipe.png")


def test_16_bit_png_values_keep_their_scale(tmp_path):
    Image.fromarray(np.full((4, 4), 200, np.uint16)).save(tmp_path / "dark16.png")
    images, _ = kerasgan.data.load_arrays(tmp_path, 4)
    np.testing.assert_allclose(images, 1 / 127.5 - 1)  # 200/65535 -> 1/255: about -0.992, not 0.569
