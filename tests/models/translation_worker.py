"""Subprocess half of tests/models/test_translation_mirrored.py (not a test module).

    python tests/models/translation_worker.py OUT.json [FAMILY ...]

Trains Pix2Pix and CycleGAN (tiny presets) for 4 steps on one device and on
two logical CPUs from the same initial weights and the same global batches,
and writes the largest weight difference. Their random draws are turned off
(the decoder dropout of Pix2Pix: dropout=0; CycleGAN's image pool:
pool_size=0): replicas draw different masks and each replica's pool holds
other fakes than one device's, so with them on the runs cannot agree.
Pix2Pix's batch norm is synchronized (`kerasgan.distribute.
synchronize_batch_norm`, as `kerasgan train` does); CycleGAN's instance
norm is per example anyway.

Families named after OUT.json run instead of the default two (Pix2Pix and
CycleGAN): `dualgan` (dropout=0, synchronized batch norm; weight clipping on,
n_critic 2, so the conditional generator step and the clipping constraint
run on both replicas) and `stargan` (its random target domains replaced by
`(domain + 1) mod num_domains`, and the gradient penalty's interpolation
weights fixed at 0.5: replicas draw other numbers than one device).
"""

import json
import sys

import numpy as np

OUT = sys.argv[1]

from kerasgan import distribute  # noqa: E402

STRATEGY = distribute.strategy("cpu:2")  # before any TensorFlow op runs

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from kerasgan import penalties  # noqa: E402
from kerasgan.models import CycleGAN, DualGAN, Pix2Pix, StarGAN  # noqa: E402
from tests.replica_checks import one_vs_two_replicas  # noqa: E402



class NextDomainStarGAN(StarGAN):
    """StarGAN whose target domain is the next one (no random draw)."""

    def sample_target_domains(self, domains):
        return (tf.cast(domains, tf.int32) + 1) % self.num_domains


def _fixed_alpha_gradient_penalty(discriminator, real, fake, seed=None, target=1.0):
    """penalties.gradient_penalty with every interpolation weight 0.5."""
    interpolates = 0.5 * real + 0.5 * tf.cast(fake, real.dtype)
    grads = penalties._input_gradients(discriminator, interpolates)
    norm = tf.sqrt(penalties._per_example_sum_of_squares(grads) + penalties.NORM_EPSILON)
    return tf.square(norm - target)


BUILD = {
    "pix2pix": lambda: Pix2Pix.from_preset("tiny", dropout=0.0),
    "cyclegan": lambda: CycleGAN.from_preset("tiny", pool_size=0),
}
EXTRA = {
    "dualgan": lambda: DualGAN.from_preset("tiny", dropout=0.0),
    "stargan": lambda: NextDomainStarGAN.from_preset("tiny"),
}
NAMES = sys.argv[2:] or list(BUILD)
BUILD.update(EXTRA)


def data(name):
    rng = np.random.default_rng(0)
    first = rng.uniform(-1, 1, (32, 16, 16, 1)).astype("float32")
    second = np.tanh(1.5 * first[:, ::-1] + 0.2).astype("float32")
    keys = ("source", "target") if name == "pix2pix" else ("a", "b")
    if name == "stargan":
        keys, second = ("image", "domain"), rng.integers(0, 3, len(first)).astype("int32")
    return tf.data.Dataset.from_tensor_slices(dict(zip(keys, (first, second)))).batch(8)


def compile_args(name=None):
    args = dict(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    if name == "stargan":
        # 4 steps: two generator updates (n_critic 5 would give none); the
        # Wasserstein critic diverges at SGD(0.1) (g_loss ~ -1e13 in 4 steps).
        args = dict(d_optimizer=keras.optimizers.SGD(1e-3), g_optimizer=keras.optimizers.SGD(1e-3), n_critic=2)
    return args


def run(name):
    keras.utils.set_random_seed(0)
    return one_vs_two_replicas(STRATEGY, BUILD[name], lambda: data(name), lambda: compile_args(name),
                               prepare=distribute.synchronize_batch_norm)


with open(OUT, "w") as f:
    if "stargan" in NAMES:
        penalties.gradient_penalty = _fixed_alpha_gradient_penalty
    json.dump({name: run(name) for name in NAMES}, f)
