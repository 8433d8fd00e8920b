"""`kerasgan.zoo.archive`: reproducible archives and safe extraction (no TensorFlow)."""

import hashlib
import io
import tarfile

import pytest

from kerasgan import zoo
from kerasgan.zoo import archive as archive_lib
from tests.zoo.conftest import write_small_entry


def make_tar(path, members):
    """Writes a .tar.gz of `members`: (name, bytes) files or prepared TarInfo objects."""
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def link(name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def test_make_archive_is_reproducible_and_recorded(zoo_env, tmp_path):
    entry = write_small_entry(zoo_env)
    path = zoo.make_archive("small", tmp_path / "dist", url="http://example.invalid/small.tar.gz")
    first = hashlib.sha256(open(path, "rb").read()).hexdigest()
    info = zoo.info("small")
    assert info["archive_sha256"] == first
    assert info["archive_size"] == len(open(path, "rb").read())
    assert info["url"] == "http://example.invalid/small.tar.gz"
    with tarfile.open(path) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == [f"small/{p}" for p in sorted(entry["files"])]
    assert all(m.isfile() and m.mtime == 0 and m.uid == 0 and m.uname == "" for m in members)
    again = zoo.make_archive("small", tmp_path / "dist2")
    assert hashlib.sha256(open(again, "rb").read()).hexdigest() == first
    assert zoo.info("small")["url"] == "http://example.invalid/small.tar.gz"  # kept


def test_make_archive_refuses_a_folder_that_does_not_match(zoo_env, tmp_path):
    write_small_entry(zoo_env)
    (zoo_env.zoo / "small" / "README.md").write_text("edited after build_entry\n")
    with pytest.raises(zoo.ChecksumError, match="README.md"):
        zoo.make_archive("small", tmp_path / "dist")
    assert not (tmp_path / "dist" / "small.tar.gz").exists()


def test_safe_extract_writes_files(tmp_path):
    archive = make_tar(tmp_path / "ok.tar.gz", [("m/a.txt", b"a"), ("m/sub/b.txt", b"bb")])
    dest = tmp_path / "dest"
    dest.mkdir()
    assert zoo.safe_extract(archive, dest, prefix="m") == ["m/a.txt", "m/sub/b.txt"]
    assert (dest / "m" / "sub" / "b.txt").read_bytes() == b"bb"


def _device(name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.CHRTYPE
    info.devmajor, info.devminor = 1, 3
    return info


def _fifo(name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.FIFOTYPE
    return info


@pytest.mark.parametrize(
    "members, reason",
    [
        ([("m/ok.txt", b"ok"), ("m/../../outside/evil", b"x")], "'..'"),
        ([("m/ok.txt", b"ok"), ("../outside/evil", b"x")], "'..'"),
        ([("/tmp/kerasgan-zoo-test-evil", b"x")], "absolute"),
        ([("m/ok.txt", b"ok"), link("m/link", "../../outside")], "symlink"),
        ([link("m/abs", "/etc/passwd")], "symlink"),
        ([("m/ok.txt", b"ok"), link("m/hard", "../outside/x", tarfile.LNKTYPE)], "hard link"),
        ([_device("m/null")], "device"),
        ([_fifo("m/fifo")], "device or FIFO"),
        ([("other/a.txt", b"a")], "not under m/"),
        ([("m/a.txt", b"a"), ("m/a.txt", b"b")], "twice"),
        ([("m/./a.txt", b"a")], "'.'"),
    ],
)
def test_safe_extract_refuses_unsafe_members_and_writes_nothing(tmp_path, members, reason):
    archive = make_tar(tmp_path / "bad.tar.gz", members)
    dest = tmp_path / "a" / "b" / "dest"
    dest.mkdir(parents=True)
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(zoo.UnsafeArchiveError, match=reason):
        zoo.safe_extract(archive, dest, prefix="m")
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, inside or out


def test_safe_extract_caps_the_declared_sizes_before_writing(tmp_path):
    archive = make_tar(tmp_path / "big.tar.gz", [("m/a.bin", bytes(600)), ("m/b.bin", bytes(600))])
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(zoo.UnsafeArchiveError,
                       match=r"more than 1000 bytes \(member 'm/b.bin': 600 bytes, 1200"):
        zoo.safe_extract(archive, dest, prefix="m", max_size=1000)
    assert list(dest.iterdir()) == []  # the running total failed on b's header: a not written either
    assert zoo.safe_extract(archive, dest, prefix="m", max_size=1200) == ["m/a.bin", "m/b.bin"]


def test_safe_extract_counts_the_bytes_really_written(tmp_path, monkeypatch):
    archive = make_tar(tmp_path / "a.tar.gz", [("m/a.bin", b"12345")])
    dest = tmp_path / "dest"
    dest.mkdir()
    # A member stream yielding more than its header declares (tarfile itself
    # never does; the count is the last line of defence).
    monkeypatch.setattr(tarfile.TarFile, "extractfile", lambda self, member: io.BytesIO(bytes(3 << 20)))
    with pytest.raises(zoo.UnsafeArchiveError, match="more than its header's 5 bytes"):
        zoo.safe_extract(archive, dest, prefix="m")
    assert (dest / "m" / "a.bin").stat().st_size == 0  # stopped before writing the first chunk


def test_safe_extract_refuses_too_many_members(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_lib, "MAX_MEMBERS", 3)
    archive = make_tar(tmp_path / "many.tar.gz", [(f"m/{i}", b"") for i in range(4)])
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(zoo.UnsafeArchiveError, match="more than 3 members"):
        zoo.safe_extract(archive, dest, prefix="m")
    assert list(dest.iterdir()) == []
