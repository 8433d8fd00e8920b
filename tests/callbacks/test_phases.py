"""The multi-phase training helper (kerasgan/callbacks/phases.py) on a
two-layer regression model: phase 2 freezes what phase 1 trained."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.callbacks import TrainingPhase, train_phases


def _model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, name="first")(inputs)
    outputs = keras.layers.Dense(1, name="second")(hidden)
    return keras.Model(inputs, outputs)


def _data():
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, x.sum(axis=1, keepdims=True))).batch(8)


class EpochLog(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)


def test_phases_prepare_freeze_and_run_on_with_one_epoch_count():
    model = _model()
    prepared = []

    def only(name):
        def prepare(m):
            prepared.append(name)
            for layer in m.layers[1:]:
                layer.trainable = layer.name == name
            m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")  # recompile: new trainable set
        return prepare

    seen_by_second = []
    phase_callback = EpochLog()
    log = EpochLog()
    first_before = [np.array(w) for w in model.get_layer("first").weights]
    second_before = [np.array(w) for w in model.get_layer("second").weights]
    phases = [
        TrainingPhase("first", only("first"), epochs=2, steps_per_epoch=3),
        TrainingPhase("second", only("second"), epochs=1, callbacks=[phase_callback],
                      data=lambda m: seen_by_second.append(m) or _data()),
    ]
    first_after = []
    phases[1].prepare = (lambda prepare: lambda m: (first_after.extend(np.array(w) for w in
                                                                       m.get_layer("first").weights),
                                                    prepare(m)))(phases[1].prepare)
    histories = train_phases(model, phases, data=_data().repeat(), callbacks=[log])
    assert prepared == ["first", "second"]
    assert seen_by_second == [model]  # a data function gets the prepared model
    assert [h.history["phase"] for h in histories] == [["first", "first"], ["second"]]
    assert log.epochs == [0, 1, 2] and phase_callback.epochs == [2]  # numbering runs on
    # Phase 1 moved `first` only; phase 2 moved `second` and left `first` as phase 1 left it.
    assert any(not np.allclose(a, b) for a, b in zip(first_before, first_after))
    np.testing.assert_array_equal(
        np.concatenate([w.ravel() for w in first_after]),
        np.concatenate([np.array(w).ravel() for w in model.get_layer("first").weights]))
    assert any(not np.allclose(a, np.array(b)) for a, b in zip(second_before, model.get_layer("second").weights))
    # start= skips finished phases.
    again = train_phases(model, phases, data=_data(), start=1, initial_epoch=3)
    assert [h.history["phase"] for h in again] == [["second"]] and prepared[-1] == "second"


def test_bad_phases_are_refused_by_name():
    with pytest.raises(ValueError, match="epochs"):
        TrainingPhase("a", epochs=0)
    with pytest.raises(ValueError, match="prepare"):
        TrainingPhase("a", prepare="freeze")
    with pytest.raises(ValueError, match="unique"):
        train_phases(_model(), [TrainingPhase("a"), TrainingPhase("a")])
    with pytest.raises(ValueError, match="start"):
        train_phases(_model(), [TrainingPhase("a")], start=1)
    with pytest.raises(ValueError, match="not compiled"):
        train_phases(_model(), [TrainingPhase("a")], data=_data())
