from kerasgan.callbacks import HistoryCSV
from kerasgan.callbacks.history_csv import read_history


def test_rows_are_replaced_truncated_and_the_header_widens(tmp_path):
    path = tmp_path / "history.csv"
    history = HistoryCSV(path)
    history.on_epoch_end(0, {"g_loss": 1.5, "d_loss": 0.25})
    history.on_epoch_end(1, {"g_loss": 1.0, "d_loss": 0.5})
    history.on_epoch_end(1, {"g_loss": 2.0, "d_loss": 0.5})  # epoch 1 again (a rerun of it): replaced
    # Epochs counted from 1, like the sample grids (epoch_0001.png is Keras' epoch 0).
    assert read_history(path) == (["epoch", "d_loss", "g_loss"], [["1", "0.25", "1.5"], ["2", "0.5", "2.0"]])
    history.truncate(1)  # a checkpoint of 1 finished epoch
    assert read_history(path)[1] == [["1", "0.25", "1.5"]]
    history.on_epoch_end(1, {"d_loss": 0.5, "g_loss": 2.0, "resolution": 8})
    assert read_history(path) == (["epoch", "d_loss", "g_loss", "resolution"],
                                  [["1", "0.25", "1.5", "NA"], ["2", "0.5", "2.0", "8"]])
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]  # no temporary file left
    history.truncate(0)
    assert not path.exists()


def test_keys_logged_without_a_value_get_no_column(tmp_path):
    path = tmp_path / "history.csv"
    history = HistoryCSV(path)
    history.on_epoch_end(0, {"d_loss": 0.5, "g_loss": 1.0, "val_d_loss": None, "val_g_loss": None})
    assert read_history(path) == (["epoch", "d_loss", "g_loss"], [["1", "0.5", "1.0"]])


def test_an_older_file_counted_from_0_is_renumbered(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("epoch,d_loss\n0,0.25\n1,0.5\n")
    history = HistoryCSV(path)
    history.truncate(1)
    assert read_history(path)[1] == [["1", "0.25"]]
    history.on_epoch_end(1, {"d_loss": 0.75})
    assert read_history(path)[1] == [["1", "0.25"], ["2", "0.75"]]
