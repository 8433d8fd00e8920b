"""Class labels for a folder of images from a separate label file.

A folder's own labels come from its class subfolders. `LabelledFolder`
labels a flat folder from a file instead, so a class-conditional model can
train on images whose classes live in metadata:

    source = kerasgan.data.LabelledFolder("../shared/data/emoji/twemoji-72",
                                          "../shared/data/emoji/emojibase.data.json")
    kerasgan.data.info(source).class_names   # the ten Emojibase groups
    ds = kerasgan.data.load(source, 32, with_labels=True)

and on the command line `kerasgan train biggan --dataset FOLDER --labels-file FILE`.

Label files:

- **Emojibase metadata** (`*.json`, a list of entries with `hexcode` and
  `group`, e.g. `emojibase.data.json`): each image's label is its emoji's
  group (0..9, `GROUP_NAMES`), the file matched by its code points
  (`kerasgan.data.codepoint_key`: Twemoji `1f600.png` and Noto
  `emoji_u1f600.png` alike; skin-tone variants take their base emoji's group).
- **CSV** (`*.csv`): one `file,label` row per image, `file` relative to the
  folder (or just the file name), `label` a class name; an optional first row
  `file,label` is a header. Class names are sorted (numerically when every
  label is an integer).

Images the file gives no label are left out (their count is logged), so
`num_examples` counts labelled images only. A label file larger than
`MAX_LABEL_FILE_BYTES` is refused before it is read.
"""

import csv
import dataclasses
import json
import logging
import os
import pathlib

import numpy as np

logger = logging.getLogger(__name__)

#: The largest label file read (a label file is metadata, not data).
MAX_LABEL_FILE_BYTES = 64 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class LabelledFolder:
    """A folder of images with class labels from `labels_file` (see the module docstring).

    Attributes:
        folder: the image folder (searched recursively, as for any folder source).
        labels_file: an Emojibase JSON or a `file,label` CSV.
    """

    folder: str
    labels_file: str

    def __post_init__(self):
        object.__setattr__(self, "folder", os.fspath(self.folder))
        object.__setattr__(self, "labels_file", os.fspath(self.labels_file))

    def __str__(self):
        return f"{self.folder} (labels: {self.labels_file})"

    def to_json(self):
        """What `run.json` records as the dataset."""
        return {"folder": self.folder, "labels_file": self.labels_file}


def _read_text(path):
    path = pathlib.Path(path)
    if not path.is_file():
        raise ValueError(f"Label file {path} does not exist or is not a regular file.")
    size = path.stat().st_size
    if size > MAX_LABEL_FILE_BYTES:
        raise ValueError(
            f"Label file {path} is {size:,} bytes, more than a label file may be "
            f"({MAX_LABEL_FILE_BYTES:,}); is it the right file?"
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"Label file {path} is not UTF-8 text: {err}") from None


def _emojibase_labels(path, root, files):
    from kerasgan.data import captions, pairs

    table = captions.read_emojibase(path)
    if not table:
        raise ValueError(f"{path} holds no Emojibase entry with a hexcode and label.")
    labels = []
    for f in files:
        caption = table.get(pairs.codepoint_key(f))
        labels.append(-1 if caption is None else caption.group)
    return captions.GROUP_NAMES, np.asarray(labels, np.int32)


def _csv_labels(path, root, files):
    text = _read_text(path)
    by_name = {}
    rows = list(csv.reader(text.splitlines()))
    if rows and [c.strip().lower() for c in rows[0][:2]] == ["file", "label"]:
        rows = rows[1:]
    for number, row in enumerate(rows, 1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise ValueError(f"{path} row {number}: expected `file,label`, got {row!r}.")
        by_name[row[0].strip().replace("\\", "/")] = row[1].strip()
    if not by_name:
        raise ValueError(f"{path} holds no `file,label` row.")
    names = set(by_name.values())
    if all(n.lstrip("-").isdigit() for n in names):
        class_names = tuple(sorted(names, key=int))
    else:
        class_names = tuple(sorted(names))
    index = {n: i for i, n in enumerate(class_names)}
    labels = []
    for f in files:
        relative = f.relative_to(root).as_posix()
        name = by_name.get(relative, by_name.get(f.name))
        labels.append(-1 if name is None else index[name])
    return class_names, np.asarray(labels, np.int32)


def read_label_file(labels_file, root, files):
    """`(class_names, labels)` of `files` (paths under `root`) from
    `labels_file`: an int32 label per file, -1 where the file gives none.

    Raises:
        ValueError: for a missing, oversized, unreadable or malformed file, or
            one of another format than Emojibase JSON or CSV.
    """
    path = pathlib.Path(labels_file)
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            entries = json.loads(_read_text(path))  # size and encoding checked, errors named
        except ValueError as err:
            raise ValueError(f"Label file {path} is not valid JSON: {err}") from None
        if not (isinstance(entries, list) and any(isinstance(e, dict) and "hexcode" in e for e in entries)):
            raise ValueError(
                f"Label file {path} is JSON but not Emojibase metadata (a list of entries with "
                "`hexcode` and `group`); other labels go in a `file,label` CSV."
            )
        return _emojibase_labels(path, root, files)
    if suffix == ".csv":
        return _csv_labels(path, root, files)
    raise ValueError(
        f"Unknown label file {path}: expected Emojibase metadata (.json) or a `file,label` CSV (.csv)."
    )


def labelled_files(labels_file, root, files):
    """`(class_names, kept_files, labels)`: the files `labels_file` labels,
    with their labels; the others are left out (counted in the log).

    Raises:
        ValueError: as `read_label_file`, or when no file is labelled.
    """
    class_names, labels = read_label_file(labels_file, root, files)
    keep = labels >= 0
    if not keep.any():
        raise ValueError(
            f"No image of {root} has a label in {labels_file} (matched by "
            + ("emoji code points" if str(labels_file).lower().endswith(".json") else "file name") + ")."
        )
    if not keep.all():
        logger.info("%d of %d images of %s have no label in %s and are left out",
                    int((~keep).sum()), len(files), root, labels_file)
    kept = [f for f, k in zip(files, keep) if k]
    return class_names, kept, labels[keep]
