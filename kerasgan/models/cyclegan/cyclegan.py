import keras
import tensorflow as tf

from kerasgan.engine import terms
from kerasgan.engine.adversarial_model import AdversarialModel, StepContext
from kerasgan.engine.image_to_image import TwoDomainTranslation
from kerasgan.engine.tasks import ImageToImageTask
from kerasgan.models.cyclegan.image_pool import ImagePool
from kerasgan.models.cyclegan.linear_decay import LinearDecay
from kerasgan.models.cyclegan.resnet_generator import ResNetGenerator
from kerasgan.models.pix2pix.patchgan_discriminator import PatchGANDiscriminator
from kerasgan.utils.validation import check_image_shape



@keras.saving.register_keras_serializable(package="kerasgan")
class CycleGAN(TwoDomainTranslation, AdversarialModel):
    """CycleGAN (Zhu et al., 2017): unpaired translation between domains a and b.

    Networks: `g_ab`, `g_ba` (`ResNetGenerator`: reflection padding, instance
    norm) and `d_a`, `d_b` (`PatchGANDiscriminator` on one image, instance
    norm); one Adam(2e-4, beta_1=0.5) per role over both networks of the role.
    Batches are `{"a", "b"}` (e.g. `kerasgan.data.load_unpaired`).

    Objective (terms, logged under their names): least-squares adversarial
    terms `d_loss_a`, `d_loss_b` (discriminators: `0.5 (D(real) - 1)^2 +
    0.5 D(fake)^2`) and `g_loss_a`, `g_loss_b` (weight 2 on kerasgan's
    `0.5 (D(G(x)) - 1)^2`, i.e. the paper's `(D(G(x)) - 1)^2`); `cycle`
    (`cycle_weight` = lambda = 10, L1 of both round trips) and `identity`
    (`identity_weight` = 0.5 lambda = 5: `g_ba(a) ~ a`, `g_ab(b) ~ b`).

    The discriminators see fakes through an `ImagePool` each (`pool_a`,
    `pool_b`; `pool_size` = 50 past fakes, model variables, so they are saved
    and checkpointed; 0 turns the pools off). `compile(total_steps=N)` gives
    both optimizers `LinearDecay`: the learning rate stays constant for the
    first half (`decay_start`, default N // 2) and falls linearly to 0 at N
    (steps are optimizer updates).

    `translate(images, direction="a2b" | "b2a")`; `call` and the exported
    `translate` signature are a2b (export the other direction by swapping the
    domains when training).

    Args:
        image_shape: `(size, size, channels)` of both domains.
        generator_filters, discriminator_filters: ngf, ndf (64).
        num_blocks: residual blocks (default 9 at 256 px, else 6).
        discriminator_layers: PatchGAN stride-2 layers (default scaled from
            70x70 at 256 px).
        pool_size: image pool size per discriminator.
        ema_decay, seed: see `AdversarialModel` (EMA copies of both generators).
    """

    task = ImageToImageTask(paired=False)
    presets = {
        "tiny": {"image_shape": (16, 16, 1), "generator_filters": 4, "discriminator_filters": 4,
                 "num_blocks": 1, "pool_size": 4, "seed": 0},
    }
    compile_defaults = {"loss": "least_squares", "cycle_weight": 10.0, "identity_weight": 5.0,
                        "total_steps": None, "decay_start": None}

    def __init__(self, image_shape=(256, 256, 3), generator_filters=64, discriminator_filters=64, num_blocks=None,
                 discriminator_layers=None, pool_size=50, ema_decay=None, seed=None, **kwargs):
        image_shape = check_image_shape(image_shape, min_size=8, max_size=512)
        networks = {
            name: ResNetGenerator(image_shape, generator_filters, num_blocks, name=name) for name in ("g_ab", "g_ba")
        }
        networks.update({
            name: PatchGANDiscriminator(image_shape, None, discriminator_filters, discriminator_layers,
                                        norm="instance", name=name)
            for name in ("d_a", "d_b")
        })
        super().__init__(networks, {"generator": ("g_ab", "g_ba"), "discriminator": ("d_a", "d_b")},
                         ema_decay=ema_decay, ema_networks=("g_ab", "g_ba") if ema_decay else None,
                         seed=seed, **kwargs)
        self.source_shape = self.image_shape = tuple(image_shape)
        self.generator_filters = generator_filters
        self.discriminator_filters = discriminator_filters
        self.pool_size = pool_size
        self.pool_a = ImagePool(pool_size, image_shape, name="pool_a")
        self.pool_b = ImagePool(pool_size, image_shape, name="pool_b")

    def compile(self, loss=None, cycle_weight=None, identity_weight=None, total_steps=None, decay_start=None,
                d_optimizer=None, g_optimizer=None, **kwargs):
        """`AdversarialModel.compile` with the loss, the `cycle_weight` and
        `identity_weight` (0 removes a term), and `total_steps` /
        `decay_start` for the linear learning-rate decay (None: constant)."""
        if total_steps is not None:
            defaults = self.merged_compile_defaults()
            beta_1, beta_2 = kwargs.get("beta_1") or defaults["beta_1"], kwargs.get("beta_2") or defaults["beta_2"]

            def adam(prefix):
                rate = kwargs.get(f"{prefix}_learning_rate") or defaults[f"{prefix}_learning_rate"]
                return keras.optimizers.Adam(LinearDecay(rate, total_steps, decay_start), beta_1=beta_1,
                                             beta_2=beta_2, name=f"{prefix}_optimizer")

            d_optimizer = d_optimizer or adam("d")
            g_optimizer = g_optimizer or adam("g")
        super().compile(loss=loss, cycle_weight=cycle_weight, identity_weight=identity_weight,
                        total_steps=total_steps, decay_start=decay_start, d_optimizer=d_optimizer,
                        g_optimizer=g_optimizer, **kwargs)

    def default_terms(self, s):
        found = [
            terms.Adversarial(s["loss"], role=role, real=f"real_logits_{side}", fake=f"fake_logits_{side}",
                              weight=2.0 if role == "generator" else 1.0, name=f"{role[0]}_loss_{side}")
            for role in ("discriminator", "generator") for side in "ab"
        ]
        if float(s["cycle_weight"]):
            found.append(terms.CycleConsistency(float(s["cycle_weight"])))
        if float(s["identity_weight"]):
            found.append(terms.Identity(float(s["identity_weight"])))
        return found

    def forward(self, role, batch):
        a, b = batch["a"], batch["b"]
        batch_size = tf.shape(a)[0]
        fake_b = tf.cast(self.g_ab(a, training=True), tf.float32)
        fake_a = tf.cast(self.g_ba(b, training=True), tf.float32)
        if role == "discriminator":
            pooled_a = self.pool_a(fake_a, seed=self.seed_generator)
            pooled_b = self.pool_b(fake_b, seed=self.seed_generator)
            return StepContext(
                self, role, batch, batch_size, a=a, b=b, fake_a=pooled_a, fake_b=pooled_b,
                real_logits_a=self.d_a(a, training=True), fake_logits_a=self.d_a(pooled_a, training=True),
                real_logits_b=self.d_b(b, training=True), fake_logits_b=self.d_b(pooled_b, training=True),
            )
        values = dict(
            a=a, b=b, fake_a=fake_a, fake_b=fake_b,
            fake_logits_a=self.d_a(fake_a, training=True), fake_logits_b=self.d_b(fake_b, training=True),
            cycled_a=tf.cast(self.g_ba(fake_b, training=True), tf.float32),
            cycled_b=tf.cast(self.g_ab(fake_a, training=True), tf.float32),
        )
        if any(t.name == "identity" for t in self._terms["generator"]):
            values.update(identity_a=tf.cast(self.g_ba(a, training=True), tf.float32),
                          identity_b=tf.cast(self.g_ab(b, training=True), tf.float32))
        return StepContext(self, role, batch, batch_size, **values)
