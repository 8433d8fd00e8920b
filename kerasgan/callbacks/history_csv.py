import csv
import io
import os

import keras

from kerasgan.utils.atomic import atomic_write_text


def read_history(path):
    """The rows of a history CSV as `(header, rows)`; `([], [])` when it does not exist."""
    if not os.path.exists(path):
        return [], []
    with open(path, newline="") as f:
        lines = list(csv.reader(f))
    if not lines:
        return [], []
    return lines[0], lines[1:]


def _write(path, header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())


class HistoryCSV(keras.callbacks.Callback):
    """Per-epoch logs in a CSV file (`epoch` first, counted from 1 like the
    sample grids `epoch_0001.png`, then the logged keys sorted), like
    `keras.callbacks.CSVLogger` with `append=True`, but the
    whole file is rewritten atomically at every epoch
    (`kerasgan.utils.atomic`), so a kill never leaves a torn row, and a
    resumed run drops the rows its checkpoint does not cover with
    `truncate(epochs)`. A key that appears later (a new phase's logs)
    widens the header; missing values are `NA`. Keys logged without a
    value (None, e.g. `val_*` of a fit without validation data) get no
    column. A file written by an older kerasgan (epochs from 0) is
    renumbered from 1 when it is next written.

    Args:
        path: the CSV file.
    """

    def __init__(self, path):
        super().__init__()
        self.path = os.fspath(path)

    def truncate(self, epochs):
        """Keeps the rows of the first `epochs` epochs (epoch column <= `epochs`),
        so the history matches a checkpoint of `epochs` finished epochs; 0 removes the file."""
        header, rows = _read_from_one(self.path)
        if not epochs:
            if os.path.exists(self.path):
                os.remove(self.path)
            return
        kept = [r for r in rows if r and _epoch(r[0]) is not None and _epoch(r[0]) <= epochs]
        if header and kept != read_history(self.path)[1]:
            _write(self.path, header, kept)

    def on_epoch_end(self, epoch, logs=None):
        """`epoch` is Keras' 0-based index; its row is numbered `epoch + 1`."""
        logs = {k: v for k, v in (logs or {}).items() if v is not None}
        header, rows = _read_from_one(self.path)
        if not header:
            header = ["epoch"]
        # This epoch replaces any row of the same epoch (a rerun of it).
        rows = [r for r in rows if r and _epoch(r[0]) is not None and _epoch(r[0]) <= epoch]
        for key in sorted(logs):
            if key not in header:
                header.append(key)
                rows = [r + ["NA"] for r in rows]
        values = {"epoch": epoch + 1, **logs}
        rows.append([_format(values.get(key, "NA")) for key in header])
        _write(self.path, header, rows)


def _read_from_one(path):
    """`read_history`, with the rows of an older file (epochs from 0) renumbered from 1."""
    header, rows = read_history(path)
    if rows and rows[0] and _epoch(rows[0][0]) == 0:
        rows = [[str(_epoch(r[0]) + 1), *r[1:]] if r and _epoch(r[0]) is not None else r for r in rows]
    return header, rows


def _epoch(text):
    try:
        return int(text)
    except ValueError:
        return None


def _format(value):
    if isinstance(value, str):
        return value
    try:
        return repr(float(value)) if not isinstance(value, int) else str(value)
    except (TypeError, ValueError):
        return str(value)
