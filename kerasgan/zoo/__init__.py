"""The kerasgan model zoo: trained checkpoints, listed in a registry, verified on load.

    import kerasgan
    kerasgan.zoo.list()                          # ['dcgan-mnist-32', ...]
    kerasgan.zoo.info("dcgan-mnist-32")          # the registry entry (a dict)
    gan = kerasgan.zoo.load("dcgan-mnist-32")    # a kerasgan GAN (keras.saving.load_model)
    images = gan.generate(16, seed=0)
    served = kerasgan.zoo.load("dcgan-mnist-32", format="saved_model")  # tf.saved_model.load
    served.signatures["generate_from_seed"](seed=..., num_images=...)

Where things are:

- The registry is ONE file, `kerasgan/zoo/registry.json`, shipped as
  package data, so a wheel install knows every entry (names, facts,
  SHA-256s, download urls). `$KERASGAN_ZOO_REGISTRY` or `registry=` point at
  another file (tests, a private zoo).
- An entry's files (`model.keras`, `saved_model/N/...`, `samples.png`,
  `README.md`) are found, in this order, in:
  1. the checkout's `zoo/NAME/` (`kerasgan/../zoo`, used when kerasgan runs
     from a source checkout or an editable install; `$KERASGAN_ZOO_DIR` or
     `zoo_dir=` override it, an empty `$KERASGAN_ZOO_DIR` turns it off);
  2. the cache, `$KERASGAN_HOME/zoo/NAME/` (default
     `~/.cache/kerasgan/zoo/NAME/`; `cache_dir=` overrides it);
  3. the entry's `url`: a `.tar.gz` downloaded to
     `CACHE/NAME.tar.gz.partial` (resumed with HTTP Range when a previous
     download stopped), checked against `archive_sha256`, extracted safely
     (no absolute paths, `..`, links or devices) into a temporary folder,
     checked file by file, then renamed to `CACHE/NAME/`.
  A folder counts only when it holds every file the entry lists.
- Every file's SHA-256 is checked before anything is loaded. A mismatch
  raises `ChecksumError` naming the file, the expected and the actual hash,
  and deletes nothing of yours (only a downloaded archive that fails its
  check, our own temporary file, is removed).

Adding a checkpoint (see `zoo/README.md`): write `zoo/NAME/`, then
`build_entry(NAME, "zoo/NAME", family=..., ...)` hashes it into the
registry, and `make_archive(NAME, url=...)` builds the archive to upload and
records its hash.

Nothing here imports TensorFlow until a model is loaded.
"""

from kerasgan.zoo import registry as _registry
from kerasgan.zoo.extractors import eval_dataset, eval_labels_file, extractor_path, load_extractor
from kerasgan.zoo.archive import UnsafeArchiveError, make_archive, safe_extract
from kerasgan.zoo.download import DownloadDeadlineError, DownloadTooLargeError
from kerasgan.zoo.loading import FORMATS, cache_dir, download, load, locate, zoo_dir
from kerasgan.zoo.registry import (
    ChecksumError,
    build_entry,
    folder_files,
    read_registry,
    registry_path,
    update_entry,
    verify_files,
)


def list(details=False, registry=None):  # noqa: A001  (kerasgan.zoo.list, as the issue asks)
    """The registry's entries, sorted by name: their names, or (`details=True`) their dicts."""
    if not details:
        return _registry.names(registry)
    return sorted(read_registry(registry)["models"], key=lambda e: e["name"])


def info(name, registry=None):
    """The registry entry of `name` (a copy).

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    return _registry.get_entry(name, registry)


__all__ = [
    "FORMATS",
    "ChecksumError",
    "DownloadDeadlineError",
    "DownloadTooLargeError",
    "UnsafeArchiveError",
    "build_entry",
    "cache_dir",
    "download",
    "eval_dataset",
    "eval_labels_file",
    "extractor_path",
    "folder_files",
    "info",
    "list",
    "load",
    "load_extractor",
    "locate",
    "make_archive",
    "read_registry",
    "registry_path",
    "safe_extract",
    "update_entry",
    "verify_files",
    "zoo_dir",
]
