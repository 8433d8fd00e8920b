"""Subprocess half of the StackGAN 2-replica check in tests/models/test_stackgan.py
(not a test module).

    python tests/models/stackgan_worker.py OUT.json

Trains the tiny StackGAN through its stage-wise schedule (2 SGD steps of
Stage I, then 2 of Stage II with Stage I frozen; traced steps) on one device
and on two logical CPUs from the same initial weights and the same global
batches of 8, and writes the largest weight difference. The random draws
come with the batch instead of the seed generator (replicas draw their own
noise): the noise of each role's forward pass (`noise_d`, `noise_g`, rows
[4r, 4r + 4) on replica r), and the mismatched captions are rolled by one
within blocks of 4 rows, which is the same pairing on one device (8 rows)
and on each replica (4 rows). Batch norm is synchronized over replicas.
"""

import json
import sys

import numpy as np

OUT = sys.argv[1]

from kerasgan import distribute  # noqa: E402

STRATEGY = distribute.strategy("cpu:2")  # before any TensorFlow op runs

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from kerasgan.callbacks import train_phases  # noqa: E402
from kerasgan.models import StackGAN  # noqa: E402

GLOBAL_BATCH, STEPS = 8, 2
TEXTS = ["red apple", "green apple", "grinning face", "blue heart", "red heart", "cat face", "dog face", "red flag"]
_injected = {}


def _replica_id():
    context = tf.distribute.get_replica_context()
    return 0 if context is None else int(tf.get_static_value(context.replica_id_in_sync_group))


class InjectedStackGAN(StackGAN):
    def unpack_batch(self, data):
        data = dict(data)
        _injected[_replica_id()] = [data.pop("noise_d"), data.pop("noise_g")]
        return super().unpack_batch(data)

    def draw_noise(self, batch_size):
        return _injected[_replica_id()].pop(0)

    def draw_mismatch(self, batch_size):
        rows = tf.range(batch_size)
        return (rows // 4) * 4 + (rows % 4 + 1) % 4


def build():
    model = InjectedStackGAN.from_preset("tiny")
    distribute.synchronize_batch_norm(model)
    return model


def dataset(noise_dim):
    rng = np.random.default_rng(0)
    n = GLOBAL_BATCH * STEPS
    data = {
        "image": rng.uniform(-1, 1, (n, 16, 16, 3)).astype("float32"),
        "text": np.array([TEXTS[i % 8] for i in range(3 * n)][::3]),
        "noise_d": rng.normal(size=(n, noise_dim)).astype("float32"),
        "noise_g": rng.normal(size=(n, noise_dim)).astype("float32"),
    }
    return tf.data.Dataset.from_tensor_slices(data).batch(GLOBAL_BATCH)


def sgd():
    # Plain SGD: an update is lr * gradient, so a wrongly scaled loss shows 1:1.
    return {"d_optimizer": keras.optimizers.SGD(0.1), "g_optimizer": keras.optimizers.SGD(0.1)}


def train(model):
    phases = model.stage_phases(1, 1, steps_per_epoch=STEPS, stage1_compile=sgd(), stage2_compile=sgd())
    histories = train_phases(model, phases, data=dataset(model.noise_dim))
    return {f"{h.history['phase'][0]}/{k}": float(np.ravel(v)[-1])
            for h in histories for k, v in h.history.items() if k != "phase"}


keras.utils.set_random_seed(0)
reference = build()
initial = [np.array(w) for w in reference.weights]
ref_logs = train(reference)
with STRATEGY.scope():
    mirrored = build()
    for w, value in zip(mirrored.weights, initial):
        w.assign(value)
dist_logs = train(mirrored)
# Variable paths repeat across networks ("project/kernel"): compare by position.
ref = [np.array(w) for w in reference.weights]
dist = [np.array(w) for w in mirrored.weights]
index = {id(w): i for i, w in enumerate(reference.weights)}
moved = {}
for name in reference.network_names:
    rows = [index[id(w)] for w in reference.get_network(name).weights]
    moved[name] = max(float(np.max(np.abs(ref[i] - initial[i]))) for i in rows)
diffs = [float(np.max(np.abs(a - b))) for a, b in zip(ref, dist)]
worst = int(np.argmax(diffs))
with open(OUT, "w") as f:
    json.dump({
        "replicas": STRATEGY.num_replicas_in_sync,
        "max_abs_diff": max(diffs),
        "worst": reference.weights[worst].path,
        "moved": moved,
        "logs": {k: [ref_logs[k], dist_logs[k]] for k in ref_logs},
        "stages": [reference.stage, mirrored.stage],
    }, f)
