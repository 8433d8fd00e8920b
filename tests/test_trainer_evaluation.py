"""`train(evaluation=Evaluate(...))` / `kerasgan train --evaluate-every`:
scores in history.csv, the best model kept, resumed runs keep their best."""

import csv
import json
import math

import keras
import pytest

from kerasgan import data, metrics, trainer
from kerasgan.callbacks import Evaluate
from tests.metrics.fakes import ProjectionExtractor
from tests.trainer_checks import TINY_DCGAN_RUN as TINY


def evaluation(every=1):
    real, _ = data.load_arrays("digits", 16)
    return Evaluate(real, every_n_epochs=every, metrics=("fid", "kid"), num_samples=64,
                    extractor=ProjectionExtractor(), verbose=0)


def history(out):
    with open(out / "history.csv", newline="") as f:
        return list(csv.DictReader(f))


def fid_of(path, callback):
    model = keras.saving.load_model(str(path))
    return metrics.evaluate(model, callback._reference, metrics=("fid",), num_samples=callback.num_samples,
                            extractor=callback.extractor, seed=callback.seed)["fid"]


def test_scores_are_history_columns_and_best_keras_is_the_best_epochs_model(tmp_path):
    out = tmp_path / "run"
    callback = evaluation(every=2)
    trainer.train(out=str(out), epochs=4, evaluation=callback, **TINY)
    rows = history(out)
    assert [r["epoch"] for r in rows] == ["1", "2", "3", "4"]
    assert [r["fid"] == "NA" for r in rows] == [True, False, True, False]
    scores = [float(r["fid"]) for r in rows if r["fid"] != "NA"]
    assert all(math.isfinite(s) and s > 0 for s in scores) and scores[0] != scores[1]
    assert float(rows[3]["kid"]) == pytest.approx(callback.results[-1][1]["kid"])
    # best.keras is the model of the best evaluated epoch: scoring it again gives that score.
    assert callback.best == min(scores) and callback.best_epoch == 1 + 2 * scores.index(min(scores))
    assert fid_of(out / "best.keras", callback) == pytest.approx(min(scores), rel=1e-4)
    run = json.loads((out / "run.json").read_text())["evaluation"]
    assert run["every_n_epochs"] == 2 and run["num_samples"] == 64 and run["monitor"] == "fid"
    assert run["extractor"] == callback.extractor.identity and run["best_path"] == str(out / "best.keras")


def test_a_resumed_run_only_replaces_best_keras_with_a_better_model(tmp_path):
    out = tmp_path / "run"
    trainer.train(out=str(out), epochs=2, evaluation=evaluation(), **TINY)
    # Pretend epoch 1 scored better than anything training can reach: the
    # resumed run must keep the best.keras of that score.
    rows = history(out)
    rows[0]["fid"] = "1e-09"
    with open(out / "history.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    before = (out / "best.keras").read_bytes()
    callback = evaluation()
    trainer.train(out=str(out), epochs=4, evaluation=callback, **TINY)
    assert callback.best == 1e-09 and callback.best_epoch == 0
    assert [epoch for epoch, _ in callback.results] == [2, 3]  # only the resumed epochs were scored
    assert (out / "best.keras").read_bytes() == before
    assert [r["epoch"] for r in history(out)] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("family, kwargs, problem", [
    ("cyclegan", {"target_dataset": "digits"}, "image_to_image family"),
    ("progan", {}, "progressive families"),
])
def test_families_it_cannot_score_are_refused_before_anything_is_written(tmp_path, family, kwargs, problem):
    with pytest.raises(ValueError, match=problem):
        trainer.train(family=family, dataset="digits", out=str(tmp_path / "run"), image_size=16, batch_size=16,
                      steps_per_epoch=1, evaluation=evaluation(), tensorboard=False, verbose=0, **kwargs)
    assert not (tmp_path / "run").exists()


def test_evaluation_must_be_an_evaluate_callback(tmp_path):
    with pytest.raises(ValueError, match="kerasgan.callbacks.Evaluate"):
        trainer.train(out=str(tmp_path / "run"), epochs=1, evaluation="fid", **TINY)
