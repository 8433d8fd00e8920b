"""Callbacks for GAN training with `fit`.

- `SampleGrid`: a PNG grid of samples from fixed latents every epoch.
- `Checkpoint`: everything needed to resume (networks, optimizers, seed state, epoch);
  it refuses to save non-finite weights.
- `NonFiniteGuard`: stops `fit` with `NonFiniteError` at the first NaN/Inf loss or weight.
- `HistoryCSV`: per-epoch logs in a CSV file, rewritten atomically, truncatable on resume.
- `Curves`: a PNG of the losses, penalties, ADA's p and metrics, redrawn every epoch.
- `Evaluate`: FID/KID/IS/precision-recall during training, best checkpoint.
- `ProgressiveGrowing`: ProGAN's fade-in and growth schedule.
- `TrainingPhase`, `train_phases`: multi-phase runs (one prepared `fit` per phase; StackGAN's stages).
- `TensorBoard`: Keras' TensorBoard callback (per-epoch losses as scalars).
"""

from keras.callbacks import TensorBoard

from kerasgan.callbacks.checkpoint import Checkpoint
from kerasgan.callbacks.curves import Curves
from kerasgan.callbacks.history_csv import HistoryCSV
from kerasgan.callbacks.non_finite_guard import NonFiniteError, NonFiniteGuard
from kerasgan.callbacks.phases import TrainingPhase, train_phases
from kerasgan.callbacks.progressive import ProgressiveGrowing, ProgressiveSchedule, train_progressive
from kerasgan.callbacks.sample_grid import SampleGrid


def __getattr__(name):
    # The metrics stack is imported only when the evaluation callback is used.
    if name == "Evaluate":
        from kerasgan.callbacks.evaluate import Evaluate

        return Evaluate
    raise AttributeError(f"module 'kerasgan.callbacks' has no attribute '{name}'")


__all__ = [
    "Checkpoint",
    "Curves",
    "Evaluate",
    "HistoryCSV",
    "NonFiniteError",
    "NonFiniteGuard",
    "ProgressiveGrowing",
    "ProgressiveSchedule",
    "train_progressive",
    "TrainingPhase",
    "train_phases",
    "SampleGrid",
    "TensorBoard",
]
