"""Gradient penalties on the discriminator, per example.

Both functions return a ``[batch]`` vector (one value per example) so that the
models can scale them for the global batch under a distribution strategy; take
``tf.reduce_mean`` for a scalar. They differentiate through the discriminator
(a nested ``tf.GradientTape``), so call them inside the tape that computes the
discriminator's gradients.

``discriminator`` is any callable ``images -> logits`` (for a conditional model
pass ``lambda x: d([x, labels], training=True)``).
"""

import keras
import tensorflow as tf

#: Added under the square root of the gradient norm, so that its gradient is
#: finite where the input gradient is exactly zero.
NORM_EPSILON = 1e-12


def _per_example_sum_of_squares(grads):
    rank = grads.shape.rank
    return tf.reduce_sum(tf.square(grads), axis=list(range(1, rank)))


def _input_gradients(discriminator, inputs):
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        logits = tf.cast(discriminator(inputs), tf.float32)
        # Summing keeps each example's gradient separate: the logits of one
        # example depend only on its own input (no batch norm in critics).
        total = tf.reduce_sum(logits)
    grads = tape.gradient(total, inputs)
    if grads is None:
        raise ValueError(
            "The discriminator's output does not depend on its input images: "
            "no gradient to penalise."
        )
    return tf.cast(grads, tf.float32)


def gradient_penalty(discriminator, real, fake, seed=None, target=1.0):
    """WGAN-GP gradient penalty (Gulrajani et al., 2017), per example.

    Formula: penalty = (sqrt(sum(grad^2) + eps) - target)^2, with the gradient
    of the critic taken at x_hat = alpha * real + (1 - alpha) * fake, alpha
    drawn from Uniform(0, 1) once per example (shape ``[batch, 1, ..., 1]``)
    and the norm over every non-batch axis.

    Args:
        discriminator: callable ``images -> logits`` (the critic).
        real: real images ``[batch, ...]``.
        fake: generated images, same shape.
        seed: an int, a ``keras.random.SeedGenerator`` or None for the
            interpolation weights.
        target: the norm the gradient is pulled towards (1 in the paper).

    Returns:
        Float32 tensor ``[batch]``. Multiply by lambda (10 in the paper).
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(tf.convert_to_tensor(fake), real.dtype)
    if real.shape.rank is not None and fake.shape.rank is not None:
        if not real.shape.is_compatible_with(fake.shape):
            raise ValueError(
                "`real` and `fake` must have the same shape. "
                f"Received: real.shape={real.shape}, fake.shape={fake.shape}"
            )
    alpha_shape = tf.concat(
        [tf.shape(real)[:1], tf.ones([real.shape.rank - 1], tf.int32)], axis=0
    )
    alpha = keras.random.uniform(alpha_shape, dtype=real.dtype, seed=seed)
    interpolates = alpha * real + (1.0 - alpha) * fake
    grads = _input_gradients(discriminator, interpolates)
    norm = tf.sqrt(_per_example_sum_of_squares(grads) + NORM_EPSILON)
    return tf.square(norm - target)


def r1_penalty(discriminator, real):
    """R1 penalty on real data (Mescheder et al., 2018), per example.

    Formula: penalty = sum(grad_x D(x)^2) over the non-batch axes, x real.
    The paper's regulariser is ``gamma / 2 * penalty``; the models apply that
    factor (and lazy regularisation, when configured).

    Args:
        discriminator: callable ``images -> logits``.
        real: real images ``[batch, ...]``.

    Returns:
        Float32 tensor ``[batch]``.
    """
    real = tf.convert_to_tensor(real)
    grads = _input_gradients(discriminator, real)
    return _per_example_sum_of_squares(grads)
