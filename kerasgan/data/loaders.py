"""The public entry points: `load`, `info`, `num_classes`.

`load` builds the whole input pipeline::

    source -> map(preprocess, parallel) -> cache -> shuffle(seed) -> [repeat]
           -> batch(drop_remainder) -> prefetch(AUTOTUNE)

with `tf.data.Options().autotune.enabled = False` (see `load`).
"""

import logging
import numbers
import os

import numpy as np
import tensorflow as tf

from kerasgan.data import images as images_lib
from kerasgan.data import sources as sources_lib

logger = logging.getLogger(__name__)

#: `cache=True` keeps the preprocessed images in memory only when they take at
#: most this many bytes (float32); above it the pipeline decodes every epoch
#: and logs a warning (pass `cache="/path/to/file"` to cache on disk instead).
MEMORY_CACHE_LIMIT_BYTES = 2 * 1024**3
#: Shuffle buffer when the whole set does not fit `MEMORY_CACHE_LIMIT_BYTES`.
#: When it does, the buffer holds the whole set (a uniform shuffle).
STREAMING_SHUFFLE_BUFFER = 10_000


def _check_image_size(image_size):
    if isinstance(image_size, numbers.Integral) and not isinstance(image_size, bool):
        size = (int(image_size), int(image_size))
    elif (
        isinstance(image_size, (tuple, list))
        and len(image_size) == 2
        and all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in image_size)
    ):
        size = (int(image_size[0]), int(image_size[1]))
    else:
        raise ValueError(
            "`image_size` must be an int or a (height, width) pair of ints. "
            f"Received: image_size={image_size!r}"
        )
    if min(size) < 1:
        raise ValueError(f"`image_size` must be positive. Received: image_size={image_size!r}")
    return size


def _check_background(background):
    if isinstance(background, numbers.Integral):
        background = (background,) * 3
    background = tuple(background)
    if len(background) != 3 or not all(
        isinstance(c, numbers.Integral) and 0 <= c <= 255 for c in background
    ):
        raise ValueError(
            "`background` must be an RGB colour: three ints in 0..255 (or one for gray). "
            f"Received: background={background!r}"
        )
    return tuple(int(c) for c in background)


def _check_arguments(batch_size, channels, on_corrupt, cache):
    if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive int. Received: batch_size={batch_size!r}")
    if channels not in (None, 1, 3):
        raise ValueError(f"`channels` must be None, 1 or 3. Received: channels={channels!r}")
    if on_corrupt not in ("error", "skip"):
        raise ValueError(f"`on_corrupt` must be 'error' or 'skip'. Received: on_corrupt={on_corrupt!r}")
    if not isinstance(cache, (bool, str, os.PathLike)):
        raise ValueError(
            "`cache` must be True (memory), False, or a file path (disk). "
            f"Received: cache={cache!r}"
        )


def _pipeline_options():
    options = tf.data.Options()
    # Without tf.data's autotune model thread (see `without_autotune_model`);
    # map parallelism (AUTOTUNE -> one call per core) and prefetch's own
    # buffer tuning still work.
    options.autotune.enabled = False
    options.deterministic = True
    return options


def without_autotune_model(dataset):
    """`dataset` with tf.data's autotune performance model turned off, unless
    its options already set `autotune.enabled` (then it is returned as is).

    With the model on, deleting an iterator joins its background optimisation
    thread ("tf_data_model"), which often exits only at its next scheduled
    optimisation: 10 ms x (2^k - 1) after the iterator was made, the period
    doubling each time. Keras deletes the iterator when `fit` returns, so a
    `fit` call often returned seconds late (a 3 s call took 5.11 s). Without
    the model, `num_parallel_calls=AUTOTUNE` runs one call per core and
    `prefetch(AUTOTUNE)` still grows its own buffer; see
    benchmarks/fit_overhead.py for both measured. `AdversarialModel.fit`
    applies this to the datasets it is given; `load` sets it itself.
    """
    if not isinstance(dataset, tf.data.Dataset) or dataset.options().autotune.enabled is not None:
        return dataset
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def load(
    source,
    image_size,
    batch_size=64,
    *,
    channels=None,
    with_labels=False,
    split="train",
    data_dir=None,
    shuffle=True,
    seed=None,
    cache=True,
    drop_remainder=True,
    on_corrupt="error",
    labels=None,
    repeat=False,
    background=(255, 255, 255),
    max_classes=None,
):
    """Build a batched, shuffled, prefetched `tf.data.Dataset` of training images.

    Images are `float32` `[batch_size, height, width, channels]` in [-1, 1]:
    `uint8` sources are mapped by `x / 127.5 - 1`, then each image is
    center-cropped to the target aspect ratio (only when its own differs) and
    resized bilinearly (antialiased when shrinking).

    Sources (see `kerasgan.data.sources` for how a string is recognised):

    - `"digits"`: scikit-learn's 1,797 embedded 8x8 UCI digits, 1 channel,
      10 classes; never touches the network.
    - a TFDS name (`"mnist"`, `"cifar10"`, `"celeb_a"`, ...; `"tfds:name"` forces
      TFDS): `tfds.load(name, split=split, data_dir=data_dir)`, which downloads
      and prepares the set on first use. Labels from its `label` feature.
    - a directory of `.png/.jpg/.jpeg` images (recursive): transparency
      composited onto `background`, labels from first-level subfolder names
      (sorted). All files are decoded up front, so a corrupt file is reported
      by name here; memory is about `N * H * W * C` bytes of decoded pixels
      (see `kerasgan.data.folders`).
    - an MNIST IDX images file `*-idx3-ubyte[.gz]` (labels from the matching
      `*-idx1-ubyte[.gz]` next to it), or a directory holding exactly one.
    - a NumPy array `[N, H, W]` or `[N, H, W, C]` (C = 1 or 3): `uint8` /
      integer 0..255, or floats already in [-1, 1]; labels via `labels=`.

    Args:
        source: one of the above.
        image_size: output size, an int (square) or `(height, width)`.
        batch_size: images per batch.
        channels: force 1 (grayscale) or 3 (RGB); None keeps the source's own.
        with_labels: if True, yield `(images, labels)` with int32 labels `[B]`.
        split: TFDS split (e.g. `"train"`, `"test"`, `"train[:10%]"`); the
            other kinds have one set of images and only accept `"train"`.
        data_dir: TFDS data directory (TFDS only).
        shuffle: shuffle the examples (and TFDS files); reshuffled every epoch.
        seed: shuffle seed; the same seed gives the same order, epoch by epoch.
        cache: True caches the preprocessed images in memory when they take at
            most `MEMORY_CACHE_LIMIT_BYTES` (else a warning and no cache);
            False never caches; a file path caches on disk there.
        drop_remainder: drop the last incomplete batch (default, so every batch
            has the same size for GAN batch statistics).
        on_corrupt: for folders: `"error"` raises naming the first unreadable
            file; `"skip"` leaves unreadable files out, logging a warning
            naming each (logger `kerasgan.data.folders`).
        labels: int labels `[N]` for an array source (yielded only with
            `with_labels=True`).
        repeat: repeat forever (then give `fit` a `steps_per_epoch`).
        background: RGB colour (three ints 0..255, or one int for gray) that
            transparent pixels of folder images are composited onto.
        max_classes: the most classes that array or IDX labels may imply
            (`max(label) + 1`); default `kerasgan.data.sources.MAX_CLASSES`
            (100,000). A larger label is refused rather than sizing an
            enormous class embedding; pass a larger value if it is meant.

    Returns:
        A `tf.data.Dataset` yielding `images` or `(images, labels)`. Use
        `kerasgan.data.info(source)` for the number of classes and names.

    Raises:
        ValueError: for an unknown source (the message names it and lists the
            accepted kinds), a bad argument (named, with what was received), a
            corrupt image file or IDX file (named), IDX count mismatches,
            labels that are not whole numbers in `0..max_classes - 1` (the
            value named; never wrapped to fit int32),
            `with_labels=True` on a source without labels, or fewer images than
            `batch_size` while `drop_remainder=True`.
        FileNotFoundError: for a `pathlib.Path` source that does not exist.
    """
    height, width = _check_image_size(image_size)
    _check_arguments(batch_size, channels, on_corrupt, cache)
    background = _check_background(background)

    source_obj = sources_lib.resolve_source(
        source, split=split, data_dir=data_dir, labels=labels, on_corrupt=on_corrupt,
        background=background, need_labels=with_labels, max_classes=max_classes,
    )
    ds, count, source_channels = source_obj.elements(
        with_labels=with_labels, shuffle=shuffle, seed=seed
    )
    channels = channels or source_channels
    if drop_remainder and count is not None and count < batch_size:
        raise ValueError(
            f"Source {source_obj.name!r} has only {count} images, fewer than one batch, "
            "so drop_remainder=True would give an empty dataset. Use a smaller batch_size "
            f"or drop_remainder=False. Received: batch_size={batch_size}"
        )

    def preprocess(image, label=None):
        image = images_lib.preprocess_image(image, height, width, channels)
        return image if label is None else (image, label)

    ds = ds.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

    cache_bytes = None if count is None else count * height * width * channels * 4
    fits_in_memory = cache_bytes is not None and cache_bytes <= MEMORY_CACHE_LIMIT_BYTES
    if cache is True:
        if fits_in_memory or cache_bytes is None:
            ds = ds.cache()
        else:
            logger.warning(
                "Not caching %s in memory: %d preprocessed images take %.1f GiB, over "
                "MEMORY_CACHE_LIMIT_BYTES; pass cache='/path/to/file' to cache on disk.",
                source_obj.name, count, cache_bytes / 1024**3,
            )
    elif cache:
        ds = ds.cache(os.fspath(cache))

    if shuffle:
        if fits_in_memory:
            buffer = count
        else:
            buffer = STREAMING_SHUFFLE_BUFFER if count is None else min(count, STREAMING_SHUFFLE_BUFFER)
        ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    ds = ds.prefetch(tf.data.AUTOTUNE)
    return ds.with_options(_pipeline_options())


def info(source, *, split="train", data_dir=None, labels=None, background=(255, 255, 255),
         max_classes=None):
    """Describe a source without building a pipeline.

    `tf.data.Dataset` objects cannot reliably carry extra attributes, so
    metadata comes from this function instead of from the dataset `load`
    returns. It is cheap: folders read only file names and image headers, TFDS
    reads only the dataset's metadata (no download).

    Args:
        source: anything `load` accepts.
        split: TFDS split (see `load`).
        data_dir: TFDS data directory.
        labels: labels of an array source.
        background: as in `load` (decides whether gray+alpha images stay gray).
        max_classes: as in `load`: `num_classes` of array or IDX labels is
            `max(label) + 1`, refused above this (default 100,000).

    Returns:
        A `kerasgan.data.DatasetInfo` (`kind`, `name`, `num_examples`,
        `num_classes`, `class_names`, `channels`, `image_shape`).

    Raises:
        ValueError: for an unknown source or a bad argument, as in `load`.
    """
    source_obj = sources_lib.resolve_source(
        source, split=split, data_dir=data_dir, labels=labels,
        background=_check_background(background), max_classes=max_classes,
    )
    return source_obj.info()


def num_classes(source, **kwargs):
    """Number of classes of a source, or None when it has no labels.

    Shorthand for `info(source, **kwargs).num_classes`; e.g.
    `num_classes("digits") == 10`.
    """
    return info(source, **kwargs).num_classes


def load_arrays(source, image_size, *, channels=None, with_labels=False, **kwargs):
    """Every image of `source` (and its labels) as NumPy arrays, in source order.

    The same preprocessing as `load` (scaled to [-1, 1], cropped, resized),
    unshuffled and with no image dropped: for reference statistics, evaluation
    and classifiers rather than for training.

    Args:
        source, image_size, channels, with_labels: as in `load`.
        **kwargs: any other `load` argument (`split`, `data_dir`, `labels`, ...).

    Returns:
        `(images, labels)`: float32 `[N, H, W, C]` and int32 `[N]`, or
        `(images, None)` when `with_labels` is False.
    """
    ds = load(source, image_size, batch_size=kwargs.pop("batch_size", 512), channels=channels,
              with_labels=with_labels, shuffle=False, drop_remainder=False, **kwargs)
    batches = list(ds.as_numpy_iterator())
    if with_labels:
        return np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])
    return np.concatenate(batches), None
