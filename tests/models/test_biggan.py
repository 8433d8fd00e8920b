import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import export
from kerasgan.engine import terms
from kerasgan.layers import ConditionalBatchNormalization
from kerasgan.models import BigGAN
from kerasgan.models.biggan import truncate_latents
from tests.models.model_checks import tiny_dataset


@pytest.fixture(scope="module")
def trained():
    gan = BigGAN.from_preset("tiny")
    gan.compile(n_critic=1)
    history = gan.fit(tiny_dataset((16, 16, 1), num_classes=3), epochs=1, steps_per_epoch=1, verbose=0)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert history.history["orthogonal"][0] > 0
    return gan


def test_truncated_latents_are_resampled_inside_the_threshold():
    z = tf.random.stateless_normal((20000, 4), seed=[1, 2])
    for psi in (0.25, 0.5, 1.0):
        t = truncate_latents(z, psi).numpy()
        assert np.abs(t).max() <= psi
        # Resampled, not clipped: no mass at the threshold, and the spread of
        # the truncated normal: var = 1 - 2 psi phi(psi) / (2 Phi(psi) - 1).
        assert np.mean(np.abs(t) > psi * 0.999) < 0.01
        pdf = math.exp(-psi**2 / 2) / math.sqrt(2 * math.pi)
        var = 1 - 2 * psi * pdf / math.erf(psi / math.sqrt(2))
        assert t.std() == pytest.approx(math.sqrt(var), rel=0.02)
        assert abs(t.mean()) < 0.02
        # Monotone in z: a latent keeps its ordering.
        order = np.argsort(z.numpy()[:200, 0])
        assert np.all(np.diff(t[:200, 0][order]) >= 0)
    np.testing.assert_array_equal(truncate_latents(z, 0.0).numpy(), z.numpy())


def test_hierarchical_latent_and_paper_settings():
    gan = BigGAN.from_preset("tiny")
    g = gan.generator
    assert g.chunk_size == 3  # 9 = 3 chunks: input layer + 2 blocks
    cbns = [l for l in g.layers if isinstance(l, ConditionalBatchNormalization)]
    assert len(cbns) == 5  # 2 per block + the plain output BN
    # Each block's CBN sees [z chunk, shared embedding]: 3 + 4 features.
    assert tuple(g.get_layer("block0_bn1").gain_projection.layer.kernel.shape) == (7, 8)
    assert tuple(g.get_layer("shared_embedding").embeddings.shape) == (3, 4)
    with pytest.raises(ValueError, match="latent_dim"):
        BigGAN(image_shape=(16, 16, 1), latent_dim=10)
    gan.compile()
    assert gan.settings["loss"] == "hinge" and gan.n_critic == 2
    ortho = [t for t in gan.terms["generator"] if isinstance(t, terms.OrthogonalRegularization)]
    assert len(ortho) == 1 and ortho[0].weight == 1e-4
    gan.compile(orthogonal_weight=0.0)
    assert not any(isinstance(t, terms.OrthogonalRegularization) for t in gan.terms["generator"])
    # Only the part of z for block 1 changed -> the image changes (that chunk is used).
    z = gan.sample_latents(2, seed=0).numpy()
    z2 = z.copy()
    z2[:, 6:] += 1.0
    gan.sampling_network("generator").get_layer("block1_bn1").gain_projection.layer.kernel.assign(np.ones((7, 8)))
    assert not np.allclose(gan.generate(2, latents=z).numpy(), gan.generate(2, latents=z2).numpy())


def test_generate_with_truncation(trained):
    a = trained.generate(4, seed=1, truncation=0.5).numpy()
    np.testing.assert_array_equal(a, trained.generate(4, seed=1, truncation=0.5).numpy())
    z = truncate_latents(trained.sample_latents(4, seed=1), 0.5)
    np.testing.assert_allclose(a, trained.generate(4, latents=z).numpy(), atol=1e-6)
    assert not np.allclose(a, trained.generate(4, seed=1).numpy())
    with pytest.raises(ValueError, match="truncation"):
        trained.generate(2, truncation=-1.0)


def test_standing_statistics(trained):
    ema = trained.sampling_network("generator")
    assert ema is trained.ema_generator
    norms = trained.recompute_batch_norm_statistics(n_batches=1, batch_size=16, seed=3)
    assert len(norms) == 5
    # The first CBN's input is the projection of the first z chunk (no BN
    # before it): its new moving mean/var are that batch's statistics.
    z = trained.sample_latents(16, seed=3 * 100003)
    labels = tf.constant(np.random.default_rng(3).integers(0, 3, 16), tf.int32)
    projected = keras.Model(ema.inputs, ema.get_layer("reshape").output)([z, labels]).numpy()
    bn = ema.get_layer("block0_bn1")
    np.testing.assert_allclose(np.array(bn.moving_mean), projected.mean(axis=(0, 1, 2)), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.array(bn.moving_variance), projected.var(axis=(0, 1, 2)), rtol=1e-3, atol=1e-5)
    # The training generator's statistics are not touched.
    assert not np.allclose(np.array(trained.generator.get_layer("block0_bn1").moving_mean), np.array(bn.moving_mean))


def test_standing_statistics_in_class_frequencies(trained, monkeypatch):
    """`class_frequencies` draws the batches' classes in those proportions
    (only class 2 for [0, 0, 1]), and changes the statistics the labels reach."""
    drawn = []
    inputs = trained.generator_inputs

    def spy(latents, labels=None):
        drawn.extend(np.asarray(labels).tolist())
        return inputs(latents, labels)

    monkeypatch.setattr(trained, "generator_inputs", spy)
    bn = trained.sampling_network("generator").get_layer("block0_bn2")
    trained.recompute_batch_norm_statistics(n_batches=2, batch_size=16, seed=3, class_frequencies=[0, 0, 1])
    assert drawn == [2] * 32
    only_two = np.array(bn.moving_mean)
    drawn.clear()
    trained.recompute_batch_norm_statistics(n_batches=2, batch_size=16, seed=3, class_frequencies=[1, 0, 0])
    assert drawn == [0] * 32
    assert not np.allclose(only_two, np.array(bn.moving_mean))
    drawn.clear()
    trained.recompute_batch_norm_statistics(n_batches=4, batch_size=16, seed=3, class_frequencies=[1, 1, 2])
    assert np.abs(np.bincount(drawn, minlength=3) - [16, 16, 32]).max() <= 2
    with pytest.raises(ValueError, match="class_frequencies"):
        trained.recompute_batch_norm_statistics(n_batches=1, class_frequencies=[1, 1])


def test_export_takes_truncation(trained, tmp_path):
    path = export.export_saved_model(trained, tmp_path / "biggan", version=1)
    loaded = tf.saved_model.load(path)
    serve = loaded.signatures["serving_default"]
    z = trained.sample_latents(3, seed=5)
    labels = tf.constant([0, 1, 2], tf.int32)
    out = serve(z=z, labels=labels, truncation=tf.constant(0.5))["images"].numpy()
    expected = trained.generate(3, latents=z, labels=[0, 1, 2], truncation=0.5).numpy()
    np.testing.assert_allclose(out, expected, atol=1e-5)
    plain = serve(z=z, labels=labels, truncation=tf.constant(0.0))["images"].numpy()
    np.testing.assert_allclose(plain, trained.generate(3, latents=z, labels=[0, 1, 2]).numpy(), atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="truncation"):
        serve(z=z, labels=labels, truncation=tf.constant(-0.5))
    seeded = loaded.signatures["generate_from_seed"]
    out = seeded(seed=tf.constant(4, tf.int64), num_images=tf.constant(3, tf.int64),
                 labels=tf.constant([], tf.int32), truncation=tf.constant(0.7))["images"].numpy()
    np.testing.assert_allclose(out, trained.generate(3, seed=4, truncation=0.7).numpy(), atol=1e-5)
