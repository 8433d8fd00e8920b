"""TFDS names end to end with a real builder prepared from local arrays (no
mock data): read offline with the split size TFDS recorded, and a dataset
that would need a download fails fast, in one line, leaving nothing."""

import os
import socket
import time

import numpy as np
import pytest
import tensorflow_datasets as tfds

import kerasgan
from kerasgan import cli
from kerasgan.data import sources

NAME = "kerasgan_test_tiny_digits"


class KerasganTestTinyDigits(tfds.core.GeneratorBasedBuilder):
    """40 train / 10 test random 8x8 grayscale images in 3 classes, generated locally."""

    VERSION = tfds.core.Version("1.0.0")

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self,
            features=tfds.features.FeaturesDict({
                "image": tfds.features.Image(shape=(8, 8, 1)),
                "label": tfds.features.ClassLabel(num_classes=3),
            }),
        )

    def _split_generators(self, dl_manager):
        return {"train": self._generate_examples(40), "test": self._generate_examples(10)}

    def _generate_examples(self, n):
        rng = np.random.default_rng(n)
        for i in range(n):
            yield i, {"image": rng.integers(0, 256, (8, 8, 1), dtype=np.uint8), "label": i % 3}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("tfds")
    KerasganTestTinyDigits(data_dir=str(data_dir)).download_and_prepare()
    return str(data_dir)


@pytest.fixture
def no_network(monkeypatch):
    """Any connection attempt fails the test: prepared data must be read offline."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network used: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv(sources.OFFLINE_ENV, "1")


def test_a_prepared_dataset_is_read_offline_with_its_size(prepared, no_network):
    info = kerasgan.data.info(NAME, data_dir=prepared)
    assert (info.kind, info.num_examples, info.num_classes, info.channels) == ("tfds", 40, 3, 1)
    assert kerasgan.data.info(NAME, data_dir=prepared, split="test").num_examples == 10
    images, labels = kerasgan.data.load_arrays(NAME, 16, data_dir=prepared, with_labels=True)
    assert images.shape == (40, 16, 16, 1) and sorted(set(labels.tolist())) == [0, 1, 2]


def test_the_cli_trains_on_a_prepared_dataset_without_a_step_count(prepared, no_network, tmp_path, capsys):
    out = tmp_path / "run"
    code = cli.main(["train", "dcgan", "--dataset", NAME, "--data-dir", prepared, "--epochs", "1",
                     "--image-size", "16", "--batch-size", "8", "--latent-dim", "8", "--num-samples", "4",
                     "--model", "generator_filters=4", "--model", "discriminator_filters=4",
                     "--no-tensorboard", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    run = (out / "run.json").read_text()
    assert '"steps_per_epoch": 5' in run  # 40 images // batch 8, from TFDS's split metadata
    assert (out / "model.keras").exists()


def test_a_download_without_network_fails_fast_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(sources.OFFLINE_ENV, "1")
    data_dir = tmp_path / "empty"
    start = time.monotonic()
    code = cli.main(["train", "dcgan", "--dataset", "mnist", "--data-dir", str(data_dir), "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2 and time.monotonic() - start < 30
    assert err.count("\n") == 1 and "not prepared in" in err and "no network" in err
    assert "tfds build mnist --data_dir DIR" in err and "--data-dir DIR" in err
    assert not data_dir.exists() or not any(data_dir.rglob("*"))  # nothing written


def test_the_network_probe_answers_quickly_when_nothing_listens(monkeypatch):
    monkeypatch.delenv(sources.OFFLINE_ENV, raising=False)
    for key in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(key, raising=False)
    with socket.socket() as s:  # a port that is closed: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(sources, "_PROBE", ("127.0.0.1", port))
    ok, why = sources.network_available(timeout=2)
    assert not ok and "127.0.0.1 cannot be reached" in why


def test_a_failed_download_removes_what_it_wrote(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "network_available", lambda: (True, ""))

    def interrupted(self, *args, **kwargs):
        partial = os.path.join(self.data_dir_root, "downloads", "file.tmp.partial")
        os.makedirs(os.path.dirname(partial), exist_ok=True)
        with open(partial, "wb") as f:
            f.write(b"half")
        os.makedirs(os.path.join(self.data_dir_root, NAME, "1.0.0.incomplete.ABC"))
        raise ConnectionError("Connection reset by peer")

    monkeypatch.setattr(KerasganTestTinyDigits, "download_and_prepare", interrupted)
    data_dir = tmp_path / "tfds"
    data_dir.mkdir()
    (data_dir / "mine.txt").write_text("kept")  # the user's files stay
    with pytest.raises(ValueError, match=r"Downloading TFDS dataset .* failed \(ConnectionError: "
                                         r"Connection reset by peer\); the partial files were removed"):
        kerasgan.data.load_arrays(NAME, 8, data_dir=str(data_dir))
    assert sorted(p.name for p in data_dir.iterdir()) == ["mine.txt"]
