"""PixelShuffle inverts space-to-depth; SubPixelConv2D's tied phases make a
constant image upsample to a constant image (and the plain layer does not)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.layers import PixelShuffle, SubPixelConv2D


@pytest.mark.parametrize("scale,shape", [(2, (2, 6, 4, 3)), (3, (1, 9, 6, 2)), (4, (3, 8, 8, 1))])
def test_pixel_shuffle_inverts_space_to_depth(scale, shape):
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    packed = tf.nn.space_to_depth(x, scale)
    np.testing.assert_array_equal(PixelShuffle(scale)(packed).numpy(), x)
    # and space-to-depth inverts it
    y = np.random.default_rng(1).normal(size=(2, 3, 5, 4 * scale**2)).astype("float32")
    np.testing.assert_array_equal(tf.nn.space_to_depth(PixelShuffle(scale)(y), scale).numpy(), y)


def test_pixel_shuffle_layout_and_any_size():
    # output pixel (h*2 + i, w*2 + j, c) is input channel (i*2 + j)*C + c
    x = np.arange(8, dtype="float32").reshape(1, 1, 1, 8)  # C = 2
    out = PixelShuffle(2)(x).numpy()
    assert out.shape == (1, 2, 2, 2)
    np.testing.assert_array_equal(out[0, :, :, 0], [[0, 2], [4, 6]])
    np.testing.assert_array_equal(out[0, :, :, 1], [[1, 3], [5, 7]])
    inputs = keras.Input((None, None, 8))
    model = keras.Model(inputs, PixelShuffle(2)(inputs))
    assert model.output_shape == (None, None, None, 2)
    assert model(np.zeros((1, 5, 3, 8), "float32")).shape == (1, 10, 6, 2)


def test_pixel_shuffle_refuses_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        PixelShuffle(1)
    with pytest.raises(ValueError, match="divisible by 4"):
        PixelShuffle(2)(np.zeros((1, 2, 2, 6), "float32"))


@pytest.mark.parametrize("tie_phases", [True, False])
def test_sub_pixel_conv_on_a_constant_image(tie_phases):
    keras.utils.set_random_seed(0)
    layer = SubPixelConv2D(3, kernel_size=3, scale=2, tie_phases=tie_phases,
                           kernel_initializer=keras.initializers.RandomNormal(stddev=0.5))
    x = np.full((1, 5, 7, 4), 0.7, "float32")
    out = layer(x).numpy()
    assert out.shape == (1, 6, 10, 3)  # valid 3x3 -> 3x5, then x2
    spread = out.max(axis=(1, 2)) - out.min(axis=(1, 2))
    if tie_phases:
        np.testing.assert_allclose(spread, 0.0, atol=1e-5)
    else:  # the plain sub-pixel convolution draws a 2x2 pattern on a flat image
        assert spread.max() > 0.1


def test_tied_phases_keep_the_rest_of_the_kernel():
    """The tied kernel differs from the free one only in each phase's DC
    offset: on zero-mean (per 3x3 window) inputs both give the same output."""
    keras.utils.set_random_seed(1)
    tied = SubPixelConv2D(2, 3, 2, tie_phases=True)
    x = np.random.default_rng(2).normal(size=(1, 6, 6, 3)).astype("float32")
    tied(x)
    kernel, bias = tied.effective_kernel_and_bias()
    k5 = tf.reshape(kernel, [3, 3, 3, 4, 2])
    dc = tf.reduce_sum(k5, axis=[0, 1]).numpy()  # [C_in, phases, filters]
    np.testing.assert_allclose(dc, np.repeat(dc[:, :1], 4, axis=1), atol=1e-6)
    np.testing.assert_allclose(bias.numpy(), np.tile(tied.bias.numpy(), 4))
    # kernel - original is constant over the spatial taps (a DC shift only)
    diff = (k5 - tf.reshape(tied.kernel, [3, 3, 3, 4, 2])).numpy()
    np.testing.assert_allclose(diff, np.broadcast_to(diff[:1, :1], diff.shape), atol=1e-6)


def test_layers_round_trip_their_config():
    shuffle = PixelShuffle(3, name="ps")
    assert PixelShuffle.from_config(shuffle.get_config()).scale == 3
    conv = SubPixelConv2D(5, 3, scale=2, tie_phases=False)
    clone = SubPixelConv2D.from_config(conv.get_config())
    assert (clone.filters, clone.kernel_size, clone.scale, clone.tie_phases) == (5, 3, 2, False)
