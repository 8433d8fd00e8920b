"""StarGAN: the paper's defaults, target domains differ from the source,
the domain input changes the output, reconstruction is 0 for an identity
generator, a short fit then save/load, the exported `translate` signature
(with its `domain` input) and `kerasgan translate --target` all give
`translate`'s images, the sample grid has one column per domain, bad
domains are refused; real MNIST digits as domains (realdata); under
MirroredStrategy on 2 logical CPUs it equals one device, and `kerasgan
train stargan` runs on labelled data (slow)."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import export
from kerasgan.cli_translate import _parse_target, translate_folder
from kerasgan.engine import task_of
from kerasgan.models import StarGAN, StarGANDiscriminator, StarGANGenerator
from kerasgan.models.stargan import load_domains
from tests.conftest import REPO_ROOT
from tests.replica_checks import run_worker_script


def _images(n, seed=0, size=16):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 1)).astype("float32")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The tiny StarGAN after 5 eager steps (one generator update), saved."""
    gan = StarGAN.from_preset("tiny")
    gan.compile(run_eagerly=True)  # eager: quicker than tracing the step for a few tiny steps
    rng = np.random.default_rng(0)
    ds = tf.data.Dataset.from_tensor_slices(
        {"image": _images(8), "domain": rng.integers(0, 3, 8).astype("int32")}).batch(4).repeat()
    history = gan.fit(ds, epochs=1, steps_per_epoch=5, verbose=0).history
    path = tmp_path_factory.mktemp("stargan") / "stargan.keras"
    gan.save(path)
    return gan, history, path


def test_paper_defaults_and_terms():
    gan = StarGAN.from_preset("tiny")
    gan.compile()
    assert gan.n_critic == 5
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert (float(optimizer.learning_rate), optimizer.beta_1, optimizer.beta_2) == pytest.approx((1e-4, 0.5, 0.999))
    weights = {t.name: (t.role, t.weight) for ts in gan.terms.values() for t in ts}
    assert weights == {"d_loss": ("discriminator", 1.0), "gradient_penalty": ("discriminator", 10.0),
                       "d_classification": ("discriminator", 1.0), "g_loss": ("generator", 1.0),
                       "g_classification": ("generator", 1.0), "reconstruction": ("generator", 10.0)}
    # The discriminator: PatchGAN source logits and one logit per domain.
    source, classes = gan.discriminator(_images(2))
    assert tuple(source.shape) == (2, 2, 2, 1) and tuple(classes.shape) == (2, 3)
    assert StarGANDiscriminator((128, 128, 3), 5, 2).num_layers == 6  # the paper's 6 layers, 2x2 patches


def test_target_domains_differ_from_the_source():
    gan = StarGAN.from_preset("tiny", num_domains=4)
    domains = tf.constant(np.arange(2000) % 4, tf.int32)
    target = gan.sample_target_domains(domains).numpy()
    assert not np.any(target == domains.numpy())
    assert target.min() == 0 and target.max() == 3
    # Each of the 3 other domains about a third of the time.
    counts = np.bincount((target - domains.numpy()) % 4, minlength=4)
    assert counts[0] == 0 and all(600 < c < 730 for c in counts[1:]), counts
    assert not np.array_equal(target, gan.sample_target_domains(domains).numpy())  # fresh draws
    multi = StarGAN.from_preset("tiny", num_domains=5, multi_label=True)
    attributes = tf.constant(np.random.default_rng(0).integers(0, 2, (2000, 5)), tf.float32)
    flipped = multi.sample_target_domains(attributes).numpy()
    assert set(np.unique(flipped)) <= {0.0, 1.0}
    changed = (flipped != attributes.numpy()).sum(axis=1)
    assert changed.min() >= 1 and 2.5 < changed.mean() < 3.5  # each flipped w.p. 1/2, one forced


def test_domain_input_changes_the_output():
    gan = StarGAN.from_preset("tiny")
    x = _images(2)
    outputs = [gan.translate(x, target=k).numpy() for k in range(3)]
    assert min(np.abs(outputs[i] - outputs[j]).max() for i in range(3) for j in range(i + 1, 3)) > 1e-4
    one_hot = np.eye(3, dtype="float32")[[2, 2]]
    np.testing.assert_allclose(outputs[2], gan.generator([x, one_hot], training=False).numpy(), atol=1e-6)
    # Per-image targets, and the model's call.
    mixed = gan.translate(x, target=[0, 2]).numpy()
    np.testing.assert_allclose(mixed, np.stack([outputs[0][0], outputs[2][1]]), atol=1e-6)
    np.testing.assert_allclose(gan((x, tf.constant([0, 2]))).numpy(), mixed, atol=1e-6)
    # Multi-hot attributes, tiled over the image too.
    multi = StarGAN.from_preset("tiny", multi_label=True)
    a, b = multi.translate(x, target=[1, 0, 1]).numpy(), multi.translate(x, target=[1, 1, 1]).numpy()
    assert np.abs(a - b).max() > 1e-4
    assert multi.domain_spec().dtype == tf.float32 and gan.domain_spec().dtype == tf.int32
    # What the export and the CLI make of the two kinds (no tracing needed).
    meta = export.translation_serving_metadata(multi)
    assert meta["domain"] == {"dtype": "float32", "shape": [None, 3]} and meta["multi_label"] is True
    assert export.warmup_inputs(multi)["translate"]["domain"].shape == (1, 3)
    np.testing.assert_array_equal(_parse_target(multi, "1,0,1"), [1.0, 0.0, 1.0])
    assert _parse_target(gan, "2") == 2
    with pytest.raises(ValueError, match="0/1 attributes"):
        _parse_target(multi, "2")


def test_reconstruction_is_zero_for_an_identity_generator():
    gan = StarGAN.from_preset("tiny")
    gan.compile()
    image, domain = keras.Input((16, 16, 1)), keras.Input((3,))
    gan.generator = keras.Model([image, domain], keras.layers.Identity()(image))
    batch = {"image": tf.constant(_images(3)), "domain": tf.constant([0, 1, 2])}
    ctx = gan.forward("generator", batch)
    term = next(t for t in gan.terms["generator"] if t.name == "reconstruction")
    np.testing.assert_array_equal(term.compute(ctx).numpy(), np.zeros(3))
    assert not np.any(ctx["target_domain"].numpy() == np.array([0, 1, 2]))


def test_bad_domains_are_refused():
    gan = StarGAN.from_preset("tiny")
    x = _images(2)
    with pytest.raises(ValueError, match="pass `target`"):
        gan.translate(x)
    with pytest.raises(ValueError, match=r"in \[0, 3\)"):
        gan.translate(x, target=3)
    with pytest.raises(ValueError, match="one domain per image"):
        gan.translate(x, target=[0, 1, 2])
    with pytest.raises(ValueError, match="int domain classes"):
        gan.unpack_batch({"image": x, "domain": np.zeros((2, 3), "float32")})
    with pytest.raises(ValueError, match="0s and 1s"):
        StarGAN.from_preset("tiny", multi_label=True).translate(x, target=[0.5, 1, 0])
    with pytest.raises(ValueError, match="at least 2 domains"):
        StarGAN.from_preset("tiny", num_domains=1)
    with pytest.raises(ValueError, match="num_domains"):
        StarGANGenerator((16, 16, 1), 0)


def test_fit_save_load_grid_and_export(trained, tmp_path):
    gan, history, path = trained
    assert int(gan.d_optimizer.iterations) == 5 and int(gan.g_optimizer.iterations) == 1
    assert set(history) == {"d_loss", "gradient_penalty", "d_classification", "g_loss", "g_classification",
                            "reconstruction"}
    assert all(np.isfinite(v).all() for v in history.values())
    x, targets = _images(4, seed=1), np.array([2, 0, 1, 1], "int32")
    expected = gan.translate(x, target=targets).numpy()
    loaded = keras.saving.load_model(path)
    assert (loaded.num_domains, loaded.multi_label) == (3, False)
    np.testing.assert_array_equal(loaded.translate(x, target=targets).numpy(), expected)
    # Sample grid: input | domain 0 | domain 1 | domain 2.
    batch = {"image": x, "domain": np.array([0, 1, 2, 0], "int32")}
    images, columns = task_of(gan).sample_grid(gan, 3, seed=0, inputs=batch)
    assert columns == 4 and images.shape[0] == 12
    np.testing.assert_array_equal(images[0::4].numpy(), x[:3])
    for k in range(3):
        np.testing.assert_allclose(images[k + 1::4].numpy(), gan.translate(x[:3], target=k).numpy(), atol=1e-6)
    # The exported signature takes the domain and gives translate's images.
    version = export.export_saved_model(gan, tmp_path / "export", version=1, warmup=False)
    served = tf.saved_model.load(str(version))
    signature = served.signatures["translate"]
    assert set(signature.structured_input_signature[1]) == {"images", "domain"}
    result = signature(images=tf.constant(x), domain=tf.constant(targets))
    np.testing.assert_allclose(result["images"].numpy(), expected, atol=1e-5)
    assert result["images_uint8"].dtype == tf.uint8
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"`domain` must be in \[0, 3\)"):
        signature(images=tf.constant(x), domain=tf.constant([0, 1, 5, 0], tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="one entry per image"):
        signature(images=tf.constant(x), domain=tf.constant([0, 1], tf.int32))
    with open(f"{version}/assets.extra/kerasgan.json") as f:
        meta = json.load(f)
    assert meta["signatures"]["translate"] == ["images", "domain"] and meta["num_domains"] == 3
    assert set(export.warmup_inputs(gan)["translate"]) == {"images", "domain"}


def test_cli_translate_with_a_target(trained, tmp_path):
    from PIL import Image

    from kerasgan import cli

    gan, _, path = trained
    inputs = tmp_path / "in"
    inputs.mkdir()
    pixels = np.random.default_rng(2).integers(0, 256, (2, 16, 16), dtype=np.uint8)
    for i, p in enumerate(pixels):
        Image.fromarray(p).save(inputs / f"d{i}.png")
    written = translate_folder(gan, str(inputs), str(tmp_path / "out"), target="2")
    assert sorted(p.split("/")[-1] for p in written) == ["d0.png", "d1.png"]
    expected = gan.translate(pixels[..., None].astype("float32") / 127.5 - 1.0, target=2).numpy()
    got = np.stack([np.array(Image.open(tmp_path / "out" / f"d{i}.png")) for i in range(2)])[..., None]
    np.testing.assert_allclose(got.astype("float32") / 127.5 - 1.0, expected, atol=1.5 / 127.5)
    with pytest.raises(ValueError, match="--target K"):
        translate_folder(gan, str(inputs), str(tmp_path / "none"))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        translate_folder(gan, str(inputs), str(tmp_path / "bad"), target="7")
    # The command line: --target is passed through; a StarGAN without one is an error (exit 2).
    assert cli.main(["translate", str(path), str(inputs), "--out", str(tmp_path / "cli"), "--target", "2"]) == 0
    np.testing.assert_array_equal(np.array(Image.open(tmp_path / "cli" / "d1.png")),
                                  np.array(Image.open(tmp_path / "out" / "d1.png")))
    assert cli.main(["translate", str(path), str(inputs), "--out", str(tmp_path / "cli2")]) == 2


@pytest.mark.realdata
def test_mnist_digits_as_domains(shared_data):
    source = str(shared_data / "mnist" / "t10k-images-idx3-ubyte.gz")
    batch = next(iter(load_domains(source, 32, 64, seed=0)))
    assert tuple(batch["image"].shape) == (64, 32, 32, 1) and batch["domain"].dtype == tf.int32
    domains = batch["domain"].numpy()
    assert domains.min() >= 0 and domains.max() <= 9 and len(set(domains.tolist())) >= 5
    gan = StarGAN.from_preset("mnist32", seed=0)
    assert gan.num_domains == 10
    unpacked = gan.unpack_batch(batch)
    np.testing.assert_array_equal(unpacked["domain"].numpy(), domains)


@pytest.mark.slow  # two subprocess runs on 2 logical CPUs, about 1-2 minutes on 2 shared cores
def test_stargan_on_two_replicas_equals_one_device(tmp_path):
    results = run_worker_script(REPO_ROOT / "tests" / "models" / "translation_worker.py", tmp_path,
                                timeout=600, args=["stargan"])
    result = results["stargan"]
    assert result["replicas"] == 2
    assert result["iterations"] == [[4, 2], [4, 2]]
    assert result["max_moved"] > 1e-3
    assert result["max_abs_diff"] < 1e-5, result
    for key, (ref, dist) in result["losses"].items():
        assert dist == pytest.approx(ref, rel=1e-4, abs=1e-6), key


@pytest.mark.slow  # trains through kerasgan.trainer (tracing, checkpoint, sample grid): ~30-60 s
def test_trainer_runs_stargan_on_labelled_data(tmp_path):
    from kerasgan import trainer

    out = tmp_path / "run"
    trainer.train("stargan", dataset="digits", out=str(out), image_size=16, batch_size=8, epochs=1,
                  steps_per_epoch=2, num_samples=4, tensorboard=False, verbose=0,
                  model_kwargs={"generator_filters": 4, "discriminator_filters": 4, "num_blocks": 1})
    model = keras.saving.load_model(out / "model.keras")
    assert isinstance(model, StarGAN) and model.num_domains == 10
    run = json.loads((out / "run.json").read_text())
    assert run["family"] == "stargan"
    grid = sorted((out / "samples").glob("*.png"))
    assert grid
    from PIL import Image

    width = Image.open(grid[-1]).size[0]
    assert width >= 11 * 16  # input | ten domains
