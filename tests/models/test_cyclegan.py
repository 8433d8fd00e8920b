"""CycleGAN: the image pool (probability 0.5 once full, restored from a
checkpoint), cycle and identity terms for identity generators, linear decay,
translate directions."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.engine import StepContext, terms
from kerasgan.models import CycleGAN, ImagePool, LinearDecay, ReflectionPadding2D, ResNetGenerator


def _images(n, value_offset=0.0, shape=(4, 4, 1)):
    # Image i is filled with a value that identifies it.
    return (np.arange(n, dtype="float32")[:, None, None, None] / 1000.0 + value_offset) * np.ones((n,) + shape, "float32")


def test_image_pool_fills_then_returns_past_fakes_half_the_time():
    pool = ImagePool(10, (4, 4, 1))
    seed = keras.random.SeedGenerator(0)
    first = _images(10)
    np.testing.assert_array_equal(pool(first, seed=seed).numpy(), first)  # filling: passes through
    assert int(pool.count.numpy()) == 10
    stored = {round(float(v), 4) for v in pool.images.numpy()[:, 0, 0, 0]}
    assert stored == {round(float(v), 4) for v in first[:, 0, 0, 0]}
    past = total = 0
    for step in range(40):
        new = _images(5, value_offset=1.0 + step)
        out = pool(new, seed=seed).numpy()[:, 0, 0, 0]
        fresh = np.isclose(out, new[:, 0, 0, 0])
        past += int((~fresh).sum())
        total += len(out)
        # A returned past image is not the new one, and the new one took its slot.
        stored_now = pool.images.numpy()[:, 0, 0, 0]
        for value, new_value, was_fresh in zip(out, new[:, 0, 0, 0], fresh):
            if not was_fresh:
                assert np.any(np.isclose(stored_now, new_value))
    assert 0.4 < past / total < 0.6, past / total


def test_image_pool_never_returns_an_empty_slot_when_a_batch_fills_it():
    # 8 images into an empty pool of 4: the first 4 fill it; the others,
    # with probability 0.5 each, swap with a slot that now holds one of them.
    for seed in range(8):
        pool = ImagePool(4, (4, 4, 1))
        new = _images(8, value_offset=1.0)
        out = pool(new, seed=keras.random.SeedGenerator(seed)).numpy()[:, 0, 0, 0]
        assert np.all(np.isin(np.round(out, 4), np.round(new[:, 0, 0, 0], 4))), (seed, out)
        np.testing.assert_array_equal(out[:4], new[:4, 0, 0, 0])
        assert int(pool.count.numpy()) == 4


def test_image_pool_is_restored_from_a_checkpoint(tmp_path):
    gan = CycleGAN.from_preset("tiny")
    gan.pool_a(_images(3, 0.5, (16, 16, 1)), seed=gan.seed_generator)
    saved = gan.pool_a.images.numpy().copy()
    checkpoint = tf.train.Checkpoint(model=gan)
    path = checkpoint.save(str(tmp_path / "ckpt"))
    fresh = CycleGAN.from_preset("tiny")
    assert int(fresh.pool_a.count.numpy()) == 0
    tf.train.Checkpoint(model=fresh).restore(path).assert_existing_objects_matched()
    assert int(fresh.pool_a.count.numpy()) == 3
    np.testing.assert_array_equal(fresh.pool_a.images.numpy(), saved)
    # And the .keras file keeps it too.
    gan.save(tmp_path / "c.keras")
    loaded = keras.saving.load_model(tmp_path / "c.keras")
    np.testing.assert_array_equal(loaded.pool_a.images.numpy(), saved)


def test_pool_size_zero_passes_fakes_through_and_has_no_variables():
    pool = ImagePool(0, (4, 4, 1))
    x = _images(3)
    np.testing.assert_array_equal(pool(x).numpy(), x)
    assert not pool.weights
    with pytest.raises(ValueError, match="pool_size=-1"):
        ImagePool(-1, (4, 4, 1))


def test_cycle_and_identity_terms_are_zero_for_identity_generators():
    a, b = _images(3, 0.1, (8, 8, 1)), _images(3, -0.2, (8, 8, 1))
    identity = lambda x: x  # noqa: E731
    ctx = StepContext(None, "generator", {}, 3, a=a, b=b, cycled_a=identity(identity(a)),
                      cycled_b=identity(identity(b)), identity_a=identity(a), identity_b=identity(b))
    np.testing.assert_array_equal(terms.CycleConsistency().compute(ctx).numpy(), np.zeros(3))
    np.testing.assert_array_equal(terms.Identity().compute(ctx).numpy(), np.zeros(3))
    ctx["identity_a"] = a + 0.5
    np.testing.assert_allclose(terms.Identity().compute(ctx).numpy(), np.full(3, 0.5), atol=1e-6)


def test_cyclegan_terms_weights_and_linear_decay():
    gan = CycleGAN.from_preset("tiny")
    gan.compile(total_steps=100)
    weights = {t.name: t.weight for ts in gan.terms.values() for t in ts}
    assert weights == {"d_loss_a": 1.0, "d_loss_b": 1.0, "g_loss_a": 2.0, "g_loss_b": 2.0,
                       "cycle": 10.0, "identity": 5.0}
    lr = gan.g_optimizer._learning_rate
    assert isinstance(lr, LinearDecay)
    assert [float(lr(s)) for s in (0, 50, 75, 100, 150)] == pytest.approx([2e-4, 2e-4, 1e-4, 0.0, 0.0])
    gan.compile(identity_weight=0)
    assert "identity" not in {t.name for t in gan.terms["generator"]}
    with pytest.raises(ValueError, match="decay_start=10"):
        LinearDecay(1.0, 10, 10)


def test_translate_directions_and_reflection_padding():
    gan = CycleGAN.from_preset("tiny")
    x = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(gan.translate(x, "a2b").numpy(), gan.g_ab(x, training=False).numpy(), atol=1e-6)
    np.testing.assert_allclose(gan.translate(x, direction="b2a").numpy(), gan.g_ba(x, training=False).numpy(), atol=1e-6)
    np.testing.assert_array_equal(gan(x).numpy(), gan.translate(x).numpy())
    with pytest.raises(ValueError, match="direction='up'"):
        gan.translate(x, direction="up")
    padded = ReflectionPadding2D(2)(np.arange(16, dtype="float32").reshape(1, 4, 4, 1)).numpy()[0, :, :, 0]
    assert padded.shape == (8, 8) and padded[0, 0] == 10.0 and padded[2, 2] == 0.0  # mirrored, edge not repeated
    g = ResNetGenerator((32, 32, 3), base_filters=2)
    assert g.num_blocks == 6 and tuple(g.output.shape) == (None, 32, 32, 3)
    assert ResNetGenerator((256, 256, 3), base_filters=1).num_blocks == 9
