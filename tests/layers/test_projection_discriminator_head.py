import keras
import numpy as np
import pytest

from kerasgan.layers import ProjectionDiscriminatorHead


def test_logit_is_linear_plus_projection_and_changes_with_label():
    phi = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    head = ProjectionDiscriminatorHead(num_classes=3, spectral_norm=False)
    a = keras.ops.convert_to_numpy(head([phi, np.array([0, 0, 0, 0], "int32")]))
    b = keras.ops.convert_to_numpy(head([phi, np.array([1, 1, 1, 1], "int32")]))
    assert a.shape == (4, 1) and not np.allclose(a, b)
    w, bias = np.array(head.linear.kernel), np.array(head.linear.bias)
    embed = np.array(head.embedding.kernel)
    np.testing.assert_allclose(a, phi @ w + bias + (embed[0] * phi).sum(-1, keepdims=True), rtol=1e-5, atol=1e-5)
    # The difference between two labels is exactly the projection term's.
    np.testing.assert_allclose(b - a, ((embed[1] - embed[0]) * phi).sum(-1, keepdims=True), rtol=1e-4, atol=1e-5)


def test_unconditional_spectral_norm_and_config():
    phi = np.ones((2, 5), "float32")
    head = ProjectionDiscriminatorHead()
    assert keras.ops.convert_to_numpy(head(phi)).shape == (2, 1)
    assert isinstance(head.linear, keras.layers.SpectralNormalization)
    cond = ProjectionDiscriminatorHead(num_classes=2, name="h")
    labels = np.array([0, 1], "int32")
    cond([phi, labels])
    assert isinstance(cond.embedding, keras.layers.SpectralNormalization)
    # The class embedding gets a gradient (an SN-wrapped Embedding on int labels would not).
    import tensorflow as tf

    with tf.GradientTape() as tape:
        out = tf.reduce_sum(cond([phi, labels], training=True))
    grads = tape.gradient(out, cond.trainable_variables)
    assert all(g is not None for g in grads) and len(grads) == 3
    assert ProjectionDiscriminatorHead.from_config(cond.get_config()).get_config() == cond.get_config()
    with pytest.raises(ValueError, match="num_classes"):
        ProjectionDiscriminatorHead(num_classes=-1)
