"""SRGAN: the content term, upscale (any size, constant in -> constant out),
the two training phases, the recorded feature network, save/load, the
exported `upscale` signature and `kerasgan upscale`."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import export
from kerasgan.engine import StepContext, SuperResolutionTask, task_of, terms
from kerasgan.models import SRGAN, SRResNetGenerator
from kerasgan.models.srgan import content_network as content_lib
from tests.models.model_checks import check_config_round_trip


def _pairs(model, n=8, seed=0):
    rng = np.random.default_rng(seed)
    high = np.tanh(rng.normal(size=(n,) + tuple(model.image_shape))).astype("float32")
    low = np.clip(tf.image.resize(high, model.source_shape[:2], "bicubic", antialias=True).numpy(), -1, 1)
    return low, high


def _dataset(model, n=8, batch_size=4):
    low, high = _pairs(model, n)
    return tf.data.Dataset.from_tensor_slices({"source": low, "target": high}).batch(batch_size)


def _values(network):
    return [np.array(w) for w in network.weights]


@pytest.fixture(scope="module")
def trained():
    """The tiny preset after 1 SRResNet step, then 1 SRGAN step (what each
    phase changed). Eager steps (the same `train_step`): tracing the SRGAN
    step takes 5-20 s on this 2-core machine; the image-to-image conformance
    suite and the 2-replica check train SRGAN in graph mode."""
    model = SRGAN.from_preset("tiny")
    record = {"d0": _values(model.discriminator), "g0": _values(model.generator)}
    model.compile(phase="srresnet", run_eagerly=True)
    record["pretrain_logs"] = model.fit(_dataset(model, n=4), epochs=1, verbose=0).history
    record["pretrain_terms"] = {role: [t.name for t in ts] for role, ts in model.terms.items()}
    record["d1"], record["g1"] = _values(model.discriminator), _values(model.generator)
    record["d_iterations_after_pretrain"] = int(model.d_optimizer.iterations)
    model.compile(run_eagerly=True)
    record["terms"] = {role: {t.name: t.weight for t in ts} for role, ts in model.terms.items()}
    record["logs"] = model.fit(_dataset(model, n=4), epochs=1, verbose=0).history
    record["d2"] = _values(model.discriminator)
    return model, record


def test_tiny_preset_and_task():
    model = SRGAN.from_preset("tiny")
    assert isinstance(task_of(model), SuperResolutionTask)
    assert model.image_shape == (16, 16, 1) and model.source_shape == (4, 4, 1) and model.scale == 4
    assert model.generator.input_shape == (None, None, None, 1)
    check_config_round_trip(model)
    low, high = _pairs(model, 2)
    batch = task_of(model).unpack_batch(model, (low, high))  # tuples as well as dicts
    assert set(batch) == {"source", "target"} and batch["source"].shape == (2, 4, 4, 1)
    with pytest.raises(ValueError, match="have shape"):
        task_of(model).unpack_batch(model, (high, high))
    ema = SRGAN.from_preset("tiny", ema_decay=0.9)
    assert ema.sampling_network("generator") is ema.ema_generator
    with pytest.raises(ValueError, match="multiples of scale=4"):
        SRGAN(image_shape=(18, 18, 1), content_network="none")
    with pytest.raises(ValueError, match="content_network"):
        SRGAN(image_shape=(16, 16, 1), content_network="resnet")


def test_content_term_is_zero_for_identical_images():
    model = SRGAN.from_preset("tiny")
    term = terms.Content(network="content_network")
    x = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 1)).astype("float32")
    y = np.random.default_rng(1).uniform(-1, 1, (3, 16, 16, 1)).astype("float32")
    same = term.compute(StepContext(model, "generator", {}, 3, fake=x, target=x)).numpy()
    other = term.compute(StepContext(model, "generator", {}, 3, fake=x, target=y)).numpy()
    np.testing.assert_array_equal(same, np.zeros(3))
    assert other.shape == (3,) and np.all(other > 0)


def test_content_network_is_the_recorded_classifier():
    from kerasgan.zoo.extractors import load_extractor

    model = SRGAN.from_preset("tiny")
    classifier = load_extractor("mnist-classifier")
    assert model.get_config()["content_network"] == classifier.identity  # name@sha256 of its weights
    assert model.get_config()["content_layer"] == "conv2d_1"
    # The features are the classifier's second convolution (ReLU), at any size.
    conv = [layer for layer in classifier.model.layers if isinstance(layer, keras.layers.Conv2D)][1]
    reference = keras.Model(classifier.model.input, conv.output)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 1)).astype("float32")
    np.testing.assert_allclose(model.content_network(x).numpy(), reference(x).numpy(), atol=1e-5)
    assert model.content_network.trainable is False and not model.content_network.trainable_weights


def test_auto_content_network_follows_the_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert content_lib.resolve("auto", 1) == "mnist-classifier"
    assert content_lib.resolve("auto", 3) == "twemoji-groups-classifier"
    with pytest.raises(ValueError, match="needs the VGG19 ImageNet weights"):
        content_lib.build("vgg19", 3, "block2_conv2")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / content_lib.VGG19_NOTOP_FILENAME).write_bytes(b"")
    assert content_lib.resolve("auto", 1) == "vgg19"
    # The VGG19 architecture (weights come from a saved model): caffe inputs, cut, rescaled.
    network, identity = content_lib.build("vgg19-imagenet@sha256:00", 1, "block2_conv2", pretrained=False)
    assert identity == "vgg19-imagenet@sha256:00"
    assert network(np.zeros((1, 12, 8, 1), "float32")).shape == (1, 6, 4, 128)
    none = SRGAN(image_shape=(8, 8, 1), generator_filters=4, residual_blocks=0, discriminator_filters=2,
                 discriminator_blocks=1, dense_units=4, content_network="none")
    assert "content_network" not in none.network_names
    none.compile()
    (content,) = [t for t in none.terms["generator"] if t.name == "content"]
    assert isinstance(content, terms.Reconstruction) and content.norm == "l2"


@pytest.mark.parametrize("size", [(1, 1), (4, 4), (7, 5), (9, 16)])
def test_upscale_is_four_times_any_size(trained, size):
    model, _ = trained
    x = np.random.default_rng(0).uniform(-1, 1, (2,) + size + (1,)).astype("float32")
    out = model.upscale(x)
    assert out.dtype == tf.float32 and tuple(out.shape) == (2, 4 * size[0], 4 * size[1], 1)
    assert float(tf.reduce_max(tf.abs(out))) <= 1.0
    np.testing.assert_array_equal(out.numpy(), model.translate(x).numpy())
    # uint8 input is scaled like the data loaders
    u = np.random.default_rng(1).integers(0, 256, (1,) + size + (1,), dtype=np.uint8)
    np.testing.assert_allclose(model.upscale(u).numpy(), model.upscale(u / 127.5 - 1.0).numpy(), atol=1e-5)


def test_upscale_of_a_constant_image_is_constant(trained):
    """True by construction for any weights: replicate padding (the border
    sees the same constant), batch norm in inference mode (a per-channel
    affine map), PReLU per channel, the skips add constants, and the tied
    sub-pixel phases give every phase the same value. The trained model's
    weights and batch-norm statistics moved away from their initial values."""
    model, record = trained
    assert any(not np.array_equal(a, b) for a, b in zip(record["g0"], _values(model.generator)))
    for value in (-0.8, 0.0, 0.37, 1.0):
        for size in ((1, 1), (5, 3), (8, 8)):
            out = model.upscale(np.full((1,) + size + (1,), value, "float32")).numpy()
            assert np.ptp(out) < 1e-5, (value, size, np.ptp(out))
    # The paper's plain sub-pixel convolution does not keep it (a 2x2 pattern).
    keras.utils.set_random_seed(0)
    plain = SRResNetGenerator(channels=1, filters=8, residual_blocks=1, tie_phases=False)
    assert np.ptp(plain(np.full((1, 5, 5, 1), 0.3, "float32"), training=False).numpy()) > 1e-3


def test_upscale_refuses_bad_input(trained):
    model, _ = trained
    with pytest.raises(ValueError, match="have shape"):
        model.upscale(np.zeros((1, 4, 4, 3), "float32"))
    with pytest.raises(ValueError, match="have shape"):
        model.upscale(np.zeros((4, 4, 1), "float32"))
    with pytest.raises(ValueError, match=r"in \[-1, 1\]"):
        model.upscale(np.full((1, 4, 4, 1), 2.0, "float32"))
    with pytest.raises(ValueError, match=r"in \[-1, 1\]"):
        model.upscale(np.full((1, 4, 4, 1), np.nan, "float32"))
    with pytest.raises(ValueError, match="uint8"):
        model.upscale(np.zeros((1, 4, 4, 1), "int32"))


def test_pretrain_phase_leaves_the_discriminator_unchanged(trained):
    model, record = trained
    assert record["pretrain_terms"] == {"discriminator": [], "generator": ["pixel"]}
    assert set(record["pretrain_logs"]) == {"pixel"}
    # weights, batch-norm moving statistics and the optimizer: all untouched
    for before, after in zip(record["d0"], record["d1"]):
        np.testing.assert_array_equal(before, after)
    assert record["d_iterations_after_pretrain"] == 0
    assert any(not np.array_equal(a, b) for a, b in zip(record["g0"], record["g1"]))
    # then the SRGAN phase: content + 1e-3 adversarial, and the discriminator trains
    assert record["terms"] == {"discriminator": {"d_loss": 1.0}, "generator": {"content": 1.0, "g_loss": 1e-3}}
    assert set(record["logs"]) == {"content", "d_loss", "g_loss"}
    assert all(np.isfinite(v).all() for v in record["logs"].values())
    assert any(not np.array_equal(a, b) for a, b in zip(record["d1"], record["d2"]))


def test_compile_phases_refuse_unknown_names():
    model = SRGAN.from_preset("tiny")
    with pytest.raises(ValueError, match="phase"):
        model.compile(phase="warmup")
    model.compile(adversarial_weight=0.0, pixel_weight=0.5)  # content only: no adversarial game
    assert model.trains_discriminator is False
    assert sorted(t.name for t in model.terms["generator"]) == ["content", "pixel"]


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    path = tmp_path_factory.mktemp("srgan") / "srgan.keras"
    trained[0].save(path)
    return path


def test_save_load_and_exported_upscale(trained, saved, tmp_path):
    model, _ = trained
    x = np.random.default_rng(3).uniform(-1, 1, (3, 5, 6, 1)).astype("float32")
    loaded = keras.saving.load_model(saved)
    assert type(loaded) is SRGAN
    assert json.loads(json.dumps(loaded.get_config())) == json.loads(json.dumps(model.get_config()))
    np.testing.assert_array_equal(model.upscale(x).numpy(), loaded.upscale(x).numpy())
    for a, b in zip(_values(model.content_network), _values(loaded.content_network)):
        np.testing.assert_array_equal(a, b)
    assert int(loaded.d_optimizer.iterations) == int(model.d_optimizer.iterations)

    version = export.export_saved_model(model, tmp_path / "export", version=1, warmup=False)
    served = tf.saved_model.load(str(version))
    assert {"upscale", "translate", "serving_default"} <= set(served.signatures)
    for images in (x, x[:1, :3, :2]):  # any spatial size
        result = served.signatures["upscale"](images=tf.constant(images))
        np.testing.assert_allclose(result["images"].numpy(), model.upscale(images).numpy(), atol=1e-5)
        assert result["images_uint8"].dtype == tf.uint8
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"in \[-1, 1\]"):
        served.signatures["upscale"](images=tf.constant(x * 3))


def test_cli_upscale(trained, saved, tmp_path, capsys):
    from PIL import Image

    from kerasgan import cli

    model, path = trained[0], saved
    folder = tmp_path / "small"
    (folder / "sub").mkdir(parents=True)
    pixels = np.random.default_rng(0).integers(0, 256, (5, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(folder / "sub" / "a.png")
    Image.fromarray(np.stack([pixels] * 3, -1)).save(folder / "b.jpg", quality=100)
    assert cli.main(["upscale", str(path), str(folder), "--out", str(tmp_path / "big")]) == 0
    big = np.array(Image.open(tmp_path / "big" / "sub" / "a.png"))
    assert big.shape == (20, 12)
    expected = model.upscale(pixels[None, ..., None]).numpy()[0, ..., 0]
    np.testing.assert_allclose(big, np.clip(np.round((expected + 1) * 127.5), 0, 255), atol=1)
    assert np.array(Image.open(tmp_path / "big" / "b.png")).shape == (20, 12)
    assert "Upscaled 2 images 4x" in capsys.readouterr().out
    # one file -> one file; existing outputs are refused without --overwrite
    out = tmp_path / "one.png"
    assert cli.main(["upscale", str(path), str(folder / "sub" / "a.png"), "--out", str(out)]) == 0
    assert cli.main(["upscale", str(path), str(folder / "sub" / "a.png"), "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err


@pytest.mark.slow
def test_two_replicas_equal_one_device(tmp_path):
    """Both phases under MirroredStrategy on 2 logical CPUs end equal to one
    device (tests/models/srgan_worker.py; batch norm synchronized)."""
    from tests.conftest import REPO_ROOT
    from tests.replica_checks import run_worker_script

    results = run_worker_script(REPO_ROOT / "tests" / "models" / "srgan_worker.py", tmp_path)
    assert set(results) == {"srresnet", "srgan"}
    for phase, result in results.items():
        assert result["replicas"] == 2
        assert result["max_moved"] > 1e-3, f"{phase}: training did not move the weights"
        # Within what one-ulp rounding differences grow to in the same steps
        # (srgan_worker.py: 3.0e-5 after 4 steps on the AMX host), far below
        # a step's size (max_moved ~0.3).
        bound = max(1e-5, 10 * result["rounding_diff"])
        assert bound < 1e-2 * result["max_moved"], (phase, result)
        assert result["max_abs_diff"] < bound, (phase, result)
        for key, (ref, dist) in result["losses"].items():
            assert dist == pytest.approx(ref, rel=1e-4, abs=1e-5), f"{phase} {key}"
    assert results["srresnet"]["iterations"] == [[0, 4], [0, 4]]  # the discriminator never stepped
    assert results["srgan"]["iterations"] == [[4, 4], [4, 4]]


@pytest.mark.slow
def test_trainer_trains_srgan_from_one_image_source(tmp_path):
    """`kerasgan train srgan --dataset IDX`: the task makes (LR, HR) pairs of
    the train split at the model's scale; the SRResNet phase from --compile."""
    from kerasgan import trainer
    from kerasgan.data import super_resolution
    from tests.data.conftest import write_idx_file

    images = np.random.default_rng(0).integers(0, 256, (40, 16, 16), dtype=np.uint8)
    source = write_idx_file(tmp_path / "images-idx3-ubyte", images)
    out = tmp_path / "run"
    trainer.train(family="srgan", dataset=str(source), out=str(out), epochs=1, image_size=16, batch_size=4,
                  steps_per_epoch=2, model_kwargs={"scale": 2, **{k: v for k, v in SRGAN.presets["tiny"].items()
                                                                  if k not in ("image_shape", "seed")}},
                  compile_kwargs={"phase": "srresnet"}, num_samples=4, tensorboard=False, verbose=0)
    run = json.loads((out / "run.json").read_text())
    assert run["model_config"]["content_network"].startswith("mnist-classifier@sha256:")
    assert run["model_config"]["scale"] == 2 and run["compile_config"]["phase"] == "srresnet"
    model = keras.saving.load_model(out / "model.keras")
    assert model.source_shape == (8, 8, 1) and int(model.d_optimizer.iterations) == 0
    assert int(model.g_optimizer.iterations) == 2
    assert (out / "samples" / "epoch_0001.png").exists()
    train = super_resolution.info(str(source), split="train").num_examples
    assert train == len(super_resolution.index_split(40, "train"))


def test_vgg_content_network_saves_and_loads(tmp_path):
    """A model recorded with VGG19 features reloads from its `.keras` file
    alone (here built without the weights file, as `from_config` does)."""
    model = SRGAN(image_shape=(8, 8, 3), generator_filters=4, residual_blocks=0, discriminator_filters=2,
                  discriminator_blocks=1, dense_units=4, content_network="vgg19-imagenet@sha256:00",
                  content_layer="block1_conv2", _pretrained=False)
    assert model.get_config()["content_network"] == "vgg19-imagenet@sha256:00"
    x = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    # caffe preprocessing: the first VGG layer sees BGR 0..255 minus the ImageNet mean
    vgg = model.content_network.get_layer("vgg19")
    first = keras.Model(vgg.input, vgg.get_layer("block1_conv1").output)
    bgr = (x + 1) * 127.5
    expected = first(bgr[..., ::-1] - np.array([103.939, 116.779, 123.68], "float32"))
    got = keras.Model(model.content_network.input,
                      first(model.content_network.get_layer("vgg_preprocessing").output))(x)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=1e-3)
    model.save(tmp_path / "vgg.keras")
    loaded = keras.saving.load_model(tmp_path / "vgg.keras")
    assert loaded.get_config()["content_network"] == "vgg19-imagenet@sha256:00"
    np.testing.assert_allclose(loaded.content_network(x).numpy(), model.content_network(x).numpy(), atol=1e-5)


@pytest.mark.slow
def test_truncated_vgg19_is_keras_applications_vgg19():
    """The content network's VGG19 (built only up to its layer) has
    `keras.applications.VGG19`'s layer names and shapes, so the cached
    ImageNet weights copy over by name; with them it computes the same."""
    full = keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))
    cut = content_lib.vgg19_up_to("block5_conv4")
    reference = keras.Model(full.input, full.get_layer("block5_conv4").output)
    assert [layer.name for layer in cut.layers[1:]] == [layer.name for layer in reference.layers[1:]]
    for layer in cut.layers:
        if layer.weights:
            layer.set_weights(full.get_layer(layer.name).get_weights())
    x = np.random.default_rng(0).uniform(-100, 100, (1, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(cut(x).numpy(), reference(x).numpy(), atol=1e-4)
    with pytest.raises(ValueError, match="VGG19 layer"):
        content_lib.vgg19_up_to("block6_conv1")
