"""The image-to-image conformance suite, run by every family of the
registry whose task is `ImageToImageTask` (each family's `tiny` preset):
fit changes the weights of every network, every term is logged under its
name, the config round-trips, `.keras` save/load gives identical
translations and optimizer state, the exported `translate` signature equals
`translate`, and the sample grid shows input | output (| target). Multi-domain
families (`DomainTranslationTask`, StarGAN) get `{"image", "domain"}` batches,
translate into given target domains (also in the exported signature, which
takes `domain`), and their grid shows input | one output per domain."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import export, models
from kerasgan.engine import DomainTranslationTask, ImageToImageTask, task_of
from kerasgan.engine.image_to_image import TwoDomainTranslation
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
    if isinstance(task, DomainTranslationTask):  # the second key is each image's domain
        second = rng.integers(0, model.num_domains, n).astype("int32")
    keys = task.batch_keys
    return tf.data.Dataset.from_tensor_slices({keys[0]: first, keys[1]: second}).batch(batch_size), first


def translate_kwargs(model, n):
    """What `translate` needs besides the images: multi-domain families a
    target domain per image (0, 1, ... cycled); others nothing."""
    if isinstance(task_of(model), DomainTranslationTask):
        return {"target": (np.arange(n) % model.num_domains).astype("int32")}
    return {}


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
    # At least one generator update: n_critic critic steps (StarGAN: 5).
    history = model.fit(dataset.repeat(), epochs=1, steps_per_epoch=max(2, model.n_critic), verbose=0)
    for role in model.roles:
        assert any(not np.array_equal(a, b) for a, b in zip(before[role], weights(model, role))), role
    logged = {t.name for ts in model.terms.values() for t in ts}
    assert logged and logged == set(history.history)
    assert all(np.isfinite(v).all() for v in history.history.values())

    kwargs = translate_kwargs(model, len(sources))
    out = model.translate(sources, **kwargs)
    assert out.dtype == tf.float32 and tuple(out.shape) == (len(sources),) + tuple(model.image_shape)
    assert float(tf.reduce_max(tf.abs(out))) <= 1.0
    np.testing.assert_array_equal(out.numpy(), model.translate(sources, **kwargs).numpy())  # deterministic

    batch = next(iter(dataset))
    images, columns = task_of(model).sample_grid(model, 3, seed=0, inputs=batch)
    multi_domain = isinstance(task_of(model), DomainTranslationTask)
    assert columns == (1 + model.num_domains if multi_domain else 3 if task_of(model).paired else 2)
    assert images.shape[0] == 3 * columns
    first = {"target": 0} if multi_domain else {}  # the first output column: domain 0
    np.testing.assert_allclose(images[1::columns].numpy(), model.translate(sources[:3], **first).numpy(), atol=1e-6)

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(model.translate(sources, **kwargs).numpy(), loaded.translate(sources, **kwargs).numpy())
    assert int(loaded.d_optimizer.iterations) == int(model.d_optimizer.iterations)
    for a, b in zip(model.g_optimizer.variables, loaded.g_optimizer.variables):
        np.testing.assert_array_equal(np.array(a), np.array(b))

    version = export.export_saved_model(model, tmp_path / "export", version=1, warmup=False)
    served = tf.saved_model.load(str(version))
    assert {"translate", "serving_default"} <= set(served.signatures)
    served_inputs = {"domain": tf.constant(kwargs["target"])} if multi_domain else {}
    result = served.signatures["translate"](images=tf.constant(sources), **served_inputs)
    np.testing.assert_allclose(result["images"].numpy(), model.translate(sources, **kwargs).numpy(), atol=1e-5)
    assert result["images_uint8"].dtype == tf.uint8
    if isinstance(model, TwoDomainTranslation):
        # Both directions are served: translate_a2b is translate, translate_b2a the second generator.
        for direction in ("a2b", "b2a"):
            out = served.signatures[f"translate_{direction}"](images=tf.constant(sources))["images"].numpy()
            np.testing.assert_allclose(out, model.translate(sources, direction=direction).numpy(), atol=1e-5)
        assert not np.allclose(model.translate(sources, direction="a2b").numpy(),
                               model.translate(sources, direction="b2a").numpy(), atol=1e-3)
    else:
        assert not any(name.startswith("translate_") for name in served.signatures)

    bad = np.zeros((2,) + tuple(model.source_shape[:-1]) + (model.source_shape[-1] + 1,), "float32")
    with pytest.raises(ValueError, match="have shape"):
        model.translate(bad, **translate_kwargs(model, 2))
    with pytest.raises(ValueError, match="Unknown preset"):
        type(model).from_preset("huge")
