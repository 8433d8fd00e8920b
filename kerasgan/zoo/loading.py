"""Finding an entry's files (checkout, cache, download), verifying them, loading them."""

import collections.abc
import os
import pathlib
import shutil
import tempfile

from kerasgan.utils.hashing import sha256_file
from kerasgan.zoo import archive as archive_lib
from kerasgan.zoo import download as download_lib
from kerasgan.zoo import registry as registry_lib

#: Environment variable naming the zoo folder ("" turns the checkout lookup off).
ZOO_DIR_ENV = "KERASGAN_ZOO_DIR"
#: Environment variable naming kerasgan's cache root (the zoo uses `<it>/zoo/`).
HOME_ENV = "KERASGAN_HOME"
FORMATS = ("keras", "saved_model")

_CHECKOUT = pathlib.Path(__file__).resolve().parent.parent.parent


def zoo_dir(path=None):
    """The zoo folder of a source checkout, or None.

    `path` when given, else `$KERASGAN_ZOO_DIR` (an empty value means none),
    else `kerasgan/../zoo` when kerasgan is imported from a source checkout
    or an editable install (the folder next to `setup.cfg`). A wheel install
    has no zoo folder: its files come from the cache or are downloaded.
    """
    if path is not None:
        return pathlib.Path(path)
    env = os.environ.get(ZOO_DIR_ENV)
    if env is not None:
        return pathlib.Path(env) if env else None
    candidate = _CHECKOUT / "zoo"
    if candidate.is_dir() and (_CHECKOUT / "setup.cfg").is_file():
        return candidate
    return None


def cache_dir(path=None):
    """The download cache: `path`, else `$KERASGAN_HOME/zoo`, else `~/.cache/kerasgan/zoo`."""
    if path is not None:
        return pathlib.Path(path)
    home = os.environ.get(HOME_ENV) or os.path.join("~", ".cache", "kerasgan")
    return pathlib.Path(os.path.expanduser(home)) / "zoo"


def locate(name, registry=None, zoo_dir=None, cache_dir=None):
    """Where a complete local copy of `name` is, without verifying or downloading.

    Returns:
        `("checkout", folder)`, `("cache", folder)`, or `(None, None)` when
        neither holds every file of the entry (`download` would fetch it).
    """
    entry = registry_lib.get_entry(name, registry)
    for source, base in (("checkout", _zoo_dir(zoo_dir)), ("cache", _cache_dir(cache_dir))):
        if base is not None and (base / name).is_dir() and not registry_lib.missing_files(
            base / name, entry["files"]
        ):
            return source, base / name
    return None, None


def download(name, registry=None, zoo_dir=None, cache_dir=None, timeout=60, verbose=True,
             deadline=None):
    """A verified local folder holding every file of `name`, downloading it when needed.

    Looks in the checkout's zoo folder, then the cache; a folder counts when
    it holds every file of the entry. Otherwise downloads the entry's `url`
    to `CACHE/NAME.tar.gz.partial` (resuming a partial one), checks the
    archive's SHA-256, extracts it safely into a temporary folder in the
    cache, checks every file, and renames it to `CACHE/NAME`.

    The transfer stops at the registry's archive size and at `deadline`
    seconds (default `download.DEFAULT_DEADLINE`, 30 minutes; the `.partial`
    file is kept to resume); extraction stops at the entry's total file size.

    Returns:
        The folder (a `pathlib.Path`).

    Raises:
        ValueError: unknown name (listing the known ones); more bytes than
            the registry's size (`DownloadTooLargeError`).
        ChecksumError: a local file or the downloaded archive does not match
            the registry. Local files are left as they are; a downloaded
            archive that does not match is removed (it is our own temporary
            file) so the next call downloads it afresh.
        UnsafeArchiveError: the archive has a member that would land outside
            its folder, a link, or a device.
        FileNotFoundError: no local copy and no url; or the cache folder
            exists but is incomplete (kerasgan does not delete it for you).
        ConnectionError: the download stopped early (the `.partial` file is
            kept; call again to resume), e.g. at the deadline
            (`DownloadDeadlineError`).
    """
    entry = registry_lib.get_entry(name, registry)
    _, folder = locate(name, registry, zoo_dir, cache_dir)
    if folder is not None:
        registry_lib.verify_files(folder, entry["files"])
        return folder
    cache = _cache_dir(cache_dir)
    target = cache / name
    if os.path.lexists(target):
        missing = registry_lib.missing_files(target, entry["files"])
        raise FileNotFoundError(
            f"The cached zoo folder {target} is incomplete (it lacks {', '.join(missing)}). "
            "kerasgan does not delete folders it did not just write: remove it and call again."
        )
    if not entry.get("url"):
        checkout = _zoo_dir(zoo_dir)
        where = f"{checkout / name} and {target}" if checkout is not None else str(target)
        raise FileNotFoundError(
            f"Zoo model {name!r} has no complete local copy (looked in {where}) and its "
            "registry entry has no download url. Its files are in the kerasgan source "
            "repository's zoo/ folder: use a checkout (pip install -e .), or point "
            "KERASGAN_ZOO_DIR (or zoo_dir=) at that folder, or copy zoo/"
            f"{name}/ to {target}."
        )
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f"{name}.tar.gz.partial"
    download_lib.download_file(
        entry["url"], partial, expected_size=entry.get("archive_size"), timeout=timeout, verbose=verbose,
        deadline=deadline, what=f"zoo entry {name!r}",
    )
    try:
        actual = sha256_file(partial)
        if actual != entry["archive_sha256"]:
            raise registry_lib.ChecksumError(
                entry["url"], entry["archive_sha256"], actual, what="archive downloaded from",
                note=(f"The download ({partial}, our own temporary file) was removed and nothing "
                      "was extracted; the cache is as it was."),
            )
        tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".{name}-", dir=cache))
        try:
            archive_lib.safe_extract(
                partial, tmp, prefix=name, max_size=sum(f["size"] for f in entry["files"].values())
            )
            registry_lib.verify_files(tmp / name, entry["files"])
            try:
                os.rename(tmp / name, target)
            except OSError:
                # Another process put it there meanwhile: use theirs if whole.
                if registry_lib.missing_files(target, entry["files"]):
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        # Complete (the size matched or the server said so) but unusable, or
        # extracted: either way our own temporary file has served.
        if partial.exists():
            partial.unlink()
    registry_lib.verify_files(target, entry["files"])
    return target


def load(name, format="keras", registry=None, zoo_dir=None, cache_dir=None, compile=True, **kwargs):
    """Loads a zoo checkpoint after verifying every file's SHA-256.

    Args:
        name: a registry entry (`kerasgan.zoo.list()`).
        format: `"keras"`: the `model.keras` file, loaded with
            `keras.saving.load_model` (a kerasgan GAN: `generate`, `fit`,
            `export` all work). `"saved_model"`: the TF Serving SavedModel
            (highest version in `saved_model/`), loaded with
            `tf.saved_model.load` (call its `signatures`).
            When the export declares family options (`serving_inputs` in
            its `assets.extra/kerasgan.json`, e.g. StyleGAN's
            `truncation_psi`), its `signatures` are wrapped so an option
            left out of a call takes its recorded default (a SavedModel
            signature itself has no optional inputs; TF Serving clients
            still send every one): see `SignaturesWithDefaults`.
        registry, zoo_dir, cache_dir: override the registry file, the
            checkout's zoo folder and the download cache.
        compile: passed to `keras.saving.load_model`.
        **kwargs: passed to `download` (`timeout`, `verbose`).
    """
    if format not in FORMATS:
        raise ValueError(f"`format` must be one of {FORMATS}. Received: format={format!r}")
    entry = registry_lib.get_entry(name, registry)
    if format == "keras":
        if "model.keras" not in entry["files"]:
            raise ValueError(f"Zoo model {name!r} has no model.keras file.")
    else:
        versions = saved_model_versions(entry)
        if not versions:
            raise ValueError(f"Zoo model {name!r} has no saved_model/<version>/saved_model.pb.")
    folder = download(name, registry, zoo_dir, cache_dir, **kwargs)
    if format == "keras":
        import keras

        import kerasgan.models  # noqa: F401  (registers the classes)

        return keras.saving.load_model(folder / "model.keras", compile=compile)
    import tensorflow as tf

    version_dir = folder / "saved_model" / str(versions[-1])
    loaded = tf.saved_model.load(str(version_dir))
    defaults = serving_defaults(version_dir)
    if defaults:
        # Plain attribute (not tracked): `loaded` keeps its own signature map
        # as a checkpoint dependency; the wrappers only fill in arguments.
        object.__setattr__(loaded, "signatures", SignaturesWithDefaults(loaded.signatures, defaults))
    return loaded


def serving_defaults(version_dir):
    """`{name: (tf.DType, default)}` of the family options an export declares
    (`assets.extra/kerasgan.json`'s `serving_inputs`, in declaration order);
    empty for exports without options or without the file."""
    import json

    import tensorflow as tf

    from kerasgan.export import ASSETS_EXTRA, METADATA_FILENAME

    path = pathlib.Path(version_dir) / ASSETS_EXTRA / METADATA_FILENAME
    if not path.is_file():
        return {}
    declared = json.loads(path.read_text()).get("serving_inputs") or {}
    return {name: (tf.as_dtype(spec["dtype"]), spec["default"]) for name, spec in declared.items()}


class SignatureWithDefaults:
    """A SavedModel signature (a `ConcreteFunction` taking keyword tensors)
    that fills in the family options left out of a call with their exported
    defaults. Everything else (`structured_input_signature`,
    `structured_outputs`, ...) is the function's own; `function` is the
    function itself."""

    def __init__(self, function, defaults):
        self.function = function
        inputs = function.structured_input_signature[1]
        self.defaults = {name: value for name, value in defaults.items() if name in inputs}

    def __call__(self, *args, **kwargs):
        import tensorflow as tf

        for name, (dtype, default) in self.defaults.items():
            if name not in kwargs:
                kwargs[name] = tf.constant(default, dtype)
        return self.function(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.function, name)

    def __repr__(self):
        filled = ", ".join(f"{k}={v[1]!r}" for k, v in self.defaults.items())
        return f"SignatureWithDefaults({self.function!r}, defaults: {filled})"


class SignaturesWithDefaults(collections.abc.Mapping):
    """`loaded.signatures` of a zoo SavedModel with family options: the same
    names, each a `SignatureWithDefaults`; `saved` is the original map."""

    def __init__(self, signatures, defaults):
        self.saved = signatures
        self._wrapped = {name: SignatureWithDefaults(fn, defaults) for name, fn in signatures.items()}

    def __getitem__(self, name):
        return self._wrapped[name]

    def __iter__(self):
        return iter(self._wrapped)

    def __len__(self):
        return len(self._wrapped)

    def __repr__(self):
        return f"SignaturesWithDefaults({list(self._wrapped)})"


def saved_model_versions(entry):
    """Sorted version numbers `N` with a `saved_model/N/saved_model.pb` in the entry."""
    versions = set()
    for relpath in entry["files"]:
        parts = relpath.split("/")
        if len(parts) == 3 and parts[0] == "saved_model" and parts[2] == "saved_model.pb":
            if parts[1].isdigit():
                versions.add(int(parts[1]))
    return sorted(versions)


_zoo_dir = zoo_dir
_cache_dir = cache_dir
