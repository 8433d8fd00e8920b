"""kerasgan's fused BatchNormalization computes what Keras' layer computes."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.layers import BatchNormalization


def _pair(shape, **kwargs):
    """Keras' layer and kerasgan's with the same (non-trivial) weights."""
    reference = keras.layers.BatchNormalization(**kwargs)
    fused = BatchNormalization(**kwargs)
    reference.build(shape)
    fused.build(shape)
    rng = np.random.default_rng(1)
    weights = [w + rng.normal(0, 0.3, w.shape).astype(w.dtype) for w in reference.get_weights()]
    weights = [np.abs(w) if i == 3 else w for i, w in enumerate(weights)]  # a variance stays positive
    reference.set_weights(weights)
    fused.set_weights(weights)
    return reference, fused


def _outputs_and_gradients(layer, x, training):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=training)
        loss = tf.reduce_sum(tf.cast(y, tf.float32) ** 3)  # a non-linear loss: every term matters
    grads = tape.gradient(loss, [x] + layer.trainable_weights)
    return [y.numpy().astype(np.float32)] + [g.numpy().astype(np.float32) for g in grads]


@pytest.mark.parametrize("shape", [(8, 5, 5, 6), (16, 6), (4, 7, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_same_outputs_gradients_and_moving_statistics_as_keras(shape, training):
    x = np.random.default_rng(0).normal(2.0, 3.0, shape).astype("float32")
    reference, fused = _pair(shape, momentum=0.9)
    expected = _outputs_and_gradients(reference, x, training)
    got = _outputs_and_gradients(fused, x, training)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    for a, b in zip(fused.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    if training:  # the moving statistics moved (from their starting values)
        assert not np.allclose(fused.get_weights()[2], _pair(shape, momentum=0.9)[1].get_weights()[2])


def test_fused_kernel_is_the_one_that_runs():
    layer = BatchNormalization()
    x = tf.random.normal([4, 3, 3, 5])
    graph = tf.function(lambda x: layer(x, training=True)).get_concrete_function(x).graph
    ops = {op.type for op in graph.get_operations()}
    assert "FusedBatchNormV3" in ops and "SquaredDifference" not in ops


def test_bfloat16_matches_keras_under_mixed_precision():
    x = np.random.default_rng(2).normal(0.5, 2.0, (8, 4, 4, 6)).astype("float32")
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        reference, fused = _pair(x.shape)
        xb = tf.cast(x, tf.bfloat16)
        expected = _outputs_and_gradients(reference, xb, True)
        got = _outputs_and_gradients(fused, xb, True)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert fused.compute_dtype == "bfloat16"
    # bfloat16 keeps 8 bits of mantissa: results agree to its resolution.
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=3e-2, atol=3e-2 * np.abs(b).max())
    for a, b in zip(fused.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3)


def test_cases_without_a_fused_kernel_use_keras_computation():
    x = np.random.default_rng(3).normal(size=(4, 6, 5)).astype("float32")
    for kwargs in ({"axis": 1}, {"renorm": True}):
        reference, fused = _pair(x.shape, **kwargs)
        np.testing.assert_allclose(
            fused(x, training=True).numpy(), reference(x, training=True).numpy(), rtol=1e-6, atol=1e-6)
    mask = np.array([[True] * 4 + [False] * 2] * 4)
    reference, fused = _pair(x.shape)
    np.testing.assert_allclose(
        fused(x, training=True, mask=mask).numpy(), reference(x, training=True, mask=mask).numpy(),
        rtol=1e-6, atol=1e-6)


def test_same_under_xla():
    x = tf.random.stateless_normal([8, 4, 4, 6], seed=[1, 2])
    reference, fused = _pair(x.shape)
    step = tf.function(lambda x: fused(x, training=True), jit_compile=True)
    for _ in range(2):  # the moving statistics move the same way, step after step
        expected = reference(x, training=True).numpy()
        np.testing.assert_allclose(step(x).numpy(), expected, rtol=1e-4, atol=1e-4)
        for a, b in zip(fused.get_weights(), reference.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_saved_and_loaded_with_its_weights(tmp_path):
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, BatchNormalization(momentum=0.8, epsilon=1e-4, name="bn")(inputs))
    x = np.random.default_rng(4).normal(size=(6, 4, 4, 3)).astype("float32")
    model(x, training=True)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    layer = loaded.get_layer("bn")
    assert isinstance(layer, BatchNormalization) and layer.momentum == 0.8 and layer.epsilon == 1e-4
    np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())
    # The weights are Keras' own: a Keras layer takes them as they are.
    twin = keras.layers.BatchNormalization(momentum=0.8, epsilon=1e-4)
    twin.build(x.shape)
    twin.set_weights(layer.get_weights())
    np.testing.assert_allclose(twin(x).numpy(), loaded(x).numpy(), rtol=1e-5, atol=1e-5)
