"""Shared pieces of the trainer tests (in-process and in worker subprocesses)."""

import keras

#: A tiny DCGAN run of `kerasgan.trainer.train` (seconds per epoch).
TINY_DCGAN_RUN = dict(
    family="dcgan", dataset="digits", image_size=16, batch_size=16, latent_dim=8, seed=3,
    model_kwargs={"generator_filters": 4, "discriminator_filters": 4, "ema_decay": 0.9},
    steps_per_epoch=3, num_samples=4, tensorboard=False, verbose=0,
)


#: A tiny MLP GAN run at 8x8 (about a second per run): the fault tests' workhorse.
TINY_GAN_RUN = dict(
    family="gan", dataset="digits", image_size=8, batch_size=16, latent_dim=4, seed=3,
    model_kwargs={"generator_units": [8], "discriminator_units": [8]},
    steps_per_epoch=2, num_samples=4, tensorboard=False, verbose=0,
)


class Killed(BaseException):
    """A simulated kill: a BaseException, so no `except Exception` in the
    code under test can swallow it."""


def kill_at_replace(monkeypatch, name, call=1):
    """Makes the `call`-th `os.replace` onto a file named `name` raise
    `Killed` instead of renaming, as if the process died just before that
    atomic write landed (the new bytes are in a temporary file, the old file
    is untouched). Returns a list that records the destinations seen."""
    import os

    real = os.replace
    seen = []

    def replace(src, dst, *args, **kwargs):
        if os.path.basename(os.fspath(dst)) == name:
            seen.append(os.fspath(dst))
            if len(seen) == call:
                raise Killed(f"killed before replacing {dst}")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return seen


def read_history(path):
    """history.csv as `(header, rows)`."""
    import csv

    with open(path, newline="") as f:
        lines = list(csv.reader(f))
    return lines[0], lines[1:]


class StopAfterEpoch(keras.callbacks.Callback):
    """Simulates a run killed right after an epoch (after its checkpoint)."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            raise KeyboardInterrupt("killed")


def downsample_to(images, resolution):
    """Average-pools NHWC `images` by 2 until they are `resolution` wide."""
    while images.shape[1] > resolution:
        n, h, w, c = images.shape
        images = images.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))
    return images


_MIRRORED_SCHEDULE = """
import json
import numpy as np
from kerasgan import distribute
strategy = distribute.strategy("cpu:2")
import tensorflow as tf
from kerasgan.callbacks.progressive import ProgressiveSchedule
from kerasgan.models import ProGAN, StyleGAN
from kerasgan.callbacks import train_progressive
from tests.trainer_checks import downsample_to

with strategy.scope():
    model = {model}
    model.compile({compile})
size = model.target_resolution
images = np.random.default_rng(0).uniform(-1, 1, (8, size, size, 1)).astype("float32")

def dataset_fn(resolution, batch_size):
    x = downsample_to(images, resolution)
    return tf.data.Dataset.from_tensor_slices(x).batch(batch_size, drop_remainder=True)

schedule = ProgressiveSchedule(fade_in_images=16, stabilize_images=8, batch_size=8)
histories = train_progressive(model, dataset_fn, schedule)
out = {{
    "replicas": strategy.num_replicas_in_sync,
    "resolution": model.resolution,
    "resolutions": [h.history["resolution"][0] for h in histories],
    "alpha": float(model.alpha.numpy()),
    "losses": [v for h in histories for k in ("d_loss", "g_loss") for v in h.history[k]],
    "mirrored": type(model.generator.weights[0].value).__name__,
    "w_avg": float(np.abs(model.w_avg.numpy()).max()) if hasattr(model, "w_avg") else None,
    "shape": list(model.generate(3, seed=0).shape),
}}
print("RESULT" + json.dumps(out))
"""


def run_mirrored_schedule(model, compile_args=""):
    """Runs a progressive schedule (fade-in 16, stabilise 8 images, batch 8)
    from 4x4 to the model's target under MirroredStrategy on 2 logical CPUs,
    in a subprocess (logical devices must be set before TensorFlow starts).

    Args:
        model: Python source building the model, e.g. `"ProGAN(target_resolution=8, ...)"`.
        compile_args: source of `compile`'s arguments.

    Returns:
        dict: replicas, resolution(s) trained, alpha, losses, variable type,
        w_avg (StyleGAN) and the shape of generated samples.
    """
    import json
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    script = _MIRRORED_SCHEDULE.format(model=model, compile=compile_args)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=REPO_ROOT
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT")]
    assert result.returncode == 0 and lines, result.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT"):])
