"""Paired image -> image translation on the engine (the Pix2Pix shape)."""

import keras
import tensorflow as tf

from kerasgan.engine import terms
from kerasgan.engine.adversarial_model import AdversarialModel, StepContext
from kerasgan.engine.tasks import ImageToImageTask, check_images
from kerasgan.utils.validation import check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class ImageToImageGAN(AdversarialModel):
    """A generator that translates a source image, judged by a conditional
    discriminator on `[source, image]` (Isola et al., 2017).

    Objective: the adversarial term (logits of any rank: PatchGAN maps work)
    plus `l1_weight` times the L1 distance of the translation to the target
    (a `Reconstruction` term named `"l1"`). Batches are `(source, target)` or
    `{"source", "target"}`. `translate(images)` maps sources to images with
    the generator in inference mode (the EMA generator when there is one).

    Args:
        generator: `keras.Model` source `[batch, H, W, C_in]` -> image
            `[batch, H, W, C_out]` in [-1, 1].
        discriminator: `keras.Model` `[source, image]` -> logits.
        ema_decay, ema_warmup, seed: see `AdversarialModel`.
    """

    task = ImageToImageTask(paired=True)

    compile_defaults = {"loss": "non_saturating", "l1_weight": 100.0}

    def __init__(self, generator, discriminator, ema_decay=None, ema_warmup=False, seed=None, **kwargs):
        super().__init__(
            networks={"generator": generator, "discriminator": discriminator},
            roles={"discriminator": ("discriminator",), "generator": ("generator",)},
            ema_decay=ema_decay, ema_warmup=ema_warmup, seed=seed, **kwargs,
        )
        self.source_shape = tuple(generator.inputs[0].shape[1:])
        self.image_shape = tuple(generator.outputs[0].shape[1:])

    def compile(self, loss=None, l1_weight=None, **kwargs):
        """`AdversarialModel.compile` with `loss` (one of `kerasgan.losses`'
        names) and `l1_weight` (lambda, 100 in the paper)."""
        super().compile(loss=loss, l1_weight=l1_weight, **kwargs)

    def default_terms(self, settings):
        l1_weight = float(settings["l1_weight"])
        found = [
            terms.Adversarial(settings["loss"], role="discriminator"),
            terms.Adversarial(settings["loss"], role="generator"),
        ]
        if l1_weight:
            found.append(terms.Reconstruction(l1_weight, pairs=[("fake", "target")], name="l1"))
        return found

    def forward(self, role, batch):
        source, target = batch["source"], batch["target"]
        batch_size = tf.shape(source)[0]

        def critic(images):
            return self.discriminator([source, images], training=True)

        fake = tf.cast(self.generator(source, training=True), tf.float32)
        if role == "discriminator":
            fake = tf.stop_gradient(fake)
            return StepContext(
                self, role, batch, batch_size, source=source, target=target, real=target, fake=fake,
                critic=critic, real_logits=critic(target), fake_logits=critic(fake),
            )
        return StepContext(
            self, role, batch, batch_size, source=source, target=target, real=target, fake=fake,
            critic=critic, fake_logits=critic(fake),
        )

    def call(self, inputs, training=False):
        return self.sampling_network("generator")(inputs, training=training)

    def translate(self, images, target=None, batch_size=64):
        """Translates source images, float32 in [-1, 1] (`target` is for
        families with a target domain, e.g. StarGAN; None here)."""
        if target is not None:
            raise ValueError(f"{type(self).__name__} has no target domains. Received: target={target!r}")
        batch_size = check_positive_int("batch_size", batch_size)
        images = check_images("images", images, self.source_shape)
        outputs = [
            tf.cast(self(images[start : start + batch_size], training=False), tf.float32)
            for start in range(0, int(images.shape[0]), batch_size)
        ]
        return tf.concat(outputs, axis=0)


#: `translate(direction=...)` of a two-domain family -> the generator's name.
DIRECTIONS = {"a2b": "g_ab", "b2a": "g_ba"}


class TwoDomainTranslation:
    """`call` and `translate(images, direction)` for an unpaired two-domain
    family whose generators are named `g_ab` (a -> b) and `g_ba` (b -> a)
    and whose images have `source_shape` (CycleGAN, DualGAN)."""

    def call(self, inputs, training=False):
        return self.sampling_network("g_ab")(inputs, training=training)

    def translate(self, images, direction="a2b", batch_size=64):
        """Translates images of domain a to b (`direction="a2b"`) or b to a
        (`"b2a"`) with the generator (its EMA copy when there is one) in
        inference mode; float32 in [-1, 1]."""
        if direction not in DIRECTIONS:
            raise ValueError(f"`direction` must be one of {sorted(DIRECTIONS)}. Received: direction={direction!r}")
        batch_size = check_positive_int("batch_size", batch_size)
        images = check_images("images", images, self.source_shape)
        network = self.sampling_network(DIRECTIONS[direction])
        outputs = [tf.cast(network(images[i: i + batch_size], training=False), tf.float32)
                   for i in range(0, int(images.shape[0]), batch_size)]
        return tf.concat(outputs, axis=0)
