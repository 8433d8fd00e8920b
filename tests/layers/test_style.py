import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.layers import (
    AdaIN,
    LearnedConstant,
    ModulatedConv2D,
    NoiseInjection,
    ScaledLeakyReLU,
    StyleMixing,
    Truncation,
)


def test_modulated_conv_equals_per_sample_modulated_demodulated_kernels():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 6, 6, 4)).astype(np.float32)
    ws = rng.normal(size=(3, 2, 5)).astype(np.float32)
    for demodulate in (True, False):
        layer = ModulatedConv2D(7, 3, w_index=1, demodulate=demodulate)
        layer.build([x.shape, ws.shape])
        layer.bias.assign(rng.normal(size=7).astype(np.float32))
        out = layer([x, ws]).numpy()
        # Reference: one explicit kernel per sample, as the paper writes it.
        kernel = layer.kernel.numpy() * layer.scale
        s = ws[:, 1] @ (layer.affine_kernel.numpy() * layer.affine_scale) + layer.affine_bias.numpy()
        for b in range(3):
            k = kernel * s[b][None, None, :, None]
            if demodulate:
                k = k / np.sqrt(np.sum(k**2, axis=(0, 1, 2), keepdims=True) + 1e-8)
            ref = tf.nn.conv2d(x[b : b + 1], k, 1, "SAME").numpy()[0] + layer.bias.numpy()
            np.testing.assert_allclose(out[b], ref, rtol=1e-4, atol=1e-4)
    # The style's bias starts at 1 (an untrained layer modulates by about 1).
    fresh = ModulatedConv2D(2, 1, w_index=0)
    fresh([x, ws])
    np.testing.assert_array_equal(fresh.affine_bias.numpy(), np.ones(4, np.float32))


def test_demodulation_gives_unit_variance_outputs_for_unit_inputs():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 16, 16, 32)).astype(np.float32)
    ws = 3.0 * rng.normal(size=(4, 1, 8)).astype(np.float32)
    out = ModulatedConv2D(32, 3, w_index=0)([x, ws]).numpy()
    # Whatever the style's magnitude, each output channel has ~unit std.
    assert 0.8 < out.std(axis=(1, 2)).mean() < 1.2


def test_adain_sets_instance_statistics_from_the_style():
    rng = np.random.default_rng(2)
    x = 5.0 + 3.0 * rng.normal(size=(2, 8, 8, 3)).astype(np.float32)
    ws = rng.normal(size=(2, 3, 4)).astype(np.float32)
    layer = AdaIN(w_index=2)
    out = layer([x, ws]).numpy()
    style = ws[:, 2] @ (layer.affine_kernel.numpy() * layer.affine_scale) + layer.affine_bias.numpy()
    scale, bias = style[:, :3], style[:, 3:]
    np.testing.assert_allclose(out.mean(axis=(1, 2)), bias, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(1, 2)), np.abs(1 + scale), rtol=1e-3)


def test_noise_injection_modes_and_learned_strength():
    x = np.zeros((3, 4, 4, 2), np.float32)
    layer = NoiseInjection()
    const = np.zeros(3, np.float32)
    # The strength starts at 0: no noise at all.
    np.testing.assert_array_equal(layer([x, np.ones(3, np.float32)]).numpy(), x)
    layer.strength.assign([2.0, -1.0])
    a = layer([x, const]).numpy()
    np.testing.assert_allclose(a[..., 0], 2.0 * layer.const_noise.numpy()[..., 0].repeat(3, axis=0))
    np.testing.assert_allclose(a[..., 1], -a[..., 0] / 2.0)
    np.testing.assert_array_equal(a, layer([x, const]).numpy())
    r1, r2 = layer([x, np.ones(3, np.float32)]).numpy(), layer([x, np.ones(3, np.float32)]).numpy()
    assert not np.allclose(r1, r2) and not np.allclose(r1[0], r1[1])
    # Per example: example 1 random, the others fixed.
    mixed = layer([x, np.array([0.0, 1.0, 0.0], np.float32)]).numpy()
    np.testing.assert_allclose(mixed[[0, 2]], a[[0, 2]])
    assert not np.allclose(mixed[1], a[1])


def test_mixing_truncation_and_running_average():
    rng = np.random.default_rng(3)
    w, w_mix = rng.normal(size=(2, 3)).astype(np.float32), rng.normal(size=(2, 3)).astype(np.float32)
    mix = np.array([[0, 0, 1, 1], [0, 0, 0, 0]], np.float32)
    ws = StyleMixing()([w, w_mix, mix]).numpy()
    np.testing.assert_array_equal(ws[0, :2], [w[0], w[0]])
    np.testing.assert_array_equal(ws[0, 2:], [w_mix[0], w_mix[0]])
    np.testing.assert_array_equal(ws[1], np.repeat(w[1:], 4, axis=0))

    trunc = Truncation(beta=0.9)
    psi = np.array([[0.0, 0.5, 1.0, 1.0]] * 2, np.float32)
    out = trunc([ws, psi, w], training=True).numpy()
    w_avg = 0.1 * w.mean(axis=0)  # from 0: mean + 0.9 * (0 - mean)
    np.testing.assert_allclose(trunc.w_avg.numpy(), w_avg, rtol=1e-6)
    np.testing.assert_allclose(out[:, 0], np.broadcast_to(w_avg, (2, 3)), rtol=1e-6)
    np.testing.assert_allclose(out[:, 1], w_avg + 0.5 * (ws[:, 1] - w_avg), rtol=1e-6)
    np.testing.assert_allclose(out[:, 2:], ws[:, 2:], rtol=1e-6)
    trunc([ws, psi, w], training=False)
    np.testing.assert_allclose(trunc.w_avg.numpy(), w_avg, rtol=1e-6)  # only training updates it


def test_constant_config_round_trips_and_bad_arguments():
    const = LearnedConstant(4, 3)
    out = const(np.zeros((5, 2, 7), np.float32)).numpy()
    # One learned N(0, 1) map, the same for every example of the batch.
    assert out.shape == (5, 4, 4, 3) and 0.3 < out[0].std() < 2.0
    np.testing.assert_array_equal(out, np.repeat(const.const.numpy(), 5, axis=0))
    act = ScaledLeakyReLU()
    np.testing.assert_allclose(act(np.array([-1.0, 2.0], np.float32)).numpy(), np.sqrt(2) * np.array([-0.2, 2.0]), rtol=1e-6)
    layers = (const, act, AdaIN(2), ModulatedConv2D(3, 3, w_index=1, demodulate=False), Truncation(0.5))
    for layer in layers:
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    with pytest.raises(ValueError, match="w_index"):
        AdaIN(-1)
    with pytest.raises(ValueError, match="reads style 3"):
        AdaIN(3)([np.zeros((1, 4, 4, 2), np.float32), np.zeros((1, 3, 4), np.float32)])
    with pytest.raises(ValueError, match="beta"):
        Truncation(1.0)
    with pytest.raises(ValueError, match="filters"):
        ModulatedConv2D(0, 3, w_index=0)
    assert keras.saving.get_registered_object("kerasgan>ModulatedConv2D") is ModulatedConv2D

