"""The latent -> image model that the GAN families specialise."""

import keras
import numpy as np
import tensorflow as tf

from kerasgan import augment as augment_lib
from kerasgan import losses as losses_lib
from kerasgan.engine import terms
from kerasgan.engine.adversarial_model import AdversarialModel, StepContext
from kerasgan.engine.tasks import LatentTask
from kerasgan.utils.validation import check_fraction, check_positive_int

#: Largest output `generate` returns in one array; more goes through
#: `generate_batches`, which holds one batch at a time.
MAX_GENERATE_BYTES = 2 << 30


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(AdversarialModel):
    """A generator and a discriminator trained against each other with `fit`
    (the latent task of `kerasgan.engine`).

    One `fit` step is one discriminator update and, every `n_critic` steps,
    one generator update (so every discriminator update sees a fresh real
    batch, as in Gulrajani et al.). The objective is the engine's loss terms:
    `Adversarial` for both roles plus the stabilisers turned on in `compile`
    (`GradientPenalty`, `R1`, `Drift`, `FeatureMatching`) and the networks'
    own regularisation losses. Families override only what differs: usually
    nothing but their constructor (networks) and `compile_defaults`,
    sometimes `generator_inputs` / `discriminator_inputs`. See
    `kerasgan/engine/README.md`.

    Args:
        generator: a `keras.Model` mapping latents `[batch, latent_dim]` (and
            the conditions, as a second input, for conditional models) to
            images in [-1, 1].
        discriminator: a `keras.Model` mapping images (and the conditions) to
            logits of any rank. For feature matching it must have a layer
            named `"features"`.
        latent_dim: size of the latent vector; read from the generator when None.
        num_classes: int class conditions: the number of classes.
        condition_shape: float vector conditions (multi-hot domains, text
            embeddings): their shape per example, e.g. `(5,)`. At most one of
            `num_classes` and `condition_shape`.
        ema_decay: when set (e.g. 0.999), keep an exponential moving average of
            the generator's weights; `generate` then uses it.
        ema_warmup: ramp the EMA decay up as `min(ema_decay, (1 + n) / (10 + n))`
            after n generator updates (the warm-up of TensorFlow's
            `ExponentialMovingAverage`), so a short run or a newly grown layer
            is not dominated by the initial weights: 0.999 alone keeps 54% of
            them after 625 steps (measured on the StyleGAN MNIST run,
            training/README.md). Default False (StyleGAN: True).
        seed: seed of the model's `keras.random.SeedGenerator` (every random
            draw in training goes through it).

    Batches given to `fit` are images `[batch, H, W, C]` in [-1, 1] (float),
    `(images, labels)` tuples or `{"images", "labels"}` dicts.
    """

    task = LatentTask()

    #: Set by families whose constructor takes `num_classes` from the data.
    needs_labels = False

    #: Defaults that `compile` fills in for arguments left as None. Families
    #: override entries (e.g. WGAN-GP: Wasserstein loss, n_critic=5).
    compile_defaults = {
        "loss": "non_saturating",
        "label_smoothing": 0.0,
        "label_flip_prob": 0.0,
        "instance_noise": 0.0,
        "instance_noise_decay_steps": None,
        "gradient_penalty_weight": 0.0,
        "r1_weight": 0.0,
        "r1_interval": 1,
        "drift_weight": 0.0,
        "feature_matching_weight": 0.0,
        # Differentiable augmentation of the discriminator's inputs
        # (`kerasgan.augment`); left out of the compile config while off.
        "augment": None,
        "augment_policy": augment_lib.DEFAULT_POLICY,
        "augment_same_for_real_and_fake": False,
        "ada_target": 0.6,
        "ada_interval": 4,
        "ada_kimg": 500.0,
    }

    #: The compile settings of augmentation (dropped from the compile config
    #: when `augment` is None, so configs written before they existed match).
    AUGMENT_SETTINGS = (
        "augment", "augment_policy", "augment_same_for_real_and_fake", "ada_target", "ada_interval", "ada_kimg",
    )

    #: Extra scalar inputs of the serving signatures (`kerasgan.export`):
    #: name -> (dtype string, default value, one-line doc), e.g. StyleGAN's
    #: `{"truncation_psi": ("float32", 1.0, "...")}`. Each is passed to
    #: `images_from_latents` as a keyword of that name.
    serving_inputs = {}

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        num_classes=None,
        ema_decay=None,
        seed=None,
        ema_warmup=False,
        condition_shape=None,
        **kwargs,
    ):
        for name, network in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(network, keras.Model):
                raise ValueError(
                    f"`{name}` must be a keras.Model. Received: {name}={type(network).__name__}"
                )
        gen_inputs = keras.tree.flatten(generator.inputs) if generator.inputs else []
        if latent_dim is None:
            if not gen_inputs:
                raise ValueError("Pass `latent_dim`: it cannot be read from the generator.")
            latent_dim = gen_inputs[0].shape[-1]
        latent_dim = check_positive_int("latent_dim", latent_dim)
        if gen_inputs and gen_inputs[0].shape[-1] not in (None, latent_dim):
            raise ValueError(
                f"The generator takes latents of size {gen_inputs[0].shape[-1]}, "
                f"but latent_dim={latent_dim}."
            )
        if num_classes is not None and condition_shape is not None:
            raise ValueError(
                "Pass `num_classes` (int classes) or `condition_shape` (float vectors), not both. "
                f"Received: num_classes={num_classes}, condition_shape={condition_shape}"
            )
        super().__init__(
            networks={"generator": generator, "discriminator": discriminator},
            roles={"discriminator": ("discriminator",), "generator": ("generator",)},
            ema_decay=ema_decay,
            ema_warmup=ema_warmup,
            seed=seed,
            **kwargs,
        )
        self.latent_dim = latent_dim
        self.num_classes = None if num_classes is None else check_positive_int("num_classes", num_classes)
        self.condition_shape = None if condition_shape is None else tuple(
            check_positive_int("condition_shape", int(d)) for d in condition_shape
        )
        if self.ema_decay is None:
            self.ema_generator = None
        out_shape = generator.outputs[0].shape if generator.outputs else None
        self.image_shape = tuple(out_shape[1:]) if out_shape is not None else None
        self._feature_model = None

    # ------------------------------------------------------------ compile
    def compile(
        self,
        d_optimizer=None,
        g_optimizer=None,
        loss=None,
        d_learning_rate=None,
        g_learning_rate=None,
        n_critic=None,
        label_smoothing=None,
        label_flip_prob=None,
        instance_noise=None,
        instance_noise_decay_steps=None,
        gradient_penalty_weight=None,
        r1_weight=None,
        r1_interval=None,
        drift_weight=None,
        feature_matching_weight=None,
        extra_terms=(),
        term_weights=None,
        jit_compile=False,
        steps_per_execution=1,
        run_eagerly=False,
        **settings,
    ):
        """Configures training.

        Every argument has a default suited to the family (see
        `compile_defaults`); any can be overridden.

        Args:
            d_optimizer, g_optimizer: optimizers (instances or identifiers).
                Default Adam with the family's learning rates and betas.
            loss: `"minimax"`, `"non_saturating"`, `"wasserstein"`, `"hinge"`,
                `"least_squares"`, or a `(discriminator_loss, generator_loss)`
                pair of functions with the signature of `kerasgan.losses`.
            d_learning_rate, g_learning_rate: learning rates of the default
                Adam optimizers; different values give TTUR (Heusel et al.).
            n_critic: discriminator updates per generator update.
            label_smoothing: one-sided smoothing: real targets become
                `1 - label_smoothing` (Salimans et al., 2016).
            label_flip_prob: probability that each example's target is
                flipped in the discriminator step (noisy labels).
            instance_noise: std of Gaussian noise added to the discriminator's
                real and fake inputs (Sønderby et al., 2016).
            instance_noise_decay_steps: anneal that std linearly to 0 over this
                many discriminator steps (None: constant).
            gradient_penalty_weight: lambda of the WGAN-GP penalty (0: off).
            r1_weight: gamma of the R1 penalty on reals (0: off); the added
                term is `gamma / 2 * r1`.
            r1_interval: lazy regularisation: apply R1 every this many
                discriminator steps, scaled by the interval (StyleGAN2).
            drift_weight: ProGAN's epsilon_drift: `drift_weight * real_logits^2`
                per example (0: off).
            feature_matching_weight: weight of the feature-matching term in the
                generator loss (Salimans et al., 2016); needs a discriminator
                layer named `"features"`.
            augment: differentiable augmentation of everything the
                discriminator sees (`kerasgan.augment`), real and fake, in
                both steps (also inside R1 / gradient penalty): None (off),
                `"diffaugment"` (Zhao et al., 2020: every op on every
                example) or `"ada"` (Karras et al., 2020: each op per
                example with probability p, adapted from r_t =
                E[sign(D(real))]; p lives in the non-trainable variable
                `ada_p`, saved and checkpointed, logged as `ada_p`).
            augment_policy: the ops, comma-separated, among `color`,
                `translation`, `cutout` (default all three).
            augment_same_for_real_and_fake: give the real and the fake half
                of a discriminator step the same draws (default False:
                independent draws, as in DiffAugment).
            ada_target, ada_interval, ada_kimg: ADA's target for r_t (0.6),
                the discriminator steps between adjustments (4), and the
                thousands of real images over which p can move by 1 (500;
                use far less for short runs).
            extra_terms, term_weights, jit_compile, steps_per_execution,
                run_eagerly: see `AdversarialModel.compile`. Each term is
                logged under its name: `d_loss`, `g_loss`,
                `gradient_penalty`, `r1_penalty`, `drift`,
                `feature_matching`, `g_regularization`, ...
        """
        given = dict(
            loss=loss, label_smoothing=label_smoothing, label_flip_prob=label_flip_prob,
            instance_noise=instance_noise, instance_noise_decay_steps=instance_noise_decay_steps,
            gradient_penalty_weight=gradient_penalty_weight, r1_weight=r1_weight, r1_interval=r1_interval,
            drift_weight=drift_weight, feature_matching_weight=feature_matching_weight,
        )
        super().compile(
            d_optimizer=d_optimizer, g_optimizer=g_optimizer, d_learning_rate=d_learning_rate,
            g_learning_rate=g_learning_rate, n_critic=n_critic, extra_terms=extra_terms,
            term_weights=term_weights, jit_compile=jit_compile, steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly, **given, **settings,
        )

    def default_terms(self, settings):
        """Adversarial terms for both roles, and the stabilisers whose weight
        is positive in `settings`."""
        loss = settings["loss"]
        self.loss_name = loss if isinstance(loss, str) else None
        self.label_smoothing = check_fraction("label_smoothing", settings["label_smoothing"], 0.5)
        self.label_flip_prob = check_fraction("label_flip_prob", settings["label_flip_prob"], 0.5)
        if (self.label_smoothing or self.label_flip_prob) and self.loss_name not in losses_lib.TARGET_LOSSES:
            raise ValueError(
                "Label smoothing and label flips need a loss with targets "
                f"{losses_lib.TARGET_LOSSES}. Received: loss={loss!r}"
            )
        self.instance_noise = float(settings["instance_noise"])
        if self.instance_noise < 0:
            raise ValueError(f"`instance_noise` must be >= 0. Received: {settings['instance_noise']}")
        decay = settings["instance_noise_decay_steps"]
        self.instance_noise_decay_steps = (
            None if decay is None else check_positive_int("instance_noise_decay_steps", decay)
        )
        weights = {}
        for name in ("gradient_penalty_weight", "r1_weight", "drift_weight", "feature_matching_weight"):
            weights[name] = float(settings[name])
            if weights[name] < 0:
                raise ValueError(f"`{name}` must be >= 0. Received: {name}={settings[name]}")
            setattr(self, name, weights[name])
        self.r1_interval = check_positive_int("r1_interval", settings["r1_interval"])
        self._configure_augmentation(settings)
        found = [
            terms.Adversarial(loss, role="discriminator"),
            terms.Adversarial(loss, role="generator"),
        ]
        if weights["gradient_penalty_weight"]:
            found.append(terms.GradientPenalty(weights["gradient_penalty_weight"]))
        if weights["r1_weight"]:
            found.append(terms.R1(weights["r1_weight"], interval=self.r1_interval))
        if weights["drift_weight"]:
            found.append(terms.Drift(weights["drift_weight"]))
        if weights["feature_matching_weight"]:
            found.append(terms.FeatureMatching(weights["feature_matching_weight"]))
        return found

    def _configure_augmentation(self, settings):
        mode = settings["augment"]
        if isinstance(mode, str) and mode.lower() in ("none", "off", ""):
            mode = None
        if mode is not None and mode not in augment_lib.MODES:
            raise ValueError(
                f"`augment` must be None or one of {augment_lib.MODES}. Received: augment={mode!r}"
            )
        self.augment = mode
        self.augment_policy = augment_lib.parse_policy(settings["augment_policy"])
        self.augment_same_for_real_and_fake = bool(settings["augment_same_for_real_and_fake"])
        self.ada_target = float(settings["ada_target"])
        self.ada_interval = check_positive_int("ada_interval", settings["ada_interval"])
        self.ada_kimg = float(settings["ada_kimg"])
        if not self.ada_kimg > 0:
            raise ValueError(f"`ada_kimg` must be > 0. Received: ada_kimg={settings['ada_kimg']}")

    def on_compile(self):
        if self.augment is None:
            for key in self.AUGMENT_SETTINGS:
                self._compile_args.pop(key, None)
        elif self.augment == "ada" and getattr(self, "ada_p", None) is None:
            # Made only when ADA is compiled (`load_model` compiles before it
            # loads the weights), so models saved without ADA still load.
            # "mean": each replica's update is averaged under a strategy.
            self.ada_p = keras.Variable(0.0, dtype="float32", trainable=False, name="ada_p", aggregation="mean")
            self.ada_stats = keras.Variable(
                [0.0, 0.0, 0.0], dtype="float32", trainable=False, name="ada_stats", aggregation="mean"
            )
        self._feature_model = None
        if any(isinstance(t, terms.FeatureMatching) for t in self._terms["generator"]):
            self._feature_model = self._build_feature_model()

    def _build_feature_model(self):
        try:
            features = self.discriminator.get_layer("features").output
        except ValueError as e:
            raise ValueError(
                "Feature matching needs a discriminator layer named 'features' "
                f"({type(self.discriminator).__name__} has none)."
            ) from e
        return keras.Model(self.discriminator.inputs, features, name="discriminator_features")

    # ------------------------------------------------------------ forward
    def forward(self, role, batch):
        """D: fakes from fresh latents (no gradient), logits of reals and
        fakes (with instance noise and targets when asked); G: fakes and
        their logits. The conditions of fakes are the real batch's."""
        real = batch["images"]
        labels = batch.get("labels")
        batch_size = tf.shape(real)[0]
        latents = self.sample_latents(batch_size)

        def critic(images):
            # The discriminator sees augmented images (fresh draws) when
            # augmentation is on, so penalties on `critic` go through it too.
            images = self._augment([images])[0]
            return self.discriminator(self.discriminator_inputs(images, labels), training=True)

        def score(images):
            return self.discriminator(self.discriminator_inputs(images, labels), training=True)

        def features(images):
            return self._feature_model(self.discriminator_inputs(images, labels), training=True)

        if role == "discriminator":
            fake = self.generator(self.generator_inputs(latents, labels), training=True)
            fake = tf.stop_gradient(tf.cast(fake, real.dtype))
            std = self._instance_noise_std()
            real_in, fake_in = self._augment([real, fake])
            real_in = self._add_instance_noise(real_in, std)
            fake_in = self._add_instance_noise(fake_in, std)
            real_targets, fake_targets = self._d_targets(batch_size)
            real_logits = score(real_in)
            if self.augment == "ada":
                self._ada_step(real_logits)
            return StepContext(
                self, role, batch, batch_size, real=real, fake=fake, labels=labels, critic=critic,
                real_targets=real_targets, fake_targets=fake_targets,
                real_logits=real_logits, fake_logits=score(fake_in),
            )
        fake = tf.cast(self.generator(self.generator_inputs(latents, labels), training=True), real.dtype)
        return StepContext(
            self, role, batch, batch_size, real=real, fake=fake, labels=labels, critic=critic,
            features=features, fake_logits=critic(fake),
        )

    def _augment(self, images):
        """The list `images` augmented as compiled (`augment`): unchanged
        when off; with `augment_same_for_real_and_fake` one draw for all."""
        mode = getattr(self, "augment", None)
        if mode is None:
            return list(images)
        probability = self.ada_p if mode == "ada" else None
        height, width = images[0].shape[1], images[0].shape[2]
        if self.augment_same_for_real_and_fake:
            params = augment_lib.draw_params(
                tf.shape(images[0])[0], height, width, self.augment_policy, self.seed_generator, probability
            )
            return [augment_lib.apply(x, params) for x in images]
        return [
            augment_lib.diff_augment(x, self.augment_policy, self.seed_generator, probability) for x in images
        ]

    def _ada_step(self, real_logits):
        """ADA's controller after one discriminator forward pass (see
        `kerasgan.augment.ada_update`)."""
        p, stats = augment_lib.ada_update(
            self.ada_p, self.ada_stats, tf.stop_gradient(real_logits), self.ada_target,
            self.ada_interval, self.ada_kimg,
        )
        self.ada_stats.assign(stats)
        self.ada_p.assign(p)

    def logs(self):
        """The engine's logs, plus `ada_p` (the current probability) under ADA."""
        logs = super().logs()
        if getattr(self, "augment", None) == "ada":
            p = tf.identity(self.ada_p.value)
            logs["ada_p"] = tf.reshape(p, [1]) if self._multi_worker() else p
        return logs

    def _instance_noise_std(self):
        if not self.instance_noise:
            return None
        if self.instance_noise_decay_steps is None:
            return tf.constant(self.instance_noise, tf.float32)
        progress = tf.cast(self.d_optimizer.iterations, tf.float32) / float(self.instance_noise_decay_steps)
        return self.instance_noise * tf.maximum(0.0, 1.0 - progress)

    def _add_instance_noise(self, images, std):
        if std is None:
            return images
        noise = keras.random.normal(tf.shape(images), seed=self.seed_generator)
        return images + tf.cast(std, images.dtype) * tf.cast(noise, images.dtype)

    def _d_targets(self, batch_size):
        """Real/fake targets with one-sided smoothing and random flips."""
        if not (self.label_smoothing or self.label_flip_prob):
            return None, None
        real = tf.fill([batch_size], 1.0 - self.label_smoothing)
        fake = tf.zeros([batch_size])
        if self.label_flip_prob:
            flip_real = keras.random.uniform([batch_size], seed=self.seed_generator) < self.label_flip_prob
            flip_fake = keras.random.uniform([batch_size], seed=self.seed_generator) < self.label_flip_prob
            real = tf.where(flip_real, 0.0, real)
            fake = tf.where(flip_fake, 1.0 - self.label_smoothing, fake)
        return real, fake

    def feature_matching_loss(self, real, fake, labels=None):
        """Squared distance between the batch means of the discriminator's
        `"features"` layer on real and on fake images (Salimans et al., 2016)."""
        if self._feature_model is None:
            self._feature_model = self._build_feature_model()
        ctx = StepContext(
            self, "generator", None, tf.shape(real)[0], real=real, fake=fake,
            features=lambda images: self._feature_model(self.discriminator_inputs(images, labels), training=True),
        )
        return terms.FeatureMatching().compute(ctx)

    # ------------------------------------------------------------ utilities
    @property
    def conditional(self):
        return self.num_classes is not None or self.condition_shape is not None

    def generator_inputs(self, latents, labels=None):
        """What the generator is called on: latents, or `[latents, labels]`."""
        return [latents, labels] if self.conditional else latents

    def discriminator_inputs(self, images, labels=None):
        """What the discriminator is called on: images, or `[images, labels]`."""
        return [images, labels] if self.conditional else images

    def sample_latents(self, batch_size, seed=None):
        """Standard-normal latents `[batch_size, latent_dim]` from the model's
        seed generator (or from `seed`, for reproducible draws)."""
        return keras.random.normal(
            (batch_size, self.latent_dim),
            dtype="float32",
            seed=self.seed_generator if seed is None else seed,
        )

    # ------------------------------------------------------------ sampling
    def call(self, inputs, training=False):
        """Maps latents (or `[latents, labels]`) to images with the generator
        used for sampling (the EMA one when present)."""
        return self.sampling_network("generator")(inputs, training=training)

    def images_from_latents(self, latents, labels=None, **options):
        """Float32 images `[batch, H, W, C]` in [-1, 1] from latents (and
        labels, for conditional models): the sampling generator (the EMA one
        when present) in inference mode. This is what `kerasgan.export`
        serves; a family whose sampling takes more (e.g. a truncation psi)
        overrides it, declares the keywords in `serving_inputs`, and accepts
        them here as `options`.
        """
        if options:
            raise ValueError(
                f"{type(self).__name__} takes no sampling options (its `serving_inputs` "
                f"is {dict(type(self).serving_inputs)}). Received: {sorted(options)}"
            )
        return tf.cast(self(self.generator_inputs(latents, labels), training=False), tf.float32)

    def generate(self, n, seed=None, labels=None, batch_size=256, latents=None, conditions=None):
        """Generates `n` images, float32 `[n, H, W, C]` in [-1, 1].

        Args:
            n: number of images. The result is one array: more than
                `MAX_GENERATE_BYTES` (2 GiB) of images is refused; use
                `generate_batches` to stream any number.
            seed: int for reproducible latents (same seed -> same images);
                None draws from the model's seed generator.
            labels: for class-conditional models, `n` class indices (or one
                int for all), default classes 0, 1, ..., cycled; for
                vector-conditioned models, `[n, *condition_shape]` floats
                (required).
            batch_size: images generated per generator call.
            latents: explicit latents `[n, latent_dim]` instead of drawing them.
            conditions: the same as `labels` (int classes, multi-hot vectors
                or float embeddings); give one of the two.

        Uses the EMA generator when the model has one, in inference mode.
        """
        if conditions is not None:
            if labels is not None:
                raise ValueError("Pass `labels` or `conditions` (the same thing), not both.")
            labels = conditions
        n = check_positive_int("n", n)
        batch_size = check_positive_int("batch_size", batch_size)
        self._check_output_size(n)
        if latents is None:
            latents = self.sample_latents(n, seed=seed)
        else:
            latents = tf.convert_to_tensor(latents, tf.float32)
            if tuple(latents.shape) != (n, self.latent_dim):
                raise ValueError(
                    f"`latents` must have shape ({n}, {self.latent_dim}). "
                    f"Received: latents.shape={tuple(latents.shape)}"
                )
        labels = self._check_labels(labels, n)
        outputs = []
        for start in range(0, n, batch_size):
            stop = min(n, start + batch_size)
            z = latents[start:stop]
            inputs = self.generator_inputs(z, None if labels is None else labels[start:stop])
            outputs.append(tf.cast(self(inputs, training=False), tf.float32))
        return tf.concat(outputs, axis=0)

    def generate_batches(self, n, seed=0, labels=None, batch_size=256):
        """Yields `n` images in batches of `batch_size`, holding one batch at a
        time (any `n`). Batch `i` is `generate(size, seed=s_i, ...)` with `s_i`
        derived from `(seed, i)` (NumPy's SeedSequence, as `kerasgan.metrics`
        draws its chunks), so the stream is reproducible but differs from
        one `generate(n, seed)` call. `labels`: as in
        `generate` (an int or None for class-conditional models; default
        classes cycled over the whole stream)."""
        n = check_positive_int("n", n)
        batch_size = check_positive_int("batch_size", batch_size)
        for index, start in enumerate(range(0, n, batch_size)):
            size = min(batch_size, n - start)
            batch_labels = labels
            if labels is None and self.num_classes is not None:
                batch_labels = (np.arange(start, start + size) % self.num_classes).astype("int32")
            chunk_seed = int(np.random.SeedSequence([int(seed), index]).generate_state(1)[0] % (2**31 - 1))
            yield self.generate(size, seed=chunk_seed, labels=batch_labels, batch_size=size)

    def _check_output_size(self, n):
        if self.image_shape is None or None in self.image_shape:
            return
        size = n * int(np.prod(self.image_shape)) * 4
        if size > MAX_GENERATE_BYTES:
            raise ValueError(
                f"`generate({n})` would return {size / 2**30:.1f} GiB of images in one array "
                f"(the limit is {MAX_GENERATE_BYTES / 2**30:.0f} GiB): use "
                f"`generate_batches(n, seed, batch_size=...)` to stream them. Received: n={n}"
            )

    def _check_labels(self, labels, n):
        if self.condition_shape is not None:
            if labels is None:
                raise ValueError(
                    f"This model is conditioned on vectors of shape {self.condition_shape}: "
                    f"pass `labels` of shape ({n}, {', '.join(map(str, self.condition_shape))})."
                )
            labels = np.asarray(labels, dtype=np.float32)
            if labels.shape != (n, *self.condition_shape) or not np.all(np.isfinite(labels)):
                raise ValueError(
                    f"`labels` must be finite floats of shape {(n, *self.condition_shape)}. "
                    f"Received: labels with shape {labels.shape}"
                )
            return tf.constant(labels)
        if self.num_classes is None:
            if labels is not None:
                raise ValueError("`labels` were given, but this model is not conditional.")
            return None
        if labels is None:
            return tf.constant(np.arange(n) % self.num_classes, tf.int32)
        labels = np.asarray(labels)
        if labels.ndim == 0:
            labels = np.full([n], labels)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                f"`labels` must be {n} integers (or one). Received: labels with shape "
                f"{labels.shape} and dtype {labels.dtype}"
            )
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(
                f"`labels` must be in [0, {self.num_classes}). "
                f"Received values from {labels.min()} to {labels.max()}"
            )
        return tf.constant(labels, tf.int32)
