import logging

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
