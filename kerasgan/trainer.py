"""`train()`: the whole training job behind `kerasgan train`, callable from Python.

One run lives in one output folder:

    OUT/checkpoints/   tf.train checkpoints, one per epoch (resume from here)
    OUT/samples/       epoch_0001.png, ... sample grids from fixed latents
                       (progressive families also phase_008x008.png, ... at
                       the end of every phase)
    OUT/history.csv    per-epoch losses (one row per epoch the checkpoint covers)
    OUT/curves.png     history.csv drawn: losses, penalties, ADA's p, metrics (every epoch)
    OUT/logs/          TensorBoard scalars and sample images
    OUT/run.json       the configuration and the command that made the run
    OUT/model.keras    the final model (written at the end)
    OUT/.lock          held (flock) by the run training into OUT; holds its pid

Faults (docs/faults.md): every file above except the TensorBoard logs is
written atomically (`kerasgan.utils.atomic`), so a kill at any moment leaves
each file whole; a rerun resumes from the last checkpoint, drops history rows
the checkpoint does not cover, and rebuilds an unreadable run.json. A NaN or
Inf loss or weight stops training with `NonFiniteError` before anything of
the diverged epoch is written (`on_nan="rollback"` instead goes back to the
last good checkpoint with the learning rates divided by 10). Two runs cannot
train into one folder at once, and a rerun whose training settings differ
from run.json is refused unless `override=True`.

Rerunning with the same OUT continues from the last finished epoch: weights,
both optimizers' state, the seed generators and the position in the data
stream are restored, so an interrupted run ends where an uninterrupted one
would (see tests/test_trainer.py for the measured tolerance). A checkpoint
that does not fit the model being built (another family, other widths or
schedule) is an error, never a silent restart.

Progressive families (a model with `grow()` and `target_resolution`, e.g.
ProGAN) are trained phase by phase with
`kerasgan.models.progan.train_progressive` and a
`kerasgan.callbacks.ProgressiveSchedule`: `image_size` is the target
resolution, the data are reloaded at every phase's resolution and batch
size, and a resumed run is first grown to the resolution of its checkpoint
(read from the checkpoint's `images_seen`).

Under a multi-worker strategy every worker runs all of this, but only the
chief writes OUT; the other workers resume from OUT/checkpoints and write
their files into a temporary folder that is removed at the end.
"""

import fcntl
import inspect
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
import warnings

import keras
import tensorflow as tf

from kerasgan import callbacks as callbacks_lib
from kerasgan import data as data_lib
from kerasgan import distribute
from kerasgan import models as models_lib
from kerasgan.callbacks.flat_samples_hint import FlatSamplesHint
from kerasgan.callbacks.history_csv import HistoryCSV
from kerasgan.callbacks.non_finite_guard import NonFiniteError, first_non_finite, optimizers
from kerasgan.engine.tasks import task_of
from kerasgan.utils import atomic

#: Checkpoint key of a progressive model's `images_seen` variable.
_IMAGES_SEEN_KEY = "model/images_seen/.ATTRIBUTES/VARIABLE_VALUE"


#: run.json keys that are training settings: a rerun that changes one is refused
#: (unless `override=True`). `epochs` may grow, the strategy may change.
SETTINGS_KEYS = (
    "family", "dataset", "target_dataset", "image_size", "batch_size", "latent_dim", "channels", "seed",
    "steps_per_epoch", "model_config", "compile_config", "optimizers", "schedule", "precision",
)

#: `on_nan` values of `train`.
ON_NAN = ("stop", "rollback")


class RunFolderLocked(RuntimeError):
    """Another live process is training into the same run folder."""


def _atomic_save(model, path):
    """Saves through a temporary file that is fsynced and renamed, so an
    existing model file is never left half-written; refuses non-finite weights."""
    bad = first_non_finite(model)
    if bad is not None:
        raise NonFiniteError(f"Not writing {path}: the variable {bad} holds NaN or Inf values.", quantity=bad)
    atomic.save_model(model, path)


def _lock(folder):
    """Takes OUT/.lock (`fcntl.flock`, exclusive, non-blocking) and writes
    this process's pid in it; returns the open file, whose closing (or the
    process's death) releases the lock. A lock left by a killed process is
    free again, so it is simply taken over."""
    path = os.path.join(folder, ".lock")
    f = open(path, "a+")
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.seek(0)
        pid = f.read().strip() or "unknown"
        f.close()
        raise RunFolderLocked(
            f"{folder} is in use by another kerasgan run (pid {pid}, holding {path}). "
            "Wait for it to finish or stop it, or train into another --out."
        ) from None
    f.seek(0)
    f.truncate()
    f.write(f"{os.getpid()}\n")
    f.flush()
    return f


def _read_run_json(path):
    """run.json as a dict, or None when it is absent or unreadable (a warning
    names the file and the problem)."""
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            run = json.load(f)
        if not isinstance(run, dict):
            raise ValueError(f"expected a JSON object, found {type(run).__name__}")
        return run
    except (OSError, ValueError) as e:
        warnings.warn(
            f"{path} is unreadable ({e}); it is rebuilt from the checkpoint and this run's "
            "arguments (the settings check and the recorded training time of earlier sessions "
            "are lost).", stacklevel=3,
        )
        return None


def _normalised(value):
    return json.loads(json.dumps(value, default=str))


def _flat(value, prefix=""):
    if isinstance(value, dict):
        items = {}
        for k, v in value.items():
            items.update(_flat(v, f"{prefix}{k}."))
        return items
    return {prefix.rstrip("."): value}


def changed_settings(previous, current):
    """`["seed: 3 -> 4", ...]`: the training settings (`SETTINGS_KEYS`, nested
    configs flattened to dotted keys) that differ between two run.json dicts."""
    old = _flat({k: previous.get(k) for k in SETTINGS_KEYS if k in previous or k in current})
    new = _flat(_normalised({k: current.get(k) for k in SETTINGS_KEYS if k in previous or k in current}))
    keys = sorted(k for k in set(old) | set(new) if k.rsplit(".", 1)[-1] != "name")  # auto-numbered names
    return [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)]


def _has_schedule(optimizer):
    """Whether the optimizer's learning rate is a `LearningRateSchedule`
    (reading `learning_rate` then gives the current value, but it cannot be set)."""
    return isinstance(optimizer.get_config().get("learning_rate"), dict)


def _learning_rates(model):
    """Each optimizer's learning rate; None for a schedule (e.g. CycleGAN's linear decay)."""
    rates = {}
    for name, optimizer in optimizers(model).items():
        if _has_schedule(optimizer):
            rates[name] = None
            continue
        try:
            # Through NumPy: a mirrored variable (several replicas) has no float().
            value = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            rates[name] = float(f"{value:.7g}")  # float32 noise off
        except (TypeError, ValueError):
            rates[name] = None  # a schedule
    return rates


def _set_learning_rates(model, rates):
    for name, optimizer in optimizers(model).items():
        if rates.get(name) is not None:
            optimizer.learning_rate = rates[name]


def _describe_source(source):
    """What run.json records of a data source: a name or path as given, a
    label-file folder's JSON, else the type's name (an array is not written out)."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    if isinstance(source, data_lib.LabelledFolder):
        return source.to_json()
    return type(source).__name__


def _family_key(family):
    key = family.lower().replace("-", "_")
    if key not in models_lib.FAMILIES:
        raise ValueError(f"Unknown model family. Expected one of {sorted(models_lib.FAMILIES)}. Received: {family!r}")
    return key


def _grows(cls):
    """Whether a family class is progressive: built for a `target_resolution`."""
    return "target_resolution" in inspect.signature(cls.__init__).parameters


def is_progressive(model):
    """Whether `model` grows phase by phase (it has `grow()` and a
    `target_resolution`, as ProGAN and StyleGAN do)."""
    return callable(getattr(model, "grow", None)) and hasattr(model, "target_resolution")


def build_model(family, image_size, channels, latent_dim=100, num_classes=None, seed=0, **model_kwargs):
    """Builds a registered family for square `image_size` images (the
    target resolution of a progressive family); `num_classes` reaches the
    families whose task asks for it (class-conditional ones)."""
    key = _family_key(family)
    cls = models_lib.FAMILIES[key]
    kwargs = dict(model_kwargs)
    if _grows(cls):
        kwargs.update(target_resolution=image_size, channels=channels)
    else:
        kwargs.update(image_shape=(image_size, image_size, channels))
    if "latent_dim" in inspect.signature(cls.__init__).parameters:  # image-to-image families take none
        kwargs.update(latent_dim=latent_dim)
    kwargs.update(seed=seed)
    kwargs.update(task_of(cls).data_kwargs(cls, num_classes)[0])
    return models_lib.get(key, **kwargs)


def progressive_schedule(model, fade_in_images, stabilize_images, phase_batch_sizes, batch_size):
    """The `ProgressiveSchedule` of a progressive `model`.

    `phase_batch_sizes`: None (`batch_size` everywhere), a list with one
    batch size per phase (start to target resolution), or a dict keyed by
    resolution.
    """
    resolutions = []
    resolution = model.start_resolution
    while resolution <= model.target_resolution:
        resolutions.append(resolution)
        resolution *= 2
    batch = batch_size
    if isinstance(phase_batch_sizes, dict):
        batch = {int(k): v for k, v in phase_batch_sizes.items()}
    elif phase_batch_sizes is not None:
        batch = list(phase_batch_sizes)
        if len(batch) != len(resolutions):
            raise ValueError(
                f"`phase_batch_sizes` needs one batch size per phase, for resolutions "
                f"{resolutions}. Received: phase_batch_sizes={phase_batch_sizes!r}"
            )
        batch = dict(zip(resolutions, batch))
    return callbacks_lib.ProgressiveSchedule(
        fade_in_images=fade_in_images, stabilize_images=stabilize_images, batch_size=batch
    )


def _grow_to_checkpoint(model, checkpoint, schedule):
    """Grows a fresh progressive model to the resolution its latest checkpoint
    was saved at (its networks differ at every resolution, so a checkpoint only
    restores into a model of the same resolution). The resolution is the
    phase of the schedule holding the checkpoint's `images_seen` (a phase's
    last checkpoint is saved before the grow)."""
    latest = checkpoint.latest
    if latest is None or not tf.train.load_checkpoint(latest).has_tensor(_IMAGES_SEEN_KEY):
        return  # nothing to resume, or not a progressive run: restore says so
    seen = int(tf.train.load_variable(latest, _IMAGES_SEEN_KEY))
    for phase in schedule.phases(model.start_resolution, model.target_resolution):
        if seen <= schedule.end_images(phase):
            break
    while model.resolution < phase.resolution:
        model.grow()


def _restore(checkpoint, model, run_json):
    """`checkpoint.restore(model)`, with a mismatch reported as such."""
    try:
        return checkpoint.restore(model)
    except (AssertionError, ValueError, tf.errors.OpError) as e:
        detail = str(e).strip().splitlines()[0][:300].rstrip(".") if str(e).strip() else type(e).__name__
        raise ValueError(
            f"The checkpoint in {checkpoint.directory} does not fit the model being built "
            f"(another family, image size, width or progressive schedule than the run that "
            f"wrote it; see {run_json}): {detail}. Rerun with that run's configuration to "
            "resume it, or train into a new --out."
        ) from None


class _ProgressLogs(keras.callbacks.Callback):
    """Adds the resolution and the images seen to a progressive run's epoch logs
    (so history.csv and TensorBoard have them)."""

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["resolution"] = int(self.model.resolution)
            logs["images_seen"] = int(self.model.images_seen.numpy())


class _PhaseSamples(keras.callbacks.Callback):
    """Writes `phase_RxR.png` at the end of the epoch that finishes a phase of
    a progressive run (the model grows later, in `on_train_end`)."""

    def __init__(self, directory, schedule, num_images, seed):
        super().__init__()
        self.directory, self.schedule = directory, schedule
        self.num_images, self.seed = num_images, seed

    def on_epoch_end(self, epoch, logs=None):
        model = self.model
        phase = self.schedule.phase(model.resolution, model.start_resolution, model.target_resolution)
        if int(model.images_seen.numpy()) >= self.schedule.end_images(phase):
            from kerasgan.utils.images import save_image_grid

            name = f"phase_{model.resolution:03d}x{model.resolution:03d}.png"
            save_image_grid(model.generate(self.num_images, seed=self.seed), os.path.join(self.directory, name))


def _fit_progressive(model, schedule, load, callbacks, initial_epoch, steps_per_epoch, verbose):
    """Runs the remaining phases with `train_progressive`; returns one
    `History` over all of them (epochs numbered on from `initial_epoch`)."""
    from kerasgan.callbacks import train_progressive

    def dataset_fn(resolution, batch_size):
        phase = schedule.phase(resolution, model.start_resolution, model.target_resolution)
        ds = load(resolution, batch_size)
        # A resumed phase continues its data stream where the interrupted run left it.
        done = max(0, int(model.images_seen.numpy()) - phase.start_images) // batch_size
        return ds.skip(done) if done else ds

    histories = train_progressive(
        model, dataset_fn, schedule, callbacks=callbacks,
        steps_per_epoch=steps_per_epoch, verbose=verbose, initial_epoch=initial_epoch,
    )
    history = keras.callbacks.History()
    history.set_model(model)
    history.epoch = [e for h in histories for e in h.epoch]
    for h in histories:
        for key, values in h.history.items():
            history.history.setdefault(key, []).extend(values)
    return history


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
    fade_in_images=None,
    stabilize_images=None,
    phase_batch_sizes=None,
    override=False,
    on_nan="stop",
    max_rollbacks=3,
    target_dataset=None,
    on_corrupt="error",
    dry_run=False,
    precision="float32",
    evaluation=None,
):
    """Trains (or resumes) a GAN and writes the run folder described above.

    Args:
        family: registered family name (`kerasgan.models.FAMILIES`).
        dataset: anything `kerasgan.data.load` accepts (default: the embedded
            `"digits"`).
        out: the run folder; an existing one is resumed.
        epochs: total epochs (a resumed run trains the remaining ones). For a
            progressive family: the default length of every fade-in and
            every stabilisation, in passes over the data.
        image_size: square image size (power of two for convolutional
            families); the target resolution of a progressive family.
        batch_size, latent_dim, channels, seed, data_dir, split: as named.
        model_kwargs: extra family constructor arguments (e.g. `ema_decay`).
        compile_kwargs: extra `compile` arguments (e.g. `loss`, `n_critic`).
        num_samples: images in each sample grid.
        steps_per_epoch: default: one pass over the data (at `batch_size`).
        tensorboard: write TensorBoard logs under `out/logs`.
        verbose: `fit`'s verbosity (progress bar by default).
        extra_callbacks: more Keras callbacks.
        command: the command line to record in `run.json`.
        strategy: a `kerasgan.distribute.strategy` name (`"auto"`,
            `"default"`, `"mirrored"`, `"multi_worker"`, `"cpu:N"`) or a
            `tf.distribute.Strategy`. `batch_size` is the global batch; with
            several replicas batch norm is synchronized, so the run trains
            like one device with the same global batch. With several
            workers only the chief writes `out`.
        fade_in_images, stabilize_images: progressive families only: images
            of each phase's fade-in and stabilisation (an int, or a dict keyed
            by resolution); default `epochs` passes over the data each.
        phase_batch_sizes: progressive families only: one global batch size
            per phase, from the start to the target resolution (a list, or a
            dict keyed by resolution); default `batch_size` everywhere.
        override: continue a run whose recorded training settings
            (`SETTINGS_KEYS` in run.json) differ from these; without it
            such a rerun is refused, naming the changed keys. The new
            learning rates replace the checkpoint's.
        on_nan: what a NaN or Inf in a logged loss or a weight does:
            `"stop"` raises `kerasgan.callbacks.NonFiniteError` naming the
            epoch, batch and quantity, and nothing of the diverged epoch is
            written; `"rollback"` (non-progressive families) restores the
            last good checkpoint and continues with every optimizer's
            learning rate divided by 10, at most `max_rollbacks` times
            (recorded under `rollbacks` in run.json), then stops as above.
        max_rollbacks: see `on_nan`.
        target_dataset: image-to-image families: the second domain
            (`dataset` is the first): the target folder of a paired family
            (pairs matched by file name, `split` = the hash split of
            `kerasgan.data.pairs`), or domain b of an unpaired one.
        on_corrupt: an unreadable file in an image folder: `"error"` or
            `"skip"` (see `kerasgan.data.load`).
        precision: `"float32"` (default), `"bf16"` (Keras' `mixed_bfloat16`
            policy: bfloat16 compute, float32 weights; fast on CPUs with
            AVX512-BF16 or AMX and on recent GPUs) or `"fp16"`
            (`mixed_float16`, loss-scaled; GPUs). The policy is global while
            the run trains (so layers a progressive family adds later get
            it too) and restored afterwards; the returned model keeps it (a
            saved one is rebuilt in the policy global when it is loaded).
            Recorded in run.json (a resume in another precision is refused).
        evaluation: a `kerasgan.callbacks.Evaluate` (latent -> image,
            non-progressive families): it scores the generator every
            `every_n_epochs` epochs, before the epoch's other callbacks, so
            the scores are columns of history.csv (NA between evaluations)
            and a panel of curves.png; the model with the best `monitor`
            score so far is kept as `out/best.keras` (unless the callback
            names another `best_path`). A resumed run's best is the best
            score in the history it resumes. Its settings are recorded under
            `evaluation` in run.json.
        dry_run: check the configuration without training or writing
            anything: the data source is described (a TFDS dataset is
            prepared first), the model built and compiled, the steps per
            epoch worked out; returns the resolved settings (a dict with
            `channels`, `steps_per_epoch`, `num_examples`, `num_classes`).

    Raises:
        kerasgan.callbacks.NonFiniteError: training diverged (see `on_nan`).
        RunFolderLocked: another live process trains into `out`.
        ValueError: bad arguments, a checkpoint that does not fit the model,
            or changed settings without `override`.

    Returns:
        `(model, history)`; `history` is None when the run had already
        finished. A progressive run's history covers all its phases, with
        the `resolution` and `images_seen` of every epoch.
    """
    arguments = {k: v for k, v in locals().items() if k != "precision"}
    policy = precision_policy(precision)
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        return _train(**arguments, policy=policy)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)


def _check_evaluation(evaluation, model, key, progressive):
    from kerasgan.callbacks import Evaluate
    from kerasgan.engine.tasks import LatentTask

    if not isinstance(evaluation, Evaluate):
        raise ValueError(f"`evaluation` must be a kerasgan.callbacks.Evaluate. Received: {evaluation!r}")
    if type(task_of(model)) is not LatentTask:
        raise ValueError(
            f"Evaluation during training scores samples of a latent -> image family; {key!r} is a "
            f"{task_of(model).name} family. Score it after training (kerasgan evaluate, or its recipe's own "
            "metrics)."
        )
    if progressive:
        raise ValueError(
            f"Evaluation during training is not supported for progressive families ({key!r}): their "
            "resolution changes between phases. Score the run after training with kerasgan evaluate."
        )


def _resume_best(evaluation, history_path):
    """Seeds `evaluation`'s best score from the history a resumed run keeps,
    so `best.keras` is only replaced by a model that beats every earlier one."""
    import math

    from kerasgan.callbacks.history_csv import read_history

    header, rows = read_history(history_path)
    if evaluation.monitor not in header:
        return
    column = header.index(evaluation.monitor)
    for row in rows:
        try:
            value = float(row[column])
        except (IndexError, ValueError):
            continue
        if math.isfinite(value) and evaluation._improved(value):
            evaluation.best, evaluation.best_epoch = value, int(row[0]) - 1


#: `train(precision=...)` names -> Keras dtype policies.
PRECISIONS = {"float32": "float32", "fp32": "float32", "bf16": "mixed_bfloat16", "bfloat16": "mixed_bfloat16",
              "mixed_bfloat16": "mixed_bfloat16", "fp16": "mixed_float16", "float16": "mixed_float16",
              "mixed_float16": "mixed_float16"}


def precision_policy(precision):
    """The Keras dtype policy name of a `precision` ("float32", "bf16", "fp16", or a policy name)."""
    if precision not in PRECISIONS:
        raise ValueError(
            f"Unknown precision {precision!r}: use float32, bf16 (mixed_bfloat16) or fp16 (mixed_float16)."
        )
    return PRECISIONS[precision]


def _train(family, dataset, out, epochs, image_size, batch_size, latent_dim, channels, seed, data_dir, split,
           model_kwargs, compile_kwargs, num_samples, steps_per_epoch, tensorboard, verbose, extra_callbacks,
           command, strategy, fade_in_images, stabilize_images, phase_batch_sizes, override, on_nan,
           max_rollbacks, target_dataset, on_corrupt, dry_run, policy, evaluation):
    if on_nan not in ON_NAN:
        raise ValueError(f"`on_nan` must be one of {ON_NAN}. Received: on_nan={on_nan!r}")
    if isinstance(strategy, str):
        # First: "cpu:N" must run before anything initialises TensorFlow's devices.
        strategy = distribute.strategy(strategy)
    out = os.fspath(out)
    model_kwargs = dict(model_kwargs or {})
    compile_kwargs = dict(compile_kwargs or {})
    keras.utils.set_random_seed(seed)
    key = _family_key(family)
    # A TFDS name is prepared first (offline: read from data_dir, or a one-line
    # error), so its split size is known and no steps_per_epoch is needed.
    data_lib.sources.prepare(dataset, split=split, data_dir=data_dir)
    # The family's task reads the data: one source, or two domains.
    task = task_of(models_lib.FAMILIES[key])
    info = task.data_info(dataset, target_dataset, split=split, data_dir=data_dir)
    # The family's task says what it needs from the data (class-conditional
    # families: the class count, and labelled batches).
    _, with_labels = task_of(models_lib.FAMILIES[key]).data_kwargs(models_lib.FAMILIES[key], info.num_classes)
    channels = channels or info.channels
    with strategy.scope():
        model = build_model(
            key, image_size, channels, latent_dim=latent_dim,
            num_classes=info.num_classes if with_labels else None, seed=seed, **model_kwargs,
        )
        if strategy.num_replicas_in_sync > 1:
            distribute.synchronize_batch_norm(model)
        model.compile(**compile_kwargs)

    def load(resolution, batch):
        return data_lib.load(
            dataset, resolution, batch, channels=channels, with_labels=with_labels,
            split=split, data_dir=data_dir, seed=seed, repeat=True, on_corrupt=on_corrupt,
        )

    load = task.data_loader(load, dataset, target_dataset, channels=channels, split=split, seed=seed,
                            **task.loader_options(model))

    progressive = is_progressive(model)
    schedule = None
    if progressive:
        if (fade_in_images is None or stabilize_images is None) and not info.num_examples:
            raise ValueError(
                f"The size of {info.name!r} is unknown: pass fade_in_images and stabilize_images."
            )
        pass_images = epochs * (info.num_examples or 0)
        schedule = progressive_schedule(
            model,
            pass_images if fade_in_images is None else fade_in_images,
            pass_images if stabilize_images is None else stabilize_images,
            phase_batch_sizes, batch_size,
        )
        if on_nan == "rollback":
            raise ValueError(
                f"on_nan='rollback' is not supported for progressive families ({key!r}): a "
                "rollback across a grow is not implemented. Use on_nan='stop' and resume."
            )
    elif (fade_in_images, stabilize_images, phase_batch_sizes) != (None, None, None):
        raise ValueError(
            f"fade_in_images, stabilize_images and phase_batch_sizes apply to progressive "
            f"families only (a model with grow(), e.g. progan), not to {key!r}."
        )
    if steps_per_epoch is None:
        if not info.num_examples:
            raise ValueError(f"The size of {info.name!r} is unknown: pass steps_per_epoch.")
        steps_per_epoch = max(1, info.num_examples // batch_size)
    if progressive:
        # The phases' pipelines are built later: check their batch sizes now.
        phases = schedule.phases(model.start_resolution, model.target_resolution)
        too_big = [p.batch_size for p in phases if info.num_examples and p.batch_size > info.num_examples]
        if too_big:
            raise ValueError(
                f"{info.name!r} has only {info.num_examples} images, fewer than one batch of "
                f"{max(too_big)}. Use smaller batch sizes."
            )
    if evaluation is not None:
        _check_evaluation(evaluation, model, key, progressive)
    if dry_run:
        return {"channels": channels, "steps_per_epoch": steps_per_epoch,
                "num_examples": info.num_examples, "num_classes": info.num_classes if with_labels else None}
    if not progressive:
        ds = load(image_size, batch_size)  # errors in the data come before any file is written

    # Only the chief writes OUT; other workers of a multi-worker run write
    # into a folder of their own (and read the chief's checkpoints to resume).
    chief = distribute.is_chief(strategy)
    work = out if chief else tempfile.mkdtemp(prefix="kerasgan-worker-")
    lock = None
    try:
        os.makedirs(work, exist_ok=True)
        if chief:
            lock = _lock(work)  # before anything in OUT is read or written
        run_json = os.path.join(work, "run.json")
        previous = _read_run_json(run_json)
        checkpoint = callbacks_lib.Checkpoint(os.path.join(work, "checkpoints"))
        source = checkpoint if chief else callbacks_lib.Checkpoint(os.path.join(out, "checkpoints"))
        compiled_rates = _learning_rates(model)  # a restore brings back the checkpoint's
        # As built from the arguments (a progressive model's config also holds its
        # training state, which grows and the restore change).
        model_config = model.get_config()
        if progressive:
            _grow_to_checkpoint(model, source, schedule)
        initial_epoch = _restore(source, model, os.path.join(out, "run.json"))
        distribute.check_workers_agree(strategy, initial_epoch, "the epoch to resume from")
        run = {
            "family": key,
            "dataset": _describe_source(dataset),
            **({} if target_dataset is None else {"target_dataset": _describe_source(target_dataset)}),
            "epochs": epochs,
            "image_size": image_size,
            "batch_size": batch_size,
            "latent_dim": latent_dim,
            "channels": channels,
            "seed": seed,
            "steps_per_epoch": steps_per_epoch,
            "strategy": f"{type(strategy).__name__} ({strategy.num_replicas_in_sync} replicas)",
            "model_config": model_config,
            "compile_config": {k: v for k, v in model.get_compile_config().items() if "optimizer" not in k},
            "optimizers": {
                name: {"class_name": type(o).__name__, "learning_rate": compiled_rates.get(name)}
                for name, o in optimizers(model).items()
            },
            "command": command or " ".join(shlex.quote(a) for a in sys.argv),
            "keras_version": keras.__version__,
        }
        if evaluation is not None:
            if evaluation.best_path is None:
                evaluation.best_path = os.path.join(work, "best.keras")
            run["evaluation"] = {
                "every_n_epochs": evaluation.every_n_epochs, "metrics": list(evaluation.metric_names),
                "num_samples": evaluation.num_samples, "seed": evaluation.seed, "monitor": evaluation.monitor,
                "extractor": getattr(evaluation.extractor, "identity", None), "best_path": evaluation.best_path,
            }
        if policy != "float32":
            run["precision"] = policy  # only when not the default, so older run folders resume as they were
        if progressive:
            run["schedule"] = schedule.get_config()
        if previous is not None:
            changed = changed_settings(previous, run)
            if changed and not override:
                raise ValueError(
                    f"{out} was trained with other settings than this run's ({run_json}): "
                    f"{'; '.join(changed)}. Rerun with the recorded settings to resume, pass "
                    "--override (override=True) to continue with the new ones, or train into a new --out."
                )
            if changed:
                print(f"{out}: continuing with changed settings (override): {'; '.join(changed)}")
                run["overrides"] = list(previous.get("overrides", [])) + [changed]
                # The checkpoint restored its optimizers' learning rates: apply the new ones.
                _set_learning_rates(model, compiled_rates)
            if "rollbacks" in previous:
                run["rollbacks"] = previous["rollbacks"]
        previous_seconds = 0.0
        if initial_epoch and previous is not None:
            # Training time accumulates over the sessions of a resumed run.
            previous_seconds = previous.get("train_seconds", 0.0)
        run["train_seconds"] = previous_seconds
        atomic.atomic_write_text(run_json, json.dumps(run, indent=2, default=str))
        history_csv = HistoryCSV(os.path.join(work, "history.csv"))
        # The history matches the checkpoint: rows of epochs it does not cover
        # (written before a kill in the checkpoint's write) are dropped.
        history_csv.truncate(initial_epoch)
        if evaluation is not None:
            _resume_best(evaluation, history_csv.path)

        if progressive:
            total = schedule.total_images(model.start_resolution, model.target_resolution)
            seen = int(model.images_seen.numpy())
            finished = model.resolution >= model.target_resolution and seen >= total
            done_message = (f"{out}: already trained to {model.target_resolution}x"
                            f"{model.target_resolution} ({seen} images); nothing to do.")
        else:
            finished = initial_epoch >= epochs
            done_message = (f"{out}: already trained for {initial_epoch} epochs (asked for {epochs}); "
                            "nothing to do.")
        history = None
        if finished:
            print(done_message)
        else:
            if initial_epoch:
                print(f"Resuming {out} from epoch {initial_epoch}.")
            samples = os.path.join(work, "samples")
            # First: a NaN/Inf stops the epoch before any callback below writes it.
            callbacks = [callbacks_lib.NonFiniteGuard()]
            if progressive:
                callbacks.append(_ProgressLogs())
            if evaluation is not None:
                callbacks.append(evaluation)  # before the history and curves, which show its scores
            callbacks += [
                callbacks_lib.SampleGrid(
                    samples, num_images=num_samples, seed=seed,
                    log_dir=os.path.join(work, "logs") if tensorboard else None,
                    inputs=None if progressive else task.grid_inputs(ds),
                ),
                history_csv,
                callbacks_lib.Curves(os.path.join(work, "curves.png"), history_csv=history_csv.path),
                checkpoint,
            ]
            if progressive:
                callbacks.append(_PhaseSamples(samples, schedule, num_samples, seed))
            if verbose != 0:
                # Early grids of flat grey tiles read as a failed run: say what they mean.
                callbacks.append(FlatSamplesHint(seed=seed))
            if tensorboard:
                callbacks.append(keras.callbacks.TensorBoard(os.path.join(work, "logs")))
            start = time.time()

            def save_run(epoch=None, logs=None):
                run["train_seconds"] = round(previous_seconds + time.time() - start, 1)
                atomic.atomic_write_text(run_json, json.dumps(run, indent=2, default=str))

            # After the checkpoint, so a killed run keeps the time of its saved epochs.
            callbacks.append(keras.callbacks.LambdaCallback(on_epoch_end=save_run))
            callbacks.extend(extra_callbacks)
            if on_nan == "rollback" and not initial_epoch and checkpoint.latest is None:
                checkpoint.save(model, 0)  # something to roll back to from the first epoch
            rollbacks = 0
            while True:
                try:
                    if progressive:
                        history = _fit_progressive(
                            model, schedule, load, callbacks, initial_epoch, steps_per_epoch, verbose
                        )
                    else:
                        fit_ds = ds
                        if initial_epoch:
                            # The data stream continues where the interrupted run left it.
                            fit_ds = ds.skip(initial_epoch * steps_per_epoch)
                        history = model.fit(
                            fit_ds, epochs=epochs, initial_epoch=initial_epoch,
                            steps_per_epoch=steps_per_epoch, callbacks=callbacks, verbose=verbose,
                        )
                    break
                except NonFiniteError as e:
                    save_run()
                    kept = checkpoint.latest
                    if on_nan != "rollback" or rollbacks >= max_rollbacks or kept is None:
                        tried = f" after {rollbacks} rollback(s)" if on_nan == "rollback" else ""
                        raise NonFiniteError(
                            f"{e} Stopped{tried}; nothing of the diverged epoch was saved: {out} keeps "
                            f"its last good checkpoint ({kept or 'none yet'})"
                            f"{' and model.keras' if os.path.exists(os.path.join(work, 'model.keras')) else ''}. "
                            "Lower the learning rates, check the data for NaN/Inf, or rerun with "
                            "--on-nan rollback.", epoch=e.epoch, batch=e.batch, quantity=e.quantity,
                        ) from None
                    rollbacks += 1
                    initial_epoch = checkpoint.restore(model)
                    rates = {k: v / 10 for k, v in _learning_rates(model).items() if v is not None}
                    _set_learning_rates(model, rates)
                    print(f"{out}: {e} Rolled back to epoch {initial_epoch} ({kept}) with learning "
                          f"rates {rates} (rollback {rollbacks} of at most {max_rollbacks}).")
                    run.setdefault("rollbacks", []).append({
                        "epoch": e.epoch, "batch": e.batch, "quantity": e.quantity,
                        "resumed_from_epoch": initial_epoch, "learning_rates": rates,
                    })
                    history_csv.truncate(initial_epoch)
                    save_run()
                    start, previous_seconds = time.time(), run["train_seconds"]
                    ds = load(image_size, batch_size)  # the stream from its start, skipped above
            save_run()
        _atomic_save(model, os.path.join(work, "model.keras"))
    finally:
        if lock is not None:
            lock.close()
        if not chief:
            shutil.rmtree(work, ignore_errors=True)
    return model, history
