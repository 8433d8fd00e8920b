import os

import keras
import tensorflow as tf

from kerasgan.utils.images import save_image_grid


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG grid of samples from fixed latents after every epoch.

    The latents are fixed by `seed` (chosen once: the same seed gives the same
    latents every epoch, also after a resume), so the grids show how the same
    samples evolve. Conditional models get labels cycling through the classes
    (one class per column when `num_images` is a multiple of `num_classes`).
    Files are `epoch_0001.png`, ... in `directory`; with `log_dir` the grid is
    also written as a TensorBoard image summary.

    Args:
        directory: folder for the PNG files (created).
        num_images: images per grid.
        seed: seed of the fixed latents.
        every_n_epochs: write one grid every this many epochs.
        log_dir: optional TensorBoard log folder.
    """

    def __init__(self, directory, num_images=64, seed=0, every_n_epochs=1, log_dir=None):
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
        self._writer = None
        self.last_path = None

    def _labels(self):
        num_classes = getattr(self.model, "num_classes", None)
        if num_classes is None:
            return None
        columns = num_classes if self.num_images % num_classes == 0 else None
        if columns:
            return [i % num_classes for i in range(self.num_images)]
        return None  # the model's default: classes cycled

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        images = self.model.generate(self.num_images, seed=self.seed, labels=self._labels())
        num_classes = getattr(self.model, "num_classes", None)
        columns = num_classes if num_classes and self.num_images % num_classes == 0 else None
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
