"""The image-to-image conformance suite, run by every family of the
registry whose task is `ImageToImageTask` (each family's `tiny` preset):
fit changes the weights of every network, every term is logged under its
name, the config round-trips, `.keras` save/load gives identical
translations and optimizer state, the exported `translate` signature equals
`translate`, and the sample grid shows input | output (| target)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import export, models
from kerasgan.engine import ImageToImageTask, task_of
from tests.models.model_checks import check_config_round_trip

TRANSLATION_FAMILIES = sorted(
    name for name, cls in models.FAMILIES.items() if isinstance(task_of(cls), ImageToImageTask)
)


def translation_batches(model, batch_size=4, num_batches=2, seed=0):
    """Batches with the task's keys: the second domain a fixed function of the first."""
    task = task_of(model)
    rng = np.random.default_rng(seed)
    n = batch_size * num_batches
    first = rng.uniform(-1, 1, (n,) + tuple(model.source_shape)).astype("float32")
    second = np.tanh(1.5 * first[:, ::-1] + 0.2).astype("float32")
    if tuple(model.image_shape) != tuple(model.source_shape):
        second = rng.uniform(-1, 1, (n,) + tuple(model.image_shape)).astype("float32")
    keys = task.batch_keys
    return tf.data.Dataset.from_tensor_slices({keys[0]: first, keys[1]: second}).batch(batch_size), first


def weights(model, role):
    return [np.array(w) for net in model.role_networks(role) for w in net.weights]


def test_there_are_translation_families():
    assert {"pix2pix", "cyclegan"} <= set(TRANSLATION_FAMILIES)


@pytest.mark.parametrize("name", TRANSLATION_FAMILIES)
def test_image_to_image_family_conformance(name, tmp_path):
    model = models.FAMILIES[name].from_preset("tiny")
    assert "tiny" in type(model).presets
    check_config_round_trip(model)
    model.compile()
    dataset, sources = translation_batches(model)
    before = {role: weights(model, role) for role in model.roles}
    history = model.fit(dataset, epochs=1, verbose=0)
    for role in model.roles:
        assert any(not np.array_equal(a, b) for a, b in zip(before[role], weights(model, role))), role
    logged = {t.name for ts in model.terms.values() for t in ts}
    assert logged and logged == set(history.history)
    assert all(np.isfinite(v).all() for v in history.history.values())

    out = model.translate(sources)
    assert out.dtype == tf.float32 and tuple(out.shape) == (len(sources),) + tuple(model.image_shape)
    assert float(tf.reduce_max(tf.abs(out))) <= 1.0
    np.testing.assert_array_equal(out.numpy(), model.translate(sources).numpy())  # deterministic

    batch = next(iter(dataset))
    images, columns = task_of(model).sample_grid(model, 3, seed=0, inputs=batch)
    assert columns == (3 if task_of(model).paired else 2)
    assert images.shape[0] == 3 * columns
    np.testing.assert_allclose(images[1::columns].numpy(), model.translate(sources[:3]).numpy(), atol=1e-6)

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(model.translate(sources).numpy(), loaded.translate(sources).numpy())
    assert int(loaded.d_optimizer.iterations) == int(model.d_optimizer.iterations)
    for a, b in zip(model.g_optimizer.variables, loaded.g_optimizer.variables):
        np.testing.assert_array_equal(np.array(a), np.array(b))

    version = export.export_saved_model(model, tmp_path / "export", version=1, warmup=False)
    served = tf.saved_model.load(str(version))
    assert {"translate", "serving_default"} <= set(served.signatures)
    result = served.signatures["translate"](images=tf.constant(sources))
    np.testing.assert_allclose(result["images"].numpy(), model.translate(sources).numpy(), atol=1e-5)
    assert result["images_uint8"].dtype == tf.uint8

    bad = np.zeros((2,) + tuple(model.source_shape[:-1]) + (model.source_shape[-1] + 1,), "float32")
    with pytest.raises(ValueError, match="have shape"):
        model.translate(bad)
    with pytest.raises(ValueError, match="Unknown preset"):
        type(model).from_preset("huge")
