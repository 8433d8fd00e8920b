import math

import keras
import numpy as np
import tensorflow as tf


class NonFiniteError(FloatingPointError):
    """Training produced a NaN or an infinity.

    Attributes:
        epoch: the epoch (1-based) in which it was found.
        batch: the batch (1-based, within the epoch), or None when it was
            found in the weights at the end of the epoch.
        quantity: what was non-finite: a logged value (`"d_loss"`) or a
            variable's path (`"generator/dense0/kernel"`).
    """

    def __init__(self, message, epoch=None, batch=None, quantity=None):
        super().__init__(message)
        self.epoch, self.batch, self.quantity = epoch, batch, quantity


def optimizers(model):
    """The optimizers a model holds as attributes (`{"d_optimizer": ..., ...}`,
    Keras' own `optimizer` too), in attribute order."""
    found = {}
    for name, value in list(vars(model).items()):
        if isinstance(value, keras.optimizers.Optimizer) and all(value is not o for o in found.values()):
            found[name.lstrip("_")] = value
    return found


def _named_variables(model):
    """`[(name, variable)]`: the model's weights (networks, EMA copies, model
    state), named after the network holding them (`generator/dense0/kernel`),
    then its optimizers' variables (`d_optimizer/...`): the state a
    checkpoint saves."""
    names = {}
    for child in model._flatten_layers(include_self=False, recursive=False):
        for v in child.weights:
            path = getattr(v, "path", None) or v.name
            names.setdefault(id(v), path if path.startswith(child.name + "/") else f"{child.name}/{path}")
    seen, result = set(), []
    groups = [(None, model.weights)] + [(n, o.variables) for n, o in optimizers(model).items()]
    for owner, group in groups:
        for v in group:
            if id(v) in seen:
                continue
            seen.add(id(v))
            path = getattr(v, "path", None) or v.name
            name = names.get(id(v), path) if owner is None else f"{owner}/{path}"
            result.append((name, v))
    return result


def first_non_finite(model):
    """The name of the first float variable of `model` (weights, then its
    optimizers' variables) holding a NaN or an infinity, or None when all
    are finite. One device round trip when everything is finite."""
    variables = [(n, v) for n, v in _named_variables(model) if keras.backend.is_float_dtype(v.dtype)]
    if not variables:
        return None
    flags = [tf.math.reduce_all(tf.math.is_finite(tf.convert_to_tensor(v))) for _, v in variables]
    if bool(tf.math.reduce_all(tf.stack(flags))):
        return None
    for (name, _), ok in zip(variables, flags):
        if not bool(ok):
            return name
    return None


def _is_non_finite(value):
    try:
        values = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return False  # not a number (e.g. a string in the logs)
    return not np.all(np.isfinite(values))


class NonFiniteGuard(keras.callbacks.Callback):
    """Stops training at the first NaN or infinity, before it reaches a file.

    After every batch it checks the logged values (losses, metrics); at the
    end of every epoch it checks every weight and optimizer variable of the
    model. Either way it raises `NonFiniteError` naming the epoch, the batch
    and the first non-finite quantity, so `fit` stops there. Put it first in
    the callback list: callbacks after it (sample grids, the history, the
    `Checkpoint`) then never see the diverged epoch, and the last good
    checkpoint is what a rerun resumes from. (`Checkpoint` refuses to save
    non-finite weights on its own too.)

    Unlike `keras.callbacks.TerminateOnNaN`, which sets `stop_training` and
    lets `fit` return normally (the last epoch's callbacks still run and the
    caller cannot tell a divergence from the end), this raises.
    """

    def __init__(self):
        super().__init__()
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            if _is_non_finite(value):
                raise NonFiniteError(
                    f"Training diverged at epoch {self._epoch + 1}, batch {batch + 1}: the logged "
                    f"{name} is {_describe(value)}.",
                    epoch=self._epoch + 1, batch=batch + 1, quantity=name,
                )

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            if _is_non_finite(value):
                raise NonFiniteError(
                    f"Training diverged in epoch {epoch + 1}: the logged {name} is {_describe(value)}.",
                    epoch=epoch + 1, quantity=name,
                )
        path = first_non_finite(self.model)
        if path is not None:
            raise NonFiniteError(
                f"Training diverged in epoch {epoch + 1}: the variable {path} holds NaN or Inf values.",
                epoch=epoch + 1, quantity=path,
            )


def _describe(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "not finite"
    return "NaN" if math.isnan(value) else str(value)
