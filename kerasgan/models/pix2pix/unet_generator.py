import math

import keras
from keras import layers

from kerasgan.layers.replica_dropout import ReplicaDropout
from kerasgan.models.common import Network, dcgan_init
from kerasgan.models.pix2pix.norms import apply_norm, check_norm
from kerasgan.utils.validation import check_fraction, check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class NoiseDropout(ReplicaDropout):
    """Dropout that stays on at inference: Pix2Pix's only source of noise
    (Isola et al. keep dropout at test time)."""

    def call(self, inputs, training=None):
        return super().call(inputs, training=True)


@keras.saving.register_keras_serializable(package="kerasgan")
class UNetGenerator(Network):
    """Pix2Pix U-Net generator (Isola et al., 2017).

    Encoder: `num_downsamples` stride-2 4x4 convolutions (`C64-C128-C256-C512-
    C512-...`, channels `base_filters * min(2**i, 8)`), each followed by the
    norm (not the first nor the innermost) and LeakyReLU(0.2). Decoder: the
    mirror image with stride-2 transposed convolutions, norm, dropout
    (`dropout`, on the first three decoder blocks, as the paper's
    `CD512-CD512-CD512`) and ReLU; decoder block i is concatenated with the
    encoder map of the same size (the skip connections, layers `skip{i}`).
    A last transposed convolution to `channels` with tanh. At 256x256 with
    the defaults this is the paper's U-Net (8 downsamplings to 1x1).

    Dropout at inference: by default (`inference_dropout=False`) dropout is
    off when `training=False`, so `translate` and the exported signature are
    deterministic (metrics, caching, save/load checks). The paper keeps it
    on at test time as noise; `inference_dropout=True` does that (each call
    then draws new masks).

    Args:
        image_shape: output `(size, size, channels)`, size a power of two
            in [16, 512].
        source_channels: channels of the input (default: `channels`).
        base_filters: ngf.
        num_downsamples: default `log2(size)` (down to 1x1).
        dropout: rate of the decoder's dropout (0 turns it off).
        inference_dropout: keep dropout on at inference (see above).
        norm: `"batch"` (paper), `"instance"` or `"none"`.
        seed: seed of the dropout masks.
    """

    config_keys = ("image_shape", "source_channels", "base_filters", "num_downsamples", "dropout",
                   "inference_dropout", "norm", "seed")

    def __init__(self, image_shape=(256, 256, 3), source_channels=None, base_filters=64, num_downsamples=None,
                 dropout=0.5, inference_dropout=False, norm="batch", seed=None, **kwargs):
        image_shape = check_image_shape(image_shape, max_size=512)
        size, _, channels = image_shape
        source_channels = channels if source_channels is None else source_channels
        if source_channels not in (1, 3):
            raise ValueError(f"`source_channels` must be 1 or 3. Received: source_channels={source_channels!r}")
        base_filters = check_positive_int("base_filters", base_filters)
        max_down = int(math.log2(size))
        num_downsamples = max_down if num_downsamples is None else check_positive_int("num_downsamples", num_downsamples)
        if num_downsamples > max_down:
            raise ValueError(f"`num_downsamples` must be at most log2(size) = {max_down}. "
                             f"Received: num_downsamples={num_downsamples}")
        dropout = check_fraction("dropout", dropout)
        norm = check_norm(norm)
        source = keras.Input((size, size, source_channels), name="source")
        x = source
        skips = []
        for i in range(num_downsamples):
            filters = base_filters * min(2**i, 8)
            x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=norm != "batch",
                              kernel_initializer=dcgan_init(), name=f"down{i}")(x)
            if 0 < i < num_downsamples - 1:
                x = apply_norm(x, norm, f"down{i}_norm")
            x = layers.LeakyReLU(0.2, name=f"down{i}_lrelu")(x)
            skips.append(x)
        dropout_layer = NoiseDropout if inference_dropout else ReplicaDropout
        for j, i in enumerate(reversed(range(num_downsamples - 1))):
            filters = base_filters * min(2**i, 8)
            x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=norm != "batch",
                                       kernel_initializer=dcgan_init(), name=f"up{i}")(x)
            x = apply_norm(x, norm, f"up{i}_norm")
            if dropout and j < 3:
                x = dropout_layer(dropout, seed=None if seed is None else seed + j, name=f"up{i}_dropout")(x)
            x = layers.ReLU(name=f"up{i}_relu")(x)
            x = layers.Concatenate(name=f"skip{i}")([x, skips[i]])
        x = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", kernel_initializer=dcgan_init(),
                                   name="to_image")(x)
        images = layers.Activation("tanh", dtype="float32", name="images")(x)
        super().__init__(inputs=source, outputs=images, **kwargs)
        self.image_shape = image_shape
        self.source_channels = source_channels
        self.base_filters = base_filters
        self.num_downsamples = num_downsamples
        self.dropout = dropout
        self.inference_dropout = bool(inference_dropout)
        self.norm = norm
        self.seed = seed
