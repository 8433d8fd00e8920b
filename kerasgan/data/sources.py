"""What a `source` argument can be, and how each kind yields raw images.

`resolve_source` turns the `source` given to `kerasgan.data.load` /
`kerasgan.data.info` into one of five source objects. Each reports a
`DatasetInfo` and builds an *unbatched* `tf.data.Dataset` of raw images
(`uint8 [H, W, C]`, or `float32` already in [-1, 1]), optionally paired with
int32 labels; `kerasgan.data.loaders` does the rest (resize, scale, cache,
shuffle, batch).

How a `source` is recognised, in order:

1. A NumPy array (or anything with `__array__`, e.g. a `tf.Tensor`): kind
   `"array"`.
2. The string `"digits"`: kind `"digits"`, scikit-learn's embedded UCI digits.
3. A `pathlib.Path`, or a string naming an existing file or directory: an IDX
   images file, a directory holding exactly one IDX images file (kind
   `"idx"`), or else a directory of images (kind `"folder"`).
4. A `kerasgan.data.LabelledFolder(folder, labels_file)`: kind `"folder"`,
   labelled by an Emojibase JSON or a `file,label` CSV instead of subfolders
   (`kerasgan.data.labels`).
5. Any other string: a TFDS dataset name (kind `"tfds"`), e.g. `"mnist"`,
   `"cifar10"`, `"celeb_a"`, `"mnist:3.*.*"`. Prefix it with `"tfds:"` to use
   TFDS even when a file of that name exists in the working directory.
"""

import dataclasses
import logging
import numbers
import os
import pathlib
from typing import Optional

import numpy as np
import tensorflow as tf
from PIL import Image

from kerasgan.data import folders
from kerasgan.data import idx
from kerasgan.data import labels as labels_lib

logger = logging.getLogger(__name__)

#: The most classes numeric labels (arrays, IDX files) may imply unless the
#: caller passes `max_classes=`: `max(label) + 1` sizes a conditional model's
#: class embedding, so one corrupt label such as 2**30 must not build a
#: billion-row table. Class folders are not capped (one class per subfolder).
MAX_CLASSES = 100_000
_INT32_MAX = 2**31 - 1

ACCEPTED_SOURCES = (
    "'digits' (scikit-learn's embedded 8x8 UCI digits, no download); "
    "a TFDS dataset name such as 'mnist', 'cifar10' or 'celeb_a' (prefix 'tfds:' to "
    "force TFDS); a directory of .png/.jpg/.jpeg images; an MNIST IDX images file "
    "'*-idx3-ubyte[.gz]' or a directory holding one with its labels file; "
    "a NumPy array [N, H, W] or [N, H, W, C] (C = 1 or 3); "
    "kerasgan.data.LabelledFolder(folder, labels_file) (a folder labelled by a file)"
)


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """What is known about a source before any resizing.

    Attributes:
        kind: `"digits"`, `"tfds"`, `"folder"`, `"idx"` or `"array"`.
        name: a readable name: the TFDS name, the path, `"digits"`, `"array"`.
        num_examples: number of images (for folders: image files found, including
            any that `load` would reject as corrupt; for TFDS: from the prepared
            split's metadata, None when TFDS does not know it yet).
        num_classes: number of classes, or None when the source has no labels.
            For arrays and IDX files it is `max(label) + 1`, at most
            `max_classes` (`MAX_CLASSES` by default).
        class_names: class names in label order, or None when unknown (arrays,
            IDX files without names, unlabelled sources).
        channels: the source's own channel count (1 or 3): what `load` gives by
            default.
        image_shape: native `(height, width)` of the images, or None when they
            vary (folders of mixed sizes, some TFDS sets).
    """

    kind: str
    name: str
    num_examples: Optional[int]
    num_classes: Optional[int]
    class_names: Optional[tuple]
    channels: int
    image_shape: Optional[tuple]


def check_image_array(array, arg_name="source"):
    """Validate an image array and bring it to `[N, H, W, C]`.

    Rule for values: `uint8` (or any integer dtype with values in 0..255) is
    taken as 0..255; floating arrays must already be in [-1, 1] (the range GAN
    generators output). A float array with no negative value is accepted but
    logged as a warning, since it is probably in [0, 1] (use `2 * x - 1`).

    Args:
        array: array-like `[N, H, W]` or `[N, H, W, C]`, C in {1, 3}.
        arg_name: the argument name used in error messages.

    Returns:
        A `uint8` or `float32` NumPy array `[N, H, W, C]` (no copy when it
        already is one).

    Raises:
        ValueError: naming `arg_name` and what was received, for a wrong rank,
            an empty array, a channel count other than 1 or 3, an unsupported
            dtype, integers outside 0..255, or floats outside [-1, 1] / NaN.
    """
    array = np.asarray(array)
    if array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4:
        raise ValueError(
            f"`{arg_name}` must be an image array of shape [N, H, W] or [N, H, W, C]. "
            f"Received: {arg_name} with shape {array.shape}"
        )
    if array.shape[-1] not in (1, 3):
        raise ValueError(
            f"`{arg_name}` must have 1 (grayscale) or 3 (RGB) channels in its last axis "
            "(composite RGBA onto a background first). "
            f"Received: {arg_name} with shape {array.shape}"
        )
    if array.shape[0] == 0 or 0 in array.shape[1:3]:
        raise ValueError(f"`{arg_name}` holds no images. Received: {arg_name} with shape {array.shape}")
    if array.dtype == np.uint8:
        return array
    if np.issubdtype(array.dtype, np.integer):
        low, high = int(array.min()), int(array.max())
        if low < 0 or high > 255:
            raise ValueError(
                f"Integer `{arg_name}` must hold pixel values in 0..255. "
                f"Received: {arg_name} of dtype {array.dtype} with values in [{low}, {high}]"
            )
        return array.astype(np.uint8)
    if np.issubdtype(array.dtype, np.floating):
        low, high = float(np.min(array)), float(np.max(array))
        if not (np.isfinite(low) and np.isfinite(high)) or low < -1.0 or high > 1.0:
            raise ValueError(
                f"Floating-point `{arg_name}` must already be scaled to [-1, 1] "
                "(or pass uint8 values 0..255). "
                f"Received: {arg_name} of dtype {array.dtype} with values in [{low}, {high}]"
            )
        if low >= 0.0:
            logger.warning(
                "Floating-point %s has no negative values (range [%g, %g]); it is used "
                "as if in [-1, 1]. If it is in [0, 1], pass 2 * x - 1.", arg_name, low, high
            )
        return array.astype(np.float32, copy=False)
    raise ValueError(
        f"`{arg_name}` must be uint8 (0..255), integer (0..255) or floating ([-1, 1]). "
        f"Received: {arg_name} of dtype {array.dtype}"
    )


def check_max_classes(max_classes):
    """Validate `max_classes`: an int in 1..2**31 - 1 (labels are int32)."""
    if (
        not isinstance(max_classes, numbers.Integral)
        or isinstance(max_classes, bool)
        or not 1 <= max_classes <= _INT32_MAX
    ):
        raise ValueError(
            f"`max_classes` must be an int in 1..{_INT32_MAX}. Received: max_classes={max_classes!r}"
        )
    return int(max_classes)


def check_labels(labels, count, arg_name="labels", max_classes=None):
    """Validate class labels: 1-D, integers in `0..max_classes - 1`, one per image.

    Nothing is wrapped or truncated on the way to int32: a float label must be
    a whole number (`3.0`, not `3.5`, NaN or infinity), no label may be
    negative, and the largest label must be below `max_classes` (default
    `MAX_CLASSES`, 100,000), because `max(label) + 1` becomes the number of
    classes a conditional model builds an embedding for.

    Args:
        labels: array-like `[count]`.
        count: the number of images.
        arg_name: the name used in error messages.
        max_classes: the most classes accepted (an int up to `2**31 - 1`);
            default `MAX_CLASSES`.

    Returns:
        An int32 NumPy array.

    Raises:
        ValueError: naming `arg_name` and the offending value.
    """
    max_classes = check_max_classes(MAX_CLASSES if max_classes is None else max_classes)
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != count:
        raise ValueError(
            f"`{arg_name}` must be a 1-D array with one label per image ({count}). "
            f"Received: {arg_name} with shape {labels.shape}"
        )
    is_float = np.issubdtype(labels.dtype, np.floating)
    if labels.dtype == bool or not (np.issubdtype(labels.dtype, np.integer) or is_float):
        raise ValueError(
            f"`{arg_name}` must hold integer class indices. Received: {arg_name} of dtype {labels.dtype}"
        )
    if labels.size == 0:
        return labels.astype(np.int32)
    if is_float:
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(~np.isfinite(labels) | (np.mod(labels, 1) != 0))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"`{arg_name}` must hold integer class indices; float labels must be whole "
                f"numbers. Received: {arg_name}[{i}] = {labels[i].item()!r} (dtype {labels.dtype})"
            )
    low, high = labels.min().item(), labels.max().item()  # Python scalars
    if low < 0:
        raise ValueError(
            f"`{arg_name}` must be non-negative class indices. "
            f"Received: {arg_name} with minimum {low!r}"
        )
    if high > _INT32_MAX:
        raise ValueError(
            f"`{arg_name}` holds class index {high!r}, which does not fit int32 (at most "
            f"{_INT32_MAX}); labels are class indices 0..num_classes - 1."
        )
    if high >= max_classes:
        raise ValueError(
            f"`{arg_name}` holds class index {high!r}, so {int(high) + 1} classes, over "
            f"max_classes={max_classes}; labels are class indices 0..num_classes - 1. If "
            "that many classes is meant, pass a larger max_classes=."
        )
    return labels.astype(np.int32)


class ArraySource:
    """Images (and labels) already in memory as one array: arrays, digits, IDX."""

    def __init__(self, images, labels=None, *, kind="array", name="array", class_names=None,
                 images_arg="source", labels_arg="labels", max_classes=None):
        self.images = check_image_array(images, images_arg)
        self.labels = None if labels is None else check_labels(
            labels, len(self.images), labels_arg, max_classes
        )
        self.kind = kind
        self.name = name
        self.class_names = class_names
        self.labels_arg = labels_arg

    def info(self):
        num_classes = None
        if self.class_names is not None:
            num_classes = len(self.class_names)
        elif self.labels is not None:
            num_classes = int(self.labels.max()) + 1
        return DatasetInfo(
            kind=self.kind,
            name=self.name,
            num_examples=len(self.images),
            num_classes=num_classes,
            class_names=self.class_names,
            channels=int(self.images.shape[-1]),
            image_shape=tuple(int(d) for d in self.images.shape[1:3]),
        )

    def elements(self, *, with_labels, shuffle, seed):
        """Unbatched dataset, its exact size and its channel count."""
        del shuffle, seed  # shuffled downstream
        if with_labels:
            if self.labels is None:
                raise ValueError(
                    f"with_labels=True but the {self.kind} source '{self.name}' has no labels"
                    + (" (pass labels=...)." if self.kind == "array" else ".")
                )
            ds = tf.data.Dataset.from_tensor_slices((self.images, self.labels))
        else:
            ds = tf.data.Dataset.from_tensor_slices(self.images)
        return ds, len(self.images), int(self.images.shape[-1])


def digits_source():
    """scikit-learn's 1,797 embedded 8x8 UCI digits (0..16) as float32 in [-1, 1]."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images.astype(np.float32) / 8.0 - 1.0)[..., None]
    return ArraySource(
        images,
        digits.target,
        kind="digits",
        name="digits",
        class_names=tuple(str(d) for d in range(10)),
    )


def idx_source(images_path, *, need_labels, max_classes=None):
    """An MNIST-style IDX images file and, if found, its labels file."""
    images, labels, _ = idx.read_idx_pair(images_path, need_labels=need_labels)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"IDX images file '{images_path}' must hold [N, H, W] or [N, H, W, C] images. "
            f"Received: shape {images.shape}"
        )
    return ArraySource(
        images, labels, kind="idx", name=str(images_path),
        images_arg=f"IDX file '{images_path}'", labels_arg=f"IDX labels of '{images_path}'",
        max_classes=max_classes,
    )


class FolderSource:
    """A directory of png/jpg/jpeg images, decoded up front with Pillow."""

    kind = "folder"

    def __init__(self, root, *, on_corrupt="error", background=(255, 255, 255), labels_file=None):
        self.root = pathlib.Path(root)
        self.name = str(root) if labels_file is None else f"{root} (labels: {labels_file})"
        self.on_corrupt = on_corrupt
        self.background = background
        self.files = folders.list_image_files(self.root)
        if not self.files:
            raise ValueError(
                f"Folder '{self.root}' holds no image files (searched recursively for "
                f"{', '.join(folders.IMAGE_EXTENSIONS)}, any case)."
            )
        self._file_labels = None
        if labels_file is not None:  # only the files the label file labels
            class_names, self.files, labels = labels_lib.labelled_files(labels_file, self.root, self.files)
            self._file_labels = (class_names, labels)

    def _class_labels(self):
        if self._file_labels is not None:
            return self._file_labels
        return folders.class_labels(self.root, self.files)

    def info(self):
        """Reads file names and image headers only (no pixel decoding)."""
        try:
            class_names, _ = self._class_labels()
        except ValueError:
            class_names = None
        channels, shapes = set(), set()
        for path in self.files:
            try:
                with Image.open(path) as image:
                    channels.add(folders.mode_channels(image.mode, self.background))
                    shapes.add((image.height, image.width))
            except Exception:  # noqa: BLE001 - load() reports corrupt files
                continue
        return DatasetInfo(
            kind=self.kind,
            name=self.name,
            num_examples=len(self.files),
            num_classes=None if class_names is None else len(class_names),
            class_names=class_names,
            channels=max(channels) if channels else 3,
            image_shape=shapes.pop() if len(shapes) == 1 else None,
        )

    def elements(self, *, with_labels, shuffle, seed):
        """Decode every file (reporting corrupt ones by name) into a dataset."""
        del shuffle, seed  # shuffled downstream
        labels = None
        if with_labels:
            _, labels = self._class_labels()  # fail before decoding
        images, kept = folders.decode_folder(
            self.files, on_corrupt=self.on_corrupt, background=self.background
        )
        channels = int(images[0].shape[-1])
        if labels is not None:
            labels = labels[kept]
        if len({im.shape for im in images}) == 1:
            stacked = np.stack(images)
            del images
            parts = stacked if labels is None else (stacked, labels)
            return tf.data.Dataset.from_tensor_slices(parts), len(stacked), channels

        # Mixed sizes: stream the decoded arrays; the pipeline resizes and caches.
        image_spec = tf.TensorSpec([None, None, channels], tf.uint8)
        if labels is None:
            ds = tf.data.Dataset.from_generator(lambda: iter(images), output_signature=image_spec)
        else:
            ds = tf.data.Dataset.from_generator(
                lambda: zip(images, labels),
                output_signature=(image_spec, tf.TensorSpec([], tf.int32)),
            )
        count = len(images)
        return ds.apply(tf.data.experimental.assert_cardinality(count)), count, channels


class TFDSSource:
    """A TensorFlow Datasets dataset, read with `tfds.load`."""

    kind = "tfds"

    def __init__(self, name, *, split="train", data_dir=None):
        tfds = _import_tfds(name)
        self.name = name
        self.split = split
        self.data_dir = data_dir
        try:
            self.builder = tfds.builder(name, data_dir=data_dir)
        except ValueError as err:  # DatasetNotFoundError is a ValueError
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise _unknown_source_error(name, reason) from None
        features = self.builder.info.features
        self.image_key = _image_feature_key(name, features)
        label = features["label"] if "label" in features else None
        self.class_label = label if isinstance(label, tfds.features.ClassLabel) else None
        self.has_label = "label" in features

    def prepare(self):
        """Makes sure the data are in `data_dir`, downloading them only when needed.

        A dataset already prepared there (`tfds build NAME --data_dir DIR`
        on any computer, then copied) is read as it is, offline. Otherwise
        the download is tried only when the network answers: without one
        this raises at once (no retries, nothing written). A failed
        download removes what it wrote into `data_dir`.

        Raises:
            ValueError: the data must be downloaded and there is no network,
                or the download failed (one line saying so and how to
                prepare the data elsewhere).
        """
        if self.builder.is_prepared():
            return
        where = self.builder.data_dir_root if hasattr(self.builder, "data_dir_root") else self.data_dir
        where = os.fspath(where or "~/tensorflow_datasets")
        elsewhere = (
            f"Prepare it on a computer with internet (`tfds build {self.name} --data_dir DIR`, "
            f"or any kerasgan command on '{self.name}' with --data-dir DIR), copy DIR here and "
            "pass --data-dir DIR."
        )
        reachable, why = network_available()
        if not reachable:
            raise ValueError(
                f"TFDS dataset '{self.name}' is not prepared in {where} and must be downloaded, but "
                f"there is no network ({why}). {elsewhere}"
            )
        before = _listing(where)
        try:
            self.builder.download_and_prepare()
        except Exception as err:  # noqa: BLE001 - any failure: clean up, say it in one line
            _remove_new_entries(where, before)
            reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
            raise ValueError(
                f"Downloading TFDS dataset '{self.name}' into {where} failed "
                f"({type(err).__name__}: {reason}); the partial files were removed. {elsewhere}"
            ) from None

    def _channels(self):
        shape = self.builder.info.features[self.image_key].shape
        return int(shape[-1]) if shape and shape[-1] in (1, 3) else 3

    def info(self):
        shape = self.builder.info.features[self.image_key].shape
        try:
            num_examples = int(self.builder.info.splits[self.split].num_examples)
        except (KeyError, ValueError):
            num_examples = None
        image_shape = tuple(shape[:2]) if shape and None not in shape[:2] else None
        return DatasetInfo(
            kind=self.kind,
            name=self.name,
            num_examples=num_examples,
            num_classes=None if self.class_label is None else int(self.class_label.num_classes),
            class_names=None if self.class_label is None else tuple(self.class_label.names),
            channels=self._channels(),
            image_shape=image_shape,
        )

    def elements(self, *, with_labels, shuffle, seed):
        """`tfds.load` the split; count from the dataset's cardinality."""
        import tensorflow_datasets as tfds

        if with_labels and not self.has_label:
            raise ValueError(
                f"with_labels=True but TFDS dataset '{self.name}' has no 'label' feature. "
                f"Its features: {sorted(self.builder.info.features.keys())}"
            )
        self.prepare()
        ds, ds_info = tfds.load(
            self.name,
            split=self.split,
            data_dir=self.data_dir,
            download=False,
            shuffle_files=shuffle,
            with_info=True,
            read_config=tfds.ReadConfig(shuffle_seed=seed),
        )
        image_key = self.image_key
        channels = self._channels()

        def pick(example):
            image = example[image_key]
            if image.shape.rank == 2:
                image = image[..., None]
            if image.shape[-1] == 4:  # RGBA: composite onto white
                alpha = tf.cast(image[..., 3:], tf.float32) / 255.0
                rgb = tf.cast(image[..., :3], tf.float32) * alpha + 255.0 * (1.0 - alpha)
                image = tf.cast(tf.round(rgb), tf.uint8)
            if with_labels:
                return image, tf.cast(example["label"], tf.int32)
            return image

        ds = ds.map(pick, num_parallel_calls=tf.data.AUTOTUNE)
        count = int(ds.cardinality())
        if count < 0:
            try:
                count = int(ds_info.splits[self.split].num_examples)
            except (KeyError, ValueError):
                count = None
        return ds, count, channels


#: Set to 1 to treat the network as absent (TFDS data must then be prepared).
OFFLINE_ENV = "KERASGAN_OFFLINE"
#: Where TFDS downloads from (its prepared-data bucket and most datasets' files).
_PROBE = ("storage.googleapis.com", 443)


def network_available(timeout=3.0):
    """`(True, "")` when a TFDS download can start, else `(False, why)`.

    One TCP connection to storage.googleapis.com:443 within `timeout`
    seconds, instead of TFDS's own retries (210 s offline). With an
    HTTP(S) proxy configured the probe is skipped (the proxy decides).
    `KERASGAN_OFFLINE=1` answers False without trying.
    """
    import socket

    if os.environ.get(OFFLINE_ENV, "").strip() not in ("", "0"):
        return False, f"{OFFLINE_ENV} is set"
    if any(os.environ.get(k) for k in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True, ""
    try:
        socket.create_connection(_PROBE, timeout=timeout).close()
        return True, ""
    except OSError as err:
        return False, f"{_PROBE[0]} cannot be reached: {err.strerror or err}"


def _listing(root):
    root = os.path.expanduser(root)
    names = set()
    for top in (root, os.path.join(root, "downloads"), os.path.join(root, "downloads", "extracted")):
        if os.path.isdir(top):
            names.update(os.path.join(top, n) for n in os.listdir(top))
    return names


def _remove_new_entries(root, before):
    """Removes what appeared in a TFDS data folder since `before` (`_listing`)."""
    import shutil

    for path in sorted(_listing(root) - before, key=len, reverse=True):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.remove(path)


def prepare(source, *, split="train", data_dir=None):
    """For a TFDS name: `TFDSSource.prepare` (no-op when its data are there);
    every other kind of source: nothing."""
    if isinstance(source, str) and not source.startswith("tfds:"):
        if source == "digits" or os.path.exists(source) or source.startswith(("/", ".", "~")):
            return
    if not isinstance(source, str):
        return
    name = source[len("tfds:"):] if source.startswith("tfds:") else source
    TFDSSource(name, split=split, data_dir=data_dir).prepare()


def _import_tfds(name):
    try:
        import tensorflow_datasets as tfds
    except ImportError as err:
        raise _unknown_source_error(name, "tensorflow_datasets is not installed") from err
    return tfds


def _image_feature_key(name, features):
    import tensorflow_datasets as tfds

    if "image" in features and isinstance(features["image"], tfds.features.Image):
        return "image"
    for key, feature in features.items():
        if isinstance(feature, tfds.features.Image):
            return key
    raise ValueError(
        f"TFDS dataset '{name}' has no image feature to load. Its features: {sorted(features.keys())}"
    )


def _unknown_source_error(source, reason):
    return ValueError(
        f"Unknown source {source!r}: it is not 'digits', not an existing file or "
        f"directory, and not a TFDS dataset name ({reason}). Accepted sources: "
        f"{ACCEPTED_SOURCES}."
    )


def _describe(source):
    text = repr(source)
    return text if len(text) <= 80 else text[:77] + "..."


def resolve_source(source, *, split="train", data_dir=None, labels=None, on_corrupt="error",
                   background=(255, 255, 255), need_labels=False, max_classes=None):
    """Recognise `source` (see the module docstring) and build its source object.

    Args:
        source: the `source` argument of `load` / `info`.
        split: TFDS split; for other kinds it must stay `"train"`.
        data_dir: TFDS data directory; only for TFDS names.
        labels: labels for an array source; only for arrays.
        on_corrupt: `"error"` or `"skip"`, for folders.
        background: RGB colour for compositing transparent images (folders).
        need_labels: whether the caller will ask for labels (IDX: a missing
            labels file is then an error).
        max_classes: the most classes array or IDX labels may imply (see
            `check_labels`); default `MAX_CLASSES`.

    Returns:
        An `ArraySource`, `FolderSource` or `TFDSSource`.

    Raises:
        ValueError: for an unknown source (listing the accepted kinds), or an
            argument that does not apply to this kind of source.
        FileNotFoundError: for a `pathlib.Path` that does not exist.
    """
    if isinstance(source, np.ndarray) or (
        hasattr(source, "__array__") and not isinstance(source, (str, bytes, os.PathLike))
    ):
        _only_for("array", split=split, data_dir=data_dir)
        return ArraySource(source, labels, max_classes=max_classes)

    if isinstance(source, labels_lib.LabelledFolder):
        if labels is not None:
            raise ValueError("labels= only applies to NumPy array sources; a LabelledFolder has its labels file.")
        _only_for("folder", split=split, data_dir=data_dir)
        folder = pathlib.Path(source.folder).expanduser()
        if not folder.is_dir():
            raise ValueError(f"LabelledFolder: '{folder}' is not a directory of images.")
        return FolderSource(folder, on_corrupt=on_corrupt, background=background,
                            labels_file=pathlib.Path(source.labels_file).expanduser())
    if labels is not None:
        raise ValueError(
            "labels= only applies to NumPy array sources; other sources carry their own "
            f"labels (with_labels=True). Received: labels for source {_describe(source)}"
        )
    if isinstance(source, str) and source.startswith("tfds:"):
        return TFDSSource(source[len("tfds:"):], split=split, data_dir=data_dir)
    if isinstance(source, str) and source == "digits":
        _only_for("digits", split=split, data_dir=data_dir)
        return digits_source()
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and (os.path.exists(source) or source.startswith(("/", ".", "~")))
    ):
        path = pathlib.Path(source).expanduser()
        if not path.exists():
            if isinstance(source, os.PathLike):
                raise FileNotFoundError(f"Source path '{path}' does not exist.")
            raise _unknown_source_error(source, "no such file or directory")
        return _path_source(path, split=split, data_dir=data_dir, on_corrupt=on_corrupt,
                            background=background, need_labels=need_labels,
                            max_classes=max_classes)
    if isinstance(source, str):
        return TFDSSource(source, split=split, data_dir=data_dir)
    raise ValueError(
        f"Unknown source of type {type(source).__name__}: {_describe(source)}. "
        f"Accepted sources: {ACCEPTED_SOURCES}."
    )


def _path_source(path, *, split, data_dir, on_corrupt, background, need_labels, max_classes):
    if not path.is_file() and not path.is_dir():
        raise ValueError(
            f"Source '{path}' is neither a regular file nor a directory (a FIFO, socket "
            f"or device is never read). Accepted sources: {ACCEPTED_SOURCES}."
        )
    if path.is_file():
        _only_for("IDX file", split=split, data_dir=data_dir)
        if path.name.lower().endswith(folders.IMAGE_EXTENSIONS):
            raise ValueError(
                f"Source '{path}' is a single image file; pass the folder that holds "
                f"the images instead. Accepted sources: {ACCEPTED_SOURCES}."
            )
        return idx_source(path, need_labels=need_labels, max_classes=max_classes)
    images_file = idx.find_images_file(path)
    if images_file is not None:
        _only_for("IDX directory", split=split, data_dir=data_dir)
        return idx_source(images_file, need_labels=need_labels, max_classes=max_classes)
    _only_for("image folder", split=split, data_dir=data_dir)
    return FolderSource(path, on_corrupt=on_corrupt, background=background)


def _only_for(kind, *, split, data_dir):
    if split != "train":
        raise ValueError(
            f"split= only applies to TFDS sources; a {kind} source has a single set of "
            f"images. Received: split={split!r}"
        )
    if data_dir is not None:
        raise ValueError(
            f"data_dir= only applies to TFDS sources, not to a {kind} source. "
            f"Received: data_dir={data_dir!r}"
        )
