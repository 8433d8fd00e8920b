import logging
import os

import numpy as np
import pytest
from PIL import Image

from kerasgan.data import folders


def test_lists_images_recursively_case_insensitive_skipping_hidden(image_folder):
    files = folders.list_image_files(image_folder)
    rel = [f.relative_to(image_folder).as_posix() for f in files]
    assert rel == ["animals/rgb.png", "animals/rgba.png", "plants/gray.png", "plants/photo.JPG"]


def test_class_labels_from_sorted_first_level_folders(image_folder):
    (image_folder / "animals" / "deep").mkdir()
    Image.new("RGB", (4, 4)).save(image_folder / "animals" / "deep" / "z.png")
    files = folders.list_image_files(image_folder)
    names, labels = folders.class_labels(image_folder, files)
    assert names == ("animals", "plants")
    np.testing.assert_array_equal(labels, [0, 0, 0, 1, 1])  # deep/z.png is an animal


def test_class_labels_errors(tmp_path):
    Image.new("RGB", (2, 2)).save(tmp_path / "loose.png")
    with pytest.raises(ValueError, match="has no class subfolders"):
        folders.class_labels(tmp_path, folders.list_image_files(tmp_path))
    (tmp_path / "cls").mkdir()
    Image.new("RGB", (2, 2)).save(tmp_path / "cls" / "a.png")
    with pytest.raises(ValueError, match="loose.png"):
        folders.class_labels(tmp_path, folders.list_image_files(tmp_path))


def test_rgba_composited_onto_background(image_folder):
    path = image_folder / "animals" / "rgba.png"
    white = folders.decode_image_file(path)
    assert white.shape == (4, 4, 3) and white.dtype == np.uint8
    np.testing.assert_array_equal(white[1, 0], [255, 0, 0])  # opaque red
    np.testing.assert_array_equal(white[1, 3], [255, 255, 255])  # transparent -> white
    np.testing.assert_array_equal(white[0, 0], [127, 127, 127])  # black at alpha 128/255
    green = folders.decode_image_file(path, background=(0, 255, 0))
    np.testing.assert_array_equal(green[1, 3], [0, 255, 0])


def test_gray_modes_stay_one_channel(tmp_path):
    Image.new("L", (3, 2), 51).save(tmp_path / "l.png")
    la = np.zeros((2, 3, 2), np.uint8)  # black, fully transparent
    Image.fromarray(la, "LA").save(tmp_path / "la.png")
    Image.fromarray(np.full((2, 3), 65535, np.uint16)).save(tmp_path / "i16.png")
    np.testing.assert_array_equal(folders.decode_image_file(tmp_path / "l.png"), np.full((2, 3, 1), 51))
    np.testing.assert_array_equal(folders.decode_image_file(tmp_path / "la.png"), np.full((2, 3, 1), 255))
    np.testing.assert_array_equal(folders.decode_image_file(tmp_path / "i16.png"), np.full((2, 3, 1), 255))
    assert folders.decode_image_file(tmp_path / "la.png", (255, 0, 0)).shape == (2, 3, 3)


def test_decode_folder_mixed_channels_become_rgb(image_folder):
    images, kept = folders.decode_folder(folders.list_image_files(image_folder))
    assert kept == [0, 1, 2, 3]
    assert all(im.shape == (4, 4, 3) for im in images)
    np.testing.assert_array_equal(images[2], np.full((4, 4, 3), 51))  # gray repeated


def test_decode_folder_corrupt_error_and_skip(image_folder, caplog):
    bad = image_folder / "plants" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    files = folders.list_image_files(image_folder)
    with pytest.raises(ValueError, match="Cannot decode image file") as err:
        folders.decode_folder(files)
    assert str(bad) in str(err.value)
    with caplog.at_level(logging.WARNING, logger="kerasgan.data.folders"):
        images, kept = folders.decode_folder(files, on_corrupt="skip")
    assert len(images) == 4 and "broken.png" not in [files[i].name for i in kept]
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert str(bad) in caplog.records[0].getMessage()


def _rel(files, root):
    return [f.relative_to(root).as_posix() for f in files]


def test_symlink_loops_are_walked_once(tmp_path):
    root = tmp_path / "d"
    root.mkdir()
    Image.new("L", (8, 8), 3).save(root / "a.png")
    (root / "x").symlink_to(".")
    assert _rel(folders.list_image_files(root), root) == ["a.png"]  # was 41 files
    (root / "y").symlink_to(".")  # two loops: the old walk never ended
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to("..")
    assert _rel(folders.list_image_files(root), root) == ["a.png"]


def test_linked_folders_and_files_are_listed_once_under_their_own_name(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    Image.new("L", (2, 2)).save(outside / "o.png")
    root = tmp_path / "root"
    (root / "cat").mkdir(parents=True)
    Image.new("L", (2, 2)).save(root / "cat" / "c.png")
    (root / "alias").symlink_to("cat")  # sorts before "cat" but is only a link
    (root / "cat" / "link.png").symlink_to(outside / "o.png")
    (root / "cat" / "link2.png").symlink_to(outside / "o.png")
    (root / "ext").symlink_to(outside)  # a folder outside root is followed
    rel = _rel(folders.list_image_files(root), root)
    # o.png once: three paths with one link each, the first in sorted order wins
    assert rel == ["cat/c.png", "cat/link.png"]


def test_special_files_are_never_opened(tmp_path, caplog):
    Image.new("L", (2, 2)).save(tmp_path / "a.png")
    os.mkfifo(tmp_path / "pipe.png")  # opening it for reading would block forever
    (tmp_path / "gone.png").symlink_to(tmp_path / "missing.png")
    with caplog.at_level(logging.WARNING, logger="kerasgan.data.folders"):
        files = folders.list_image_files(tmp_path)
    assert _rel(files, tmp_path) == ["a.png", "gone.png"]  # dangling link kept: decoding names it
    assert "pipe.png" in caplog.text and "a FIFO" in caplog.text
    with pytest.raises(ValueError, match="pipe.png' is a FIFO, not a regular image file"):
        folders.decode_image_file(tmp_path / "pipe.png")
    with pytest.raises(ValueError, match="gone.png"):
        folders.decode_folder(files)


def test_walk_bounds_raise_naming_the_folder(tmp_path):
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    for i in range(3):
        Image.new("L", (2, 2)).save(deep / f"{i}.png")
    assert len(folders.list_image_files(tmp_path, max_depth=3, max_files=3)) == 3
    with pytest.raises(ValueError, match=f"'{tmp_path}' is nested deeper than max_depth=2"):
        folders.list_image_files(tmp_path, max_depth=2)
    with pytest.raises(ValueError, match=f"'{tmp_path}' holds more than max_files=2 image files"):
        folders.list_image_files(tmp_path, max_files=2)


def test_16_bit_png_is_scaled_by_its_bit_depth_not_its_values(tmp_path):
    dark = np.array([[0, 200], [255, 65535]], np.uint16)  # mostly <= 255: still 16-bit
    Image.fromarray(dark).save(tmp_path / "g16.png")
    assert folders.png_bit_depth(tmp_path / "g16.png") == 16
    out = folders.decode_image_file(tmp_path / "g16.png")
    np.testing.assert_array_equal(out[..., 0], [[0, 1], [1, 255]])  # 200/65535 -> 0.78/255
    Image.fromarray(dark).save(tmp_path / "key.png", transparency=200)  # a 16-bit tRNS key
    keyed = folders.decode_image_file(tmp_path / "key.png")
    np.testing.assert_array_equal(keyed[..., 0], [[0, 255], [1, 255]])  # 200 -> white background


def test_float_mode_is_refused(tmp_path):
    Image.fromarray(np.zeros((2, 2), np.float32)).save(tmp_path / "f.tiff", format="TIFF")
    (tmp_path / "f.tiff").rename(tmp_path / "f.png")  # a TIFF in disguise
    with pytest.raises(ValueError, match="mode 'F'"):
        folders.decode_image_file(tmp_path / "f.png")
