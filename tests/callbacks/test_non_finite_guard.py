import keras
import numpy as np
import pytest
import tensorflow as tf

import kerasgan
from kerasgan.callbacks import Checkpoint, NonFiniteError, NonFiniteGuard


def gan():
    model = kerasgan.models.VanillaGAN((8, 8, 1), latent_dim=4, generator_units=(8,), discriminator_units=(8,), seed=1)
    model.compile()
    return model


def data_with_a_nan_pixel_in_epoch_2():
    """4 batches of 8, 2 per epoch; one NaN pixel in the 4th batch (epoch 2, batch 2)."""
    images = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    images[30, 3, 4, 0] = np.nan
    return tf.data.Dataset.from_tensor_slices(images).batch(8)


def test_checkpoint_alone_refuses_to_save_non_finite_weights(tmp_path):
    """A user's own fit with only the Checkpoint callback: the NaN epoch is
    not saved, so the last good checkpoint stays the newest."""
    model = gan()
    with pytest.raises(NonFiniteError, match=r"Not saving a checkpoint after epoch 2: the variable "
                                             r"\S+ holds NaN or Inf values\. The last good checkpoint \S+ckpt-1 is kept"):
        model.fit(data_with_a_nan_pixel_in_epoch_2(), epochs=2, steps_per_epoch=2,
                  callbacks=[Checkpoint(tmp_path)], verbose=0)
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-1")
    fresh = gan()
    assert Checkpoint(tmp_path).restore(fresh) == 1
    assert all(np.isfinite(np.array(w)).all() for w in fresh.weights)


def test_guard_names_the_batch_and_the_logged_loss(tmp_path):
    model = gan()
    with pytest.raises(NonFiniteError, match=r"epoch 2, batch 2: the logged d_loss is NaN") as error:
        model.fit(data_with_a_nan_pixel_in_epoch_2(), epochs=2, steps_per_epoch=2,
                  callbacks=[NonFiniteGuard(), Checkpoint(tmp_path)], verbose=0)
    assert (error.value.epoch, error.value.batch, error.value.quantity) == (2, 2, "d_loss")
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-1")


class InfIntoTheGeneratorAtEpochEnd(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        kernel = self.model.generator.weights[0]
        kernel.assign(np.full(kernel.shape, np.inf, "float32"))


def test_guard_checks_every_weight_at_epoch_end():
    """Weights can go bad with finite logged losses (here: written by a callback):
    the epoch-end check names the variable."""
    model = gan()
    with pytest.raises(NonFiniteError, match=r"epoch 1: the variable generator/\S*kernel holds NaN or Inf") as error:
        model.fit(data_with_a_nan_pixel_in_epoch_2(), epochs=1, steps_per_epoch=2,
                  callbacks=[InfIntoTheGeneratorAtEpochEnd(), NonFiniteGuard()], verbose=0)
    assert error.value.batch is None and error.value.quantity.startswith("generator/")
