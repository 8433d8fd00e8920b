"""`train()`: the whole training job behind `kerasgan train`, callable from Python.

One run lives in one output folder:

    OUT/checkpoints/   tf.train checkpoints, one per epoch (resume from here)
    OUT/samples/       epoch_0001.png, ... sample grids from fixed latents
    OUT/history.csv    per-epoch losses (appended across resumes)
    OUT/logs/          TensorBoard scalars and sample images
    OUT/run.json       the configuration and the command that made the run
    OUT/model.keras    the final model (written atomically at the end)

Rerunning with the same OUT continues from the last finished epoch: weights,
both optimizers' state, the seed generators and the position in the data
stream are restored, so an interrupted run ends where an uninterrupted one
would (see tests/test_trainer.py for the measured tolerance).
"""

import json
import os
import shlex
import sys
import time

import keras

from kerasgan import callbacks as callbacks_lib
from kerasgan import data as data_lib
from kerasgan import distribute
from kerasgan import models as models_lib

#: Per-family architecture defaults used by `train` (overridable with `model_kwargs`).
FAMILY_DEFAULTS = {
    "gan": {},
    "dcgan": {"generator_filters": 64, "discriminator_filters": 64},
    "cgan": {"generator_filters": 64, "discriminator_filters": 64},
    "wgan_gp": {"generator_filters": 64, "critic_filters": 64},
}


def _atomic_save(model, path):
    """Saves to a temporary file and renames it, so an existing model file is
    never left half-written."""
    tmp = path + ".partial.keras"
    model.save(tmp)
    os.replace(tmp, path)


def build_model(family, image_size, channels, latent_dim=100, num_classes=None, seed=0, **model_kwargs):
    """Builds a registered family for square `image_size` images."""
    key = family.lower().replace("-", "_")
    kwargs = dict(FAMILY_DEFAULTS.get(key, {}))
    kwargs.update(model_kwargs)
    kwargs.update(image_shape=(image_size, image_size, channels), latent_dim=latent_dim, seed=seed)
    if key == "cgan":
        if not num_classes:
            raise ValueError(
                "A conditional GAN needs a labelled dataset (class subfolders, IDX labels, "
                "a TFDS set with labels, ...); this one has no classes."
            )
        kwargs["num_classes"] = num_classes
    return models_lib.get(key, **kwargs)


def train(
    family="dcgan",
    dataset="digits",
    out="runs/dcgan",
    epochs=10,
    image_size=32,
    batch_size=64,
    latent_dim=100,
    channels=None,
    seed=0,
    data_dir=None,
    split="train",
    model_kwargs=None,
    compile_kwargs=None,
    num_samples=64,
    steps_per_epoch=None,
    tensorboard=True,
    verbose="auto",
    extra_callbacks=(),
    command=None,
    strategy="auto",
):
    """Trains (or resumes) a GAN and writes the run folder described above.

    Args:
        family: registered family name (`kerasgan.models.FAMILIES`).
        dataset: anything `kerasgan.data.load` accepts (default: the embedded
            `"digits"`).
        out: the run folder; an existing one is resumed.
        epochs: total epochs (a resumed run trains the remaining ones).
        image_size: square image size (power of two for convolutional families).
        batch_size, latent_dim, channels, seed, data_dir, split: as named.
        model_kwargs: extra family constructor arguments (e.g. `ema_decay`).
        compile_kwargs: extra `compile` arguments (e.g. `loss`, `n_critic`).
        num_samples: images in each sample grid.
        steps_per_epoch: default: one pass over the data.
        tensorboard: write TensorBoard logs under `out/logs`.
        verbose: `fit`'s verbosity (progress bar by default).
        extra_callbacks: more Keras callbacks.
        command: the command line to record in `run.json`.
        strategy: a `kerasgan.distribute.strategy` name (`"auto"`,
            `"default"`, `"mirrored"`, `"multi_worker"`, `"cpu:N"`) or a
            `tf.distribute.Strategy`. `batch_size` is the global batch; with
            several replicas batch norm is synchronized, so the run trains
            like one device with the same global batch.

    Returns:
        `(model, history)`; `history` is None when the run had already finished.
    """
    if isinstance(strategy, str):
        # First: "cpu:N" must run before anything initialises TensorFlow's devices.
        strategy = distribute.strategy(strategy)
    out = os.fspath(out)
    model_kwargs = dict(model_kwargs or {})
    compile_kwargs = dict(compile_kwargs or {})
    keras.utils.set_random_seed(seed)
    key = family.lower().replace("-", "_")
    if key not in models_lib.FAMILIES:
        raise ValueError(f"Unknown model family. Expected one of {sorted(models_lib.FAMILIES)}. Received: {family!r}")
    if key == "progan":
        raise ValueError(
            "ProGAN trains phase by phase (4x4 up to the target size), which `kerasgan train` "
            "does not drive yet: use kerasgan.models.progan.train_progressive (see its docstring)."
        )
    conditional = key == "cgan"
    info = data_lib.info(dataset, split=split, data_dir=data_dir)
    channels = channels or info.channels
    with strategy.scope():
        model = build_model(
            key, image_size, channels, latent_dim=latent_dim,
            num_classes=info.num_classes if conditional else None, seed=seed, **model_kwargs,
        )
        if strategy.num_replicas_in_sync > 1:
            distribute.synchronize_batch_norm(model)
        model.compile(**compile_kwargs)

    ds = data_lib.load(
        dataset, image_size, batch_size, channels=channels, with_labels=conditional,
        split=split, data_dir=data_dir, seed=seed, repeat=True,
    )
    if steps_per_epoch is None:
        if not info.num_examples:
            raise ValueError(f"The size of {info.name!r} is unknown: pass steps_per_epoch.")
        steps_per_epoch = max(1, info.num_examples // batch_size)

    os.makedirs(out, exist_ok=True)
    checkpoint = callbacks_lib.Checkpoint(os.path.join(out, "checkpoints"))
    initial_epoch = checkpoint.restore(model)
    run = {
        "family": key,
        "dataset": dataset if isinstance(dataset, str) else type(dataset).__name__,
        "epochs": epochs,
        "image_size": image_size,
        "batch_size": batch_size,
        "latent_dim": latent_dim,
        "channels": channels,
        "seed": seed,
        "steps_per_epoch": steps_per_epoch,
        "strategy": f"{type(strategy).__name__} ({strategy.num_replicas_in_sync} replicas)",
        "model_config": model.get_config(),
        "compile_config": {k: v for k, v in model.get_compile_config().items() if "optimizer" not in k},
        "command": command or " ".join(shlex.quote(a) for a in sys.argv),
        "keras_version": keras.__version__,
    }
    run_json = os.path.join(out, "run.json")
    previous_seconds = 0.0
    if initial_epoch and os.path.exists(run_json):
        with open(run_json) as f:
            # Training time accumulates over the sessions of a resumed run.
            previous_seconds = json.load(f).get("train_seconds", 0.0)
    run["train_seconds"] = previous_seconds
    with open(run_json, "w") as f:
        json.dump(run, f, indent=2, default=str)

    history = None
    if initial_epoch >= epochs:
        print(f"{out}: already trained for {initial_epoch} epochs (asked for {epochs}); nothing to do.")
    else:
        if initial_epoch:
            print(f"Resuming {out} from epoch {initial_epoch}.")
            # The data stream continues where the interrupted run left it.
            ds = ds.skip(initial_epoch * steps_per_epoch)
        callbacks = [
            callbacks_lib.SampleGrid(
                os.path.join(out, "samples"), num_images=num_samples, seed=seed,
                log_dir=os.path.join(out, "logs") if tensorboard else None,
            ),
            keras.callbacks.CSVLogger(os.path.join(out, "history.csv"), append=initial_epoch > 0),
            checkpoint,
        ]
        if tensorboard:
            callbacks.append(keras.callbacks.TensorBoard(os.path.join(out, "logs")))
        start = time.time()

        def save_run(epoch=None, logs=None):
            run["train_seconds"] = round(previous_seconds + time.time() - start, 1)
            with open(run_json, "w") as f:
                json.dump(run, f, indent=2, default=str)

        # After the checkpoint, so a killed run keeps the time of its saved epochs.
        callbacks.append(keras.callbacks.LambdaCallback(on_epoch_end=save_run))
        callbacks.extend(extra_callbacks)
        history = model.fit(
            ds, epochs=epochs, initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
            callbacks=callbacks, verbose=verbose,
        )
        save_run()
    _atomic_save(model, os.path.join(out, "model.keras"))
    return model, history
