"""`kerasgan train pix2pix --dataset SRC --target-dataset TGT` through the
task, and `kerasgan translate MODEL INPUT_DIR --out DIR`."""

import json

import numpy as np
import pytest
from PIL import Image

from kerasgan import cli


def _folders(tmp_path, n=12):
    src, tgt = tmp_path / "tw", tmp_path / "noto"
    src.mkdir()
    tgt.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        image = rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)
        Image.fromarray(image).save(src / f"1f6{i:02x}.png")
        Image.fromarray(255 - image).save(tgt / f"emoji_u1f6{i:02x}.png")
    return src, tgt


def test_train_pix2pix_on_two_folders_then_translate_a_folder(tmp_path, capsys):
    src, tgt = _folders(tmp_path)
    out = tmp_path / "run"
    code = cli.main(["train", "pix2pix", "--dataset", str(src), "--target-dataset", str(tgt), "--split", "all",
                     "--image-size", "16", "--batch-size", "4", "--epochs", "1", "--steps-per-epoch", "2",
                     "--model", "generator_filters=2", "--model", "discriminator_filters=2",
                     "--num-samples", "4", "--no-tensorboard", "--out", str(out)])
    assert code == 0
    run = json.loads((out / "run.json").read_text())
    assert run["family"] == "pix2pix" and run["target_dataset"] == str(tgt)
    assert "latent_dim" not in run["model_config"]
    grid = np.array(Image.open(out / "samples" / "epoch_0001.png"))
    assert grid.shape[1] > grid.shape[0] / 4 * 2  # input | output | target columns
    translated = tmp_path / "translated"
    assert cli.main(["translate", str(out / "model.keras"), str(src), "--out", str(translated)]) == 0
    files = sorted(p.name for p in translated.iterdir())
    assert files == sorted(p.name for p in src.iterdir())
    assert np.array(Image.open(translated / files[0])).shape == (16, 16, 3)
    # Existing outputs are kept unless --overwrite.
    assert cli.main(["translate", str(out / "model.keras"), str(src), "--out", str(translated)]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_latent_families_refuse_a_target_dataset_and_translation_needs_one(tmp_path):
    from kerasgan import trainer

    src, tgt = _folders(tmp_path)
    with pytest.raises(ValueError, match="target_dataset="):
        trainer.train("dcgan", dataset=str(src), target_dataset=str(tgt), out=str(tmp_path / "d"), dry_run=True)
    with pytest.raises(ValueError, match="target_dataset=None"):
        trainer.train("pix2pix", dataset=str(src), out=str(tmp_path / "p"), dry_run=True)
