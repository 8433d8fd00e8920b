import keras
import numpy as np
import pytest

from kerasgan.layers import MinibatchStdDev


def test_adds_exactly_one_feature_map_holding_group_stddev():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 4, 4, 6)).astype(np.float32)
    y = keras.ops.convert_to_numpy(MinibatchStdDev(group_size=4)(x))
    assert y.shape == (8, 4, 4, 7)
    np.testing.assert_array_equal(y[..., :6], x)
    # Sample i belongs to group i % 2 (groups of 4 samples, 2 groups).
    for group in range(2):
        members = x[group::2]
        expected = np.sqrt(members.var(axis=0) + 1e-8).mean()
        np.testing.assert_allclose(y[group::2, :, :, 6], expected, rtol=1e-5)


def test_identical_samples_give_near_zero_stddev_and_config_round_trip():
    x = np.tile(np.random.default_rng(1).normal(size=(1, 2, 2, 3)), (4, 1, 1, 1)).astype(np.float32)
    layer = MinibatchStdDev(group_size=2, num_features=1)
    y = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(y[..., 3], 1e-4, rtol=1e-3)  # sqrt(eps)
    clone = MinibatchStdDev.from_config(layer.get_config())
    assert clone.group_size == 2 and clone.num_features == 1


def test_bad_arguments():
    with pytest.raises(ValueError, match="group_size"):
        MinibatchStdDev(group_size=0)
    with pytest.raises(ValueError, match="divisible"):
        MinibatchStdDev(num_features=2)(np.zeros((4, 2, 2, 3), np.float32))
