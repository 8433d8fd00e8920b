"""The zoo's progressive recipes (`training/recipes.py`, `training/build_zoo.py`,
`training/progressive_mnist.py`): their commands and when a finished run is reused.
No training here."""

import json
import pathlib
import sys

import pytest

TRAINING = pathlib.Path(__file__).resolve().parents[2] / "training"


@pytest.fixture(scope="module")
def training_modules():
    sys.path.insert(0, str(TRAINING))
    try:
        import build_zoo
        import progressive_mnist
        import recipes

        yield build_zoo, progressive_mnist, recipes
    finally:
        sys.path.remove(str(TRAINING))


def test_progan_and_stylegan_share_the_schedule_and_sizes(training_modules):
    build_zoo, _, recipes = training_modules
    progan, stylegan = recipes.RECIPES["progan-mnist-32"], recipes.RECIPES["stylegan-mnist-32"]
    for key in ("image_size", "batch_size", "latent_dim", "dataset", "extractor"):
        assert progan[key] == stylegan[key], key
    for key in ("fade_in", "stabilize", "filters"):
        assert progan["script_args"][key] == stylegan["script_args"][key], key
    command = build_zoo.shell_command(stylegan, "stylegan-mnist-32", "../shared/data")
    assert command == (".venv/bin/python training/progressive_mnist.py --out runs/zoo/stylegan-mnist-32 "
                       "--family stylegan --fade-in 10000 --stabilize 10000 --filters 32 "
                       "--style-mode modulated --final-stabilize 150016 --ema-decay 0.999 --ema-warmup True "
                       "--r1-weight 1.0 --mapping-layers 2")
    assert build_zoo.shell_command(progan, "progan-mnist-32", "../shared/data").startswith(
        ".venv/bin/python training/progressive_mnist.py --out runs/zoo/progan-mnist-32 --family progan ")


def test_a_finished_run_is_reused_only_with_the_same_settings(training_modules, tmp_path):
    import keras

    from kerasgan.models import ProGAN

    _, progressive_mnist, _ = training_modules
    # A run recorded before StyleGAN joined the script: no family, no ema_decay.
    ProGAN(target_resolution=8, channels=1, latent_dim=4, filters=4, seed=0).save(tmp_path / "model.keras")
    record = {"fade_in_images": 10000, "stabilize_images": 10000, "filters": 32, "complete": True}
    (tmp_path / "phases.json").write_text(json.dumps(record))
    model, result = progressive_mnist.load_finished(tmp_path, family="progan", fade_in=10000,
                                                    stabilize=10000, filters=32)
    assert isinstance(model, keras.Model) and result["complete"]
    assert progressive_mnist.load_finished(tmp_path, family="stylegan") == (None, None)
    assert progressive_mnist.load_finished(tmp_path, family="progan", filters=16) == (None, None)
    (tmp_path / "phases.json").write_text(json.dumps(dict(record, family="stylegan", ema_decay=0.999)))
    assert progressive_mnist.load_finished(tmp_path, family="stylegan", ema_decay=0.99) == (None, None)
    (tmp_path / "phases.json").write_text(json.dumps(dict(record, complete=False)))
    assert progressive_mnist.load_finished(tmp_path) == (None, None)
