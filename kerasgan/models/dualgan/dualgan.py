import keras
import tensorflow as tf

from kerasgan.engine import terms
from kerasgan.engine.adversarial_model import AdversarialModel, StepContext
from kerasgan.engine.image_to_image import TwoDomainTranslation
from kerasgan.engine.tasks import ImageToImageTask
from kerasgan.models.dualgan.weight_clip import WeightClip
from kerasgan.models.pix2pix.norms import check_norm
from kerasgan.models.pix2pix.patchgan_discriminator import PatchGANDiscriminator
from kerasgan.models.pix2pix.unet_generator import UNetGenerator
from kerasgan.utils.validation import check_image_shape



@keras.saving.register_keras_serializable(package="kerasgan")
class DualGAN(TwoDomainTranslation, AdversarialModel):
    """DualGAN (Yi et al., 2017): unpaired translation between domains a and
    b with two Wasserstein GANs closed into a loop.

    Networks: `g_ab`, `g_ba` (`UNetGenerator`, Pix2Pix's U-Net: the paper's
    generators, whose decoder dropout is the noise z) and `d_a`, `d_b`
    (`PatchGANDiscriminator` on one image: the paper's Markovian critics; `d_a`
    judges domain a, i.e. the paper's D_B, and `d_b` domain b). Batches are
    `{"a", "b"}` (e.g. `kerasgan.data.load_unpaired`).

    Objective (terms, logged under their names):
    - `d_loss_a`, `d_loss_b`: the Wasserstein critic losses
      `D(fake) - D(real)` (per example the mean over the patch map), and
      `g_loss_a`, `g_loss_b`: `-D(G(x))`.
    - `reconstruction_a` (weight `reconstruction_weight_a`, the paper's
      lambda_U): mean L1 of `g_ba(g_ab(a)) - a`; `reconstruction_b`
      (`reconstruction_weight_b`, lambda_V) likewise for b.
    - Lipschitz constraint, weight clipping as in the paper: every trainable
      variable of both critics (kernels, biases and the norm's scale and
      offset, as WGAN's reference code clips all of them) carries a
      `WeightClip(clip_value)` constraint, which the optimizer applies after
      each critic update; `compile` also clips the current weights, so they
      lie in [-c, c] from the first step on. `compile(gradient_penalty_weight=
      10)` replaces clipping by WGAN-GP (terms `gradient_penalty_a`,
      `gradient_penalty_b`; the constraints are removed). With the penalty
      prefer `discriminator_norm="instance"` or `"none"`: batch norm mixes the
      examples whose gradient norms the penalty constrains (Gulrajani et al.).

    Paper settings (section 3.3 and Algorithm 1), the compile defaults:
    RMSprop (rho 0.9, as the authors' code) with learning rate 5e-5 for both
    roles, `n_critic` = 2 (the paper uses 2 to 4), c = 0.01 (the paper: 0.01
    to 0.1). The reconstruction weights: the paper sets lambda_U and lambda_V
    "within [100, 1000]" depending on the task, applied to the per-pixel mean
    L1 of images in [-1, 1] (as its code computes it, and as kerasgan's
    `Reconstruction` term does: no rescaling is needed). The default is 100
    for both, the lower end: with clipped critics the adversarial gradient is
    small, and at 1000 the generators start as pure autoencoders for longer
    (Pix2Pix uses the same 100 on the same L1). Set them with
    `compile(reconstruction_weight_a=..., reconstruction_weight_b=...)`; the
    paper advises a smaller lambda_U than lambda_V when U holds natural
    images and V does not.

    `translate(images, direction="a2b" | "b2a")`; `call` and the exported
    `translate` signature are a2b.

    Args:
        image_shape: `(size, size, channels)` of both domains (size a power
            of two in [16, 512]).
        generator_filters, discriminator_filters: ngf, ndf (64).
        discriminator_layers: PatchGAN stride-2 layers (default scaled from
            70x70 at 256 px).
        dropout: the U-Nets' decoder dropout (the paper's noise z; off at
            inference, see `UNetGenerator`).
        norm: the generators' norm, `"batch"` (paper) or `"instance"`.
        discriminator_norm: the critics' norm (default: `norm`).
        ema_decay, seed: see `AdversarialModel` (EMA copies of both generators).
    """

    task = ImageToImageTask(paired=False)
    presets = {
        "tiny": {"image_shape": (16, 16, 1), "generator_filters": 4, "discriminator_filters": 4, "seed": 0},
    }
    compile_defaults = {
        "loss": "wasserstein",
        "reconstruction_weight_a": 100.0,
        "reconstruction_weight_b": 100.0,
        "clip_value": 0.01,
        "gradient_penalty_weight": 0.0,
        "n_critic": 2,
        "d_learning_rate": 5e-5,
        "g_learning_rate": 5e-5,
    }

    def __init__(self, image_shape=(256, 256, 3), generator_filters=64, discriminator_filters=64,
                 discriminator_layers=None, dropout=0.5, norm="batch", discriminator_norm=None,
                 ema_decay=None, seed=None, **kwargs):
        image_shape = check_image_shape(image_shape, max_size=512)
        norm = check_norm(norm)
        discriminator_norm = norm if discriminator_norm is None else check_norm(discriminator_norm)
        networks = {
            name: UNetGenerator(image_shape, None, generator_filters, dropout=dropout, norm=norm,
                                seed=None if seed is None else seed + 10 * i, name=name)
            for i, name in enumerate(("g_ab", "g_ba"))
        }
        networks.update({
            name: PatchGANDiscriminator(image_shape, None, discriminator_filters, discriminator_layers,
                                        norm=discriminator_norm, name=name)
            for name in ("d_a", "d_b")
        })
        super().__init__(networks, {"generator": ("g_ab", "g_ba"), "discriminator": ("d_a", "d_b")},
                         ema_decay=ema_decay, ema_networks=("g_ab", "g_ba") if ema_decay else None,
                         seed=seed, **kwargs)
        self.source_shape = self.image_shape = tuple(image_shape)
        self.generator_filters = generator_filters
        self.discriminator_filters = discriminator_filters
        self.norm = norm
        self.discriminator_norm = discriminator_norm

    def compile(self, loss=None, reconstruction_weight_a=None, reconstruction_weight_b=None, clip_value=None,
                gradient_penalty_weight=None, d_optimizer=None, g_optimizer=None, **kwargs):
        """`AdversarialModel.compile` with the paper's defaults (see the
        class docstring): `loss` (`"wasserstein"`), the reconstruction
        weights (0 removes a term), `clip_value` (c; 0 turns clipping off)
        and `gradient_penalty_weight` (> 0: WGAN-GP instead of clipping).
        Optimizers default to RMSprop at the roles' learning rates."""
        defaults = self.merged_compile_defaults()

        def rmsprop(prefix):
            rate = kwargs.get(f"{prefix}_learning_rate") or defaults[f"{prefix}_learning_rate"]
            return keras.optimizers.RMSprop(rate, rho=0.9, name=f"{prefix}_optimizer")

        super().compile(loss=loss, reconstruction_weight_a=reconstruction_weight_a,
                        reconstruction_weight_b=reconstruction_weight_b, clip_value=clip_value,
                        gradient_penalty_weight=gradient_penalty_weight,
                        d_optimizer=d_optimizer or rmsprop("d"), g_optimizer=g_optimizer or rmsprop("g"), **kwargs)

    def default_terms(self, s):
        found = [
            terms.Adversarial(s["loss"], role=role, real=f"real_logits_{side}", fake=f"fake_logits_{side}",
                              name=f"{role[0]}_loss_{side}")
            for role in ("discriminator", "generator") for side in "ab"
        ]
        for side in "ab":
            weight = float(s[f"reconstruction_weight_{side}"])
            if weight:
                found.append(terms.Reconstruction(weight, pairs=[(f"cycled_{side}", side)],
                                                  name=f"reconstruction_{side}"))
        penalty = float(s["gradient_penalty_weight"])
        if penalty:
            found += [terms.GradientPenalty(penalty, critic=f"critic_{side}", real=side, fake=f"fake_{side}",
                                            name=f"gradient_penalty_{side}") for side in "ab"]
        return found

    @property
    def clip_value(self):
        """The critics' clipping bound c in use, or None (no clipping: the
        gradient penalty is on, or `clip_value=0`)."""
        settings = getattr(self, "settings", None)
        if not settings or float(settings["gradient_penalty_weight"]) or not float(settings["clip_value"]):
            return None
        return float(settings["clip_value"])

    def on_compile(self):
        clip = self.clip_value
        constraint = None if clip is None else WeightClip(clip)
        for network in self.role_networks("discriminator"):
            for variable in network.trainable_variables:
                variable.constraint = constraint
                if constraint is not None:
                    variable.assign(constraint(variable))

    def forward(self, role, batch):
        a, b = batch["a"], batch["b"]
        batch_size = tf.shape(a)[0]
        fake_b = tf.cast(self.g_ab(a, training=True), tf.float32)
        fake_a = tf.cast(self.g_ba(b, training=True), tf.float32)
        if role == "discriminator":
            fake_a, fake_b = tf.stop_gradient(fake_a), tf.stop_gradient(fake_b)
            return StepContext(
                self, role, batch, batch_size, a=a, b=b, fake_a=fake_a, fake_b=fake_b,
                critic_a=lambda x: self.d_a(x, training=True), critic_b=lambda x: self.d_b(x, training=True),
                real_logits_a=self.d_a(a, training=True), fake_logits_a=self.d_a(fake_a, training=True),
                real_logits_b=self.d_b(b, training=True), fake_logits_b=self.d_b(fake_b, training=True),
            )
        return StepContext(
            self, role, batch, batch_size, a=a, b=b, fake_a=fake_a, fake_b=fake_b,
            fake_logits_a=self.d_a(fake_a, training=True), fake_logits_b=self.d_b(fake_b, training=True),
            cycled_a=tf.cast(self.g_ba(fake_b, training=True), tf.float32),
            cycled_b=tf.cast(self.g_ab(fake_a, training=True), tf.float32),
        )
