import keras
import numpy as np
import pytest

from kerasgan.layers.pixel_norm import PixelNorm


def test_unit_mean_square_per_pixel():
    x = np.random.default_rng(0).normal(3.0, 5.0, size=(2, 4, 4, 16)).astype(np.float32)
    y = keras.ops.convert_to_numpy(PixelNorm()(x))
    np.testing.assert_allclose(np.mean(y**2, axis=-1), 1.0, atol=1e-5)
    # Only a per-pixel rescaling: directions are kept.
    ratio = y / x
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[..., :1], ratio.shape), rtol=1e-5)


def test_latent_vectors_zero_input_and_dtype():
    z = np.random.default_rng(1).normal(size=(5, 32)).astype(np.float32)
    y = keras.ops.convert_to_numpy(PixelNorm()(z))
    np.testing.assert_allclose(np.mean(y**2, axis=-1), 1.0, atol=1e-5)
    assert np.all(keras.ops.convert_to_numpy(PixelNorm()(np.zeros((1, 3), np.float32))) == 0.0)
    half = PixelNorm(dtype="float16")(z.astype(np.float16))
    assert keras.backend.standardize_dtype(half.dtype) == "float16"


def test_config_round_trip_and_bad_epsilon():
    layer = PixelNorm(epsilon=1e-6, axis=1, name="pn")
    clone = PixelNorm.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.epsilon == 1e-6 and clone.axis == 1
    with pytest.raises(ValueError, match="epsilon"):
        PixelNorm(epsilon=-1.0)
