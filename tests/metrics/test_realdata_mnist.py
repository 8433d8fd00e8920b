"""FID with a domain classifier on real MNIST digits separates real from bad samples.

Run with `pytest -m realdata -s tests/metrics/test_realdata_mnist.py` to see the
numbers. Takes about a minute on 2 CPU cores.
"""

import keras
import numpy as np
import pytest
import scipy.ndimage

from kerasgan.data import read_idx
from kerasgan.metrics import DomainClassifier
from kerasgan.metrics import evaluate
from kerasgan.metrics import format_table
from kerasgan.metrics import reference_statistics


@pytest.mark.realdata
def test_domain_fid_orders_real_blurred_untrained_noise(shared_data):
    folder = shared_data / "mnist"
    images = read_idx(folder / "t10k-images-idx3-ubyte.gz").astype("float32") / 127.5 - 1.0
    labels = read_idx(folder / "t10k-labels-idx1-ubyte.gz").astype("int32")
    images = images[..., None]
    order = np.random.default_rng(0).permutation(len(images))
    train_idx, eval_idx = order[:5000], order[5000:]
    real_a, real_b = images[eval_idx[:2500]], images[eval_idx[2500:]]

    classifier = DomainClassifier.train(
        images[train_idx], labels[train_idx], epochs=6, name="mnist_classifier", seed=0
    )
    held_out_accuracy = classifier.accuracy(images[eval_idx], labels[eval_idx])
    print(f"\nclassifier accuracy on held-out half: {held_out_accuracy:.4f}")
    assert held_out_accuracy > 0.95

    stats = reference_statistics(real_a, classifier)
    n = len(real_b)
    rng = np.random.default_rng(1)
    noise = np.clip(rng.normal(size=real_b.shape), -1, 1).astype("float32")
    blurred = scipy.ndimage.gaussian_filter(real_b, sigma=(0, 1.5, 1.5, 0)).astype("float32")
    keras.utils.set_random_seed(2)
    untrained = keras.Sequential(
        [
            keras.Input((32,)),
            keras.layers.Dense(7 * 7 * 32, activation="relu"),
            keras.layers.Reshape((7, 7, 32)),
            keras.layers.Conv2DTranspose(16, 4, strides=2, padding="same", activation="relu"),
            keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        ]
    )
    samples = {
        "real (disjoint half)": lambda k, seed: real_b[:k],
        "blurred real": lambda k, seed: blurred[:k],
        "untrained generator": lambda k, seed: untrained.predict(
            np.random.default_rng(seed).normal(size=(k, 32)).astype("float32"), verbose=0
        ),
        "gaussian noise": lambda k, seed: noise[:k],
    }
    fid = {}
    for name, fn in samples.items():
        results = evaluate(
            fn, stats, metrics=("fid", "kid", "is"), num_samples=n, extractor=classifier,
            kid_subsets=20, kid_subset_size=1000,
        )
        fid[name] = results["fid"]
        print(f"\n== {name} ==\n{format_table(results)}")

    real = fid["real (disjoint half)"]
    for name in ("blurred real", "untrained generator", "gaussian noise"):
        assert fid[name] > 10 * real + 1.0, (name, fid)
