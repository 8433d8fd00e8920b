import numpy as np
import pytest
import tensorflow as tf

from kerasgan.engine import StepContext, terms
from kerasgan.models import DCGAN


def ctx(batch_size=2, **values):
    return StepContext(None, "generator", None, batch_size, **values)


def test_adversarial_term_matches_the_loss_functions_for_both_roles():
    real = tf.constant([[[[2.0]]], [[[-1.0]]]])  # rank-4 logits (PatchGAN shape)
    fake = tf.constant([[[[0.5]]], [[[3.0]]]])
    d = terms.Adversarial("hinge", role="discriminator")
    g = terms.Adversarial("hinge", role="generator")
    # hinge D: relu(1 - real) + relu(1 + fake); G: -fake
    np.testing.assert_allclose(d.compute(ctx(real_logits=real, fake_logits=fake)).numpy(), [1.5, 6.0])
    np.testing.assert_allclose(g.compute(ctx(fake_logits=fake)).numpy(), [-0.5, -3.0])
    assert (d.name, g.name) == ("d_loss", "g_loss")


def test_reconstruction_cycle_and_content_are_zero_for_identical_images_and_positive_otherwise():
    x = tf.random.stateless_uniform((3, 4, 4, 1), (1, 2), -1, 1)
    y = x + 0.5
    np.testing.assert_array_equal(terms.Reconstruction().compute(ctx(3, fake=x, target=x)).numpy(), 0.0)
    np.testing.assert_allclose(terms.Reconstruction().compute(ctx(3, fake=y, target=x)).numpy(), 0.5, rtol=1e-6)
    np.testing.assert_allclose(
        terms.Reconstruction(norm="l2").compute(ctx(3, fake=y, target=x)).numpy(), 0.25, rtol=1e-6)
    # Identity generators: the round trip is the input, the cycle term is 0.
    cycle = terms.CycleConsistency()
    assert cycle.weight == 10.0
    np.testing.assert_array_equal(cycle.compute(ctx(3, a=x, b=y, cycled_a=x, cycled_b=y)).numpy(), 0.0)
    assert np.all(cycle.compute(ctx(3, a=x, b=y, cycled_a=y, cycled_b=y)).numpy() > 0)


def test_kl_is_zero_for_the_standard_normal_and_positive_otherwise():
    mu = tf.zeros((2, 3))
    np.testing.assert_allclose(terms.KL().compute(ctx(mu=mu, log_sigma=tf.zeros((2, 3)))).numpy(), 0.0, atol=1e-7)
    # KL(N(1, 1) || N(0, 1)) = 0.5 per dimension
    np.testing.assert_allclose(
        terms.KL().compute(ctx(mu=mu + 1.0, log_sigma=tf.zeros((2, 3)))).numpy(), [1.5, 1.5], rtol=1e-6)


def test_auxiliary_classification_takes_int_and_multi_hot_labels():
    logits = tf.constant([[5.0, -5.0], [-5.0, 5.0]])
    right = terms.AuxiliaryClassification().compute(ctx(class_logits=logits, labels=tf.constant([0, 1]))).numpy()
    wrong = terms.AuxiliaryClassification().compute(ctx(class_logits=logits, labels=tf.constant([1, 0]))).numpy()
    assert np.all(right < 0.01) and np.all(wrong > 9)
    multi = terms.AuxiliaryClassification().compute(
        ctx(class_logits=logits, labels=tf.constant([[1.0, 0.0], [0.0, 1.0]]))).numpy()
    assert multi.shape == (2,) and np.all(multi < 0.02)


def test_r1_is_added_with_half_its_weight_and_terms_round_trip_through_their_config():
    r1 = terms.R1(10.0, interval=16)
    assert r1.coefficient == 5.0 and r1.role == "discriminator"
    for term in (r1, terms.Adversarial("least_squares", role="generator", fake="f"), terms.CycleConsistency(3.0),
                 terms.Content(2.0, network="vgg"), terms.KL(0.5)):
        clone = terms.get(terms.serialize(term))
        assert type(clone) is type(term) and clone.get_config() == term.get_config()
    with pytest.raises(ValueError, match="weight"):
        terms.KL(-1.0)
    with pytest.raises(ValueError, match="interval"):
        terms.R1(interval=0)
    with pytest.raises(ValueError, match="role"):
        terms.Drift(role="critic")


def test_compile_adds_reweights_and_removes_terms_and_refuses_unknown_names():
    gan = DCGAN.from_preset("tiny")
    gan.compile(extra_terms=[terms.R1(5.0, interval=4)], term_weights={"g_loss": 0.5})
    names = {role: [t.name for t in ts] for role, ts in gan.terms.items()}
    assert names == {"discriminator": ["d_loss", "r1_penalty"], "generator": ["g_loss"]}
    assert gan.terms["generator"][0].weight == 0.5
    gan.compile(term_weights={"d_loss": 0.0})
    assert [t.name for t in gan.terms["discriminator"]] == []
    with pytest.raises(ValueError, match="unknown terms"):
        gan.compile(term_weights={"cycle": 1.0})
    with pytest.raises(ValueError, match="unique names"):
        gan.compile(extra_terms=[terms.Adversarial("hinge", role="generator")])
    with pytest.raises(ValueError, match="Unknown compile argument"):
        gan.compile(l1_weight=3.0)
