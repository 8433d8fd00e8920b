import math

from kerasgan.callbacks.progressive import ProgressiveGrowing, ProgressiveSchedule


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
        model: a compiled `kerasgan.models.ProGAN`.
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
