import keras
import numpy as np
import tensorflow as tf

from kerasgan.engine import terms
from kerasgan.engine.adversarial_model import AdversarialModel, StepContext
from kerasgan.engine.tasks import SuperResolutionTask
from kerasgan.models.srgan import content_network as content_lib
from kerasgan.models.srgan.srgan_discriminator import SRGANDiscriminator
from kerasgan.models.srgan.srresnet_generator import SRResNetGenerator, check_scale
from kerasgan.utils.validation import check_positive_int

PHASES = ("srresnet", "srgan")


@keras.saving.register_keras_serializable(package="kerasgan")
class SRGAN(AdversarialModel):
    """SRGAN (Ledig et al., 2017): `scale`x (4x) single-image super-resolution.

    Networks: `generator` (`SRResNetGenerator`: residual blocks with batch
    norm and PReLU, a global skip, two x2 sub-pixel blocks, any input size),
    `discriminator` (`SRGANDiscriminator`: VGG-style strided convolutions,
    one logit) and, in no role (frozen), `content_network`: the feature
    network of the content loss (`kerasgan.models.srgan.content_network`:
    VGG19 when its weights are in the local Keras cache, else the project's
    domain classifier; the one used is recorded in the config as
    `content_network`, an identity with the weights' SHA-256).

    Training has two phases, chosen with `compile(phase=...)` (one `compile`
    and one `fit` each, the generator's weights carry over):

    1. `phase="srresnet"`: the generator alone on the pixel MSE to the
       high-resolution target (term `pixel`); the discriminator is not
       trained (no step runs on it: its weights, batch-norm statistics and
       optimizer stay as they are). Paper: 10^6 updates, Adam 1e-4.
    2. `phase="srgan"` (default): the generator on `content_weight` x the
       content loss (term `content`: MSE of the content network's features
       of SR and HR, a `kerasgan.engine.terms.Content`; the pixel MSE when
       `content_network="none"`) + `adversarial_weight` (1e-3) x the
       non-saturating adversarial loss (`g_loss`), and the discriminator on
       its loss (`d_loss`). `pixel_weight > 0` adds the pixel MSE too.
       `adversarial_weight=0` drops the adversarial game: the discriminator
       is then not trained either (content-loss-only SRResNet, e.g.
       SRResNet-VGG54).

    Batches are `{"source": low_res, "target": high_res}` or `(low, high)`
    (`kerasgan.data.super_resolution.load_super_resolution`).
    `upscale(images)` (also `translate`, `call`) runs the generator in
    inference mode on images of any size.

    Args:
        image_shape: high-resolution `(height, width, channels)` of training
            (the discriminator's input); multiples of `scale`.
        scale: 2, 4 (default, the paper) or 8.
        generator_filters, residual_blocks: 64 and 16 in the paper.
        discriminator_filters, discriminator_blocks, dense_units: 64, 4 and
            1024 in the paper; smaller for small images.
        tie_phases: checkerboard-free sub-pixel convolutions (default; see
            `kerasgan.layers.SubPixelConv2D`), so `upscale` of a constant
            image is constant; False is the paper's plain layer.
        content_network: `"auto"` (default), `"vgg19"`,
            `"mnist-classifier"`, `"twemoji-groups-classifier"`, `"none"`,
            or an identity `NAME@sha256:HEX` (then the weights must match).
        content_layer: the feature layer (default `block5_conv4` for VGG19,
            `conv2d_1` for a domain classifier).
        ema_decay, ema_warmup, seed: see `kerasgan.engine.AdversarialModel`.

    Example:
        >>> gan = kerasgan.models.SRGAN(image_shape=(28, 28, 1), residual_blocks=4)
        >>> ds = kerasgan.data.load_super_resolution("../shared/data/mnist", 28, 16)
        >>> gan.compile(phase="srresnet"); gan.fit(ds, epochs=5)   # pixel-loss pre-training
        >>> gan.compile(); gan.fit(ds, epochs=5)                   # content + 1e-3 adversarial
        >>> high = gan.upscale(low)                                # [N, 4H, 4W, C]
    """

    task = SuperResolutionTask()

    presets = {
        "tiny": {"image_shape": (16, 16, 1), "generator_filters": 8, "residual_blocks": 2,
                 "discriminator_filters": 4, "discriminator_blocks": 2, "dense_units": 16,
                 "content_network": "mnist-classifier", "seed": 0},
        "mnist-x4": {"image_shape": (28, 28, 1), "generator_filters": 32, "residual_blocks": 4,
                     "discriminator_filters": 16, "discriminator_blocks": 2, "dense_units": 128,
                     "content_network": "mnist-classifier"},
        "emoji-x4": {"image_shape": (72, 72, 3), "generator_filters": 64, "residual_blocks": 8,
                     "discriminator_filters": 32, "discriminator_blocks": 3, "dense_units": 256},
    }
    compile_defaults = {
        "phase": "srgan",
        "loss": "non_saturating",
        "adversarial_weight": 1e-3,
        "content_weight": 1.0,
        "pixel_weight": 0.0,
        "d_learning_rate": 1e-4,
        "g_learning_rate": 1e-4,
        "beta_1": 0.9,
        "beta_2": 0.999,
    }

    def __init__(self, image_shape=(96, 96, 3), scale=4, generator_filters=64, residual_blocks=16,
                 discriminator_filters=64, discriminator_blocks=4, dense_units=1024, tie_phases=True,
                 content_network="auto", content_layer=None, ema_decay=None, ema_warmup=False, seed=None,
                 _pretrained=True, **kwargs):
        scale = check_scale(scale)
        try:
            image_shape = tuple(int(d) for d in image_shape)
        except (TypeError, ValueError):
            image_shape = ()
        if len(image_shape) != 3 or image_shape[-1] not in (1, 3) or min(image_shape[:2]) < scale:
            raise ValueError(f"`image_shape` must be (height, width, 1 or 3). Received: image_shape={image_shape!r}")
        height, width, channels = image_shape
        if height % scale or width % scale:
            raise ValueError(
                f"`image_shape`'s height and width must be multiples of scale={scale}. "
                f"Received: image_shape={image_shape!r}"
            )
        resolved = content_lib.resolve(content_network, channels)
        layer = content_layer if content_layer is not None else content_lib.default_layer(resolved)
        features, identity = content_lib.build(resolved, channels, layer, pretrained=bool(_pretrained))
        generator = SRResNetGenerator(channels, scale, generator_filters, residual_blocks, tie_phases=tie_phases,
                                      name="generator")
        discriminator = SRGANDiscriminator(image_shape, discriminator_filters, discriminator_blocks, dense_units,
                                           name="discriminator")
        networks = {"generator": generator, "discriminator": discriminator}
        if features is not None:
            networks["content_network"] = features
        super().__init__(
            networks=networks,
            roles={"discriminator": ("discriminator",), "generator": ("generator",)},
            ema_decay=ema_decay, ema_warmup=ema_warmup, seed=seed, **kwargs,
        )
        self.scale = scale
        self.image_shape = image_shape
        self.source_shape = (height // scale, width // scale, channels)
        self.content_network_identity = identity
        self.content_layer = layer

    def dynamic_config(self):
        # What was resolved ("auto" -> the network found, with its weights' hash).
        return {"content_network": self.content_network_identity, "content_layer": self.content_layer}

    @classmethod
    def from_config(cls, config):
        # A saved model brings its feature network's weights: build the
        # architecture only (no Keras cache or zoo folder needed to load).
        return super().from_config({**config, "_pretrained": False})

    # -------------------------------------------------------------- training
    def compile(self, phase=None, loss=None, adversarial_weight=None, content_weight=None, pixel_weight=None,
                **kwargs):
        """`AdversarialModel.compile` with SRGAN's settings.

        Args:
            phase: `"srgan"` (default) or `"srresnet"` (pixel-loss
                pre-training; the discriminator is not trained). See the
                class docstring.
            loss: adversarial loss (`kerasgan.losses` name), non-saturating.
            adversarial_weight: 1e-3 (0: no adversarial game, no
                discriminator training).
            content_weight: 1.
            pixel_weight: the pixel MSE in the `"srgan"` phase (0).
            **kwargs: see `AdversarialModel.compile` (learning rates 1e-4,
                Adam beta_1 0.9 as in the paper).
        """
        if phase is not None and phase not in PHASES:
            raise ValueError(f"`phase` must be one of {PHASES}. Received: phase={phase!r}")
        super().compile(phase=phase, loss=loss, adversarial_weight=adversarial_weight,
                        content_weight=content_weight, pixel_weight=pixel_weight, **kwargs)

    def default_terms(self, settings):
        if settings["phase"] not in PHASES:
            raise ValueError(f"`phase` must be one of {PHASES}. Received: phase={settings['phase']!r}")

        def pixel(weight):
            return terms.Reconstruction(weight, pairs=[("fake", "target")], norm="l2", name="pixel")

        if settings["phase"] == "srresnet":
            return [pixel(1.0)]
        found = []
        if self.content_network_identity == "none":
            found.append(terms.Reconstruction(settings["content_weight"], pairs=[("fake", "target")], norm="l2",
                                              name="content"))
        else:
            found.append(terms.Content(settings["content_weight"], network="content_network", name="content"))
        if float(settings["adversarial_weight"]) > 0:
            found += [
                terms.Adversarial(settings["loss"], role="discriminator"),
                terms.Adversarial(settings["loss"], role="generator", weight=settings["adversarial_weight"]),
            ]
        if float(settings["pixel_weight"]) > 0:
            found.append(pixel(settings["pixel_weight"]))
        return found

    @property
    def trains_discriminator(self):
        """Whether `fit` updates the discriminator (it has loss terms)."""
        return bool(self._terms["discriminator"])

    def train_step(self, data):
        if self.trains_discriminator:
            return super().train_step(data)
        # Pre-training (or no adversarial term): the generator alone; the
        # discriminator is never called, so nothing of it changes.
        self.role_step("generator", self.unpack_batch(data))
        return self.logs()

    def forward(self, role, batch):
        low, high = batch["source"], batch["target"]
        batch_size = tf.shape(low)[0]
        fake = tf.cast(self.generator(low, training=True), tf.float32)

        def critic(images):
            return self.discriminator(images, training=True)

        if role == "discriminator":
            fake = tf.stop_gradient(fake)
            return StepContext(self, role, batch, batch_size, source=low, target=high, real=high, fake=fake,
                               critic=critic, real_logits=critic(high), fake_logits=critic(fake))
        values = dict(source=low, target=high, real=high, fake=fake, critic=critic)
        if any(isinstance(t, terms.Adversarial) for t in self._terms[role]):
            values["fake_logits"] = critic(fake)
        return StepContext(self, role, batch, batch_size, **values)

    # ------------------------------------------------------------ inference
    def call(self, inputs, training=False):
        if isinstance(inputs, dict):  # a training batch (Keras builds a distributed model with one)
            inputs = inputs["source"]
        return self.sampling_network("generator")(inputs, training=training)

    def check_low_res(self, images, name="images"):
        """`images` -> float32 `[N, H, W, C]` in [-1, 1]: uint8 (0..255) is
        scaled, floats must already be in [-1, 1]; any H, W >= 1."""
        if isinstance(images, (list, tuple)):
            images = np.asarray(images)
        images = tf.convert_to_tensor(images)
        channels = self.image_shape[-1]
        if images.shape.rank != 4 or images.shape[-1] != channels or 0 in tuple(images.shape[1:3]):
            raise ValueError(
                f"This model's `{name}` have shape (None, None, {channels}) (H, W, C; any size >= 1): "
                f"pass a batch [N, H, W, {channels}]. Received a batch of shape {tuple(images.shape)}."
            )
        if images.dtype == tf.uint8:
            return tf.cast(images, tf.float32) / 127.5 - 1.0
        if not images.dtype.is_floating:
            raise ValueError(
                f"`{name}` must be uint8 (0..255) or floating point in [-1, 1]. Received dtype: {images.dtype.name}"
            )
        images = tf.cast(images, tf.float32)
        if int(tf.size(images)):
            low, high = float(tf.reduce_min(images)), float(tf.reduce_max(images))
            if not (np.isfinite(low) and np.isfinite(high)) or low < -1.0 or high > 1.0:
                raise ValueError(
                    f"`{name}` as floats must be finite and in [-1, 1] (uint8 images are scaled). "
                    f"Received values in [{low}, {high}]."
                )
        return images

    def upscale(self, images, batch_size=64):
        """Super-resolves `images` `[N, H, W, C]` (uint8, or float in
        [-1, 1]; any H, W) with the generator in inference mode (the EMA one
        when there is one): float32 `[N, scale * H, scale * W, C]` in [-1, 1]."""
        batch_size = check_positive_int("batch_size", batch_size)
        images = self.check_low_res(images)
        n = int(images.shape[0])
        if n == 0:
            h, w, c = images.shape[1:]
            return tf.zeros([0, h * self.scale, w * self.scale, c], tf.float32)
        outputs = [tf.cast(self(images[start:start + batch_size], training=False), tf.float32)
                   for start in range(0, n, batch_size)]
        return tf.concat(outputs, axis=0)

    def translate(self, images, target=None, batch_size=64):
        """`upscale` (the image-to-image task's name for it)."""
        if target is not None:
            raise ValueError(f"{type(self).__name__} has no target domains. Received: target={target!r}")
        return self.upscale(images, batch_size=batch_size)
