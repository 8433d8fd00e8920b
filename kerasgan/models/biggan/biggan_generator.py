import math

import keras
from keras import layers, ops

from kerasgan.layers import ConditionalBatchNormalization, SelfAttention
from kerasgan.layers import spectral_norm as with_spectral_norm
from kerasgan.models.common import Network
from kerasgan.models.sagan.sagan_generator import check_attention_resolution
from kerasgan.utils.validation import check_image_shape, check_positive_int


def num_blocks_for(size):
    """Residual blocks between 4x4 and `size` (one per doubling)."""
    return int(math.log2(size)) - 2


@keras.saving.register_keras_serializable(package="kerasgan")
class BigGANGenerator(Network):
    """BigGAN generator (Brock et al., 2019).

    The latent z is split into `num_blocks + 1` equal chunks (hierarchical
    latent): the first goes through a spectrally normalised dense layer to a
    4x4 map; chunk i + 1 is concatenated with the shared class embedding
    (one `num_classes x shared_dim` embedding for all blocks) and conditions
    both batch norms of residual block i (`ConditionalBatchNormalization` in
    its vector mode: gain = 1 + c W_g, bias = c W_b, SN linear maps).

    Residual up block: `h = conv3(relu(cbn(up(conv3(relu(cbn(x)))))))`, skip
    `conv1(up(x))` (nearest-neighbour upsampling; the first BN-ReLU comes
    before the upsampling). Channels halve from the second block on (not
    below `base_filters`). Self-attention after the block that reaches
    `attention_resolution`. Output: BN, ReLU, 3x3 convolution, tanh. Every
    convolution and dense layer is spectrally normalised; the shared
    embedding is not (as in BigGAN).

    Unconditional (`num_classes=None`): the blocks are conditioned on their
    z chunk alone.

    Args:
        image_shape: `(size, size, channels)`, size a power of two in [16, 128].
        latent_dim: size of z, a multiple of `log2(size) - 1` (the chunks).
        base_filters: channels of the last block (the 4x4 map has
            `base_filters * 2**(num_blocks - 1)`).
        num_classes: classes (None: unconditional).
        shared_dim: size of the shared class embedding.
        attention_resolution: where self-attention sits (None: none).
        spectral_norm: spectral norm on every convolution and dense layer.
    """

    config_keys = ("image_shape", "latent_dim", "base_filters", "num_classes", "shared_dim",
                   "attention_resolution", "spectral_norm")

    def __init__(self, image_shape=(32, 32, 1), latent_dim=120, base_filters=64, num_classes=None, shared_dim=128,
                 attention_resolution=16, spectral_norm=True, **kwargs):
        image_shape = check_image_shape(image_shape)
        latent_dim = check_positive_int("latent_dim", latent_dim)
        base_filters = check_positive_int("base_filters", base_filters)
        shared_dim = check_positive_int("shared_dim", shared_dim)
        num_classes = None if num_classes is None else check_positive_int("num_classes", num_classes)
        size, _, channels = image_shape
        attention_resolution = check_attention_resolution(attention_resolution, size)
        sn = bool(spectral_norm)
        num_blocks = num_blocks_for(size)
        if latent_dim % (num_blocks + 1):
            raise ValueError(
                f"`latent_dim` must be a multiple of {num_blocks + 1} (one chunk for the input layer and one per "
                f"block at size {size}). Received: latent_dim={latent_dim}"
            )
        chunk = latent_dim // (num_blocks + 1)

        def snl(layer):
            return with_spectral_norm(layer, sn)

        latents = keras.Input((latent_dim,), name="latents")
        inputs = latents
        chunks = [latents[:, i * chunk:(i + 1) * chunk] for i in range(num_blocks + 1)]
        if num_classes is not None:
            labels = keras.Input((), dtype="int32", name="labels")
            inputs = [latents, labels]
            shared = layers.Embedding(num_classes, shared_dim, name="shared_embedding")(labels)
            conditions = [layers.Concatenate(name=f"block{i}_condition")([chunks[i + 1], shared])
                          for i in range(num_blocks)]
        else:
            conditions = chunks[1:]
        filters = base_filters * 2 ** (num_blocks - 1)
        x = snl(layers.Dense(4 * 4 * filters, name="project"))(chunks[0])
        x = layers.Reshape((4, 4, filters), name="reshape")(x)
        resolution = 4
        for i in range(num_blocks):
            out = max(base_filters, filters // 2) if i else filters
            cond = conditions[i]
            h = ConditionalBatchNormalization(spectral_norm=sn, name=f"block{i}_bn1")([x, cond])
            h = layers.ReLU(name=f"block{i}_relu1")(h)
            h = layers.UpSampling2D(2, name=f"block{i}_up")(h)
            h = snl(layers.Conv2D(out, 3, padding="same", name=f"block{i}_conv1"))(h)
            h = ConditionalBatchNormalization(spectral_norm=sn, name=f"block{i}_bn2")([h, cond])
            h = layers.ReLU(name=f"block{i}_relu2")(h)
            h = snl(layers.Conv2D(out, 3, padding="same", name=f"block{i}_conv2"))(h)
            skip = layers.UpSampling2D(2, name=f"block{i}_skip_up")(x)
            skip = snl(layers.Conv2D(out, 1, name=f"block{i}_skip"))(skip)
            x = layers.Add(name=f"block{i}")([h, skip])
            filters = out
            resolution *= 2
            if resolution == attention_resolution:
                x = SelfAttention(spectral_norm=sn, name="attention")(x)
        x = ConditionalBatchNormalization(name="output_bn")(x)
        x = layers.ReLU(name="output_relu")(x)
        x = snl(layers.Conv2D(channels, 3, padding="same", name="to_image"))(x)
        images = layers.Activation("tanh", dtype="float32", name="images")(x)
        super().__init__(inputs=inputs, outputs=images, **kwargs)
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.base_filters = base_filters
        self.num_classes = num_classes
        self.shared_dim = shared_dim
        self.attention_resolution = attention_resolution
        self.spectral_norm = sn
        self.chunk_size = chunk
