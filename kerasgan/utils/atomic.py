"""Writing files so that a kill at any moment leaves the old file or the new
one, never a truncated mix.

Every writer goes through `atomic_write`: the bytes go to a temporary file
in the same folder (so the rename never crosses file systems), are flushed
and fsynced, then `os.replace` puts the file in place and the folder is
fsynced so the rename itself survives a power cut. A failure (or a kill)
before the rename leaves the old file untouched; the temporary file of a
failed write is removed (one left by a kill is named `.NAME.*.tmp` and is
ignored by kerasgan).
"""

import contextlib
import os
import tempfile


def _fsync_folder(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. platforms that cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace(tmp, path):
    """fsyncs the finished file `tmp`, renames it to `path` and fsyncs the folder."""
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_folder(os.path.dirname(os.path.abspath(path)))


def temporary_path(path, suffix=".tmp"):
    """A new, empty temporary file next to `path` (same folder); returns its path."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=suffix, dir=folder)
    os.close(fd)
    return tmp


@contextlib.contextmanager
def atomic_write(path, mode="w", **open_kwargs):
    """Opens a temporary file next to `path` for writing; on a clean exit the
    file replaces `path` atomically (flush + fsync + `os.replace`), on an
    exception it is removed and `path` is left as it was.

        with atomic_write("run.json") as f:
            json.dump(run, f)
    """
    if not any(c in mode for c in "wx"):
        raise ValueError(f"atomic_write opens files for writing only. Received: mode={mode!r}")
    path = os.fspath(path)
    tmp = temporary_path(path)
    try:
        with open(tmp, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_folder(os.path.dirname(os.path.abspath(path)))
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def atomic_write_text(path, text):
    """Writes `text` to `path` atomically (see `atomic_write`)."""
    with atomic_write(path, "w") as f:
        f.write(text)
    return path


def save_model(model, path):
    """`model.save(path)` through a temporary `.keras` file in the same folder,
    fsynced and renamed: an existing model file is never left half-written."""
    path = os.fspath(path)
    tmp = temporary_path(path, suffix=".keras")
    try:
        model.save(tmp)
        replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    return path
