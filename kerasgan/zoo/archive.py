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
import tarfile

from kerasgan.utils.hashing import sha256_file
from kerasgan.zoo import registry as registry_lib

#: Without `max_size`, an archive may extract to at most this multiple of its
#: own size (zoo archives hold weights, PNGs and protos: they expand ~1.1-1.4x;
#: a gzip bomb expands ~1000x) ...
MAX_EXPANSION = 16
#: ... but never less than this many bytes (small archives of text compress well).
MIN_EXTRACT_CAP = 64 << 20
#: The most members an archive may have (a zoo entry has a few dozen files).
MAX_MEMBERS = 10_000
_CHUNK = 1 << 20


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the target, is not a plain
    file or folder, or the archive would extract to more than allowed."""


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
    fields = {"archive_sha256": sha256_file(path), "archive_size": path.stat().st_size}
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


def default_extract_cap(archive):
    """The most bytes `safe_extract` writes from `archive` when not given `max_size`."""
    return max(MIN_EXTRACT_CAP, MAX_EXPANSION * os.path.getsize(archive))


def safe_extract(archive, dest, prefix=None, *, max_size=None):
    """Extracts a `.tar.gz` into the existing folder `dest`, refusing anything unsafe.

    Every member is checked before anything is written: absolute paths, `..`
    or empty components, members outside `prefix/` (when given), symlinks,
    hard links, devices and FIFOs raise `UnsafeArchiveError`, as does a name
    listed twice, more than `MAX_MEMBERS` members, or file sizes (as the
    members' headers declare them) adding up to more than `max_size`. The
    headers are read one at a time, so an oversized member is refused as soon
    as its header is read, before its data is decompressed. Files are then
    written in chunks, counting the bytes really written against each
    member's size and `max_size` (belt and braces: a stream that yields more
    than its header said stops there, and the files written so far stay in
    `dest`, so extract into a temporary folder). Files are written with mode
    0644, folders 0755, and never replace an existing path.

    Args:
        archive: the `.tar.gz` file.
        dest: an existing folder.
        prefix: the one top-level folder every member must be under.
        max_size: the most bytes all files together may hold (e.g. the sum
            of the sizes the registry lists for the entry); default
            `default_extract_cap(archive)`: `MAX_EXPANSION` times the
            archive's size, at least `MIN_EXTRACT_CAP`.

    Returns:
        The paths of the extracted files, relative to `dest` ('/'-separated).
    """
    dest = pathlib.Path(dest)
    root = os.path.realpath(dest)
    cap = default_extract_cap(archive) if max_size is None else int(max_size)

    def too_large(name, size, total):
        return UnsafeArchiveError(
            f"The archive {archive} would extract to more than {cap} bytes (member {name!r}: "
            f"{size} bytes, {total} bytes in all so far). Nothing was written"
            + ("." if max_size is not None else
               f" (the cap is {MAX_EXPANSION}x the archive's size, at least {MIN_EXTRACT_CAP}; "
               "pass max_size= to change it).")
        )

    with tarfile.open(archive, mode="r:gz") as tar:
        planned, seen, total = [], set(), 0
        for member in tar:  # lazily: each header is checked before the next is read
            parts = _member_parts(member, prefix)
            key = "/".join(parts)
            if key in seen:
                raise UnsafeArchiveError(f"Archive member {member.name!r} appears twice.")
            seen.add(key)
            if len(seen) > MAX_MEMBERS:
                raise UnsafeArchiveError(f"The archive {archive} has more than {MAX_MEMBERS} members.")
            target = os.path.realpath(os.path.join(root, *parts))
            if os.path.commonpath([root, target]) != root:  # belt and braces
                raise UnsafeArchiveError(f"Archive member {member.name!r} resolves outside {dest}.")
            if member.isfile():
                total += member.size
                if total > cap:
                    raise too_large(member.name, member.size, total)
            planned.append((member, parts))
        written, total = [], 0
        for member, parts in planned:
            target = dest.joinpath(*parts)
            if member.isdir():
                target.mkdir(mode=0o755, parents=True, exist_ok=True)
                continue
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            source = tar.extractfile(member)
            with source, open(target, "xb") as out:
                size = 0
                while chunk := source.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > member.size or total > cap:
                        raise UnsafeArchiveError(
                            f"Archive member {member.name!r} yielded more than its header's "
                            f"{member.size} bytes or the archive more than {cap} bytes in all; "
                            f"stopped at {size} bytes ({total} in all). The files written so far "
                            f"are in {dest}."
                        )
                    out.write(chunk)
            os.chmod(target, 0o644)
            written.append("/".join(parts))
    return written
