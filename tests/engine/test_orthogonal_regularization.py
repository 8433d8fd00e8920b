import keras
import numpy as np
import pytest

from kerasgan.engine import terms
from tests.models.model_checks import tiny_dataset


def test_zero_for_orthogonal_kernels_positive_otherwise():
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(12, 12)))
    orthogonal = (q[:, :6] * np.arange(1, 7)).astype("float32")  # orthogonal columns of any length
    assert float(terms.OrthogonalRegularization.penalty(orthogonal)) == pytest.approx(0.0, abs=1e-5)
    w = np.random.default_rng(1).normal(size=(3, 3, 4, 6)).astype("float32")
    flat = w.reshape(-1, 6)
    gram = flat.T @ flat
    expected = np.sum((gram * (1 - np.eye(6))) ** 2)
    assert float(terms.OrthogonalRegularization.penalty(w)) == pytest.approx(expected, rel=1e-5)
    term = terms.OrthogonalRegularization()
    assert (term.weight, term.role, term.per_example, term.name) == (1e-4, "generator", False, "orthogonal")
    assert terms.get(terms.serialize(term)).get_config() == term.get_config()


def test_kernels_of_the_generator_only_and_it_changes_training():
    import tensorflow as tf

    from tests.engine.toy_families import paired_data, toy_pix2pix

    source, target = paired_data(n=8)
    data = tf.data.Dataset.from_tensor_slices((source, target)).batch(8)

    def run(extra):
        model = toy_pix2pix()
        model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1),
                      extra_terms=extra)
        return model, model.fit(data, epochs=1, steps_per_epoch=1, verbose=0).history

    plain, _ = run([])
    regularised, logs = run([terms.OrthogonalRegularization(1.0)])
    kernels = terms.OrthogonalRegularization.kernels(regularised.role_networks("generator"))
    assert len(kernels) == 5 and all(v.name == "kernel" for v in kernels)
    assert logs["orthogonal"][0] > 0
    diff = max(np.abs(np.array(a) - np.array(b)).max()
               for a, b in zip(plain.generator.weights, regularised.generator.weights))
    assert diff > 1e-5
    # One step: the discriminator (updated first) is untouched by a generator term.
    for a, b in zip(plain.discriminator.weights, regularised.discriminator.weights):
        np.testing.assert_array_equal(np.array(a), np.array(b))
