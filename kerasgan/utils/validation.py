"""Argument checks shared by the engine, the families and the tools: each
raises a ValueError that names the argument and what was received."""

import math

import numpy as np


def check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


def check_fraction(name, value, upper=1.0):
    value = float(value)
    if not 0.0 <= value < upper:
        raise ValueError(f"`{name}` must be in [0, {upper}). Received: {name}={value}")
    return value


def is_power_of_two(value):
    return value >= 1 and 2 ** int(round(math.log2(value))) == value


def check_image_shape(image_shape, min_size=16, max_size=128, channels=(1, 3)):
    """Validates a square `(size, size, channels)` shape with a power-of-two size."""
    try:
        shape = tuple(int(d) for d in image_shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"`image_shape` must be (height, width, channels). Received: image_shape={image_shape!r}"
        ) from None
    if len(shape) != 3:
        raise ValueError(
            f"`image_shape` must be (height, width, channels). Received: image_shape={image_shape!r}"
        )
    size, width, depth = shape
    if size != width or not is_power_of_two(size) or not min_size <= size <= max_size:
        raise ValueError(
            f"`image_shape` must be square with a power-of-two size in [{min_size}, {max_size}]. "
            f"Received: image_shape={image_shape!r}"
        )
    if depth not in channels:
        raise ValueError(
            f"`image_shape` must have {' or '.join(map(str, channels))} channels. "
            f"Received: image_shape={image_shape!r}"
        )
    return shape
