import math

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import losses

REAL = [2.0, -1.0, 0.5]
FAKE = [0.5, -3.0, 1.5]


def softplus(x):
    return math.log1p(math.exp(x))


def mean(values):
    return sum(values) / len(values)


# Expected values computed by hand from each paper's formula, element by element.
EXPECTED_D = {
    "minimax": mean([softplus(-r) for r in REAL]) + mean([softplus(f) for f in FAKE]),
    "non_saturating": mean([softplus(-r) for r in REAL]) + mean([softplus(f) for f in FAKE]),
    "wasserstein": mean(FAKE) - mean(REAL),
    "hinge": mean([max(0.0, 1 - r) for r in REAL]) + mean([max(0.0, 1 + f) for f in FAKE]),
    "least_squares": mean([0.5 * (r - 1) ** 2 for r in REAL]) + mean([0.5 * f**2 for f in FAKE]),
}
EXPECTED_G = {
    "minimax": mean([-softplus(f) for f in FAKE]),
    "non_saturating": mean([softplus(-f) for f in FAKE]),
    "wasserstein": -mean(FAKE),
    "hinge": -mean(FAKE),
    "least_squares": mean([0.5 * (f - 1) ** 2 for f in FAKE]),
}
NAMES = sorted(losses.LOSSES)


def as_rank(values, rank):
    x = np.asarray(values, np.float32)
    return x.reshape([-1] + [1] * (rank - 1))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rank", [1, 2, 4])
def test_hand_computed_values_at_any_rank(name, rank):
    d_loss, g_loss = losses.get(name)
    np.testing.assert_allclose(d_loss(as_rank(REAL, rank), as_rank(FAKE, rank)), EXPECTED_D[name], rtol=1e-6)
    np.testing.assert_allclose(g_loss(as_rank(FAKE, rank)), EXPECTED_G[name], rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_patch_maps_average_over_spatial_axes(name):
    d_loss, g_loss = losses.get(name)
    rng = np.random.default_rng(0)
    real = rng.normal(size=(3, 4, 4, 1)).astype(np.float32)
    fake = rng.normal(size=(3, 4, 4, 1)).astype(np.float32)
    per_example = d_loss(real, fake, reduction="none")
    assert per_example.shape == (3,)
    # The per-example value of a PatchGAN map is the loss of its flattened pixels.
    for i in range(3):
        np.testing.assert_allclose(
            per_example[i], d_loss(real[i].reshape(-1, 1), fake[i].reshape(-1, 1)), rtol=1e-5
        )
    np.testing.assert_allclose(tf.reduce_mean(per_example), d_loss(real, fake), rtol=1e-5)
    np.testing.assert_allclose(d_loss(real, fake, reduction="sum"), tf.reduce_sum(per_example), rtol=1e-5)
    assert g_loss(fake, reduction="none").shape == (3,)


@pytest.mark.parametrize("name", NAMES)
def test_float32_output_and_finite_gradients_for_extreme_logits(name):
    d_loss, g_loss = losses.get(name)
    real = tf.Variable(tf.constant([[80.0], [-80.0]], tf.float16))
    fake = tf.Variable(tf.constant([[-80.0], [80.0]], tf.float16))
    with tf.GradientTape() as tape:
        value = d_loss(real, fake) + g_loss(fake)
    assert value.dtype == tf.float32
    grads = tape.gradient(value, [real, fake])
    assert all(np.all(np.isfinite(g.numpy())) for g in grads)
    assert np.isfinite(value.numpy())


def test_targets_give_label_smoothing():
    real, fake = as_rank(REAL, 2), as_rank(FAKE, 2)
    smoothed = losses.non_saturating_discriminator_loss(real, fake, real_targets=[0.9, 0.9, 0.9])
    expected = mean([0.9 * softplus(-r) + 0.1 * softplus(r) for r in REAL]) + mean(
        [softplus(f) for f in FAKE]
    )
    np.testing.assert_allclose(smoothed, expected, rtol=1e-6)
    flipped = losses.least_squares_discriminator_loss(real, fake, fake_targets=[1.0, 0.0, 0.0])
    expected = mean([0.5 * (r - 1) ** 2 for r in REAL]) + mean(
        [0.5 * (FAKE[0] - 1) ** 2, 0.5 * FAKE[1] ** 2, 0.5 * FAKE[2] ** 2]
    )
    np.testing.assert_allclose(flipped, expected, rtol=1e-6)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="Unknown GAN loss.*Received: loss='nope'"):
        losses.get("nope")
    with pytest.raises(ValueError, match="reduction"):
        losses.hinge_generator_loss([1.0], reduction="avg")
    with pytest.raises(ValueError, match="fake_logits.*int32"):
        losses.hinge_generator_loss(tf.constant([1, 2]))
    with pytest.raises(ValueError, match="batch axis"):
        losses.hinge_generator_loss(1.0)
