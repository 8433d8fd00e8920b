import keras
import numpy as np
import pytest

from kerasgan.layers import spectral_norm
from kerasgan.layers.spectral_norm import wrapped_layer


def test_top_singular_value_is_one_after_power_iterations():
    keras.utils.set_random_seed(0)
    conv = keras.layers.Conv2D(8, 3, kernel_initializer=keras.initializers.RandomNormal(stddev=1.0), name="c")
    layer = spectral_norm(conv, power_iterations=1)
    x = np.random.default_rng(0).normal(size=(2, 6, 6, 4)).astype("float32")
    layer(x)
    before = np.linalg.svd(np.array(conv.kernel).reshape(-1, 8), compute_uv=False)[0]
    assert before > 3.0  # N(0, 1) kernel: far from 1
    for _ in range(20):  # each training call is one power iteration
        layer(x, training=True)
    sigma = np.linalg.svd(np.array(conv.kernel).reshape(-1, 8), compute_uv=False)[0]
    assert abs(sigma - 1.0) < 1e-2, sigma
    assert layer.name == "c_sn" and wrapped_layer(layer) is conv
    assert spectral_norm(conv, enabled=False) is conv


@pytest.mark.parametrize("policy_name", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_keeps_the_float32_master_kernel(policy_name):
    """Keras' own wrapper normalises a float16 copy of the kernel and writes
    it back, rounding the float32 master weights; kerasgan's does not."""
    import keras

    from kerasgan.layers import SpectralNormalization

    half = {"mixed_float16": np.float16, "mixed_bfloat16": None}[policy_name]
    x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    kernel = np.random.default_rng(1).normal(size=(6, 5)).astype("float32")
    try:
        keras.mixed_precision.set_global_policy(policy_name)
        ours = SpectralNormalization(keras.layers.Dense(5, use_bias=False), power_iterations=30)
        theirs = keras.layers.SpectralNormalization(keras.layers.Dense(5, use_bias=False), power_iterations=30)
        for layer in (ours, theirs):
            layer.build((None, 6))
            layer.kernel.assign(kernel)
            layer(x, training=True)
            assert layer.layer.compute_dtype == policy_name.split("_")[1]  # the layer still computes in half
    finally:
        keras.mixed_precision.set_global_policy("float32")
    expected = kernel / np.linalg.svd(kernel, compute_uv=False)[0]
    np.testing.assert_allclose(ours.kernel.numpy(), expected, rtol=1e-5, atol=1e-6)
    if half is not None:  # the behaviour this class exists to avoid
        rounded = theirs.kernel.numpy()
        np.testing.assert_array_equal(rounded, rounded.astype(half).astype("float32"))
        assert np.abs(rounded - expected).max() > 1e-5
    # Saved and loaded: still kerasgan's class, still without autocast.
    again = keras.layers.deserialize(keras.layers.serialize(ours))
    assert type(again) is SpectralNormalization and again.autocast is False
