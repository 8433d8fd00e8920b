"""Emoji captions (kerasgan/data/captions.py): matching, held-out rule,
compositing on white, the {"image", "text"} pipeline."""

import hashlib
import json

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan.data import captions

ENTRIES = [
    {"label": "grinning face", "hexcode": "1F600", "tags": ["face", "grin"], "group": 0},
    {"label": "red apple", "hexcode": "1F34E", "tags": ["apple", "fruit", "red"], "group": 4},
    {"label": "red heart", "hexcode": "2764-FE0F", "tags": ["heart"], "group": 0},
    {"label": "waving hand", "hexcode": "1F44B", "tags": ["hand", "wave"], "group": 1,
     "skins": [{"label": "waving hand: dark skin tone", "hexcode": "1F44B-1F3FF", "group": 1}]},
    {"label": "regional indicator A", "hexcode": "1F1E6"},  # no group, no tags
]


def _png(path, rgba):
    Image.fromarray(np.asarray(rgba, np.uint8), "RGBA").save(path)


@pytest.fixture
def emoji_dir(tmp_path):
    root = tmp_path / "emoji"
    (root / "twemoji-72").mkdir(parents=True)
    (root / "noto-72").mkdir()
    (root / "emojibase.data.json").write_text(json.dumps(ENTRIES))
    red = np.zeros((8, 8, 4), np.uint8)
    red[..., 0], red[..., 3] = 255, 255
    clear = np.zeros((8, 8, 4), np.uint8)  # fully transparent: must become white
    for name, image in [("1f600", clear), ("1f34e", red), ("2764-fe0f", red), ("1f44b", red),
                        ("1f44b-1f3ff", red), ("1f1e6", red), ("1f9ff", red)]:  # 1f9ff: no entry
        _png(root / "twemoji-72" / f"{name}.png", image)
    _png(root / "noto-72" / "emoji_u1f34e.png", red)
    return root


def test_captions_match_files_by_code_point_with_labels_tags_groups(emoji_dir):
    found = captions.emoji_captions(emoji_dir)
    by_key = dict(zip(found.keys, zip(found.texts, found.groups.tolist(), found.base_keys)))
    assert by_key == {
        "1f600": ("grinning face", 0, "1f600"),
        "1f34e": ("red apple", 4, "1f34e"),
        "2764": ("red heart", 0, "2764"),  # fe0f dropped on both sides
        "1f44b": ("waving hand", 1, "1f44b"),
        "1f44b-1f3ff": ("waving hand: dark skin tone", 1, "1f44b"),  # a skin: its base's group
        "1f1e6": ("regional indicator A", -1, "1f1e6"),
    }
    assert [p.split("/")[-1] for p in found.unmatched] == ["1f9ff.png"]
    tagged = captions.emoji_captions(emoji_dir, captions="label_tags")
    assert dict(zip(tagged.keys, tagged.texts))["1f34e"] == "red apple: apple fruit red"
    assert dict(zip(tagged.keys, tagged.texts))["1f1e6"] == "regional indicator A"
    both = captions.emoji_captions(emoji_dir, sets=("twemoji-72", "noto-72"))
    assert both.sets.count("noto-72") == 1 and len(both) == len(found) + 1


def test_held_out_rule_is_the_documented_sha256_of_the_base_hexcode(emoji_dir):
    for key in ["1f600", "1f34e", "2764", "1f44b", "abc"]:
        digest = hashlib.sha256(("kerasgan-captions-v1" + key).encode("utf-8")).digest()
        expected = "test" if int.from_bytes(digest[:8], "big") / 2.0**64 < 0.1 else "train"
        assert captions.caption_split(key) == expected
    # About 10% of many keys, and the rule is a pure function of the key.
    splits = [captions.caption_split(f"{i:05x}") for i in range(5000)]
    assert 0.085 < splits.count("test") / 5000 < 0.115
    assert splits == [captions.caption_split(f"{i:05x}") for i in range(5000)]
    # Skin tones follow their base emoji; train and test partition the set.
    found = captions.emoji_captions(emoji_dir, held_out_fraction=0.5)
    split = dict(zip(found.keys, found.splits))
    assert split["1f44b"] == split["1f44b-1f3ff"]
    train, test = (captions.emoji_captions(emoji_dir, split=s, held_out_fraction=0.5) for s in ("train", "test"))
    assert sorted(train.keys + test.keys) == sorted(found.keys) and not set(train.keys) & set(test.keys)


def test_pipeline_gives_image_text_batches_composited_on_white(emoji_dir):
    images, texts, groups, found = captions.caption_arrays(emoji_dir, image_size=4, split="all")
    assert images.shape == (6, 4, 4, 3) and images.dtype == np.float32
    index = list(found.keys).index("1f600")  # transparent -> white (1.0)
    np.testing.assert_allclose(images[index], 1.0)
    np.testing.assert_allclose(images[list(found.keys).index("1f34e")], [[[1.0, -1.0, -1.0]] * 4] * 4)
    ds = captions.captions_dataset(images, texts, batch_size=4, seed=0)
    batch = next(iter(ds))
    assert set(batch) == {"image", "text"}
    assert batch["text"].dtype == tf.string and tuple(batch["text"].shape) == (4,)
    assert tuple(batch["image"].shape) == (4, 4, 4, 3)
    # Each text stays with its image through the shuffle.
    pairs = {t: i for t, i in zip(texts.tolist(), images)}
    for text, image in zip(batch["text"].numpy(), batch["image"].numpy()):
        np.testing.assert_array_equal(image, pairs[text.decode()])


def test_batched_decoding_equals_the_per_image_preprocessing(tmp_path):
    from kerasgan.data import folders
    from kerasgan.data.images import preprocess_image

    rng = np.random.default_rng(0)
    paths = []
    for i, shape in enumerate([(12, 12, 4), (12, 12, 4), (10, 14, 4), (9, 9, 4)]):
        paths.append(tmp_path / f"{i}.png")
        _png(paths[-1], rng.integers(0, 256, shape))
    for channels in (3, 1):
        batched = captions.decode_images(paths, 6, channels=channels, batch_size=1)
        expected = [preprocess_image(tf.constant(folders.decode_image_file(p)), 6, 6, channels).numpy()
                    for p in paths]
        np.testing.assert_allclose(batched, np.stack(expected), atol=1e-6)


def test_bad_arguments_are_refused_by_name(emoji_dir, tmp_path):
    with pytest.raises(ValueError, match="not an emoji folder"):
        captions.emoji_captions(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="captions"):
        captions.emoji_captions(emoji_dir, captions="everything")
    with pytest.raises(ValueError, match="split"):
        captions.emoji_captions(emoji_dir, split="validation")
    with pytest.raises(ValueError, match="sets"):
        captions.emoji_captions(emoji_dir, sets=("openmoji",))
    with pytest.raises(ValueError, match="one text per image"):
        captions.captions_dataset(np.zeros((3, 4, 4, 3)), ["a", "b"])


@pytest.mark.realdata
def test_real_emoji_captions_hold_out_about_a_tenth_of_the_emoji(shared_data):
    found = captions.emoji_captions(shared_data / "emoji", sets=("twemoji-72", "noto-72"))
    assert len(found) > 6500
    bases = {}
    for base, split in zip(found.base_keys, found.splits):
        assert bases.setdefault(base, split) == split  # every image of an emoji on one side
    held_out = sum(s == "test" for s in bases.values()) / len(bases)
    assert 0.08 < held_out < 0.13, held_out
    texts = dict(zip(found.keys, found.texts))
    assert texts["1f600"] == "grinning face" and texts["1f34e"] == "red apple"
    assert set(found.groups.tolist()) <= set(range(-1, 10))
