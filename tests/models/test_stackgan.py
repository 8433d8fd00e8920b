"""StackGAN (kerasgan/models/stackgan): KL term, conditioning augmentation,
mismatched captions, the text encoder's round trips, the stage-wise schedule
(Stage II leaves Stage I unchanged), generate, save/load, export, CLI."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan import cli
from kerasgan.callbacks import train_phases
from kerasgan.engine import terms
from kerasgan.export import export_saved_model
from kerasgan.models import StackGAN
from kerasgan.models.stackgan import (
    STAGE_NETWORKS,
    ConditioningAugmentation,
    TextEncoder,
    build_vocabulary,
    mismatch_indices,
)

TEXTS = ["red apple", "green apple", "grinning face", "blue heart", "red heart", "cat face", "dog face", "red flag"]


def _dataset(image_size=16, n=16, batch_size=8):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (n, image_size, image_size, 3)).astype("float32")
    texts = [TEXTS[i % len(TEXTS)] for i in range(n)]
    return tf.data.Dataset.from_tensor_slices({"image": images, "text": texts}).batch(batch_size)


def _weights(network):
    return [np.array(w) for w in network.weights]


def _changed(before, network):
    return any(not np.array_equal(a, np.array(b)) for a, b in zip(before, network.weights))


# --------------------------------------------------------------- pieces
def test_kl_term_is_zero_at_the_standard_normal_and_matches_the_closed_form():
    kl = terms.KL()
    zeros = tf.zeros([3, 4])
    np.testing.assert_allclose(kl.compute({"mu": zeros, "log_sigma": zeros}), np.zeros(3), atol=0)
    mu = np.array([[1.0, -2.0], [0.0, 0.5]], "float32")
    log_sigma = np.array([[0.5, 0.0], [-1.0, 0.25]], "float32")
    sigma = np.exp(log_sigma)
    # KL(N(mu, sigma^2) || N(0, 1)) = log(1 / sigma) + (sigma^2 + mu^2) / 2 - 1/2, summed over dimensions.
    expected = np.sum(np.log(1.0 / sigma) + (sigma**2 + mu**2) / 2.0 - 0.5, axis=1)
    np.testing.assert_allclose(kl.compute({"mu": mu, "log_sigma": log_sigma}), expected, rtol=1e-6)


def test_conditioning_augmentation_draws_c_by_reparameterisation():
    layer = ConditioningAugmentation(3)
    embedding = tf.constant(np.random.default_rng(0).normal(size=(4, 5)), tf.float32)
    eps = tf.constant(np.random.default_rng(1).normal(size=(4, 3)), tf.float32)
    c, mu, log_sigma = layer([embedding, eps])
    np.testing.assert_allclose(c, mu + np.exp(log_sigma) * eps, rtol=1e-6)
    c0, mu0, _ = layer([embedding, tf.zeros([4, 3])])
    np.testing.assert_allclose(c0, mu0)
    assert not np.allclose(mu, 0) and not np.allclose(log_sigma, 0)


def test_mismatched_captions_come_from_other_examples():
    texts = np.array(TEXTS[:5])
    for offset in range(1, 5):
        rows = mismatch_indices(5, offset).numpy()
        assert sorted(rows) == list(range(5))  # a permutation: every caption used once
        assert all(texts[rows[i]] != texts[i] for i in range(5))
    model = StackGAN.from_preset("tiny")
    offsets = set()
    for _ in range(40):
        rows = model.draw_mismatch(tf.constant(5)).numpy()
        assert not np.any(rows == np.arange(5))
        offsets.add(int((rows[0] - 0) % 5))
    assert offsets == {1, 2, 3, 4}  # every non-zero roll is drawn
    # Two rows sharing a caption are the only way to be paired with the same text.
    shared = np.array(["a", "a", "b"])
    assert [shared[r] for r in mismatch_indices(3, 1).numpy()] == ["a", "b", "a"]


def test_text_encoder_round_trips_through_keras_and_the_saved_model(tmp_path):
    vocabulary = build_vocabulary(TEXTS + ["Grinning, FACE!"])
    assert vocabulary[:2] == ["face", "red"] and "grinning" in vocabulary and "Grinning," not in vocabulary
    encoder = TextEncoder(vocabulary, sequence_length=4, embedding_dim=6, text_dim=5, name="text_encoder")
    queries = tf.constant(["red apple", "Red  APPLE!", "unknown words here", "", "cat face dog face red"])
    out = encoder(queries).numpy()
    assert out.shape == (5, 5) and np.all(np.isfinite(out))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-6)  # standardised: case and punctuation
    assert not np.allclose(out[0], out[2])
    encoder.save(tmp_path / "text.keras")
    loaded = keras.saving.load_model(tmp_path / "text.keras")
    assert loaded.vocabulary == vocabulary
    np.testing.assert_array_equal(loaded(queries).numpy(), out)
    archive = keras.export.ExportArchive()
    archive.track(loaded)
    archive.add_endpoint("encode", lambda texts: loaded(texts), [tf.TensorSpec([None], tf.string, name="texts")])
    archive.write_out(str(tmp_path / "text_saved_model"))
    served = tf.saved_model.load(str(tmp_path / "text_saved_model"))
    np.testing.assert_array_equal(served.encode(queries).numpy(), out)
    with pytest.raises(ValueError, match="vocabulary"):
        TextEncoder([])
    with pytest.raises(ValueError, match="distinct"):
        TextEncoder(["red", "red"])


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="2 or 4 times"):
        StackGAN.from_preset("tiny", image_size=64, stage1_size=8)
    with pytest.raises(ValueError, match="stage"):
        StackGAN.from_preset("tiny", stage=3)
    model = StackGAN.from_preset("tiny")
    with pytest.raises(ValueError, match="captions"):
        model.generate(4)
    with pytest.raises(ValueError, match="stage"):
        model.generate(["red apple"], stage=0)
    with pytest.raises(ValueError, match="noise"):
        model.generate(["red apple"], noise=np.zeros((1, 3), "float32"))
    with pytest.raises(ValueError, match="strings"):
        model.unpack_batch({"image": np.zeros((2, 16, 16, 3), "float32"), "text": np.zeros(2, "int32")})
    with pytest.raises(ValueError, match="have shape"):
        model.unpack_batch({"image": np.zeros((2, 12, 12, 3), "float32"), "text": ["a", "b"]})
    with pytest.raises(ValueError, match="both"):
        model.unpack_batch({"image": np.zeros((2, 16, 16, 3), "float32")})
    with pytest.raises(ValueError, match="mismatch_weight"):
        model.compile(mismatch_weight=1.0)


# ------------------------------------------------- the two-stage schedule
@pytest.fixture(scope="module")
def trained():
    """The tiny preset through Stage I then Stage II (one step each), with
    weight snapshots before, between and after."""
    keras.utils.clear_session(free_memory=False)
    keras.utils.set_random_seed(0)  # the initial weights
    model = StackGAN.from_preset("tiny")
    assert model.stage == 1 and not model.stage2_generator.trainable
    snapshots = {"start": {name: _weights(model.get_network(name)) for name in model.network_names}}

    class Snapshot(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            snapshots[f"after{model.stage}"] = {name: _weights(model.get_network(name)) for name in model.network_names}

    # Eager steps: tracing the two stages' steps would take most of this
    # module's time (the traced path runs in the 2-replica check and the smoke run).
    eager = {"run_eagerly": True}
    phases = model.stage_phases(stage1_epochs=1, stage2_epochs=1, steps_per_epoch=2, stage1_compile=eager,
                                stage2_compile=eager)
    histories = train_phases(model, phases, data=_dataset().repeat(), callbacks=[Snapshot()])
    return model, snapshots, histories


def test_switching_stages_drops_the_traced_step():
    model = StackGAN.from_preset("tiny")
    model.compile()
    model.make_train_function()
    assert model.train_function is not None
    model.set_stage(2)  # `forward` branches on the stage in Python: a stale traced step would train Stage I
    assert model.train_function is None and model.compiled and model.stage == 2
    assert {id(v) for v in model.role_variables("discriminator")} == {
        id(v) for v in model.stage2_discriminator.trainable_variables}
    assert {id(v) for v in model.role_variables("generator")} == {
        id(v) for v in model.stage2_generator.trainable_variables}


def test_stage_two_leaves_stage_one_unchanged(trained):
    model, snapshots, histories = trained
    assert [h.history["phase"] for h in histories] == [["stage1"], ["stage2"]]
    for history in histories:
        assert {"d_loss", "d_mismatch", "g_loss", "kl"} <= set(history.history)
        assert all(np.all(np.isfinite(v)) for k, v in history.history.items() if k != "phase")
    start, after1, after2 = snapshots["start"], snapshots["after1"], snapshots["after2"]
    for name in STAGE_NETWORKS[1]:  # trained in Stage I, then frozen (batch-norm statistics too)
        assert any(not np.array_equal(a, b) for a, b in zip(start[name], after1[name])), name
        for a, b in zip(after1[name], after2[name]):
            np.testing.assert_array_equal(a, b, err_msg=name)
    for name in STAGE_NETWORKS[2]:  # untouched in Stage I, trained in Stage II
        for a, b in zip(start[name], after1[name]):
            np.testing.assert_array_equal(a, b, err_msg=name)
        assert any(not np.array_equal(a, b) for a, b in zip(after1[name], after2[name])), name
    assert model.stage == 2 and not model.stage1_generator.trainable and not model.text_encoder.trainable
    assert int(model.d_optimizer.iterations) == 2  # Stage II's own optimizers


def test_generate_is_deterministic_per_seed_and_follows_the_text(trained):
    model, _, _ = trained
    images = model.generate(["red apple", "blue heart"], n_per_text=3, seed=0).numpy()
    assert images.shape == (6, 16, 16, 3) and images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(images, model.generate(["red apple", "blue heart"], n_per_text=3, seed=0))
    assert not np.allclose(images, model.generate(["red apple", "blue heart"], n_per_text=3, seed=1))
    # Same seed, same noise: only the caption differs. (Differences are a few
    # per mille of the pixel scale here: untrained, the condition is mostly
    # the augmentation's noise; float rounding would be ~1e-7.)
    captions = ["red apple", "blue heart", "grinning face", "dog"]
    for stage in (1, 2):
        per_caption = [model.generate([c], seed=5, stage=stage).numpy() for c in captions]
        scale = max(np.abs(p).max() for p in per_caption)
        gaps = [np.abs(a - b).max() / scale for i, a in enumerate(per_caption) for b in per_caption[i + 1:]]
        assert (min(gaps) if stage == 1 else max(gaps)) > 1e-4, (stage, gaps)
    coarse = model.generate(["red apple"], seed=5, stage=1).numpy()
    assert coarse.shape == (1, 8, 8, 3)
    apple = model.generate(["red apple"], seed=5).numpy()
    # Stage II refines the Stage-I image of the same noise: generate's noise layout.
    noise = keras.random.normal((1, model.noise_dim), seed=5)
    np.testing.assert_array_equal(apple, model.generate(["red apple"], noise=noise))


def test_save_load_and_export_round_trip(trained, tmp_path):
    model, _, _ = trained
    config = model.get_config()
    assert type(model).from_config(config).get_config() == config
    path = tmp_path / "stackgan.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.stage == 2 and not loaded.stage1_generator.trainable and loaded.stage2_generator.trainable
    np.testing.assert_array_equal(loaded.generate(["red apple", "cat"], n_per_text=2, seed=3),
                                  model.generate(["red apple", "cat"], n_per_text=2, seed=3))
    assert int(loaded.d_optimizer.iterations) == int(model.d_optimizer.iterations)
    for a, b in zip(model.g_optimizer.variables, loaded.g_optimizer.variables):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    version = export_saved_model(loaded, tmp_path / "export", version=1, warmup=False)
    served = tf.saved_model.load(version)
    texts = ["red apple", "grinning face", "a word never seen"]
    out = served.signatures["serving_default"](texts=tf.constant(texts), seed=tf.constant(7, tf.int64))
    np.testing.assert_allclose(out["images"].numpy(), model.generate(texts, seed=7).numpy(), atol=1e-6)
    again = served.signatures["generate_from_noise"](texts=tf.constant(texts), noise=out["noise"])
    np.testing.assert_allclose(again["images"].numpy(), out["images"].numpy(), atol=1e-6)
    assert out["images_uint8"].dtype == tf.uint8
    # The CLI draws one row per caption.
    grid = tmp_path / "grid.png"
    assert cli.main(["sample", str(path), "--text", "red apple", "--text", "cat face", "-n", "3",
                     "--out", str(grid)]) == 0
    with Image.open(grid) as picture:
        assert picture.size == (3 * 16 + 4 * 2, 2 * 16 + 3 * 2)
    with pytest.raises(SystemExit, match="--text"):
        cli.main(["sample", str(path), "--out", str(grid)])


@pytest.mark.slow  # two processes' worth of traced StackGAN steps on 2 logical CPUs
def test_stage_schedule_on_two_replicas_equals_one_device(tmp_path):
    from tests.conftest import REPO_ROOT
    from tests.replica_checks import run_worker_script

    result = run_worker_script(REPO_ROOT / "tests" / "models" / "stackgan_worker.py", tmp_path, timeout=600)
    assert result["replicas"] == 2 and result["stages"] == [2, 2]
    for name in ("text_encoder", "stage1_generator", "stage1_discriminator", "stage2_generator",
                 "stage2_discriminator"):
        # (The text encoder moves least: ~1e-5 in 2 SGD steps; weights agree to ~1e-8.)
        assert result["moved"][name] > 1e-6, f"{name} did not train: {result['moved']}"
    assert result["max_abs_diff"] < 1e-5, result
    for key, (ref, dist) in result["logs"].items():
        assert dist == pytest.approx(ref, rel=1e-4, abs=1e-5), key
