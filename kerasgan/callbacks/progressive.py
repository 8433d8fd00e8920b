"""Progressive growing (ProGAN): the schedule and the callback that follows it.

A run goes through one *phase* per resolution. The first phase (at the start
resolution) only stabilises; every later phase first fades the new layers in
(alpha rises linearly from 0 to 1 over `fade_in_images` images) and then
stabilises (alpha = 1) for `stabilize_images` images. Karras et al. (2018)
use 800k + 800k images per phase and batch sizes that shrink as the
resolution grows (16 up to 128x128, then 16, 8, 4 ...).

The callback keeps the model's `images_seen` and `alpha` variables up to
date step by step; the run itself is `kerasgan.models.progan.train_progressive`,
one `fit` per phase (the data must be resized and re-batched between phases).
"""

import collections
import math

import keras

#: One phase of a schedule: its resolution, the images seen when it starts,
#: its fade-in and stabilisation lengths (images) and its batch size.
Phase = collections.namedtuple(
    "Phase", ["resolution", "start_images", "fade_in_images", "stabilize_images", "batch_size"]
)


def _phase_end(phase):
    return phase.start_images + phase.fade_in_images + phase.stabilize_images


class ProgressiveSchedule:
    """Images per phase and batch sizes of a progressive-growing run.

    Every argument is an int (the same for every resolution) or a dict keyed
    by resolution (int or str keys), as in the paper's per-resolution tables.

    Args:
        fade_in_images: images over which alpha rises from 0 to 1 after a
            grow (the start resolution has no fade-in).
        stabilize_images: images trained at alpha = 1 in each phase.
        batch_size: global batch size per resolution.

    Example:
        >>> schedule = ProgressiveSchedule(
        ...     fade_in_images=800_000, stabilize_images=800_000,
        ...     batch_size={4: 16, 8: 16, 16: 16, 32: 16, 64: 16, 128: 16, 256: 14})
    """

    def __init__(self, fade_in_images=800_000, stabilize_images=800_000, batch_size=16):
        self.fade_in_images = fade_in_images
        self.stabilize_images = stabilize_images
        self.batch_size = batch_size
        for name in ("fade_in_images", "stabilize_images", "batch_size"):
            value = getattr(self, name)
            values = value.values() if isinstance(value, dict) else [value]
            minimum = 1 if name == "batch_size" else 0
            if any(isinstance(v, bool) or not isinstance(v, int) or v < minimum for v in values):
                raise ValueError(
                    f"`{name}` must be an int >= {minimum} or a dict of them keyed by "
                    f"resolution. Received: {name}={value!r}"
                )

    def _at(self, name, resolution):
        value = getattr(self, name)
        if not isinstance(value, dict):
            return value
        by_res = {int(k): v for k, v in value.items()}
        if resolution not in by_res:
            raise ValueError(
                f"`{name}` has no entry for resolution {resolution}. Received: {name}={value!r}"
            )
        return by_res[resolution]

    def phases(self, start_resolution, target_resolution):
        """The `Phase`s from `start_resolution` to `target_resolution`."""
        phases, start = [], 0
        resolution = start_resolution
        while resolution <= target_resolution:
            fade = 0 if resolution == start_resolution else self._at("fade_in_images", resolution)
            phase = Phase(
                resolution, start, fade, self._at("stabilize_images", resolution),
                self._at("batch_size", resolution),
            )
            phases.append(phase)
            start = _phase_end(phase)
            resolution *= 2
        return phases

    def phase(self, resolution, start_resolution, target_resolution):
        """The `Phase` of `resolution`."""
        for phase in self.phases(start_resolution, target_resolution):
            if phase.resolution == resolution:
                return phase
        raise ValueError(
            f"Resolution {resolution} is not in [{start_resolution}, {target_resolution}]."
        )

    @staticmethod
    def end_images(phase):
        """Images seen when `phase` ends."""
        return _phase_end(phase)

    @staticmethod
    def alpha(phase, images_seen):
        """Fade-in alpha after `images_seen` images: linear from 0 at the
        phase start to 1 at the end of its fade-in, then 1."""
        if phase.fade_in_images == 0:
            return 1.0
        return min(1.0, max(0.0, (images_seen - phase.start_images) / phase.fade_in_images))

    def total_images(self, start_resolution, target_resolution):
        return _phase_end(self.phases(start_resolution, target_resolution)[-1])

    def get_config(self):
        return {
            "fade_in_images": self.fade_in_images,
            "stabilize_images": self.stabilize_images,
            "batch_size": self.batch_size,
        }


class ProgressiveGrowing(keras.callbacks.Callback):
    """Follows a `ProgressiveSchedule` inside `fit`: alpha and image counts.

    The model must be a progressive model (`kerasgan.models.ProGAN`): it has
    `resolution`, `start_resolution`, `target_resolution`, an `alpha`
    variable, an `images_seen` variable and `grow()`.

    - before every step: `alpha` is set from the images seen so far (linear
      over the phase's fade-in, 1 when stabilising);
    - after every step: `images_seen` advances by the phase's batch size (the
      dataset's batch must be that size; `steps_per_execution` > 1 is
      counted correctly, alpha is then updated once per execution);
    - when the phase's images are done, training stops (`stop_training`),
      and at the end of that `fit` the model is grown (`grow_at_phase_end`),
      unless it is at its target resolution.

    Progress lives in the model's variables, not in this callback, so a
    saved model resumes where it stopped. `kerasgan.models.progan.train_progressive`
    runs the `fit` calls (one per phase) with this callback.

    Args:
        schedule: a `ProgressiveSchedule`.
        grow_at_phase_end: call `model.grow()` in `on_train_end` when the
            phase is finished.

    Attributes:
        alphas: the alpha assigned before each step, in order (for plots and
            tests).
    """

    def __init__(self, schedule, grow_at_phase_end=True):
        super().__init__()
        if not isinstance(schedule, ProgressiveSchedule):
            raise ValueError(
                "`schedule` must be a ProgressiveSchedule. "
                f"Received: schedule={type(schedule).__name__}"
            )
        self.schedule = schedule
        self.grow_at_phase_end = bool(grow_at_phase_end)
        self.alphas = []
        self._phase = None
        self._epoch_start = 0

    def current_phase(self):
        model = self.model
        return self.schedule.phase(model.resolution, model.start_resolution, model.target_resolution)

    def on_train_begin(self, logs=None):
        self._phase = self.current_phase()
        seen = int(self.model.images_seen.numpy())
        if seen < self._phase.start_images:
            # A model grown by hand, or a schedule longer than the one it
            # was trained with: start this phase's count here.
            self.model.images_seen.assign(self._phase.start_images)
        elif seen >= self.schedule.end_images(self._phase):
            raise ValueError(
                f"The phase at resolution {self.model.resolution} is already finished "
                f"({seen} images seen, the phase ends at "
                f"{self.schedule.end_images(self._phase)}): grow the model first "
                "(train_progressive does)."
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = int(self.model.images_seen.numpy())

    def on_train_batch_begin(self, batch, logs=None):
        seen = self._epoch_start + batch * self._phase.batch_size
        alpha = self.schedule.alpha(self._phase, seen)
        self.model.alpha.assign(alpha)
        self.alphas.append(alpha)

    def on_train_batch_end(self, batch, logs=None):
        seen = self._epoch_start + (batch + 1) * self._phase.batch_size
        self.model.images_seen.assign(seen)
        if seen >= self.schedule.end_images(self._phase):
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        model = self.model
        seen = int(model.images_seen.numpy())
        finished = seen >= self.schedule.end_images(self._phase)
        if finished:
            model.alpha.assign(1.0)
        if finished and self.grow_at_phase_end and model.resolution < model.target_resolution:
            model.grow()


def train_progressive(
    model, dataset_fn, schedule, callbacks=None, steps_per_epoch=None, verbose=0, initial_epoch=0
):
    """Runs a progressive-growing schedule: one `fit` per resolution phase.

    A phase needs its own data (images resized to its resolution, batched by
    its batch size), which one `fit` cannot switch, so this loop runs

        for each phase from the model's current one to the target:
            fit(dataset_fn(resolution, batch_size), steps for the phase's images,
                callbacks=callbacks + [ProgressiveGrowing(schedule)])
            # the callback sets alpha every step and grows the model at the end

    Progress is read from the model (`resolution`, `images_seen`), so a model
    saved mid-run (`.keras`) continues where it stopped. Epoch numbers run on
    across the `fit` calls (`initial_epoch`), so per-epoch callbacks
    (`SampleGrid`, `Evaluate`, `TensorBoard`) see one run.

    Args:
        model: a compiled `kerasgan.models.ProGAN` (or StyleGAN).
        dataset_fn: `(resolution, batch_size) -> tf.data.Dataset` of image
            batches `[batch_size, resolution, resolution, channels]` in
            [-1, 1] (use `drop_remainder=True`: the minibatch-stddev groups
            need whole batches). It is repeated here as needed.
        schedule: a `kerasgan.callbacks.ProgressiveSchedule`.
        callbacks: further Keras callbacks, run before the growing one (so
            their `on_train_end` sees a phase's final networks).
        steps_per_epoch: split each phase into epochs of this many steps
            (default: one epoch per phase).
        verbose: as in `fit`.
        initial_epoch: number of the first epoch (a resumed run continues
            its numbering: checkpoint numbers, sample names, history rows).

    Returns:
        The list of `History` objects, one per `fit`; each history also
        records the phase's `"resolution"` per epoch.
    """
    if not isinstance(schedule, ProgressiveSchedule):
        raise ValueError(
            "`schedule` must be a ProgressiveSchedule. "
            f"Received: schedule={type(schedule).__name__}"
        )
    if not getattr(model, "compiled", False):
        raise ValueError("Call `model.compile()` before `train_progressive`.")
    growing = ProgressiveGrowing(schedule)
    callbacks = list(callbacks or []) + [growing]
    histories = []
    epoch = initial_epoch
    while True:
        phase = schedule.phase(model.resolution, model.start_resolution, model.target_resolution)
        end = schedule.end_images(phase)
        seen = max(int(model.images_seen.numpy()), phase.start_images)
        if seen >= end:
            if model.resolution >= model.target_resolution:
                break
            model.grow()
            continue
        steps = math.ceil((end - seen) / phase.batch_size)
        per_epoch = min(steps, steps_per_epoch or steps)
        epochs = math.ceil(steps / per_epoch)
        dataset = dataset_fn(model.resolution, phase.batch_size).repeat()
        resolution = model.resolution
        history = model.fit(
            dataset,
            initial_epoch=epoch,
            epochs=epoch + epochs,
            steps_per_epoch=per_epoch,
            callbacks=callbacks,
            verbose=verbose,
        )
        history.history["resolution"] = [resolution] * len(history.epoch)
        epoch += len(history.epoch)
        histories.append(history)
    return histories
