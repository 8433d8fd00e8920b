"""The latent-task conformance suite, run by every family of the registry
with that task (each family's `tiny` preset)."""

import numpy as np
import pytest

from kerasgan import models
from kerasgan.engine import LatentTask, task_of
from tests.models.model_checks import (
    check_config_round_trip,
    check_fit_changes_weights,
    check_generate,
    check_save_load,
    tiny_dataset,
)

LATENT_FAMILIES = sorted(name for name, cls in models.FAMILIES.items() if isinstance(task_of(cls), LatentTask))


def test_every_family_has_a_task_and_a_tiny_preset():
    assert LATENT_FAMILIES
    for name, cls in models.FAMILIES.items():
        task_of(cls)
        assert "tiny" in cls.presets, name


@pytest.mark.parametrize("name", LATENT_FAMILIES)
def test_latent_family_conformance(name, tmp_path):
    model = models.FAMILIES[name].from_preset("tiny")
    shape, classes = model.image_shape, model.num_classes
    check_config_round_trip(model)
    model.compile()
    history = check_fit_changes_weights(model, tiny_dataset(shape, num_classes=classes))
    # Every active term is logged under its name.
    logged = {t.name for ts in model.terms.values() for t in ts}
    assert logged <= set(history.history)
    check_generate(model, shape)
    with pytest.raises(ValueError, match="generate_batches"):  # one array of more than 2 GiB
        model.generate(10**9)
    images, columns = task_of(model).sample_grid(model, 6 if classes == 3 else 4, seed=0)
    assert tuple(images.shape[1:]) == tuple(shape) and (columns == classes if classes else columns is None)
    loaded = check_save_load(model, str(tmp_path / "model.keras"))
    check_fit_changes_weights(loaded, tiny_dataset(shape, num_classes=classes), steps=1)
    bad = np.zeros((2,) + tuple(shape[:-1]) + (shape[-1] + 1,), "float32")
    with pytest.raises(ValueError, match="have shape"):
        model.unpack_batch(bad if not classes else (bad, np.zeros(2, "int32")))
    with pytest.raises(ValueError, match="Unknown preset"):
        type(model).from_preset("huge")
