"""One device against two logical CPUs, for the engine's worker scripts
(tests/engine/engine_worker.py, tests/models/translation_worker.py): the
launcher the tests call and the comparison the workers run."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO_ROOT


def run_worker_script(script, tmp_path, timeout=400, args=()):
    """Runs `script OUT.json [args...]` in a fresh interpreter (logical
    devices must be set up before TensorFlow starts) and returns the JSON it
    wrote."""
    out = tmp_path / f"{script.stem}.json"
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=str(REPO_ROOT), PYTHONWARNINGS="ignore")
    proc = subprocess.run([sys.executable, str(script), str(out), *map(str, args)], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or not out.exists():
        pytest.fail(f"{script.name} failed (rc={proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(out.read_text())


def one_vs_two_replicas(strategy, build, dataset_fn, compile_args_fn, prepare=None, rounding_check=False):
    """Trains `build()` one epoch of `dataset_fn()` on one device and, from the
    same initial weights, inside `strategy`; `prepare(model)` runs on the
    mirrored model before compiling (e.g. synchronize_batch_norm). Returns
    the largest weight difference, the largest move, both runs' iterations and
    last logged values.

    With `rounding_check`, a third run on one device starts from the initial
    weights moved by one ulp each and `rounding_diff` is how far it ends from
    the first: how much float rounding alone (a different summation order
    across replicas is such a rounding) can grow in these steps.
    """
    reference = build()
    reference.compile(**compile_args_fn())
    initial = [np.array(w) for w in reference.weights]
    ref_history = reference.fit(dataset_fn(), epochs=1, verbose=0).history
    with strategy.scope():
        mirrored = build()
        for w, value in zip(mirrored.weights, initial):
            w.assign(value)
        if prepare is not None:
            prepare(mirrored)
        mirrored.compile(**compile_args_fn())
    dist_history = mirrored.fit(dataset_fn(), epochs=1, verbose=0).history
    rounding_diff = None
    if rounding_check:
        nudged = build()
        nudged.compile(**compile_args_fn())
        for w, value in zip(nudged.weights, initial):
            floating = np.issubdtype(value.dtype, np.floating) and w.trainable
            w.assign(np.nextafter(value, np.inf, dtype=value.dtype) if floating else value)
        nudged.fit(dataset_fn(), epochs=1, verbose=0)
        rounding_diff = max(float(np.max(np.abs(np.array(w) - np.array(r))))
                            for w, r in zip(nudged.weights, reference.weights))
    # By position, not by `w.path`: two networks of one model can share paths
    # (CycleGAN's g_ab and g_ba), and a dict would compare only one of them.
    assert [w.path for w in reference.weights] == [w.path for w in mirrored.weights]
    ref = [np.array(w) for w in reference.weights]
    dist = [np.array(w) for w in mirrored.weights]
    trainable = {id(w) for w in reference.trainable_weights}
    moved = [float(np.max(np.abs(r - s))) for w, r, s in zip(reference.weights, ref, initial) if id(w) in trainable]
    return {
        "replicas": strategy.num_replicas_in_sync,
        "max_abs_diff": max(float(np.max(np.abs(r - d))) for r, d in zip(ref, dist)),
        "max_moved": max(moved),
        "rounding_diff": rounding_diff,  # trainable weights only (not counters or pools)
        "iterations": [[int(m.d_optimizer.iterations.numpy()), int(m.g_optimizer.iterations.numpy())]
                       for m in (reference, mirrored)],
        "losses": {k: [float(np.ravel(ref_history[k])[-1]), float(np.ravel(dist_history[k])[-1])]
                   for k in ref_history},
    }
