"""Where self-attention looks: attention maps of a model's `SelfAttention`
layer for chosen query pixels, as arrays and as a picture.

`attention_maps(model, ...)` generates images and returns, for each image
and each query pixel, the attention weights over the attention layer's
positions (a `[H_a, W_a]` map that sums to 1), where `H_a x W_a` is the
resolution the layer attends at. `save_attention_picture` draws them: per
image, the image itself with the query pixels marked, then one panel per
query with its map upsampled to the image size and blended over the image.
`kerasgan sample MODEL --attention PICTURE.png` writes that picture.
"""

import numpy as np

from kerasgan.layers.self_attention import SelfAttention

#: Query pixels as fractions (row, column) of the image: the centre and three
#: off-centre points, so the picture shows both local and non-local attention.
DEFAULT_QUERIES = ((0.5, 0.5), (0.25, 0.25), (0.25, 0.75), (0.75, 0.5))

#: The colour of each query's marker and heat map (RGB, 0..255).
QUERY_COLOURS = ((230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240))


def attention_layer(network):
    """The (first) `SelfAttention` layer of a functional network, or a
    ValueError naming the network when it has none."""
    for layer in network._flatten_layers(include_self=False):
        if isinstance(layer, SelfAttention):
            return layer
    raise ValueError(
        f"{network.name} has no SelfAttention layer: attention maps need a model with self-attention "
        "(SAGAN, BigGAN with attention_resolution set)."
    )


def _query_positions(queries, resolution):
    """Fractions (row, col) in [0, 1] -> flat indices `row * W + col` of the
    attention grid, plus the grid cells."""
    cells = []
    for q in queries:
        if len(q) != 2 or not all(0.0 <= float(v) <= 1.0 for v in q):
            raise ValueError(f"A query is a (row, column) pair of fractions in [0, 1]. Received: {q!r}")
        r = min(int(float(q[0]) * resolution), resolution - 1)
        c = min(int(float(q[1]) * resolution), resolution - 1)
        cells.append((r, c))
    return [r * resolution + c for r, c in cells], cells


def attention_maps(model, n=4, seed=0, labels=None, queries=DEFAULT_QUERIES, network="generator"):
    """Generates `n` images and the generator's attention for `queries`.

    Args:
        model: a kerasgan latent model whose sampling generator (its EMA copy
            when it has one) contains a `SelfAttention` layer.
        n: images to generate.
        seed: seed of the latents (as `generate`).
        labels: class labels for a conditional model (int or `n` ints;
            default: classes 0, 1, ... in turn).
        queries: query pixels as (row, column) fractions of the image.
        network: which of the model's networks to look into ("generator":
            its sampling copy; "discriminator" looks at the generated images).

    Returns:
        A dict: `images` `[n, H, W, C]` in [-1, 1]; `maps` `[n, len(queries),
        R, R]` attention weights (each map sums to 1); `cells` the query
        cells `(row, col)` on the `R x R` attention grid; `resolution` R.
    """
    import keras

    n = int(n)
    if n < 1:
        raise ValueError(f"`n` must be a positive int. Received: n={n}")
    if model.num_classes is not None and labels is None:
        labels = [i % model.num_classes for i in range(n)]
    latents = model.sample_latents(n, seed=seed)
    images = np.asarray(model.generate(n, seed=seed, labels=labels, latents=latents))
    label_tensor = None
    if model.num_classes is not None:
        label_tensor = keras.ops.convert_to_tensor(np.broadcast_to(np.asarray(labels, dtype="int32"), (n,)))
    if network == "generator":
        net = model.sampling_network("generator")
        inputs = model.generator_inputs(latents, label_tensor)
    elif network == "discriminator":
        net = model.get_network("discriminator")
        inputs = model.discriminator_inputs(keras.ops.convert_to_tensor(images), label_tensor)
    else:
        raise ValueError(f"`network` must be 'generator' or 'discriminator'. Received: network={network!r}")
    layer = attention_layer(net)
    features = keras.Model(net.inputs, layer.input)(inputs, training=False)
    resolution = int(features.shape[1])
    flat, cells = _query_positions(queries, resolution)
    beta = np.asarray(layer.attention_map(features))  # [n, N, N]
    maps = beta[:, flat, :].reshape(n, len(flat), resolution, resolution)
    return {"images": images, "maps": maps, "cells": cells, "resolution": resolution}


def attention_picture(result, scale=4):
    """A PIL image of `attention_maps`'s result: one row per image (the
    image with query markers, then one panel per query)."""
    from PIL import Image, ImageDraw

    images, maps, cells = result["images"], result["maps"], result["cells"]
    n, size = images.shape[0], images.shape[1]
    cell = size * scale
    gap = 2
    picture = Image.new("RGB", ((1 + len(cells)) * (cell + gap) + gap, n * (cell + gap) + gap), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    grid = result["resolution"]
    for i in range(n):
        rgb = ((np.clip(images[i], -1, 1) + 1) * 127.5).astype("uint8")
        if rgb.shape[-1] == 1:
            rgb = np.repeat(rgb, 3, axis=-1)
        base = Image.fromarray(rgb[..., :3]).resize((cell, cell), Image.NEAREST)
        y = gap + i * (cell + gap)
        picture.paste(base, (gap, y))
        for q, (r, c) in enumerate(cells):
            colour = QUERY_COLOURS[q % len(QUERY_COLOURS)]
            cx, cy = gap + (c + 0.5) * cell / grid, y + (r + 0.5) * cell / grid
            draw.ellipse([cx - 3, cy - 3, cx + 3, cy + 3], outline=colour, width=2)
            heat = maps[i, q] / max(float(maps[i, q].max()), 1e-12)
            heat = np.asarray(Image.fromarray((heat * 255).astype("uint8")).resize((cell, cell), Image.BILINEAR))
            alpha = (heat[..., None] / 255.0) * 0.75
            dim = np.asarray(base, dtype="float32") * 0.5
            panel = dim * (1 - alpha) + np.asarray(colour, dtype="float32") * alpha
            x = gap + (q + 1) * (cell + gap)
            picture.paste(Image.fromarray(panel.astype("uint8")), (x, y))
            draw.ellipse([x + cx - gap - 3, cy - 3, x + cx - gap + 3, cy + 3], outline=(0, 0, 0), width=2)
    return picture


def save_attention_picture(model, path, n=4, seed=0, labels=None, queries=DEFAULT_QUERIES, network="generator"):
    """Writes `attention_picture(attention_maps(...))` to `path` (PNG,
    atomically) and returns the maps' dict."""
    from kerasgan.utils.atomic import atomic_write

    result = attention_maps(model, n=n, seed=seed, labels=labels, queries=queries, network=network)
    with atomic_write(str(path), "wb") as f:
        attention_picture(result).save(f, format="PNG")
    return result
