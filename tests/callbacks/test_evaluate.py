import glob
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.callbacks import NonFiniteError
from kerasgan.callbacks.evaluate import Evaluate
from kerasgan.metrics import ReferenceStatistics
from kerasgan.metrics import reference_statistics
from tests.metrics.fakes import ProjectionExtractor


@keras.saving.register_keras_serializable(package="kerasgan_tests")
class ShiftGenerator(keras.Model):
    """Images = tanh(noise + shift); `fit` moves `shift` towards the target.

    Real images are uniform noise around 0, and `shift` starts at 1.5 and is
    trained towards 0, so the generated distribution, and FID, improve each
    epoch.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shift = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(1.5), name="shift"
        )

    def call(self, x):
        return x * 0.0 + self.shift

    def generate(self, n, seed=None, labels=None, batch_size=None):
        noise = tf.random.stateless_uniform(
            [n, 8, 8, 1], seed=[seed or 0, 1], minval=-1.0, maxval=1.0
        )
        return tf.tanh(noise + self.shift)


def real_images(n=300):
    return np.tanh(np.random.default_rng(0).uniform(-1, 1, (n, 8, 8, 1))).astype("float32")


@keras.saving.register_keras_serializable(package="kerasgan_tests")
class ShiftGeneratorWithOther(ShiftGenerator):
    """`ShiftGenerator` with a weight the samples do not use (a discriminator's, say)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.other = self.add_weight(shape=(), initializer="zeros", name="other")


def fit(callback, epochs=2, model_class=None):
    model = (model_class or ShiftGenerator)()
    model.compile(optimizer=keras.optimizers.SGD(0.25), loss="mse")
    x = np.zeros((32, 1), "float32")
    history = model.fit(
        x, x, epochs=epochs, batch_size=32, verbose=0, callbacks=[callback]
    )
    return model, history


def test_scores_land_in_history_and_best_model_is_saved(tmp_path):
    best_path = str(tmp_path / "best.keras")
    callback = Evaluate(
        real_images(), metrics=("fid", "kid"), num_samples=200, extractor=ProjectionExtractor(),
        best_path=best_path, log_dir=str(tmp_path / "logs"), verbose=0,
    )
    model, history = fit(callback)
    fid = history.history["fid"]
    assert len(fid) == 2 and len(history.history["kid"]) == 2 and "kid_std" in history.history
    assert fid[1] < fid[0]  # shift moved towards 0
    assert callback.best == fid[1] and callback.best_epoch == 1
    assert os.path.isfile(best_path)
    restored = keras.saving.load_model(best_path)
    assert float(restored.shift.numpy()) == pytest.approx(float(model.shift.numpy()))
    (event_file,) = glob.glob(str(tmp_path / "logs" / "evaluation" / "events.out.tfevents.*"))
    logged = {}
    for event in tf.compat.v1.train.summary_iterator(event_file):
        for v in event.summary.value:
            logged.setdefault(v.tag, []).append(float(tf.make_ndarray(v.tensor)))
    np.testing.assert_allclose(logged["evaluation/fid"], fid, rtol=1e-6)


def test_every_n_epochs_and_higher_is_better(tmp_path):
    callback = Evaluate(
        real_images(), every_n_epochs=2, metrics=("pr",), monitor="recall", num_samples=200,
        extractor=ProjectionExtractor(), best_path=str(tmp_path / "best.weights.h5"), verbose=0,
    )
    _, history = fit(callback, epochs=2)
    assert len(history.history["loss"]) == 2
    assert len(history.history["recall"]) == 1 and len(history.history["precision"]) == 1
    assert [epoch for epoch, _ in callback.results] == [1]
    assert callback.best == history.history["recall"][0]
    assert os.path.isfile(tmp_path / "best.weights.h5")


def test_reference_from_other_extractor_is_refused():
    stats = reference_statistics(real_images(), ProjectionExtractor(seed=0))
    assert isinstance(stats, ReferenceStatistics)
    callback = Evaluate(stats, num_samples=100, extractor=ProjectionExtractor(seed=1), verbose=0)
    with pytest.raises(ValueError, match="another feature extractor"):
        fit(callback, epochs=1)


def test_monitor_must_be_computed():
    with pytest.raises(ValueError, match="monitor"):
        Evaluate(real_images(), metrics=("fid",), monitor="is")


def test_best_model_is_replaced_atomically_and_never_by_non_finite_weights(tmp_path):
    """An improved score with a NaN weight elsewhere in the model (say the
    discriminator's) stops with an error naming it; the saved best model is
    the earlier one, whole, and no temporary file is left."""
    best_path = str(tmp_path / "best.keras")
    callback = Evaluate(real_images(), num_samples=200, extractor=ProjectionExtractor(),
                        best_path=best_path, verbose=0)
    model, _ = fit(callback, epochs=1, model_class=ShiftGeneratorWithOther)
    saved_shift = float(keras.saving.load_model(best_path).shift.numpy())
    assert saved_shift == pytest.approx(float(model.shift.numpy()))
    model.other.assign(float("nan"))
    model.shift.assign(0.0)  # a better FID than the saved model's
    with pytest.raises(NonFiniteError, match="other"):
        callback.on_epoch_end(1, {})
    assert callback.best_epoch == 0  # the unsaved model is not recorded as the best
    assert float(keras.saving.load_model(best_path).shift.numpy()) == pytest.approx(saved_shift)
    assert sorted(os.listdir(tmp_path)) == ["best.keras"]
