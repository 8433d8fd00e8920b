"""What a new user meets first on the command line (issue 15): defaults in
--help, a --dry-run that validates, quiet output, CLI remedies in every
error, run folders accepted, and unlabelled images scored offline."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from kerasgan import cli
from kerasgan import zoo
from tests.conftest import REPO_ROOT

TINY = ["--image-size", "16", "--batch-size", "8", "--latent-dim", "8", "--num-samples", "4",
        "--model", "generator_filters=4", "--model", "discriminator_filters=4", "--no-tensorboard"]
MNIST_EXTRACTOR = REPO_ROOT / "zoo" / "extractors" / "mnist-classifier.keras"


def test_help_shows_the_defaults_and_which_extractors_need_labels():
    parser = cli.build_parser()
    sub = {a.dest: a for a in parser._actions}["command"].choices
    train = " ".join(sub["train"].format_help().split())
    assert "(default: 10)" in train and "(default: 64)" in train and "--verbose" in train
    assert "(default: None)" not in train
    evaluate = " ".join(sub["evaluate"].format_help().split())
    assert "so it needs labels" in evaluate and "--inception-weights FILE" in evaluate
    assert "(default: 2000)" in evaluate


def test_dry_run_validates_and_resolves(capsys):
    assert cli.main(["train", "dcgan", "--image-size", "72", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "power-of-two" in err and "Received: --image-size 72" in err
    assert cli.main(["train", "dcgan", "--dry-run", "--model", "no_such_argument=1"]) != 0
    capsys.readouterr()
    assert cli.main(["train", "dcgan", "--dry-run"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["channels"] == 1 and config["steps_per_epoch"] == 1797 // 64


def test_python_advice_is_rewritten_as_flags():
    assert cli.cli_message("Fix or remove it, or pass on_corrupt='skip' to leave") == \
        "Fix or remove it, or pass --on-corrupt skip to leave"
    assert cli.cli_message("unknown: pass steps_per_epoch.") == "unknown: pass --steps-per-epoch N."
    assert "--on-nan rollback" in cli.cli_message("or rerun with on_nan='rollback'")


def test_the_console_script_prints_only_its_own_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    missing = tmp_path / "missing.keras"
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "kerasgan"), "sample", str(missing)],
                            capture_output=True, text=True, env=env, timeout=120)
    # TensorFlow was imported (to load the model) and said nothing.
    assert result.returncode == 1
    assert result.stderr == f"kerasgan: no model file at {missing}\n"


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    """An unlabelled folder of 16 images plus one corrupt file, and a 1-epoch run on it."""
    root = tmp_path_factory.mktemp("first_hour")
    images = root / "images"
    images.mkdir()
    rng = np.random.default_rng(0)
    for i in range(16):
        Image.fromarray(rng.integers(0, 256, (16, 16), dtype=np.uint8)).save(images / f"{i:02d}.png")
    (images / "broken.png").write_bytes(b"\x89PNG not really")
    return root, images


def test_a_corrupt_image_names_the_flag_that_skips_it(folder_run, capsys):
    root, images = folder_run
    args = ["train", "dcgan", "--dataset", str(images), "--epochs", "1", "--out", str(root / "run"), *TINY]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "broken.png" in err and "--on-corrupt skip" in err and "on_corrupt=" not in err
    assert cli.main([*args, "--on-corrupt", "skip"]) == 0
    header = (root / "run" / "history.csv").read_text().splitlines()
    assert header[0] == "epoch,d_loss,g_loss" and header[1].startswith("1,")
    # The run folder is accepted where a model file is.
    assert cli.main(["sample", str(root / "run"), "-n", "4", "--out", str(root / "grid.png")]) == 0
    assert (root / "grid.png").exists()


def test_unlabelled_images_are_scored_with_a_saved_extractor(folder_run, capsys, tmp_path, monkeypatch):
    root, images = folder_run
    if not (root / "run" / "model.keras").exists():
        pytest.skip("needs the run of test_a_corrupt_image_names_the_flag_that_skips_it")
    common = ["evaluate", str(root / "run"), "--dataset", str(images), "--on-corrupt", "skip",
              "--num-samples", "32", "--metrics", "fid"]
    capsys.readouterr()
    # The default extractor needs labels: the error names the ones that do not.
    assert cli.main(common) == 2
    err = capsys.readouterr().err
    assert "has none" in err and "--extractor FILE.keras" in err and "--inception-weights FILE" in err
    # Offline, Inception's weights are absent: the remedy is a flag, not Python.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    assert cli.main([*common, "--extractor", "inception"]) == 2
    err = capsys.readouterr().err
    assert "--inception-weights FILE" in err and "weights=" not in err and err.count("\n") == 1
    assert cli.main([*common, "--inception-weights", str(tmp_path / "none.h5")]) == 2
    assert "no such file" in capsys.readouterr().err
    # The zoo's saved extractor scores them (no labels needed).
    assert cli.main([*common, "--extractor", str(MNIST_EXTRACTOR), "--json", str(tmp_path / "r.json")]) == 0
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["extractor"].startswith("mnist-classifier@sha256:8314d093") and results["fid"] > 0


def test_a_zoo_entry_is_scored_with_its_own_extractor_and_data(monkeypatch, tmp_path):
    entry = zoo.info("dcgan-mnist-32")
    args = cli.build_parser().parse_args(["evaluate", "dcgan-mnist-32"])
    extractor = cli._extractor(args, "unused", None, None, entry=entry)
    assert extractor.identity == entry["extractor"]
    monkeypatch.setenv("KERASGAN_SHARED_DATA", str(tmp_path))
    assert zoo.eval_dataset(entry) == f"{tmp_path}/mnist/t10k-images-idx3-ubyte.gz"
    # Tampered weights are refused, naming both hashes.
    bad = dict(entry, extractor=entry["extractor"][:-4] + "0000")
    with pytest.raises(zoo.ChecksumError, match="mnist-classifier.keras"):
        cli._extractor(args, "unused", None, None, entry=bad)


def test_every_card_gives_the_evaluation_command():
    """Latent entries: `kerasgan evaluate NAME ...`; entries of other tasks
    (translation, super-resolution, text -> image) are measured by their build script,
    whose measure-only command the card gives."""
    from kerasgan import models
    from kerasgan.engine.tasks import task_of

    for name in zoo.list():
        card = (REPO_ROOT / "zoo" / name / "README.md").read_text()
        family = models.FAMILIES[zoo.info(name)["family"]]
        if task_of(family).name == "latent_to_image":
            assert f"kerasgan evaluate {name} --num-samples 5000" in card, name
        else:
            # `build_X.py --measure-only`, or `build_X.py NAME --measure-only` for a script of several entries.
            assert re.search(r"training/build_\w+\.py (" + re.escape(name) + r" )?--measure", card), name
