"""The base model that every GAN family in kerasgan specialises."""

import keras
import numpy as np
import tensorflow as tf

from kerasgan import distribute
from kerasgan import losses as losses_lib
from kerasgan import penalties
from kerasgan.models.common import check_fraction, check_positive_int


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(keras.Model):
    """A generator and a discriminator trained against each other with `fit`.

    The model holds the networks, their optimizers, the metric trackers, the
    seed generator and (optionally) an exponential moving average of the
    generator. One `fit` step is one discriminator update and, every
    `n_critic` steps, one generator update (so every discriminator update sees
    a fresh real batch, as in Gulrajani et al.). Families override only what
    differs: usually nothing but their constructor (networks and defaults),
    sometimes `discriminator_step` / `generator_step`. See
    `kerasgan/models/README.md` for the design.

    Args:
        generator: a `keras.Model` mapping latents `[batch, latent_dim]` (and
            int labels `[batch]` for conditional models, as a second input) to
            images in [-1, 1].
        discriminator: a `keras.Model` mapping images (and labels, for
            conditional models) to logits of any rank. For feature matching
            it must have a layer named `"features"`.
        latent_dim: size of the latent vector; read from the generator when None.
        num_classes: number of classes for a conditional model, else None.
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
    or `(images, labels)` tuples; conditional models require the labels.
    """

    #: Defaults that `compile` fills in for arguments left as None. Families
    #: override entries (e.g. WGAN-GP: Wasserstein loss, n_critic=5).
    compile_defaults = {
        "loss": "non_saturating",
        "d_learning_rate": 2e-4,
        "g_learning_rate": 2e-4,
        "beta_1": 0.5,
        "beta_2": 0.999,
        "n_critic": 1,
        "gradient_penalty_weight": 0.0,
    }

    #: Families that build their networks from their own arguments set this to
    #: False: their config holds those arguments instead of the networks.
    networks_in_config = True

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
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model):
            raise ValueError(
                f"`generator` must be a keras.Model. Received: generator={type(generator).__name__}"
            )
        if not isinstance(discriminator, keras.Model):
            raise ValueError(
                "`discriminator` must be a keras.Model. "
                f"Received: discriminator={type(discriminator).__name__}"
            )
        gen_inputs = keras.tree.flatten(generator.inputs) if generator.inputs else []
        if latent_dim is None:
            if not gen_inputs:
                raise ValueError("Pass `latent_dim`: it cannot be read from the generator.")
            latent_dim = gen_inputs[0].shape[-1]
        self.latent_dim = check_positive_int("latent_dim", latent_dim)
        if gen_inputs and gen_inputs[0].shape[-1] not in (None, self.latent_dim):
            raise ValueError(
                f"The generator takes latents of size {gen_inputs[0].shape[-1]}, "
                f"but latent_dim={self.latent_dim}."
            )
        self.num_classes = (
            None if num_classes is None else check_positive_int("num_classes", num_classes)
        )
        if ema_decay is not None:
            ema_decay = float(ema_decay)
            if not 0.0 < ema_decay < 1.0:
                raise ValueError(f"`ema_decay` must be in (0, 1). Received: ema_decay={ema_decay}")
        self.ema_decay = ema_decay
        self.ema_warmup = bool(ema_warmup)
        self.seed = seed
        self.generator = generator
        self.discriminator = discriminator
        # Replica-aware: under a distribution strategy each replica draws its
        # own latents (a plain SeedGenerator gives every replica the same).
        self.seed_generator = distribute.ReplicaSeedGenerator(seed, name="seed_generator")
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.name = "ema_generator"
            self.ema_generator.trainable = False
            for ema_var, var in zip(self.ema_generator.weights, generator.weights):
                ema_var.assign(var)
        out_shape = generator.outputs[0].shape if generator.outputs else None
        self.image_shape = tuple(out_shape[1:]) if out_shape is not None else None

        # Metric trackers: created once, reported according to the compile config.
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.gp_tracker = keras.metrics.Mean(name="gradient_penalty")
        self.r1_tracker = keras.metrics.Mean(name="r1_penalty")
        self.fm_tracker = keras.metrics.Mean(name="feature_matching")
        self._feature_model = None
        self.built = True

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        d_optimizer=None,
        g_optimizer=None,
        loss=None,
        d_learning_rate=None,
        g_learning_rate=None,
        n_critic=None,
        label_smoothing=0.0,
        label_flip_prob=0.0,
        instance_noise=0.0,
        instance_noise_decay_steps=None,
        gradient_penalty_weight=None,
        r1_weight=0.0,
        r1_interval=1,
        feature_matching_weight=0.0,
        jit_compile=False,
        steps_per_execution=1,
        run_eagerly=False,
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
            feature_matching_weight: weight of the feature-matching term in the
                generator loss (Salimans et al., 2016); needs a discriminator
                layer named `"features"`.
            jit_compile, steps_per_execution, run_eagerly: as in `keras.Model`.
                With more than one replica `jit_compile=True` raises a
                ValueError and `"auto"` means False: Keras would compile the
                whole `strategy.run`, which XLA cannot place on several
                devices.
        """
        replicas = max(distribute.num_replicas(), self.distribute_strategy.num_replicas_in_sync)
        if replicas > 1 and jit_compile == "auto":
            jit_compile = False
        if replicas > 1 and jit_compile:
            raise ValueError(
                f"`jit_compile=True` does not work with more than one replica ({replicas} "
                "in this model's strategy): Keras compiles the whole `strategy.run` with "
                "XLA, which fails across devices. Use jit_compile=False (or 'auto', which "
                f"is turned off here). Received: jit_compile={jit_compile!r}"
            )
        defaults = dict(GAN.compile_defaults)
        defaults.update(type(self).compile_defaults)
        loss = defaults["loss"] if loss is None else loss
        if isinstance(loss, str):
            self._d_loss_fn, self._g_loss_fn = losses_lib.get(loss)
        elif isinstance(loss, (tuple, list)) and len(loss) == 2 and all(map(callable, loss)):
            self._d_loss_fn, self._g_loss_fn = loss
        else:
            raise ValueError(
                "`loss` must be a loss name or a (discriminator_loss, generator_loss) "
                f"pair of functions. Received: loss={loss!r}"
            )
        self.loss_name = loss if isinstance(loss, str) else None
        self.n_critic = check_positive_int(
            "n_critic", defaults["n_critic"] if n_critic is None else n_critic
        )
        self.label_smoothing = check_fraction("label_smoothing", label_smoothing, 0.5)
        self.label_flip_prob = check_fraction("label_flip_prob", label_flip_prob, 0.5)
        uses_targets = self.loss_name in losses_lib.TARGET_LOSSES
        if (self.label_smoothing or self.label_flip_prob) and not uses_targets:
            raise ValueError(
                "Label smoothing and label flips need a loss with targets "
                f"{losses_lib.TARGET_LOSSES}. Received: loss={loss!r}"
            )
        self.instance_noise = float(instance_noise)
        if self.instance_noise < 0:
            raise ValueError(f"`instance_noise` must be >= 0. Received: {instance_noise}")
        self.instance_noise_decay_steps = (
            None
            if instance_noise_decay_steps is None
            else check_positive_int("instance_noise_decay_steps", instance_noise_decay_steps)
        )
        gp = defaults["gradient_penalty_weight"]
        self.gradient_penalty_weight = float(gp if gradient_penalty_weight is None else gradient_penalty_weight)
        self.r1_weight = float(r1_weight)
        self.r1_interval = check_positive_int("r1_interval", r1_interval)
        self.feature_matching_weight = float(feature_matching_weight)
        for name in ("gradient_penalty_weight", "r1_weight", "feature_matching_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"`{name}` must be >= 0. Received: {name}={getattr(self, name)}")
        if self.feature_matching_weight:
            self._feature_model = self._build_feature_model()

        d_lr = defaults["d_learning_rate"] if d_learning_rate is None else d_learning_rate
        g_lr = defaults["g_learning_rate"] if g_learning_rate is None else g_learning_rate
        self.d_optimizer = self._make_optimizer(d_optimizer, d_lr, defaults, "d_optimizer")
        self.g_optimizer = self._make_optimizer(g_optimizer, g_lr, defaults, "g_optimizer")
        # Build the optimizers now, inside whatever strategy scope is active:
        # building lazily inside a replica context fails (see PITFALLS.md).
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        self._compile_args = dict(
            loss=loss if isinstance(loss, str) else None,
            n_critic=self.n_critic,
            label_smoothing=self.label_smoothing,
            label_flip_prob=self.label_flip_prob,
            instance_noise=self.instance_noise,
            instance_noise_decay_steps=self.instance_noise_decay_steps,
            gradient_penalty_weight=self.gradient_penalty_weight,
            r1_weight=self.r1_weight,
            r1_interval=self.r1_interval,
            feature_matching_weight=self.feature_matching_weight,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )
        super().compile(
            optimizer=None,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )

    def _make_optimizer(self, optimizer, learning_rate, defaults, name):
        if optimizer is None:
            optimizer = keras.optimizers.Adam(
                learning_rate=learning_rate,
                beta_1=defaults["beta_1"],
                beta_2=defaults["beta_2"],
                name=name,
            )
        else:
            optimizer = keras.optimizers.get(optimizer)
        if self.dtype_policy.name == "mixed_float16" and not isinstance(
            optimizer, keras.optimizers.LossScaleOptimizer
        ):
            # Keras only wraps `self.optimizer`; a GAN has two.
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer, name=f"{name}_loss_scale")
        return optimizer

    def get_compile_config(self):
        if not getattr(self, "_compile_args", None):
            return None
        config = dict(self._compile_args)
        config["d_optimizer"] = keras.optimizers.serialize(self.d_optimizer)
        config["g_optimizer"] = keras.optimizers.serialize(self.g_optimizer)
        return config

    def compile_from_config(self, config):
        config = dict(config)
        config["d_optimizer"] = keras.optimizers.deserialize(config["d_optimizer"])
        config["g_optimizer"] = keras.optimizers.deserialize(config["g_optimizer"])
        self.compile(**config)

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self):
        trackers = [self.d_loss_tracker, self.g_loss_tracker]
        if getattr(self, "gradient_penalty_weight", 0.0):
            trackers.append(self.gp_tracker)
        if getattr(self, "r1_weight", 0.0):
            trackers.append(self.r1_tracker)
        if getattr(self, "feature_matching_weight", 0.0):
            trackers.append(self.fm_tracker)
        return trackers

    # --------------------------------------------------------------- utilities
    @property
    def conditional(self):
        return self.num_classes is not None

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

    def unpack_batch(self, data):
        """Splits a `fit` batch into `(images, labels or None)` and checks it."""
        if isinstance(data, (tuple, list)):
            if len(data) == 1:
                images, labels = data[0], None
            elif len(data) == 2:
                images, labels = data
            else:
                raise ValueError(
                    "A batch must be `images` or `(images, labels)`. "
                    f"Received a tuple of {len(data)} elements."
                )
        elif isinstance(data, dict):
            images, labels = data.get("images"), data.get("labels")
        else:
            images, labels = data, None
        images = tf.convert_to_tensor(images)
        if not images.dtype.is_floating:
            raise ValueError(
                "Images must be floating point in [-1, 1] (kerasgan.data.load scales "
                f"them). Received dtype: {images.dtype.name}"
            )
        if self.image_shape is not None and images.shape.rank is not None:
            got = tuple(images.shape[1:])
            if len(got) != len(self.image_shape) or any(
                a is not None and b is not None and a != b
                for a, b in zip(got, self.image_shape)
            ):
                raise ValueError(
                    f"This model's images have shape {self.image_shape} (H, W, C). "
                    f"Received a batch of shape {tuple(images.shape)}."
                )
        # Losses and penalties run in float32; the networks cast to their own
        # compute dtype (mixed precision) at their inputs.
        images = tf.cast(images, tf.float32)
        if self.conditional:
            if labels is None:
                raise ValueError(
                    f"This model is conditional (num_classes={self.num_classes}): "
                    "batches must be (images, labels)."
                )
            labels = tf.reshape(tf.cast(labels, tf.int32), [-1])
        else:
            labels = None
        return images, labels

    def _instance_noise_std(self):
        if not self.instance_noise:
            return None
        if self.instance_noise_decay_steps is None:
            return tf.constant(self.instance_noise, tf.float32)
        progress = tf.cast(self.d_optimizer.iterations, tf.float32) / float(
            self.instance_noise_decay_steps
        )
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

    def _build_feature_model(self):
        try:
            features = self.discriminator.get_layer("features").output
        except ValueError as e:
            raise ValueError(
                "Feature matching needs a discriminator layer named 'features' "
                f"({type(self.discriminator).__name__} has none)."
            ) from e
        return keras.Model(self.discriminator.inputs, features, name="discriminator_features")

    @staticmethod
    def _average(per_example):
        """Per-example values -> loss scaled for the global batch (replicas sum grads)."""
        return tf.nn.compute_average_loss(per_example)

    def fit(self, x=None, *args, **kwargs):
        """`keras.Model.fit`; a `tf.data.Dataset` is taken as already shuffled
        (kerasgan.data.load shuffles), which silences Keras' shuffle warning."""
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
        return super().fit(x, *args, **kwargs)

    # -------------------------------------------------------------- train step
    def train_step(self, data):
        real, labels = self.unpack_batch(data)
        batch_size = tf.shape(real)[0]
        self.discriminator_step(real, labels)
        if self.n_critic == 1:
            self.generator_step(real, labels, batch_size)
        else:
            # d_optimizer.iterations was just incremented by the critic step.
            do_g = tf.equal(self.d_optimizer.iterations % self.n_critic, 0)
            self._conditional_generator_step(do_g, real, labels, batch_size)
        logs = {m.name: m.result() for m in self.metrics}
        if self._multi_worker():
            # Keras 3.15 reduces multi-worker logs with strategy.reduce("MEAN",
            # v, axis=0), which fails on scalars: give it vectors of one
            # element (the reduction then yields the mean over replicas).
            logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

    def _multi_worker(self):
        return distribute.is_multi_worker(self.distribute_strategy)

    def _conditional_generator_step(self, do_g, real, labels, batch_size):
        """`generator_step` when `do_g` is true.

        Under `MirroredStrategy` a `tf.cond` in replica context must not
        contain a `merge_call` (the optimizer's gradient all-reduce and
        synchronized batch norm make one), so there the branch is taken in
        cross-replica context and the step runs on every replica, as Keras'
        `LossScaleOptimizer` does for its conditional update.
        """

        def run_step():
            self.generator_step(real, labels, batch_size)
            return tf.constant(True)

        context = tf.distribute.get_replica_context()
        if (
            context is None
            or context.num_replicas_in_sync == 1
            or tf.__internal__.distribute.strategy_supports_no_merge_call()
        ):
            tf.cond(do_g, run_step, lambda: tf.constant(False))
            return

        def cross_replica(distribution, do_g, real, labels):
            # Every replica computed the same do_g (iterations are mirrored).
            do_g = distribution.experimental_local_results(do_g)[0]

            def run_on_replicas():
                distribution.extended.call_for_each_replica(
                    lambda r, l: self.generator_step(r, l, tf.shape(r)[0]), args=(real, labels)
                )
                return tf.constant(True)

            tf.cond(do_g, run_on_replicas, lambda: tf.constant(False))

        context.merge_call(cross_replica, args=(do_g, real, labels))

    def discriminator_step(self, real, labels):
        """One discriminator update on a real batch; updates the trackers."""
        batch_size = tf.shape(real)[0]
        latents = self.sample_latents(batch_size)
        fake = self.generator(self.generator_inputs(latents, labels), training=True)
        fake = tf.stop_gradient(tf.cast(fake, real.dtype))
        std = self._instance_noise_std()
        real_in = self._add_instance_noise(real, std)
        fake_in = self._add_instance_noise(fake, std)
        real_targets, fake_targets = self._d_targets(batch_size)
        target_kwargs = {}
        if real_targets is not None:
            target_kwargs = {"real_targets": real_targets, "fake_targets": fake_targets}

        def critic(images):
            return self.discriminator(self.discriminator_inputs(images, labels), training=True)

        with tf.GradientTape() as tape:
            real_logits = critic(real_in)
            fake_logits = critic(fake_in)
            per_example = self._d_loss_fn(
                real_logits, fake_logits, reduction="none", **target_kwargs
            )
            total = per_example
            if self.gradient_penalty_weight:
                gp = penalties.gradient_penalty(critic, real, fake, seed=self.seed_generator)
                total = total + self.gradient_penalty_weight * gp
            if self.r1_weight:
                if self.r1_interval > 1:
                    # Lazy R1 (StyleGAN2): the double backward pass only runs on
                    # every r1_interval-th step, scaled by the interval. XLA
                    # fails to compile the gradient of some layers (minibatch
                    # stddev's broadcasts) inside a tf.cond branch, so under
                    # jit_compile R1 is computed every step and masked.
                    apply_r1 = tf.equal(self.d_optimizer.iterations % self.r1_interval, 0)
                    if self.jit_compile:
                        r1 = tf.where(apply_r1, penalties.r1_penalty(critic, real), 0.0)
                    else:
                        r1 = tf.cond(
                            apply_r1,
                            lambda: penalties.r1_penalty(critic, real),
                            lambda: tf.zeros([batch_size], tf.float32),
                        )
                    r1_weight = tf.cast(apply_r1, tf.float32)
                    scale = float(self.r1_interval)
                else:
                    r1 = penalties.r1_penalty(critic, real)
                    r1_weight, scale = 1.0, 1.0
                total = total + scale * (0.5 * self.r1_weight) * r1
            loss = self._average(total)
            scaled = self.d_optimizer.scale_loss(loss)
        variables = self.discriminator.trainable_variables
        grads = tape.gradient(scaled, variables)
        self.d_optimizer.apply(grads, variables)

        self.d_loss_tracker.update_state(tf.reduce_mean(per_example))
        if self.gradient_penalty_weight:
            self.gp_tracker.update_state(tf.reduce_mean(gp))
        if self.r1_weight:
            # Logged over the steps where R1 was computed.
            self.r1_tracker.update_state(tf.reduce_mean(r1), sample_weight=r1_weight)

    def generator_step(self, real, labels, batch_size):
        """One generator update; updates the trackers and the EMA."""
        latents = self.sample_latents(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator(self.generator_inputs(latents, labels), training=True)
            fake = tf.cast(fake, real.dtype)
            fake_logits = self.discriminator(
                self.discriminator_inputs(fake, labels), training=True
            )
            per_example = self._g_loss_fn(fake_logits, reduction="none")
            loss = self._average(per_example)
            if self.feature_matching_weight:
                fm = self.feature_matching_loss(real, fake, labels)
                loss = loss + tf.nn.scale_regularization_loss(self.feature_matching_weight * fm)
            scaled = self.g_optimizer.scale_loss(loss)
        variables = self.generator.trainable_variables
        grads = tape.gradient(scaled, variables)
        self.g_optimizer.apply(grads, variables)
        if self.ema_generator is not None:
            self.update_ema()

        self.g_loss_tracker.update_state(tf.reduce_mean(per_example))
        if self.feature_matching_weight:
            self.fm_tracker.update_state(fm)

    def feature_matching_loss(self, real, fake, labels=None):
        """Squared distance between the batch means of the discriminator's
        `"features"` layer on real and on fake images (Salimans et al., 2016)."""
        real_features = self._feature_model(self.discriminator_inputs(real, labels), training=True)
        fake_features = self._feature_model(self.discriminator_inputs(fake, labels), training=True)
        real_mean = tf.reduce_mean(tf.cast(real_features, tf.float32), axis=0)
        fake_mean = tf.reduce_mean(tf.cast(fake_features, tf.float32), axis=0)
        return tf.reduce_sum(tf.square(tf.stop_gradient(real_mean) - fake_mean))

    def update_ema(self):
        """ema = decay * ema + (1 - decay) * weights; buffers (e.g. batch-norm
        moving statistics) are copied. With `ema_warmup`, decay is
        `min(ema_decay, (1 + n) / (10 + n))` after n generator updates."""
        decay = self.ema_decay
        if self.ema_warmup:
            n = tf.cast(self.g_optimizer.iterations, tf.float32)
            decay = tf.minimum(decay, (1.0 + n) / (10.0 + n))
        for ema_var, var in zip(self.ema_generator.weights, self.generator.weights):
            if var.trainable:
                ema_var.assign(decay * ema_var + (1.0 - decay) * tf.cast(var, ema_var.dtype))
            else:
                ema_var.assign(var)

    # ---------------------------------------------------------------- sampling
    def call(self, inputs, training=False):
        """Maps latents (or `[latents, labels]`) to images with the generator
        used for sampling (the EMA one when present)."""
        generator = self.ema_generator if self.ema_generator is not None else self.generator
        return generator(inputs, training=training)

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

    def generate(self, n, seed=None, labels=None, batch_size=256, latents=None):
        """Generates `n` images, float32 `[n, H, W, C]` in [-1, 1].

        Args:
            n: number of images.
            seed: int for reproducible latents (same seed -> same images);
                None draws from the model's seed generator.
            labels: for conditional models, `n` class indices (or one int for
                all); default: classes 0, 1, ..., cycled.
            batch_size: images generated per generator call.
            latents: explicit latents `[n, latent_dim]` instead of drawing them.

        Uses the EMA generator when the model has one, in inference mode.
        """
        n = check_positive_int("n", n)
        batch_size = check_positive_int("batch_size", batch_size)
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

    def _check_labels(self, labels, n):
        if not self.conditional:
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

    # ----------------------------------------------------------- serialisation
    def get_config(self):
        config = super().get_config()
        if self.networks_in_config:
            config.update(
                generator=keras.saving.serialize_keras_object(self.generator),
                discriminator=keras.saving.serialize_keras_object(self.discriminator),
            )
        config.update(
            latent_dim=self.latent_dim,
            num_classes=self.num_classes,
            ema_decay=self.ema_decay,
            ema_warmup=self.ema_warmup,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            if isinstance(config.get(key), dict):
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

