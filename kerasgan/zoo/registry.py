"""The zoo's registry: one JSON file listing every checkpoint and its files.

Schema (version 1):

    {
      "version": 1,
      "models": [
        {
          "name": "dcgan-mnist-32",            # folder name: [a-z0-9][a-z0-9._-]*
          "family": "dcgan",                   # kerasgan.models.FAMILIES key
          "description": "...",
          "resolution": 32,
          "dataset": "...",                    # what it was trained on
          "licence": "...",                    # licence of that training data
          "metrics": {"fid": 12.3, ...},
          "files": {                           # path relative to the entry's folder
            "model.keras": {"sha256": "<64 hex>", "size": 123456},
            "saved_model/1/saved_model.pb": {...},
            ...
          },
          "url": "https://.../dcgan-mnist-32.tar.gz",   # or null: no download
          "archive_sha256": "<64 hex>",                 # or null
          "archive_size": 123456,                       # or null
          "kerasgan_version": "0.1.0",
          ...                                  # extra keys given to build_entry
        }
      ]
    }

Nothing here imports TensorFlow.
"""

import copy
import json
import logging
import os
import pathlib
import re
import tempfile

from kerasgan.utils.hashing import sha256_file

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
#: The registry shipped with the package (the single source of truth).
PACKAGE_REGISTRY = pathlib.Path(__file__).resolve().parent / "registry.json"
#: Environment variable naming another registry file (tests, private zoos).
REGISTRY_ENV = "KERASGAN_ZOO_REGISTRY"

#: Keys every entry has (`build_entry` fills the ones it is not given with None).
ENTRY_KEYS = (
    "name", "family", "description", "resolution", "dataset", "licence", "metrics",
    "files", "url", "archive_sha256", "archive_size", "kerasgan_version",
)

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class ChecksumError(ValueError):
    """A file's SHA-256 (or size) is not the one the registry records."""

    def __init__(self, path, expected, actual, what="file", note=None):
        self.path = os.fspath(path)
        self.expected = expected
        self.actual = actual
        if note is None:
            note = (
                "The file was not loaded and nothing was deleted; restore or remove it "
                "yourself (a checkout copy: `git checkout -- FILE`; a cached copy: delete "
                "its folder to download it again)."
            )
        super().__init__(
            f"SHA-256 mismatch for the zoo {what} {self.path}: expected {expected}, "
            f"got {actual}. {note}"
        )


def registry_path(registry=None):
    """The registry file to use: `registry`, else `$KERASGAN_ZOO_REGISTRY`, else the package's."""
    if registry is not None:
        return pathlib.Path(registry)
    env = os.environ.get(REGISTRY_ENV)
    return pathlib.Path(env) if env else PACKAGE_REGISTRY


def empty_registry():
    return {"version": SCHEMA_VERSION, "models": []}


def read_registry(registry=None):
    """Reads and validates a registry file; a missing file is an empty registry."""
    path = registry_path(registry)
    if not path.exists():
        return empty_registry()
    with open(path, encoding="utf-8") as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"The zoo registry {path} is not valid JSON: {e}") from None
    validate_registry(data, source=path)
    return data


def write_registry(data, registry=None):
    """Writes `data` (validated, entries sorted by name) atomically."""
    validate_registry(data)
    path = registry_path(registry)
    data = dict(data, models=sorted(data["models"], key=lambda e: e["name"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def check_name(name):
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(
            "A zoo name is lower-case letters, digits, '.', '_' and '-', starting with a "
            f"letter or digit (it names a folder). Received: name={name!r}"
        )
    return name


def check_relative_path(relpath, what="file"):
    """A registry file path must stay inside the entry's folder."""
    parts = relpath.split("/") if isinstance(relpath, str) else None
    if (
        not parts
        or relpath.startswith("/")
        or "\\" in relpath
        or re.match(r"^[A-Za-z]:", relpath)
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise ValueError(
            f"A zoo {what} path must be relative, '/'-separated and without '.', '..' or "
            f"empty parts. Received: {relpath!r}"
        )
    return relpath


def validate_registry(data, source="registry"):
    if not isinstance(data, dict) or data.get("version") != SCHEMA_VERSION:
        raise ValueError(
            f"The zoo registry {source} must be a JSON object with \"version\": "
            f"{SCHEMA_VERSION}. Received version: "
            f"{data.get('version') if isinstance(data, dict) else type(data).__name__}"
        )
    models = data.get("models")
    if not isinstance(models, list):
        raise ValueError(f"The zoo registry {source} must have a \"models\" list.")
    seen = set()
    for entry in models:
        name = check_name(entry.get("name") if isinstance(entry, dict) else None)
        if name in seen:
            raise ValueError(f"The zoo registry {source} lists {name!r} twice.")
        seen.add(name)
        files = entry.get("files")
        if not isinstance(files, dict) or not files:
            raise ValueError(f"Zoo entry {name!r} in {source} has no \"files\".")
        for relpath, meta in files.items():
            check_relative_path(relpath)
            if (
                not isinstance(meta, dict)
                or not _SHA_RE.match(str(meta.get("sha256", "")))
                or not isinstance(meta.get("size"), int)
            ):
                raise ValueError(
                    f"Zoo entry {name!r} in {source}: file {relpath!r} needs a lower-case hex "
                    f"\"sha256\" and an integer \"size\". Received: {meta!r}"
                )
        archive_sha = entry.get("archive_sha256")
        if archive_sha is not None and not _SHA_RE.match(str(archive_sha)):
            raise ValueError(f"Zoo entry {name!r} in {source}: bad archive_sha256 {archive_sha!r}")
        if entry.get("url") and not archive_sha:
            raise ValueError(
                f"Zoo entry {name!r} in {source} has a url but no archive_sha256: downloads "
                "are always verified, so the hash is required."
            )
    return data


def names(registry=None):
    """Sorted names of the registry's entries."""
    return sorted(e["name"] for e in read_registry(registry)["models"])


def get_entry(name, registry=None):
    """A deep copy of the entry called `name`.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    data = read_registry(registry)
    for entry in data["models"]:
        if entry["name"] == name:
            return copy.deepcopy(entry)
    known = sorted(e["name"] for e in data["models"])
    known_text = ", ".join(known) if known else f"none (the registry {registry_path(registry)} is empty)"
    raise ValueError(f"Unknown zoo model. Known: {known_text}. Received: name={name!r}")


# ------------------------------------------------------------------ hashing
def folder_files(folder):
    """`{relative/path: {"sha256": ..., "size": ...}}` for every file under `folder`.

    Raises:
        ValueError: the folder holds a symlink or something that is not a
            regular file or folder (an archive would not carry it faithfully).
    """
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise ValueError(f"Not a folder: {folder}")
    files = {}
    for root, dirs, filenames in os.walk(folder):
        dirs.sort()
        for item in list(dirs) + sorted(filenames):
            full = pathlib.Path(root) / item
            if full.is_symlink():
                raise ValueError(f"Zoo folders may not contain symlinks. Found: {full}")
        for filename in sorted(filenames):
            full = pathlib.Path(root) / filename
            if not full.is_file():
                raise ValueError(f"Zoo folders may hold only regular files. Found: {full}")
            relpath = full.relative_to(folder).as_posix()
            files[relpath] = {"sha256": sha256_file(full), "size": full.stat().st_size}
    if not files:
        raise ValueError(f"The folder {folder} holds no files.")
    return files


def missing_files(folder, files):
    """The entry's file paths that do not exist as regular files under `folder`."""
    folder = pathlib.Path(folder)
    return [p for p in files if not (folder / p).is_file()]


def verify_files(folder, files):
    """Checks every file of `files` under `folder` (size, then SHA-256).

    Raises:
        FileNotFoundError: a file is missing.
        ChecksumError: a file's size or SHA-256 differs; the message names the
            file, the expected and the actual values. Nothing is deleted.
    """
    folder = pathlib.Path(folder)
    missing = missing_files(folder, files)
    if missing:
        raise FileNotFoundError(f"The zoo folder {folder} lacks: {', '.join(sorted(missing))}")
    for relpath, meta in sorted(files.items()):
        path = folder / relpath
        size = path.stat().st_size
        if size != meta["size"]:
            # Hash anyway so the message shows both hashes.
            raise ChecksumError(path, f"{meta['sha256']} ({meta['size']} bytes)",
                                f"{sha256_file(path)} ({size} bytes)")
        actual = sha256_file(path)
        if actual != meta["sha256"]:
            raise ChecksumError(path, meta["sha256"], actual)


# ----------------------------------------------------------------- building
def build_entry(
    name,
    folder,
    *,
    family,
    description=None,
    resolution=None,
    dataset=None,
    licence=None,
    metrics=None,
    url=None,
    archive_sha256=None,
    archive_size=None,
    registry=None,
    **extra,
):
    """Hashes every file in `folder` and writes (or replaces) the entry `name`.

    Call it after writing `zoo/NAME/` (`model.keras`, `saved_model/1/`,
    `samples.png`, `README.md`). Then `make_archive(NAME)` builds the
    download archive and records its SHA-256; set `url=` (here or in
    `make_archive`) once it is uploaded.

    Args:
        name: the entry's name, also its folder's name in `zoo/` and in the cache.
        folder: the folder whose files the entry lists (normally `zoo/NAME`).
        family, description, resolution, dataset, licence, metrics: the
            model card's facts (`licence`: of the training data).
        url, archive_sha256, archive_size: where the `.tar.gz` of the entry
            can be downloaded and its hash. When the files changed since the
            previous entry and these are not given, the old ones are dropped
            (the old archive no longer matches).
        registry: the registry file (default: `registry_path()`).
        **extra: more JSON-serialisable facts stored in the entry (e.g.
            `command`, `extractor`, `num_samples`).

    Returns:
        The entry (a dict), as written.
    """
    from kerasgan import __version__

    check_name(name)
    clash = sorted(set(extra) & set(ENTRY_KEYS))
    if clash:
        raise ValueError(f"build_entry got reserved keys as extras: {clash}")
    folder = pathlib.Path(folder)
    if folder.name != name:
        logger.warning("Zoo entry %r is built from %s: load() looks for zoo/%s/.", name, folder, name)
    files = folder_files(folder)
    data = read_registry(registry)
    old = next((e for e in data["models"] if e["name"] == name), None)
    if old is not None and old["files"] == files and url is None and archive_sha256 is None:
        url, archive_sha256, archive_size = old.get("url"), old.get("archive_sha256"), old.get("archive_size")
    elif old is not None and old.get("url") and url is None:
        logger.warning("Zoo entry %r: the files changed, so its url and archive hash were dropped. "
                       "Run make_archive(%r) and upload the new archive.", name, name)
    entry = {
        "name": name,
        "family": family,
        "description": description,
        "resolution": resolution,
        "dataset": dataset,
        "licence": licence,
        "metrics": dict(metrics or {}),
        "files": files,
        "url": url,
        "archive_sha256": archive_sha256,
        "archive_size": archive_size,
        "kerasgan_version": __version__,
    }
    entry.update(extra)
    json.dumps(entry)  # fail here, before writing, on values JSON cannot hold
    data["models"] = [e for e in data["models"] if e["name"] != name] + [entry]
    write_registry(data, registry)
    return copy.deepcopy(entry)


def update_entry(name, registry=None, **fields):
    """Sets `fields` of the existing entry `name` (e.g. `url=`) and writes the registry."""
    data = read_registry(registry)
    entry = next((e for e in data["models"] if e["name"] == name), None)
    if entry is None:
        get_entry(name, registry)  # raises the ValueError listing the known names
    entry.update(fields)
    write_registry(data, registry)
    return copy.deepcopy(entry)
