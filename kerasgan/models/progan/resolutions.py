"""Resolution and channel-width helpers of the progressive-growing networks."""

import math

from kerasgan.utils.validation import check_positive_int, is_power_of_two

#: The smallest and largest resolutions the networks are built for.
MIN_RESOLUTION = 4
MAX_RESOLUTION = 1024


def check_resolution(name, value, low=MIN_RESOLUTION, high=MAX_RESOLUTION):
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not is_power_of_two(value)
        or not low <= value <= high
    ):
        raise ValueError(
            f"`{name}` must be a power of two in [{low}, {high}]. Received: {name}={value!r}"
        )
    return int(value)


def resolutions_up_to(resolution):
    """[4, 8, ..., resolution]."""
    return [2**k for k in range(2, int(math.log2(resolution)) + 1)]


def resolve_filters(filters, target_resolution, fmap_base=8192, fmap_max=512):
    """Channels per resolution as a list `[nf(4), nf(8), ..., nf(target)]`.

    Args:
        filters: None (ProGAN's rule nf(r) = min(2 * fmap_base / r, fmap_max):
            512 up to 32x32, then halving, 16 at 1024x1024), an int (the
            same width everywhere), a list with one entry per resolution from
            4 to `target_resolution`, or a dict keyed by those resolutions
            (int or str keys, as after a JSON round trip).
    """
    resolutions = resolutions_up_to(target_resolution)
    if filters is None:
        values = [max(1, min(int(2 * fmap_base // r), int(fmap_max))) for r in resolutions]
    elif isinstance(filters, int) and not isinstance(filters, bool):
        values = [filters] * len(resolutions)
    elif isinstance(filters, dict):
        by_res = {int(k): v for k, v in filters.items()}
        missing = [r for r in resolutions if r not in by_res]
        if missing:
            raise ValueError(
                f"`filters` has no entry for resolutions {missing}. Received: filters={filters!r}"
            )
        values = [by_res[r] for r in resolutions]
    elif isinstance(filters, (list, tuple)):
        values = list(filters)
        if len(values) != len(resolutions):
            raise ValueError(
                f"`filters` must list one width per resolution {resolutions}. "
                f"Received: filters={filters!r}"
            )
    else:
        raise ValueError(
            f"`filters` must be None, an int, a list or a dict. Received: filters={filters!r}"
        )
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
        raise ValueError(f"`filters` must be positive integers. Received: filters={filters!r}")
    return [int(v) for v in values]


def check_filters_list(filters, resolution):
    """Checks a network's `filters` list covers 4..resolution."""
    needed = len(resolutions_up_to(resolution))
    if not isinstance(filters, (list, tuple)) or len(filters) < needed:
        raise ValueError(
            f"`filters` must list at least {needed} widths (4 to {resolution}). "
            f"Received: filters={filters!r}"
        )
    return [int(v) for v in filters]


def check_network_args(resolution, start_resolution, latent_dim, channels, filters):
    """Checks the arguments every growing network takes (ProGAN's and
    StyleGAN's generators); `latent_dim` may be None (discriminators)."""
    resolution = check_resolution("resolution", resolution)
    start_resolution = check_resolution("start_resolution", start_resolution, high=resolution)
    if latent_dim is not None:
        latent_dim = check_positive_int("latent_dim", latent_dim)
    channels = check_positive_int("channels", channels)
    filters = check_filters_list(filters, resolution)
    return resolution, start_resolution, latent_dim, channels, filters
