"""`compile(accumulation_steps=k)`: k micro-batches give the update of the
whole batch (the Pix2Pix-shaped toy: no random draws, no batch norm)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.engine.toy_families import paired_data, toy_pix2pix


def train_one_step(batch_size, accumulation_steps=None, n=8, optimizer=lambda: keras.optimizers.SGD(0.1)):
    model = toy_pix2pix(ema_decay=0.9)
    model.compile(d_optimizer=optimizer(), g_optimizer=optimizer(), accumulation_steps=accumulation_steps)
    source, target = paired_data(n=8)
    data = tf.data.Dataset.from_tensor_slices((source[:n], target[:n])).batch(batch_size)
    history = model.fit(data, epochs=1, steps_per_epoch=1, verbose=0)
    return model, history.history


def all_weights(model):
    return [np.array(w) for w in model.weights]


def test_accumulated_micro_batches_equal_one_big_batch():
    big, big_logs = train_one_step(8)
    acc, acc_logs = train_one_step(8, accumulation_steps=4)
    assert acc.accumulation_steps == 4 and acc.get_compile_config()["accumulation_steps"] == 4
    moved = max(np.abs(a - b).max() for a, b in zip(all_weights(big), all_weights(toy_pix2pix())))
    assert moved > 1e-3
    for a, b in zip(all_weights(big), all_weights(acc)):  # EMA copies included
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=0)
    for key in big_logs:
        assert acc_logs[key][0] == pytest.approx(big_logs[key][0], rel=1e-5)
    # A step on only the first micro-batch is a different update.
    half, _ = train_one_step(2, n=2)
    assert max(np.abs(a - b).max() for a, b in zip(all_weights(half), all_weights(big))) > 1e-4


def test_accumulation_with_adam_and_bad_values():
    big, _ = train_one_step(8, optimizer=lambda: keras.optimizers.Adam(1e-3))
    acc, _ = train_one_step(8, accumulation_steps=2, optimizer=lambda: keras.optimizers.Adam(1e-3))
    for a, b in zip(all_weights(big), all_weights(acc)):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=0)
    assert "accumulation_steps" not in big.get_compile_config()  # the default is not recorded
    with pytest.raises(ValueError, match="accumulation_steps"):
        toy_pix2pix().compile(accumulation_steps=0)
    model = toy_pix2pix()
    model.compile(accumulation_steps=3)
    source, target = paired_data(n=8)
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError), match="multiple of 3"):
        model.fit(tf.data.Dataset.from_tensor_slices((source, target)).batch(8), epochs=1, verbose=0)
