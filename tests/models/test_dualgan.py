"""DualGAN: the paper's defaults, weight clipping keeps both critics in
[-c, c] through training (and after save/load), the gradient-penalty option
replaces clipping, the reconstruction terms are 0 for identity generators,
translate directions; under MirroredStrategy on 2 logical CPUs it equals one
device (slow)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.models import DualGAN, WeightClip
from tests.conftest import REPO_ROOT
from tests.replica_checks import run_worker_script

C = 0.01


def _data(n=8, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (n, 16, 16, 1)).astype("float32")
    b = np.tanh(1.5 * a[:, ::-1] + 0.2).astype("float32")
    return a, b, tf.data.Dataset.from_tensor_slices({"a": a, "b": b}).batch(4)


def _critic_values(model):
    return [np.array(v) for net in (model.d_a, model.d_b) for v in net.trainable_variables]


def test_paper_defaults_and_terms():
    gan = DualGAN.from_preset("tiny")
    gan.compile()
    assert gan.n_critic == 2
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.RMSprop)
        assert float(optimizer.learning_rate) == pytest.approx(5e-5)
    weights = {t.name: t.weight for ts in gan.terms.values() for t in ts}
    assert weights == {"d_loss_a": 1.0, "d_loss_b": 1.0, "g_loss_a": 1.0, "g_loss_b": 1.0,
                       "reconstruction_a": 100.0, "reconstruction_b": 100.0}
    assert {t.loss for ts in gan.terms.values() for t in ts if hasattr(t, "loss")} == {"wasserstein"}
    assert gan.clip_value == C
    with pytest.raises(ValueError, match="clip_value"):
        WeightClip(0.0)


def test_weight_clipping_keeps_both_critics_in_range_through_fit_and_reload(tmp_path):
    gan = DualGAN.from_preset("tiny")
    before_compile = _critic_values(gan)
    assert max(np.abs(v).max() for v in before_compile) > C  # N(0, 0.02) kernels: clipping has work to do
    gan.compile(run_eagerly=True)  # eager: quicker than tracing the step for 2 tiny steps
    assert max(np.abs(v).max() for v in _critic_values(gan)) <= C  # clipped at compile
    start = _critic_values(gan)
    a, _, ds = _data()
    history = gan.fit(ds, epochs=1, verbose=0).history
    after = _critic_values(gan)
    assert int(gan.d_optimizer.iterations) == 2 and int(gan.g_optimizer.iterations) == 1
    assert max(np.abs(v).max() for v in after) <= C + 1e-9
    # The critics trained (not frozen at the bound), some weights sit on it.
    assert any(not np.array_equal(x, y) for x, y in zip(start, after))
    assert sum(int(np.isclose(np.abs(v), C).sum()) for v in after) > 0
    assert all(np.isfinite(v).all() for v in history.values())
    # Only the critics are clipped.
    assert max(float(np.abs(np.array(v)).max()) for v in gan.g_ab.trainable_variables) > C
    # Saved and loaded: same translations, and the clipping comes back with compile.
    gan.save(tmp_path / "dualgan.keras")
    loaded = keras.saving.load_model(tmp_path / "dualgan.keras")
    np.testing.assert_array_equal(gan.translate(a).numpy(), loaded.translate(a).numpy())
    np.testing.assert_array_equal(gan.translate(a, "b2a").numpy(), loaded.translate(a, "b2a").numpy())
    constraints = {type(v.constraint).__name__ for net in (loaded.d_a, loaded.d_b) for v in net.trainable_variables}
    assert constraints == {"WeightClip"}
    assert loaded.d_a.trainable_variables[0].constraint.clip_value == C


def test_gradient_penalty_replaces_clipping():
    gan = DualGAN.from_preset("tiny", discriminator_norm="instance")
    gan.compile()  # clipping first ...
    gan.compile(gradient_penalty_weight=10.0, run_eagerly=True)  # ... then the penalty instead
    assert gan.clip_value is None
    assert all(v.constraint is None for net in (gan.d_a, gan.d_b) for v in net.trainable_variables)
    names = {t.name: t.weight for t in gan.terms["discriminator"]}
    assert names == {"d_loss_a": 1.0, "d_loss_b": 1.0, "gradient_penalty_a": 10.0, "gradient_penalty_b": 10.0}
    # Compiling with the penalty set constraints to None but the first compile had clipped
    # the weights: scale them up so that unclipped training is visible.
    for net in (gan.d_a, gan.d_b):
        for v in net.trainable_variables:
            v.assign(v * 5.0)
    _, _, ds = _data(4)
    history = gan.fit(ds, epochs=1, verbose=0).history  # one critic step
    assert max(np.abs(v).max() for v in _critic_values(gan)) > 2 * C
    assert history["gradient_penalty_a"][0] > 0 and np.isfinite(history["gradient_penalty_b"][0])
    gan.compile(clip_value=0.0)  # no penalty, no clipping: allowed, nothing clipped
    assert gan.clip_value is None and gan.d_a.trainable_variables[0].constraint is None


def test_reconstruction_terms_are_zero_for_identity_generators():
    gan = DualGAN.from_preset("tiny")
    gan.compile()
    identity = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Identity()])
    a, b, _ = _data(3)
    gan.g_ab = gan.g_ba = identity
    ctx = gan.forward("generator", {"a": tf.constant(a), "b": tf.constant(b)})
    recon = {t.name: t for t in gan.terms["generator"] if t.name.startswith("reconstruction")}
    for name, term in recon.items():
        np.testing.assert_array_equal(term.compute(ctx).numpy(), np.zeros(3))
    shifted = DualGAN.from_preset("tiny")
    shifted.compile()
    shift = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Rescaling(1.0, offset=0.25)])
    shifted.g_ab = shift
    shifted.g_ba = identity
    ctx = shifted.forward("generator", {"a": tf.constant(a), "b": tf.constant(b)})
    # a -> a + 0.25 -> a + 0.25: the round trip of a misses by 0.25, and so does b's.
    np.testing.assert_allclose(recon["reconstruction_a"].compute(ctx).numpy(), np.full(3, 0.25), atol=1e-6)
    np.testing.assert_allclose(recon["reconstruction_b"].compute(ctx).numpy(), np.full(3, 0.25), atol=1e-6)


def test_translate_directions():
    gan = DualGAN.from_preset("tiny")
    x = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(gan.translate(x).numpy(), gan.g_ab(x, training=False).numpy(), atol=1e-6)
    np.testing.assert_allclose(gan.translate(x, direction="b2a").numpy(), gan.g_ba(x, training=False).numpy(),
                               atol=1e-6)
    np.testing.assert_array_equal(gan(x).numpy(), gan.translate(x).numpy())
    with pytest.raises(ValueError, match="direction='up'"):
        gan.translate(x, direction="up")
    with pytest.raises(ValueError, match="norm"):
        DualGAN.from_preset("tiny", discriminator_norm="layer")


@pytest.mark.slow  # two subprocess runs on 2 logical CPUs, about 1-3 minutes on 2 shared cores
def test_dualgan_on_two_replicas_equals_one_device(tmp_path):
    results = run_worker_script(REPO_ROOT / "tests" / "models" / "translation_worker.py", tmp_path,
                                timeout=600, args=["dualgan"])
    result = results["dualgan"]
    assert result["replicas"] == 2
    assert result["iterations"] == [[4, 2], [4, 2]]  # n_critic 2: the conditional generator step ran
    assert result["max_moved"] > 1e-3
    assert result["max_abs_diff"] < 1e-5, result
    for key, (ref, dist) in result["losses"].items():
        assert dist == pytest.approx(ref, rel=1e-4, abs=1e-6), key
