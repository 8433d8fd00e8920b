import numpy as np
from PIL import Image

from kerasgan.callbacks import Curves, HistoryCSV
from kerasgan.callbacks.curves import PANEL_H, draw_curves, panel_of, series_from_history
from kerasgan.callbacks.history_csv import read_history

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    with Image.open(path) as image:
        image.verify()  # a whole, valid PNG
    with Image.open(path) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def test_the_png_follows_the_history_csv(tmp_path):
    csv_path, png = tmp_path / "history.csv", tmp_path / "curves.png"
    history, curves = HistoryCSV(csv_path), Curves(png, history_csv=csv_path)
    for epoch, (d, g) in enumerate([(1.2, 0.7), (0.9, 1.1)]):
        history.on_epoch_end(epoch, {"d_loss": d, "g_loss": g})
        curves.on_epoch_end(epoch, {"d_loss": d, "g_loss": g})
    two_epochs = _png(png)
    assert two_epochs.shape == (PANEL_H, 560, 3) and two_epochs.std() > 0
    history.on_epoch_end(2, {"d_loss": 0.3, "g_loss": 2.5})
    curves.on_epoch_end(2, {})
    three_epochs = _png(png)
    assert three_epochs.shape == two_epochs.shape and not np.array_equal(three_epochs, two_epochs)
    # A resumed run's rows (from the CSV) after a truncation: the picture follows.
    history.truncate(2)
    curves.on_epoch_end(1, {})
    np.testing.assert_array_equal(_png(png), two_epochs)
    # New kinds of columns get their own panels: penalties, ADA's p, metrics.
    history.on_epoch_end(2, {"d_loss": 0.3, "g_loss": 2.5, "r1_penalty": 0.1, "ada_p": 0.2, "fid": 40.0})
    curves.on_epoch_end(2, {})
    assert _png(png).shape == (4 * PANEL_H, 560, 3)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file


def test_without_a_csv_it_draws_the_epochs_it_saw(tmp_path):
    png = tmp_path / "curves.png"
    curves = Curves(png)
    curves.on_epoch_end(0, {"d_loss": 1.0, "g_loss": 1.0, "val_d_loss": None, "resolution": 8})
    first = _png(png)
    curves.on_epoch_end(1, {"d_loss": 0.5, "g_loss": 2.0})
    assert not np.array_equal(_png(png), first)


def test_columns_are_grouped_and_na_cells_skipped():
    assert [panel_of(k) for k in ("d_loss", "g_loss_a", "gradient_penalty", "cycle", "ada_p", "fid",
                                  "val_g_loss", "images_seen", "resolution")] == [
        "losses", "losses", "penalties", "penalties", "ada_p", "metrics", "metrics", None, None]
    series = series_from_history(["epoch", "d_loss", "fid", "resolution"],
                                 [["1", "0.5", "NA", "4"], ["2", "nan", "30.0", "8"], ["3", "0.25", "20.0", "8"]])
    assert series == {"d_loss": [(1.0, 0.5), (3.0, 0.25)], "fid": [(2.0, 30.0), (3.0, 20.0)]}
    assert draw_curves({}) is None and read_history("/nonexistent.csv") == ([], [])
