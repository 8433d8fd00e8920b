import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from kerasgan import cli

TINY = ["--image-size", "16", "--batch-size", "16", "--latent-dim", "8", "--steps-per-epoch", "2",
        "--num-samples", "4", "--model", "generator_filters=4", "--model", "discriminator_filters=4",
        "--no-tensorboard"]


def test_train_then_sample_through_the_installed_command(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = tmp_path / "run"
    train = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "kerasgan"), "train", "dcgan", "--dataset", "digits",
         "--epochs", "2", "--out", str(out), *TINY],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert train.returncode == 0, train.stderr[-3000:]
    # Keras' progress output with the per-epoch losses.
    assert "Epoch 2/2" in train.stdout and "d_loss" in train.stdout and "g_loss" in train.stdout
    assert sorted(os.listdir(out / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    assert (out / "model.keras").exists() and (out / "checkpoints" / "checkpoint").exists()
    assert json.loads((out / "run.json").read_text())["command"].startswith("kerasgan train dcgan")

    grid = tmp_path / "grid.png"
    assert cli.main(["sample", str(out / "model.keras"), "-n", "9", "--out", str(grid), "--seed", "1"]) == 0
    image = np.array(Image.open(grid))
    assert image.shape == (3 * 18 + 2, 3 * 18 + 2)  # 3x3 tiles of 16 px with 2 px padding
    assert image.std() > 0


def test_dry_run_prints_the_configuration(capsys):
    assert cli.main(["train", "wgan_gp", "--epochs", "3", "--compile", "n_critic=2", "--dry-run"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["family"] == "wgan_gp" and config["epochs"] == 3
    assert config["compile_kwargs"] == {"n_critic": 2} and config["out"] == os.path.join("runs", "wgan_gp")


def test_errors_name_the_problem(tmp_path, capsys):
    assert cli.main(["train", "nope", "--out", str(tmp_path / "x"), "--epochs", "1"]) == 2
    assert "Unknown model family" in capsys.readouterr().err
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a zip file")
    try:
        cli.main(["sample", str(corrupt)])
    except SystemExit as e:
        assert "could not load the model" in str(e) and "corrupt.keras" in str(e)
    else:
        raise AssertionError("a corrupt model file must be refused")


def test_evaluate_scores_a_saved_model_and_caches_the_classifier(tmp_path, capsys):
    import kerasgan

    gan = kerasgan.models.DCGAN((16, 16, 1), latent_dim=4, generator_filters=2, discriminator_filters=2, seed=0)
    gan.save(tmp_path / "m.keras")
    args = ["evaluate", str(tmp_path / "m.keras"), "--dataset", "digits", "--metrics", "fid,kid",
            "--num-samples", "200", "--cache-dir", str(tmp_path / "cache"), "--json", str(tmp_path / "r.json")]
    assert cli.main(args) == 0
    first = capsys.readouterr().out
    assert "Training the domain classifier" in first and "FID" in first
    results = json.loads((tmp_path / "r.json").read_text())
    # An untrained generator is far from the real digits.
    assert results["fid"] > 50 and results["num_samples"] == 200
    assert results["extractor"].startswith("domain_classifier")
    assert cli.main(args) == 0
    assert "Training the domain classifier" not in capsys.readouterr().out
    assert json.loads((tmp_path / "r.json").read_text())["fid"] == results["fid"]


def test_evaluate_a_saved_model_export_scores_like_the_keras_file(tmp_path, capsys):
    import kerasgan

    gan = kerasgan.models.DCGAN((16, 16, 1), latent_dim=4, generator_filters=2, discriminator_filters=2, seed=0)
    gan.save(tmp_path / "m.keras")
    assert cli.main(["export", str(tmp_path / "m.keras"), "--out", str(tmp_path / "exports" / "m"),
                     "--version", "1", "--no-warmup"]) == 0
    common = ["--dataset", "digits", "--metrics", "fid", "--num-samples", "100", "--cache-dir", str(tmp_path / "c")]
    assert cli.main(["evaluate", str(tmp_path / "m.keras"), *common, "--json", str(tmp_path / "a.json")]) == 0
    assert cli.main(["evaluate", str(tmp_path / "exports" / "m"), *common, "--json", str(tmp_path / "b.json")]) == 0
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    # The export draws the same latents for a seed as `generate`: the same score.
    assert abs(a["fid"] - b["fid"]) < 1e-3 * a["fid"]
