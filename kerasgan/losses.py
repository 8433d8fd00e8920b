"""Adversarial losses as pure functions of discriminator logits.

Every loss comes as a pair, ``<name>_discriminator_loss(real_logits,
fake_logits)`` and ``<name>_generator_loss(fake_logits)``, for ``name`` in
``minimax``, ``non_saturating``, ``wasserstein``, ``hinge`` and
``least_squares``. Logits may have any rank ``>= 1`` (a ``[batch, 1]`` score, a
``[batch]`` vector or a ``[batch, h, w, 1]`` PatchGAN map).

Reduction (keyword ``reduction``):

- ``"mean"`` (default): one scalar, the mean over every element.
- ``"none"``: one value per example, shape ``[batch]``: the mean over all
  non-batch axes. The GAN models use this so that they can scale the loss for
  the global batch under a distribution strategy
  (``tf.nn.compute_average_loss``). For discriminator losses the real and
  fake batches must then have the same size.
- ``"sum"``: the sum over the batch of the per-example values.

The binary-cross-entropy losses (minimax, non-saturating) and least squares
take optional ``real_targets`` / ``fake_targets`` (broadcastable to the
logits): one-sided label smoothing and noisy label flips are expressed as
targets by the models. All functions compute in float32 (mixed precision
logits are cast up) and are differentiable everywhere.
"""

import tensorflow as tf

_REDUCTIONS = ("mean", "none", "sum")


def _as_float32(logits, name):
    logits = tf.convert_to_tensor(logits)
    if not logits.dtype.is_floating:
        raise ValueError(
            f"`{name}` must be a floating tensor of logits. Received dtype: {logits.dtype.name}"
        )
    if logits.shape.rank is not None and logits.shape.rank < 1:
        raise ValueError(
            f"`{name}` must have a batch axis (rank >= 1). Received shape: {logits.shape}"
        )
    return tf.cast(logits, tf.float32)


def _per_example(values):
    """Mean over all non-batch axes: `[batch, ...]` -> `[batch]`."""
    rank = values.shape.rank
    if rank == 1:
        return values
    return tf.reduce_mean(values, axis=list(range(1, rank)))


def _reduce(values, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"`reduction` must be one of {_REDUCTIONS}. Received: reduction={reduction!r}"
        )
    per_example = _per_example(values)
    if reduction == "none":
        return per_example
    if reduction == "sum":
        return tf.reduce_sum(per_example)
    return tf.reduce_mean(values)


def _targets(targets, default, logits):
    if targets is None:
        return tf.fill(tf.shape(logits), tf.constant(default, tf.float32))
    targets = tf.cast(tf.convert_to_tensor(targets), tf.float32)
    # Per-example targets of shape [batch] broadcast over the logits' other axes.
    if targets.shape.rank == 1 and logits.shape.rank > 1:
        targets = tf.reshape(targets, [-1] + [1] * (logits.shape.rank - 1))
    return tf.broadcast_to(targets, tf.shape(logits))


def _bce(logits, targets):
    """Sigmoid cross-entropy, numerically stable for any logit."""
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits)


def _combine(real_terms, fake_terms, reduction):
    if reduction == "none":
        return _per_example(real_terms) + _per_example(fake_terms)
    return _reduce(real_terms, reduction) + _reduce(fake_terms, reduction)


# --------------------------------------------------------------------------- minimax
def minimax_discriminator_loss(
    real_logits, fake_logits, real_targets=None, fake_targets=None, reduction="mean"
):
    """Discriminator loss of the original GAN (Goodfellow et al., 2014).

    Formula: loss = -log(sigmoid(real)) - log(1 - sigmoid(fake))
    (binary cross-entropy with targets 1 for real and 0 for fake; targets are
    overridable for label smoothing / flips).

    Args:
        real_logits: unbounded logits of the discriminator on real data, any rank.
        fake_logits: unbounded logits on generated data, same rank.
        real_targets: optional targets for the real logits (default 1).
        fake_targets: optional targets for the fake logits (default 0).
        reduction: ``"mean"``, ``"none"`` (per example) or ``"sum"``.
    """
    real_logits = _as_float32(real_logits, "real_logits")
    fake_logits = _as_float32(fake_logits, "fake_logits")
    real_terms = _bce(real_logits, _targets(real_targets, 1.0, real_logits))
    fake_terms = _bce(fake_logits, _targets(fake_targets, 0.0, fake_logits))
    return _combine(real_terms, fake_terms, reduction)


def minimax_generator_loss(fake_logits, reduction="mean"):
    """Generator loss of the original minimax GAN (Goodfellow et al., 2014).

    Formula: loss = log(1 - sigmoid(fake)) = -softplus(fake)
    It saturates (vanishing gradient) when the discriminator confidently
    rejects the samples; prefer ``non_saturating_generator_loss`` in practice.

    Args:
        fake_logits: unbounded logits of the discriminator on generated data.
        reduction: ``"mean"``, ``"none"`` or ``"sum"``.
    """
    fake_logits = _as_float32(fake_logits, "fake_logits")
    return _reduce(-tf.nn.softplus(fake_logits), reduction)


# ------------------------------------------------------------------ non-saturating
def non_saturating_discriminator_loss(
    real_logits, fake_logits, real_targets=None, fake_targets=None, reduction="mean"
):
    """Discriminator loss of the non-saturating GAN (Goodfellow et al., 2014).

    Identical to the minimax discriminator loss:
    Formula: loss = -log(sigmoid(real)) - log(1 - sigmoid(fake))

    Args: as ``minimax_discriminator_loss``.
    """
    return minimax_discriminator_loss(
        real_logits, fake_logits, real_targets, fake_targets, reduction=reduction
    )


def non_saturating_generator_loss(fake_logits, reduction="mean"):
    """Non-saturating generator loss (Goodfellow et al., 2014, section 3).

    Formula: loss = -log(sigmoid(fake)) = softplus(-fake)

    Args:
        fake_logits: unbounded logits of the discriminator on generated data.
        reduction: ``"mean"``, ``"none"`` or ``"sum"``.
    """
    fake_logits = _as_float32(fake_logits, "fake_logits")
    return _reduce(tf.nn.softplus(-fake_logits), reduction)


# --------------------------------------------------------------------- wasserstein
def wasserstein_discriminator_loss(real_logits, fake_logits, reduction="mean"):
    """Critic loss of the Wasserstein GAN (Arjovsky et al., 2017).

    Formula: loss = fake - real   (the critic maximises real - fake)
    Logits are unbounded critic scores; a Lipschitz constraint (gradient
    penalty, clipping or spectral norm) is needed for this to be meaningful.

    Args:
        real_logits: critic scores on real data, any rank.
        fake_logits: critic scores on generated data, same rank.
        reduction: ``"mean"``, ``"none"`` or ``"sum"``.
    """
    real_logits = _as_float32(real_logits, "real_logits")
    fake_logits = _as_float32(fake_logits, "fake_logits")
    return _combine(-real_logits, fake_logits, reduction)


def wasserstein_generator_loss(fake_logits, reduction="mean"):
    """Generator loss of the Wasserstein GAN (Arjovsky et al., 2017).

    Formula: loss = -fake

    Args:
        fake_logits: critic scores on generated data.
        reduction: ``"mean"``, ``"none"`` or ``"sum"``.
    """
    fake_logits = _as_float32(fake_logits, "fake_logits")
    return _reduce(-fake_logits, reduction)


# --------------------------------------------------------------------------- hinge
def hinge_discriminator_loss(real_logits, fake_logits, reduction="mean"):
    """Hinge discriminator loss (Lim & Ye 2017; Miyato et al. 2018; SAGAN, BigGAN).

    Formula: loss = max(0, 1 - real) + max(0, 1 + fake)
    Logits are unbounded scores; real data is pushed above +1, fakes below -1.

    Args:
        real_logits: discriminator scores on real data, any rank.
        fake_logits: discriminator scores on generated data, same rank.
        reduction: ``"mean"``, ``"none"`` or ``"sum"``.
    """
    real_logits = _as_float32(real_logits, "real_logits")
    fake_logits = _as_float32(fake_logits, "fake_logits")
    return _combine(tf.nn.relu(1.0 - real_logits), tf.nn.relu(1.0 + fake_logits), reduction)


def hinge_generator_loss(fake_logits, reduction="mean"):
    """Hinge-GAN generator loss (Lim & Ye 2017; Miyato et al. 2018).

    Formula: loss = -fake

    Args:
        fake_logits: discriminator scores on generated data.
        reduction: ``"mean"``, ``"none"`` or ``"sum"``.
    """
    fake_logits = _as_float32(fake_logits, "fake_logits")
    return _reduce(-fake_logits, reduction)


# ------------------------------------------------------------------- least squares
def least_squares_discriminator_loss(
    real_logits, fake_logits, real_targets=None, fake_targets=None, reduction="mean"
):
    """Least-squares discriminator loss (LSGAN, Mao et al., 2017), with a=0, b=1.

    Formula: loss = 0.5 * (real - b)^2 + 0.5 * (fake - a)^2
    Logits are unbounded scores (no sigmoid). ``real_targets`` / ``fake_targets``
    override b and a.

    Args:
        real_logits: discriminator scores on real data, any rank.
        fake_logits: discriminator scores on generated data, same rank.
        real_targets: optional b (default 1).
        fake_targets: optional a (default 0).
        reduction: ``"mean"``, ``"none"`` or ``"sum"``.
    """
    real_logits = _as_float32(real_logits, "real_logits")
    fake_logits = _as_float32(fake_logits, "fake_logits")
    real_terms = 0.5 * tf.square(real_logits - _targets(real_targets, 1.0, real_logits))
    fake_terms = 0.5 * tf.square(fake_logits - _targets(fake_targets, 0.0, fake_logits))
    return _combine(real_terms, fake_terms, reduction)


def least_squares_generator_loss(fake_logits, reduction="mean"):
    """Least-squares generator loss (LSGAN, Mao et al., 2017), with c=1.

    Formula: loss = 0.5 * (fake - 1)^2

    Args:
        fake_logits: discriminator scores on generated data.
        reduction: ``"mean"``, ``"none"`` or ``"sum"``.
    """
    fake_logits = _as_float32(fake_logits, "fake_logits")
    return _reduce(0.5 * tf.square(fake_logits - 1.0), reduction)


# ------------------------------------------------------------------------ registry
LOSSES = {
    "minimax": (minimax_discriminator_loss, minimax_generator_loss),
    "non_saturating": (non_saturating_discriminator_loss, non_saturating_generator_loss),
    "wasserstein": (wasserstein_discriminator_loss, wasserstein_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
    "least_squares": (least_squares_discriminator_loss, least_squares_generator_loss),
}

#: Losses whose discriminator term is a cross-entropy or a regression onto
#: targets, so label smoothing and label flips have a meaning.
TARGET_LOSSES = ("minimax", "non_saturating", "least_squares")


def get(name):
    """Returns the ``(discriminator_loss, generator_loss)`` pair called ``name``.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if name not in LOSSES:
        raise ValueError(
            f"Unknown GAN loss. Expected one of {sorted(LOSSES)}. Received: loss={name!r}"
        )
    return LOSSES[name]
