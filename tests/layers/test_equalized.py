import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense


def test_conv_stores_unit_normal_kernel_and_applies_he_scale():
    layer = EqualizedConv2D(128, 3, name="conv")
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 96)).astype(np.float32)
    y = keras.ops.convert_to_numpy(layer(x))
    kernel = np.array(layer.kernel)
    assert kernel.shape == (3, 3, 96, 128)
    assert abs(kernel.std() - 1.0) < 0.05 and abs(kernel.mean()) < 0.01
    np.testing.assert_array_equal(np.array(layer.bias), 0.0)
    scale = math.sqrt(2.0 / (3 * 3 * 96))
    np.testing.assert_allclose(np.array(layer.effective_kernel()), kernel * scale, rtol=1e-6)
    expected = tf.nn.conv2d(x, kernel * scale, 1, "SAME").numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)


def test_dense_lr_multiplier_scales_init_kernel_and_bias():
    layer = EqualizedDense(64, lr_multiplier=0.01, gain=1.0)
    x = np.random.default_rng(1).normal(size=(3, 256)).astype(np.float32)
    layer(x)
    layer.bias.assign(np.full((64,), 5.0, np.float32))
    kernel = np.array(layer.kernel)
    assert abs(kernel.std() / 100.0 - 1.0) < 0.05  # N(0, 1 / lr_multiplier^2)
    effective = kernel * (1.0 / math.sqrt(256)) * 0.01
    np.testing.assert_allclose(np.array(layer.effective_kernel()), effective, rtol=1e-6)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(x)), x @ effective + 5.0 * 0.01, rtol=1e-4, atol=1e-5
    )


def test_valid_padding_strides_and_config_round_trip():
    conv = EqualizedConv2D(4, (4, 4), strides=2, padding="valid", gain=1.0, lr_multiplier=0.5)
    y = conv(np.zeros((1, 10, 10, 3), np.float32))
    assert tuple(y.shape) == (1, 4, 4, 4) == conv.compute_output_shape((1, 10, 10, 3))
    clone = EqualizedConv2D.from_config(conv.get_config())
    assert clone.get_config() == conv.get_config()
    dense = EqualizedDense(3, use_bias=False)
    dense(np.zeros((1, 2), np.float32))
    assert dense.bias is None
    assert EqualizedDense.from_config(dense.get_config()).get_config() == dense.get_config()
    # Registered: a model using them saves and reloads through its config.
    model = keras.Sequential([keras.Input((6, 6, 2)), EqualizedConv2D(2, 3), keras.layers.Flatten(), EqualizedDense(1)])
    clone = keras.Sequential.from_config(model.get_config())
    assert isinstance(clone.layers[0], EqualizedConv2D) and isinstance(clone.layers[-1], EqualizedDense)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="filters"):
        EqualizedConv2D(0, 3)
    with pytest.raises(ValueError, match="padding"):
        EqualizedConv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="lr_multiplier"):
        EqualizedDense(2, lr_multiplier=0)
    with pytest.raises(ValueError, match="units"):
        EqualizedDense(-1)
