import numpy as np
import tensorflow as tf

from kerasgan import penalties


def linear_critic(weights):
    """f(x) = <x, w> per example: its input gradient is w everywhere."""
    w = tf.constant(weights, tf.float32)
    return lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3])[:, None]


def test_gradient_penalty_is_zero_for_unit_gradient_norm_everywhere():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(1, 4, 4, 3)).astype(np.float32)
    w /= np.linalg.norm(w)
    real = rng.normal(size=(8, 4, 4, 3)).astype(np.float32)
    fake = rng.normal(size=(8, 4, 4, 3)).astype(np.float32)
    gp = penalties.gradient_penalty(linear_critic(w), real, fake, seed=1)
    assert gp.shape == (8,)
    np.testing.assert_allclose(gp, 0.0, atol=1e-10)


def test_gradient_penalty_is_positive_otherwise():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(1, 4, 4, 3)).astype(np.float32)
    w *= 2.0 / np.linalg.norm(w)  # norm 2: penalty (2 - 1)^2 = 1
    real = rng.normal(size=(8, 4, 4, 3)).astype(np.float32)
    fake = rng.normal(size=(8, 4, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(penalties.gradient_penalty(linear_critic(w), real, fake, seed=1), 1.0, rtol=1e-5)
    w *= 0.25  # norm 0.5: penalty 0.25
    np.testing.assert_allclose(penalties.gradient_penalty(linear_critic(w), real, fake, seed=1), 0.25, rtol=1e-5)


def test_interpolation_is_uniform_and_per_example():
    # f(x) = 0.5 ||x||^2 has gradient x: at x_hat = alpha * ones + (1 - alpha) * 0,
    # the norm is alpha * sqrt(D), one alpha per example shared by all pixels.
    critic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])[:, None]
    n, shape = 512, (2, 2, 1)
    real, fake = np.ones((n,) + shape, np.float32), np.zeros((n,) + shape, np.float32)
    gp = penalties.gradient_penalty(critic, real, fake, seed=3, target=0.0).numpy()
    alpha = np.sqrt(gp) / np.sqrt(np.prod(shape))
    assert alpha.min() >= 0.0 and alpha.max() <= 1.0
    # Uniform(0, 1): mean 1/2, variance 1/12 (loose bounds for n = 512).
    assert abs(alpha.mean() - 0.5) < 0.05
    assert abs(alpha.var() - 1 / 12) < 0.02
    # Same seed, same draw; another seed, another draw.
    np.testing.assert_array_equal(gp, penalties.gradient_penalty(critic, real, fake, seed=3, target=0.0))
    assert not np.allclose(gp, penalties.gradient_penalty(critic, real, fake, seed=4, target=0.0))


def test_gradient_penalty_gradient_is_finite_at_zero_input_gradient():
    w = tf.Variable(tf.zeros((1, 2, 2, 1)))
    critic = lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3])[:, None]
    real = tf.ones((4, 2, 2, 1))
    with tf.GradientTape() as tape:
        gp = penalties.gradient_penalty(critic, real, tf.zeros_like(real), seed=0)
        total = tf.reduce_mean(gp)
    grad = tape.gradient(total, w)
    assert grad is not None
    np.testing.assert_allclose(gp, 1.0, atol=1e-5)
    assert np.all(np.isfinite(grad.numpy()))


def test_r1_penalty_is_squared_gradient_norm_on_reals():
    rng = np.random.default_rng(2)
    w = rng.normal(size=(1, 3, 3, 2)).astype(np.float32)
    real = rng.normal(size=(5, 3, 3, 2)).astype(np.float32)
    r1 = penalties.r1_penalty(linear_critic(w), real)
    np.testing.assert_allclose(r1, np.full(5, np.sum(w**2)), rtol=1e-5)
    # A critic with input gradient x: R1 = ||x||^2 per example.
    critic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])[:, None]
    np.testing.assert_allclose(
        penalties.r1_penalty(critic, real), np.sum(real**2, axis=(1, 2, 3)), rtol=1e-5
    )
