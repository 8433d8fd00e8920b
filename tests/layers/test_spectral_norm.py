import keras
import numpy as np

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
