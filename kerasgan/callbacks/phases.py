"""Multi-phase training: a list of phases, each prepared and then run with `fit`.

Some GANs train in phases that change the model between `fit` calls:
StackGAN trains Stage I, then Stage II with Stage I frozen; progressive
growing trains one resolution, grows the networks and trains the next. A
phase here is

- `prepare(model)`: what changes before the phase (freeze or unfreeze
  networks, grow, recompile: a recompile builds new optimizers over the
  variables that are trainable now, and Keras retraces the step);
- its data (a dataset, or a function of the model that returns one: the
  data may depend on the prepared model, e.g. its resolution);
- its length (`epochs` of `steps_per_epoch` steps) and its own callbacks
  (next to the run-wide ones).

`train_phases(model, phases)` runs them in order, one `fit` per phase, with
epoch numbers running on across phases (`initial_epoch`), so per-epoch
callbacks (sample grids, checkpoints, CSV history) see one run, and records
each epoch's phase name in the histories.

How progressive growing maps onto it (`train_progressive` is not rewritten
here): each resolution is a `TrainingPhase` whose `prepare` grows the model
once the previous resolution is done (`model.grow()`, which recompiles),
whose `data` is `lambda m: dataset_fn(m.resolution, batch_size)`, whose
length is the phase's images divided by its batch size, and whose
`callbacks` hold the `ProgressiveGrowing` callback that sets the fade-in
alpha step by step. What `train_progressive` adds on top is resuming
mid-phase from the model's `images_seen` (here: `start` skips finished
phases, the model's own state says where it is).
"""

import dataclasses

from kerasgan.utils.validation import check_positive_int


@dataclasses.dataclass
class TrainingPhase:
    """One phase of a multi-phase run (see the module docstring).

    Attributes:
        name: recorded in the histories (`history.history["phase"]`).
        prepare: `prepare(model)` run before the phase's `fit` (None: nothing).
        epochs: epochs of the phase.
        steps_per_epoch: steps per epoch (None: one pass over finite data).
        data: a `tf.data.Dataset` (or anything `fit` takes), a function
            `data(model)` returning one, or None for `train_phases`' `data`.
        callbacks: callbacks of this phase only, run after the run-wide ones.
    """

    name: str
    prepare: object = None
    epochs: int = 1
    steps_per_epoch: int = None
    data: object = None
    callbacks: list = dataclasses.field(default_factory=list)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"A phase needs a non-empty `name`. Received: name={self.name!r}")
        if self.prepare is not None and not callable(self.prepare):
            raise ValueError(f"`prepare` must be a function of the model or None. Received: prepare={self.prepare!r}")
        self.epochs = check_positive_int("epochs", self.epochs)
        if self.steps_per_epoch is not None:
            self.steps_per_epoch = check_positive_int("steps_per_epoch", self.steps_per_epoch)


def train_phases(model, phases, data=None, callbacks=None, verbose=0, initial_epoch=0, start=0):
    """Runs `phases` (a list of `TrainingPhase`) in order: for each one,
    `prepare(model)` then one `model.fit`.

    Args:
        model: the model (compiled by the first phase's `prepare`, or before).
        phases: the `TrainingPhase`s.
        data: the default data of phases that have none.
        callbacks: run-wide callbacks, given to every `fit`.
        verbose: as in `fit`.
        initial_epoch: number of the first epoch.
        start: index of the first phase to run (a resumed run skips the
            finished ones).

    Returns:
        One `History` per phase run; each records `"phase"` per epoch.
    """
    phases = list(phases)
    if not phases or not all(isinstance(p, TrainingPhase) for p in phases):
        raise ValueError(f"`phases` must be a non-empty list of TrainingPhase. Received: {phases!r}")
    names = [p.name for p in phases]
    if len(set(names)) != len(names):
        raise ValueError(f"Phase names must be unique. Received: {names}")
    if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start < len(phases):
        raise ValueError(f"`start` must be an index into the {len(phases)} phases. Received: start={start!r}")
    histories = []
    epoch = initial_epoch
    for phase in phases[start:]:
        if phase.prepare is not None:
            phase.prepare(model)
        if not getattr(model, "compiled", False):
            raise ValueError(f"The model is not compiled when phase {phase.name!r} starts: compile it "
                             "first or in the phase's `prepare`.")
        phase_data = phase.data if phase.data is not None else data
        if callable(phase_data) and not hasattr(phase_data, "element_spec"):
            phase_data = phase_data(model)
        if phase_data is None:
            raise ValueError(f"Phase {phase.name!r} has no data: give it `data` or pass `data` to train_phases.")
        history = model.fit(
            phase_data,
            initial_epoch=epoch,
            epochs=epoch + phase.epochs,
            steps_per_epoch=phase.steps_per_epoch,
            callbacks=list(callbacks or []) + list(phase.callbacks),
            verbose=verbose,
        )
        history.history["phase"] = [phase.name] * len(history.epoch)
        epoch += len(history.epoch)
        histories.append(history)
    return histories


__all__ = ["TrainingPhase", "train_phases"]
