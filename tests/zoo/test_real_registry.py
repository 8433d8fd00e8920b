"""The checkout's real registry (`kerasgan/zoo/registry.json`) against its `zoo/` folder.

One test per entry: every file listed is in `zoo/NAME/` with the recorded
size and SHA-256, and the entry loads in both formats and generates (the
Keras model and the SavedModel agree for the same seed; a StyleGAN entry
also at truncation_psi 0.7, a BigGAN one at truncation 0.5, and with the option left out of the
SavedModel call, which `zoo.load` fills in). While the registry
is empty these tests are reported as skipped (an empty parameter set).
"""

import pathlib

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import zoo
from kerasgan.zoo import loading, registry as registry_lib

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
REGISTRY = registry_lib.PACKAGE_REGISTRY
ZOO_DIR = REPO_ROOT / "zoo"
ENTRIES = zoo.read_registry(REGISTRY)["models"]
#: `generate(8, seed=7)` of every entry (its `.keras` file and its SavedModel's
#: `generate_from_seed`, options at their defaults, classes cycled), computed
#: at a6226a1, before the models moved onto kerasgan.engine: every later
#: version must reproduce them (max difference 1e-5).
BEFORE_ENGINE = np.load(pathlib.Path(__file__).parent / "generate_seed7_before_engine.npz")
#: The same for the entries packaged later (written by training/build_zoo.py
#: when it packages an entry).
_AFTER = pathlib.Path(__file__).parent / "generate_seed7_after_engine.npz"
REFERENCES = {**dict(BEFORE_ENGINE), **(dict(np.load(_AFTER)) if _AFTER.exists() else {})}
REQUIRED = ("family", "description", "resolution", "dataset", "licence", "metrics")


def _samples_latents(entry):
    """Whether the entry's family draws images from latents (`generate(n,
    seed)`); the other tasks' entries (super-resolution, text -> image, ...)
    are checked against their own references by their own test file,
    tests/zoo/test_<family>_entry.py, in tests/zoo/references/<name>.npz."""
    from kerasgan import models
    from kerasgan.engine.tasks import task_of

    return task_of(models.FAMILIES[entry["family"]]).name == "latent_to_image"


LATENT = [e for e in ENTRIES if _samples_latents(e)]


def test_every_entry_has_its_reference_images():
    assert {e["name"] for e in LATENT} <= {key.split("/")[0] for key in REFERENCES}
    others = {e["name"] for e in ENTRIES} - {e["name"] for e in LATENT}
    missing = [n for n in others if not (pathlib.Path(__file__).parent / "references" / f"{n}.npz").exists()]
    assert not missing, f"no tests/zoo/references/NAME.npz for {missing}"


def test_registry_is_valid():
    data = zoo.read_registry(REGISTRY)  # validates the schema
    assert data["version"] == 1
    assert [e["name"] for e in data["models"]] == sorted(e["name"] for e in data["models"])


def _ids(entries):
    return [e["name"] for e in entries]


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_entry_is_complete(entry):
    missing = [key for key in REQUIRED if entry.get(key) in (None, "")]
    assert not missing, f"{entry['name']}: empty {missing}"
    for relpath in ("model.keras", "README.md", "samples.png"):
        assert relpath in entry["files"], f"{entry['name']} lacks {relpath}"
    assert loading.saved_model_versions(entry), f"{entry['name']} lacks saved_model/N/saved_model.pb"


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_entry_files_match_the_zoo_folder(entry):
    folder = ZOO_DIR / entry["name"]
    if not folder.is_dir() and entry.get("url"):
        pytest.skip(f"{folder} is not in this checkout (the entry is downloaded from its url)")
    registry_lib.verify_files(folder, entry["files"])


@pytest.mark.parametrize("entry", LATENT, ids=_ids(LATENT))
def test_entry_loads_in_both_formats_and_generates(entry, tmp_path):
    name = entry["name"]
    if not (ZOO_DIR / name).is_dir():
        pytest.skip(f"{ZOO_DIR / name} is not in this checkout")
    where = dict(registry=REGISTRY, zoo_dir=ZOO_DIR, cache_dir=tmp_path)  # never ~/.cache
    model = zoo.load(name, **where)
    labels = 0 if model.num_classes else None
    images = model.generate(4, seed=0, labels=labels).numpy()
    assert images.shape[1:] == (entry["resolution"], entry["resolution"], model.image_shape[-1])
    assert np.isfinite(images).all() and images.min() >= -1 and images.max() <= 1
    np.testing.assert_allclose(
        model.generate(8, seed=7).numpy(), REFERENCES[f"{name}/keras"], atol=1e-5, rtol=0
    )
    served = zoo.load(name, format="saved_model", **where)
    seven = {"seed": tf.constant(7, tf.int64), "num_images": tf.constant(8, tf.int64)}
    if model.num_classes:
        seven["labels"] = tf.zeros([0], tf.int32)  # classes 0, 1, ... cycled, as generate
    np.testing.assert_allclose(served.signatures["generate_from_seed"](**seven)["images"].numpy(),
                               REFERENCES[f"{name}/saved_model"], atol=1e-5, rtol=0)
    inputs = {"seed": tf.constant(0, tf.int64), "num_images": tf.constant(4, tf.int64)}
    if model.num_classes:
        inputs["labels"] = tf.constant([0], tf.int32)
    out = served.signatures["generate_from_seed"](**inputs)  # family options at their defaults
    np.testing.assert_allclose(out["images"].numpy(), images, atol=1e-4)
    if "truncation" in getattr(type(model), "serving_inputs", {}):  # BigGAN
        truncated = served.signatures["generate_from_seed"](**inputs, truncation=tf.constant(0.5, tf.float32))
        np.testing.assert_allclose(truncated["images"].numpy(),
                                   model.generate(4, seed=0, labels=labels, truncation=0.5).numpy(), atol=1e-4)
    if "truncation_psi" in getattr(type(model), "serving_inputs", {}):  # StyleGAN
        truncated = served.signatures["generate_from_seed"](
            **inputs, truncation_psi=tf.constant(0.7, tf.float32))
        np.testing.assert_allclose(truncated["images"].numpy(),
                                   model.generate(4, seed=0, truncation_psi=0.7).numpy(), atol=1e-4)
