"""`.tar.gz` archives of zoo entries: building them reproducibly, extracting them safely.

An entry's archive holds exactly the files its registry entry lists, as
`NAME/<relative path>`, regular files only, with zeroed owners and times:
the same files always give the same bytes, so the SHA-256 recorded in the
registry can be checked by anyone who rebuilds it.
"""

import gzip
import os
import pathlib
import re
import shutil
import tarfile

from kerasgan.zoo import registry as registry_lib


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the target, or is not a plain file or folder."""


def make_archive(name, out_dir=None, *, url=None, registry=None, zoo_dir=None):
    """Builds `NAME.tar.gz` from `zoo/NAME/` and records its SHA-256 in the registry.

    The folder's files are verified against the entry first, so the archive
    holds what the registry promises.

    Args:
        name: a registry entry.
        out_dir: where the archive is written (default: `dist/zoo` next to
            the zoo folder, which git ignores).
        url: where the archive will be downloadable from; recorded in the
            entry when given (else the entry's url is kept).
        registry, zoo_dir: the registry file and the zoo folder (defaults as
            in `kerasgan.zoo`).

    Returns:
        The archive's path (a `str`). Its hash is in `info(name)["archive_sha256"]`.
    """
    from kerasgan.zoo import loading

    entry = registry_lib.get_entry(name, registry)
    zoo = loading.zoo_dir(zoo_dir)
    if zoo is None:
        raise ValueError("No zoo folder found: pass zoo_dir= (the folder holding NAME/).")
    folder = zoo / name
    registry_lib.verify_files(folder, entry["files"])
    out_dir = pathlib.Path(out_dir) if out_dir is not None else zoo.parent / "dist" / "zoo"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.tar.gz"
    tmp = out_dir / f".{name}.tar.gz.tmp"
    try:
        with open(tmp, "wb") as raw, gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9
        ) as gz, tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for relpath in sorted(entry["files"]):
                info = tarfile.TarInfo(f"{name}/{relpath}")
                info.size = (folder / relpath).stat().st_size
                info.mode, info.mtime = 0o644, 0
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                with open(folder / relpath, "rb") as f:
                    tar.addfile(info, f)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    fields = {"archive_sha256": registry_lib.sha256_file(path), "archive_size": path.stat().st_size}
    if url is not None:
        fields["url"] = url
    registry_lib.update_entry(name, registry, **fields)
    return str(path)


def _member_parts(member, prefix):
    name = member.name
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise UnsafeArchiveError(f"Archive member {name!r} has an absolute path.")
    if "\\" in name:
        raise UnsafeArchiveError(f"Archive member {name!r} contains a backslash.")
    parts = name.rstrip("/").split("/") if member.isdir() else name.split("/")
    if ".." in parts:
        raise UnsafeArchiveError(f"Archive member {name!r} has a '..' component.")
    if any(p in ("", ".") for p in parts):
        raise UnsafeArchiveError(f"Archive member {name!r} has an empty or '.' component.")
    if prefix is not None and parts[0] != prefix:
        raise UnsafeArchiveError(f"Archive member {name!r} is not under {prefix}/.")
    if member.issym():
        raise UnsafeArchiveError(
            f"Archive member {name!r} is a symlink (to {member.linkname!r}); zoo archives "
            "hold only regular files and folders.")
    if member.islnk():
        raise UnsafeArchiveError(
            f"Archive member {name!r} is a hard link (to {member.linkname!r}); zoo archives "
            "hold only regular files and folders.")
    if member.ischr() or member.isblk() or member.isfifo():
        raise UnsafeArchiveError(f"Archive member {name!r} is a device or FIFO.")
    if not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"Archive member {name!r} is not a regular file or folder.")
    return parts


def safe_extract(archive, dest, prefix=None):
    """Extracts a `.tar.gz` into the existing folder `dest`, refusing anything unsafe.

    Every member is checked before anything is written: absolute paths, `..`
    or empty components, members outside `prefix/` (when given), symlinks,
    hard links, devices and FIFOs raise `UnsafeArchiveError`, as does a name
    listed twice. Files are written with mode 0644, folders 0755, and never
    replace an existing path.

    Returns:
        The paths of the extracted files, relative to `dest` ('/'-separated).
    """
    dest = pathlib.Path(dest)
    root = os.path.realpath(dest)
    with tarfile.open(archive, mode="r:gz") as tar:
        members = tar.getmembers()
        planned, seen = [], set()
        for member in members:
            parts = _member_parts(member, prefix)
            key = "/".join(parts)
            if key in seen:
                raise UnsafeArchiveError(f"Archive member {member.name!r} appears twice.")
            seen.add(key)
            target = os.path.realpath(os.path.join(root, *parts))
            if os.path.commonpath([root, target]) != root:  # belt and braces
                raise UnsafeArchiveError(f"Archive member {member.name!r} resolves outside {dest}.")
            planned.append((member, parts))
        written = []
        for member, parts in planned:
            target = dest.joinpath(*parts)
            if member.isdir():
                target.mkdir(mode=0o755, parents=True, exist_ok=True)
                continue
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            source = tar.extractfile(member)
            with source, open(target, "xb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            os.chmod(target, 0o644)
            written.append("/".join(parts))
    return written
