"""One call checks what every GAN family must do (keras-hub style helpers)."""

import keras
import numpy as np
import tensorflow as tf


def tiny_dataset(image_shape, batch_size=8, num_batches=2, num_classes=None, seed=0):
    rng = np.random.default_rng(seed)
    n = batch_size * num_batches
    images = rng.uniform(-1, 1, size=(n,) + tuple(image_shape)).astype(np.float32)
    if num_classes is None:
        return tf.data.Dataset.from_tensor_slices(images).batch(batch_size)
    labels = rng.integers(0, num_classes, size=n).astype(np.int32)
    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(batch_size)


def weights_of(network):
    return [np.array(w) for w in network.weights]


def check_generate(model, image_shape):
    images = model.generate(5, seed=0)
    assert images.dtype == tf.float32
    assert tuple(images.shape) == (5,) + tuple(image_shape)
    values = images.numpy()
    assert values.min() >= -1.0 and values.max() <= 1.0
    np.testing.assert_array_equal(values, model.generate(5, seed=0).numpy())
    assert not np.allclose(values, model.generate(5, seed=1).numpy())
    # Unseeded draws come from the model's seed generator: they differ call to call.
    assert not np.allclose(model.generate(5).numpy(), model.generate(5).numpy())


def check_config_round_trip(model):
    config = model.get_config()
    clone = type(model).from_config(config)
    assert clone.get_config() == config
    assert [tuple(w.shape) for w in clone.weights] == [tuple(w.shape) for w in model.weights]


def check_fit_changes_weights(model, dataset, steps=2):
    g_before = weights_of(model.generator)
    d_before = weights_of(model.discriminator)
    history = model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    for key, values in history.history.items():
        assert np.all(np.isfinite(values)), f"{key} is not finite: {values}"
    assert {"d_loss", "g_loss"} <= set(history.history)
    assert any(not np.array_equal(a, b) for a, b in zip(g_before, weights_of(model.generator)))
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, weights_of(model.discriminator)))
    return history


def check_save_load(model, path):
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(model.generate(4, seed=3).numpy(), loaded.generate(4, seed=3).numpy())
    # Compile state and optimizer moments come back: training can resume.
    assert int(loaded.d_optimizer.iterations) == int(model.d_optimizer.iterations)
    for a, b in zip(model.g_optimizer.variables, loaded.g_optimizer.variables):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    return loaded


def run_family_checks(model_fn, image_shape, tmp_path, num_classes=None):
    """Config round trip, fit, generate determinism, `.keras` save/load."""
    model = model_fn()
    check_config_round_trip(model)
    model.compile()
    check_fit_changes_weights(model, tiny_dataset(image_shape, num_classes=num_classes))
    check_generate(model, image_shape)
    loaded = check_save_load(model, str(tmp_path / "model.keras"))
    # The loaded model trains on.
    check_fit_changes_weights(loaded, tiny_dataset(image_shape, num_classes=num_classes), steps=1)
    return model
