"""Subprocess half of tests/models/test_translation_mirrored.py (not a test module).

    python tests/models/translation_worker.py OUT.json [FAMILY ...]

Trains Pix2Pix and CycleGAN (tiny presets) for 4 and 3 steps on one device and on
two logical CPUs from the same initial weights and the same global batches,
and writes the largest weight difference. Pix2Pix's decoder dropout is
turned off (dropout=0: replicas draw different masks) and its batch norm is
synchronized (`kerasgan.distribute.synchronize_batch_norm`, as `kerasgan
train` does). CycleGAN runs with its image pool on (the tiny preset's
pool_size=4: the first step fills it and the global batch of 8 already
swaps with it): the pool gathers the global batch and draws the same
numbers on every replica, so it must end equal too (its `images` and
`count` are among the compared weights); its instance norm is per example.

CycleGAN trains with SGD(1e-3), not the SGD(0.1) of the others: with
instance norm after every convolution the generators are scale invariant
in their 0.02-std DCGAN-initialised kernels, so SGD(0.1) moves weights by
0.40 (20 init std) in the first step and the run is chaotic. There, one
device against itself with the batch split into two micro-batches
(accumulation_steps=2, the same sum in another order) differs by 2.1e-7,
2.7e-3, 9.7e-2, 1.4 after steps 1-4 (measured 2026-12-02); two replicas do
the same (2.4e-7, 4.7e-3, 0.20, 1.4), so no tolerance could compare them.
SGD(1e-2) (first move 0.04) still parts them by 3.1e-3 after 4 steps (pool
on). At SGD(1e-3) the trainable weights still move by 8e-3 and the runs
agreed to ~1e-6 after 4 steps on an AMD EPYC (AVX2) host.

CycleGAN runs 3 steps (24 of the 32 examples), not 4: on an Intel Xeon
(AVX-512, AMX) host (2026-12-03) the two runs agree to 1.5e-8 after 3 steps
and part by 6.5e-5 in step 4, across both generators, and so does one device
against itself from initial weights nudged by one float32 ulp (6.49e-5 for
two of three nudges, 2.1e-6 for the third; 9.5e-7 and 1.9e-6 after steps
2-3): in step 4 the reference trajectory passes a point where rounding
decides a discontinuous gradient (the cycle and identity terms are L1, whose
gradient is the sign of each pixel's error), which a tolerance could only
hide. Three steps still fill the pools (step 1) and swap with them.

`max_abs_diff` and `max_moved` are recomputed here position by position
over `model.weights` (`max_moved` over the trainable ones only): the
helper's dicts by `weight.path` keep one of CycleGAN's g_ab / g_ba (and
d_a / d_b) weights, whose paths repeat, and its move counts the pools'
fill counter.

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
    "cyclegan": lambda: CycleGAN.from_preset("tiny"),
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
    batches = tf.data.Dataset.from_tensor_slices(dict(zip(keys, (first, second)))).batch(8)
    return batches.take(3) if name == "cyclegan" else batches  # see the docstring


def compile_args(name=None):
    args = dict(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    if name == "cyclegan":
        args = dict(d_optimizer=keras.optimizers.SGD(1e-3), g_optimizer=keras.optimizers.SGD(1e-3))
    if name == "stargan":
        # 4 steps: two generator updates (n_critic 5 would give none); the
        # Wasserstein critic diverges at SGD(0.1) (g_loss ~ -1e13 in 4 steps).
        args = dict(d_optimizer=keras.optimizers.SGD(1e-3), g_optimizer=keras.optimizers.SGD(1e-3), n_critic=2)
    return args


def run(name):
    keras.utils.set_random_seed(0)
    built = []  # the reference, then the mirrored model

    def build():
        model = BUILD[name]()
        built.append(model)
        return model

    result = one_vs_two_replicas(STRATEGY, build, lambda: data(name), lambda: compile_args(name),
                                 prepare=distribute.synchronize_batch_norm)
    reference, mirrored = built
    result["pool_counts"] = [[int(np.array(w)) for w in m.weights if w.path.endswith("/count")]
                             for m in (reference, mirrored)]
    return result


with open(OUT, "w") as f:
    if "stargan" in NAMES:
        penalties.gradient_penalty = _fixed_alpha_gradient_penalty
    json.dump({name: run(name) for name in NAMES}, f)
