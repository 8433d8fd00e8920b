import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import kerasgan
from kerasgan.engine import terms
from kerasgan.models import GAN


def mlp_gan(regularizer=None, condition_dim=None, latent_dim=4, size=4, seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    z = keras.Input((latent_dim,))
    g_inputs, h = [z], z
    if condition_dim:
        c = keras.Input((condition_dim,))
        g_inputs, h = [z, c], keras.layers.Concatenate()([z, c])
    h = keras.layers.Dense(8, activation="relu", kernel_regularizer=regularizer, name="hidden")(h)
    out = keras.layers.Reshape((size, size, 1))(keras.layers.Dense(size * size, activation="tanh")(h))
    generator = keras.Model(g_inputs if condition_dim else z, out)
    x = keras.Input((size, size, 1))
    d_inputs, h = [x], keras.layers.Flatten()(x)
    if condition_dim:
        c = keras.Input((condition_dim,))
        d_inputs, h = [x, c], keras.layers.Concatenate()([h, c])
    logits = keras.layers.Dense(1)(keras.layers.Dense(8, activation="relu")(h))
    discriminator = keras.Model(d_inputs if condition_dim else x, logits)
    return GAN(generator, discriminator, seed=seed,
               condition_shape=(condition_dim,) if condition_dim else None, **kwargs)


def images(n=16, size=4, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 1)).astype("float32")


def test_a_network_regulariser_changes_training_and_is_logged():
    data = tf.data.Dataset.from_tensor_slices(images()).batch(8)
    plain, regularised = mlp_gan(), mlp_gan(regularizer=keras.regularizers.L2(1.0))
    np.testing.assert_array_equal(plain.generator.get_layer("hidden").kernel.numpy(),
                                  regularised.generator.get_layer("hidden").kernel.numpy())
    for model in (plain, regularised):
        model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    assert "g_regularization" in [t.name for t in regularised.terms["generator"]]
    assert "g_regularization" not in [t.name for t in plain.terms["generator"]]
    plain.fit(data, epochs=1, verbose=0)
    history = regularised.fit(data, epochs=1, verbose=0)
    a = plain.generator.get_layer("hidden").kernel.numpy()
    b = regularised.generator.get_layer("hidden").kernel.numpy()
    # L2(1) adds 2 * kernel to the gradient: two SGD(0.1) steps shrink the
    # kernel by about 0.8^2 on top of what the adversarial gradient does.
    assert np.abs(b).sum() < 0.8 * np.abs(a).sum()
    assert history.history["g_regularization"][0] > 0.1


def test_multi_hot_conditions_keep_their_shape_through_fit_and_generate():
    gan = mlp_gan(condition_dim=5)
    rng = np.random.default_rng(1)
    conditions = (rng.uniform(size=(16, 5)) < 0.4).astype("float32")
    batch = gan.unpack_batch((images(), conditions))
    assert tuple(batch["labels"].shape) == (16, 5) and batch["labels"].dtype == tf.float32
    gan.compile()
    history = gan.fit(tf.data.Dataset.from_tensor_slices((images(), conditions)).batch(8), epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
    out = gan.generate(3, seed=0, labels=conditions[:3])
    assert tuple(out.shape) == (3, 4, 4, 1)
    # The condition changes the output.
    assert not np.allclose(out.numpy(), gan.generate(3, seed=0, labels=1.0 - conditions[:3]).numpy())
    np.testing.assert_array_equal(out.numpy(), gan.generate(3, seed=0, conditions=conditions[:3]).numpy())
    with pytest.raises(ValueError, match=r"shape \(5,\) per example"):
        gan.unpack_batch((images(), conditions[:, :4]))
    with pytest.raises(ValueError, match="pass `labels`"):
        gan.generate(2)


def test_dict_batches_and_bad_batches_name_the_problem():
    gan = mlp_gan()
    assert tuple(gan.unpack_batch({"images": images(4)})["images"].shape) == (4, 4, 4, 1)
    with pytest.raises(ValueError, match="unknown keys"):
        gan.unpack_batch({"image": images(4)})
    with pytest.raises(ValueError, match="floating point"):
        gan.unpack_batch((images(4) * 100).astype("uint8"))
    with pytest.raises(ValueError, match=r"shape \(4, 4, 1\)"):
        gan.unpack_batch(np.zeros((2, 5, 5, 1), "float32"))


def test_a_lazy_term_runs_every_interval_updates_and_logs_only_those():
    gan = mlp_gan()
    gan.compile(extra_terms=[terms.R1(1.0, interval=3)])
    steps = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps.append(float(logs["r1_penalty"]))

    gan.fit(tf.data.Dataset.from_tensor_slices(images(40)).batch(8), epochs=1, verbose=0, callbacks=[Record()])
    # R1 runs at discriminator iterations 0 and 3: the running mean only moves then.
    assert steps[0] > 0 and steps[1] == steps[2] == steps[0] and steps[3] != steps[2]


def test_ema_copies_follow_the_named_networks_and_generate_uses_them():
    gan = mlp_gan(ema_decay=0.5)
    assert gan.ema_networks == ("generator",) and gan.ema_generator.name == "ema_generator"
    gan.compile()
    before = [w.numpy() for w in gan.ema_generator.weights]
    gan.fit(tf.data.Dataset.from_tensor_slices(images()).batch(8), epochs=1, verbose=0)
    after = [w.numpy() for w in gan.ema_generator.weights]
    live = [w.numpy() for w in gan.generator.weights]
    moved = [not np.array_equal(a, b) for a, b in zip(before, after)]
    assert any(moved) and any(not np.array_equal(a, b) for a, b in zip(after, live))
    z = gan.sample_latents(2, seed=3)
    np.testing.assert_array_equal(gan.generate(2, latents=z).numpy(), gan.ema_generator(z).numpy())


def test_reset_ema_starts_the_average_again_from_the_current_weights():
    gan = mlp_gan(ema_decay=0.9)
    gan.compile()
    gan.fit(tf.data.Dataset.from_tensor_slices(images()).batch(8), epochs=1, verbose=0)
    live = [w.numpy() for w in gan.generator.weights]
    assert any(not np.array_equal(e.numpy(), v) for e, v in zip(gan.ema_generator.weights, live))
    gan.reset_ema()
    for ema_var, value in zip(gan.ema_generator.weights, live):
        np.testing.assert_array_equal(ema_var.numpy(), value)
    for var, value in zip(gan.generator.weights, live):
        np.testing.assert_array_equal(var.numpy(), value)


def test_generate_refuses_an_output_too_large_for_one_array_and_streams_instead():
    gan = mlp_gan()
    with pytest.raises(ValueError, match="generate_batches"):
        gan.generate(10**9)
    sizes = [int(b.shape[0]) for b in gan.generate_batches(10, seed=1, batch_size=4)]
    assert sizes == [4, 4, 2]
    first = next(gan.generate_batches(4, seed=1, batch_size=4)).numpy()
    np.testing.assert_array_equal(first, next(gan.generate_batches(4, seed=1, batch_size=4)).numpy())


def test_import_kerasgan_registers_the_classes(tmp_path):
    import subprocess
    import sys

    gan = mlp_gan()
    gan.compile()
    path = tmp_path / "gan.keras"
    gan.save(path)
    code = f"import kerasgan, keras; m = keras.saving.load_model({str(path)!r}); print(type(m).__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert out.stdout.strip().splitlines()[-1] == "GAN", out.stderr[-2000:]
    assert kerasgan.engine.AdversarialModel is not None
