"""Captioned images for text -> image models: emoji with their English names.

The emoji folders of the shared data (`twemoji-72/`, `noto-72/`, 72x72 RGBA
PNG) are paired with their Emojibase metadata (`emojibase.data.json`) by code
point: an image's caption is its Emojibase `label` ("grinning face",
"red apple", "waving hand: light skin tone"), optionally followed by its
`tags` (`captions="label_tags"`: "grinning face: face grin"); its `group`
(0..9: smileys, people, component, animals & nature, food, travel,
activities, objects, symbols, flags; -1 where Emojibase has none) is kept for
evaluation. Skin-tone variants have their own label and take their base
emoji's tags and group.

- **Matching** (`emoji_captions`): a file's key is
  `kerasgan.data.pairs.codepoint_key` of its name (Twemoji `1f44b-1f3fb.png`
  and Noto `emoji_u1f44b_1f3fb.png` -> `"1f44b-1f3fb"`; `fe0f` dropped,
  leading zeros to four digits), and so is each Emojibase `hexcode` (and its
  skins'). Files without an Emojibase entry are left out (counted in
  `CaptionSet.unmatched`).
- **Held-out captions** (`caption_split`): an emoji is *held out* ("test")
  when `kerasgan.data.pairs.split_of(base_key, 0.1, salt="kerasgan-captions-v1")`
  says so: the SHA-256 of `"kerasgan-captions-v1" + base_key` (UTF-8), its
  first 8 bytes read as a big-endian integer and divided by 2**64, is below
  0.1. `base_key` is the code-point key of the *base* emoji's hexcode, so
  all skin-tone variants of an emoji fall on the same side, and so does the
  same emoji in both art styles: a held-out caption's emoji is never seen in
  training, in any style or tone. About 10% of the emoji (and of the images)
  are held out; the rule depends on the hexcode only (the same on every
  machine, stable when files are added).
- **Images** are composited onto white (`kerasgan.data.folders.
  decode_image_file`, as every kerasgan folder loader does), resized
  (bilinear, antialiased) and scaled to float32 [-1, 1].
- **Pipeline** (`load_captions`): a `tf.data.Dataset` of
  `{"image": float32 [B, S, S, C], "text": tf.string [B]}` batches,
  shuffled with `seed`, for `StackGAN.fit`.

    data = kerasgan.data.captions.load_captions("../shared/data/emoji", image_size=32)
    vocab = kerasgan.models.stackgan.build_vocabulary(
        kerasgan.data.captions.emoji_captions("../shared/data/emoji").texts)
"""

import dataclasses
import json
import logging
import os
import pathlib

import numpy as np

from kerasgan.data import pairs

logger = logging.getLogger(__name__)

#: Salt of the held-out hash (see the module docstring).
CAPTION_SALT = "kerasgan-captions-v1"
#: Fraction of emoji held out as unseen captions.
HELD_OUT_FRACTION = 0.1
#: Emojibase group names, by group number.
GROUP_NAMES = ("smileys & emotion", "people & body", "component", "animals & nature", "food & drink",
               "travel & places", "activities", "objects", "symbols", "flags")
CAPTION_MODES = ("label", "label_tags")
SPLITS = ("train", "test", "all")
#: The emoji art styles of the shared data (sub-folders of the emoji folder).
EMOJI_SETS = ("twemoji-72", "noto-72")
METADATA_FILE = "emojibase.data.json"


@dataclasses.dataclass(frozen=True)
class Caption:
    """One Emojibase entry (an emoji or one of its skin tones)."""

    key: str        # code-point key of this entry's hexcode
    base_key: str   # code-point key of the base emoji (itself for a base emoji)
    label: str
    tags: tuple
    group: int      # 0..9, -1 when Emojibase has none

    def text(self, captions="label"):
        """The caption: the label, or `"label: tag tag ..."` (`"label_tags"`)."""
        if captions == "label" or not self.tags:
            return self.label
        return f"{self.label}: {' '.join(self.tags)}"


@dataclasses.dataclass(frozen=True)
class CaptionSet:
    """Captioned image files, in a fixed order (set, then sorted file name).

    `paths`, `texts`, `groups` (int32), `keys`, `base_keys`, `sets` (the art
    style of each file) and `splits` (`"train"`/`"test"`) are parallel;
    `unmatched` lists the files that have no Emojibase entry.
    """

    paths: tuple
    texts: tuple
    groups: np.ndarray
    keys: tuple
    base_keys: tuple
    sets: tuple
    splits: tuple
    unmatched: tuple

    def __len__(self):
        return len(self.paths)

    def select(self, split):
        """The files of `split` (`"train"`, `"test"` or `"all"`)."""
        split = _check_choice("split", split, SPLITS)
        if split == "all":
            return self
        keep = [i for i, s in enumerate(self.splits) if s == split]
        pick = lambda values: tuple(values[i] for i in keep)  # noqa: E731
        return CaptionSet(pick(self.paths), pick(self.texts), self.groups[keep], pick(self.keys),
                          pick(self.base_keys), pick(self.sets), pick(self.splits), self.unmatched)


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {choices}. Received: {name}={value!r}")
    return value


def hexcode_key(hexcode):
    """`codepoint_key` of an Emojibase hexcode (`"1F44B-1F3FB"` -> `"1f44b-1f3fb"`)."""
    return pairs.codepoint_key(str(hexcode).lower())


def caption_split(base_key, held_out_fraction=HELD_OUT_FRACTION):
    """`"test"` (held out) or `"train"` for the emoji whose base code-point
    key is `base_key` (see the module docstring)."""
    return pairs.split_of(base_key, held_out_fraction, salt=CAPTION_SALT)


def read_emojibase(path):
    """`{key: Caption}` for every Emojibase entry and skin tone in `path`
    (`emojibase.data.json`)."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise ValueError(f"No Emojibase metadata file at {path} (expected {METADATA_FILE}).")
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from None
    if not isinstance(entries, list):
        raise ValueError(f"{path} must hold a JSON list of Emojibase entries. Received: {type(entries).__name__}")
    captions = {}
    for entry in entries:
        if not isinstance(entry, dict) or "hexcode" not in entry or "label" not in entry:
            continue
        base = hexcode_key(entry["hexcode"])
        tags = tuple(str(t) for t in entry.get("tags", ()))
        group = int(entry.get("group", -1))
        captions[base] = Caption(base, base, str(entry["label"]), tags, group)
        for skin in entry.get("skins", ()):
            if "hexcode" in skin and "label" in skin:
                key = hexcode_key(skin["hexcode"])
                captions[key] = Caption(key, base, str(skin["label"]), tags, group)
    return captions


def _resolve_emoji_dir(emoji_dir):
    path = pathlib.Path(emoji_dir)
    if (path / "emoji" / METADATA_FILE).is_file():  # the shared data folder itself
        path = path / "emoji"
    if not (path / METADATA_FILE).is_file():
        raise ValueError(
            f"{emoji_dir} is not an emoji folder: it needs {METADATA_FILE} next to the image "
            f"folders {EMOJI_SETS} (e.g. ../shared/data/emoji)."
        )
    return path


def emoji_captions(emoji_dir, sets=("twemoji-72",), captions="label", split="all",
                   held_out_fraction=HELD_OUT_FRACTION):
    """The captioned emoji files of `emoji_dir` (a `CaptionSet`).

    Args:
        emoji_dir: the folder holding `emojibase.data.json` and the image
            folders (or the shared data folder above it).
        sets: image folders to read, among `EMOJI_SETS`.
        captions: `"label"` or `"label_tags"` (see `Caption.text`).
        split: `"train"`, `"test"` (held-out emoji) or `"all"`.
        held_out_fraction: the fraction of emoji held out (0.1).
    """
    from kerasgan.data.folders import list_image_files

    root = _resolve_emoji_dir(emoji_dir)
    _check_choice("captions", captions, CAPTION_MODES)
    if isinstance(sets, str):
        sets = (sets,)
    if not sets:
        raise ValueError(f"`sets` must name at least one of {EMOJI_SETS}. Received: sets={sets!r}")
    for name in sets:
        _check_choice("sets", name, EMOJI_SETS)
        if not (root / name).is_dir():
            raise ValueError(f"The emoji folder {root} has no {name}/ image folder.")
    table = read_emojibase(root / METADATA_FILE)
    rows, unmatched = [], []
    for name in sets:
        for path in list_image_files(root / name):
            caption = table.get(pairs.codepoint_key(path))
            if caption is None:
                unmatched.append(str(path))
                continue
            rows.append((str(path), caption.text(captions), caption.group, caption.key, caption.base_key, name,
                         caption_split(caption.base_key, held_out_fraction)))
    if unmatched:
        logger.info("%d emoji files have no Emojibase entry and are left out (e.g. %s)",
                    len(unmatched), unmatched[0])
    if not rows:
        raise ValueError(f"No emoji file in {root} / {list(sets)} matches an Emojibase entry.")
    columns = list(zip(*rows))
    found = CaptionSet(columns[0], columns[1], np.asarray(columns[2], np.int32), columns[3], columns[4],
                       columns[5], columns[6], tuple(unmatched))
    return found.select(split)


def decode_images(paths, image_size, channels=3, background=(255, 255, 255), batch_size=512):
    """The files at `paths` composited onto `background`, resized to
    `image_size` and scaled to float32 [-1, 1]: `[N, S, S, channels]`, as
    `kerasgan.data.images.preprocess_image` does one image (square images of
    one size, as the emoji are, go through it in batches: one resize per
    `batch_size` images instead of one per image)."""
    import tensorflow as tf

    from kerasgan.data import folders
    from kerasgan.data.images import convert_channels, preprocess_image, to_unit_range
    from kerasgan.utils.validation import check_positive_int

    image_size = check_positive_int("image_size", image_size)
    decoded, kept = folders.decode_folder(list(paths), background=background)
    if len(kept) != len(paths):
        raise ValueError("Some caption images could not be decoded.")
    out = np.empty((len(decoded), image_size, image_size, channels), np.float32)
    groups = {}
    for i, image in enumerate(decoded):
        groups.setdefault(image.shape, []).append(i)
    for shape, rows in groups.items():
        if shape[0] != shape[1]:  # needs the per-image centre crop
            for i in rows:
                out[i] = preprocess_image(tf.constant(decoded[i]), image_size, image_size, channels).numpy()
            continue
        for start in range(0, len(rows), batch_size):
            chunk = rows[start:start + batch_size]
            batch = to_unit_range(tf.constant(np.stack([decoded[i] for i in chunk])))
            if batch.shape[-1] == 3 and channels == 1:
                batch = convert_channels(batch, 1)
            batch = tf.image.resize(batch, [image_size, image_size], method="bilinear", antialias=True)
            out[chunk] = tf.clip_by_value(convert_channels(batch, channels), -1.0, 1.0).numpy()
    return out


def caption_arrays(emoji_dir, image_size=32, sets=("twemoji-72",), captions="label", split="train",
                   channels=3, held_out_fraction=HELD_OUT_FRACTION):
    """`(images, texts, groups, caption_set)`: images float32 `[N, S, S, C]` in
    [-1, 1], texts a NumPy array of str, groups int32 (for evaluation)."""
    found = emoji_captions(emoji_dir, sets, captions, split, held_out_fraction)
    images = decode_images(found.paths, image_size, channels)
    return images, np.asarray(found.texts, dtype=object), found.groups, found


def captions_dataset(images, texts, batch_size=64, shuffle=True, seed=0, repeat=False, drop_remainder=True):
    """A `tf.data.Dataset` of `{"image", "text"}` batches from arrays
    (images float32 `[N, H, W, C]` in [-1, 1], texts `N` strings)."""
    import tensorflow as tf

    from kerasgan.utils.validation import check_positive_int

    batch_size = check_positive_int("batch_size", batch_size)
    images = np.asarray(images, np.float32)
    texts = np.asarray([str(t) for t in texts], dtype=object)
    if images.ndim != 4 or len(images) != len(texts):
        raise ValueError(
            "`images` must be [N, H, W, C] with one text per image. "
            f"Received: images.shape={images.shape}, {len(texts)} texts"
        )
    ds = tf.data.Dataset.from_tensor_slices({"image": images, "text": tf.constant(texts, tf.string)})
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(2)


def load_captions(emoji_dir, image_size=32, batch_size=64, sets=("twemoji-72",), captions="label",
                  split="train", channels=3, shuffle=True, seed=0, repeat=False, drop_remainder=True,
                  held_out_fraction=HELD_OUT_FRACTION):
    """The emoji caption pipeline: `{"image": float32 [B, S, S, C] in [-1, 1],
    "text": tf.string [B]}` batches of `split` (see the module docstring).
    Images are decoded up front and held in memory (4,009 Twemoji at 32x32
    RGB: 49 MB)."""
    images, texts, _, _ = caption_arrays(emoji_dir, image_size, sets, captions, split, channels,
                                         held_out_fraction)
    return captions_dataset(images, texts, batch_size, shuffle, seed, repeat, drop_remainder)


def default_emoji_dir():
    """`$KERASGAN_SHARED_DATA/emoji`, or `../shared/data/emoji` from the
    current folder (the project's layout)."""
    env = os.environ.get("KERASGAN_SHARED_DATA")
    return pathlib.Path(env) / "emoji" if env else pathlib.Path("..") / "shared" / "data" / "emoji"


__all__ = [
    "CAPTION_SALT",
    "Caption",
    "CaptionSet",
    "GROUP_NAMES",
    "caption_arrays",
    "caption_split",
    "captions_dataset",
    "emoji_captions",
    "hexcode_key",
    "load_captions",
    "read_emojibase",
]
