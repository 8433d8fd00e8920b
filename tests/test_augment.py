"""kerasgan.augment: DiffAugment ops, ADA's controller, and their wiring in GAN.compile."""

import csv
import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan import augment, cli
from kerasgan.callbacks import Checkpoint
from kerasgan.callbacks.curves import PANEL_H
from kerasgan.models import DCGAN, GAN


def _images(n=4, size=16, channels=3, seed=0):
    return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)), tf.float32)


@pytest.mark.parametrize("policy", ["color", "translation", "cutout", "color,translation,cutout"])
def test_each_op_is_differentiable(policy):
    x = _images()
    weights = _images(seed=1)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = augment.diff_augment(x, policy, seed=keras.random.SeedGenerator(3))
        loss = tf.reduce_sum(y * weights)
    grad = tape.gradient(loss, x).numpy()
    assert np.all(np.isfinite(grad)) and np.abs(grad).sum() > 0
    assert y.shape == x.shape and not np.allclose(y.numpy(), x.numpy())


def test_translation_and_cutout_move_and_blank_whole_pixels():
    x = _images(n=1, size=8, channels=1)
    params = {"shift_y": tf.constant([1]), "shift_x": tf.constant([-2]), "keep_translation": tf.constant([True])}
    y = augment.apply(x, params).numpy()[0, ..., 0]
    expected = np.zeros((8, 8), np.float32)
    expected[1:, :6] = x.numpy()[0, :7, 2:, 0]  # down 1, left 2, zeros come in
    np.testing.assert_array_equal(y, expected)
    params = {"cutout_y": tf.constant([0]), "cutout_x": tf.constant([4]), "keep_cutout": tf.constant([True])}
    y = augment.apply(x, params).numpy()[0, ..., 0]
    blank = np.zeros((8, 8), bool)
    blank[:2, 2:6] = True  # a 4x4 square centred on (0, 4), cut by the top border
    np.testing.assert_array_equal(y[blank], 0.0)
    np.testing.assert_array_equal(y[~blank], x.numpy()[0, ..., 0][~blank])


def test_identity_at_p_zero_and_every_example_changed_at_p_one():
    x = _images(n=16)
    seed = keras.random.SeedGenerator(0)
    np.testing.assert_array_equal(augment.diff_augment(x, seed=seed, probability=0.0).numpy(), x.numpy())
    y = augment.diff_augment(x, seed=seed, probability=1.0).numpy()
    assert all(not np.array_equal(y[i], x.numpy()[i]) for i in range(16))
    # p = 0.5: some examples keep some ops, so draws differ from p = 1 with the same seed.
    a = augment.diff_augment(x, seed=keras.random.SeedGenerator(1), probability=1.0).numpy()
    b = augment.diff_augment(x, seed=keras.random.SeedGenerator(1), probability=0.5).numpy()
    assert not np.array_equal(a, b)


def test_bad_policies_and_modes_are_refused():
    with pytest.raises(ValueError, match="augment_policy"):
        augment.parse_policy("color,flip")
    gan = DCGAN.from_preset("tiny", seed=0)
    with pytest.raises(ValueError, match="augment"):
        gan.compile(augment="stylegan-ada")


def _tiny_gan(**compile_kwargs):
    gan = DCGAN.from_preset("tiny", seed=0)
    gan.compile(**compile_kwargs)
    return gan


def test_real_and_fake_halves_get_the_same_draws_when_asked():
    x = _images(n=8, size=16, channels=1)
    same = _tiny_gan(augment="diffaugment", augment_same_for_real_and_fake=True)
    real, fake = same._augment([x, x])
    np.testing.assert_array_equal(real.numpy(), fake.numpy())
    assert not np.array_equal(real.numpy(), x.numpy())
    independent = _tiny_gan(augment="diffaugment")
    real, fake = independent._augment([x, x])
    assert not np.array_equal(real.numpy(), fake.numpy())


def test_ada_controller_moves_p_by_the_images_seen_every_interval():
    p, stats = tf.constant(0.0), tf.zeros([3])
    overfit = tf.constant([[3.0], [2.0], [1.0], [4.0]])  # r_t = 1 > 0.6
    history = []
    for _ in range(4):
        p, stats = augment.ada_update(p, stats, overfit, target=0.6, interval=2, kimg=0.02)
        history.append(float(p))
    # Every 2 steps: + 2 * 4 images / 20 = 0.4.
    np.testing.assert_allclose(history, [0.0, 0.4, 0.4, 0.8], atol=1e-6)
    p, stats = augment.ada_update(p, stats, overfit, interval=1, kimg=0.02)
    assert float(p) == 1.0  # clipped
    healthy = tf.constant([1.0, -1.0, -2.0, 3.0, -1.0])  # r_t = -0.2 < 0.6; any rank
    p, stats = tf.constant(0.5), tf.zeros([3])
    p, stats = augment.ada_update(p, stats, tf.reshape(healthy, [5, 1, 1, 1]), interval=1, kimg=0.05)
    np.testing.assert_allclose(float(p), 0.4, atol=1e-6)
    np.testing.assert_array_equal(stats.numpy(), [0, 0, 0])


def _fixed_discriminator(logit):
    """A discriminator that says `logit` for every image (no weights to train)."""
    x = inputs = keras.Input((16, 16, 1))
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(logit),
                           trainable=False)(x)
    return keras.Model(inputs, x)


@pytest.mark.parametrize("logit, start", [(2.0, 0.0), (-2.0, 0.9)])
def test_ada_p_rises_when_d_overfits_and_falls_when_it_does_not(logit, start):
    generator = DCGAN.from_preset("tiny", seed=0).generator
    gan = GAN(generator, _fixed_discriminator(logit), seed=0)
    gan.compile(augment="ada", ada_interval=2, ada_kimg=0.08)
    gan.ada_p.assign(start)
    data = tf.data.Dataset.from_tensors(_images(n=8, size=16, channels=1)).repeat()
    history = gan.fit(data, steps_per_epoch=4, epochs=3, verbose=0).history
    # 2 adjustments of 2 * 8 / 80 = 0.2 per epoch, up (r_t = 1) or down (r_t = -1), clipped.
    expected = np.clip(start + np.sign(logit) * 0.4 * np.arange(1, 4), 0, 1)
    np.testing.assert_allclose(history["ada_p"], expected, atol=1e-6)
    np.testing.assert_allclose(float(gan.ada_p), expected[-1], atol=1e-6)


def test_ada_p_is_saved_and_restored_through_keras_files(tmp_path):
    gan = _tiny_gan(augment="ada", ada_target=0.5)
    gan.ada_p.assign(0.37)
    assert not gan.ada_p.trainable and "ada_p" not in [v.path for v in gan.trainable_variables]
    gan.save(tmp_path / "ada.keras")
    loaded = keras.saving.load_model(tmp_path / "ada.keras")
    assert loaded.augment == "ada" and loaded.ada_target == 0.5
    np.testing.assert_allclose(float(loaded.ada_p), 0.37)
    # Without augmentation: no ADA variable and no augment settings in the config.
    plain = _tiny_gan()
    assert getattr(plain, "ada_p", None) is None and "augment" not in plain.get_compile_config()
    plain.save(tmp_path / "plain.keras")
    assert getattr(keras.saving.load_model(tmp_path / "plain.keras"), "ada_p", None) is None


def test_cli_trains_with_ada_and_logs_and_checkpoints_p(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "dcgan", "--dataset", "digits", "--out", str(out), "--image-size", "16",
            "--batch-size", "16", "--latent-dim", "8", "--steps-per-epoch", "4", "--num-samples", "4",
            "--model", "generator_filters=4", "--model", "discriminator_filters=4", "--no-tensorboard",
            "--compile", "augment=ada", "--compile", "ada_interval=1", "--compile", "ada_kimg=0.5"]
    assert cli.main(args + ["--epochs", "2"]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["compile_config"]["augment"] == "ada" and run["compile_config"]["ada_kimg"] == 0.5
    with open(out / "history.csv") as f:
        rows = list(csv.DictReader(f))
    p = [float(r["ada_p"]) for r in rows]
    assert len(p) == 2 and all(0.0 <= v <= 1.0 for v in p)
    model = keras.saving.load_model(out / "model.keras")
    np.testing.assert_allclose(float(model.ada_p), p[-1], atol=1e-6)
    # The trainer's curves.png has the losses and p.
    with Image.open(out / "curves.png") as image:
        assert image.format == "PNG" and image.size == (560, 2 * PANEL_H)
    # A resumed run gets p back from the checkpoint.
    fresh = DCGAN(image_shape=(16, 16, 1), latent_dim=8, generator_filters=4, discriminator_filters=4, seed=0)
    fresh.compile(augment="ada")
    assert Checkpoint(str(out / "checkpoints")).restore(fresh) == 2
    np.testing.assert_allclose(float(fresh.ada_p), p[-1], atol=1e-6)
