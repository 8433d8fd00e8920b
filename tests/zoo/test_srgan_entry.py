"""The real registry's super-resolution entry `srgan-emoji-x4` (`zoo/srgan-emoji-x4/`).

It loads in both formats (`kerasgan.zoo.load`, verified against the
registry's hashes), upscales 18x18 -> 72x72, and reproduces the references
`tests/zoo/references/srgan-emoji-x4.npz` that `training/build_srgan_zoo.py`
wrote when it packaged the entry (the `.keras` model's `upscale` and the
SavedModel's `upscale` signature of four held-out LR images). The
`realdata` check recomputes the card's PSNR and SSIM on the held-out split.
"""

import json
import pathlib

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import zoo
from kerasgan.zoo import registry as registry_lib
from tests.zoo.real_entries import entry_or_skip

NAME = "srgan-emoji-x4"
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
REGISTRY = registry_lib.PACKAGE_REGISTRY
ZOO_DIR = REPO_ROOT / "zoo"
REFERENCES = pathlib.Path(__file__).parent / "references" / f"{NAME}.npz"


def _entry():
    return entry_or_skip(NAME)


@pytest.fixture(scope="module")
def entry():
    return _entry()


@pytest.fixture(scope="module")
def references():
    if not REFERENCES.exists():
        pytest.fail(f"{REFERENCES} is missing: training/build_srgan_zoo.py writes it when it packages {NAME}")
    return dict(np.load(REFERENCES))


@pytest.fixture(scope="module")
def loaded(entry, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")  # never ~/.cache
    where = dict(registry=REGISTRY, zoo_dir=ZOO_DIR, cache_dir=cache)
    return zoo.load(NAME, **where), zoo.load(NAME, format="saved_model", **where)


def test_entry_describes_a_measured_upscaler(entry):
    assert entry["family"] == "srgan"
    assert entry["resolution"] == 72 and entry["scale"] == 4
    metrics = entry["metrics"]
    for prefix in ("", "srresnet_", "bicubic_", "nearest_"):
        for key in ("psnr", "ssim", "fid", "patch_fid"):
            assert np.isfinite(metrics[prefix + key]), prefix + key
    assert entry["extractor"].startswith("twemoji-groups-classifier@sha256:")
    card = (ZOO_DIR / NAME / "README.md").read_text()
    assert f"{metrics['psnr']:.2f}" in card and f"{metrics['fid']:.3f}" in card
    assert entry["content_network"].partition("@")[0] in card


def test_keras_model_upscales_and_matches_its_references(loaded, references):
    model, _ = loaded
    low = references["input"]
    assert low.shape == (4, 18, 18, 3)
    high = model.upscale(low).numpy()
    assert high.shape == (4, 72, 72, 3)
    assert np.isfinite(high).all() and high.min() >= -1 and high.max() <= 1
    np.testing.assert_allclose(high, references["keras"], atol=1e-5, rtol=0)
    # Any input size: a 10x7 crop gives 40x28.
    assert tuple(model.upscale(low[:2, :10, :7]).shape) == (2, 40, 28, 3)


def test_saved_model_upscale_matches_its_references_and_the_keras_model(loaded, references):
    model, served = loaded
    low = tf.constant(references["input"])
    assert {"upscale", "translate", "serving_default"} <= set(served.signatures)
    out = served.signatures["upscale"](images=low)
    np.testing.assert_allclose(out["images"].numpy(), references["saved_model"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(out["images"].numpy(), model.upscale(references["input"]).numpy(), atol=1e-4)
    assert out["images_uint8"].dtype == tf.uint8 and tuple(out["images_uint8"].shape) == (4, 72, 72, 3)


@pytest.mark.realdata
def test_held_out_psnr_and_ssim_match_the_card(entry, loaded, shared_data):
    from kerasgan.data.super_resolution import load_super_resolution_arrays
    from kerasgan.metrics import translation_metrics

    model, _ = loaded
    low, high = load_super_resolution_arrays(shared_data / "emoji", 72, split="test")
    assert len(high) == entry["num_test_images"]
    scores = translation_metrics(model.upscale(low).numpy(), high)
    metrics = entry["metrics"]
    assert scores["psnr"] == pytest.approx(metrics["psnr"], abs=0.02)
    assert scores["ssim"] == pytest.approx(metrics["ssim"], abs=1e-3)
    bicubic = tf.clip_by_value(tf.image.resize(low, (72, 72), "bicubic"), -1.0, 1.0).numpy()
    assert translation_metrics(bicubic, high)["psnr"] == pytest.approx(metrics["bicubic_psnr"], abs=0.02)
    # The target, on the recomputed numbers: SRGAN above bicubic.
    assert scores["psnr"] > metrics["bicubic_psnr"], json.dumps(metrics)
