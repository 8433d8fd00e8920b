"""(LR, HR) pairs for super-resolution: bicubic downsampling, the documented
hash split (file keys for folders, indices otherwise), batches."""

import hashlib

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan.data import super_resolution as sr


def _idx_source(tmp_path, write_idx, n=40, size=8):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, size, size), dtype=np.uint8)
    path = write_idx(tmp_path / "images-idx3-ubyte", images)
    return path, images


def test_downsample_is_antialiased_bicubic_clipped():
    x = np.random.default_rng(0).uniform(-1, 1, (2, 16, 12, 3)).astype("float32")
    low = sr.downsample(x, 4).numpy()
    assert low.shape == (2, 4, 3, 3)
    expected = np.clip(tf.image.resize(x, (4, 3), "bicubic", antialias=True).numpy(), -1, 1)
    np.testing.assert_allclose(low, expected, atol=1e-6)
    assert low.min() >= -1 and low.max() <= 1
    np.testing.assert_allclose(sr.downsample(np.full((1, 8, 8, 1), 0.25, "float32"), 2).numpy(), 0.25, atol=1e-6)
    with pytest.raises(ValueError, match="multiples of scale=4"):
        sr.downsample(np.zeros((1, 10, 8, 1), "float32"), 4)
    with pytest.raises(ValueError, match="float batch"):
        sr.downsample(np.zeros((1, 8, 8, 1), "uint8"), 4)


def test_index_split_is_the_documented_sha256_rule():
    def rule(i):
        digest = hashlib.sha256(f"kerasgan-split-v1index:{i}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2.0**64 < 0.1

    test = sr.index_split(500, "test")
    train = sr.index_split(500, "train")
    assert list(test) == [i for i in range(500) if rule(i)]
    assert sorted(set(test) | set(train)) == list(range(500)) and not set(test) & set(train)
    assert 25 <= len(test) <= 75  # ~10%
    assert list(sr.index_split(600, "test")[: len(test)]) == list(test)  # stable when data grow
    with pytest.raises(ValueError, match="split"):
        sr.index_split(10, "validation")


def test_idx_source_pairs_and_split(tmp_path, write_idx):
    path, raw = _idx_source(tmp_path, write_idx)
    low, high = sr.load_super_resolution_arrays(path, 8, scale=4, split="test")
    index = sr.index_split(len(raw), "test")
    assert high.shape == (len(index), 8, 8, 1) and low.shape == (len(index), 2, 2, 1)
    np.testing.assert_allclose(high[..., 0], raw[index] / 127.5 - 1.0, atol=1e-6)
    np.testing.assert_allclose(low, sr.downsample(high, 4).numpy(), atol=1e-6)
    _, train = sr.load_super_resolution_arrays(path, 8, split="train")
    assert len(train) + len(high) == len(raw)
    assert sr.info(path, split="test").num_examples == len(index)
    assert sr.info(path, split="all").num_examples == len(raw)


def test_batches_are_source_target_dicts(tmp_path, write_idx):
    path, _ = _idx_source(tmp_path, write_idx)
    ds = sr.load_super_resolution(path, 8, batch_size=4, scale=2, seed=3)
    batch = next(iter(ds))
    assert set(batch) == {"source", "target"}
    assert batch["source"].shape == (4, 4, 4, 1) and batch["target"].shape == (4, 8, 8, 1)
    np.testing.assert_allclose(batch["source"].numpy(), sr.downsample(batch["target"], 2).numpy(), atol=1e-6)
    again = next(iter(sr.load_super_resolution(path, 8, batch_size=4, scale=2, seed=3)))
    np.testing.assert_array_equal(batch["target"].numpy(), again["target"].numpy())  # seeded order
    loader = sr.loader(path, scale=2, seed=0)
    assert len(list(loader(8, 4).take(30))) == 30  # repeated for the trainer
    with pytest.raises(ValueError, match="multiple of scale=4"):
        sr.load_super_resolution(path, 10, batch_size=4)
    with pytest.raises(ValueError, match="fewer than one batch"):
        sr.load_super_resolution(path, 8, batch_size=64, split="test")


def test_folder_split_is_by_emoji_key(tmp_path):
    """The same emoji in two sets (Twemoji and Noto names) falls in one split."""
    rng = np.random.default_rng(0)
    codes = [f"1f{600 + i:03x}" for i in range(60)]
    for sub, name in (("twemoji", "{}.png"), ("noto", "emoji_u{}.png")):
        (tmp_path / sub).mkdir()
        for code in codes:
            pixels = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / sub / name.format(code))
    from kerasgan.data.pairs import split_of

    held_out = [c for c in codes if split_of(c) == "test"]
    assert held_out  # the rule picks some of 60
    low, high = sr.load_super_resolution_arrays(tmp_path, 8, split="test")
    assert len(high) == 2 * len(held_out) and low.shape[1:] == (2, 2, 3)
    _, keys = sr.load_high_resolution_arrays(tmp_path, 8, split="test")
    assert sorted(keys) == sorted(held_out * 2)
    assert sr.info(tmp_path, split="train").num_examples == 2 * (len(codes) - len(held_out))


@pytest.mark.realdata
def test_mnist_split_real_data(shared_data):
    low, high = sr.load_super_resolution_arrays(shared_data / "mnist", 28, split="test")
    assert high.shape[1:] == (28, 28, 1) and low.shape[1:] == (7, 7, 1)
    assert 900 <= len(high) <= 1100  # ~10% of 10,000
    assert sr.info(shared_data / "mnist", split="train").num_examples == 10000 - len(high)
