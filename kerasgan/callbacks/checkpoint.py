import os

import keras
import tensorflow as tf

from kerasgan.callbacks.non_finite_guard import NonFiniteError, first_non_finite


def _seed_states(model):
    """The state variables of every `keras.random.SeedGenerator` in `model`
    (the model's own and its layers', e.g. dropout): `tf.train.Checkpoint`
    does not reach them through the model."""
    states, seen = [], set()
    for layer in [model] + list(model._flatten_layers(include_self=False)):
        for generator in getattr(layer, "_seed_generators", []):
            if id(generator) not in seen:
                seen.add(id(generator))
                states.append(generator.state)
    return states


class Checkpoint(keras.callbacks.Callback):
    """Saves everything training needs to resume, after every epoch.

    A `tf.train.Checkpoint` over the whole GAN model (networks, EMA generator,
    both optimizers with their moments and iteration counts, the seed
    generators' states, the model's and its layers') and the number of finished epochs, managed by a
    `tf.train.CheckpointManager` that keeps the last `max_to_keep`. Unlike
    `keras.callbacks.BackupAndRestore`, the checkpoint stays after training
    ends, so a finished run can be continued with more epochs.

    Resume with `initial_epoch = checkpoint.restore(model)` before `fit`
    (after `compile`, so that the optimizer variables exist):

        ckpt = kerasgan.callbacks.Checkpoint("runs/dcgan/checkpoints")
        start = ckpt.restore(gan)     # 0 when there is nothing to restore
        gan.fit(ds, epochs=10, initial_epoch=start, callbacks=[ckpt])

    A checkpoint is never written from weights or optimizer state holding a
    NaN or an infinity: `on_epoch_end` then raises
    `kerasgan.callbacks.NonFiniteError` (naming the variable) and the last
    good checkpoint stays the newest one, so a diverged `fit` cannot rotate
    the good checkpoints out.

    Args:
        directory: folder of the checkpoint files (created).
        max_to_keep: how many checkpoints to keep.
        every_n_epochs: save every this many epochs (the last epoch of a
            `fit` is always saved).
    """

    def __init__(self, directory, max_to_keep=2, every_n_epochs=1):
        super().__init__()
        self.directory = os.fspath(directory)
        self.max_to_keep = int(max_to_keep)
        self.every_n_epochs = int(every_n_epochs)
        self._epoch = None
        self._manager = None
        self._bound_model = None
        self._state_ids = None

    def _ensure_manager(self, model):
        # Rebind when the model or its seed generators changed: a progressive
        # model's `grow()` replaces its networks, and with them the layers'
        # seed generators (e.g. StyleGAN's noise inputs).
        states = _seed_states(model)
        state_ids = [id(s) for s in states]
        if self._manager is None or self._bound_model is not model or state_ids != self._state_ids:
            self._epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
            checkpoint = tf.train.Checkpoint(model=model, epoch=self._epoch, seed_states=states)
            self._manager = tf.train.CheckpointManager(
                checkpoint, self.directory, max_to_keep=self.max_to_keep
            )
            self._bound_model = model
            self._state_ids = state_ids
        return self._manager

    @property
    def latest(self):
        """Path prefix of the newest checkpoint in `directory`, or None."""
        return tf.train.latest_checkpoint(self.directory)

    def restore(self, model):
        """Restores the newest checkpoint into `model` (compiled) and returns the
        number of epochs it had finished (0 when there is none)."""
        if not getattr(model, "compiled", False):
            raise ValueError("Call `compile()` before `restore()`: optimizer state is restored too.")
        manager = self._ensure_manager(model)
        if manager.latest_checkpoint is None:
            return 0
        status = manager.checkpoint.restore(manager.latest_checkpoint)
        status.assert_existing_objects_matched()
        return int(self._epoch.numpy())

    def save(self, model, epoch):
        """Saves `model` as having finished `epoch` epochs; returns the path.

        Raises:
            NonFiniteError: a weight or optimizer variable holds NaN or Inf
                (nothing is written).
        """
        path = first_non_finite(model)
        if path is not None:
            kept = self.latest
            raise NonFiniteError(
                f"Not saving a checkpoint after epoch {epoch}: the variable {path} holds NaN or Inf "
                f"values. " + (f"The last good checkpoint {kept} is kept." if kept else
                               f"No earlier checkpoint exists in {self.directory}."),
                epoch=epoch, quantity=path,
            )
        manager = self._ensure_manager(model)
        self._epoch.assign(epoch)
        return manager.save(checkpoint_number=epoch)

    def on_epoch_end(self, epoch, logs=None):
        last = self.params and epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every_n_epochs and not last:
            return
        self.save(self.model, epoch + 1)
