"""`Curves`: a PNG of the training curves, redrawn every epoch."""

import math
import os

import keras
from PIL import Image, ImageDraw, ImageFont

from kerasgan.callbacks.history_csv import read_history
from kerasgan.utils.atomic import atomic_write

#: Keys that are bookkeeping, not curves.
SKIPPED = frozenset({"epoch", "resolution", "images_seen", "learning_rate"})

#: Logged evaluation metrics (the `Evaluate` callback's names, and `val_*`).
METRICS = frozenset({"fid", "kid", "kid_std", "is", "is_std", "inception_score", "precision", "recall",
                     "accuracy", "best_fid"})

#: Line colours, in order (colour-blind-safe Okabe-Ito, then greys).
COLOURS = ((0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (230, 159, 0), (86, 180, 233),
           (240, 228, 66), (0, 0, 0), (120, 120, 120))

PANEL_W, PANEL_H = 560, 260
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 64, 150, 26, 34


def panel_of(key):
    """Which panel a logged key is drawn in: `"losses"`, `"penalties"` (the
    other terms: gradient penalty, R1, drift, cycle, L1, regularisation,
    ...), `"ada_p"`, `"metrics"`, or None (not drawn)."""
    if key in SKIPPED:
        return None
    if key == "ada_p":
        return "ada_p"
    if key in METRICS or key.startswith("val_") or key.startswith("fid") or key.startswith("kid"):
        return "metrics"
    if "loss" in key:
        return "losses"
    return "penalties"


TITLES = {"losses": "losses", "penalties": "penalties and other terms (unweighted)",
          "ada_p": "ADA augmentation probability p", "metrics": "evaluated metrics"}


def _number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def series_from_history(header, rows):
    """`{key: [(epoch, value), ...]}` of the drawable columns of a history
    table (`read_history`); NA and non-finite cells are left out."""
    if not header or header[0] != "epoch":
        return {}
    series = {}
    for column, key in enumerate(header[1:], start=1):
        if panel_of(key) is None:
            continue
        points = []
        for row in rows:
            epoch = _number(row[0]) if row else None
            value = _number(row[column]) if column < len(row) else None
            if epoch is not None and value is not None:
                points.append((epoch, value))
        if points:
            series[key] = points
    return series


def _ticks(low, high, count=5):
    """About `count` round tick values covering [low, high]."""
    if high <= low:
        high = low + 1.0
    step = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(step))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= step), default=step)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value <= high + step * 1e-6:
        ticks.append(value)
        value += step
    return ticks


def _label(value):
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-2:
        return f"{value:.1e}"
    return f"{value:.3g}"


def _draw_panel(draw, font, box, title, series, x_range, x_label, y_range=None):
    left, top = box[0] + MARGIN_L, box[1] + MARGIN_T
    right, bottom = box[0] + PANEL_W - MARGIN_R, box[1] + PANEL_H - MARGIN_B
    draw.text((left, box[1] + 6), title, fill=(0, 0, 0), font=font)
    values = [v for points in series.values() for _, v in points]
    if y_range is None:
        low, high = min(values), max(values)
        pad = 0.05 * (high - low) if high > low else max(abs(high) * 0.1, 0.5)
        low, high = low - pad, high + pad
    else:
        low, high = y_range
    y_ticks = [t for t in _ticks(low, high) if low <= t <= high]
    x_low, x_high = x_range
    x_ticks = [t for t in _ticks(x_low, x_high) if x_low <= t <= x_high] or [x_low]

    def to_xy(x, y):
        fx = (x - x_low) / (x_high - x_low) if x_high > x_low else 0.5
        fy = (y - low) / (high - low) if high > low else 0.5
        return left + fx * (right - left), bottom - fy * (bottom - top)

    draw.rectangle([left, top, right, bottom], outline=(0, 0, 0), fill=(255, 255, 255))
    for t in y_ticks:
        _, y = to_xy(x_low, t)
        draw.line([left, y, right, y], fill=(228, 228, 228))
        draw.text((box[0] + 4, y - 6), _label(t), fill=(60, 60, 60), font=font)
    for t in x_ticks:
        x, _ = to_xy(t, low)
        draw.line([x, bottom, x, bottom + 4], fill=(0, 0, 0))
        draw.text((x - 8, bottom + 6), _label(t), fill=(60, 60, 60), font=font)
    draw.text((left, bottom + 19), x_label, fill=(60, 60, 60), font=font)
    for i, (key, points) in enumerate(sorted(series.items())):
        colour = COLOURS[i % len(COLOURS)]
        xy = [to_xy(x, y) for x, y in points]
        if len(xy) > 1:
            draw.line(xy, fill=colour, width=2)
        for x, y in xy if len(xy) <= 60 else xy[-1:]:
            draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=colour)
        legend_y = top + 4 + 15 * i
        draw.line([right + 8, legend_y + 6, right + 24, legend_y + 6], fill=colour, width=3)
        draw.text((right + 28, legend_y), f"{key}: {_label(points[-1][1])}", fill=(0, 0, 0), font=font)


def draw_curves(series, x_label="epoch"):
    """A PIL image of `series` (`{key: [(x, y), ...]}`), one panel per group
    (`panel_of`): losses, penalties, ADA's p (on [0, 1]), metrics. None when
    there is nothing to draw."""
    groups = {}
    for key, points in series.items():
        if points:
            groups.setdefault(panel_of(key), {})[key] = points
    order = [g for g in ("losses", "penalties", "ada_p", "metrics") if g in groups]
    if not order:
        return None
    return draw_panels([(TITLES[g], groups[g], (0.0, 1.0) if g == "ada_p" else None) for g in order], x_label)


def draw_panels(panels, x_label):
    """A PIL image of stacked line panels sharing one x axis: `panels` is a
    list of `(title, {key: [(x, y), ...]}, y_range or None)`; each key is a
    line with a legend entry holding its last value. Used for the training
    curves and for metric sweeps (`kerasgan.metrics.sweep`)."""
    xs = [x for _, series, _ in panels for points in series.values() for x, _ in points]
    if not xs:
        return None
    x_range = (min(xs), max(xs))
    image = Image.new("RGB", (PANEL_W, PANEL_H * len(panels)), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    for i, (title, series, y_range) in enumerate(panels):
        _draw_panel(draw, font, (0, i * PANEL_H), title, series, x_range, x_label, y_range=y_range)
    return image


class Curves(keras.callbacks.Callback):
    """Redraws `path` (a PNG) at the end of every epoch: the losses, the
    other loss terms (penalties), ADA's p and any evaluated metric (FID, ...)
    against epochs, one panel per group with its own scale and a legend
    holding the latest values. Drawn with PIL (no plotting library).

    With `history_csv` (the file a `HistoryCSV` callback earlier in the list
    writes), the whole run's history is read from it, so a resumed run's
    plot covers its earlier sessions and matches the CSV; otherwise the
    epochs seen by this callback are drawn. The file is written atomically.

    Args:
        path: the PNG file.
        history_csv: optional path of the history CSV to draw.
    """

    def __init__(self, path, history_csv=None):
        super().__init__()
        self.path = os.fspath(path)
        self.history_csv = None if history_csv is None else os.fspath(history_csv)
        self._rows = {}

    def on_epoch_end(self, epoch, logs=None):
        if self.history_csv is not None:
            series = series_from_history(*read_history(self.history_csv))
        else:
            for key, value in (logs or {}).items():
                value = _number(value) if value is not None else None
                if value is not None and panel_of(key) is not None:
                    points = [p for p in self._rows.get(key, []) if p[0] < epoch + 1]
                    self._rows[key] = points + [(epoch + 1, value)]
            series = self._rows
        steps = (self.params or {}).get("steps")
        image = draw_curves(series, x_label=f"epoch ({steps} steps each)" if steps else "epoch")
        if image is None:
            return
        with atomic_write(self.path, "wb") as f:
            image.save(f, format="PNG")
