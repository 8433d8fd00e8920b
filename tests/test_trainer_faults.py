"""`kerasgan.trainer.train` under faults (docs/faults.md): a kill at each
write point, an unreadable run.json, two runs on one folder, changed
settings, NaN divergence (stop and rollback). Tiny MLP GAN runs at 8x8."""

import fcntl
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import trainer
from kerasgan.callbacks import NonFiniteError
from tests.trainer_checks import TINY_GAN_RUN, Killed, kill_at_replace, read_history

TINY = TINY_GAN_RUN
EPOCHS = 2


def weights(path):
    model = keras.saving.load_model(str(path))
    return [(w.path, np.array(w)) for w in model.weights]


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """An uninterrupted run: what every interrupted one must end equal to."""
    out = tmp_path_factory.mktemp("straight") / "run"
    trainer.train(out=str(out), epochs=EPOCHS, **TINY)
    return out


def assert_same_run(resumed, straight):
    # Tolerance: bit-identical on CPU (same data position, seed states, moments);
    # 1e-6 leaves room for non-deterministic kernel reductions.
    for (name, a), (_, b) in zip(weights(straight / "model.keras"), weights(resumed / "model.keras")):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-6, err_msg=name)
    header, rows = read_history(resumed / "history.csv")
    straight_header, straight_rows = read_history(straight / "history.csv")
    assert header == straight_header and [r[0] for r in rows] == ["1", "2"]  # no duplicate, no gap (epochs count from 1)
    np.testing.assert_allclose(np.array(rows, float), np.array(straight_rows, float), rtol=0, atol=1e-6)
    assert sorted(os.listdir(resumed / "samples")) == sorted(os.listdir(straight / "samples"))
    run = json.loads((resumed / "run.json").read_text())
    assert run["train_seconds"] > 0 and run["epochs"] == EPOCHS
    assert not [p for p in resumed.rglob("*.tmp")]  # no temporary file left behind


def kill_checkpoint_save(monkeypatch, after_write):
    """The second checkpoint write (epoch 2) is killed: before anything of it is
    written, or right after it (before run.json is updated)."""
    real = tf.train.CheckpointManager.save
    calls = []

    def save(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            if after_write:
                real(self, *args, **kwargs)
            raise Killed("killed in the checkpoint write")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(tf.train.CheckpointManager, "save", save)


# Epoch 2's writes in their order (samples, history, checkpoint, run.json), then the model.
# run.json is written at the start, then after every epoch: its 3rd write is epoch 2's.
POINTS = {
    "sample": lambda mp: kill_at_replace(mp, "epoch_0002.png"),
    "history": lambda mp: kill_at_replace(mp, "history.csv", call=2),
    "checkpoint": lambda mp: kill_checkpoint_save(mp, after_write=False),
    "checkpoint_written": lambda mp: kill_checkpoint_save(mp, after_write=True),
    "run.json": lambda mp: kill_at_replace(mp, "run.json", call=3),
    "model.keras": lambda mp: kill_at_replace(mp, "model.keras"),
}


@pytest.mark.parametrize("point", list(POINTS))
def test_a_kill_at_each_write_point_resumes_to_the_uninterrupted_run(tmp_path, monkeypatch, straight, point):
    out = tmp_path / "run"
    with monkeypatch.context() as mp:
        POINTS[point](mp)
        with pytest.raises(Killed):
            trainer.train(out=str(out), epochs=EPOCHS, **TINY)
    # What the kill left is whole: run.json parses, history rows are complete.
    json.loads((out / "run.json").read_text())
    header, rows = read_history(out / "history.csv")
    assert all(len(r) == len(header) for r in rows)
    if point == "checkpoint":
        assert [r[0] for r in rows] == ["1", "2"]  # epoch 2's row, written before its checkpoint
    assert not (out / "model.keras").exists()

    trainer.train(out=str(out), epochs=EPOCHS, **TINY)
    assert_same_run(out, straight)


def test_an_unreadable_run_json_warns_and_the_checkpoint_resumes(tmp_path, straight):
    out = tmp_path / "run"
    trainer.train(out=str(out), epochs=1, **TINY)
    (out / "run.json").write_text('{"family": "gan", "epo')  # torn by an old, non-atomic writer
    with pytest.warns(UserWarning, match=r"run\.json is unreadable .*rebuilt from the checkpoint"):
        _, history = trainer.train(out=str(out), epochs=EPOCHS, **TINY)
    assert history.epoch == [1]
    assert json.loads((out / "run.json").read_text())["family"] == "gan"
    for (name, a), (_, b) in zip(weights(straight / "model.keras"), weights(out / "model.keras")):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-6, err_msg=name)


LOCKER = """
import fcntl, sys, time
f = open(sys.argv[1], "a+")
fcntl.flock(f.fileno(), fcntl.LOCK_EX)
f.seek(0); f.truncate(); f.write("%d\\n" % __import__("os").getpid()); f.flush()
print("locked", flush=True)
time.sleep(60)
"""


def test_a_second_run_on_the_same_folder_is_refused_and_a_dead_ones_lock_taken_over(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", LOCKER, str(out / ".lock")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(trainer.RunFolderLocked, match=rf"in use by another kerasgan run \(pid {holder.pid},"):
            trainer.train(out=str(out), epochs=1, **TINY)
        assert sorted(os.listdir(out)) == [".lock"]  # nothing read or written
    finally:
        holder.kill()  # SIGKILL: its lock file stays, with its pid in it
        holder.wait()
    assert (out / ".lock").read_text().strip() == str(holder.pid)
    trainer.train(out=str(out), epochs=1, **TINY)
    assert (out / ".lock").read_text().strip() == str(os.getpid())
    # Released at the end: another process may take it now.
    with open(out / ".lock") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_changed_settings_are_refused_unless_overridden(tmp_path):
    out = tmp_path / "run"
    trainer.train(out=str(out), epochs=1, **TINY)
    files = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != ".lock"}
    changed = dict(TINY, seed=4, batch_size=8, compile_kwargs={"loss": "hinge", "d_learning_rate": 1e-3})
    with pytest.raises(ValueError, match="trained with other settings") as error:
        trainer.train(out=str(out), epochs=2, **changed)
    for change in ("batch_size: 16 -> 8", "seed: 3 -> 4", "-> 'hinge'",
                   "optimizers.d_optimizer.learning_rate: 0.0002 -> 0.001"):
        assert change in str(error.value)
    assert "compile_config.loss: " in str(error.value)
    assert "epochs" not in str(error.value)  # more epochs is a resume, not a change
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != ".lock"} == files

    model, history = trainer.train(out=str(out), epochs=2, override=True, **changed)
    assert history.epoch == [1]
    # The restore brought back the checkpoint's learning rate; the override applies the new one.
    assert float(model.d_optimizer.learning_rate) == pytest.approx(1e-3)
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 4 and any("seed: 3 -> 4" in c for c in run["overrides"][0])


def test_a_diverged_run_stops_naming_the_step_and_keeps_the_good_files(tmp_path):
    out = tmp_path / "run"
    trainer.train(out=str(out), epochs=1, **TINY)
    model_bytes = (out / "model.keras").read_bytes()
    diverging = dict(TINY, compile_kwargs={"d_learning_rate": 1e30, "g_learning_rate": 1e30})
    with pytest.raises(NonFiniteError, match=r"epoch 2, batch \d: the logged [dg]_loss is (NaN|inf|-inf)") as error:
        trainer.train(out=str(out), epochs=3, override=True, **diverging)
    assert error.value.epoch == 2 and "keeps its last good checkpoint" in str(error.value)
    assert tf.train.latest_checkpoint(str(out / "checkpoints")).endswith("ckpt-1")
    assert (out / "model.keras").read_bytes() == model_bytes
    assert [r[0] for r in read_history(out / "history.csv")[1]] == ["1"]
    assert sorted(os.listdir(out / "samples")) == ["epoch_0001.png"]


class PoisonOnce(keras.callbacks.Callback):
    """Writes a NaN into the generator after the first batch, once."""

    def __init__(self):
        super().__init__()
        self.done = False

    def on_train_batch_end(self, batch, logs=None):
        if not self.done:
            self.done = True
            kernel = self.model.generator.weights[0]
            kernel.assign(np.full(kernel.shape, np.nan, "float32"))


def test_on_nan_rollback_restores_the_last_good_checkpoint_with_lower_learning_rates(tmp_path):
    out = tmp_path / "run"
    model, history = trainer.train(out=str(out), epochs=2, on_nan="rollback",
                                   extra_callbacks=[PoisonOnce()], **TINY)
    assert history.epoch == [0, 1]
    assert float(model.g_optimizer.learning_rate) == pytest.approx(2e-5)  # 2e-4 / 10
    rollbacks = json.loads((out / "run.json").read_text())["rollbacks"]
    assert len(rollbacks) == 1 and rollbacks[0]["epoch"] == 1 and rollbacks[0]["resumed_from_epoch"] == 0
    assert [r[0] for r in read_history(out / "history.csv")[1]] == ["1", "2"]
    assert all(np.isfinite(w).all() for _, w in weights(out / "model.keras"))
    # A bounded number of rollbacks: a run that keeps diverging stops.
    diverging = dict(TINY, compile_kwargs={"d_learning_rate": 1e30, "g_learning_rate": 1e30})
    with pytest.raises(NonFiniteError, match=r"Stopped after 1 rollback\(s\)"):
        trainer.train(out=str(tmp_path / "bad"), epochs=1, on_nan="rollback", max_rollbacks=1, **diverging)
