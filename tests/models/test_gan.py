import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import losses
from kerasgan.models import GAN, DCGAN, MLPDiscriminator, MLPGenerator
from tests.models.model_checks import run_family_checks, tiny_dataset, weights_of

SHAPE = (8, 8, 1)


def custom_gan(**kwargs):
    return GAN(
        MLPGenerator(SHAPE, latent_dim=4, hidden_units=(8,)),
        MLPDiscriminator(SHAPE, hidden_units=(8,), dropout=0.0),
        seed=0,
        **kwargs,
    )


def test_custom_networks_family_checks(tmp_path):
    model = run_family_checks(lambda: custom_gan(ema_decay=0.9), SHAPE, tmp_path)
    assert model.latent_dim == 4 and model.image_shape == SHAPE
    assert "generator" in model.get_config()  # nested, serialised networks


def test_n_critic_updates_generator_every_n_steps():
    model = custom_gan()
    model.compile(n_critic=3)
    model.fit(tiny_dataset(SHAPE, num_batches=6), epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations) == 6
    assert int(model.g_optimizer.iterations) == 2


def test_ttur_and_optimizer_overrides():
    model = custom_gan()
    model.compile(d_learning_rate=4e-4, g_learning_rate=1e-4)
    assert float(model.d_optimizer.learning_rate) == pytest.approx(4e-4)
    assert float(model.g_optimizer.learning_rate) == pytest.approx(1e-4)
    model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer="rmsprop")
    assert isinstance(model.d_optimizer, keras.optimizers.SGD)
    assert isinstance(model.g_optimizer, keras.optimizers.RMSprop)


def test_custom_loss_pair_and_unknown_loss():
    model = custom_gan()
    model.compile(loss=(losses.hinge_discriminator_loss, losses.hinge_generator_loss))
    history = model.fit(tiny_dataset(SHAPE), epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
    with pytest.raises(ValueError, match="Received: loss='wgan'"):
        model.compile(loss="wgan")


def test_label_smoothing_and_flips():
    model = custom_gan()
    model.compile(label_smoothing=0.1)
    real, fake = model._d_targets(1000)
    np.testing.assert_allclose(real, 0.9)
    np.testing.assert_allclose(fake, 0.0)
    model.compile(label_smoothing=0.1, label_flip_prob=0.2)
    real, fake = (t.numpy() for t in model._d_targets(4000))
    assert set(np.unique(real)) == {0.0, np.float32(0.9)}
    assert abs((real == 0.0).mean() - 0.2) < 0.03
    assert abs((fake > 0).mean() - 0.2) < 0.03
    with pytest.raises(ValueError, match="label_smoothing"):
        model.compile(label_smoothing=0.7)


def test_instance_noise_anneals_to_zero():
    model = custom_gan()
    model.compile(instance_noise=0.5, instance_noise_decay_steps=4)
    assert float(model._instance_noise_std()) == pytest.approx(0.5)
    model.fit(tiny_dataset(SHAPE, num_batches=2), epochs=1, verbose=0)
    assert float(model._instance_noise_std()) == pytest.approx(0.25)
    model.fit(tiny_dataset(SHAPE, num_batches=3), epochs=1, verbose=0)
    assert float(model._instance_noise_std()) == 0.0


def test_penalties_and_feature_matching_are_tracked():
    model = custom_gan()
    model.compile(gradient_penalty_weight=1.0, r1_weight=1.0, r1_interval=2, feature_matching_weight=1.0)
    history = model.fit(tiny_dataset(SHAPE), epochs=1, verbose=0)
    for key in ("gradient_penalty", "r1_penalty", "feature_matching"):
        assert np.isfinite(history.history[key][0]) and history.history[key][0] > 0
    images = tf.random.uniform((4,) + SHAPE, -1, 1, seed=0)
    assert float(model.feature_matching_loss(images, images)) == 0.0
    assert float(model.feature_matching_loss(images, -images)) > 0.0


def test_lazy_r1_runs_only_every_interval_steps():
    images = tiny_dataset(SHAPE, num_batches=1)

    def d_update(r1_weight, iterations):
        keras.utils.set_random_seed(7)  # the same initial weights for every model
        model = custom_gan()
        model.compile(r1_weight=r1_weight, r1_interval=4, d_optimizer=keras.optimizers.SGD(0.1))
        model.d_optimizer.iterations.assign(iterations)
        before = weights_of(model.discriminator)
        logs = model.train_step(next(iter(images)))
        after = weights_of(model.discriminator)
        return [a - b for a, b in zip(after, before)], logs

    plain, _ = d_update(0.0, 1)
    skipped, logs = d_update(10.0, 1)
    applied, _ = d_update(10.0, 4)
    # Off-interval steps are exactly unregularised (and log no R1); every
    # fourth step adds 4 * gamma / 2 * R1.
    for a, b in zip(plain, skipped):
        np.testing.assert_array_equal(a, b)
    assert float(logs["r1_penalty"]) == 0.0
    assert any(np.abs(a - b).max() > 1e-6 for a, b in zip(plain, applied))


def test_feature_matching_needs_a_features_layer():
    inputs = keras.Input(SHAPE)
    d = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(inputs)))
    model = GAN(MLPGenerator(SHAPE, 4, (8,)), d)
    with pytest.raises(ValueError, match="'features'"):
        model.compile(feature_matching_weight=1.0)


def test_generator_ema_follows_the_formula_and_is_used_for_sampling():
    model = custom_gan(ema_decay=0.75)
    model.compile()
    for a, b in zip(model.ema_generator.weights, model.generator.weights):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    before = weights_of(model.generator)
    model.fit(tiny_dataset(SHAPE, num_batches=1), epochs=1, verbose=0)
    after = weights_of(model.generator)
    trainable = [w.trainable for w in model.generator.weights]
    for old, new, ema, is_trainable in zip(before, after, weights_of(model.ema_generator), trainable):
        expected = 0.75 * old + 0.25 * new if is_trainable else new
        np.testing.assert_allclose(ema, expected, rtol=1e-5, atol=1e-7)
    z = model.sample_latents(3, seed=7)
    np.testing.assert_allclose(model.generate(3, seed=7), model.ema_generator(z), rtol=1e-6)
    assert not np.allclose(model.generate(3, seed=7), model.generator(z))


def test_ema_warmup_ramps_the_decay_up():
    model = custom_gan(ema_decay=0.999, ema_warmup=True)
    model.compile()
    assert model.get_config()["ema_warmup"] is True
    for step in (1, 2):
        before = weights_of(model.generator)
        ema_before = weights_of(model.ema_generator)
        model.fit(tiny_dataset(SHAPE, num_batches=1), epochs=1, verbose=0)
        decay = (1 + step) / (10 + step)  # n = generator updates so far, far below 0.999
        trainable = [w.trainable for w in model.generator.weights]
        for ema_old, new, ema, is_trainable in zip(
            ema_before, weights_of(model.generator), weights_of(model.ema_generator), trainable
        ):
            expected = decay * ema_old + (1 - decay) * new if is_trainable else new
            np.testing.assert_allclose(ema, expected, rtol=1e-5, atol=1e-7)
        assert any(not np.array_equal(a, b) for a, b in zip(before, weights_of(model.generator)))


def test_bad_batches_are_named():
    model = DCGAN((16, 16, 1), latent_dim=4, generator_filters=2, discriminator_filters=2)
    model.compile()
    wrong_shape = tf.data.Dataset.from_tensor_slices(np.zeros((8, 32, 32, 1), np.float32)).batch(4)
    with pytest.raises(ValueError, match=r"\(16, 16, 1\).*\(None, 32, 32, 1\)"):
        model.fit(wrong_shape, epochs=1, verbose=0)
    wrong_dtype = tf.data.Dataset.from_tensor_slices(np.zeros((8, 16, 16, 1), np.uint8)).batch(4)
    with pytest.raises(ValueError, match="floating point.*uint8"):
        model.fit(wrong_dtype, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"latents.*\(2, 4\)"):
        model.generate(2, latents=np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="not conditional"):
        model.generate(2, labels=[0, 1])
    with pytest.raises(ValueError, match="latent"):
        GAN(MLPGenerator(SHAPE, 4, (8,)), MLPDiscriminator(SHAPE), latent_dim=5)
    with pytest.raises(ValueError, match="generator"):
        GAN("not a model", MLPDiscriminator(SHAPE))
