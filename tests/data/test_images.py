import numpy as np
import tensorflow as tf

from kerasgan.data import images


def test_to_unit_range_maps_uint8_ends_exactly():
    x = tf.constant([0, 51, 255], tf.uint8)
    np.testing.assert_allclose(images.to_unit_range(x).numpy(), [-1.0, 51 / 127.5 - 1, 1.0], atol=1e-7)
    assert images.to_unit_range(tf.constant([0.5], tf.float64)).dtype == tf.float32


def test_center_crop_cuts_the_longer_side_symmetrically():
    image = tf.reshape(tf.range(4 * 8), [4, 8, 1])  # 4 rows, 8 columns
    square = images.center_crop_to_aspect(image, 10, 10).numpy()[..., 0]
    np.testing.assert_array_equal(square, np.arange(32).reshape(4, 8)[:, 2:6])
    tall = images.center_crop_to_aspect(tf.transpose(image, [1, 0, 2]), 1, 1)
    assert tall.shape == (4, 4, 1)
    same = images.center_crop_to_aspect(image, 2, 4)  # already 1:2
    assert same.shape == (4, 8, 1)


def test_preprocess_keeps_constant_and_identity_at_same_size():
    constant = tf.fill([8, 8, 1], tf.constant(51, tf.uint8))
    out = images.preprocess_image(constant, 32, 32, 1).numpy()
    assert out.shape == (32, 32, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out, 51 / 127.5 - 1, atol=1e-6)

    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    same = images.preprocess_image(tf.constant(x), 5, 7, 3).numpy()
    np.testing.assert_allclose(same, x / 127.5 - 1, atol=1e-6)


def test_preprocess_converts_channels():
    gray = tf.fill([4, 4, 1], tf.constant(0, tf.uint8))
    rgb = images.preprocess_image(gray, 4, 4, 3).numpy()
    assert rgb.shape == (4, 4, 3)
    np.testing.assert_array_equal(rgb, -1.0)

    white = tf.fill([4, 4, 3], tf.constant(255, tf.uint8))
    np.testing.assert_allclose(images.preprocess_image(white, 2, 2, 1).numpy(), 1.0, atol=1e-6)
    red = tf.constant([[[255, 0, 0]]], tf.uint8)
    luma = 0.2989 / (0.2989 + 0.5870 + 0.1140)
    np.testing.assert_allclose(images.preprocess_image(red, 1, 1, 1).numpy(), 2 * luma - 1, atol=1e-6)


def test_preprocess_stays_in_range_when_shrinking_noise():
    x = tf.constant(np.random.default_rng(1).integers(0, 256, (50, 30, 3), dtype=np.uint8))
    out = images.preprocess_image(x, 9, 9, 3).numpy()
    assert out.shape == (9, 9, 3)
    assert out.min() >= -1.0 and out.max() <= 1.0
