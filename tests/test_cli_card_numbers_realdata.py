# Not under tests/zoo/: its conftest points every test at an empty temporary registry.
"""A zoo card's numbers come back from the command its "Reproduce" section
gives (issue 15): the entry's extractor and real data are the defaults."""

import json

import pytest

from kerasgan import cli
from kerasgan import zoo


@pytest.mark.realdata
def test_the_dcgan_mnist_card_command_gives_the_card_numbers(shared_data, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERASGAN_SHARED_DATA", str(shared_data))
    entry = zoo.info("dcgan-mnist-32")
    card = (zoo.zoo_dir() / "dcgan-mnist-32" / "README.md").read_text()
    command = next(line for line in card.splitlines() if line.startswith("kerasgan evaluate "))
    argv = command.split()[1:] + ["--json", str(tmp_path / "r.json")]
    assert cli.main(argv) == 0, capsys.readouterr().err
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["extractor"] == entry["extractor"] and results["num_samples"] == 5000
    # The card says FID 25.49 and KID 1.645 (measured with oneDNN on; kernels differ in round-off).
    assert results["fid"] == pytest.approx(entry["metrics"]["fid"], abs=0.05)
    assert results["kid"] == pytest.approx(entry["metrics"]["kid"], abs=0.02)
