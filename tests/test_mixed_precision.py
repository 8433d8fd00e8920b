"""The GAN train step under mixed precision and under XLA (`jit_compile=True`),
on one device.

Mixed precision: this CPU has no bfloat16 or float16 arithmetic units, so
these tests check correctness (finite losses, float32 outputs, loss-scale
wrapping), not speed. XLA under several replicas is refused by
`GAN.compile` (tests/test_distribute.py).

XLA runs are not compared number for number with plain runs: under XLA
`tf.random.stateless_*` picks another algorithm (measured:
`stateless_normal([3], seed=[1, 2])` gives other values with
`jit_compile=True`), so the same seed draws other latents.
"""

import keras
import numpy as np
import pytest

from kerasgan.models import CGAN, DCGAN, WGANGP, VanillaGAN
from tests.models.model_checks import tiny_dataset, weights_of

SHAPE = (16, 16, 1)


@pytest.fixture
def policy():
    """Sets a global dtype policy for one test and restores float32 after."""
    def set_policy(name):
        keras.mixed_precision.set_global_policy(name)

    yield set_policy
    keras.mixed_precision.set_global_policy("float32")


def small(family, **kwargs):
    if family is DCGAN:
        return DCGAN(SHAPE, 8, 8, 8, seed=0, **kwargs)
    if family is WGANGP:
        return WGANGP(SHAPE, 8, 8, 8, seed=0, **kwargs)
    if family is CGAN:
        return CGAN(SHAPE, 3, 8, 4, 8, 8, seed=0, **kwargs)
    return VanillaGAN((8, 8, 1), 8, (16,), (16,), seed=0, **kwargs)


def fit_finite(model, steps=2, num_classes=None):
    shape = model.image_shape
    history = model.fit(
        tiny_dataset(shape, num_batches=steps, num_classes=num_classes), epochs=1, verbose=0
    )
    for key, values in history.history.items():
        assert np.all(np.isfinite(values)), f"{key} is not finite: {values}"
    return history


# ------------------------------------------------------------ mixed precision
@pytest.mark.parametrize("family", [DCGAN, WGANGP])
def test_mixed_bfloat16_trains_with_float32_outputs(policy, family):
    policy("mixed_bfloat16")
    model = small(family, ema_decay=0.9)
    assert model.generator.dtype_policy.name == "mixed_bfloat16"
    # The last layers are float32: images and logits leave the networks in float32.
    assert model.generator.outputs[0].dtype == "float32"
    assert model.discriminator.outputs[0].dtype == "float32"
    hidden = model.generator.get_layer("project")
    assert hidden.compute_dtype == "bfloat16" and hidden.variable_dtype == "float32"
    # bfloat16 has float32's range: no loss scaling.
    model.compile(**({"n_critic": 2} if family is WGANGP else {}))
    assert not isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    before = weights_of(model.generator)
    history = fit_finite(model, steps=2)
    if family is WGANGP:
        assert np.isfinite(history.history["gradient_penalty"]).all()
    assert any(not np.array_equal(a, b) for a, b in zip(before, weights_of(model.generator)))
    images = model.generate(3, seed=0)
    assert images.dtype == "float32"
    assert all(w.dtype == "float32" for w in model.ema_generator.weights)


def test_mixed_float16_wraps_both_optimizers(policy):
    """Keras wraps only `model.optimizer` in a LossScaleOptimizer; a GAN has
    two, and both must scale their loss."""
    policy("mixed_float16")
    model = small(WGANGP)
    model.compile(n_critic=2)
    for optimizer in (model.d_optimizer, model.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        assert float(optimizer.scale_loss(1.0)) == float(optimizer.dynamic_scale) > 1.0
    # An optimizer given as an instance is wrapped too; a wrapped one is kept.
    given = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-3))
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=given)
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert model.g_optimizer is given
    history = fit_finite(model, steps=2)
    assert int(model.d_optimizer.iterations) == 2
    assert np.isfinite(history.history["gradient_penalty"]).all()


def test_mixed_float16_dcgan_trains(policy):
    policy("mixed_float16")
    model = small(DCGAN)
    model.compile()
    fit_finite(model, steps=2)
    assert model.generate(2, seed=1).dtype == "float32"


# ----------------------------------------------------------------------- XLA
@pytest.mark.parametrize("family", [DCGAN, WGANGP, CGAN, VanillaGAN])
def test_jit_compile_every_family(family):
    """XLA on one device, for every family; WGAN-GP with the gradient penalty
    (nested tapes) and n_critic=2 (tf.cond)."""
    model = small(family)
    model.compile(jit_compile=True, **({"n_critic": 2} if family is WGANGP else {}))
    assert model.jit_compile
    history = fit_finite(model, steps=2, num_classes=3 if family is CGAN else None)
    assert int(model.d_optimizer.iterations) == 2
    if family is WGANGP:
        assert int(model.g_optimizer.iterations) == 1
        assert np.isfinite(history.history["gradient_penalty"]).all()


# ------------------------------------------------- progressive / style families
def tiny_style(**kwargs):
    from kerasgan.models import StyleGAN

    return StyleGAN(target_resolution=8, start_resolution=8, channels=1, latent_dim=4,
                    filters=4, mapping_layers=2, style_mode="modulated", seed=0, **kwargs)


@pytest.mark.slow  # ~50 s (XLA compiles StyleGAN): CI runs it with the slow checks
def test_stylegan_mixed_bfloat16_and_xla_with_lazy_r1(policy):
    """StyleGAN's normalising layers (AdaIN, demodulation, w_avg) run in
    float32 inside; under bf16 and under XLA (lazy R1 is a tf.cond around a
    nested tape) the losses stay finite and the images float32."""
    from kerasgan.models import ProGAN

    policy("mixed_bfloat16")
    model = tiny_style()
    model.compile(r1_interval=2)
    history = fit_finite(model, steps=2)
    assert np.isfinite(history.history["r1_penalty"]).all()
    assert model.generate(2, seed=0, truncation_psi=0.5).dtype == "float32"
    assert model.generator.get_layer("block_8_conv0").compute_dtype == "bfloat16"
    policy("float32")
    for model in (tiny_style(), ProGAN(target_resolution=8, channels=1, latent_dim=4, filters=4, seed=0)):
        model.compile(jit_compile=True, **({"r1_interval": 2} if hasattr(model, "w_dim") else {}))
        fit_finite(model, steps=2)
        assert int(model.d_optimizer.iterations) == 2


# float16 is emulated on CPUs (~30 s): the default run checks bfloat16, CI both.
@pytest.mark.parametrize("policy_name", [pytest.param("mixed_float16", marks=pytest.mark.slow), "mixed_bfloat16"])
def test_spectrally_normalised_families_train_and_keep_float32_kernels(policy, policy_name):
    """BigGAN (spectral norm, conditional BN, attention, orthogonal term)
    trains with finite losses and its spectrally normalised kernels are not
    rounded to half precision by the training calls."""
    from kerasgan.models import BigGAN

    policy(policy_name)
    model = BigGAN.from_preset("tiny")
    model.compile()
    fit_finite(model, steps=2, num_classes=3)
    half = {"mixed_float16": np.float16}.get(policy_name)
    wrappers = [l for l in model.discriminator._flatten_layers() if isinstance(l, keras.layers.SpectralNormalization)]
    assert wrappers
    for layer in wrappers:
        kernel = layer.kernel.numpy()
        assert kernel.dtype == np.float32 and np.all(np.isfinite(kernel))
        if half is not None and kernel.size > 16:
            assert np.any(kernel != kernel.astype(half).astype(np.float32)), layer.name
