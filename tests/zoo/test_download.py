"""Resolution order and downloads against a real HTTP server on 127.0.0.1 (no TensorFlow)."""

import hashlib
import shutil

import pytest

from kerasgan import zoo
from kerasgan.zoo import registry as registry_lib
from tests.zoo.test_archive import link, make_tar
from tests.zoo.conftest import write_small_entry


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
