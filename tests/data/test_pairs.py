"""kerasgan.data.pairs: pairing by file-name key, the hash split, paired
augmentation, unpaired zipping."""

import logging

import numpy as np
import pytest
from PIL import Image

from kerasgan.data import pairs


def _write(folder, name, value, size=8, mode="RGB"):
    folder.mkdir(parents=True, exist_ok=True)
    array = np.full((size, size, 3), value, np.uint8)
    array[0, 0] = 255 - value  # one odd pixel in the top-left corner, to see flips
    Image.fromarray(array, "RGB").convert(mode).save(folder / name)


@pytest.fixture
def emoji_folders(tmp_path):
    tw, noto = tmp_path / "twemoji", tmp_path / "noto"
    # Pairs: plain, fe0f on one side only, leading zeros (keycap), a ZWJ sequence.
    for value, (t, n) in enumerate([
        ("1f600.png", "emoji_u1f600.png"),
        ("2764-fe0f.png", "emoji_u2764.png"),
        ("23-20e3.png", "emoji_u0023_20e3.png"),
        ("1f468-200d-1f4bb.png", "emoji_u1f468_200d_1f4bb.png"),
    ]):
        _write(tw, t, 40 * value + 10)
        _write(noto, n, 40 * value + 20)
    _write(tw, "1f1e6-1f1e8.png", 200)  # a flag Noto lacks
    _write(noto, "emoji_u1f9ff.png", 210)  # and one Twemoji lacks
    return tw, noto


def test_codepoint_key_matches_both_naming_schemes():
    assert pairs.codepoint_key("1f600.png") == pairs.codepoint_key("emoji_u1f600.png") == "1f600"
    assert pairs.codepoint_key("2764-fe0f.png") == pairs.codepoint_key("emoji_u2764.png") == "2764"
    assert pairs.codepoint_key("emoji_u0023_20e3.png") == pairs.codepoint_key("23-fe0f-20e3.png") == "0023-20e3"
    assert pairs.codepoint_key("1F600.PNG") == "1f600"
    assert pairs.codepoint_key("cat_photo.jpg") == "cat-photo"  # not code points: the stem


def test_match_pairs_by_key_with_fe0f_and_reports_unmatched(emoji_folders, caplog):
    tw, noto = emoji_folders
    with caplog.at_level(logging.WARNING, logger="kerasgan.data.pairs"):
        pairing = pairs.match_pairs(tw, noto)
    assert pairing.keys == ["0023-20e3", "1f468-200d-1f4bb", "1f600", "2764"]
    by_key = {k: (s.split("/")[-1], t.split("/")[-1]) for k, s, t in pairing.pairs}
    assert by_key["2764"] == ("2764-fe0f.png", "emoji_u2764.png")
    assert [p.split("/")[-1] for p in pairing.unmatched_source] == ["1f1e6-1f1e8.png"]
    assert [p.split("/")[-1] for p in pairing.unmatched_target] == ["emoji_u1f9ff.png"]
    assert "1f1e6-1f1e8.png" in caplog.text and "emoji_u1f9ff.png" in caplog.text


def test_match_pairs_refuses_duplicate_keys_and_no_match(tmp_path, emoji_folders):
    tw, noto = emoji_folders
    _write(tw, "1f600-fe0f.png", 5)  # same key as 1f600.png
    with pytest.raises(ValueError, match="1f600-fe0f.png"):
        pairs.match_pairs(tw, noto)
    other = tmp_path / "other"
    _write(other, "zzz.png", 1)
    with pytest.raises(ValueError, match="No file"):
        pairs.match_pairs(noto, other)
    with pytest.raises(ValueError, match="source="):
        pairs.match_pairs(tmp_path / "missing", noto)


def test_split_is_deterministic_disjoint_and_about_the_fraction():
    keys = [f"{i:05x}" for i in range(4000)]
    first = [pairs.split_of(k) for k in keys]
    assert first == [pairs.split_of(k) for k in keys]
    test = {k for k, s in zip(keys, first) if s == "test"}
    train = {k for k, s in zip(keys, first) if s == "train"}
    assert not test & train and len(test) + len(train) == len(keys)
    assert 0.08 < len(test) / len(keys) < 0.12
    # A fixed answer (SHA-256 of salt + key): the split must not change between
    # versions or machines, or zoo numbers would be measured on trained pairs.
    assert [k for k in keys[:40] if pairs.split_of(k) == "test"] == ["00003", "00006"]
    assert sum(pairs.split_of(k, test_fraction=0.5) == "test" for k in keys) > len(test)
    with pytest.raises(ValueError, match="test_fraction=1.5"):
        pairs.split_of("1f600", test_fraction=1.5)


def test_pairing_split_partitions_the_pairs(emoji_folders):
    pairing = pairs.match_pairs(*emoji_folders)
    train, test = pairing.split("train", 0.5), pairing.split("test", 0.5)
    assert sorted(train + test) == sorted(pairing.pairs) and not set(train) & set(test)
    with pytest.raises(ValueError, match="split='val'"):
        pairing.split("val")


def test_load_paired_yields_matched_source_target_batches(emoji_folders):
    tw, noto = emoji_folders
    ds = pairs.load_paired(tw, noto, 4, batch_size=4, split="all", shuffle=True, seed=3)
    batch = next(iter(ds))
    assert set(batch) == {"source", "target"}
    source, target = batch["source"].numpy(), batch["target"].numpy()
    assert source.shape == target.shape == (4, 4, 4, 3) and source.dtype == np.float32
    # Each row's target is its own source's counterpart (values 40i+10 vs 40i+20).
    src_level = np.round((source[:, 2, 2, 0] + 1) * 127.5)
    tgt_level = np.round((target[:, 2, 2, 0] + 1) * 127.5)
    np.testing.assert_allclose(tgt_level - src_level, 10, atol=1)
    with pytest.raises(ValueError, match="batch_size=0"):
        pairs.load_paired(tw, noto, 4, batch_size=0)
    with pytest.raises(ValueError, match="augment="):
        pairs.load_paired(tw, noto, 4, batch_size=2, augment="yes")


def test_paired_augmentation_applies_the_same_transform_to_both_sides(emoji_folders):
    tw, noto = emoji_folders
    ds = pairs.load_paired(tw, noto, 8, batch_size=4, split="all", augment=True, seed=0, repeat=True)
    flipped = 0
    for batch in ds.take(6):
        source, target = batch["source"].numpy(), batch["target"].numpy()
        # The odd corner pixel is where the same flip/crop put it, in both images.
        for s, t in zip(source, target):
            np.testing.assert_array_equal(np.argmax(np.abs(s[..., 0] - np.median(s[..., 0]))),
                                          np.argmax(np.abs(t[..., 0] - np.median(t[..., 0]))))
            flipped += int(np.argmax(np.abs(s[..., 0] - np.median(s[..., 0]))) % 8 >= 4)
    assert 0 < flipped < 24  # flips happen, not always


def test_load_unpaired_zips_two_independently_shuffled_sources(emoji_folders):
    tw, noto = emoji_folders
    ds = pairs.load_unpaired(np.full((8, 4, 4, 1), 10, np.uint8), np.full((8, 4, 4, 1), 200, np.uint8),
                             4, batch_size=4, seed=1)
    batches = list(ds)
    assert len(batches) == 2 and set(batches[0]) == {"a", "b"}
    assert np.all(batches[0]["a"].numpy() < 0) and np.all(batches[0]["b"].numpy() > 0)
    # Folders with the hash split: each file by its own key; train and test disjoint.
    train = pairs.split_files(tw, "train", test_fraction=0.5)
    test = pairs.split_files(tw, "test", test_fraction=0.5)
    assert sorted(train + test) == sorted(pairs.split_files(tw, "all")) and not set(train) & set(test)
    ds = pairs.load_unpaired(tw, noto, 4, batch_size=1, split="train", test_fraction=0.5, seed=0)
    assert next(iter(ds))["a"].shape == (1, 4, 4, 3)
    with pytest.raises(ValueError, match="folder sources only"):
        pairs.load_unpaired("digits", noto, 4, batch_size=1, split="train")



def test_unpaired_trainer_loader_takes_sources_that_are_not_folders():
    # The trainer's loader for two arrays (or IDX files, TFDS names): no hash
    # split, the trainer's `split` goes to `load` (it used to clash with
    # load_unpaired's own `split` and raise a TypeError).
    a, b = np.full((6, 8, 8, 1), 10, np.uint8), np.full((6, 8, 8, 1), 200, np.uint8)
    load = pairs.two_domain_loader(a, b, paired=False, channels=1, split="train", seed=0)
    batch = next(iter(load(8, 3)))
    assert batch["a"].shape == (3, 8, 8, 1) and batch["b"].shape == (3, 8, 8, 1)
    assert np.all(batch["a"].numpy() < 0) and np.all(batch["b"].numpy() > 0)
    with pytest.raises(ValueError, match="split"):
        next(iter(pairs.two_domain_loader(a, b, paired=False, split="test")(8, 3)))

@pytest.mark.realdata
def test_emoji_folders_pair_by_code_point(shared_data):
    pairing = pairs.match_pairs(shared_data / "emoji" / "twemoji-72", shared_data / "emoji" / "noto-72")
    # README: 3,195 pairs without leading-zero normalisation; Twemoji's "23-20e3"
    # (keycap #) vs Noto's "0023_20e3" and similar add 14.
    assert len(pairing.pairs) == 3209
    test = pairing.split("test")
    assert 0.08 < len(test) / len(pairing.pairs) < 0.12
