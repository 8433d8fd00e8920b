import keras
import numpy as np
import tensorflow as tf

from kerasgan.engine import terms
from kerasgan.engine.adversarial_model import AdversarialModel, StepContext
from kerasgan.engine.tasks import DomainTranslationTask, check_domains, check_images
from kerasgan.models.stargan.stargan_discriminator import StarGANDiscriminator
from kerasgan.models.stargan.stargan_generator import StarGANGenerator
from kerasgan.utils.validation import check_image_shape, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class StarGAN(AdversarialModel):
    """StarGAN (Choi et al., 2018): one generator translates images between
    `num_domains` domains, conditioned on the target domain.

    Networks: `generator` (`StarGANGenerator`: the image and the target
    domain vector, replicated over the image and concatenated to its
    channels) and `discriminator` (`StarGANDiscriminator`: PatchGAN source
    logits and an auxiliary domain classifier). Domains are int classes
    (one-hot vectors for the generator) or, with `multi_label=True`,
    multi-hot attribute vectors. Batches are `{"image", "domain"}` or
    `(image, domain)` (`kerasgan.models.stargan.load_domains`: an image
    dataset's class labels as domains, e.g. MNIST digits).

    Each step draws a target domain for every image that differs from its
    own (single-label: `(domain + k) mod num_domains`, `k` uniform in
    [1, num_domains); multi-label: each attribute flipped with probability
    1/2 and at least one flipped), from the model's replica-aware seed
    generator.

    Objective (the paper's, terms logged under their names):
    - `d_loss`, `g_loss`: Wasserstein adversarial terms on the source logits
      (per example the mean over the patch map), and `gradient_penalty`
      (`gradient_penalty_weight`, lambda_gp = 10) on interpolates of real
      and fake images (`kerasgan.engine.terms.GradientPenalty`).
    - `d_classification`: the classifier's cross entropy on real images and
      their domains; `g_classification`: on fakes and their target domains
      (`classification_weight`, lambda_cls = 1; softmax cross entropy for
      int domains, sigmoid cross entropy summed over attributes for
      multi-hot ones: `terms.AuxiliaryClassification`).
    - `reconstruction`: mean L1 between each image and its fake translated
      back to the image's own domain (`reconstruction_weight`, lambda_rec = 10).

    Adam(1e-4, beta_1=0.5, beta_2=0.999) for both roles, `n_critic` = 5.

    `translate(images, target)`: `target` an int (every image), ints
    `[batch]`, or multi-hot vectors (`[num_domains]` or `[batch,
    num_domains]`) for multi-label models. `call((images, domains))` is the
    same. The exported `translate` signature takes `images` and `domain`
    (int32 `[batch]`, or float32 `[batch, num_domains]` multi-hot).

    Args:
        image_shape: `(size, size, channels)`.
        num_domains: number of domains (classes, or attributes when
            `multi_label`).
        multi_label: domains are multi-hot attribute vectors.
        generator_filters, discriminator_filters: first-layer channels (64).
        num_blocks: the generator's residual blocks (6).
        discriminator_layers: the discriminator's stride-2 layers (default
            `log2(size) - 1`).
        ema_decay, seed: see `AdversarialModel`.
    """

    task = DomainTranslationTask()
    presets = {
        "tiny": {"image_shape": (16, 16, 1), "num_domains": 3, "generator_filters": 4, "discriminator_filters": 4,
                 "num_blocks": 1, "seed": 0},
        "mnist32": {"image_shape": (32, 32, 1), "num_domains": 10, "generator_filters": 16,
                    "discriminator_filters": 16, "num_blocks": 2},
    }
    compile_defaults = {
        "loss": "wasserstein",
        "gradient_penalty_weight": 10.0,
        "classification_weight": 1.0,
        "reconstruction_weight": 10.0,
        "n_critic": 5,
        "d_learning_rate": 1e-4,
        "g_learning_rate": 1e-4,
        "beta_1": 0.5,
        "beta_2": 0.999,
    }

    def __init__(self, image_shape=(128, 128, 3), num_domains=5, multi_label=False, generator_filters=64,
                 discriminator_filters=64, num_blocks=6, discriminator_layers=None, ema_decay=None, seed=None,
                 **kwargs):
        image_shape = check_image_shape(image_shape, max_size=512)
        num_domains = check_positive_int("num_domains", num_domains)
        multi_label = bool(multi_label)
        if num_domains < 2 and not multi_label:
            raise ValueError(f"StarGAN needs at least 2 domains to translate between. Received: num_domains={num_domains}")
        generator = StarGANGenerator(image_shape, num_domains, generator_filters, num_blocks, name="generator")
        discriminator = StarGANDiscriminator(image_shape, num_domains, discriminator_filters, discriminator_layers,
                                             name="discriminator")
        super().__init__({"generator": generator, "discriminator": discriminator},
                         {"generator": ("generator",), "discriminator": ("discriminator",)},
                         ema_decay=ema_decay, seed=seed, **kwargs)
        self.source_shape = self.image_shape = tuple(image_shape)
        self.num_domains = num_domains
        self.multi_label = multi_label
        self.generator_filters = generator_filters
        self.discriminator_filters = discriminator_filters

    def compile(self, loss=None, gradient_penalty_weight=None, classification_weight=None, reconstruction_weight=None,
                **kwargs):
        """`AdversarialModel.compile` with the paper's defaults (see the
        class docstring); a weight of 0 removes its term."""
        super().compile(loss=loss, gradient_penalty_weight=gradient_penalty_weight,
                        classification_weight=classification_weight, reconstruction_weight=reconstruction_weight,
                        **kwargs)

    def default_terms(self, s):
        found = [terms.Adversarial(s["loss"], role="discriminator"), terms.Adversarial(s["loss"], role="generator")]
        if float(s["gradient_penalty_weight"]):
            found.append(terms.GradientPenalty(float(s["gradient_penalty_weight"])))
        if float(s["classification_weight"]):
            weight = float(s["classification_weight"])
            found += [
                terms.AuxiliaryClassification(weight, logits="real_class_logits", labels="domain",
                                              role="discriminator", name="d_classification"),
                terms.AuxiliaryClassification(weight, logits="fake_class_logits", labels="target_domain",
                                              role="generator", name="g_classification"),
            ]
        if float(s["reconstruction_weight"]):
            found.append(terms.Reconstruction(float(s["reconstruction_weight"]), pairs=[("reconstructed", "real")],
                                              name="reconstruction"))
        return found

    # ------------------------------------------------------------- domains
    def domain_vectors(self, domains):
        """The generator's conditioning: one-hot vectors of int domains, or
        the multi-hot vectors themselves, float32 `[batch, num_domains]`."""
        if self.multi_label:
            return tf.cast(domains, tf.float32)
        return tf.one_hot(tf.cast(domains, tf.int32), self.num_domains, dtype=tf.float32)

    def sample_target_domains(self, domains):
        """A random target domain for each example, different from its own
        (see the class docstring); draws from `seed_generator`."""
        batch = tf.shape(domains)[0]
        if not self.multi_label:
            shift = keras.random.randint([batch], 1, self.num_domains, dtype="int32", seed=self.seed_generator)
            return (tf.cast(domains, tf.int32) + shift) % self.num_domains
        flips = keras.random.uniform([batch, self.num_domains], seed=self.seed_generator) < 0.5
        forced = tf.one_hot(keras.random.randint([batch], 0, self.num_domains, dtype="int32",
                                                 seed=self.seed_generator), self.num_domains, on_value=True,
                            off_value=False, dtype=tf.bool)
        flips = tf.cast(tf.logical_or(flips, forced), tf.float32)
        return tf.abs(tf.cast(domains, tf.float32) - flips)

    def domain_spec(self):
        """The exported `translate` signature's `domain` input."""
        if self.multi_label:
            return tf.TensorSpec([None, self.num_domains], tf.float32, name="domain")
        return tf.TensorSpec([None], tf.int32, name="domain")

    # ---------------------------------------------------------------- step
    def forward(self, role, batch):
        image, domain = batch["image"], batch["domain"]
        batch_size = tf.shape(image)[0]
        target = self.sample_target_domains(domain)
        fake = tf.cast(self.generator([image, self.domain_vectors(target)], training=True), tf.float32)

        def critic(images):
            return self.discriminator(images, training=True)[0]

        if role == "discriminator":
            fake = tf.stop_gradient(fake)
            real_logits, real_class_logits = self.discriminator(image, training=True)
            return StepContext(self, role, batch, batch_size, real=image, fake=fake, critic=critic, domain=domain,
                               real_logits=real_logits, real_class_logits=real_class_logits,
                               fake_logits=critic(fake))
        fake_logits, fake_class_logits = self.discriminator(fake, training=True)
        reconstructed = tf.cast(self.generator([fake, self.domain_vectors(domain)], training=True), tf.float32)
        return StepContext(self, role, batch, batch_size, real=image, fake=fake, domain=domain,
                           target_domain=target, fake_logits=fake_logits, fake_class_logits=fake_class_logits,
                           reconstructed=reconstructed)

    # ----------------------------------------------------------- inference
    def call(self, inputs, training=False):
        """`(images, domains)` -> the images translated into `domains` (the
        sampling generator: its EMA copy when there is one)."""
        images, domains = inputs
        return self.sampling_network("generator")([images, self.domain_vectors(domains)], training=training)

    def translate(self, images, target=None, batch_size=64):
        """Translates `images` (float, [-1, 1]) into the `target` domains
        (see the class docstring); float32 in [-1, 1]."""
        if target is None:
            raise ValueError(
                f"StarGAN translates into a target domain: pass `target` (an int in [0, {self.num_domains}), "
                "one per image, or multi-hot vectors for multi-label models)."
            )
        batch_size = check_positive_int("batch_size", batch_size)
        images = check_images("images", images, self.source_shape)
        n = int(images.shape[0])
        target = np.asarray(target.numpy() if isinstance(target, tf.Tensor) else target)
        if target.ndim == (1 if self.multi_label else 0):
            target = np.broadcast_to(target, (n,) + target.shape)
        if target.shape[0] != n:
            raise ValueError(f"`target` must give one domain per image ({n}) or one for all. "
                             f"Received shape {target.shape}.")
        if not self.multi_label and target.dtype.kind == "f" and np.array_equal(target, np.round(target)):
            target = target.astype("int32")
        domains = check_domains("target", target, self.num_domains, self.multi_label)
        outputs = [tf.cast(self((images[i: i + batch_size], domains[i: i + batch_size]), training=False), tf.float32)
                   for i in range(0, n, batch_size)]
        return tf.concat(outputs, axis=0)
