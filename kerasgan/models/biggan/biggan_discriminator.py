import keras
from keras import layers

from kerasgan.layers import ProjectionDiscriminatorHead, SelfAttention
from kerasgan.layers import spectral_norm as with_spectral_norm
from kerasgan.models.biggan.biggan_generator import num_blocks_for
from kerasgan.models.common import Network
from kerasgan.models.sagan.sagan_discriminator import GlobalSumPooling2D
from kerasgan.models.sagan.sagan_generator import check_attention_resolution
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class BigGANDiscriminator(Network):
    """BigGAN discriminator (Brock et al., 2019).

    Residual down blocks down to 4x4, channels doubling from `base_filters`:
    `h = avgpool(conv3(relu(conv3(relu(x)))))` (no leading ReLU in the first
    block), skip `avgpool(conv1(x))` (first block: `conv1(avgpool(x))`);
    self-attention after the block that reaches `attention_resolution`;
    ReLU, global sum pooling (`features`) and the projection head
    (`psi(phi) + <embed(y), phi>`). Every convolution, the head and its
    class embedding are spectrally normalised. Logits `[batch, 1]`.

    Args: as `BigGANGenerator` (without the latent and embedding sizes).
    """

    config_keys = ("image_shape", "base_filters", "num_classes", "attention_resolution", "spectral_norm")

    def __init__(self, image_shape=(32, 32, 1), base_filters=64, num_classes=None, attention_resolution=16,
                 spectral_norm=True, **kwargs):
        image_shape = check_image_shape(image_shape)
        base_filters = check_positive_int("base_filters", base_filters)
        num_classes = None if num_classes is None else check_positive_int("num_classes", num_classes)
        size = image_shape[0]
        attention_resolution = check_attention_resolution(attention_resolution, size)
        sn = bool(spectral_norm)

        def snl(layer):
            return with_spectral_norm(layer, sn)

        images = keras.Input(image_shape, name="images")
        inputs = images
        if num_classes is not None:
            labels = keras.Input((), dtype="int32", name="labels")
            inputs = [images, labels]
        x = images
        resolution = size
        for i in range(num_blocks_for(size)):
            out = base_filters * 2**i
            h = x if i == 0 else layers.ReLU(name=f"block{i}_relu0")(x)
            h = snl(layers.Conv2D(out, 3, padding="same", name=f"block{i}_conv1"))(h)
            h = layers.ReLU(name=f"block{i}_relu1")(h)
            h = snl(layers.Conv2D(out, 3, padding="same", name=f"block{i}_conv2"))(h)
            h = layers.AveragePooling2D(2, name=f"block{i}_pool")(h)
            if i == 0:
                skip = layers.AveragePooling2D(2, name=f"block{i}_skip_pool")(x)
                skip = snl(layers.Conv2D(out, 1, name=f"block{i}_skip"))(skip)
            else:
                skip = snl(layers.Conv2D(out, 1, name=f"block{i}_skip"))(x)
                skip = layers.AveragePooling2D(2, name=f"block{i}_skip_pool")(skip)
            x = layers.Add(name=f"block{i}")([h, skip])
            resolution //= 2
            if resolution == attention_resolution:
                x = SelfAttention(spectral_norm=sn, name="attention")(x)
        x = layers.ReLU(name="output_relu")(x)
        features = GlobalSumPooling2D(name="features")(x)
        head = ProjectionDiscriminatorHead(num_classes=num_classes, spectral_norm=sn, name="head")
        logits = head([features, labels] if num_classes is not None else features)
        logits = layers.Activation("linear", dtype="float32", name="logits")(logits)
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.image_shape = image_shape
        self.base_filters = base_filters
        self.num_classes = num_classes
        self.attention_resolution = attention_resolution
        self.spectral_norm = sn
