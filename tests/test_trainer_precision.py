"""`train(precision=...)` / `kerasgan train --precision`: the policy reaches
every layer, is recorded and enforced on resume, and is restored after; bf16
and float32 losses agree at initialisation."""

import json

import keras
import numpy as np
import pytest

from kerasgan import cli, trainer
from kerasgan.models import DCGAN
from tests.trainer_checks import TINY_DCGAN_RUN as TINY


def test_bf16_run_trains_in_bf16_records_it_and_restores_the_policy(tmp_path):
    out = tmp_path / "bf16"
    model, history = trainer.train(out=str(out), epochs=1, precision="bf16", **TINY)
    assert keras.mixed_precision.global_policy().name == "float32"  # restored after the run
    policies = {layer.dtype_policy.name for layer in model.generator._flatten_layers(include_self=False)}
    assert "mixed_bfloat16" in policies
    assert all(np.isfinite(v).all() for v in history.history.values())
    run = json.loads((out / "run.json").read_text())
    assert run["precision"] == "mixed_bfloat16"
    images = np.asarray(model.generate(4, seed=0))
    assert images.dtype == np.float32 and np.all(np.abs(images) <= 1)
    # A family is rebuilt from its constructor arguments: loaded under the
    # float32 policy it samples in float32 from the same (float32) weights.
    loaded = keras.saving.load_model(str(out / "model.keras"))
    assert {l.dtype_policy.name for l in loaded.generator._flatten_layers(include_self=False)} == {"float32"}
    np.testing.assert_allclose(np.asarray(loaded.generate(4, seed=0)), images, atol=0.1)
    assert np.abs(np.asarray(loaded.generate(4, seed=0)) - images).max() > 0  # computed in another precision
    # A resume in another precision is refused, naming it; float32 runs record nothing.
    with pytest.raises(ValueError, match="precision: 'mixed_bfloat16' -> None"):
        trainer.train(out=str(out), epochs=2, **TINY)
    assert keras.mixed_precision.global_policy().name == "float32"
    trainer.train(out=str(tmp_path / "fp32"), epochs=1, **TINY)
    assert "precision" not in json.loads((tmp_path / "fp32" / "run.json").read_text())


def test_unknown_precision_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="Unknown precision 'int8'"):
        trainer.train(out=str(tmp_path / "x"), epochs=1, precision="int8", **TINY)
    assert not (tmp_path / "x").exists()
    assert cli.main(["train", "dcgan", "--precision", "bf16", "--dry-run", "--out", str(tmp_path / "y")]) == 0
    assert not (tmp_path / "y").exists()


def test_bf16_and_float32_losses_agree_at_initialisation():
    """The same weights and batch: the losses of one step's forward passes
    agree to 2% (bfloat16 keeps 8 bits of mantissa: about 0.4% per rounding)."""
    x = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype("float32")
    losses = {}
    weights = None
    for name in ("float32", "mixed_bfloat16"):
        keras.mixed_precision.set_global_policy(name)
        try:
            model = DCGAN((16, 16, 1), 8, 8, 8, seed=0)
            model.compile()
            if weights is None:
                weights = model.get_weights()
            else:
                model.set_weights(weights)
            losses[name] = _losses(model, x)
        finally:
            keras.mixed_precision.set_global_policy("float32")
    for key, value in losses["float32"].items():
        assert losses["mixed_bfloat16"][key] == pytest.approx(value, rel=2e-2), key


def _losses(model, x):
    """Discriminator and generator losses of the model's own forward passes
    on `x`, with fixed latents (no update)."""
    import tensorflow as tf

    batch = model.unpack_batch(tf.constant(x))
    out = {}
    for role in ("discriminator", "generator"):
        model.seed_generator = keras.random.SeedGenerator(7)  # the same latents in both precisions
        ctx = model.forward(role, batch)
        for term in model.terms[role]:
            out[term.name] = float(tf.reduce_mean(tf.cast(term.compute(ctx), tf.float32)))
    assert set(out) >= {"d_loss", "g_loss"}
    return out
