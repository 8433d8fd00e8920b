"""Score the generator during `fit` and keep the best model."""

import contextlib
import math
import os

import keras
import tensorflow as tf

from tensorflow.core.framework import summary_pb2

from kerasgan.callbacks.non_finite_guard import NonFiniteError, first_non_finite
from kerasgan.metrics.evaluation import expand_metrics
from kerasgan.metrics.evaluation import default_extractor
from kerasgan.metrics.evaluation import evaluate
from kerasgan.metrics.reference_statistics import ReferenceStatistics
from kerasgan.metrics.reference_statistics import reference_statistics
from kerasgan.metrics.score import HIGHER_IS_BETTER
from kerasgan.utils import atomic

# What TensorBoard's `tf.summary.scalar` attaches, built here so that writing
# scalars does not need the `tensorboard` package installed.
_SCALAR_METADATA = summary_pb2.SummaryMetadata(
    plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"),
    data_class=summary_pb2.DATA_CLASS_SCALAR,
).SerializeToString()


def _write_scalar(tag, value, step):
    tf.summary.write(
        tag, tf.constant(value, tf.float32), step=step, metadata=_SCALAR_METADATA
    )


class Evaluate(keras.callbacks.Callback):
    """Computes FID/KID/IS/precision/recall every few epochs of `fit`.

    Samples come from `self.model.generate(n, seed=...)`, so a GAN with an
    EMA generator is scored through it. Every evaluation uses the same `seed`,
    so successive scores differ by the model, not by the latent draw. Scores
    are written into the epoch `logs`, so they appear in `history.history`
    (keys `"fid"`, `"kid"`, `"kid_std"`, `"is"`, `"is_std"`, `"precision"`,
    `"recall"`, `"accuracy"`) and reach callbacks listed after this one
    (e.g. `EarlyStopping(monitor="fid")`). Epochs without an evaluation have no
    such keys, so those history lists are shorter than `loss`'s.

    Args:
        real_images: real images in [-1, 1] (array or iterable of batches), or
            `ReferenceStatistics` made with `extractor`. Their statistics are
            computed once, at the start of training.
        every_n_epochs: evaluate after epochs `n, 2n, ...`.
        metrics: what to compute, as in `kerasgan.metrics.evaluate`.
        num_samples: generated samples per evaluation. FID depends on it:
            compare runs at the same value.
        extractor: a `FeatureExtractor`; default: `InceptionV3Extractor` from
            the Keras cache (with its head when `"is"` is requested).
        best_path: when set, the model is saved there whenever `monitor`
            improves (`model.save`, or `save_weights` for a `.weights.h5` path).
        monitor: metric that defines "best"; lower is better for fid/kid,
            higher for is/precision/recall/accuracy.
        log_dir: when set, scores are written as TensorBoard scalars
            `evaluation/<metric>` to `<log_dir>/evaluation`, step = epoch.
        batch_size: generation batch size.
        seed: generation seed, the same at every evaluation.
        verbose: 1 prints one line per evaluation.
    """

    def __init__(
        self,
        real_images,
        every_n_epochs=1,
        metrics=("fid",),
        num_samples=1000,
        extractor=None,
        best_path=None,
        monitor="fid",
        log_dir=None,
        batch_size=100,
        seed=0,
        verbose=1,
    ):
        super().__init__()
        if int(every_n_epochs) < 1:
            raise ValueError(
                f"`every_n_epochs` must be >= 1. Received: every_n_epochs={every_n_epochs}"
            )
        self.metric_names = expand_metrics(metrics)
        if monitor not in self.metric_names:
            raise ValueError(
                f"`monitor` must be one of the computed metrics {self.metric_names}. "
                f"Received: monitor={monitor!r}"
            )
        self.real_images = real_images
        self.every_n_epochs = int(every_n_epochs)
        self.metrics = tuple(metrics) if not isinstance(metrics, str) else (metrics,)
        self.num_samples = int(num_samples)
        self.extractor = extractor
        self.best_path = None if best_path is None else os.fspath(best_path)
        self.monitor = monitor
        self.log_dir = log_dir
        self.batch_size = batch_size
        self.seed = seed
        self.verbose = verbose
        self.higher_is_better = HIGHER_IS_BETTER[monitor]
        self.best = -math.inf if self.higher_is_better else math.inf
        self.best_epoch = None
        self.results = []  # (epoch, results dict) of every evaluation
        self._reference = None
        self._writer = None

    def _prepare(self):
        if self.extractor is None:
            self.extractor = default_extractor(include_top="is" in self.metric_names)
        if self._reference is None:
            if isinstance(self.real_images, ReferenceStatistics):
                self.real_images.check_extractor(self.extractor)
                self._reference = self.real_images
            else:
                self._reference = reference_statistics(self.real_images, self.extractor)
        if self.log_dir is not None and self._writer is None:
            self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "evaluation"))

    def on_train_begin(self, logs=None):
        self._prepare()

    def _improved(self, value):
        if math.isnan(value):
            return False
        return value > self.best if self.higher_is_better else value < self.best

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        self._prepare()
        results = evaluate(
            self.model,
            self._reference,
            metrics=self.metric_names,
            num_samples=self.num_samples,
            extractor=self.extractor,
            batch_size=self.batch_size,
            seed=self.seed,
        )
        self.results.append((epoch, results))
        scores = {k: v for k, v in results.items() if isinstance(v, float)}
        if logs is not None:
            logs.update(scores)
        if self._writer is not None:
            with self._writer.as_default():
                for name, value in scores.items():
                    _write_scalar(f"evaluation/{name}", value, step=epoch)
            self._writer.flush()
        value = scores[self.monitor]
        improved = self._improved(value)
        if improved:
            if self.best_path is not None:
                self._save_best()  # first: a model that could not be saved is not the best
            self.best, self.best_epoch = value, epoch
        if self.verbose:
            text = ", ".join(f"{k}={v:.5g}" for k, v in scores.items())
            saved = f" (best, saved to {self.best_path})" if improved and self.best_path else ""
            print(f"Epoch {epoch + 1}: {text}{saved}")

    def _save_best(self):
        """Writes the model to `best_path` through a temporary file that is
        renamed (`kerasgan.utils.atomic`), so a kill never leaves a torn
        best model; a model with a NaN/Inf weight never replaces it."""
        bad = first_non_finite(self.model)
        if bad is not None:
            raise NonFiniteError(f"Not writing {self.best_path}: the variable {bad} holds NaN or Inf values.",
                                 quantity=bad)
        if self.best_path.endswith(".weights.h5"):
            tmp = atomic.temporary_path(self.best_path, suffix=".weights.h5")
            try:
                self.model.save_weights(tmp)
                atomic.replace(tmp, self.best_path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.remove(tmp)
                raise
        else:
            atomic.save_model(self.model, self.best_path)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
