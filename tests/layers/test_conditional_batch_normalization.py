import keras
import numpy as np
import pytest

from kerasgan.layers import ConditionalBatchNormalization, standing_statistics


def maps(seed=0, shape=(6, 3, 3, 4)):
    return np.random.default_rng(seed).normal(2.0, 3.0, size=shape).astype("float32")


def test_each_class_uses_its_own_gain_and_bias():
    x = maps()
    labels = np.array([0, 1, 2, 0, 1, 2], "int32")
    layer = ConditionalBatchNormalization(num_classes=3)
    layer([x, labels], training=True)
    rng = np.random.default_rng(1)
    gains, biases = rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=(3, 4)).astype("float32")
    layer.gain_embedding.assign(gains)
    layer.bias_embedding.assign(biases)
    y = keras.ops.convert_to_numpy(layer([x, labels], training=True))
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    normalized = (x - mean) / np.sqrt(var + 1e-5)
    expected = normalized * gains[labels][:, None, None, :] + biases[labels][:, None, None, :]
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)
    # Changing one example's label changes that example only.
    other = labels.copy()
    other[0] = 2
    y2 = keras.ops.convert_to_numpy(layer([x, other], training=True))
    assert not np.allclose(y2[0], y[0]) and np.allclose(y2[1:], y[1:], atol=1e-6)


def test_vector_condition_starts_as_plain_batch_norm_and_unconditional_mode():
    x = maps(2)
    cond = np.random.default_rng(3).normal(size=(6, 5)).astype("float32")
    layer = ConditionalBatchNormalization()
    y = keras.ops.convert_to_numpy(layer([x, cond], training=True))
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0.0, atol=1e-4)
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), 1.0, atol=1e-3)
    sn = ConditionalBatchNormalization(spectral_norm=True)
    sn([x, cond], training=True)
    assert isinstance(sn.gain_projection, keras.layers.SpectralNormalization)
    assert np.abs(np.array(sn.gain_projection.layer.kernel)).max() > 0  # orthogonal init, not zeros
    layer.gain_projection.kernel.assign(np.ones((5, 4), "float32"))
    y2 = keras.ops.convert_to_numpy(layer([x, cond], training=True))
    assert not np.allclose(y, y2)
    plain = ConditionalBatchNormalization()
    out = keras.ops.convert_to_numpy(plain(x, training=True))
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0.0, atol=1e-4)
    # Inference uses the moving statistics (momentum 0.99 from 0/1: near identity).
    np.testing.assert_allclose(keras.ops.convert_to_numpy(plain(x)), x / np.sqrt(1 + 1e-5), rtol=0.1, atol=0.1)


def test_standing_statistics_are_the_mean_of_batch_statistics():
    layer = ConditionalBatchNormalization()
    batches = [maps(s) for s in range(3)]
    layer(batches[0], training=True)
    with standing_statistics([layer]) as passes:
        for b in batches:
            layer(b, training=False)
            passes.step()
    expected_mean = np.mean([b.mean(axis=(0, 1, 2)) for b in batches], axis=0)
    expected_var = np.mean([b.var(axis=(0, 1, 2)) for b in batches], axis=0)
    np.testing.assert_allclose(np.array(layer.moving_mean), expected_mean, rtol=1e-5)
    np.testing.assert_allclose(np.array(layer.moving_variance), expected_var, rtol=1e-5)
    assert layer._standing is None


def test_config_and_bad_arguments():
    layer = ConditionalBatchNormalization(num_classes=4, momentum=0.9, name="cbn")
    assert ConditionalBatchNormalization.from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match="num_classes"):
        ConditionalBatchNormalization(num_classes=0)
    with pytest.raises(ValueError, match="momentum"):
        ConditionalBatchNormalization(momentum=1.0)
