"""Small helpers shared across kerasgan."""

from kerasgan.utils.images import image_grid, save_image_grid, to_uint8

__all__ = ["image_grid", "save_image_grid", "to_uint8"]
