import numpy as np
import pytest
from PIL import Image

from kerasgan.utils import image_grid, save_image_grid, to_uint8


def test_to_uint8_maps_the_range_ends():
    np.testing.assert_array_equal(to_uint8([-1.0, 0.0, 1.0, 2.0, -3.0]), [0, 128, 255, 255, 0])


def test_grid_layout_and_png_round_trip(tmp_path):
    images = np.stack([np.full((3, 4, 1), v, np.float32) for v in (-1.0, 1.0, -1.0)])
    grid = image_grid(images, columns=2, padding=1)
    # 2 rows x 2 columns of 3x4 tiles with 1-pixel padding (255).
    assert grid.shape == (2 * 4 + 1, 2 * 5 + 1, 1)
    assert grid[1, 1, 0] == 0 and grid[1, 6, 0] == 255 and grid[5, 1, 0] == 0
    assert grid[0, 0, 0] == 255
    assert grid[5, 6, 0] == 255  # the empty fourth cell is padding colour
    path = save_image_grid(images, tmp_path / "sub" / "grid.png", columns=2, padding=1)
    loaded = np.array(Image.open(path))
    np.testing.assert_array_equal(loaded, grid[..., 0])
    rgb = save_image_grid(np.zeros((2, 4, 4, 3), np.float32), tmp_path / "rgb.png")
    assert Image.open(rgb).mode == "RGB"


def test_bad_shape_is_named():
    with pytest.raises(ValueError, match=r"\[n, H, W, C\].*\(4, 4\)"):
        image_grid(np.zeros((4, 4)))
