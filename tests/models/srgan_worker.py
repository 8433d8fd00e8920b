"""Subprocess half of the SRGAN 2-replica check in tests/models/test_srgan.py
(not a test module).

    python tests/models/srgan_worker.py OUT.json

Trains the tiny SRGAN for 4 SGD steps in each phase (`srresnet`: the
generator on the pixel loss; `srgan`: content + 1e-3 adversarial, both
networks) on one device and on two logical CPUs from the same initial
weights and global batches, batch norm synchronized (as `kerasgan train`
does), and writes the largest weight difference of each, with how far a
one-device run from initial weights moved by one ulp ends from the first
(`rounding_diff`).

Why the second number: on the Intel AMX host (oneDNN), one device and two
replicas agree to 1.9e-7 after step 1, 3.7e-7 after 2, 5.5e-6 after 3 and
3.0e-5 after 4 (the head's bias) in the `srgan` phase, and one device
against itself with weight 0 nudged by one ulp parts by the same amounts
at each step (3.0e-5 after 4, same weight): SGD(0.1) on a tiny network
grows a rounding difference ~10x a step, so a fixed 1e-5 bound tests the
host's rounding, not the replicas. A replica bug (a loss not averaged over
the global batch, an unsynchronized batch norm) parts by the size of a step.
"""

import json
import sys

import numpy as np

OUT = sys.argv[1]

from kerasgan import distribute  # noqa: E402

STRATEGY = distribute.strategy("cpu:2")  # before any TensorFlow op runs

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from kerasgan.models import SRGAN  # noqa: E402
from tests.replica_checks import one_vs_two_replicas  # noqa: E402


def data():
    rng = np.random.default_rng(0)
    high = np.tanh(rng.normal(size=(32, 16, 16, 1))).astype("float32")
    low = np.clip(tf.image.resize(high, (4, 4), "bicubic", antialias=True).numpy(), -1, 1)
    return tf.data.Dataset.from_tensor_slices({"source": low, "target": high}).batch(8)


def run(phase):
    keras.utils.set_random_seed(0)

    def compile_args():
        return dict(phase=phase, d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))

    return one_vs_two_replicas(STRATEGY, lambda: SRGAN.from_preset("tiny"), data, compile_args,
                               prepare=distribute.synchronize_batch_norm, rounding_check=True)


with open(OUT, "w") as f:
    json.dump({phase: run(phase) for phase in ("srresnet", "srgan")}, f)
