"""`kerasgan zoo list|info|download|sample` (kerasgan/cli_zoo.py)."""

import argparse
import json
import pathlib

import numpy as np
from PIL import Image

from kerasgan.cli_zoo import add_zoo_parser, run_zoo
from kerasgan.utils import image_grid
from tests.zoo.conftest import NAME, add_checkpoint, write_small_entry


def run(argv):
    parser = argparse.ArgumentParser(prog="kerasgan")
    add_zoo_parser(parser.add_subparsers(dest="command", required=True))
    return run_zoo(parser.parse_args(["zoo"] + argv))


def test_list_and_info(zoo_env, capsys):
    assert run(["list"]) == 0
    assert "has no entries" in capsys.readouterr().out
    write_small_entry(zoo_env)
    assert run(["list"]) == 0
    out = capsys.readouterr().out
    assert "small" in out and f"checkout: {zoo_env.zoo / 'small'}" in out
    assert run(["info", "small"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "small" and info["licence"] == "CC0" and info["local"].startswith("checkout")


def test_download_prints_the_verified_folder(zoo_env, capsys):
    write_small_entry(zoo_env)
    assert run(["download", "small"]) == 0
    assert capsys.readouterr().out.strip() == str(zoo_env.zoo / "small")


def test_errors_exit_2_with_the_message(zoo_env, capsys):
    write_small_entry(zoo_env)
    assert run(["info", "nope"]) == 2
    assert "Known: small" in capsys.readouterr().err
    (zoo_env.zoo / "small" / "README.md").write_text("tampered")
    assert run(["download", "small"]) == 2
    assert "SHA-256 mismatch" in capsys.readouterr().err


def test_list_marks_a_corrupted_local_copy(zoo_env, capsys):
    write_small_entry(zoo_env)
    assert run(["list"]) == 0
    assert "CORRUPT" not in capsys.readouterr().out
    (zoo_env.zoo / "small" / "weights" / "b.bin").write_bytes(b"\x00\x02" * 5000)  # same size
    assert run(["list"]) == 0
    out = capsys.readouterr().out
    assert f"checkout: {zoo_env.zoo / 'small'} CORRUPT" in out and "b.bin fails its check" in out


def test_sample_writes_a_grid(zoo_env, tiny_checkpoint, tmp_path, capsys):
    add_checkpoint(zoo_env, tiny_checkpoint)
    out = tmp_path / "grid.png"
    assert run(["sample", NAME, "-n", "4", "--out", str(out), "--seed", "0", "--columns", "2"]) == 0
    assert "Wrote 4 samples" in capsys.readouterr().out
    grid = np.asarray(Image.open(out)).astype(int)
    expected = image_grid(tiny_checkpoint[1]["seed0"], columns=2)[..., 0].astype(int)
    assert grid.shape == expected.shape == (38, 38)
    assert np.abs(grid - expected).max() <= 1


def test_sample_refuses_an_entry_that_does_not_sample_from_latents(tmp_path, monkeypatch, capsys):
    """The real registry's super-resolution entry: one error line naming its
    task and the command to use instead, nothing written."""
    from kerasgan.zoo import registry as registry_lib

    monkeypatch.setenv("KERASGAN_ZOO_REGISTRY", str(registry_lib.PACKAGE_REGISTRY))
    monkeypatch.setenv("KERASGAN_ZOO_DIR", str(pathlib.Path(__file__).resolve().parents[2] / "zoo"))
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))  # never ~/.cache
    out = tmp_path / "grid.png"
    assert run(["sample", "srgan-emoji-x4", "-n", "4", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "does not sample from latents (its task is super_resolution): use `kerasgan upscale`" in err
    assert not out.exists()
