"""`kerasgan.zoo.registry`: entries, hashes, verification (no TensorFlow)."""

import hashlib
import json

import pytest

from kerasgan import zoo
from kerasgan.zoo import registry as registry_lib
from tests.zoo.conftest import write_small_entry


def test_build_entry_records_every_file_hash_and_size(zoo_env):
    entry = write_small_entry(zoo_env)
    folder = zoo_env.zoo / "small"
    assert sorted(entry["files"]) == ["README.md", "weights/a.bin", "weights/b.bin"]
    for relpath, meta in entry["files"].items():
        data = (folder / relpath).read_bytes()
        assert meta == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    on_disk = json.loads(zoo_env.registry.read_text())
    assert on_disk["version"] == 1
    assert on_disk["models"] == [entry]
    assert entry["licence"] == "CC0" and entry["metrics"] == {"fid": 1.5}
    assert entry["url"] is None and entry["archive_sha256"] is None


def test_list_and_info(zoo_env):
    assert zoo.list() == []
    write_small_entry(zoo_env, "b-model")
    write_small_entry(zoo_env, "a-model")
    assert zoo.list() == ["a-model", "b-model"]
    assert [e["name"] for e in zoo.list(details=True)] == ["a-model", "b-model"]
    info = zoo.info("b-model")
    assert info["family"] == "test" and info["resolution"] == 8
    info["family"] = "changed"  # a copy: the registry is unchanged
    assert zoo.info("b-model")["family"] == "test"


def test_unknown_name_lists_known_names(zoo_env):
    write_small_entry(zoo_env, "a-model")
    write_small_entry(zoo_env, "b-model")
    with pytest.raises(ValueError, match=r"Known: a-model, b-model\. Received: name='nope'"):
        zoo.info("nope")
    with pytest.raises(ValueError, match="Known: a-model, b-model"):
        zoo.load("nope")
    with pytest.raises(ValueError, match="Known: a-model, b-model"):
        zoo.download("nope")


def test_unknown_name_in_empty_registry_says_it_is_empty(zoo_env):
    with pytest.raises(ValueError, match="is empty"):
        zoo.info("nope")


def test_rebuilding_with_changed_files_drops_the_stale_url(zoo_env):
    write_small_entry(zoo_env)
    registry_lib.update_entry("small", url="http://example.invalid/small.tar.gz", archive_sha256="0" * 64)
    write_small_entry(zoo_env)  # same files: url kept
    assert zoo.info("small")["url"] == "http://example.invalid/small.tar.gz"
    (zoo_env.zoo / "small" / "README.md").write_text("# changed\n")
    entry = write_small_entry(zoo_env, files={"README.md": b"# changed\n"})
    assert entry["url"] is None and entry["archive_sha256"] is None
    assert zoo.list() == ["small"]  # replaced, not duplicated


def test_extras_are_stored_and_reserved_keys_refused(zoo_env):
    write_small_entry(zoo_env)
    entry = zoo.build_entry("small", zoo_env.zoo / "small", family="dcgan", command="kerasgan train dcgan")
    assert zoo.info("small")["command"] == "kerasgan train dcgan" == entry["command"]
    with pytest.raises(ValueError, match="reserved"):
        zoo.build_entry("small", zoo_env.zoo / "small", family="dcgan", **{"files": {}})


@pytest.mark.parametrize("name", ["", "../evil", "a/b", "Upper", ".hidden", None])
def test_bad_names_are_refused(zoo_env, name):
    with pytest.raises(ValueError, match="name"):
        registry_lib.check_name(name)


@pytest.mark.parametrize("relpath", ["../x", "/etc/passwd", "a/../../b", "a//b", "./a", "a\\b", "C:/x"])
def test_registry_file_paths_must_stay_inside(zoo_env, relpath):
    data = {"version": 1, "models": [{"name": "x", "files": {relpath: {"sha256": "0" * 64, "size": 1}}}]}
    zoo_env.registry.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="relative"):
        zoo.list()


def test_registry_url_needs_archive_hash(zoo_env):
    write_small_entry(zoo_env)
    data = json.loads(zoo_env.registry.read_text())
    data["models"][0]["url"] = "http://example.invalid/x.tar.gz"
    zoo_env.registry.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="archive_sha256"):
        zoo.info("small")


def test_tampered_byte_is_refused_naming_the_file_and_nothing_is_deleted(zoo_env):
    entry = write_small_entry(zoo_env)
    path = zoo_env.zoo / "small" / "weights" / "a.bin"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    actual = hashlib.sha256(bytes(data)).hexdigest()
    expected = entry["files"]["weights/a.bin"]["sha256"]
    with pytest.raises(zoo.ChecksumError) as error:
        zoo.download("small")
    message = str(error.value)
    assert str(path) in message and expected in message and actual in message
    assert error.value.expected == expected and error.value.actual == actual
    assert path.read_bytes() == bytes(data)  # still there, untouched
    remaining = sorted(p.name for p in (zoo_env.zoo / "small").rglob("*"))
    assert remaining == ["README.md", "a.bin", "b.bin", "weights"]


def test_truncated_local_file_is_refused_with_sizes(zoo_env):
    write_small_entry(zoo_env)
    path = zoo_env.zoo / "small" / "weights" / "b.bin"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(zoo.ChecksumError, match=r"b\.bin.*10000 bytes.*9999 bytes"):
        zoo.download("small")
    assert path.stat().st_size == 9999


def test_folder_files_refuses_symlinks(zoo_env, tmp_path):
    folder = tmp_path / "withlink"
    folder.mkdir()
    (folder / "a").write_text("a")
    (folder / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(ValueError, match="symlink"):
        zoo.folder_files(folder)


def test_package_registry_is_valid_json_schema():
    data = zoo.read_registry(registry_lib.PACKAGE_REGISTRY)
    assert data["version"] == 1 and isinstance(data["models"], list)
