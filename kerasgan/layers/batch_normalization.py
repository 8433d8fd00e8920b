"""Batch normalization through TensorFlow's fused kernel.

Keras 3's `BatchNormalization` computes the moments and the normalisation
as separate element-wise ops (`Mean`, `SquaredDifference`, `Mul`, `Sub`,
casts to float32 and back under mixed precision), and its gradient as many
more (`Tile`, `Sum`, ...). TensorFlow's `FusedBatchNormV3` does the same in
one pass forward and one backward, and with oneDNN on (kerasgan's default on
x86-64) its graph pass also fuses a following ReLU into the kernel. On the
DCGAN 64x64 benchmark this is 12% (float32) and 17% (bfloat16) of a whole
training step on an Intel AMX host: benchmarks/README.md.
"""

import keras
import tensorflow as tf

_FUSED_DTYPES = (tf.float32, tf.bfloat16, tf.float16)


@keras.saving.register_keras_serializable(package="kerasgan")
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization` computed with the fused kernel.

    The same layer: same arguments, weights, config and results (up to
    float round-off; tests/layers/test_batch_normalization.py), so a model
    saved with Keras' layer loads its weights into this one and back. The
    fused kernel is used for channels-last inputs of rank 2 to 4
    (`axis=-1`) in float32, bfloat16 or float16 without a mask, renorm or
    `synchronized=True`; anything else runs Keras' own computation.

    As in Keras: in training (`training=True` and the layer trainable) the
    batch's mean and biased variance normalise the batch and update the
    moving statistics (`moving = momentum * moving + (1 - momentum) * batch`);
    otherwise the moving statistics are used. The fused kernel reports the
    unbiased variance, which is rescaled to the biased one Keras uses.
    """

    def _fused_applies(self, inputs, mask):
        rank = len(inputs.shape)
        return (
            mask is None
            and not self.synchronized
            and not self.renorm
            and 2 <= rank <= 4
            and self.axis in (-1, rank - 1)
            and inputs.dtype in _FUSED_DTYPES
        )

    def call(self, inputs, training=None, mask=None):
        if not self._fused_applies(inputs, mask):
            return super().call(inputs, training=training, mask=mask)
        rank = len(inputs.shape)
        x = inputs
        if rank < 4:  # [N, C] or [N, W, C] -> [N, 1, W, C]
            x = tf.reshape(inputs, [tf.shape(inputs)[0], 1, -1, inputs.shape[-1]])
        channels = inputs.shape[-1]
        scale = tf.cast(self.gamma, tf.float32) if self.scale else tf.ones([channels], tf.float32)
        offset = tf.cast(self.beta, tf.float32) if self.center else tf.zeros([channels], tf.float32)
        if training and self.trainable:
            y, mean, variance, _, _, _ = tf.raw_ops.FusedBatchNormV3(
                x=x, scale=scale, offset=offset,
                mean=tf.zeros([0], tf.float32), variance=tf.zeros([0], tf.float32),
                epsilon=self.epsilon, exponential_avg_factor=1.0,
                data_format="NHWC", is_training=True,
            )
            count = tf.cast(tf.size(x, out_type=tf.int64) // channels, tf.float32)
            variance = variance * ((count - 1.0) / tf.maximum(count, 1.0))  # unbiased -> biased
            momentum = self.momentum
            self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
            self.moving_variance.assign(self.moving_variance * momentum + variance * (1.0 - momentum))
        else:
            y, _, _, _, _, _ = tf.raw_ops.FusedBatchNormV3(
                x=x, scale=scale, offset=offset,
                mean=tf.cast(self.moving_mean, tf.float32),
                variance=tf.cast(self.moving_variance, tf.float32),
                epsilon=self.epsilon, data_format="NHWC", is_training=False,
            )
        if rank < 4:
            y = tf.reshape(y, tf.shape(inputs))
        return tf.cast(y, self.compute_dtype)
