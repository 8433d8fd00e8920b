"""The checkout's zoo entry `stackgan-emoji` (text -> image), loaded as a user
loads it (`kerasgan.zoo.load`, both formats, files verified by SHA-256).

`tests/zoo/test_real_registry.py` checks the latent entries (`generate(n,
seed)`); this file checks this one against its own references,
`tests/zoo/references/stackgan-emoji.npz`, written by
`training/build_stackgan_zoo.py` when it packaged the entry: the `.keras`
model's `generate(texts, seed=7)` and the SavedModel's `serving_default` for
the same captions and seed. The realdata checks re-measure the held-out
captions on the real emoji (`../shared/data`).
"""

import pathlib

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import zoo
from kerasgan.zoo import registry as registry_lib

NAME = "stackgan-emoji"
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
REGISTRY = registry_lib.PACKAGE_REGISTRY
ZOO_DIR = REPO_ROOT / "zoo"
REFERENCES = pathlib.Path(__file__).parent / "references" / f"{NAME}.npz"
EXTRACTOR = ZOO_DIR / "extractors" / "twemoji-groups-classifier.keras"

pytestmark = pytest.mark.skipif(not (ZOO_DIR / NAME).is_dir(), reason=f"{ZOO_DIR / NAME} is not in this checkout")


@pytest.fixture(scope="module")
def entry():
    return zoo.info(NAME, registry=REGISTRY)


@pytest.fixture(scope="module")
def where(tmp_path_factory):
    # The package registry and the checkout's zoo/ (tests/zoo/conftest.py points the
    # environment at empty ones); a fresh cache folder, never ~/.cache.
    return dict(registry=REGISTRY, zoo_dir=ZOO_DIR, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def model(where):
    return zoo.load(NAME, **where)


@pytest.fixture(scope="module")
def served(where):
    return zoo.load(NAME, format="saved_model", **where)


@pytest.fixture(scope="module")
def references():
    return dict(np.load(REFERENCES))


def test_entry_is_a_complete_text_to_image_entry(entry):
    assert entry["family"] == "stackgan" and entry["task"] == "text_to_image"
    assert entry["resolution"] == 32 and entry["stage1_resolution"] == 16
    for relpath in ("model.keras", "README.md", "samples.png", "saved_model/1/saved_model.pb"):
        assert relpath in entry["files"], relpath
    registry_lib.verify_files(ZOO_DIR / NAME, entry["files"])
    metrics = entry["metrics"]
    for key in ("fid_stage1", "fid_stage2", "heldout_group_accuracy", "heldout_chance_independent",
                "heldout_chance_majority", "heldout_group_accuracy_real"):
        assert np.isfinite(metrics[key]), key
    assert "CC-BY 4.0" in entry["licence"] and "MIT" in entry["licence"]


def test_keras_model_reproduces_its_references(model, references):
    texts = [str(t) for t in references["texts"]]
    images = model.generate(texts, seed=int(references["seed"])).numpy()
    assert images.shape == (len(texts), 32, 32, 3)
    assert np.isfinite(images).all() and images.min() >= -1 and images.max() <= 1
    np.testing.assert_allclose(images, references["keras"], atol=1e-5, rtol=0)
    coarse = model.generate(texts[:1], n_per_text=2, seed=0, stage=1).numpy()
    assert coarse.shape == (2, 16, 16, 3) and np.isfinite(coarse).all()


def test_saved_model_reproduces_its_references_and_the_keras_model(served, references):
    texts = tf.constant([str(t) for t in references["texts"]])
    out = served.signatures["serving_default"](texts=texts, seed=tf.constant(int(references["seed"]), tf.int64))
    images = out["images"].numpy()
    assert images.shape == (len(references["texts"]), 32, 32, 3)
    assert out["images_uint8"].dtype == tf.uint8
    np.testing.assert_allclose(images, references["saved_model"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(images, references["keras"], atol=1e-5, rtol=0)
    # Explicit noise: the same rows give the same images.
    again = served.signatures["generate_from_noise"](texts=texts, noise=out["noise"])["images"].numpy()
    np.testing.assert_allclose(again, images, atol=1e-5, rtol=0)


def test_different_captions_give_different_images(model, served):
    captions = ["grinning face", "flag: Poland", "red apple", "man: dark skin tone", "blue heart"]
    noise = np.repeat(np.random.default_rng(0).standard_normal((1, model.noise_dim)).astype("float32"),
                      len(captions), axis=0)  # one noise row for every caption: only the text differs
    images = model.generate(captions, noise=noise).numpy()
    gaps = [np.abs(images[i] - images[j]).mean() for i in range(len(captions)) for j in range(i + 1, len(captions))]
    # Trained: captions change the picture by a large share of the [-1, 1] scale (not round-off, ~1e-7).
    assert min(gaps) > 0.02, gaps
    same = model.generate([captions[0]] * 2, noise=noise[:2]).numpy()
    np.testing.assert_array_equal(same[0], same[1])
    served_images = served.signatures["generate_from_noise"](texts=tf.constant(captions),
                                                             noise=tf.constant(noise))["images"].numpy()
    np.testing.assert_allclose(served_images, images, atol=1e-5, rtol=0)


@pytest.mark.realdata
def test_held_out_captions_were_not_trained_on(model, shared_data):
    from kerasgan.data import captions
    from kerasgan.models.stackgan import build_vocabulary

    mode = zoo.info(NAME, registry=REGISTRY)["captions"]  # "label" or "label_tags", as trained
    train = captions.emoji_captions(shared_data / "emoji", captions=mode, split="train")
    test = captions.emoji_captions(shared_data / "emoji", captions=mode, split="test")
    assert not set(train.base_keys) & set(test.base_keys)
    assert model.text_encoder.vocabulary == build_vocabulary(list(train.texts))  # the training captions' words
    unseen = set(build_vocabulary(list(test.texts))) - set(model.text_encoder.vocabulary)
    assert unseen  # held-out captions bring words the model never read (they share the unknown id)


@pytest.mark.realdata
def test_held_out_group_accuracy_is_as_recorded_and_above_chance(model, entry, shared_data):
    from kerasgan.data import captions
    from kerasgan.metrics import DomainClassifier

    test = captions.emoji_captions(shared_data / "emoji", captions=entry["captions"], split="test")
    keep = test.groups >= 0
    texts = [t for t, k in zip(test.texts, keep) if k]
    labels = np.repeat(test.groups[keep], 4)
    images = model.generate(texts, n_per_text=4, seed=0).numpy()
    classifier = DomainClassifier.load(EXTRACTOR, name="twemoji-groups-classifier")
    predicted = np.argmax(classifier.probabilities(images), axis=1)
    accuracy = float(np.mean(predicted == labels))
    # Recorded at packaging; another host's float round-off may flip a few of the 1,780 answers.
    assert accuracy == pytest.approx(entry["metrics"]["heldout_group_accuracy"], abs=0.01)
    p = np.bincount(labels, minlength=10) / len(labels)
    q = np.bincount(predicted, minlength=10) / len(predicted)
    assert accuracy > float(np.sum(p * q)) + 0.05  # better than answers unrelated to the caption
