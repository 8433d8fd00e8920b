"""Two-domain data for image-to-image translation: paired and unpaired.

- **Paired** (`load_paired`): two folders whose files are matched by a key
  computed from each file name (`key_fn`). The default, `codepoint_key`,
  matches emoji sets: Twemoji `1f600.png` and Noto `emoji_u1f600.png` both
  have the key `"1f600"`; `-`/`_` separators are unified and `fe0f`
  variation selectors are dropped, so Twemoji `2764-fe0f.png` pairs with
  Noto `emoji_u2764.png`; leading zeros are normalised to four digits, so
  Twemoji's keycap `23-20e3.png` pairs with Noto's `emoji_u0023_20e3.png`
  (the shared emoji folders give 3,209 pairs: the 3,195 of their README plus
  14 keycaps and symbols that need the zeros). Files without a counterpart are reported
  (`match_pairs(...).unmatched_source` / `.unmatched_target`, and a log
  warning naming the first few); two files of one folder with the same key
  are an error naming both. Batches are `{"source", "target"}`.
- **Unpaired** (`load_unpaired`): two sources, each anything
  `kerasgan.data.load` accepts, shuffled independently (different seeds) and
  zipped: batches are `{"a", "b"}`, and row i of `a` has nothing to do with
  row i of `b`.
- **Split** (`split_of`): a pair (or a file) is in the test split when the
  SHA-256 of `salt + key` (UTF-8), read as a big-endian integer from its
  first 8 bytes and divided by 2**64, is below `test_fraction` (default
  0.1); else in the train split. It depends on the key only: the same on
  every machine and Python version (unlike `hash()`), stable when files are
  added or removed, and disjoint by construction. Unpaired loading from
  folders can take the same `split` (each file by its own key), so a
  CycleGAN trained on the train split never sees a test pair's images.
- **Augmentation** (`augment=True`, paired): the *same* random jitter
  (resize to `image_size * 286 / 256`, then a random crop back, as in
  Pix2Pix) and the same horizontal flip on both sides of a pair, drawn from
  `seed`. `augment` may also be a dict `{"jitter": bool, "flip": bool}`.

Images are float32 in [-1, 1], preprocessed like `load` (transparency
composited onto `background`, channels converted, center-cropped to the
aspect, resized). Paired sets are decoded up front and held in memory at
`image_size` (`2 * N * H * W * C * 4` bytes: the 3,195 emoji pairs at 64x64
RGB take 314 MB).
"""

import dataclasses
import hashlib
import logging
import os
import pathlib

import numpy as np
import tensorflow as tf

from kerasgan.data import folders
from kerasgan.data import images as images_lib
from kerasgan.data import loaders

logger = logging.getLogger(__name__)

#: File-name prefixes `codepoint_key` strips (Noto's `emoji_u`).
KEY_PREFIXES = ("emoji_u", "u+", "u")
#: Default fraction of keys in the test split.
TEST_FRACTION = 0.1
#: Default salt of the split hash.
SPLIT_SALT = "kerasgan-split-v1"
SPLITS = ("train", "test", "all")
#: Jitter size relative to the image size (Pix2Pix: 286 / 256).
JITTER_SCALE = 286 / 256


def stem_key(path):
    """The file name without its extension, lower-cased."""
    return pathlib.Path(path).stem.lower()


def codepoint_key(path):
    """Emoji key of a file name: lower-case hex code points joined by `-`,
    `fe0f` variation selectors dropped, a `emoji_u` / `u` prefix stripped.

    `1f600.png`, `emoji_u1f600.png` -> `"1f600"`; `2764-fe0f.png`,
    `emoji_u2764.png` -> `"2764"`; `emoji_u0023_20e3.png`, `0023-fe0f-20e3.png`
    -> `"0023-20e3"`. Names that are not hex code points keep their stem
    (lower-cased, `_` -> `-`).
    """
    stem = pathlib.Path(path).stem.lower()
    for prefix in KEY_PREFIXES:
        rest = stem[len(prefix):]
        if stem.startswith(prefix) and rest and _is_codepoints(rest):
            stem = rest
            break
    parts = [p for p in stem.replace("_", "-").split("-") if p]
    if parts and all(_is_hex(p) for p in parts):
        parts = [p.lstrip("0").rjust(4, "0") for p in parts if p.lstrip("0") != "fe0f"]
    return "-".join(parts)


def _is_hex(text):
    return bool(text) and all(c in "0123456789abcdef" for c in text)


def _is_codepoints(text):
    return all(_is_hex(p) for p in text.replace("_", "-").split("-") if p)


def split_of(key, test_fraction=TEST_FRACTION, salt=SPLIT_SALT):
    """`"test"` or `"train"` for `key` (see the module docstring)."""
    test_fraction = _check_fraction(test_fraction)
    digest = hashlib.sha256((salt + str(key)).encode("utf-8")).digest()
    return "test" if int.from_bytes(digest[:8], "big") / 2.0**64 < test_fraction else "train"


def _check_fraction(test_fraction):
    value = float(test_fraction)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"`test_fraction` must be in [0, 1). Received: test_fraction={test_fraction!r}")
    return value


def _check_split(split):
    if split not in SPLITS:
        raise ValueError(f"`split` must be one of {SPLITS}. Received: split={split!r}")
    return split


@dataclasses.dataclass(frozen=True)
class Pairing:
    """The result of `match_pairs`: `pairs` `[(key, source_path, target_path)]`
    sorted by key, and the paths without a counterpart on each side."""

    pairs: tuple
    unmatched_source: tuple
    unmatched_target: tuple

    @property
    def keys(self):
        return [k for k, _, _ in self.pairs]

    def split(self, split, test_fraction=TEST_FRACTION, salt=SPLIT_SALT):
        """The pairs of `split` (`"train"`, `"test"` or `"all"`)."""
        if _check_split(split) == "all":
            return list(self.pairs)
        return [p for p in self.pairs if split_of(p[0], test_fraction, salt) == split]


def _keyed_files(root, key_fn, side):
    root = pathlib.Path(root)
    if not root.is_dir():
        raise ValueError(f"`{side}` must be a folder of images to pair by file name. Received: {side}={str(root)!r}")
    files = folders.list_image_files(root)
    if not files:
        raise ValueError(f"`{side}` folder {str(root)!r} holds no image files.")
    keyed = {}
    for path in files:
        key = key_fn(os.path.basename(path))
        if not isinstance(key, str) or not key:
            raise ValueError(f"`key_fn` must return a non-empty string. Received: {key!r} for {path}")
        if key in keyed:
            raise ValueError(
                f"Two files of the `{side}` folder have the key {key!r}: {keyed[key]} and {path}. "
                "Remove one or pass a key_fn that tells them apart."
            )
        keyed[key] = os.fspath(path)
    return keyed


def match_pairs(source, target, key_fn=codepoint_key, max_reported=10):
    """Matches the image files of two folders by `key_fn(file name)`.

    Returns a `Pairing`; files without a counterpart are listed in it and a
    warning (logger `kerasgan.data.pairs`) names the first `max_reported` of
    each side.

    Raises:
        ValueError: a side is not a folder or has no images, two files of one
            folder share a key (both named), or no key matches.
    """
    src, tgt = _keyed_files(source, key_fn, "source"), _keyed_files(target, key_fn, "target")
    keys = sorted(set(src) & set(tgt))
    pairing = Pairing(
        pairs=tuple((k, src[k], tgt[k]) for k in keys),
        unmatched_source=tuple(src[k] for k in sorted(set(src) - set(tgt))),
        unmatched_target=tuple(tgt[k] for k in sorted(set(tgt) - set(src))),
    )
    if not keys:
        raise ValueError(
            f"No file of {str(source)!r} matches a file of {str(target)!r} by key "
            f"(e.g. {next(iter(src))!r} vs {next(iter(tgt))!r}). Pass a key_fn that maps paired names to one key."
        )
    for side, unmatched in (("source", pairing.unmatched_source), ("target", pairing.unmatched_target)):
        if unmatched:
            shown = ", ".join(os.path.basename(p) for p in unmatched[:max_reported])
            more = f" and {len(unmatched) - max_reported} more" if len(unmatched) > max_reported else ""
            logger.warning("%d %s files have no counterpart and are left out: %s%s",
                           len(unmatched), side, shown, more)
    return pairing


def decode_images(files, image_size, channels=None, background=(255, 255, 255), on_corrupt="error"):
    """Image files -> float32 `[N, H, W, C]` in [-1, 1], preprocessed like
    `load` (channels: 1, 3 or None for the files' own). Returns `(images,
    kept)`: `kept` indexes the files decoded (all unless `on_corrupt="skip"`)."""
    height, width = loaders._check_image_size(image_size)
    decoded, kept = folders.decode_folder(list(files), on_corrupt=on_corrupt, background=background)
    channels = channels or int(decoded[0].shape[-1])
    if len({im.shape for im in decoded}) == 1:
        ds = tf.data.Dataset.from_tensor_slices(np.stack(decoded))
    else:
        ds = tf.data.Dataset.from_generator(
            lambda: iter(decoded), output_signature=tf.TensorSpec([None, None, decoded[0].shape[-1]], tf.uint8))
    ds = ds.map(lambda im: images_lib.preprocess_image(im, height, width, channels),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).batch(1024)
    return np.concatenate(list(ds.as_numpy_iterator())), kept


def load_pair_arrays(source, target, image_size, *, split="test", test_fraction=TEST_FRACTION,
                     key_fn=codepoint_key, channels=None, target_channels=None,
                     background=(255, 255, 255), salt=SPLIT_SALT):
    """The pairs of `split` as arrays, in key order, unshuffled (for
    evaluation): `(source_images, target_images, keys)`."""
    pairs = match_pairs(source, target, key_fn).split(split, test_fraction, salt)
    if not pairs:
        raise ValueError(f"The {split!r} split of {str(source)!r} / {str(target)!r} is empty "
                         f"(test_fraction={test_fraction}).")
    src, _ = decode_images([p[1] for p in pairs], image_size, channels, background)
    tgt, _ = decode_images([p[2] for p in pairs], image_size, target_channels or channels, background)
    return src, tgt, [p[0] for p in pairs]


def _check_augment(augment):
    if augment is True:
        return {"jitter": True, "flip": True}
    if augment in (False, None):
        return {"jitter": False, "flip": False}
    if isinstance(augment, dict) and set(augment) <= {"jitter", "flip"}:
        return {"jitter": bool(augment.get("jitter", False)), "flip": bool(augment.get("flip", False))}
    raise ValueError(
        "`augment` must be True, False or a dict with the keys 'jitter' and 'flip'. "
        f"Received: augment={augment!r}"
    )


def paired_augmentation(height, width, jitter=True, flip=True):
    """A function `(pair, seed) -> pair` applying the same random jitter and
    flip to `pair["source"]` and `pair["target"]` (`seed`: int64 `[2]`)."""

    def augment(pair, seed):
        source, target = pair["source"], pair["target"]
        split = source.shape[-1]
        both = tf.concat([source, target], axis=-1)
        if jitter:
            big = [int(round(height * JITTER_SCALE)), int(round(width * JITTER_SCALE))]
            both = tf.image.resize(both, big, method="bilinear")
            both = tf.image.stateless_random_crop(both, [height, width, both.shape[-1]], seed=seed)
        if flip:
            both = tf.image.stateless_random_flip_left_right(both, seed=seed[::-1])
        both = tf.clip_by_value(both, -1.0, 1.0)
        return {"source": both[..., :split], "target": both[..., split:]}

    return augment


def load_paired(source, target, image_size, batch_size=64, *, split="train", test_fraction=TEST_FRACTION,
                key_fn=codepoint_key, channels=None, target_channels=None, augment=False, shuffle=True,
                seed=None, repeat=False, drop_remainder=True, background=(255, 255, 255), salt=SPLIT_SALT):
    """A `tf.data.Dataset` of `{"source", "target"}` batches from two folders
    paired by file name (see the module docstring).

    Args:
        source, target: folders of images.
        image_size: an int or `(height, width)`.
        batch_size: pairs per batch.
        split: `"train"`, `"test"` or `"all"` (the hash split, `test_fraction`).
        key_fn: file name -> key (default `codepoint_key`).
        channels, target_channels: 1 or 3 (None: the files' own; the target
            defaults to `channels` when that is given).
        augment: True (jitter + flip), False, or `{"jitter", "flip"}`: the
            same random transform on both images of a pair.
        shuffle, seed, repeat, drop_remainder, background: as in `load`.
    """
    batch_size = _positive_int("batch_size", batch_size)
    height, width = loaders._check_image_size(image_size)
    augment = _check_augment(augment)
    pairs = match_pairs(source, target, key_fn).split(split, test_fraction, salt)
    if drop_remainder and len(pairs) < batch_size:
        raise ValueError(
            f"The {split!r} split has {len(pairs)} pairs, fewer than one batch. Use a smaller "
            f"batch_size or drop_remainder=False. Received: batch_size={batch_size}"
        )
    src, kept_s = decode_images([p[1] for p in pairs], (height, width), channels, background)
    tgt, kept_t = decode_images([p[2] for p in pairs], (height, width), target_channels or channels, background)
    ds = tf.data.Dataset.from_tensor_slices({"source": src, "target": tgt})
    if shuffle:
        ds = ds.shuffle(len(src), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    if augment["jitter"] or augment["flip"]:
        seeds = tf.data.Dataset.random(seed=seed).batch(2)
        ds = tf.data.Dataset.zip((ds, seeds)).map(
            paired_augmentation(height, width, **augment), num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
    ds = ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)
    return ds.with_options(loaders._pipeline_options())


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive int. Received: {name}={value!r}")
    return int(value)


def split_files(folder, split, test_fraction=TEST_FRACTION, key_fn=codepoint_key, salt=SPLIT_SALT):
    """The image files of `folder` whose key falls in `split`."""
    files = [os.fspath(p) for p in folders.list_image_files(pathlib.Path(folder))]
    if _check_split(split) == "all":
        return files
    return [f for f in files if split_of(key_fn(os.path.basename(f)), test_fraction, salt) == split]


def load_unpaired(a, b, image_size, batch_size=64, *, seed=None, split=None, test_fraction=TEST_FRACTION,
                  key_fn=codepoint_key, channels=None, repeat=False, salt=SPLIT_SALT, source_split=None,
                  **load_kwargs):
    """A `tf.data.Dataset` of `{"a", "b"}` batches: `a` and `b` loaded with
    `kerasgan.data.load` (each anything it accepts), shuffled independently
    (seeds `seed` and `seed + 1`) and zipped; without `repeat` it ends with
    the shorter side.

    `split` (`"train"`/`"test"`, folders only): keep the files whose key
    (`key_fn`) falls in that hash split, as `load_paired` does, so unpaired
    training can leave out the test pairs. `source_split` is `load`'s own
    `split` (a TFDS split) for the sides that are not hash-split folders;
    `**load_kwargs` go to `load` too (`background`, `data_dir`, ...).
    """
    batch_size = _positive_int("batch_size", batch_size)
    sides = {}
    for name, src, side_seed in (("a", a, seed), ("b", b, None if seed is None else seed + 1)):
        if split is not None:
            if not isinstance(src, (str, os.PathLike)) or not os.path.isdir(src):
                raise ValueError(f"`split` applies to folder sources only. Received: {name}={src!r}")
            files = split_files(src, split, test_fraction, key_fn, salt)
            if not files:
                raise ValueError(f"The {split!r} split of {str(src)!r} is empty.")
            src, _ = decode_images(files, image_size, channels, load_kwargs.get("background", (255, 255, 255)))
        side_kwargs = dict(load_kwargs)
        if split is None and source_split is not None:  # a hash-split folder side is already decoded
            side_kwargs["split"] = source_split
        sides[name] = loaders.load(src, image_size, batch_size, channels=channels, seed=side_seed,
                                   repeat=repeat, **side_kwargs)
    ds = tf.data.Dataset.zip(sides)
    return ds.with_options(loaders._pipeline_options())


def _is_folder(source):
    return isinstance(source, (str, os.PathLike)) and os.path.isdir(source)


def two_domain_info(first, second, *, paired, split="train", test_fraction=TEST_FRACTION, key_fn=codepoint_key,
                    data_dir=None, salt=SPLIT_SALT):
    """A `DatasetInfo` of two-domain training data: paired folders (the pairs
    of `split`) or two unpaired sources (the smaller side's count; folders
    on the hash split). `channels` is the larger of the two sides'."""
    from kerasgan.data.sources import DatasetInfo

    if second is None:
        raise ValueError(
            "An image-to-image family trains on two datasets: pass the second one as "
            f"target_dataset (kerasgan train --target-dataset). Received: target_dataset=None, dataset={first!r}"
        )
    infos = [loaders.info(s, split="train" if _is_folder(s) else split, data_dir=data_dir) for s in (first, second)]
    if paired:
        count = len(match_pairs(first, second, key_fn).split(split, test_fraction, salt))
    else:
        counts = [len(split_files(s, split, test_fraction, key_fn, salt)) if _is_folder(s) and split in SPLITS
                  else info.num_examples for s, info in zip((first, second), infos)]
        count = None if None in counts else min(counts)
    return DatasetInfo(kind="pairs" if paired else "unpaired", name=f"{infos[0].name} -> {infos[1].name}",
                       num_examples=count, num_classes=None, class_names=None,
                       channels=max(i.channels for i in infos), image_shape=None)


def two_domain_loader(first, second, *, paired, channels=None, split="train", seed=None, augment=False,
                      test_fraction=TEST_FRACTION, key_fn=codepoint_key, **load_kwargs):
    """`load(image_size, batch_size)` for the trainer: repeated
    `{"source", "target"}` (paired, hash split `split`) or `{"a", "b"}`
    batches (unpaired; folders on the hash split, other sources with `split`
    passed to `kerasgan.data.load`)."""
    if paired:
        def load(image_size, batch_size):
            return load_paired(first, second, image_size, batch_size, split=split, test_fraction=test_fraction,
                               key_fn=key_fn, channels=channels, augment=augment, seed=seed, repeat=True,
                               background=load_kwargs.get("background", (255, 255, 255)))
        return load
    folders_split = split if _is_folder(first) and _is_folder(second) and split in SPLITS else None

    def load(image_size, batch_size):
        extra = dict(load_kwargs)
        if folders_split is None:
            extra["source_split"] = split
        return load_unpaired(first, second, image_size, batch_size, seed=seed, split=folders_split,
                             test_fraction=test_fraction, key_fn=key_fn, channels=channels, repeat=True, **extra)
    return load
