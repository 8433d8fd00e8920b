"""Folders labelled by a file (kerasgan/data/labels.py): Emojibase groups
and `file,label` CSVs, through `kerasgan.data.info` / `load` and
`kerasgan train --labels-file`."""

import json

import numpy as np
import pytest
from PIL import Image

import kerasgan
from kerasgan.data import LabelledFolder, labels as labels_lib

ENTRIES = [
    {"label": "grinning face", "hexcode": "1F600", "group": 0},
    {"label": "red apple", "hexcode": "1F34E", "group": 4},
    {"label": "red heart", "hexcode": "2764-FE0F", "group": 0},
    {"label": "waving hand", "hexcode": "1F44B", "group": 1,
     "skins": [{"label": "waving hand: dark skin tone", "hexcode": "1F44B-1F3FF", "group": 1}]},
    {"label": "regional indicator A", "hexcode": "1F1E6"},  # no group
]
#: file stem -> the gray level it is drawn in, so a label can be checked against its pixels
FILES = {"1f600": 10, "1f34e": 40, "2764-fe0f": 70, "1f44b": 100, "1f44b-1f3ff": 130, "1f1e6": 160, "1f9ff": 190}
GROUPS = {"1f600": 0, "1f34e": 4, "2764-fe0f": 0, "1f44b": 1, "1f44b-1f3ff": 1}


@pytest.fixture
def emoji(tmp_path):
    folder = tmp_path / "twemoji"
    folder.mkdir()
    for stem, level in FILES.items():
        Image.fromarray(np.full((8, 8, 3), level, np.uint8)).save(folder / f"{stem}.png")
    metadata = tmp_path / "emojibase.data.json"
    metadata.write_text(json.dumps(ENTRIES))
    return folder, metadata


def _level(image):
    return round((float(np.mean(image)) + 1) * 127.5)


def test_emojibase_groups_label_each_file_by_its_code_points(emoji):
    folder, metadata = emoji
    info = kerasgan.data.info(LabelledFolder(folder, metadata))
    assert info.num_examples == 5  # 1f1e6 has no group, 1f9ff no entry: left out
    assert info.num_classes == 10 and info.class_names[4] == "food & drink"
    images, labels = kerasgan.data.load_arrays(LabelledFolder(folder, metadata), 8, with_labels=True)
    by_level = {level: stem for stem, level in FILES.items()}
    got = {by_level[_level(im)]: int(label) for im, label in zip(images, labels)}
    assert got == GROUPS  # the skin-tone variant takes its base emoji's group


def test_training_batches_carry_the_file_labels(emoji):
    folder, metadata = emoji
    ds = kerasgan.data.load(LabelledFolder(folder, metadata), 8, batch_size=5, with_labels=True, seed=1)
    images, labels = next(iter(ds))
    by_level = {level: stem for stem, level in FILES.items()}
    assert sorted(by_level[_level(im)] for im in images.numpy()) == sorted(GROUPS)
    for image, label in zip(images.numpy(), labels.numpy()):
        assert GROUPS[by_level[_level(image)]] == label


def test_csv_labels_by_relative_path_or_file_name_with_sorted_class_names(tmp_path):
    folder = tmp_path / "images"
    (folder / "sub").mkdir(parents=True)
    for name, level in [("a.png", 0), ("b.png", 50), ("sub/c.png", 100), ("d.png", 150)]:
        Image.fromarray(np.full((4, 4), level, np.uint8)).save(folder / name)
    csv = tmp_path / "labels.csv"
    csv.write_text("file,label\na.png,zebra\nsub/c.png,ant\nb.png,zebra\n")  # d.png unlabelled
    source = LabelledFolder(folder, csv)
    assert kerasgan.data.info(source).class_names == ("ant", "zebra")
    images, labels = kerasgan.data.load_arrays(source, 4, with_labels=True)
    got = {_level(im): int(label) for im, label in zip(images, labels)}
    assert got == {0: 1, 50: 1, 100: 0}
    numeric = tmp_path / "numeric.csv"
    numeric.write_text("a.png,10\nb.png,9\nc.png,2\n")  # c.png by file name; numeric order
    assert kerasgan.data.info(LabelledFolder(folder, numeric)).class_names == ("2", "9", "10")


@pytest.mark.parametrize("content, suffix, message", [
    ("a.png\n", ".csv", "expected `file,label`"),
    ("file,label\n", ".csv", "no `file,label` row"),
    ("nope.png,cat\n", ".csv", "No image"),
    ("{not json", ".json", "not valid JSON"),
    ('{"a": 1}', ".json", "not Emojibase metadata"),
    ("a.png,cat\n", ".txt", "Unknown label file"),
])
def test_bad_label_files_are_refused_by_name(tmp_path, content, suffix, message):
    folder = tmp_path / "images"
    folder.mkdir()
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(folder / "a.png")
    path = tmp_path / f"labels{suffix}"
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as err:
        kerasgan.data.info(LabelledFolder(folder, path))
    assert str(path) in str(err.value) or "No image" in message


def test_an_oversized_or_missing_label_file_is_refused_before_reading(tmp_path, monkeypatch):
    folder = tmp_path / "images"
    folder.mkdir()
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(folder / "a.png")
    path = tmp_path / "labels.csv"
    path.write_text("a.png,cat\n" * 10)
    monkeypatch.setattr(labels_lib, "MAX_LABEL_FILE_BYTES", 50)
    with pytest.raises(ValueError, match="more than a label file may be"):
        kerasgan.data.info(LabelledFolder(folder, path))
    with pytest.raises(ValueError, match="does not exist"):
        kerasgan.data.info(LabelledFolder(folder, tmp_path / "missing.csv"))
    with pytest.raises(ValueError, match="not a directory"):
        kerasgan.data.info(LabelledFolder(tmp_path / "nowhere", path))


def test_train_labels_file_trains_a_conditional_model_on_the_groups(emoji, tmp_path):
    from kerasgan import cli

    folder, metadata = emoji
    out = tmp_path / "run"
    assert cli.main(["train", "cgan", "--dataset", str(folder), "--labels-file", str(metadata),
                     "--out", str(out), "--epochs", "1", "--image-size", "16", "--batch-size", "5",
                     "--latent-dim", "4", "--no-tensorboard", "--num-samples", "4"]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["dataset"] == {"folder": str(folder), "labels_file": str(metadata)}
    import keras

    model = keras.saving.load_model(str(out / "model.keras"))
    assert model.num_classes == 10
    # --labels-file labels a folder: anything else is one error line (exit 2), nothing written
    assert cli.main(["train", "cgan", "--dataset", str(metadata), "--labels-file", str(metadata),
                     "--out", str(tmp_path / "bad"), "--epochs", "1"]) == 2
    assert not (tmp_path / "bad").exists()

@pytest.mark.realdata
def test_real_twemoji_groups(shared_data):
    """The labels `biggan-twemoji-32` trains on: 3,790 of the 4,009 Twemoji
    have an Emojibase group; people & body is the largest, component the smallest."""
    source = LabelledFolder(shared_data / "emoji" / "twemoji-72", shared_data / "emoji" / "emojibase.data.json")
    info = kerasgan.data.info(source)
    assert info.num_examples == 3790 and info.num_classes == 10
    from kerasgan.data.folders import list_image_files

    files = list_image_files(source.folder)
    _, labels = labels_lib.read_label_file(source.labels_file, source.folder, files)
    counts = np.bincount(labels[labels >= 0], minlength=10)
    assert counts.argmax() == 1 and counts.argmin() == 2 and counts.sum() == 3790


def test_evaluate_samples_a_conditional_model_in_the_labels_file_proportions(emoji, tmp_path, capsys, monkeypatch):
    """`kerasgan evaluate --labels-file F --sample-labels data`: the samples'
    labels follow F's class counts (here groups 0, 1 and 4 only, 2:2:1), every
    image of the folder stays a real image, and a 'domain' extractor learns
    from the labelled ones."""
    from kerasgan import cli

    folder, metadata = emoji
    gan = kerasgan.models.CGAN((16, 16, 3), num_classes=10, latent_dim=4, generator_filters=2,
                               discriminator_filters=2, seed=0)
    seen = []
    generate = type(gan).generate

    def spy(self, n, seed=None, labels=None, batch_size=None, **kwargs):
        seen.extend(np.asarray(labels).tolist())
        return generate(self, n, seed=seed, labels=labels, batch_size=batch_size, **kwargs)

    gan.save(tmp_path / "m.keras")
    common = ["evaluate", str(tmp_path / "m.keras"), "--dataset", str(folder), "--labels-file", str(metadata),
              "--metrics", "fid", "--num-samples", "50", "--cache-dir", str(tmp_path / "c")]
    monkeypatch.setattr(type(gan), "generate", spy)  # the model cli loads from m.keras
    assert cli.main([*common, "--sample-labels", "data", "--json", str(tmp_path / "d.json")]) == 0
    monkeypatch.undo()
    counts = np.bincount(seen, minlength=10)
    assert counts[[0, 1, 4]].sum() == 50 and abs(counts[0] - 20) <= 2 and abs(counts[4] - 10) <= 2
    results = json.loads((tmp_path / "d.json").read_text())
    assert results["labels"] == "class frequencies" and results["num_real"] == len(FILES)
    assert cli.main([*common, "--sample-labels", "balanced", "--json", str(tmp_path / "b.json")]) == 0
    assert json.loads((tmp_path / "b.json").read_text())["labels"] == "balanced"
    # Proportions need labels; a labels file needs a folder.
    assert cli.main(["evaluate", str(tmp_path / "m.keras"), "--dataset", str(folder), "--sample-labels", "data",
                     "--extractor", "inception", "--num-samples", "10"]) == 2
    assert "needs labels" in capsys.readouterr().err
