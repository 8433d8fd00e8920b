import keras
import numpy as np
import pytest

from kerasgan.layers import SelfAttention


def features(seed=0, shape=(2, 4, 5, 16)):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_identity_at_gamma_zero_and_not_after():
    x = features()
    layer = SelfAttention()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    assert float(layer.gamma) == 0.0
    layer.gamma.assign(0.5)
    assert not np.allclose(keras.ops.convert_to_numpy(layer(x)), x)


def test_attention_rows_sum_to_one_and_shapes():
    x = features(1)
    layer = SelfAttention(spectral_norm=False)
    layer(x)
    beta = keras.ops.convert_to_numpy(layer.attention_map(x))
    assert beta.shape == (2, 20, 20)
    np.testing.assert_allclose(beta.sum(-1), 1.0, atol=1e-5)
    assert beta.min() >= 0.0
    # C/8 query/key channels, C/2 value channels, back to C.
    assert (layer.key_channels, layer.value_channels) == (2, 8)
    assert tuple(layer.out.kernel.shape) == (1, 1, 8, 16)


def test_attention_looks_at_similar_positions():
    # One query/key channel reading channel 0: the query at a position with a
    # large positive value attends most to the key with the largest value.
    x = np.zeros((1, 2, 2, 8), "float32")
    x[0, :, :, 0] = [[3.0, -3.0], [0.5, 1.0]]
    layer = SelfAttention(spectral_norm=False)
    layer(x)
    w = np.zeros((1, 1, 8, 1), "float32")
    w[..., 0, 0] = 1.0
    layer.query.kernel.assign(w)
    layer.key.kernel.assign(w)
    beta = keras.ops.convert_to_numpy(layer.attention_map(x))[0]
    assert beta[0].argmax() == 0 and beta[1].argmax() == 1


def test_spectral_norm_wraps_convs_and_config_round_trip():
    layer = SelfAttention(name="attn")
    layer(features())
    assert isinstance(layer.query, keras.layers.SpectralNormalization)
    clone = SelfAttention.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="key_ratio"):
        SelfAttention(key_ratio=0)
    with pytest.raises(ValueError, match="input_shape"):
        SelfAttention()(np.zeros((2, 8), "float32"))
