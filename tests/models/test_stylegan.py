import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.callbacks.progressive import ProgressiveSchedule
from kerasgan.layers import EqualizedDense
from kerasgan.models import FAMILIES, StyleGAN, StyleGANGenerator
from kerasgan.callbacks import train_progressive
from tests.models.model_checks import check_config_round_trip, check_generate
from tests.models.test_progan import avgpool2, layer_weights, upsample2
from tests.trainer_checks import run_mirrored_schedule

TINY = dict(target_resolution=16, channels=3, latent_dim=8, filters=[8, 6, 4], mapping_layers=2, seed=0)


def tiny_stylegan(**kwargs):
    return StyleGAN(**{**TINY, **kwargs})


def randomize(model, rng):
    """Weights as after training: every weight moved (noise strengths, biases,
    w_avg and the EMA included), at the scale it was initialised with."""
    networks = [model.generator, model.discriminator] + (
        [model.ema_generator] if model.ema_generator is not None else []
    )
    for network in networks:
        for var in network.weights:
            value = var.numpy()
            spread = value.std() if value.std() > 0 else 0.3
            var.assign(value + 0.5 * spread * rng.normal(size=value.shape).astype(np.float32))


def gen_out(model, network, z, alpha):
    inputs = model.sampling_inputs(z)
    inputs[4] = tf.fill([z.shape[0]], alpha)
    return network(inputs, training=False).numpy()


@pytest.mark.parametrize("style_mode", ["adain", "modulated"])
def test_grow_at_alpha_zero_is_the_old_model_over_two_phases(style_mode):
    rng = np.random.default_rng(0)
    model = tiny_stylegan(style_mode=style_mode)
    model.compile()
    z = rng.normal(size=(3, 8)).astype(np.float32)
    for resolution in (4, 8):
        randomize(model, rng)
        model.alpha.assign(1.0)
        old_g, old_d = model.generator, model.discriminator
        images = rng.uniform(-1, 1, size=(3, 2 * resolution, 2 * resolution, 3)).astype(np.float32)
        g_before = gen_out(model, old_g, z, 1.0)
        d_before = old_d([avgpool2(images), np.ones(3, np.float32)]).numpy()
        ema_before = layer_weights(model.ema_generator)
        g_weights = layer_weights(old_g)

        model.grow()

        r2 = 2 * resolution
        assert model.resolution == r2 and float(model.alpha) == 0.0
        assert model.num_ws == 2 * int(np.log2(r2)) - 2
        np.testing.assert_allclose(gen_out(model, model.generator, z, 0.0), upsample2(g_before), atol=1e-5)
        np.testing.assert_allclose(
            model.discriminator([images, np.zeros(3, np.float32)]).numpy(), d_before, atol=1e-5
        )
        new_g = layer_weights(model.generator)
        # The mapping network, w_avg, the constant and every older block persist.
        for name in ("mapping_0", "mapping_1", "truncation", "const", "block_4_conv"):
            assert name in new_g and name in g_weights
        for name in set(new_g) & set(g_weights):
            for a, b in zip(new_g[name], g_weights[name]):
                np.testing.assert_array_equal(a, b)
        ema = layer_weights(model.ema_generator)
        for name in set(ema) & set(ema_before):
            for a, b in zip(ema[name], ema_before[name]):
                np.testing.assert_array_equal(a, b)
        assert {f"block_{r2}_conv0", f"block_{r2}_conv1", f"to_rgb_{r2}"} <= set(new_g) - set(g_weights)
        # The sampling path (EMA generator) is grown too.
        assert model.generate(2, seed=0).shape == (2, r2, r2, 3)


@pytest.mark.slow  # ~30 s; ProGAN's full 4-8-16 schedule stays in the default run
def test_full_schedule_4_8_16_in_train_progressive():
    images16 = np.random.default_rng(5).uniform(-1, 1, size=(8, 16, 16, 3)).astype(np.float32)

    def dataset_fn(resolution, batch_size):
        x = images16
        while x.shape[1] > resolution:
            x = avgpool2(x)
        return tf.data.Dataset.from_tensor_slices(x).batch(batch_size, drop_remainder=True)

    model = tiny_stylegan(ema_decay=None)
    model.compile(r1_interval=2)
    schedule = ProgressiveSchedule(fade_in_images=8, stabilize_images=8, batch_size=8)
    histories = train_progressive(model, dataset_fn, schedule)
    assert [h.history["resolution"][0] for h in histories] == [4, 8, 16]
    for h in histories:
        for key in ("d_loss", "g_loss", "r1_penalty"):
            assert np.all(np.isfinite(h.history[key])), (key, h.history)
    assert model.resolution == 16 and float(model.alpha) == 1.0 and model.num_ws == 6
    assert int(model.images_seen) == 8 + 16 + 16
    samples = model.generate(3, seed=0).numpy()
    assert samples.shape == (3, 16, 16, 3) and samples.std() > 0


def test_truncation_psi_zero_gives_the_average_w_image_and_cutoff_keeps_fine_layers():
    rng = np.random.default_rng(1)
    model = tiny_stylegan(target_resolution=8, resolution=8, filters=[8, 6])
    randomize(model, rng)
    w_avg = model.w_avg.numpy()
    assert np.abs(w_avg).max() > 0.1
    # psi = 0: every sample is the average-w image.
    samples = model.generate(4, seed=0, truncation_psi=0.0).numpy()
    average = model.synthesis(w_avg[None]).numpy()[0]
    for sample in samples:
        np.testing.assert_allclose(sample, average, atol=1e-5)
    untruncated = model.generate(4, seed=0).numpy()
    assert np.abs(untruncated - average).max() > 1e-2
    # psi = 0.5 with cutoff 2: layers 0-1 move half-way to w_avg, layers 2-3 keep w.
    z = model.sample_latents(4, seed=0)
    w = model.mapping(z).numpy()
    ws = np.repeat(w[:, None], model.num_ws, axis=1)
    ws[:, :2] = w_avg + 0.5 * (ws[:, :2] - w_avg)
    np.testing.assert_allclose(
        model.generate(4, seed=0, truncation_psi=0.5, truncation_cutoff=2).numpy(),
        model.synthesis(ws).numpy(),
        atol=1e-5,
    )
    # mapping + synthesis is the generator.
    np.testing.assert_allclose(model.synthesis(w).numpy(), untruncated, atol=1e-5)


def test_style_mixing_at_crossover_ends_gives_each_seed_and_between_mixes():
    rng = np.random.default_rng(2)
    model = tiny_stylegan(target_resolution=8, resolution=8, filters=[8, 6], style_mode="modulated")
    randomize(model, rng)
    fine = model.generate(1, seed=3).numpy()[0], model.generate(1, seed=4).numpy()[0]
    coarse = model.generate(1, seed=1).numpy()[0], model.generate(1, seed=2).numpy()[0]
    at0 = model.mix_styles([1, 2], [3, 4], crossover=0).numpy()
    np.testing.assert_allclose(at0, np.stack(fine), atol=1e-5)
    at_end = model.mix_styles([1, 2], [3, 4], crossover=model.num_ws).numpy()
    np.testing.assert_allclose(at_end, np.stack(coarse), atol=1e-5)
    middle = model.mix_styles([1, 2], [3, 4], crossover=2).numpy()
    assert np.mean(np.abs(at0) < 1) > 0.25  # mostly not saturated: the comparisons mean something
    assert np.abs(middle - at0).max() > 1e-3 and np.abs(middle - at_end).max() > 1e-3
    with pytest.raises(ValueError, match=r"crossover.*\[0, 4\]"):
        model.mix_styles([1], [2], crossover=5)
    with pytest.raises(ValueError, match="same length"):
        model.mix_styles([1, 2], [3], crossover=1)


def test_training_inputs_mix_styles_with_the_configured_probability():
    model = tiny_stylegan(target_resolution=16, resolution=16, style_mixing_prob=0.9)
    z = tf.zeros((2000, 8))
    _, z_mix, mix, psi, _, noise = [t.numpy() for t in model.generator_inputs(z)]
    mixed = mix.any(axis=1)
    assert 0.87 < mixed.mean() < 0.93
    crossover = model.num_ws - mix[mixed].sum(axis=1)
    assert crossover.min() == 1 and crossover.max() == model.num_ws - 1
    # Masks are "from the crossover on"; psi is 1 and noise random in training.
    assert np.all(np.diff(mix, axis=1) >= 0)
    assert np.all(psi == 1.0) and np.all(noise == 1.0) and z_mix.std() > 0.5
    model = tiny_stylegan(style_mixing_prob=0.0)
    assert not model.generator_inputs(z)[2].numpy().any()


def test_noise_modes_and_mapping_lr_multiplier():
    rng = np.random.default_rng(3)
    model = tiny_stylegan(target_resolution=8, resolution=8, filters=[8, 6])
    mapping = model.generator.get_layer("mapping_0")
    assert isinstance(mapping, EqualizedDense) and mapping.lr_multiplier == 0.01
    # Stored kernel N(0, 1 / 0.01^2); the applied one carries the 0.01 back.
    assert 50 < mapping.kernel.numpy().std() < 200
    assert 0.3 < mapping.effective_kernel().numpy().std() * np.sqrt(8) < 3
    randomize(model, rng)
    a = model.generate(2, seed=0, noise_mode="random").numpy()
    b = model.generate(2, seed=0, noise_mode="random").numpy()
    assert np.abs(a - b).max() > 1e-4
    np.testing.assert_array_equal(model.generate(2, seed=0).numpy(), model.generate(2, seed=0).numpy())
    with pytest.raises(ValueError, match="noise_mode"):
        model.generate(2, noise_mode="fixed")


def test_fixed_resolution_fit_updates_w_avg_ema_and_round_trips(tmp_path):
    model = tiny_stylegan(target_resolution=8, start_resolution=8, filters=[8, 6], ema_decay=0.9)
    assert model.resolution == 8 and FAMILIES["stylegan"] is StyleGAN
    model.compile(r1_interval=2)
    assert (model.r1_weight, model.loss_name, model.gradient_penalty_weight) == (10.0, "non_saturating", 0.0)
    images = np.random.default_rng(4).uniform(-1, 1, (16, 8, 8, 3)).astype(np.float32)
    ds = tf.data.Dataset.from_tensor_slices(images).batch(8, drop_remainder=True)
    before = layer_weights(model.generator)
    history = model.fit(ds, epochs=1, steps_per_epoch=2, verbose=0)
    for key in ("d_loss", "g_loss", "r1_penalty"):
        assert np.isfinite(history.history[key][0]) and key in history.history
    after = layer_weights(model.generator)
    assert not np.array_equal(before["mapping_0"][0], after["mapping_0"][0])
    assert np.abs(model.generator.get_layer("truncation").w_avg.numpy()).max() > 0
    # The EMA generator copies w_avg (a buffer) and averages the weights.
    np.testing.assert_array_equal(model.w_avg.numpy(), model.generator.get_layer("truncation").w_avg.numpy())
    ema = layer_weights(model.ema_generator)
    assert not np.array_equal(ema["mapping_0"][0], after["mapping_0"][0])
    check_generate(model, (8, 8, 3))
    check_config_round_trip(model)
    path = str(tmp_path / "stylegan.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is StyleGAN and isinstance(loaded.generator, StyleGANGenerator)
    for kwargs in ({}, {"truncation_psi": 0.5}):
        np.testing.assert_array_equal(
            model.generate(3, seed=5, **kwargs).numpy(), loaded.generate(3, seed=5, **kwargs).numpy()
        )
    assert int(loaded.d_optimizer.iterations) == 2 and loaded.r1_interval == 2


def test_bad_arguments_are_named():
    for kwargs, match in [
        (dict(style_mode="adaptive"), "style_mode"),
        (dict(style_mixing_prob=1.5), "style_mixing_prob"),
        (dict(mapping_layers=0), "mapping_layers"),
        (dict(w_dim=0), "w_dim"),
        (dict(target_resolution=12), "target_resolution"),
    ]:
        with pytest.raises(ValueError, match=match):
            tiny_stylegan(**kwargs)
    model = tiny_stylegan(target_resolution=8, resolution=8, filters=[8, 6])
    with pytest.raises(ValueError, match=r"`z` must have shape \[batch, 8\]"):
        model.mapping(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="`w` must have shape"):
        model.synthesis(np.zeros((2, 3, 8), np.float32))
    with pytest.raises(ValueError, match="truncation_cutoff"):
        model.generate(2, truncation_cutoff=0)
    with pytest.raises(ValueError, match="not conditional"):
        model.generate(2, labels=[0, 1])


@pytest.mark.slow  # a subprocess growing 4 -> 8 on 2 logical CPUs: ~55 s on 2 cores
def test_progressive_schedule_4_8_under_mirrored_strategy_in_subprocess():
    out = run_mirrored_schedule(
        "StyleGAN(target_resolution=8, channels=1, latent_dim=4, filters=4, mapping_layers=2, "
        "style_mode='modulated', seed=0)",
        "r1_interval=2",
    )
    assert out["replicas"] == 2 and out["resolutions"] == [4, 8]
    assert out["alpha"] == 1.0 and out["shape"] == [3, 8, 8, 1]
    assert out["mirrored"] == "MirroredVariable"
    assert out["w_avg"] > 0
    assert len(out["losses"]) == 4 and np.all(np.isfinite(out["losses"]))
