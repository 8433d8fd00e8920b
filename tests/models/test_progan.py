import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.callbacks.progressive import ProgressiveSchedule
from kerasgan.engine import StepContext
from kerasgan.models.progan import (
    ProGAN,
    ProGANDiscriminator,
    ProGANGenerator,
    train_progressive,
)
from tests.models.model_checks import check_config_round_trip
from tests.trainer_checks import run_mirrored_schedule

TINY = dict(target_resolution=16, channels=3, latent_dim=8, filters=[8, 6, 4], seed=0)


def tiny_progan(**kwargs):
    return ProGAN(**{**TINY, **kwargs})


def avgpool2(x):
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def upsample2(x):
    return x.repeat(2, axis=1).repeat(2, axis=2)


def net_out(network, x, alpha):
    alpha = np.full((x.shape[0],), alpha, np.float32)
    return keras.ops.convert_to_numpy(network([x, alpha], training=False))


def layer_weights(network):
    return {
        layer.name: [np.array(w) for w in layer.weights] for layer in network.layers if layer.weights
    }


def test_grow_at_alpha_zero_is_the_old_model_and_carries_state():
    rng = np.random.default_rng(0)
    model = tiny_progan(ema_decay=0.9)
    model.compile()
    z = rng.normal(size=(4, 8)).astype(np.float32)
    for resolution in (4, 8):
        # State as after some training (tracing fit here costs seconds):
        # optimizer counts and moments, weights, an EMA apart from them.
        model.d_optimizer.iterations.assign(5 * resolution)
        for var in model.d_optimizer.variables[2:] + model.g_optimizer.variables[2:]:
            var.assign(np.abs(rng.normal(size=var.shape)).astype(np.float32))
        for var in model.generator.weights + model.discriminator.weights + model.ema_generator.weights:
            var.assign(rng.normal(size=var.shape).astype(np.float32))
        # The previous phase is fully faded in when it is grown.
        old_g, old_d, old_ema = model.generator, model.discriminator, model.ema_generator
        images = rng.uniform(-1, 1, size=(4, 2 * resolution, 2 * resolution, 3)).astype(np.float32)
        g_before = net_out(old_g, z, 1.0)
        d_before = net_out(old_d, avgpool2(images), 1.0)
        g_weights, d_weights, ema_weights = map(layer_weights, (old_g, old_d, old_ema))
        d_slots = {v.path: np.array(v) for v in model.d_optimizer.variables}
        g_slots = {v.path: np.array(v) for v in model.g_optimizer.variables}
        d_iterations = int(model.d_optimizer.iterations)
        model.alpha.assign(1.0)

        report = model.grow()

        assert model.resolution == 2 * resolution
        assert model.image_shape == (2 * resolution, 2 * resolution, 3)
        assert float(model.alpha) == 0.0
        assert model.train_function is None
        np.testing.assert_allclose(net_out(model.generator, z, 0.0), upsample2(g_before), atol=1e-5)
        np.testing.assert_allclose(net_out(model.discriminator, images, 0.0), d_before, atol=1e-5)
        # Persisting layers: identical weights in new variables; new layers are new.
        new_g, new_d = layer_weights(model.generator), layer_weights(model.discriminator)
        r2 = 2 * resolution
        assert set(new_g) - set(g_weights) == {f"block_{r2}_conv0", f"block_{r2}_conv1", f"to_rgb_{r2}"}
        assert set(new_d) - set(d_weights) == {f"block_{r2}_conv0", f"block_{r2}_conv1", f"from_rgb_{r2}"}
        assert set(report["generator"]) == set(new_g) & set(g_weights)
        assert not np.array_equal(new_g[f"to_rgb_{r2}"][0], g_weights[f"to_rgb_{resolution}"][0])
        assert not np.array_equal(new_d[f"from_rgb_{r2}"][0], d_weights[f"from_rgb_{resolution}"][0])
        for new, old in ((new_g, g_weights), (new_d, d_weights), (layer_weights(model.ema_generator), ema_weights)):
            for name in set(new) & set(old):
                for a, b in zip(new[name], old[name]):
                    np.testing.assert_array_equal(a, b)
        old_ids = {id(v) for v in old_g.weights + old_d.weights}
        assert not old_ids & {id(v) for v in model.weights}
        # The EMA generator keeps its own average for persisting layers.
        assert not np.array_equal(new_g["block_4_conv"][0], layer_weights(model.ema_generator)["block_4_conv"][0])
        # The model holds exactly the new networks (as one built at 2r).
        fresh = tiny_progan(ema_decay=0.9, resolution=2 * resolution)
        assert [tuple(w.shape) for w in model.weights] == [tuple(w.shape) for w in fresh.weights]
        # Optimizer state of persisting variables is carried, new slots are zero.
        assert int(model.d_optimizer.iterations) == d_iterations > 0
        for optimizer, old_slots in ((model.d_optimizer, d_slots), (model.g_optimizer, g_slots)):
            carried = 0
            for var in optimizer.variables:
                if var.path in old_slots:
                    np.testing.assert_array_equal(np.array(var), old_slots[var.path])
                    carried += "momentum" in var.path
                elif f"block_{r2}" in var.path:
                    assert not np.any(np.array(var))
            assert carried > 0
    with pytest.raises(ValueError, match="target resolution"):
        model.grow()


def test_full_schedule_4_8_16_fades_in_and_generates():
    images16 = np.random.default_rng(1).uniform(-1, 1, size=(16, 16, 16, 3)).astype(np.float32)

    def dataset_fn(resolution, batch_size):
        x = images16
        while x.shape[1] > resolution:
            x = avgpool2(x)
        return tf.data.Dataset.from_tensor_slices(x).batch(batch_size, drop_remainder=True)

    model = tiny_progan()
    model.compile()
    schedule = ProgressiveSchedule(
        fade_in_images=24, stabilize_images=8, batch_size={4: 8, 8: 8, 16: 4}
    )
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append((model.resolution, float(logs["alpha"])))
    )
    histories = train_progressive(model, dataset_fn, schedule, callbacks=[record])

    assert [h.history["resolution"][0] for h in histories] == [4, 8, 16]
    for h in histories:
        for key in ("d_loss", "g_loss", "gradient_penalty"):
            assert np.all(np.isfinite(h.history[key])), (key, h.history)
    # 4x4: 8 images at batch 8 (no fade); 8x8: 24 fade + 8 stable at batch 8;
    # 16x16: 24 fade + 8 stable at batch 4. Alpha is linear over the fade.
    alphas = {r: [a for res, a in seen if res == r] for r in (4, 8, 16)}
    np.testing.assert_allclose(alphas[4], [1.0])
    np.testing.assert_allclose(alphas[8], [0.0, 1 / 3, 2 / 3, 1.0])
    np.testing.assert_allclose(alphas[16], [0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1, 1])
    assert int(model.images_seen) == schedule.total_images(4, 16) == 8 + 32 + 32
    assert model.resolution == 16 and float(model.alpha) == 1.0
    samples = model.generate(5, seed=0).numpy()
    assert samples.shape == (5, 16, 16, 3)
    assert samples.min() >= -1.0 and samples.max() <= 1.0 and samples.std() > 0
    # Finished: running it again trains nothing.
    assert train_progressive(model, dataset_fn, schedule) == []


def test_config_and_keras_round_trip_at_grown_resolution(tmp_path):
    model = tiny_progan()
    model.compile()
    model.grow()
    model.alpha.assign(0.25)
    # Optimizer state to carry through the file (as after some training).
    model.d_optimizer.iterations.assign(7)
    rng = np.random.default_rng(2)
    for var in model.g_optimizer.variables[2:]:
        var.assign(rng.normal(size=var.shape).astype(np.float32))
    config = model.get_config()
    assert config["resolution"] == 8 and config["alpha"] == 0.25 and config["filters"] == [8, 6, 4]
    check_config_round_trip(model)
    path = str(tmp_path / "progan.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is ProGAN and loaded.resolution == 8 and float(loaded.alpha) == 0.25
    assert loaded.image_shape == (8, 8, 3)
    np.testing.assert_array_equal(model.generate(4, seed=3).numpy(), loaded.generate(4, seed=3).numpy())
    assert int(loaded.d_optimizer.iterations) == int(model.d_optimizer.iterations) == 7
    for a, b in zip(model.g_optimizer.variables, loaded.g_optimizer.variables):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    assert loaded.drift_weight == model.drift_weight == 1e-3


def test_drift_penalty_is_a_per_example_term_of_the_critic():
    model = tiny_progan(target_resolution=4, filters=4)
    model.compile()
    drift = {t.name: t for t in model.terms["discriminator"]}["drift"]
    assert drift.weight == 1e-3 and drift.per_example
    real = tf.constant([[2.0], [-1.0]])
    ctx = StepContext(model, "discriminator", None, 2, real_logits=real)
    np.testing.assert_allclose(drift.compute(ctx).numpy(), [4.0, 1.0], rtol=1e-6)
    model.compile(drift_weight=0.0)
    assert "drift" not in [t.name for t in model.terms["discriminator"]]


def test_networks_and_bad_arguments():
    g = ProGANGenerator(resolution=8, latent_dim=4, channels=1, filters=[4, 4])
    d = ProGANDiscriminator(resolution=8, channels=1, filters=[4, 4])
    assert tuple(g.output.shape) == (None, 8, 8, 1) and tuple(d.output.shape) == (None, 1)
    assert ProGANGenerator.from_config(g.get_config()).get_config() == g.get_config()
    # The paper's widths: 512 up to 32x32, then halving.
    assert ProGAN(target_resolution=128, latent_dim=4).filters == [512, 512, 512, 512, 256, 128]
    for kwargs, match in [
        (dict(target_resolution=12), "target_resolution=12"),
        (dict(resolution=32), "resolution=32"),
        (dict(start_resolution=8, resolution=4), "resolution=4"),
        (dict(alpha=1.5), "alpha"),
        (dict(filters=[4, 4]), "filters"),
        (dict(filters={4: 8, 8: 8}), "16"),
    ]:
        with pytest.raises(ValueError, match=match):
            tiny_progan(**kwargs)
    with pytest.raises(ValueError, match="batch_size"):
        ProgressiveSchedule(batch_size=0)


@pytest.mark.slow  # a subprocess growing 4 -> 8 on 2 logical CPUs: ~50 s on 2 cores
def test_mirrored_strategy_schedule_in_subprocess():
    out = run_mirrored_schedule("ProGAN(target_resolution=16, channels=1, latent_dim=4, filters=4, seed=0)")
    assert out["replicas"] == 2
    assert out["resolution"] == 16 and out["alpha"] == 1.0
    assert out["resolutions"] == [4, 8, 16]  # the full schedule 4 -> 8 -> 16 on two replicas
    assert out["shape"] == [3, 16, 16, 1]
    assert out["mirrored"] == "MirroredVariable"  # the grown networks live in the strategy
    assert len(out["losses"]) == 6 and np.all(np.isfinite(out["losses"]))
