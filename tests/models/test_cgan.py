import numpy as np
import pytest

from kerasgan.models import CGAN
from tests.models.model_checks import tiny_dataset


def small_cgan(**kwargs):
    return CGAN((16, 16, 1), num_classes=3, latent_dim=8, embedding_dim=4,
                generator_filters=4, discriminator_filters=4, seed=0, **kwargs)


def test_labels_reach_both_networks():
    gan = small_cgan()
    g, d = gan.generator, gan.discriminator
    assert [tuple(i.shape) for i in g.inputs] == [(None, 8), (None,)]
    assert [tuple(i.shape) for i in d.inputs] == [(None, 16, 16, 1), (None,)]
    assert g.get_layer("label_embedding").embeddings.shape == (3, 4)
    assert d.get_layer("label_embedding").embeddings.shape == (3, 4)
    # Same latents, different labels -> different images; same labels -> same images.
    a = gan.generate(4, seed=0, labels=[0, 0, 0, 0]).numpy()
    b = gan.generate(4, seed=0, labels=[2, 2, 2, 2]).numpy()
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(a, gan.generate(4, seed=0, labels=0).numpy())
    # Default labels cycle through the classes.
    np.testing.assert_array_equal(gan.generate(3, seed=5).numpy()[2], gan.generate(3, seed=5, labels=[0, 1, 2]).numpy()[2])
    # The discriminator's logit depends on the label too.
    images = gan.generate(2, seed=0).numpy()
    assert not np.allclose(d([images, np.array([0, 0], np.int32)]), d([images, np.array([1, 1], np.int32)]))


def test_bad_labels_are_named():
    gan = small_cgan()
    with pytest.raises(ValueError, match=r"labels.*\[0, 3\)"):
        gan.generate(2, labels=[0, 3])
    with pytest.raises(ValueError, match="labels"):
        gan.generate(2, labels=[0.5, 1.0])
    with pytest.raises(ValueError, match="labels"):
        gan.generate(2, labels=[0, 1, 2])
    gan.compile()
    with pytest.raises(ValueError, match="conditional.*batches must be"):
        gan.fit(tiny_dataset((16, 16, 1)), epochs=1, verbose=0)
