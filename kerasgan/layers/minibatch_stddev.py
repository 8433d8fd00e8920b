import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class MinibatchStdDev(keras.layers.Layer):
    """Minibatch standard deviation (Karras et al., 2018, ProGAN section 3).

    Appends ``num_features`` feature maps holding the standard deviation of the
    features across groups of ``group_size`` samples, averaged over channels
    and pixels, so the discriminator can see a lack of variety in a batch.

    Formula: for each group, std = sqrt(mean_over_group((x - mean_over_group(x))^2) + eps),
    averaged over H, W and the channels of each of the ``num_features`` channel
    slices, then broadcast to ``[H, W]`` and concatenated as new channels.

    Input: ``[batch, H, W, C]`` (channels last). The batch size must be
    divisible by ``group_size`` (or smaller than it: then the whole batch is one
    group). Output: ``[batch, H, W, C + num_features]``.
    """

    def __init__(self, group_size=4, num_features=1, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if int(group_size) < 1:
            raise ValueError(f"`group_size` must be >= 1. Received: group_size={group_size}")
        if int(num_features) < 1:
            raise ValueError(
                f"`num_features` must be >= 1. Received: num_features={num_features}"
            )
        self.group_size = int(group_size)
        self.num_features = int(num_features)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"MinibatchStdDev expects [batch, H, W, C] inputs. Received shape: {input_shape}"
            )
        channels = input_shape[-1]
        if channels is not None and channels % self.num_features:
            raise ValueError(
                f"The channel count ({channels}) must be divisible by "
                f"num_features={self.num_features}."
            )

    def call(self, inputs):
        shape = ops.shape(inputs)
        batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
        group = ops.minimum(self.group_size, batch)
        x = ops.cast(inputs, "float32")
        # [G, M, H, W, F, C/F]: G samples per group, M groups.
        x = ops.reshape(
            x,
            (group, -1, height, width, self.num_features, channels // self.num_features),
        )
        x = x - ops.mean(x, axis=0, keepdims=True)
        x = ops.sqrt(ops.mean(ops.square(x), axis=0) + self.epsilon)  # [M, H, W, F, C/F]
        x = ops.mean(x, axis=[1, 2, 4])  # [M, F]
        x = ops.reshape(x, (-1, 1, 1, self.num_features))
        x = ops.tile(x, (group, height, width, 1))  # [batch, H, W, F]
        return ops.concatenate([inputs, ops.cast(x, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1]
        return tuple(input_shape[:-1]) + (
            None if channels is None else channels + self.num_features,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            group_size=self.group_size, num_features=self.num_features, epsilon=self.epsilon
        )
        return config
