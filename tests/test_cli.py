import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from kerasgan import cli
from tests.conftest import REPO_ROOT

TINY = ["--image-size", "16", "--batch-size", "16", "--latent-dim", "8", "--steps-per-epoch", "2",
        "--num-samples", "4", "--model", "generator_filters=4", "--model", "discriminator_filters=4",
        "--no-tensorboard"]


def test_train_then_sample_through_the_installed_command(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = tmp_path / "run"
    train = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "kerasgan"), "train", "dcgan", "--dataset", "digits",
         "--epochs", "2", "--out", str(out), *TINY],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert train.returncode == 0, train.stderr[-3000:]
    # Keras' progress output with the per-epoch losses.
    assert "Epoch 2/2" in train.stdout and "d_loss" in train.stdout and "g_loss" in train.stdout
    assert sorted(os.listdir(out / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    assert (out / "model.keras").exists() and (out / "checkpoints" / "checkpoint").exists()
    assert json.loads((out / "run.json").read_text())["command"].startswith("kerasgan train dcgan")

    grid = tmp_path / "grid.png"
    assert cli.main(["sample", str(out / "model.keras"), "-n", "9", "--out", str(grid), "--seed", "1"]) == 0
    image = np.array(Image.open(grid))
    assert image.shape == (3 * 18 + 2, 3 * 18 + 2)  # 3x3 tiles of 16 px with 2 px padding
    assert image.std() > 0


def test_dry_run_prints_the_configuration(capsys):
    assert cli.main(["train", "wgan_gp", "--epochs", "3", "--compile", "n_critic=2", "--dry-run"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["family"] == "wgan_gp" and config["epochs"] == 3
    assert config["compile_kwargs"] == {"n_critic": 2} and config["out"] == os.path.join("runs", "wgan_gp")


def test_train_evaluates_every_n_epochs_into_the_history_and_keeps_the_best(tmp_path, capsys):
    extractor = os.path.join(REPO_ROOT, "zoo", "extractors", "mnist-classifier.keras")
    out = tmp_path / "run"
    evaluation = ["--evaluate-every", "1", "--eval-extractor", extractor, "--eval-samples", "50"]
    assert cli.main(["train", "dcgan", "--epochs", "2", "--out", str(out), *TINY, *evaluation]) == 0
    rows = (out / "history.csv").read_text().splitlines()
    header = rows[0].split(",")
    fids = [float(r.split(",")[header.index("fid")]) for r in rows[1:]]
    assert len(fids) == 2 and all(np.isfinite(fids)) and "kid" in header
    assert (out / "best.keras").exists()
    run = json.loads((out / "run.json").read_text())
    assert run["evaluation"]["extractor"].startswith("mnist-classifier@sha256:")
    assert "fid=" in capsys.readouterr().out
    assert cli.main(["train", "dcgan", "--dry-run", *evaluation]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["evaluate_every"] == 1 and config["eval_samples"] == 50
    assert config["eval_extractor"] == run["evaluation"]["extractor"]
    assert cli.main(["train", "dcgan", "--dry-run", "--eval-extractor", extractor]) == 2
    assert "go with --evaluate-every" in capsys.readouterr().err
    assert cli.main(["train", "dcgan", "--dry-run", "--evaluate-every", "0"]) == 2
    assert "--evaluate-every takes a number of epochs >= 1" in capsys.readouterr().err
    assert cli.main(["train", "dcgan", "--dry-run", "--evaluate-every", "1", "--eval-extractor", "nope.keras"]) == 2
    assert "nope.keras (no such file)" in capsys.readouterr().err


def test_errors_name_the_problem(tmp_path, capsys):
    assert cli.main(["train", "nope", "--out", str(tmp_path / "x"), "--epochs", "1"]) == 2
    assert "Unknown model family" in capsys.readouterr().err
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a zip file")
    try:
        cli.main(["sample", str(corrupt)])
    except SystemExit as e:
        assert "could not load the model" in str(e) and "corrupt.keras" in str(e)
    else:
        raise AssertionError("a corrupt model file must be refused")


def test_evaluate_scores_a_saved_model_and_caches_the_classifier(tmp_path, capsys):
    import kerasgan

    gan = kerasgan.models.DCGAN((16, 16, 1), latent_dim=4, generator_filters=2, discriminator_filters=2, seed=0)
    gan.save(tmp_path / "m.keras")
    args = ["evaluate", str(tmp_path / "m.keras"), "--dataset", "digits", "--metrics", "fid,kid",
            "--num-samples", "200", "--cache-dir", str(tmp_path / "cache"), "--json", str(tmp_path / "r.json")]
    assert cli.main(args) == 0
    first = capsys.readouterr().out
    assert "Training the domain classifier" in first and "FID" in first
    results = json.loads((tmp_path / "r.json").read_text())
    # An untrained generator is far from the real digits.
    assert results["fid"] > 50 and results["num_samples"] == 200
    assert results["extractor"].startswith("domain_classifier")
    assert cli.main(args) == 0
    assert "Training the domain classifier" not in capsys.readouterr().out
    assert json.loads((tmp_path / "r.json").read_text())["fid"] == results["fid"]


def test_evaluate_a_saved_model_export_scores_like_the_keras_file(tmp_path, capsys):
    import kerasgan

    gan = kerasgan.models.DCGAN((16, 16, 1), latent_dim=4, generator_filters=2, discriminator_filters=2, seed=0)
    gan.save(tmp_path / "m.keras")
    assert cli.main(["export", str(tmp_path / "m.keras"), "--out", str(tmp_path / "exports" / "m"),
                     "--version", "1", "--no-warmup"]) == 0
    common = ["--dataset", "digits", "--metrics", "fid", "--num-samples", "100", "--cache-dir", str(tmp_path / "c")]
    assert cli.main(["evaluate", str(tmp_path / "m.keras"), *common, "--json", str(tmp_path / "a.json")]) == 0
    assert cli.main(["evaluate", str(tmp_path / "exports" / "m"), *common, "--json", str(tmp_path / "b.json")]) == 0
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    # The export draws the same latents for a seed as `generate`: the same score.
    assert abs(a["fid"] - b["fid"]) < 1e-3 * a["fid"]


def test_progressive_options_reach_the_trainer(capsys):
    assert cli.main(["train", "progan", "--image-size", "32", "--phase-batch-sizes", "64,64,32,16",
                     "--fade-in-images", "1000", "--stabilize-images", "2000", "--dry-run"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["phase_batch_sizes"] == [64, 64, 32, 16]
    assert config["fade_in_images"] == 1000 and config["stabilize_images"] == 2000
    assert cli.main(["train", "dcgan", "--dry-run"]) == 0
    assert "phase_batch_sizes" not in json.loads(capsys.readouterr().out)  # only when given
    assert cli.main(["train", "progan", "--phase-batch-sizes", "64,x", "--dry-run"]) == 2
    assert "--phase-batch-sizes takes comma-separated integers" in capsys.readouterr().err


# ------------------------------------------------------------- --num-workers
def _processes(key, value):
    """PIDs of the live processes whose /proc stat field `key` ("ppid" or
    "session") is `value`."""
    index = {"ppid": 1, "session": 3}[key]
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state, ppid, pgrp, session, ...
        if int(fields[index]) == value and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def test_num_workers_must_match_tf_config(tmp_path, monkeypatch, capsys):
    cluster = {"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, "task": {"type": "worker", "index": 0}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(cluster))
    assert cli.main(["train", "dcgan", "--out", str(tmp_path / "x"), "--num-workers", "3"]) == 2
    err = capsys.readouterr().err
    assert "--num-workers 3 does not match TF_CONFIG, whose cluster has 2 worker(s)" in err
    monkeypatch.delenv("TF_CONFIG")
    assert cli.main(["train", "dcgan", "--out", str(tmp_path / "x"), "--num-workers", "2",
                     "--strategy", "mirrored"]) == 2
    assert "--num-workers 2 trains with the multi_worker strategy" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_run_workers_stops_and_reaps_every_worker(tmp_path, capsys):
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    failing = [sys.executable, "-c", "import sys; print('worker says boom'); sys.exit(3)"]
    start = time.monotonic()
    # Worker 1 fails: the chief (still running) is killed, worker 1's code returned.
    assert cli.run_workers([sleeper, failing], [None, None], str(tmp_path)) == 3
    assert "worker 1 failed (exit status 3)" in capsys.readouterr().err
    assert "worker says boom" in (tmp_path / "worker_1.log").read_text()
    # Timeout: everyone is killed.
    assert cli.run_workers([sleeper, sleeper], [None, None], str(tmp_path), timeout=1) == 124
    assert time.monotonic() - start < 30
    assert _processes("ppid", os.getpid()) == []  # no child left, not even a zombie


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_an_interrupted_launcher_kills_its_workers(tmp_path, signum):
    """Ctrl-C (KeyboardInterrupt) or SIGTERM on the launcher: it kills and
    reaps both workers; SIGKILL: they get SIGKILL from the kernel
    (PR_SET_PDEATHSIG)."""
    # A shell starts background jobs (`nohup pytest &`, some CI runners) with
    # SIGINT ignored and Python keeps it ignored: the launcher restores the
    # terminal default so that Ctrl-C is what is tested.
    script = (
        "import signal, sys\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from kerasgan import cli\n"
        "sleeper = [sys.executable, '-c', 'import time; time.sleep(60)']\n"
        f"cli.run_workers([sleeper, sleeper], [None, None], {str(tmp_path)!r})\n"
    )
    launcher = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, start_new_session=True,
                                stderr=subprocess.DEVNULL)
    try:
        # The launcher imports kerasgan (TensorFlow) before it starts the
        # workers: measured up to 47 s for a cold import on 2 busy cores, so
        # the wait for them is generous (it ends as soon as both are up).
        deadline = time.monotonic() + 180
        while len(_processes("ppid", launcher.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_processes("ppid", launcher.pid)) == 2
        launcher.send_signal(signum)
        launcher.wait(timeout=30)
        assert launcher.returncode != 0
        deadline = time.monotonic() + 30
        while _processes("session", launcher.pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # (after SIGKILL the workers die a moment later)
        assert _processes("session", launcher.pid) == []
    finally:
        for pid in _processes("session", launcher.pid):
            os.kill(pid, signal.SIGKILL)
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()


@pytest.mark.slow  # two worker processes, ~40 s; tests/test_distribute.py's two-worker check stays in the default run
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_num_workers_trains_with_local_workers_and_only_the_chief_writes(tmp_path):
    scratch = tmp_path / "tmp"  # the workers' temporary folders live here
    scratch.mkdir()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", TMPDIR=str(scratch),
               PYTHONWARNINGS="ignore")
    env.pop("TF_CONFIG", None)
    out = tmp_path / "run"
    launcher = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "kerasgan"), "train", "dcgan", "--dataset", "digits",
         "--epochs", "1", "--out", str(out), *TINY, "--num-workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        stdout, stderr = launcher.communicate(timeout=240)
    finally:
        # The launcher leads its own session: whatever is left of it is its workers.
        left = _processes("session", launcher.pid)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
    assert launcher.returncode == 0, stderr[-3000:]
    assert left == []
    assert "starting 2 workers on 127.0.0.1:" in stdout and "d_loss" in stdout  # the chief's progress
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("model.keras")) == ["run/model.keras"]
    assert os.listdir(out / "samples") == ["epoch_0001.png"]
    assert (out / "checkpoints" / "checkpoint").exists()
    assert json.loads((out / "run.json").read_text())["strategy"].endswith("(2 replicas)")
    assert os.listdir(scratch) == []  # the other worker's folder is gone


# ------------------------------------------------------------------ faults
def test_a_diverging_run_fails_naming_the_step_and_sample_refuses_a_nan_model(tmp_path, capsys):
    """The command of issue 14: it used to exit 0 with NaN checkpoints and model."""
    out = tmp_path / "nan"
    code = cli.main(["train", "gan", "--dataset", "digits", "--image-size", "8", "--epochs", "2",
                     "--steps-per-epoch", "5", "--batch-size", "16", "--compile", "d_learning_rate=1e30",
                     "--compile", "g_learning_rate=1e30", "--no-tensorboard", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3, err
    assert re.search(r"Training diverged at epoch 1, batch \d: the logged [dg]_loss", err)
    assert not (out / "model.keras").exists() and not (out / "samples").exists()
    assert not (out / "checkpoints").exists() or not os.listdir(out / "checkpoints")

    import kerasgan

    gan = kerasgan.models.VanillaGAN((8, 8, 1), latent_dim=4, generator_units=(8,), discriminator_units=(8,))
    kernel = gan.generator.weights[0]
    kernel.assign(np.full(kernel.shape, np.nan, "float32"))
    gan.save(tmp_path / "nan.keras")
    with pytest.raises(SystemExit, match=r"nan\.keras holds NaN or Inf weights \(first: generator/"):
        cli.main(["sample", str(tmp_path / "nan.keras"), "--out", str(tmp_path / "grid.png")])
    assert not (tmp_path / "grid.png").exists()


def test_model_files_that_are_not_kerasgan_models_get_one_line_errors(tmp_path, capsys):
    import keras
    import tensorflow as tf

    import kerasgan

    gan = kerasgan.models.VanillaGAN((8, 8, 1), latent_dim=4, generator_units=(8,), discriminator_units=(8,))
    gan.save(tmp_path / "m.keras")
    data = (tmp_path / "m.keras").read_bytes()
    (tmp_path / "truncated.keras").write_bytes(data[: len(data) // 2])
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    seq.save(tmp_path / "sequential.keras")

    class Module(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def write(self, text):  # a SavedModel graph can hold any op
            return {"images": tf.zeros([1, 8, 8, 1])}

    module = Module()
    tf.saved_model.save(module, str(tmp_path / "foreign"), signatures={"serving_default": module.write})
    cases = [
        (["sample", str(tmp_path / "truncated.keras")], r"truncated\.keras: not a valid \.keras file .*truncated or corrupt"),
        (["sample", str(tmp_path / "sequential.keras")], r"sequential\.keras holds a Sequential, not a kerasgan GAN"),
        (["evaluate", str(tmp_path / "sequential.keras")], r"holds a Sequential, not a kerasgan GAN"),
        (["evaluate", str(tmp_path / "foreign")],
         r"foreign was not written by `kerasgan export` \(no assets.extra/kerasgan.json\).*--trust-saved-model"),
        (["evaluate", str(tmp_path / "foreign"), "--trust-saved-model"],
         r"foreign has no generate_from_seed signature \(it has: serving_default\)"),
        (["evaluate", str(tmp_path)], r"is not a SavedModel folder \(no saved_model.pb\)"),
    ]
    for argv, message in cases:
        with pytest.raises(SystemExit, match=message) as error:
            cli.main(argv)
        assert "\n" not in str(error.value), argv
    with pytest.raises(SystemExit):
        cli.main(["evaluate", "--help"])
    assert "runs its own graph" in capsys.readouterr().out.replace("\n", " ").replace("  ", " ")
