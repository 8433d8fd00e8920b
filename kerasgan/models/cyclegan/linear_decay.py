import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant `initial_learning_rate` for the first `decay_start` steps,
    then linear decay to 0 at `total_steps` (CycleGAN: 100 epochs constant,
    100 decaying, i.e. `decay_start = total_steps // 2`).

    Formula: `lr(t) = lr0 * min(1, max(0, total_steps - t) / (total_steps - decay_start))`.
    """

    def __init__(self, initial_learning_rate, total_steps, decay_start=None):
        total_steps = int(total_steps)
        if total_steps < 1:
            raise ValueError(f"`total_steps` must be >= 1. Received: total_steps={total_steps}")
        decay_start = total_steps // 2 if decay_start is None else int(decay_start)
        if not 0 <= decay_start < total_steps:
            raise ValueError(f"`decay_start` must be in [0, total_steps). Received: decay_start={decay_start}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.total_steps = total_steps
        self.decay_start = decay_start

    def __call__(self, step):
        step = ops.cast(step, "float32")
        left = ops.maximum(0.0, float(self.total_steps) - step) / float(self.total_steps - self.decay_start)
        return self.initial_learning_rate * ops.minimum(1.0, left)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "total_steps": self.total_steps,
                "decay_start": self.decay_start}
