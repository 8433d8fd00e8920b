import keras
import numpy as np
import pytest

from kerasgan.layers import ConditionalBatchNormalization, ProjectionDiscriminatorHead, SelfAttention
from kerasgan.models import SAGAN
from tests.models.model_checks import check_fit_changes_weights, tiny_dataset

KERNEL_LAYERS = (keras.layers.Conv2D, keras.layers.Conv2DTranspose, keras.layers.Dense)


def kernel_layers(network):
    """(layer, wrapped in SpectralNormalization?) for every conv/dense layer."""
    found = []
    for layer in network._flatten_layers(include_self=False):
        if isinstance(layer, KERNEL_LAYERS):
            found.append(layer)
    wrapped = {id(l.layer) for l in network._flatten_layers() if isinstance(l, keras.layers.SpectralNormalization)}
    return [(layer, id(layer) in wrapped) for layer in found]


def test_paper_settings_spectral_norm_everywhere_and_attention():
    gan = SAGAN.from_preset("tiny")
    gan.compile()
    assert gan.settings["loss"] == "hinge" and gan.n_critic == 1
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(4e-4)
    assert (gan.g_optimizer.beta_1, gan.g_optimizer.beta_2) == (0.0, 0.9)
    for network in (gan.generator, gan.discriminator):
        layers = kernel_layers(network)
        assert len(layers) >= 5
        unwrapped = [l.name for l, sn in layers if not sn]
        assert not unwrapped, f"{network.name}: no spectral norm on {unwrapped}"
        attention = network.get_layer("attention")
        assert isinstance(attention, SelfAttention) and attention.output.shape[1] == 8
    assert all(isinstance(l, ConditionalBatchNormalization) and l.num_classes == 3
               for l in gan.generator.layers if l.name.endswith("_bn"))
    assert isinstance(gan.discriminator.get_layer("head"), ProjectionDiscriminatorHead)
    # Labels change the images (CBN) and the logits (projection).
    gan.generator.get_layer("up1_bn").gain_embedding.assign(np.random.default_rng(0).normal(size=(3, 4)))
    a, b = gan.generate(2, seed=0, labels=0).numpy(), gan.generate(2, seed=0, labels=2).numpy()
    assert not np.allclose(a, b)
    head = gan.discriminator.get_layer("head")
    head.embedding.layer.kernel.assign(np.random.default_rng(1).normal(size=(3, 8)))
    d = gan.discriminator
    assert not np.allclose(d([a, np.zeros(2, "int32")]), d([a, np.full(2, 2, "int32")]))


def test_unconditional_sagan_trains_and_attention_can_be_off():
    gan = SAGAN(image_shape=(16, 16, 1), num_classes=None, latent_dim=8, generator_filters=4,
                discriminator_filters=4, attention_resolution=None, seed=0)
    assert not gan.conditional
    assert not any(isinstance(l, SelfAttention) for l in gan.generator.layers)
    gan.compile()
    check_fit_changes_weights(gan, tiny_dataset((16, 16, 1)), steps=1)
    with pytest.raises(ValueError, match="attention_resolution"):
        SAGAN(image_shape=(16, 16, 1), attention_resolution=12)


def test_attention_gamma_learns():
    gan = SAGAN.from_preset("tiny")
    gan.compile()
    gan.fit(tiny_dataset((16, 16, 1), num_classes=3), epochs=1, steps_per_epoch=2, verbose=0)
    assert float(gan.generator.get_layer("attention").gamma) != 0.0
    assert float(gan.discriminator.get_layer("attention").gamma) != 0.0
