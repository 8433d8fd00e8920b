"""kerasgan.distribute, and GAN training under MirroredStrategy and
MultiWorkerMirroredStrategy.

The distributed scenarios run in subprocesses (tests/distribute_worker.py):
logical CPU devices can only be set up before TensorFlow initialises its
devices, which the rest of the suite has done long before in this process.

How the 2-replica vs 1-device comparison is made meaningful:

- Randomness. A GAN's replicas draw *different* noise (the model's
  `ReplicaSeedGenerator` folds the replica id into every seed; checked in
  `test_replicas_draw_different_noise`), so a 2-replica run cannot reproduce
  the one-device draw of a global batch. The equivalence runs therefore take
  the randomness out of the model: latents for the discriminator and the
  generator step and the gradient-penalty interpolation weights come with
  each batch (a test-only mixin), so replica r gets exactly its rows of what
  one device gets. Everything else is the library's own train_step: loss
  scaling by the global batch, gradient all-reduce, the conditional
  (n_critic) generator step, EMA updates, metric trackers.
- Optimizer: SGD(0.1), so a mis-scaled loss shows 1:1 in the weights (Adam
  normalises the scale away).
- Batch norm. With Keras' default (per-replica statistics) two replicas
  normalise over 4 examples each instead of 8, so they *cannot* match one
  device; their moving statistics also drift apart between mirrors
  (`test_local_batch_norm_is_not_equivalent` pins this down). With
  `kerasgan.distribute.synchronize_batch_norm` the DCGAN, CGAN and WGAN-GP
  runs match.

Tolerance: atol 1e-6 on every weight after 4 steps (observed ~1e-8; the
weights move by ~0.06-0.1), losses rtol 1e-5.
"""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import distribute
from tests.conftest import REPO_ROOT

WORKER = str(REPO_ROOT / "tests" / "distribute_worker.py")
ATOL = 1e-6


def _env(**extra):
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=str(REPO_ROOT), PYTHONWARNINGS="ignore")
    env.pop("TF_CONFIG", None)
    env.update(extra)
    return env


def run_worker(tmp_path, scenario, *args, timeout=240):
    out = tmp_path / f"{scenario}.json"
    proc = subprocess.run(
        [sys.executable, WORKER, scenario, str(out), *args],
        env=_env(), cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
    )
    if proc.returncode != 0 or not out.exists():
        pytest.fail(f"worker {scenario} failed (rc={proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(out.read_text())


# ------------------------------------------------------------ strategy names
def test_strategy_names():
    tf.config.list_logical_devices("CPU")  # devices initialised, as in a real program
    assert distribute.strategy("default") is tf.distribute.get_strategy()
    auto = distribute.strategy("auto")
    if len(tf.config.list_logical_devices("GPU")) < 2:
        assert auto.num_replicas_in_sync == 1
    assert distribute.strategy("cpu:1").num_replicas_in_sync == 1
    with pytest.raises(ValueError, match="Received: name='tpu'"):
        distribute.strategy("tpu")
    with pytest.raises(ValueError, match="N >= 1"):
        distribute.strategy("cpu:0")
    with pytest.raises(ValueError, match="must be a string"):
        distribute.strategy(2)


def test_logical_cpus_after_initialisation_is_a_clear_error():
    tf.config.list_logical_devices("CPU")
    with pytest.raises(ValueError, match="already initialised its devices"):
        distribute.strategy("cpu:7")


def test_multi_worker_needs_tf_config(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="TF_CONFIG is not set"):
        distribute.strategy("multi_worker")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG must be JSON"):
        distribute.strategy("multi-worker")


def test_replica_seed_generator_is_plain_on_one_replica():
    import keras

    plain, ours = keras.random.SeedGenerator(5), distribute.ReplicaSeedGenerator(5)
    for _ in range(3):
        np.testing.assert_array_equal(
            keras.random.normal([3, 4], seed=plain), keras.random.normal([3, 4], seed=ours)
        )


def test_synchronize_batch_norm():
    from kerasgan.models import DCGAN, WGANGP

    assert distribute.synchronize_batch_norm(DCGAN((16, 16, 1), 8, 4, 4, ema_decay=0.9)) == 5  # G 2, D 1, EMA G 2
    # The WGAN-GP critic has no batch norm; its generator has two layers.
    assert distribute.synchronize_batch_norm(WGANGP((16, 16, 1), 8, 4, 4)) == 2


# ------------------------------------------------- two replicas vs one device
@pytest.fixture(scope="module")
def equivalence(tmp_path_factory):
    """DCGAN with synchronized and with Keras' local batch norm (~25 s)."""
    return run_worker(tmp_path_factory.mktemp("equivalence"), "equivalence", "dcgan:sync", "dcgan:local",
                      timeout=420)


@pytest.fixture(scope="module")
def equivalence_more(tmp_path_factory):
    """The other families (~35 s more): run with the slow checks."""
    return run_worker(tmp_path_factory.mktemp("equivalence_more"), "equivalence",
                      "gan:sync", "wgan_gp:sync", "cgan:sync", timeout=420)


# DCGAN (synchronized batch norm) in the default run; the other families
# with the slow checks that CI runs.
@pytest.mark.parametrize("family", [pytest.param("gan", marks=pytest.mark.slow), "dcgan",
                                    pytest.param("wgan_gp", marks=pytest.mark.slow),
                                    pytest.param("cgan", marks=pytest.mark.slow)])
def test_two_replicas_train_like_one_device(request, family):
    """Same initial weights, global batch 8, same noise: 2 replicas == 1 device.

    `gan` is the BN-free MLP GAN (`kerasgan.models.GAN` + MLP networks with
    dropout=0); the others use synchronized batch norm. All keep an EMA
    generator (ema_decay=0.9), compared too. WGAN-GP runs with the gradient
    penalty and n_critic=2 (4 critic, 2 generator updates).
    """
    equivalence = request.getfixturevalue("equivalence" if family == "dcgan" else "equivalence_more")
    result = equivalence[f"{family}:sync"]
    assert result["replicas"] == 2
    assert result["max_moved"] > 1e-2  # the weights really trained
    assert result["max_abs_diff"] < ATOL, result["worst"]
    assert result["mirrors_agree"], result["mirrors_disagree"]
    assert result["d_iterations"] == [4, 4]
    assert result["g_iterations"] == ([2, 2] if family == "wgan_gp" else [4, 4])
    # Reported losses are the same numbers, not divided by the replica count.
    for key, values in result["ref_history"].items():
        np.testing.assert_allclose(result["dist_history"][key], values, rtol=1e-5, atol=1e-7)


def test_local_batch_norm_is_not_equivalent(equivalence):
    """Keras' default batch norm under MirroredStrategy: per-replica statistics.

    The trainable weights stay mirrored, but they differ from the one-device
    run (normalisation over 4 examples, not 8), and the moving statistics
    differ between the two mirrors (each replica assigns its own).
    """
    result = equivalence["dcgan:local"]
    assert result["max_abs_diff"] > 1e-4
    assert result["mirrors_disagree"]
    assert all("moving_" in name for name in result["mirrors_disagree"])


def test_replicas_draw_different_noise(tmp_path):
    result = run_worker(tmp_path, "draws")
    assert result["latents_differ"], "both replicas drew the same latents"
    assert result["alpha_differ"], "both replicas drew the same GP interpolation weights"
    assert result["rows_differ_within_replica"]
    assert result["states_agree"], "the seed state mirrors drifted apart"
    assert result["same_as_plain_on_one_replica"]
    assert result["reproducible"], "the same seed gave two different distributed runs"
    # kerasgan's dropout draws a mask per replica; Keras' Dropout repeats one.
    assert result["dropout_masks_differ"]
    assert result["keras_dropout_masks_equal"]


def test_jit_compile_is_refused_with_two_replicas(tmp_path):
    result = run_worker(tmp_path, "jit")
    assert "does not work with more than one replica" in result["jit_true"]
    assert result["auto_jit"] is False and result["auto_runs"] is True


# ------------------------------------------- trainer checkpoints on 2 replicas
@pytest.mark.slow  # ~45 s on 2 cores; CI runs it with the slow checks
def test_trainer_checkpoints_under_two_replicas(tmp_path):
    """`kerasgan.trainer.train` with `strategy="cpu:2"` (synchronized batch
    norm, EMA, DCGAN 16x16, 3 steps per epoch):

    (a) a run killed after epoch 1 and resumed ends with the same state as an
        uninterrupted 2-epoch run: weights, both optimizers (iterations and
        moments) and the seed generator, on every mirror. Tolerance atol
        1e-6 (observed: bit-identical).
    (b) a checkpoint written on one device restores under two replicas: every
        mirror of every variable equals the saved value (atol 1e-6, observed
        bit-identical).
    """
    result = run_worker(tmp_path, "trainer_checkpoints", str(tmp_path / "runs"), timeout=300)
    assert result["interrupted"] and result["resumed_epochs"] == [1]
    assert result["replicas"] == [2, 2, 1, 2]
    assert result["trained"] > 1e-2  # the weights really moved
    assert result["resume_max_diff"] < ATOL
    assert result["g_iterations"] == [6, 6]
    assert result["restored_history"] is None  # restored only: nothing left to train
    assert result["restored_mirrors"] == 2 and result["restored_g_iterations"] == 3
    assert result["restore_max_diff"] < ATOL


# ------------------------------------------------------------- multi-worker
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_multi_worker_mirrored_two_workers_agree(tmp_path):
    """Two worker processes on 127.0.0.1 train the MLP GAN (EMA, n_critic=2,
    Adam) for 4 steps under MultiWorkerMirroredStrategy; both end with the
    same weights."""
    workers = [f"127.0.0.1:{_free_port()}" for _ in range(2)]
    procs = []
    try:
        for index in range(2):
            tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
            procs.append(subprocess.Popen(
                [sys.executable, WORKER, "multi_worker", str(tmp_path / f"w{index}.json"),
                 str(tmp_path / f"w{index}.npz")],
                env=_env(TF_CONFIG=json.dumps(tf_config)), cwd=REPO_ROOT,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            ))
        errors = [p.communicate(timeout=150)[1] for p in procs]
        for p, err in zip(procs, errors):
            assert p.returncode == 0, err[-4000:]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    results = [json.loads((tmp_path / f"w{i}.json").read_text()) for i in range(2)]
    assert [r["replicas"] for r in results] == [2, 2]
    a, b = (np.load(tmp_path / f"w{i}.npz") for i in range(2))
    assert sorted(a.files) == sorted(b.files) and a.files
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert results[0]["history"] == results[1]["history"]
    assert all(np.isfinite(v).all() for v in results[0]["history"].values())
    # Worker 0 is the chief (the cluster has no "chief" task).
    assert [r["is_chief"] for r in results] == [True, False]
    for r in results:  # a disagreement is an error on every worker
        assert "The workers disagree on the worker index" in r["disagreement"]


@pytest.mark.slow  # about 100 s on 2 shared cores: CI runs it with the realdata checks
def test_sagan_two_replicas_train_like_one_device(tmp_path):
    """SAGAN (spectral norm, self-attention, class-conditional batch norm
    synchronized over replicas, projection head) on 2 logical CPUs equals
    one device from the same initial weights (the power-iteration vectors u
    included) and the same injected latents."""
    result = run_worker(tmp_path, "equivalence", "sagan:sync", timeout=420)["sagan:sync"]
    assert result["replicas"] == 2
    assert result["max_moved"] > 1e-2
    assert result["max_abs_diff"] < 1e-5, result["worst"]
    assert result["mirrors_agree"], result["mirrors_disagree"]
    for key, values in result["ref_history"].items():
        np.testing.assert_allclose(result["dist_history"][key], values, rtol=1e-5, atol=1e-6)
