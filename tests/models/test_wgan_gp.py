import pytest

from kerasgan.models import WGANGP


def small(**kwargs):
    return WGANGP((16, 16, 1), latent_dim=8, generator_filters=4, critic_filters=4, seed=0, **kwargs)


def test_paper_defaults_and_critic_without_batch_norm():
    model = small()
    model.compile()
    assert model.n_critic == 5 and model.gradient_penalty_weight == 10.0
    assert model.loss_name == "wasserstein"
    assert float(model.d_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(model.d_optimizer.beta_1) == 0.0 and float(model.d_optimizer.beta_2) == 0.9
    layer_types = {type(layer).__name__ for layer in model.discriminator.layers}
    assert "BatchNormalization" not in layer_types
    with pytest.raises(ValueError, match="critic_normalization"):
        small(critic_normalization="batch")
    with pytest.raises(ValueError, match="Label smoothing"):
        model.compile(label_smoothing=0.1)
