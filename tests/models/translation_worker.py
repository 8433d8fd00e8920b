"""Subprocess half of tests/models/test_translation_mirrored.py (not a test module).

    python tests/models/translation_worker.py OUT.json

Trains Pix2Pix and CycleGAN (tiny presets) for 4 steps on one device and on
two logical CPUs from the same initial weights and the same global batches,
and writes the largest weight difference. Their random draws are turned off
(the decoder dropout of Pix2Pix: dropout=0; CycleGAN's image pool:
pool_size=0): replicas draw different masks and each replica's pool holds
other fakes than one device's, so with them on the runs cannot agree.
Pix2Pix's batch norm is synchronized (`kerasgan.distribute.
synchronize_batch_norm`, as `kerasgan train` does); CycleGAN's instance
norm is per example anyway.
"""

import json
import sys

import numpy as np

OUT = sys.argv[1]

from kerasgan import distribute  # noqa: E402

STRATEGY = distribute.strategy("cpu:2")  # before any TensorFlow op runs

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from kerasgan.models import CycleGAN, Pix2Pix  # noqa: E402
from tests.replica_checks import one_vs_two_replicas  # noqa: E402

BUILD = {
    "pix2pix": lambda: Pix2Pix.from_preset("tiny", dropout=0.0),
    "cyclegan": lambda: CycleGAN.from_preset("tiny", pool_size=0),
}


def data(name):
    rng = np.random.default_rng(0)
    first = rng.uniform(-1, 1, (32, 16, 16, 1)).astype("float32")
    second = np.tanh(1.5 * first[:, ::-1] + 0.2).astype("float32")
    keys = ("source", "target") if name == "pix2pix" else ("a", "b")
    return tf.data.Dataset.from_tensor_slices(dict(zip(keys, (first, second)))).batch(8)


def compile_args():
    return dict(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))


def run(name):
    keras.utils.set_random_seed(0)
    return one_vs_two_replicas(STRATEGY, BUILD[name], lambda: data(name), compile_args,
                               prepare=distribute.synchronize_batch_norm)


with open(OUT, "w") as f:
    json.dump({name: run(name) for name in BUILD}, f)
