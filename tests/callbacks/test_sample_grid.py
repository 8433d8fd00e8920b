import numpy as np
from PIL import Image

import kerasgan
from tests.models.model_checks import tiny_dataset


def test_writes_a_grid_per_epoch_from_fixed_latents(tmp_path):
    gan = kerasgan.models.DCGAN((16, 16, 1), latent_dim=4, generator_filters=2, discriminator_filters=2, seed=0)
    gan.compile()
    callback = kerasgan.callbacks.SampleGrid(tmp_path / "samples", num_images=9, seed=5, log_dir=str(tmp_path / "logs"))
    gan.fit(tiny_dataset((16, 16, 1)), epochs=2, callbacks=[callback], verbose=0)
    files = sorted(p.name for p in (tmp_path / "samples").iterdir())
    assert files == ["epoch_0001.png", "epoch_0002.png"]
    grid = np.array(Image.open(tmp_path / "samples" / "epoch_0002.png"))
    # The last grid is exactly the model's samples for the fixed seed.
    expected = kerasgan.utils.image_grid(gan.generate(9, seed=5))
    np.testing.assert_array_equal(grid, expected[..., 0])
    assert any((tmp_path / "logs").iterdir())  # TensorBoard image summaries


def test_conditional_grid_has_one_class_per_column(tmp_path):
    gan = kerasgan.models.CGAN((16, 16, 1), num_classes=3, latent_dim=4, generator_filters=2, discriminator_filters=2)
    gan.compile()
    callback = kerasgan.callbacks.SampleGrid(tmp_path, num_images=6, seed=1)
    gan.fit(tiny_dataset((16, 16, 1), num_classes=3), epochs=1, callbacks=[callback], verbose=0)
    grid = np.array(Image.open(callback.last_path))
    expected = kerasgan.utils.image_grid(gan.generate(6, seed=1, labels=[0, 1, 2, 0, 1, 2]), columns=3)
    np.testing.assert_array_equal(grid, expected[..., 0])
