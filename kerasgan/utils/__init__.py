"""Small helpers shared across kerasgan."""

from kerasgan.utils.atomic import atomic_write, atomic_write_text
from kerasgan.utils.images import image_grid, save_image_grid, to_uint8

__all__ = ["atomic_write", "atomic_write_text", "image_grid", "save_image_grid", "to_uint8"]
