"""(low-resolution, high-resolution) pairs for super-resolution (SRGAN).

    ds = load_super_resolution("../shared/data/mnist", 28, batch_size=16)          # 7x7 -> 28x28
    ds = load_super_resolution("../shared/data/emoji", 72, batch_size=16)          # 18x18 -> 72x72
    low, high = load_super_resolution_arrays("../shared/data/mnist", 28, split="test")

- **High-resolution images** come from any source `kerasgan.data.load`
  accepts, preprocessed like it (float32 in [-1, 1], transparency composited
  onto `background`, center-cropped and resized to `image_size`: the
  emoji at their own 72x72, MNIST at 28x28).
- **Low-resolution inputs** are made from them by bicubic downsampling by
  `scale` (4 by default) with antialiasing, `tf.image.resize(high,
  (H // scale, W // scale), "bicubic", antialias=True)`, clipped to
  [-1, 1] (bicubic overshoots at edges), as Ledig et al. make theirs. Both
  sides of the images must be multiples of `scale`.
- **Held-out split** (`split="train"`, `"test"` or `"all"`), deterministic
  and the same on every machine, with `kerasgan.data.pairs.split_of`: an
  image is in the test split when the SHA-256 of `salt + key`
  (`salt = "kerasgan-split-v1"`), its first 8 bytes read as a big-endian
  integer divided by 2**64, is below `test_fraction` (0.1). The key is:
  - for image folders, the file's emoji key (`kerasgan.data.codepoint_key`
    of its name: the same emoji in Twemoji and Noto share it, so with
    `../shared/data/emoji` both drawings of a held-out emoji are held
    out together; other names: their lower-cased stem). Stable when files
    are added or removed.
  - for every other source but TFDS (an IDX file or its folder, `"digits"`,
    NumPy arrays), `"index:<i>"` with `i` the image's position in the
    source's own order (the IDX file's order).
  - TFDS names use their own splits: `split` is passed to TFDS (`"train"`,
    `"test"`, ...); no hash split on top.

Batches are `{"source": low, "target": high}` (what
`kerasgan.engine.SuperResolutionTask` reads), shuffled with `seed`. The
split's images are decoded up front and held in memory (`N * H * W * C * 4
* (1 + 1 / scale**2)` bytes: MNIST's 10,000 at 28x28 take 33 MB, the 7,232
emoji of both sets at 72x72 RGB 477 MB).
"""

import os

import numpy as np
import tensorflow as tf

from kerasgan.data import loaders
from kerasgan.data import pairs
from kerasgan.utils.validation import check_positive_int

#: Default upscaling factor (SRGAN's 4x).
SCALE = 4


def _check_scale(scale):
    scale = check_positive_int("scale", scale)
    if scale < 2:
        raise ValueError(f"`scale` must be >= 2. Received: scale={scale}")
    return scale


def _check_size(image_size, scale):
    height, width = loaders._check_image_size(image_size)
    if height % scale or width % scale:
        raise ValueError(
            f"The high-resolution image size must be a multiple of scale={scale} on both sides. "
            f"Received: image_size={image_size!r}"
        )
    return height, width


def downsample(images, scale=SCALE):
    """Bicubic, antialiased downsampling of `[N, H, W, C]` images in [-1, 1]
    by `scale` (H and W multiples of it), clipped to [-1, 1]: float32
    `[N, H // scale, W // scale, C]`."""
    scale = _check_scale(scale)
    images = tf.convert_to_tensor(images)
    if not images.dtype.is_floating or images.shape.rank != 4:
        raise ValueError(
            "`images` must be a float batch [N, H, W, C] in [-1, 1]. "
            f"Received: dtype {images.dtype.name}, shape {tuple(images.shape)}"
        )
    height, width = images.shape[1], images.shape[2]
    if height % scale or width % scale:
        raise ValueError(
            f"`images` must have sides that are multiples of scale={scale}. Received shape: {tuple(images.shape)}"
        )
    low = tf.image.resize(tf.cast(images, tf.float32), (height // scale, width // scale), "bicubic",
                          antialias=True)
    return tf.clip_by_value(low, -1.0, 1.0)


def index_split(count, split, test_fraction=pairs.TEST_FRACTION, salt=pairs.SPLIT_SALT):
    """The indices `i < count` whose key `"index:<i>"` falls in `split`."""
    pairs._check_split(split)
    if split == "all":
        return np.arange(count)
    return np.array([i for i in range(count) if pairs.split_of(f"index:{i}", test_fraction, salt) == split],
                    dtype=np.int64)


def _source_kind(source, data_dir):
    return loaders.info(source, split="train", data_dir=data_dir).kind if not _is_tfds_name(source) else "tfds"


def _is_tfds_name(source):
    return isinstance(source, str) and (source.startswith("tfds:") or (
        source != "digits" and not os.path.exists(source) and not source.startswith(("/", ".", "~"))))


def load_high_resolution_arrays(source, image_size, *, split="train", test_fraction=pairs.TEST_FRACTION,
                                channels=None, data_dir=None, background=(255, 255, 255), on_corrupt="error",
                                salt=pairs.SPLIT_SALT):
    """The high-resolution images of `split` (see the module docstring) as
    float32 `[N, H, W, C]` in [-1, 1], in the source's order, and their keys."""
    pairs._check_split(split)
    pairs._check_fraction(test_fraction)
    kind = _source_kind(source, data_dir)
    if kind == "folder":
        files = pairs.split_files(source, split, test_fraction, pairs.codepoint_key, salt)
        if not files:
            raise ValueError(f"The {split!r} split of {str(source)!r} is empty (test_fraction={test_fraction}).")
        images, kept = pairs.decode_images(files, image_size, channels, background, on_corrupt)
        return images, [pairs.codepoint_key(os.path.basename(files[i])) for i in kept]
    if kind == "tfds":
        images, _ = loaders.load_arrays(source, image_size, channels=channels, split=split, data_dir=data_dir)
        return images, [f"index:{i}" for i in range(len(images))]
    images, _ = loaders.load_arrays(source, image_size, channels=channels, background=background,
                                    on_corrupt=on_corrupt)
    index = index_split(len(images), split, test_fraction, salt)
    if not len(index):
        raise ValueError(f"The {split!r} split of {loaders.info(source).name!r} is empty "
                         f"(test_fraction={test_fraction}).")
    return images[index], [f"index:{i}" for i in index]


def load_super_resolution_arrays(source, image_size, *, scale=SCALE, split="test",
                                 test_fraction=pairs.TEST_FRACTION, channels=None, data_dir=None,
                                 background=(255, 255, 255), on_corrupt="error", salt=pairs.SPLIT_SALT):
    """`(low, high)` float32 arrays of `split` (the held-out `"test"` split by
    default), unshuffled, for evaluation: `high` `[N, H, W, C]` at
    `image_size`, `low` its bicubic downsampling by `scale`."""
    scale = _check_scale(scale)
    _check_size(image_size, scale)
    high, _ = load_high_resolution_arrays(source, image_size, split=split, test_fraction=test_fraction,
                                          channels=channels, data_dir=data_dir, background=background,
                                          on_corrupt=on_corrupt, salt=salt)
    low = np.concatenate([downsample(high[i:i + 1024], scale).numpy() for i in range(0, len(high), 1024)])
    return low, high


def load_super_resolution(source, image_size, batch_size=64, *, scale=SCALE, split="train",
                          test_fraction=pairs.TEST_FRACTION, channels=None, seed=None, shuffle=True,
                          repeat=False, drop_remainder=True, data_dir=None, background=(255, 255, 255),
                          on_corrupt="error", salt=pairs.SPLIT_SALT):
    """A `tf.data.Dataset` of `{"source": low, "target": high}` batches of
    `split` (the module docstring): `high` float32 `[B, H, W, C]` in
    [-1, 1] at `image_size` (an int or `(H, W)`, multiples of `scale`),
    `low` `[B, H / scale, W / scale, C]` its bicubic downsampling. Shuffled
    with `seed` (reshuffled every epoch) unless `shuffle=False`; `repeat`
    repeats forever."""
    scale = _check_scale(scale)
    batch_size = check_positive_int("batch_size", batch_size)
    low, high = load_super_resolution_arrays(source, image_size, scale=scale, split=split,
                                             test_fraction=test_fraction, channels=channels, data_dir=data_dir,
                                             background=background, on_corrupt=on_corrupt, salt=salt)
    if drop_remainder and len(high) < batch_size:
        raise ValueError(
            f"The {split!r} split has only {len(high)} images, fewer than one batch. "
            f"Use a smaller batch_size or drop_remainder=False. Received: batch_size={batch_size}"
        )
    ds = tf.data.Dataset.from_tensor_slices({"source": low, "target": high})
    if shuffle:
        ds = ds.shuffle(len(high), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)
    return ds.with_options(loaders._pipeline_options())


def info(source, *, split="train", test_fraction=pairs.TEST_FRACTION, data_dir=None, salt=pairs.SPLIT_SALT):
    """The source's `DatasetInfo` with `num_examples` counting the images of
    `split` only (file names or indices are hashed; nothing is decoded)."""
    import dataclasses

    pairs._check_split(split)
    kind = _source_kind(source, data_dir)
    if kind == "tfds":
        return loaders.info(source, split=split, data_dir=data_dir)
    base = loaders.info(source, data_dir=data_dir)
    if kind == "folder":
        count = len(pairs.split_files(source, split, test_fraction, pairs.codepoint_key, salt))
    else:
        count = None if base.num_examples is None else len(index_split(base.num_examples, split, test_fraction, salt))
    return dataclasses.replace(base, num_examples=count)


def loader(source, *, scale=SCALE, channels=None, split="train", seed=None, **kwargs):
    """`load(image_size, batch_size)` for the trainer: repeated, shuffled
    `load_super_resolution` batches of `split`."""
    def load(image_size, batch_size):
        return load_super_resolution(source, image_size, batch_size, scale=scale, split=split, channels=channels,
                                     seed=seed, repeat=True, **kwargs)
    return load


__all__ = ["SCALE", "downsample", "index_split", "info", "load_high_resolution_arrays", "load_super_resolution",
           "load_super_resolution_arrays", "loader"]
