import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.engine import ImageToImageTask, task_of
from tests.engine.toy_families import paired_data, toy_pix2pix


def test_pix2pix_shaped_model_trains_with_fit_and_logs_its_terms():
    gan = toy_pix2pix()
    assert isinstance(task_of(gan), ImageToImageTask)
    assert tuple(gan.discriminator.output.shape) == (None, 4, 4, 1)  # PatchGAN logits, rank 4
    gan.compile()
    assert [t.name for t in gan.terms["generator"]] == ["g_loss", "l1"] and gan.terms["generator"][1].weight == 100
    source, target = paired_data()
    g_before = [w.numpy() for w in gan.generator.weights]
    history = gan.fit(tf.data.Dataset.from_tensor_slices((source, target)).batch(8), epochs=3, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "l1"}
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert any(not np.array_equal(a, b.numpy()) for a, b in zip(g_before, gan.generator.weights))
    # The L1 term pulls the translation toward the target.
    assert history.history["l1"][-1] < history.history["l1"][0]


def test_translate_checks_its_input_and_matches_the_generator():
    gan = toy_pix2pix()
    source, _ = paired_data(n=5)
    out = gan.translate(source, batch_size=2)
    assert tuple(out.shape) == (5, 16, 16, 1) and out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), gan.generator(source, training=False).numpy(), atol=1e-6)
    with pytest.raises(ValueError, match=r"shape \(16, 16, 1\)"):
        gan.translate(np.zeros((2, 8, 8, 1), "float32"))
    with pytest.raises(ValueError, match="floating point"):
        gan.translate(np.zeros((2, 16, 16, 1), "uint8"))
    with pytest.raises(ValueError, match="must contain both"):
        gan.unpack_batch({"source": source})


def test_pix2pix_shaped_model_saves_and_loads_with_identical_outputs_and_optimizer_state(tmp_path):
    gan = toy_pix2pix(ema_decay=0.9)
    gan.compile(l1_weight=50.0)
    source, target = paired_data()
    gan.fit(tf.data.Dataset.from_tensor_slices({"source": source, "target": target}).batch(8), epochs=1, verbose=0)
    path = tmp_path / "p2p.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(gan.translate(source).numpy(), loaded.translate(source).numpy())
    assert loaded.terms["generator"][1].weight == 50.0
    assert int(loaded.d_optimizer.iterations) == int(gan.d_optimizer.iterations) == 2
    for a, b in zip(gan.g_optimizer.variables, loaded.g_optimizer.variables):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    loaded.fit(tf.data.Dataset.from_tensor_slices((source, target)).batch(8), epochs=1, verbose=0)
    assert int(loaded.d_optimizer.iterations) == 4


def test_translation_sample_grid_shows_input_output_and_target_rows():
    gan = toy_pix2pix()
    source, target = paired_data(n=4)
    images, columns = task_of(gan).sample_grid(gan, 3, seed=0, inputs=(source, target))
    assert columns == 3 and tuple(images.shape) == (9, 16, 16, 1)
    np.testing.assert_array_equal(images.numpy()[0], source[0])
    np.testing.assert_array_equal(images.numpy()[2], target[0])


def test_image_to_image_export_has_a_translate_signature_equal_to_translate(tmp_path):
    import json

    from kerasgan.export import export_saved_model

    gan = toy_pix2pix(ema_decay=0.9)
    gan.compile()
    source, target = paired_data(n=8)
    gan.fit(tf.data.Dataset.from_tensor_slices((source, target)).batch(8), epochs=1, verbose=0)
    version = export_saved_model(gan, tmp_path / "p2p", version=1, max_images=16, warmup=False)
    loaded = tf.saved_model.load(version)
    assert set(loaded.signatures) == {"translate", "serving_default"}
    out = loaded.signatures["translate"](images=tf.constant(source))
    np.testing.assert_allclose(out["images"].numpy(), gan.translate(source).numpy(), atol=1e-6)
    assert out["images_uint8"].dtype == tf.uint8
    meta = json.loads((tmp_path / "p2p" / "1" / "assets.extra" / "kerasgan.json").read_text())
    assert meta["task"] == "image_to_image" and meta["exported_generator"] == "ema_generator"
    assert meta["signatures"]["translate"] == ["images"]
    bad = source.copy()
    bad[0, 0, 0, 0] = np.nan
    for images, message in ((bad, "finite"), (source * 3, r"\[-1, 1\]"), (np.zeros((17, 16, 16, 1), "float32"), "at most 16")):
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            loaded.signatures["translate"](images=tf.constant(images))
