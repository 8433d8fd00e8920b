"""`fit` runs datasets without tf.data's autotune model (issue 17, item 1).

With the model on, deleting the iterator when `fit` returns waited for the
model thread's next optimisation tick, so `fit` returned seconds late. These
tests check that the option is applied (and an explicit user setting kept) and
that training is unchanged by it; the speed itself is measured by
benchmarks/fit_overhead.py, not here.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kerasgan
from kerasgan.data.loaders import without_autotune_model
from kerasgan.models import DCGAN


def _with_autotune(ds, enabled):
    options = tf.data.Options()
    options.autotune.enabled = enabled
    return ds.with_options(options)


def _images(n=8, size=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 1)).astype("float32")


def test_without_autotune_model_turns_an_unset_option_off():
    ds = tf.data.Dataset.from_tensors(_images()).repeat()
    assert ds.options().autotune.enabled is None
    fixed = without_autotune_model(ds)
    assert fixed.options().autotune.enabled is False
    assert fixed.element_spec == ds.element_spec


@pytest.mark.parametrize("enabled", [True, False])
def test_without_autotune_model_keeps_an_explicit_setting(enabled):
    ds = _with_autotune(tf.data.Dataset.range(3), enabled)
    assert without_autotune_model(ds) is ds


def test_without_autotune_model_leaves_other_inputs_alone():
    arrays = (_images(), _images())
    assert without_autotune_model(arrays) is arrays
    assert without_autotune_model(None) is None


def test_loader_output_has_autotune_off_and_fit_keeps_it():
    ds = kerasgan.data.load(_images(64), 16, batch_size=8, seed=0)
    assert ds.options().autotune.enabled is False
    assert without_autotune_model(ds) is ds
    # A user's transformation of the loader's dataset keeps its options.
    assert ds.map(lambda x: x * 1.0).options().autotune.enabled is False


def test_fit_passes_datasets_on_without_autotune(monkeypatch):
    received = {}

    def fake_fit(self, x=None, *args, **kwargs):
        received.update(x=x, args=args, kwargs=kwargs)

    monkeypatch.setattr(keras.Model, "fit", fake_fit)
    model = DCGAN((16, 16, 1), latent_dim=8, generator_filters=4, discriminator_filters=4, seed=0)
    train = tf.data.Dataset.from_tensors(_images()).repeat()
    validation = tf.data.Dataset.from_tensors(_images())
    model.fit(train, steps_per_epoch=2, validation_data=validation)
    assert received["x"].options().autotune.enabled is False
    assert received["kwargs"]["validation_data"].options().autotune.enabled is False
    assert received["kwargs"]["shuffle"] is False
    assert received["kwargs"]["steps_per_epoch"] == 2

    # A user who turns the autotune model on explicitly keeps it.
    model.fit(_with_autotune(train, True), steps_per_epoch=2)
    assert received["x"].options().autotune.enabled is True

    # Arrays are passed on untouched.
    images = _images()
    model.fit(images, batch_size=4, validation_data=(images,))
    assert received["x"] is images
    assert received["kwargs"]["validation_data"] == (images,)


def _trained_weights(make_dataset):
    keras.utils.set_random_seed(0)  # before the pipeline: its shuffle seed uses it
    dataset = make_dataset()
    model = DCGAN((16, 16, 1), latent_dim=8, generator_filters=4, discriminator_filters=4, seed=0)
    model.compile()
    initial = [np.array(w) for w in model.weights]
    history = model.fit(dataset, steps_per_epoch=3, epochs=2, verbose=0)
    return initial, [np.array(w) for w in model.weights], history.history


def _user_pipeline():
    """A user's own pipeline (no options set): shuffled, mapped in parallel."""
    ds = tf.data.Dataset.from_tensor_slices(_images(64)).shuffle(64, seed=0)
    ds = ds.map(lambda x: tf.image.flip_left_right(x), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.repeat().batch(8, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def test_training_is_unchanged_by_the_option():
    initial, fixed_weights, fixed_history = _trained_weights(_user_pipeline)
    _, autotuned_weights, autotuned_history = _trained_weights(
        lambda: _with_autotune(_user_pipeline(), True))
    assert fixed_history == autotuned_history
    assert len(fixed_weights) == len(autotuned_weights) > 0
    for a, b in zip(fixed_weights, autotuned_weights):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(initial, fixed_weights))  # it trained
