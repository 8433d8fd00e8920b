"""Differentiable augmentation of the discriminator's inputs, for small data.

- **DiffAugment** (Zhao et al., 2020, "Differentiable Augmentation for
  Data-Efficient GAN Training"): the same random, differentiable transforms
  applied to real *and* fake images before the discriminator, in both the
  discriminator and the generator step, so the generator is trained through
  them and the discriminator cannot memorise the few real images. The ops
  are the paper's: `color` (brightness shift U(-0.5, 0.5), saturation
  factor U(0, 2), contrast factor U(0.5, 1.5)), `translation` (up to 1/8 of
  the image each way, integer pixels, zero padding), `cutout` (one square of
  half the image size set to zero). Each is drawn per example.
- **ADA** (Karras et al., 2020, "Training Generative Adversarial Networks
  with Limited Data"): each op is applied to each example with probability
  `p`, and `p` follows the overfitting heuristic r_t = E[sign(D(real))]:
  every `interval` discriminator steps, `p += sign(r_t - target) * N /
  (kimg * 1000)` (N: the real images seen in those steps), clipped to
  [0, 1]. Here the ops are DiffAugment's (ADA's own pipeline has 18 ops:
  flips, rotations, scaling, hue, ...): this is ADA's *controller* on
  DiffAugment's ops.

Images are `[batch, H, W, C]` in [-1, 1] (any float dtype), with a static
height and width. Randomness comes from `seed`: a
`keras.random.SeedGenerator` (in training, the model's replica-aware
`seed_generator`), or an int (a generator is made from it, eager only).

`kerasgan.models.GAN` turns these on with `compile(augment="diffaugment")`
or `compile(augment="ada")`; `draw_params` + `apply` give the same
transform to several batches (e.g. the real and fake halves of a step).
"""

import keras
import tensorflow as tf

#: The ops of a policy, in the order they are applied.
OPS = ("color", "translation", "cutout")

#: DiffAugment's default policy.
DEFAULT_POLICY = "color,translation,cutout"

#: Translation: at most this fraction of the image each way (DiffAugment: 1/8).
TRANSLATION_RATIO = 0.125

#: Cutout: the square's side as a fraction of the image (DiffAugment: 1/2).
CUTOUT_RATIO = 0.5

#: The modes of `GAN.compile(augment=...)`.
MODES = ("diffaugment", "ada")


def parse_policy(policy):
    """`"color,translation,cutout"` (or a list of names) -> a tuple of ops
    in `OPS`. Unknown names raise a ValueError."""
    if isinstance(policy, str):
        names = [p.strip() for p in policy.split(",") if p.strip()]
    else:
        names = [str(p).strip() for p in (policy or ())]
    unknown = [n for n in names if n not in OPS]
    if unknown or not names or len(set(names)) != len(names):
        raise ValueError(
            f"`augment_policy` must be a comma-separated list of distinct ops among {OPS}. "
            f"Received: augment_policy={policy!r}"
        )
    return tuple(op for op in OPS if op in names)


def _seed_generator(seed):
    if isinstance(seed, keras.random.SeedGenerator):
        return seed
    return keras.random.SeedGenerator(seed)


def _static_size(images):
    height, width = images.shape[1], images.shape[2]
    if height is None or width is None or images.shape.rank != 4:
        raise ValueError(
            "Augmentation needs images [batch, H, W, C] with a static height and width. "
            f"Received: shape {images.shape}"
        )
    return int(height), int(width)


def draw_params(batch_size, height, width, policy=DEFAULT_POLICY, seed=None, probability=None):
    """Random parameters of `policy` for `batch_size` examples.

    Args:
        batch_size: int or scalar tensor.
        height, width: the images' size (ints).
        policy: ops to draw (see `parse_policy`).
        seed: a `keras.random.SeedGenerator` (or an int, eager only).
        probability: None (every op on every example: DiffAugment) or a
            scalar in [0, 1] (ADA's p): each op is kept for each example with
            this probability, otherwise it is the identity.

    Returns:
        A dict of float32/int32 tensors, one row per example; `apply` uses it.
    """
    ops = parse_policy(policy)
    seed = _seed_generator(seed)
    n = batch_size

    def keep():
        if probability is None:
            return tf.ones([n], tf.bool)
        u = keras.random.uniform([n], seed=seed)
        return u < tf.cast(probability, tf.float32)

    params = {}
    if "color" in ops:
        params["brightness"] = keras.random.uniform([n], -0.5, 0.5, seed=seed)
        params["saturation"] = keras.random.uniform([n], 0.0, 2.0, seed=seed)
        params["contrast"] = keras.random.uniform([n], 0.5, 1.5, seed=seed)
        params["keep_brightness"], params["keep_saturation"], params["keep_contrast"] = keep(), keep(), keep()
    if "translation" in ops:
        shift_y = int(height * TRANSLATION_RATIO + 0.5)
        shift_x = int(width * TRANSLATION_RATIO + 0.5)
        params["shift_y"] = keras.random.randint([n], -shift_y, shift_y + 1, dtype="int32", seed=seed)
        params["shift_x"] = keras.random.randint([n], -shift_x, shift_x + 1, dtype="int32", seed=seed)
        params["keep_translation"] = keep()
    if "cutout" in ops:
        size_y, size_x = int(height * CUTOUT_RATIO + 0.5), int(width * CUTOUT_RATIO + 0.5)
        # The square's centre, as in DiffAugment (it may hang over the border).
        params["cutout_y"] = keras.random.randint([n], 0, height + (1 - size_y % 2), dtype="int32", seed=seed)
        params["cutout_x"] = keras.random.randint([n], 0, width + (1 - size_x % 2), dtype="int32", seed=seed)
        params["keep_cutout"] = keep()
    return params


def apply(images, params):
    """`images` transformed by `params` (from `draw_params` with the same
    batch size and image size). Differentiable with respect to `images`;
    an op whose `keep_*` is False for an example leaves it unchanged
    (exactly)."""
    images = tf.convert_to_tensor(images)
    height, width = _static_size(images)
    dtype = images.dtype
    x = images

    def per_example(values):
        return tf.reshape(tf.cast(values, dtype), [-1, 1, 1, 1])

    def select(keep, new, old):
        return tf.where(tf.reshape(keep, [-1, 1, 1, 1]), new, old)

    if "brightness" in params:
        x = select(params["keep_brightness"], x + per_example(params["brightness"]), x)
        mean = tf.reduce_mean(x, axis=3, keepdims=True)
        x = select(params["keep_saturation"], (x - mean) * per_example(params["saturation"]) + mean, x)
        mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
        x = select(params["keep_contrast"], (x - mean) * per_example(params["contrast"]) + mean, x)
    if "shift_y" in params:
        keep = params["keep_translation"]
        shift_y = tf.where(keep, params["shift_y"], 0)
        shift_x = tf.where(keep, params["shift_x"], 0)
        x = _translate(x, shift_y, shift_x, height, width)
    if "cutout_y" in params:
        size_y, size_x = int(height * CUTOUT_RATIO + 0.5), int(width * CUTOUT_RATIO + 0.5)
        rows = tf.range(height)[None, :]
        cols = tf.range(width)[None, :]
        top = params["cutout_y"][:, None] - size_y // 2
        left = params["cutout_x"][:, None] - size_x // 2
        in_rows = (rows >= top) & (rows < top + size_y)  # [B, H]
        in_cols = (cols >= left) & (cols < left + size_x)  # [B, W]
        inside = in_rows[:, :, None] & in_cols[:, None, :]  # [B, H, W]
        inside = inside & tf.reshape(params["keep_cutout"], [-1, 1, 1])
        x = x * tf.cast(~inside, dtype)[..., None]
    return x


def _translate(x, shift_y, shift_x, height, width):
    """Moves each example by (shift_y, shift_x) whole pixels; what comes in
    from outside is zero. A gather, so the gradient reaches the input."""
    padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    # Output row i reads input row i - shift_y (padded index + 1); beyond the
    # image it reads the zero border.
    rows = tf.clip_by_value(tf.range(height)[None, :] - shift_y[:, None] + 1, 0, height + 1)
    cols = tf.clip_by_value(tf.range(width)[None, :] - shift_x[:, None] + 1, 0, width + 1)
    x = tf.gather(padded, rows, axis=1, batch_dims=1)  # [B, H, W + 2, C]
    return tf.gather(x, cols, axis=2, batch_dims=1)  # [B, H, W, C]


def diff_augment(images, policy=DEFAULT_POLICY, seed=None, probability=None):
    """`images` with `policy`'s ops drawn per example (see the module
    docstring): DiffAugment with `probability=None`, ADA's per-example
    probability otherwise."""
    images = tf.convert_to_tensor(images)
    height, width = _static_size(images)
    params = draw_params(tf.shape(images)[0], height, width, policy, seed, probability)
    return apply(images, params)


def ada_update(p, stats, real_logits, target=0.6, interval=4, kimg=500.0):
    """One discriminator step of ADA's controller (Karras et al., 2020).

    Args:
        p: the current augmentation probability (scalar).
        stats: float32 `[3]`: the sum of sign(D(real)) over the real examples
            since the last adjustment, their number, and the number of
            steps.
        real_logits: this step's discriminator outputs on (augmented) real
            images, any rank (PatchGAN maps are averaged per example).
        target: r_t above it means the discriminator overfits (paper: 0.6).
        interval: adjust every this many steps (paper: 4).
        kimg: thousands of images for p to go from 0 to 1 (paper: 500).

    Returns:
        `(new_p, new_stats)`: at the `interval`-th step, r_t = sum / count,
        `p + sign(r_t - target) * count / (kimg * 1000)` clipped to [0, 1],
        and zeroed stats; otherwise `p` and the accumulated stats. Written
        without branches (safe in a replica context).
    """
    logits = tf.cast(real_logits, tf.float32)
    rank = logits.shape.rank
    if rank is not None and rank > 1:
        logits = tf.reduce_mean(logits, axis=list(range(1, rank)))
    signs = tf.sign(tf.reshape(logits, [-1]))
    stats = tf.cast(stats, tf.float32) + tf.stack(
        [tf.reduce_sum(signs), tf.cast(tf.size(signs), tf.float32), 1.0]
    )
    due = stats[2] >= float(interval)
    r_t = stats[0] / tf.maximum(stats[1], 1.0)
    adjust = tf.sign(r_t - target) * stats[1] / (float(kimg) * 1000.0)
    p = tf.cast(p, tf.float32)
    new_p = tf.where(due, tf.clip_by_value(p + adjust, 0.0, 1.0), p)
    new_stats = tf.where(due, tf.zeros_like(stats), stats)
    return new_p, new_stats
