"""Input pipelines for GAN training: `kerasgan.data.load(source, image_size)`.

`load` returns a batched, shuffled, prefetched `tf.data.Dataset` of `float32`
images `[B, H, W, C]` in [-1, 1] (or `(images, int32 labels)` with
`with_labels=True`) from any of these sources:

- `"digits"`: scikit-learn's embedded 8x8 UCI digits (1,797 images, 10
  classes), the default that needs no download;
- a TFDS name: `"mnist"`, `"cifar10"`, `"celeb_a"`, ... (via `tfds.load`);
- a folder of `.png/.jpg/.jpeg` images, class labels from its subfolders,
  or `LabelledFolder(folder, labels_file)`: labels from an Emojibase JSON or
  a `file,label` CSV (`kerasgan.data.labels`);
- an MNIST IDX images file `*-idx3-ubyte[.gz]`, or a folder holding one;
- a NumPy array `[N, H, W]` / `[N, H, W, C]`, with `labels=`.

    ds = kerasgan.data.load("digits", image_size=32, batch_size=64)
    kerasgan.data.num_classes("digits")          # 10
    kerasgan.data.info("path/to/emoji").channels  # 3

Metadata (number of classes, class names, counts) comes from `info(source)`
rather than from the dataset. `load_arrays(source, image_size)` gives every
image (and label) as NumPy arrays, unshuffled (for evaluation);
`read_idx(path)` reads one IDX file into NumPy.

Two domains (image-to-image translation, `kerasgan.data.pairs`):
`load_paired(source_dir, target_dir, image_size)` gives `{"source",
"target"}` batches of files matched by a key of their names (emoji code
points by default), on a deterministic hash split (`split_of`, ~10% test);
`load_unpaired(a, b, image_size)` zips two independently shuffled sources
into `{"a", "b"}` batches; `load_pair_arrays` gives a split's pairs as arrays.

Super-resolution (`kerasgan.data.super_resolution`):
`load_super_resolution(source, image_size)` gives `{"source": low, "target":
high}` batches, the low-resolution side a bicubic downsampling (4x) of any
source `load` accepts, on a documented hash split;
`load_super_resolution_arrays` gives a split as arrays (evaluation).

Bad files are refused with a `ValueError` naming them, never looped on,
wrapped or read without bound: folder walks follow each link once and never
open FIFOs, IDX files are read no further than their header declares (at most
4 GiB), labels must be whole class indices below `max_classes` (100,000 by
default). See docs/data_safety.md.

Modules: `loaders` (the pipeline, `load`/`info`), `sources` (recognising a
source, one class per kind), `images` (per-image TF preprocessing), `folders`
(finding and decoding image files with Pillow), `idx` (the IDX format),
`pairs` (two-domain data).
"""

from kerasgan.data.idx import read_idx
from kerasgan.data.labels import LabelledFolder
from kerasgan.data.loaders import info, load, load_arrays, num_classes
from kerasgan.data.pairs import codepoint_key, load_pair_arrays, load_paired, load_unpaired, match_pairs, split_of
from kerasgan.data.sources import ACCEPTED_SOURCES, DatasetInfo
from kerasgan.data.super_resolution import load_super_resolution, load_super_resolution_arrays

__all__ = [
    "ACCEPTED_SOURCES",
    "DatasetInfo",
    "LabelledFolder",
    "codepoint_key",
    "info",
    "load",
    "load_arrays",
    "load_pair_arrays",
    "load_paired",
    "load_super_resolution",
    "load_super_resolution_arrays",
    "load_unpaired",
    "match_pairs",
    "num_classes",
    "read_idx",
    "split_of",
]
