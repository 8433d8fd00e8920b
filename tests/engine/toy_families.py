"""Engine test families: a Pix2Pix-shaped toy (paired, PatchGAN logits of
rank 4, adversarial + L1) and the two-generator two-discriminator cycle GAN
of kerasgan/engine/README.md (executed from the README itself)."""

import re

import keras
import numpy as np
import tensorflow as tf

from kerasgan.engine import ImageToImageGAN
from tests.conftest import REPO_ROOT

README = REPO_ROOT / "kerasgan" / "engine" / "README.md"


def unet_generator(size=16, channels=1, filters=4):
    """A two-level U-Net: the skip connections concatenate encoder maps."""
    source = keras.Input((size, size, channels), name="source")
    d1 = keras.layers.Conv2D(filters, 4, strides=2, padding="same", activation="relu", name="down1")(source)
    d2 = keras.layers.Conv2D(2 * filters, 4, strides=2, padding="same", activation="relu", name="down2")(d1)
    u1 = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", activation="relu", name="up1")(d2)
    u1 = keras.layers.Concatenate(name="skip1")([u1, d1])
    out = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh", name="up0")(u1)
    out = keras.layers.Concatenate(name="skip0")([out, source])
    out = keras.layers.Conv2D(channels, 1, activation="tanh", name="image")(out)
    return keras.Model(source, out, name="generator")


def patch_discriminator(size=16, channels=1, filters=4):
    """PatchGAN on [source, image]: logits [batch, size/4, size/4, 1]."""
    source = keras.Input((size, size, channels), name="source")
    image = keras.Input((size, size, channels), name="image")
    x = keras.layers.Concatenate(name="pair")([source, image])
    x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", name="conv1")(x)
    x = keras.layers.LeakyReLU(0.2, name="lrelu1")(x)
    x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", name="conv2")(x)
    x = keras.layers.LeakyReLU(0.2, name="lrelu2")(x)
    logits = keras.layers.Conv2D(1, 3, padding="same", name="patch_logits")(x)
    return keras.Model([source, image], logits, name="discriminator")


def toy_pix2pix(size=16, channels=1, seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    return ImageToImageGAN(unet_generator(size, channels), patch_discriminator(size, channels), seed=seed, **kwargs)


def paired_data(n=16, size=16, channels=1, batch_size=8, seed=0):
    """Targets are a fixed function of the sources (a flip and a shift)."""
    rng = np.random.default_rng(seed)
    source = rng.uniform(-1, 1, (n, size, size, channels)).astype("float32")
    target = np.clip(source[:, :, ::-1] * 0.8 + 0.1, -1, 1).astype("float32")
    return source, target


def readme_namespace():
    """Runs the Python example of kerasgan/engine/README.md; returns its names."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    family = [b for b in blocks if "class TinyCycleGAN" in b]
    assert len(family) == 1, "kerasgan/engine/README.md must hold one TinyCycleGAN block"
    assert len(family[0].splitlines()) < 60, "the README's example family must stay under 60 lines"
    namespace = {}
    exec(compile(family[0], str(README), "exec"), namespace)
    return namespace


def unpaired_data(n=16, size=16, channels=1, batch_size=8, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (n, size, size, channels)).astype("float32")
    b = np.tanh(a * 2.0 + 0.3).astype("float32")[::-1].copy()
    return a, b


def unpaired_dataset(batch_size=8, **kwargs):
    a, b = unpaired_data(**kwargs)
    return tf.data.Dataset.zip({
        "a": tf.data.Dataset.from_tensor_slices(a),
        "b": tf.data.Dataset.from_tensor_slices(b),
    }).batch(batch_size)
