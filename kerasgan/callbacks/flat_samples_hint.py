"""A one-line note when a run's early samples are still flat grey tiles."""

import keras
import numpy as np


class FlatSamplesHint(keras.callbacks.Callback):
    """Says so, with the D/G balance, while the generator's samples are flat.

    A DCGAN's first epochs on small data often give sample grids of nearly
    uniform grey tiles (the generator has not left the mean image yet), which
    reads as a failed run. At the end of each epoch this draws `num_images`
    samples from fixed seeds and, when their mean per-image pixel standard
    deviation is below `threshold` (images in [-1, 1]), prints one line:
    the epoch, the logged losses (the D/G balance) and what to expect. Quiet
    once the samples have structure, and after `max_notes` notes. The line
    is printed at the start of the next epoch (or the end of training), after
    Keras' progress bar has finished its line.

    Args:
        num_images: samples drawn per check (from `seed`).
        seed: the seed of those samples (the sample grid's, so the note is
            about the picture the user sees).
        threshold: pixel standard deviation (in [-1, 1] units) below which
            samples count as flat.
        max_notes: the most lines printed over a run.
        print_fn: where the line goes (default `print`).
    """

    def __init__(self, num_images=16, seed=0, threshold=0.05, max_notes=5, print_fn=print):
        super().__init__()
        self.num_images = int(num_images)
        self.seed = seed
        self.threshold = float(threshold)
        self.max_notes = int(max_notes)
        self.print_fn = print_fn
        self.notes = 0
        self._pending = None

    def spread(self):
        """Mean over samples of each sample's pixel standard deviation."""
        images = np.asarray(self.model.generate(self.num_images, seed=self.seed), np.float32)
        return float(np.mean(np.std(images.reshape(len(images), -1), axis=1)))

    def on_epoch_end(self, epoch, logs=None):
        if self.notes >= self.max_notes or not callable(getattr(self.model, "generate", None)):
            return
        try:
            spread = self.spread()
        except (TypeError, ValueError):  # a model that needs other inputs (labels, images)
            return
        if not np.isfinite(spread) or spread >= self.threshold:
            return
        self.notes += 1
        losses = ", ".join(f"{k} {float(v):.3f}" for k, v in sorted((logs or {}).items())
                           if k.endswith("_loss") and v is not None)
        # Printed once Keras' progress bar has ended its line (its callback runs after this one).
        self._pending = (
            f"Epoch {epoch + 1}: {losses + ': ' if losses else ''}the samples are still flat tiles "
            f"(pixel std {spread:.3f} < {self.threshold:g}): the generator has not left the mean "
            "image yet. Usual in the first epochs; if it lasts, the discriminator may be winning "
            "(d_loss near 0) - try a lower discriminator learning rate."
        )

    def _flush(self):
        if self._pending is not None:
            self.print_fn(self._pending)
            self._pending = None

    def on_epoch_begin(self, epoch, logs=None):
        self._flush()

    def on_train_end(self, logs=None):
        self._flush()
