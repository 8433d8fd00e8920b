"""Subprocess half of tests/engine/test_engine_mirrored.py (not a test module).

    python tests/engine/engine_worker.py OUT.json

Trains the engine's toy families (the Pix2Pix-shaped model, and the README's
two-generator two-discriminator cycle GAN with n_critic=2, so the
conditional generator update takes the MirroredStrategy merge_call path) for
4 steps on one device and on two logical CPUs from the same initial weights
and the same global batches, and writes the largest weight difference.
Neither toy draws random numbers in its step, and neither has batch norm,
so the runs must agree up to float rounding.
"""

import json
import sys

OUT = sys.argv[1]

from kerasgan import distribute  # noqa: E402

STRATEGY = distribute.strategy("cpu:2")  # before any TensorFlow op runs

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from tests.engine.toy_families import (  # noqa: E402
    paired_data,
    readme_namespace,
    toy_pix2pix,
    unpaired_dataset,
)
from tests.replica_checks import one_vs_two_replicas  # noqa: E402

TinyCycleGAN = readme_namespace()["TinyCycleGAN"]


def pix2pix():
    return toy_pix2pix(ema_decay=0.9)


def cycle():
    keras.utils.set_random_seed(0)
    return TinyCycleGAN(seed=0)


def data(name):
    if name == "pix2pix":
        source, target = paired_data(n=32)
        return tf.data.Dataset.from_tensor_slices((source, target)).batch(8)
    return unpaired_dataset(n=32)


def compile_args(name):
    args = dict(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    if name == "cycle":
        args["n_critic"] = 2
    return args


def run(name, build):
    return one_vs_two_replicas(STRATEGY, build, lambda: data(name), lambda: compile_args(name))


with open(OUT, "w") as f:
    json.dump({"pix2pix": run("pix2pix", pix2pix), "cycle": run("cycle", cycle)}, f)
