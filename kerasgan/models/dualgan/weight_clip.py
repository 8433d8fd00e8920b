import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class WeightClip(keras.constraints.Constraint):
    """Clips every entry of a weight to `[-clip_value, clip_value]` (WGAN's
    Lipschitz constraint by weight clipping, Arjovsky et al., 2017; DualGAN
    clips its critics with c = 0.01).

    A Keras constraint: the optimizer applies it to the variable right after
    each of its updates (`variable.constraint`), so the weights are back in
    range after every critic step, on one device and under a distribution
    strategy alike.

    Formula: w <- min(max(w, -c), c)
    """

    def __init__(self, clip_value=0.01):
        clip_value = float(clip_value)
        if not clip_value > 0.0:
            raise ValueError(f"`clip_value` must be > 0. Received: clip_value={clip_value}")
        self.clip_value = clip_value

    def __call__(self, w):
        return ops.clip(w, -self.clip_value, self.clip_value)

    def get_config(self):
        return {"clip_value": self.clip_value}
