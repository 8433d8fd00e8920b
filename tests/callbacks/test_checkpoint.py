import numpy as np
import pytest

import kerasgan
from tests.models.model_checks import tiny_dataset


def make(dropout_model=False):
    if dropout_model:  # the vanilla GAN's discriminator has dropout: its seed state must come back
        gan = kerasgan.models.VanillaGAN((8, 8, 1), latent_dim=4, generator_units=(8,), discriminator_units=(8, 8), seed=1)
    else:
        gan = kerasgan.models.DCGAN((16, 16, 1), latent_dim=4, generator_filters=2, discriminator_filters=2, ema_decay=0.9, seed=1)
    gan.compile()
    return gan


@pytest.mark.parametrize("dropout_model", [False, True])
def test_restore_brings_back_weights_optimizers_and_seed_state(tmp_path, dropout_model):
    shape = (8, 8, 1) if dropout_model else (16, 16, 1)
    trained = make(dropout_model)
    trained.fit(tiny_dataset(shape), epochs=2, callbacks=[kerasgan.callbacks.Checkpoint(tmp_path)], verbose=0)
    fresh = make(dropout_model)
    assert kerasgan.callbacks.Checkpoint(tmp_path).restore(fresh) == 2
    for a, b in zip(trained.weights, fresh.weights):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    for a, b in zip(trained.d_optimizer.variables + trained.g_optimizer.variables,
                    fresh.d_optimizer.variables + fresh.g_optimizer.variables):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    np.testing.assert_array_equal(trained.seed_generator.state, fresh.seed_generator.state)
    # Both continue identically.
    a = trained.fit(tiny_dataset(shape), epochs=1, verbose=0).history
    b = fresh.fit(tiny_dataset(shape), epochs=1, verbose=0).history
    assert a == b


def test_nothing_to_restore_and_uncompiled_model(tmp_path):
    assert kerasgan.callbacks.Checkpoint(tmp_path / "empty").restore(make()) == 0
    uncompiled = kerasgan.models.DCGAN((16, 16, 1), latent_dim=4, generator_filters=2, discriminator_filters=2)
    with pytest.raises(ValueError, match="compile"):
        kerasgan.callbacks.Checkpoint(tmp_path).restore(uncompiled)
