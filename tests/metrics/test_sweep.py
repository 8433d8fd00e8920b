"""Truncation sweeps: the keyword per family, the same latents per row,
truncation really changing the samples, the table and the plot."""

import io

import numpy as np
import pytest
from PIL import Image

from kerasgan.metrics import sweep
from kerasgan.models import DCGAN, BigGAN, StyleGAN
from tests.metrics.fakes import ProjectionExtractor


@pytest.fixture(scope="module")
def biggan():
    gan = BigGAN.from_preset("tiny")
    gan.compile()
    return gan


def real_images(n=200, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 16, 16, 1)).astype("float32")


def test_truncation_keyword_per_family(biggan):
    assert sweep.truncation_keyword(biggan) == ("truncation", 0.0)
    assert sweep.truncation_keyword(StyleGAN.from_preset("tiny")) == ("truncation_psi", 1.0)
    with pytest.raises(ValueError, match="DCGAN has no truncation option"):
        sweep.truncation_keyword(DCGAN.from_preset("tiny"))


def test_bad_thresholds_are_refused(biggan):
    for psis in ([0.5, 0.0], [float("nan")], []):
        with pytest.raises(ValueError, match="threshold"):
            sweep.truncation_sweep(biggan, real_images(), psis, extractor=ProjectionExtractor(), num_samples=20)


def test_sweep_rows_share_latents_and_truncation_changes_scores(biggan, monkeypatch):
    calls = []
    generate = type(biggan).generate

    def spy(self, n, **kwargs):
        calls.append((kwargs.get("seed"), kwargs.get("truncation")))
        return generate(self, n, **kwargs)

    monkeypatch.setattr(type(biggan), "generate", spy)
    rows = sweep.truncation_sweep(biggan, real_images(), (1.0, 0.25), extractor=ProjectionExtractor(),
                                  num_samples=60, seed=3)
    assert [r["psi"] for r in rows] == [0.25, 1.0, None]  # sorted, then the untruncated model
    assert {"fid", "precision", "recall", "accuracy"} <= set(rows[0])  # conditional: accuracy too
    seeds = {psi: [s for s, p in calls if p == psi] for psi in (0.25, 1.0, 0.0)}
    assert seeds[0.25] == seeds[1.0] == seeds[0.0] and seeds[0.0]  # the same chunk seeds per row
    fids = [r["fid"] for r in rows]
    assert len(set(np.round(fids, 6))) == 3  # truncation changes the samples, hence the score
    again = sweep.truncation_sweep(biggan, real_images(), (0.25,), extractor=ProjectionExtractor(),
                                   num_samples=60, seed=3, include_untruncated=False)
    assert again[0]["fid"] == pytest.approx(rows[0]["fid"], rel=1e-6)


def _rows(fid_small):
    base = {"precision": 0.5, "recall": 0.5, "accuracy": 0.9}
    return [dict(base, psi=0.5, fid=fid_small), dict(base, psi=1.0, fid=3.0, recall=0.7),
            dict(base, psi=None, fid=4.0)]


def test_table_and_plot_follow_the_rows(tmp_path):
    table = sweep.sweep_table(_rows(9.0))
    lines = table.splitlines()
    assert lines[0] == "| truncation psi | FID | precision | recall | class accuracy |"
    assert lines[2] == "| 0.5 | 9.00 | 0.500 | 0.500 | 0.900 |" and lines[-1].startswith("| none | 4.00 |")
    a = sweep.save_sweep_picture(_rows(9.0), tmp_path / "a.png")
    b = sweep.save_sweep_picture(_rows(1.0), tmp_path / "b.png")
    pa, pb = (np.asarray(Image.open(io.BytesIO(open(p, "rb").read())).convert("RGB")) for p in (a, b))
    assert pa.shape == pb.shape and pa.shape[0] == 2 * 260  # two panels: FID, then the shares
    assert np.any(pa != pb)  # another FID draws another picture


def test_cli_truncation_sweep_writes_table_plot_and_json(biggan, tmp_path, capsys):
    import json

    import keras

    from kerasgan import cli

    biggan.save(tmp_path / "m.keras")
    inputs = keras.Input((16, 16, 1))
    features = keras.layers.Dense(8, name="features")(keras.layers.Flatten()(inputs))
    keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(features)).save(tmp_path / "x.keras")
    args = ["evaluate", str(tmp_path / "m.keras"), "--dataset", "digits", "--extractor", str(tmp_path / "x.keras"),
            "--num-samples", "60", "--truncation-sweep", "1,0.5", "--plot", str(tmp_path / "s.png"),
            "--json", str(tmp_path / "s.json")]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "| truncation psi | FID | precision | recall | class accuracy |" in out and "| none |" in out
    rows = json.loads((tmp_path / "s.json").read_text())["sweep"]
    assert [r["psi"] for r in rows] == [0.5, 1.0, None] and all(np.isfinite(r["fid"]) for r in rows)
    assert Image.open(tmp_path / "s.png").size == (560, 520)
    # --plot alone has nothing to draw: a one-line error, no file.
    assert cli.main(["evaluate", str(tmp_path / "m.keras"), "--plot", str(tmp_path / "t.png")]) == 2
    assert "--plot draws a sweep" in capsys.readouterr().err
    assert not (tmp_path / "t.png").exists()
