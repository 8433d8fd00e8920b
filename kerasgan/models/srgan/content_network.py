"""The frozen feature network of SRGAN's content loss.

SRGAN measures its content loss in a pre-trained network's feature maps
(Ledig et al.: VGG19's `block5_conv4` ReLU output, "VGG54", rescaled by
1/12.75). kerasgan never downloads weights (there is no internet on the
project's machines), so the network is chosen by what is on disk:

- `"vgg19"`: VGG19 with the ImageNet weights Keras caches,
  `vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5` in
  `$KERAS_HOME/models` (else `~/.keras/models`; loaded through
  `keras.applications.VGG19(weights=path)` and copied by layer name into a
  VGG19 built only up to `content_layer`, `vgg19_up_to`); the features are
  read at `content_layer` (default `block5_conv4`; `block2_conv2`,
  "VGG22", suits small images). Inputs in [-1, 1] are mapped to VGG's caffe preprocessing (0..255, BGR,
  ImageNet mean subtracted; gray images repeated to RGB); the features are
  multiplied by 1/12.75 as in the paper.
- `"mnist-classifier"`, `"twemoji-groups-classifier"`: the convolutional
  part of the project's domain classifier in `zoo/extractors/` (a LeNet-like
  CNN trained on the real data: `conv 3x3x32 ReLU - max-pool - conv 3x3x64
  ReLU`), cut at `content_layer` (default `conv2d_1`, the second
  convolution's ReLU output; `conv2d` is the first). Being convolutional it
  runs at any image size (the classifiers were trained at 32x32); channels
  are converted to the classifier's (gray <-> RGB).
- `"auto"`: `"vgg19"` when its weights are in the Keras cache, else the
  domain classifier of the images' channels (`mnist-classifier` for 1,
  `twemoji-groups-classifier` for 3).
- `"none"`: no feature network; the content loss is the pixel MSE (the
  paper's SRGAN-MSE).

The network that was used is recorded in the SRGAN's config by identity:
`"vgg19-imagenet@sha256:<hex of the weights file>"` or
`"mnist-classifier@sha256:<hex of the classifier's weights>"` (the
extractor identity of `kerasgan.zoo.extractors`). Loading a saved SRGAN
rebuilds the architecture from its identity and takes the weights from the
saved file, so it needs neither the Keras cache nor the zoo folder.
"""

import os

import keras
import tensorflow as tf

CHOICES = ("auto", "vgg19", "mnist-classifier", "twemoji-groups-classifier", "none")
VGG19_NOTOP_FILENAME = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG19_NAME = "vgg19-imagenet"
VGG19_DEFAULT_LAYER = "block5_conv4"
#: The paper's rescaling of VGG features ("1/12.75 ... comparable to MSE").
VGG19_FEATURE_SCALE = 1.0 / 12.75
CLASSIFIER_LAYERS = ("conv2d", "conv2d_1")
CLASSIFIER_FILTERS = (32, 64)
CLASSIFIERS = {1: "mnist-classifier", 3: "twemoji-groups-classifier"}
_IMAGENET_BGR_MEAN = (103.939, 116.779, 123.68)


def vgg19_weights_path():
    """The cached VGG19 ImageNet weights (no top), or None when absent."""
    from kerasgan.metrics.inception_v3_extractor import keras_cache_dir

    path = os.path.join(keras_cache_dir(), VGG19_NOTOP_FILENAME)
    return path if os.path.isfile(path) else None


def _name_of(identity):
    return str(identity).partition("@")[0]


def resolve(content_network, channels):
    """The feature network's name for `content_network` (one of `CHOICES`,
    or an identity `name@sha256:hex`) and images of `channels` channels."""
    known = CHOICES[1:] + (VGG19_NAME,)
    if not isinstance(content_network, str) or _name_of(content_network) not in known:
        if content_network != "auto":
            raise ValueError(
                f"`content_network` must be one of {CHOICES} (or 'NAME@sha256:HEX' of one of them). "
                f"Received: content_network={content_network!r}"
            )
    if content_network == "auto":
        return "vgg19" if vgg19_weights_path() is not None else CLASSIFIERS[channels]
    return content_network


def default_layer(name):
    name = _name_of(name)
    if name == "none":
        return None
    return VGG19_DEFAULT_LAYER if name in ("vgg19", VGG19_NAME) else CLASSIFIER_LAYERS[-1]


@keras.saving.register_keras_serializable(package="kerasgan")
class ToChannels(keras.layers.Layer):
    """Images with 1 or 3 channels -> `channels` channels (gray repeated to
    RGB; RGB to gray with ITU-R 601 luma weights, as `tf.image.rgb_to_grayscale`)."""

    def __init__(self, channels, **kwargs):
        super().__init__(**kwargs)
        if channels not in (1, 3):
            raise ValueError(f"`channels` must be 1 or 3. Received: channels={channels!r}")
        self.channels = channels

    def call(self, inputs):
        have = inputs.shape[-1]
        if have == self.channels:
            return inputs
        if self.channels == 3:
            return tf.repeat(inputs, 3, axis=-1)
        return tf.image.rgb_to_grayscale(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.channels,)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels}


@keras.saving.register_keras_serializable(package="kerasgan")
class VGGPreprocessing(keras.layers.Layer):
    """RGB images in [-1, 1] -> VGG's caffe inputs: 0..255, BGR, minus the
    ImageNet mean (`keras.applications.vgg19.preprocess_input`)."""

    def call(self, inputs):
        x = (inputs + 1.0) * 127.5
        return x[..., ::-1] - tf.constant(_IMAGENET_BGR_MEAN, dtype=x.dtype)


#: VGG19's convolution blocks (Simonyan and Zisserman, 2015): filters, convolutions.
VGG19_BLOCKS = ((64, 2), (128, 2), (256, 4), (512, 4), (512, 4))


def vgg19_layer_names():
    names = []
    for b, (_, convs) in enumerate(VGG19_BLOCKS, start=1):
        names += [f"block{b}_conv{i}" for i in range(1, convs + 1)] + [f"block{b}_pool"]
    return names


def vgg19_up_to(layer):
    """`keras.applications.VGG19`'s layers (same names and shapes) up to
    `layer`, as a model `vgg19` on `(None, None, 3)` inputs: only what the
    content loss reads is built and saved."""
    if layer not in vgg19_layer_names():
        raise ValueError(f"`content_layer` must be a VGG19 layer, one of {vgg19_layer_names()}. "
                         f"Received: content_layer={layer!r}")
    inputs = keras.Input((None, None, 3), name="input_layer")
    x = inputs
    for b, (filters, convs) in enumerate(VGG19_BLOCKS, start=1):
        for i in range(1, convs + 1):
            x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{b}_conv{i}")(x)
            if x._keras_history[0].name == layer:
                return keras.Model(inputs, x, name="vgg19")
        x = keras.layers.MaxPooling2D(2, strides=2, name=f"block{b}_pool")(x)
        if f"block{b}_pool" == layer:
            return keras.Model(inputs, x, name="vgg19")
    raise AssertionError(layer)  # pragma: no cover


def _weights_identity(name, pretrained_path=None, classifier=None):
    from kerasgan.utils.hashing import sha256_file

    if classifier is not None:
        return classifier.identity
    return f"{VGG19_NAME}@sha256:{sha256_file(pretrained_path)}"


def build(identity, channels, layer, pretrained=True):
    """`(network, identity)`: the frozen feature network `content_network`
    for images of `channels` channels in [-1, 1], and its identity (with the
    weights' hash when `pretrained`; `identity` itself otherwise). With
    `pretrained=False` the architecture only (weights come from a saved
    model). None for `"none"`."""
    name = _name_of(identity)
    if name == "none":
        return None, "none"
    images = keras.Input((None, None, channels), name="images")
    if name in ("vgg19", VGG19_NAME):
        path = None
        if pretrained:
            path = vgg19_weights_path()
            if path is None:
                from kerasgan.metrics.inception_v3_extractor import keras_cache_dir

                raise ValueError(
                    f"content_network='vgg19' needs the VGG19 ImageNet weights in the Keras cache "
                    f"({os.path.join(keras_cache_dir(), VGG19_NOTOP_FILENAME)}); kerasgan never downloads "
                    "them. Copy the file there, or use content_network='auto' (the project's domain "
                    "classifier when VGG19 is absent)."
                )
        cut = vgg19_up_to(layer)
        if path is not None:
            vgg = keras.applications.VGG19(include_top=False, weights=path, input_shape=(None, None, 3))
            for lay in cut.layers:
                if lay.weights:
                    lay.set_weights(vgg.get_layer(lay.name).get_weights())
        x = VGGPreprocessing(name="vgg_preprocessing")(ToChannels(3, name="to_rgb")(images))
        x = cut(x)
        features = keras.layers.Rescaling(VGG19_FEATURE_SCALE, name="feature_scale")(x)
        network = keras.Model(images, features, name="content_network")
        if pretrained:
            found = _weights_identity(name, pretrained_path=path)
            if "@" in str(identity) and identity != found:
                raise ValueError(f"The VGG19 weights in the Keras cache ({found}) are not the ones "
                                 f"this model names ({identity}).")
            identity = found
    elif name in CLASSIFIERS.values():
        if layer not in CLASSIFIER_LAYERS:
            raise ValueError(f"`content_layer` of a domain classifier must be one of {CLASSIFIER_LAYERS}. "
                             f"Received: content_layer={layer!r}")
        classifier = None
        if pretrained:
            from kerasgan.zoo.extractors import load_extractor

            classifier = load_extractor(identity)
            input_channels = classifier.channels
        else:
            input_channels = 1 if name == "mnist-classifier" else 3
        x = ToChannels(input_channels, name="to_classifier_channels")(images)
        convs = []
        for i, filters in enumerate(CLASSIFIER_FILTERS):
            if i:
                x = keras.layers.MaxPooling2D(name=f"pool{i - 1}")(x)
            conv = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=CLASSIFIER_LAYERS[i])
            x = conv(x)
            convs.append(conv)
            if CLASSIFIER_LAYERS[i] == layer:
                break
        network = keras.Model(images, x, name="content_network")
        if classifier is not None:
            source = [lay for lay in classifier.model.layers if isinstance(lay, keras.layers.Conv2D)]
            for conv, trained in zip(convs, source):
                conv.set_weights(trained.get_weights())  # shapes are checked by set_weights
            identity = _weights_identity(name, classifier=classifier)
    else:  # pragma: no cover - resolve() refuses other names
        raise ValueError(f"Unknown content network {identity!r}.")
    network.trainable = False
    return network, identity
