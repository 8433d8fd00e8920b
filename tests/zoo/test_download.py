"""Resolution order and downloads against a real HTTP server on 127.0.0.1 (no TensorFlow)."""

import hashlib
import importlib
import io
import shutil
import tarfile
import time

import pytest

from kerasgan import zoo
from kerasgan.zoo import archive as archive_lib
from kerasgan.zoo import registry as registry_lib
from tests.zoo.test_archive import link, make_tar
from tests.zoo.conftest import write_small_entry

download_lib = importlib.import_module("kerasgan.zoo.download")  # `zoo.download` is the function


def publish(env, server, name="small"):
    """Builds the entry's archive, serves it, records its url; removes the checkout copy."""
    path = zoo.make_archive(name, env.root / "dist", url=server.url(f"{name}.tar.gz"))
    shutil.copy(path, server.root / f"{name}.tar.gz")
    shutil.move(env.zoo / name, env.root / "moved-away")  # only the url is left
    return (server.root / f"{name}.tar.gz").read_bytes()


def serve_instead(env, server, data, name="small"):
    """Serves `data` as the entry's archive and registers it as the genuine one."""
    (server.root / f"{name}.tar.gz").write_bytes(data)
    registry_lib.update_entry(name, url=server.url(f"{name}.tar.gz"),
                              archive_sha256=hashlib.sha256(data).hexdigest(), archive_size=len(data))


def assert_cache_clean(env, name="small"):
    assert not (env.cache / name).exists()
    leftovers = [p.name for p in env.cache.iterdir()] if env.cache.exists() else []
    assert leftovers == []  # no partial file, no temporary folder
    assert list(env.outside.iterdir()) == []


def test_good_archive_is_downloaded_extracted_and_verified(zoo_env, server):
    entry = write_small_entry(zoo_env)
    publish(zoo_env, server)
    assert zoo.locate("small") == (None, None)
    folder = zoo.download("small", verbose=False)
    assert folder == zoo_env.cache / "small"
    assert zoo.locate("small") == ("cache", folder)
    assert registry_lib.folder_files(folder) == entry["files"]
    assert sorted(p.name for p in zoo_env.cache.iterdir()) == ["small"]  # archive removed
    assert len(server.requests) == 1
    # Second call: served from the cache, no request.
    assert zoo.download("small", verbose=False) == folder
    assert len(server.requests) == 1


def test_truncated_archive_is_refused_and_cache_untouched(zoo_env, server):
    write_small_entry(zoo_env)
    data = publish(zoo_env, server)
    (server.root / "small.tar.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(zoo.ChecksumError) as error:
        zoo.download("small", verbose=False)
    message = str(error.value)
    assert server.url("small.tar.gz") in message and zoo.info("small")["archive_sha256"] in message
    assert_cache_clean(zoo_env)


def test_tampered_archive_is_refused(zoo_env, server):
    write_small_entry(zoo_env)
    data = bytearray(publish(zoo_env, server))
    data[len(data) // 2] ^= 0x01
    (server.root / "small.tar.gz").write_bytes(bytes(data))
    with pytest.raises(zoo.ChecksumError, match="archive downloaded from"):
        zoo.download("small", verbose=False)
    assert_cache_clean(zoo_env)


def test_archive_with_dotdot_member_is_rejected_and_nothing_written_outside(zoo_env, server):
    write_small_entry(zoo_env)
    publish(zoo_env, server)
    evil = make_tar(zoo_env.root / "evil.tar.gz",
                    [("small/README.md", b"# small\n"), ("small/../../outside/evil", b"pwned")])
    serve_instead(zoo_env, server, evil.read_bytes())
    with pytest.raises(zoo.UnsafeArchiveError, match=r"'\.\.'"):
        zoo.download("small", verbose=False)
    assert_cache_clean(zoo_env)
    assert not list(zoo_env.root.rglob("evil")) and not (zoo_env.home / "evil").exists()


def test_archive_with_symlink_member_is_rejected(zoo_env, server):
    write_small_entry(zoo_env)
    publish(zoo_env, server)
    evil = make_tar(zoo_env.root / "evil.tar.gz",
                    [link("small/weights", str(zoo_env.outside)), ("small/weights/a.bin", b"x")])
    serve_instead(zoo_env, server, evil.read_bytes())
    with pytest.raises(zoo.UnsafeArchiveError, match="symlink"):
        zoo.download("small", verbose=False)
    assert_cache_clean(zoo_env)


def test_interrupted_download_keeps_partial_and_resumes_with_range(zoo_env, server):
    entry = write_small_entry(zoo_env)
    data = publish(zoo_env, server)
    server.configure(cut_after=len(data) // 3)
    with pytest.raises(ConnectionError, match="resume"):
        zoo.download("small", verbose=False)
    partial = zoo_env.cache / "small.tar.gz.partial"
    assert partial.read_bytes() == data[: len(data) // 3]
    assert not (zoo_env.cache / "small").exists()
    server.configure()
    folder = zoo.download("small", verbose=False)
    assert server.requests[-1]["range"] == f"bytes={len(data) // 3}-"
    assert registry_lib.folder_files(folder) == entry["files"]
    assert not partial.exists()


def test_server_without_range_support_restarts_the_download(zoo_env, server):
    entry = write_small_entry(zoo_env)
    data = publish(zoo_env, server)
    zoo_env.cache.mkdir(parents=True)
    (zoo_env.cache / "small.tar.gz.partial").write_bytes(data[:10])
    server.configure(ranges=False)
    folder = zoo.download("small", verbose=False)
    assert server.requests[-1]["range"] == "bytes=10-"  # asked, got a 200, started over
    assert registry_lib.folder_files(folder) == entry["files"]


def test_complete_partial_file_is_used_without_a_request(zoo_env, server):
    write_small_entry(zoo_env)
    data = publish(zoo_env, server)
    zoo_env.cache.mkdir(parents=True)
    (zoo_env.cache / "small.tar.gz.partial").write_bytes(data)
    zoo.download("small", verbose=False)
    assert server.requests == []


def test_checkout_is_preferred_to_cache(zoo_env):
    write_small_entry(zoo_env)
    shutil.copytree(zoo_env.zoo / "small", zoo_env.cache / "small")
    assert zoo.download("small") == zoo_env.zoo / "small"
    shutil.move(zoo_env.zoo / "small", zoo_env.root / "moved-away")
    assert zoo.download("small") == zoo_env.cache / "small"


def test_incomplete_checkout_folder_falls_through_to_the_cache(zoo_env):
    write_small_entry(zoo_env)
    shutil.copytree(zoo_env.zoo / "small", zoo_env.cache / "small")
    (zoo_env.zoo / "small" / "weights" / "a.bin").unlink()  # e.g. weights not committed
    assert zoo.locate("small") == ("cache", zoo_env.cache / "small")


def test_tampered_checkout_copy_is_an_error_not_a_silent_fallback(zoo_env):
    write_small_entry(zoo_env)
    shutil.copytree(zoo_env.zoo / "small", zoo_env.cache / "small")
    (zoo_env.zoo / "small" / "README.md").write_text("# tampered\n")
    with pytest.raises(zoo.ChecksumError, match="README.md"):
        zoo.download("small")
    assert (zoo_env.zoo / "small" / "README.md").read_text() == "# tampered\n"


def test_incomplete_cache_folder_is_reported_not_deleted(zoo_env, server):
    write_small_entry(zoo_env)
    publish(zoo_env, server)
    (zoo_env.cache / "small").mkdir(parents=True)
    (zoo_env.cache / "small" / "mine.txt").write_text("user's file")
    with pytest.raises(FileNotFoundError, match="incomplete"):
        zoo.download("small", verbose=False)
    assert (zoo_env.cache / "small" / "mine.txt").read_text() == "user's file"
    assert server.requests == []


def test_no_copy_and_no_url_says_where_it_looked(zoo_env):
    write_small_entry(zoo_env)
    shutil.move(zoo_env.zoo / "small", zoo_env.root / "moved-away")
    with pytest.raises(FileNotFoundError, match="no download url"):
        zoo.download("small")


def test_http_error_is_raised_and_cache_clean(zoo_env, server):
    write_small_entry(zoo_env)
    publish(zoo_env, server)
    (server.root / "small.tar.gz").unlink()
    with pytest.raises(OSError, match="404"):
        zoo.download("small", verbose=False)
    assert_cache_clean(zoo_env)


# ------------------------------------------------------- hostile servers
def test_endless_body_stops_at_the_registry_size_and_removes_the_partial(zoo_env, server):
    write_small_entry(zoo_env)
    publish(zoo_env, server)
    size = zoo.info("small")["archive_size"]
    server.configure(hostile="endless")  # 200, no Content-Length, zeros until we hang up
    began = time.monotonic()
    with pytest.raises(download_lib.DownloadTooLargeError) as error:
        zoo.download("small", verbose=False)
    assert time.monotonic() - began < 5
    message = str(error.value)
    assert "small" in message and f"{size} bytes" in message and server.url("small.tar.gz") in message
    assert_cache_clean(zoo_env)  # the partial file was removed


def test_announced_oversize_is_refused_before_reading(zoo_env, server, tmp_path):
    (server.root / "big.bin").write_bytes(bytes(5000))
    target = tmp_path / "big.bin.partial"
    with pytest.raises(download_lib.DownloadTooLargeError, match="4000 bytes.*5000 bytes"):
        download_lib.download_file(server.url("big.bin"), target, expected_size=4000, verbose=False)
    assert not target.exists()
    server.configure(hostile="endless")
    with pytest.raises(download_lib.DownloadTooLargeError, match="max_size"):  # size unknown
        download_lib.download_file(server.url("big.bin"), target, max_size=300_000, verbose=False)
    assert not target.exists()


@pytest.mark.parametrize("hostile", ["drip", "drip-headers"])
def test_slow_drip_is_stopped_by_the_deadline_and_the_partial_kept(zoo_env, server, tmp_path, hostile):
    (server.root / "slow.bin").write_bytes(bytes(range(256)) * 4)
    server.configure(hostile=hostile, drip_interval=0.1)  # each byte well within timeout=5
    target = tmp_path / "slow.bin.partial"
    began = time.monotonic()
    with pytest.raises(download_lib.DownloadDeadlineError, match="deadline of 0.8 s") as error:
        download_lib.download_file(server.url("slow.bin"), target, expected_size=1024, timeout=5,
                                   deadline=0.8, verbose=False)
    assert 0.8 <= time.monotonic() - began < 2.0
    assert isinstance(error.value, ConnectionError)  # "call again to resume", as a cut
    if hostile == "drip":
        kept = target.read_bytes()
        assert 0 < len(kept) < 1024 and kept == (bytes(range(256)) * 4)[: len(kept)]
    else:
        assert not target.exists() or target.stat().st_size == 0


def test_zoo_download_uses_the_default_deadline(zoo_env, server, monkeypatch):
    write_small_entry(zoo_env)
    publish(zoo_env, server)
    server.configure(hostile="drip", drip_interval=0.1)
    monkeypatch.setattr(download_lib, "DEFAULT_DEADLINE", 0.5)
    with pytest.raises(download_lib.DownloadDeadlineError, match="small"):
        zoo.download("small", verbose=False)
    assert (zoo_env.cache / "small.tar.gz.partial").exists()  # kept for the next call
    assert not (zoo_env.cache / "small").exists()


def test_bad_deadline_is_refused(tmp_path):
    with pytest.raises(ValueError, match="deadline=0"):
        download_lib.download_file("http://127.0.0.1:9/x", tmp_path / "x", deadline=0)


def test_tar_bomb_with_matching_hash_is_refused_before_writing(zoo_env, server, monkeypatch):
    write_small_entry(zoo_env)
    publish(zoo_env, server)
    bomb = zoo_env.root / "bomb.tar.gz"
    with tarfile.open(bomb, "w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo("small/weights/a.bin")
        info.size = 32 << 20  # 32 MiB of zeros: ~150 KiB compressed
        tar.addfile(info, io.BytesIO(bytes(info.size)))
    assert bomb.stat().st_size < 1 << 20
    serve_instead(zoo_env, server, bomb.read_bytes())  # the registry's hash matches
    monkeypatch.setattr(archive_lib, "MIN_EXTRACT_CAP", 1 << 20)
    writes = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda f, mode="r", *a, **k: (
        writes.append(str(f)) if "x" in mode else None) or real_open(f, mode, *a, **k))
    # zoo.download caps the extraction at the entry's own total file size.
    cap = sum(f["size"] for f in zoo.info("small")["files"].values())
    assert cap < 1 << 20
    with pytest.raises(zoo.UnsafeArchiveError, match=rf"more than {cap} bytes.*33554432 bytes"):
        zoo.download("small", verbose=False)
    assert writes == []  # refused on the member's header, before any file was created
    assert_cache_clean(zoo_env)
