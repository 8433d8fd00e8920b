"""`kerasgan.trainer.train` on a progressive family (ProGAN): phases, samples
per phase, resume from the middle of a phase, and refusal of a checkpoint
that does not fit."""

import json

import keras
import numpy as np
import pytest

from kerasgan import trainer
from tests.trainer_checks import StopAfterEpoch

# Target 8x8: a 4x4 phase (32 images, batch 16) and an 8x8 phase (32 fade-in +
# 32 stable images, batch 8), epochs of 2 steps: epochs 1 (4x4), 2-5 (8x8).
TINY = dict(
    family="progan", dataset="digits", image_size=8, latent_dim=16, seed=1,
    model_kwargs={"filters": 8, "ema_decay": 0.9}, fade_in_images=32, stabilize_images=32,
    phase_batch_sizes=[16, 8], steps_per_epoch=2, num_samples=4, tensorboard=False, verbose=0,
)


def test_progressive_run_grows_and_resumes_mid_phase_to_the_same_weights(tmp_path):
    straight, history = trainer.train(out=str(tmp_path / "straight"), **TINY)
    assert straight.resolution == 8 and float(straight.alpha) == 1.0
    assert int(straight.images_seen) == 32 + 64
    assert history.epoch == [0, 1, 2, 3, 4]
    assert history.history["resolution"] == [4, 8, 8, 8, 8]
    assert history.history["images_seen"] == [32, 48, 64, 80, 96]
    samples = sorted(p.name for p in (tmp_path / "straight" / "samples").iterdir())
    assert samples == [f"epoch_{e:04d}.png" for e in range(1, 6)] + ["phase_004x004.png", "phase_008x008.png"]
    run = json.loads((tmp_path / "straight" / "run.json").read_text())
    assert run["family"] == "progan" and run["schedule"]["batch_size"] == {"4": 16, "8": 8}

    # Killed in the middle of the 8x8 fade-in (after epoch 3: 64 images seen).
    resumed_out = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        trainer.train(out=str(resumed_out), extra_callbacks=[StopAfterEpoch(3)], **TINY)
    assert not (resumed_out / "model.keras").exists()
    checkpoints = sorted(p.name for p in (resumed_out / "checkpoints").iterdir())

    # A rerun that does not match the checkpoint is refused and changes nothing.
    with pytest.raises(ValueError, match="does not fit the model being built"):
        trainer.train(out=str(resumed_out), **dict(TINY, model_kwargs={"filters": 4, "ema_decay": 0.9}))
    assert sorted(p.name for p in (resumed_out / "checkpoints").iterdir()) == checkpoints

    resumed, history = trainer.train(out=str(resumed_out), **TINY)
    assert history.epoch == [3, 4]  # only the remaining epochs, numbered on
    assert history.history["resolution"] == [8, 8]
    assert resumed.resolution == 8 and int(resumed.images_seen) == 96
    # Tolerance: bit-identical on CPU (same phase, data stream position, alpha,
    # seed state and optimizer moments); 1e-6 leaves room for reduction order.
    a = keras.saving.load_model(str(tmp_path / "straight" / "model.keras"))
    b = keras.saving.load_model(str(resumed_out / "model.keras"))
    assert [w.shape for w in a.weights] == [w.shape for w in b.weights]
    for x, y in zip(a.weights, b.weights):
        np.testing.assert_allclose(np.array(x), np.array(y), rtol=0, atol=1e-6, err_msg=x.path)
    assert int(b.d_optimizer.iterations) == int(a.d_optimizer.iterations) == 2 + 8
    rows = (resumed_out / "history.csv").read_text().strip().splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["1", "2", "3", "4", "5"]  # counted from 1
    assert (resumed_out / "samples" / "phase_008x008.png").exists()

    # Finished: a rerun trains nothing.
    again, history = trainer.train(out=str(resumed_out), **TINY)
    assert history is None and again.resolution == 8 and int(again.images_seen) == 96


@pytest.mark.slow  # ~35 s; the ProGAN resume checks above stay in the default run
def test_stylegan_resumes_after_a_grow(tmp_path):
    """The same path drives any model with grow()/target_resolution. StyleGAN's
    noise layers have seed generators of their own, replaced by every grow:
    the checkpoint must save the grown model's (it is rebound every phase),
    or the resumed run cannot restore."""
    kwargs = dict(TINY, family="stylegan", model_kwargs={"filters": 8, "mapping_layers": 1})
    with pytest.raises(KeyboardInterrupt):
        trainer.train(out=str(tmp_path / "run"), extra_callbacks=[StopAfterEpoch(2)], **kwargs)
    model, history = trainer.train(out=str(tmp_path / "run"), **kwargs)
    assert type(model).__name__ == "StyleGAN"
    assert history.epoch == [2, 3, 4] and history.history["resolution"] == [8, 8, 8]
    assert model.resolution == 8 and int(model.images_seen) == 96
    assert (tmp_path / "run" / "model.keras").exists()


def test_progressive_options_are_checked(tmp_path):
    with pytest.raises(ValueError, match=r"one batch size per phase, for resolutions \[4, 8\]"):
        trainer.train(out=str(tmp_path / "a"), **dict(TINY, phase_batch_sizes=[16, 8, 4]))
    with pytest.raises(ValueError, match="progressive families only.*'dcgan'"):
        trainer.train(out=str(tmp_path / "b"), family="dcgan", image_size=16, fade_in_images=10, epochs=1)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
