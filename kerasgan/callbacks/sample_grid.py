import os

import keras
import tensorflow as tf

from kerasgan.engine.tasks import task_of
from kerasgan.utils.images import save_image_grid


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG grid of samples after every epoch, drawn by the model's
    task (`kerasgan.engine.tasks`).

    Latent models: the latents are fixed by `seed` (chosen once: the same seed
    gives the same latents every epoch, also after a resume), so the grids
    show how the same samples evolve; conditional models get one class per
    column when `num_images` is a multiple of `num_classes`. Image-to-image
    models: rows of input | translation (| target) for the first
    `num_images` examples of `inputs`.
    Files are `epoch_0001.png`, ... in `directory`; with `log_dir` the grid is
    also written as a TensorBoard image summary.

    Args:
        directory: folder for the PNG files (created).
        num_images: images per grid.
        seed: seed of the fixed latents.
        every_n_epochs: write one grid every this many epochs.
        log_dir: optional TensorBoard log folder.
        inputs: a fixed batch to translate (image-to-image models only).
    """

    def __init__(self, directory, num_images=64, seed=0, every_n_epochs=1, log_dir=None, inputs=None):
        super().__init__()
        if int(num_images) < 1 or int(every_n_epochs) < 1:
            raise ValueError(
                "`num_images` and `every_n_epochs` must be positive. "
                f"Received: num_images={num_images}, every_n_epochs={every_n_epochs}"
            )
        self.directory = os.fspath(directory)
        self.num_images = int(num_images)
        self.seed = int(seed)
        self.every_n_epochs = int(every_n_epochs)
        self.log_dir = log_dir
        self.inputs = inputs
        self._writer = None
        self.last_path = None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        # The model's task draws the grid (latent models: fixed latents, one
        # class per column when the classes fit; translation: input | output).
        images, columns = task_of(self.model).sample_grid(self.model, self.num_images, self.seed, self.inputs)
        self.last_path = save_image_grid(
            images, os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png"), columns=columns
        )
        if self.log_dir:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(self.log_dir)
            with self._writer.as_default():
                tf.summary.image("samples", (images + 1.0) / 2.0, step=epoch + 1, max_outputs=self.num_images)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
