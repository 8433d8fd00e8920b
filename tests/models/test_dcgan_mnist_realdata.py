"""DCGAN trained on real MNIST digits draws digits that a classifier recognises.

The MNIST test split (../shared/data/mnist, 10,000 digits) is cut in two
halves: the GAN trains on one (5,000 digits, 32x32, 10 epochs at batch 32 =
1,560 steps, about 3-5 minutes on 2 CPU cores), a small classifier trains on
the other. The classifier then labels 1,000 samples of the EMA generator.

Thresholds, with the values measured when they were set (run with `-s` to
see this run's numbers):
- at least half of the samples get a confident prediction (max softmax
  probability > 0.8): measured 0.651 (classifier accuracy 0.965);
- no mode collapse: every digit class is predicted for at least 1% of the
  samples: measured minimum 3.6% (the class of 6s);
- an untrained generator of the same architecture stays far below: its
  confident fraction must be under 0.2: measured 0.000.
Measured with `pytest -m realdata -s tests/models/test_dcgan_mnist_realdata.py`
(226 s of training on a 2-core machine shared with other jobs).
"""

import time

import keras
import numpy as np
import pytest

import kerasgan
from kerasgan.data import read_idx
from kerasgan.metrics import DomainClassifier

CONFIDENCE = 0.8
MIN_CONFIDENT_FRACTION = 0.5
MIN_CLASS_FRACTION = 0.01


@pytest.mark.realdata
def test_dcgan_on_mnist_draws_recognisable_digits(shared_data):
    folder = shared_data / "mnist"
    images = read_idx(folder / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(folder / "t10k-labels-idx1-ubyte.gz").astype("int32")
    gan_half, classifier_half = images[:5000], slice(5000, 10000)

    keras.utils.set_random_seed(0)
    ds = kerasgan.data.load(gan_half, image_size=32, batch_size=32, seed=0)
    gan = kerasgan.models.DCGAN(
        (32, 32, 1), latent_dim=64, generator_filters=32, discriminator_filters=32,
        ema_decay=0.99, seed=0,
    )
    untrained = gan.generate(1000, seed=1).numpy()
    gan.compile()
    start = time.time()
    history = gan.fit(ds, epochs=10, verbose=2)
    train_seconds = time.time() - start
    assert np.all(np.isfinite(history.history["d_loss"] + history.history["g_loss"]))

    real = kerasgan.data.load(images[classifier_half], image_size=32, batch_size=5000, shuffle=False)
    real = next(iter(real)).numpy()
    classifier = DomainClassifier.train(real[:4000], labels[classifier_half][:4000], epochs=6, seed=0)
    accuracy = classifier.accuracy(real[4000:], labels[classifier_half][4000:])
    assert accuracy > 0.95

    samples = gan.generate(1000, seed=1).numpy()
    probs = classifier.probabilities(samples)
    confident = float(np.mean(probs.max(axis=1) > CONFIDENCE))
    class_fractions = np.bincount(probs.argmax(axis=1), minlength=10) / len(probs)
    untrained_confident = float(np.mean(classifier.probabilities(untrained).max(axis=1) > CONFIDENCE))
    print(
        f"\nDCGAN on MNIST: trained {train_seconds:.0f} s; classifier accuracy {accuracy:.3f}; "
        f"samples with p > {CONFIDENCE}: {confident:.3f} (untrained generator: {untrained_confident:.3f}); "
        f"class fractions {np.round(class_fractions, 3).tolist()}"
    )
    assert confident >= MIN_CONFIDENT_FRACTION
    assert class_fractions.min() >= MIN_CLASS_FRACTION
    assert untrained_confident < 0.2
