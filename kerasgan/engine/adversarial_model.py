"""The adversarial engine: named networks in roles, loss terms, one schedule."""

import copy
import inspect

import keras
import tensorflow as tf

from kerasgan import distribute
from kerasgan.engine import terms as terms_lib
from kerasgan.engine.terms import ROLES
from kerasgan.utils.validation import check_positive_int

#: Role -> prefix of its optimizer attribute (`d_optimizer`, `g_optimizer`)
#: and of its `learning_rate` compile argument.
ROLE_PREFIX = {"discriminator": "d", "generator": "g"}


class StepContext(dict):
    """What one role's forward pass produced: named tensors and callables
    (`ctx["fake"]`, `ctx["critic"]`), plus the model, the role, the batch and
    the per-replica batch size. Loss terms read it by key."""

    def __init__(self, model, role, batch, batch_size, **values):
        super().__init__(**values)
        self.model = model
        self.role = role
        self.batch = batch
        self.batch_size = batch_size

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            raise KeyError(
                f"The {self.role} step of {type(self.model).__name__} has no {key!r} "
                f"(a loss term asked for it). It has: {sorted(self)}"
            ) from None


class AdversarialModel(keras.Model):
    """Base of every kerasgan model: networks in two roles trained against
    each other with `fit`.

    - **Networks** are keras models held as attributes under their names
      (`networks={"generator": g, "discriminator": d}`); `roles` says which
      side trains each (`{"discriminator": ("discriminator",), "generator":
      ("generator",)}`). Each role has one optimizer over all its networks'
      variables (`d_optimizer`, `g_optimizer`). Networks in no role are
      frozen helpers (e.g. a feature network for a content loss).
    - **The objective** of each role is a sum of `kerasgan.engine.terms`
      (adversarial, penalties, reconstruction, ...), each logged under its
      name. A family returns its terms from `default_terms(settings)`;
      `compile(extra_terms=..., term_weights=...)` adds or reweights them
      (weight 0 removes one). The networks' own regularisation losses are a
      term of their role, on by default.
    - **One schedule** (`train_step`): each `fit` step is one discriminator
      update and, every `n_critic` steps, one generator update (under
      `MirroredStrategy` the conditional update runs in cross-replica
      context); terms with an `interval` run lazily. Per-example values are
      averaged over the global batch (replicas sum gradients), so N replicas
      train like one device.
    - **EMA**: `ema_decay` keeps `ema_<name>` copies of the networks in
      `ema_networks` (default: the generator role's first network).
    - **Randomness** goes through `seed_generator` (replica-aware).
    - **Tasks**: the class's `task` (`kerasgan.engine.tasks`) says how
      batches are read, what a user calls (`generate`, `translate`), what is
      exported and how samples are drawn; the trainer, CLI, export, sample
      grids and evaluation ask it, never a family's name.

    A family implements `forward(role, batch) -> StepContext` and
    `default_terms(settings)`, declares `compile_defaults`, and builds its
    networks in its constructor. Its config is its constructor's arguments,
    recorded when it is built (Keras' auto config); state that changes
    after construction (ProGAN's resolution) comes from `dynamic_config`.
    """

    task = None

    #: Named constructor arguments (`from_preset`). Every family has
    #: `"tiny"`: the smallest model that trains, for smoke tests and demos.
    presets = {}

    #: Settings `compile` fills in when they are left as None (optimizer
    #: learning rates and betas, `n_critic`, and the family's term settings).
    compile_defaults = {
        "d_learning_rate": 2e-4,
        "g_learning_rate": 2e-4,
        "beta_1": 0.5,
        "beta_2": 0.999,
        "n_critic": 1,
        "accumulation_steps": 1,
    }

    def __init__(self, networks, roles, ema_decay=None, ema_warmup=False, ema_networks=None,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(networks, dict) or not networks:
            raise ValueError(f"`networks` must be a dict of name -> keras.Model. Received: {networks!r}")
        for name, network in networks.items():
            if not isinstance(network, keras.Model):
                raise ValueError(
                    f"`{name}` must be a keras.Model. Received: {name}={type(network).__name__}"
                )
        if set(roles) != set(ROLES):
            raise ValueError(f"`roles` must name the networks of {ROLES}. Received: roles={roles!r}")
        for role, names in roles.items():
            unknown = [n for n in names if n not in networks]
            if not names or unknown:
                raise ValueError(
                    f"Role {role!r} must list networks among {sorted(networks)}. Received: {list(names)}"
                )
        self.network_names = tuple(networks)
        self.roles = {role: tuple(roles[role]) for role in ROLES}
        for name, network in networks.items():
            setattr(self, name, network)
        if ema_decay is not None:
            ema_decay = float(ema_decay)
            if not 0.0 < ema_decay < 1.0:
                raise ValueError(f"`ema_decay` must be in (0, 1). Received: ema_decay={ema_decay}")
        self.ema_decay = ema_decay
        self.ema_warmup = bool(ema_warmup)
        if ema_networks is None:
            ema_networks = (self.roles["generator"][0],) if ema_decay is not None else ()
        self.ema_networks = tuple(ema_networks) if ema_decay is not None else ()
        for name in self.ema_networks:
            self._set_ema_copy(name, getattr(self, name))
        self.seed = seed
        # Replica-aware: under a distribution strategy each replica draws its
        # own latents (a plain SeedGenerator gives every replica the same).
        self.seed_generator = distribute.ReplicaSeedGenerator(seed, name="seed_generator")
        self._terms = {role: [] for role in ROLES}
        self._trackers = {}
        self.built = True

    @classmethod
    def from_preset(cls, preset, **overrides):
        """The family built with the arguments of `presets[preset]`, updated
        with `overrides`."""
        if preset not in cls.presets:
            raise ValueError(
                f"Unknown preset for {cls.__name__}. Expected one of {sorted(cls.presets)}. "
                f"Received: preset={preset!r}"
            )
        return cls(**{**cls.presets[preset], **overrides})

    def _set_ema_copy(self, name, network):
        """`ema_<name>`: a frozen clone of `network` with its weights."""
        ema = keras.models.clone_model(network)
        ema.name = f"ema_{name}"
        ema.trainable = False
        for ema_var, var in zip(ema.weights, network.weights):
            ema_var.assign(var)
        setattr(self, f"ema_{name}", ema)
        return ema

    # ------------------------------------------------------------ networks
    def get_network(self, name):
        """The network called `name` (or its EMA copy, `ema_<name>`)."""
        network = getattr(self, name, None) if isinstance(name, str) else None
        if not isinstance(network, keras.Model):
            raise ValueError(f"{type(self).__name__} has no network {name!r}. It has: {list(self.network_names)}")
        return network

    def role_networks(self, role):
        return [getattr(self, name) for name in self.roles[role]]

    def role_variables(self, role):
        """The trainable variables of a role's networks (each once)."""
        seen, variables = set(), []
        for network in self.role_networks(role):
            for var in network.trainable_variables:
                if id(var) not in seen:
                    seen.add(id(var))
                    variables.append(var)
        return variables

    def sampling_network(self, name):
        """The EMA copy of `name` when there is one, else `name` itself."""
        ema = getattr(self, f"ema_{name}", None) if name in self.ema_networks else None
        return ema if ema is not None else self.get_network(name)

    def optimizer_for(self, role):
        return getattr(self, f"{ROLE_PREFIX[role]}_optimizer")

    # -------------------------------------------------------------- compile
    def compile(self, d_optimizer=None, g_optimizer=None, d_learning_rate=None, g_learning_rate=None,
                n_critic=None, extra_terms=(), term_weights=None, jit_compile=False,
                steps_per_execution=1, run_eagerly=False, **settings):
        """Configures training.

        Args:
            d_optimizer, g_optimizer: optimizers of the two roles (instances
                or identifiers). Default Adam with the family's learning
                rates and betas (`compile_defaults`); different rates give
                TTUR (Heusel et al.).
            n_critic: discriminator updates per generator update.
            accumulation_steps: k > 1 splits each role's update over k
                micro-batches of the `fit` batch (its size must be a
                multiple of k), one forward and backward pass at a time,
                and applies the mean of their gradients once: the update
                of the whole batch with the activations of one micro-batch
                (BigGAN's gradient accumulation). Batch statistics (batch
                norm) and random draws are per micro-batch.
            extra_terms: `kerasgan.engine.terms` added to the family's.
            term_weights: `{term name: weight}`: reweights the family's (or
                the extra) terms; 0 removes one.
            jit_compile, steps_per_execution, run_eagerly: as in
                `keras.Model`. With more than one replica `jit_compile=True`
                raises a ValueError and `"auto"` means False: Keras would
                compile the whole `strategy.run`, which XLA cannot place on
                several devices.
            **settings: the family's term settings (see its `compile`
                and `compile_defaults`); unknown names are refused.
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
        defaults = self.merged_compile_defaults()
        unknown = sorted(set(settings) - set(defaults))
        if unknown:
            known = set(defaults) | {"d_optimizer", "g_optimizer", "extra_terms", "term_weights",
                                     "jit_compile", "steps_per_execution", "run_eagerly"}
            raise ValueError(
                f"Unknown compile argument(s) for {type(self).__name__}: {unknown}. Known: {sorted(known)}"
            )
        settings.update(d_learning_rate=d_learning_rate, g_learning_rate=g_learning_rate, n_critic=n_critic)
        # Arguments left as None take the family's default.
        resolved = {k: (settings[k] if settings.get(k) is not None else v) for k, v in defaults.items()}
        self.n_critic = check_positive_int("n_critic", resolved["n_critic"])
        self.accumulation_steps = check_positive_int("accumulation_steps", resolved["accumulation_steps"])
        self.settings = resolved

        terms = list(self.default_terms(resolved))
        extra_terms = [terms_lib.get(t) for t in (extra_terms or ())]
        terms += extra_terms
        for role in ROLES:
            if any(network.losses for network in self.role_networks(role)) or self._has_activity_losses(role):
                if not any(isinstance(t, terms_lib.NetworkRegularization) and t.role == role for t in terms):
                    terms.append(terms_lib.NetworkRegularization(role=role))
        term_weights = dict(term_weights or {})
        names = [t.name for t in terms]
        unknown = sorted(set(term_weights) - set(names))
        if unknown:
            raise ValueError(f"`term_weights` names unknown terms {unknown}. This model's terms: {names}")
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"Loss terms must have unique names. Repeated: {duplicates}")
        self._terms = {role: [] for role in ROLES}
        for term in terms:
            if term.name in term_weights:
                term = copy.copy(term)
                term.weight = float(term_weights[term.name])
            if term.weight > 0:
                self._terms[term.role].append(term)
        self._trackers = {
            t.name: keras.metrics.Mean(name=t.name) for role in ROLES for t in self._terms[role]
        }

        for role in ROLES:
            prefix = ROLE_PREFIX[role]
            given = {"discriminator": d_optimizer, "generator": g_optimizer}[role]
            optimizer = self._make_optimizer(given, resolved[f"{prefix}_learning_rate"], resolved, f"{prefix}_optimizer")
            setattr(self, f"{prefix}_optimizer", optimizer)
            # Build now, inside whatever strategy scope is active: building
            # lazily inside a replica context fails.
            optimizer.build(self.role_variables(role))
        # The resolved settings (defaults filled in); values that are not JSON
        # (a loss given as functions) are left out.
        self._compile_args = dict(
            {k: v for k, v in resolved.items() if v is None or isinstance(v, (str, int, float, bool))},
            n_critic=self.n_critic,
            extra_terms=[terms_lib.serialize(t) for t in extra_terms],
            term_weights=term_weights,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )
        if self.accumulation_steps == 1:
            # Left out at its default, so configs (run.json, zoo cards)
            # written before the setting existed compare equal.
            del self._compile_args["accumulation_steps"]
        self.on_compile()
        super().compile(
            optimizer=None,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )

    def _has_activity_losses(self, role):
        return any(
            getattr(layer, "activity_regularizer", None) is not None
            for network in self.role_networks(role)
            for layer in network._flatten_layers()
        )

    def on_compile(self):
        """Hook: a family's preparation after its terms are set (e.g. a
        feature model for feature matching)."""

    @classmethod
    def merged_compile_defaults(cls):
        defaults = {}
        for klass in reversed(cls.__mro__):
            defaults.update(klass.__dict__.get("compile_defaults", {}))
        return defaults

    def default_terms(self, settings):
        """The family's loss terms for the resolved compile `settings`."""
        raise NotImplementedError(f"{type(self).__name__} must implement default_terms(settings).")

    @property
    def terms(self):
        """The active loss terms, `{role: [term, ...]}`."""
        return {role: list(self._terms[role]) for role in ROLES}

    def _make_optimizer(self, optimizer, learning_rate, settings, name):
        if optimizer is None:
            optimizer = keras.optimizers.Adam(
                learning_rate=learning_rate, beta_1=settings["beta_1"], beta_2=settings["beta_2"], name=name
            )
        else:
            optimizer = keras.optimizers.get(optimizer)
        if self.dtype_policy.name == "mixed_float16" and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            # Keras only wraps `self.optimizer`; a GAN has two.
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer, name=f"{name}_loss_scale")
        return optimizer

    def get_compile_config(self):
        if not getattr(self, "_compile_args", None):
            return None
        config = dict(self._compile_args)
        for role in ROLES:
            name = f"{ROLE_PREFIX[role]}_optimizer"
            config[name] = keras.optimizers.serialize(getattr(self, name))
        return config

    def compile_from_config(self, config):
        config = dict(config)
        for role in ROLES:
            name = f"{ROLE_PREFIX[role]}_optimizer"
            config[name] = keras.optimizers.deserialize(config[name])
        self.compile(**config)

    @property
    def metrics(self):
        return list(self._trackers.values())

    # ---------------------------------------------------------- train step
    def fit(self, x=None, *args, **kwargs):
        """`keras.Model.fit`; a `tf.data.Dataset` is taken as already shuffled
        (kerasgan.data.load shuffles), which silences Keras' shuffle warning.
        Datasets (`x`, `validation_data`) run without tf.data's autotune model
        unless their options set it: with it, `fit` often returned seconds
        late (see `kerasgan.data.loaders.without_autotune_model`)."""
        from kerasgan.data.loaders import without_autotune_model

        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
            x = without_autotune_model(x)
        if "validation_data" in kwargs:
            kwargs["validation_data"] = without_autotune_model(kwargs["validation_data"])
        return super().fit(x, *args, **kwargs)

    def unpack_batch(self, data):
        """A `fit` batch -> the task's dict of named tensors, checked."""
        return self.task.unpack_batch(self, data)

    def forward(self, role, batch):
        """The step's forward pass for `role` -> `StepContext` (called under
        the role's gradient tape)."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(role, batch).")

    def train_step(self, data):
        batch = self.unpack_batch(data)
        self.role_step("discriminator", batch)
        if self.n_critic == 1:
            self.role_step("generator", batch)
        else:
            # d_optimizer.iterations was just incremented by the critic step.
            do_g = tf.equal(self.d_optimizer.iterations % self.n_critic, 0)
            self._conditional_role_step("generator", do_g, batch)
        return self.logs()

    def logs(self):
        logs = {m.name: m.result() for m in self.metrics}
        if self._multi_worker():
            # Keras 3.15 reduces multi-worker logs with strategy.reduce("MEAN",
            # v, axis=0), which fails on scalars: give it vectors of one
            # element (the reduction then yields the mean over replicas).
            logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

    def _multi_worker(self):
        return distribute.is_multi_worker(self.distribute_strategy)

    def role_step(self, role, batch):
        """One update of `role`: its forward pass, the sum of its terms, one
        optimizer step, its trackers and (generator side) the EMA."""
        optimizer = self.optimizer_for(role)
        variables = self.role_variables(role)
        steps = getattr(self, "accumulation_steps", 1)
        if steps == 1:
            grads = self._role_gradients(role, batch, variables)
        else:
            grads = None
            for micro_batch in self._micro_batches(batch, steps):
                micro = self._role_gradients(role, micro_batch, variables)
                grads = micro if grads is None else [_add_gradients(a, b) for a, b in zip(grads, micro)]
            grads = [None if g is None else g / float(steps) for g in grads]
        optimizer.apply(grads, variables)
        self.update_ema(role)

    def _micro_batches(self, batch, steps):
        """`batch` (a dict of tensors) cut into `steps` equal parts."""
        tensors = tf.nest.flatten(batch)
        size = tf.shape(tensors[0])[0]
        static = tensors[0].shape[0]
        if static is not None and static % steps:
            raise ValueError(
                f"With accumulation_steps={steps} the batch size must be a multiple of {steps}. "
                f"Received a batch of {static}."
            )
        check = tf.debugging.assert_equal(
            size % steps, 0,
            message=f"with accumulation_steps={steps} the batch size must be a multiple of {steps}",
        )
        with tf.control_dependencies([check]):
            part = tf.identity(size // steps)
        return [
            tf.nest.map_structure(lambda x, i=i: x[i * part:(i + 1) * part], batch) for i in range(steps)
        ]

    def _role_gradients(self, role, batch, variables):
        """The gradients of `role`'s loss on `batch` (loss-scaled for mixed
        precision); updates the role's trackers."""
        optimizer = self.optimizer_for(role)
        iterations = optimizer.iterations
        with tf.GradientTape() as tape:
            ctx = self.forward(role, batch)
            per_example, scalar, logged = None, None, []
            for term in self._terms[role]:
                value, ran = self._term_value(term, ctx, iterations)
                scale = float(term.interval) if term.interval > 1 else 1.0
                contribution = (term.coefficient * scale) * tf.cast(value, tf.float32)
                if term.per_example:
                    per_example = contribution if per_example is None else per_example + contribution
                else:
                    scalar = contribution if scalar is None else scalar + contribution
                logged.append((term, value, ran))
            loss = tf.zeros([], tf.float32)
            if per_example is not None:
                loss += tf.nn.compute_average_loss(per_example)
            if scalar is not None:
                loss += tf.nn.scale_regularization_loss(scalar)
            scaled = optimizer.scale_loss(loss)
        grads = tape.gradient(scaled, variables)
        for term, value, ran in logged:
            # The unweighted mean; an interval term over the updates where it ran.
            self._trackers[term.name].update_state(tf.reduce_mean(tf.cast(value, tf.float32)), sample_weight=ran)
        return grads

    def _term_value(self, term, ctx, iterations):
        if term.interval == 1:
            return term.compute(ctx), 1.0
        run = tf.equal(iterations % term.interval, 0)
        if self.jit_compile:
            # XLA fails to compile the gradient of some layers (minibatch
            # stddev's broadcasts) inside a tf.cond branch: compute and mask.
            value = tf.where(run, term.compute(ctx), term.zeros(ctx))
        else:
            value = tf.cond(run, lambda: term.compute(ctx), lambda: term.zeros(ctx))
        return value, tf.cast(run, tf.float32)

    def _conditional_role_step(self, role, do, batch):
        """`role_step(role, batch)` when `do` is true.

        Under `MirroredStrategy` a `tf.cond` in replica context must not
        contain a `merge_call` (the optimizer's gradient all-reduce and
        synchronized batch norm make one), so there the branch is taken in
        cross-replica context and the step runs on every replica, as Keras'
        `LossScaleOptimizer` does for its conditional update.
        """

        def run_step():
            self.role_step(role, batch)
            return tf.constant(True)

        context = tf.distribute.get_replica_context()
        if (
            context is None
            or context.num_replicas_in_sync == 1
            or tf.__internal__.distribute.strategy_supports_no_merge_call()
        ):
            tf.cond(do, run_step, lambda: tf.constant(False))
            return

        def cross_replica(distribution, do, batch):
            # Every replica computed the same `do` (iterations are mirrored).
            do = distribution.experimental_local_results(do)[0]

            def run_on_replicas():
                distribution.extended.call_for_each_replica(lambda b: self.role_step(role, b), args=(batch,))
                return tf.constant(True)

            tf.cond(do, run_on_replicas, lambda: tf.constant(False))

        context.merge_call(cross_replica, args=(do, batch))

    # ------------------------------------------------------------------ EMA
    def reset_ema(self):
        """Sets every EMA network to its network's current weights, so the
        average starts again from here: e.g. when adversarial training starts
        from a generator pre-trained on another loss (SRGAN after SRResNet),
        whose EMA would otherwise still hold the pre-training's average."""
        for name in self.ema_networks:
            for ema_var, var in zip(getattr(self, f"ema_{name}").weights, getattr(self, name).weights):
                ema_var.assign(tf.cast(var, ema_var.dtype))

    def update_ema(self, role="generator"):
        """ema = decay * ema + (1 - decay) * weights for the EMA networks of
        `role`; buffers (e.g. batch-norm moving statistics) are copied. With
        `ema_warmup`, decay is `min(ema_decay, (1 + n) / (10 + n))` after n
        updates of the role."""
        names = [n for n in self.roles[role] if n in self.ema_networks]
        if not names:
            return
        decay = self.ema_decay
        if self.ema_warmup:
            n = tf.cast(self.optimizer_for(role).iterations, tf.float32)
            decay = tf.minimum(decay, (1.0 + n) / (10.0 + n))
        for name in names:
            for ema_var, var in zip(getattr(self, f"ema_{name}").weights, getattr(self, name).weights):
                if var.trainable:
                    ema_var.assign(decay * ema_var + (1.0 - decay) * tf.cast(var, ema_var.dtype))
                else:
                    ema_var.assign(var)

    # ------------------------------------------------------- serialisation
    def dynamic_config(self):
        """Config entries for state that changed after construction."""
        return {}

    def __new__(cls, *args, **kwargs):
        # Record the constructor's arguments (defaults included): they are the
        # config. Keras' own auto config cannot serve: `Model.__new__` drops
        # the arguments. Keras objects among them (networks) are read back
        # from the attribute of the same name in `get_config`.
        instance = super().__new__(cls, *args, **kwargs)
        arguments = None
        try:
            bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
        except TypeError:
            bound = None  # __init__ raises the real error
        if bound is not None:
            bound.apply_defaults()
            arguments = {}
            for name, param in inspect.signature(cls.__init__).parameters.items():
                if name == "self" or name not in bound.arguments:
                    continue
                if param.kind == param.VAR_KEYWORD:
                    arguments.update(bound.arguments[name])
                elif param.kind != param.VAR_POSITIONAL:
                    arguments[name] = bound.arguments[name]
            arguments = {
                k: _FROM_ATTRIBUTE if _holds_keras_object(v) else v
                for k, v in arguments.items()
                if not k.startswith("_") and k not in ("name", "dtype", "trainable")
            }
        object.__setattr__(instance, "_init_arguments", arguments)
        return instance

    def get_config(self):
        config = super().get_config()
        for name, value in (self._init_arguments or {}).items():
            if value is _FROM_ATTRIBUTE:
                value = getattr(self, name)
                if isinstance(value, dict):
                    value = {k: keras.saving.serialize_keras_object(v) for k, v in value.items()}
                else:
                    value = keras.saving.serialize_keras_object(value)
            config[name] = value
        config.update(self.dynamic_config())
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key, value in list(config.items()):
            if _is_serialized_object(value):
                config[key] = keras.saving.deserialize_keras_object(value)
            elif isinstance(value, dict) and value and all(_is_serialized_object(v) for v in value.values()):
                config[key] = {k: keras.saving.deserialize_keras_object(v) for k, v in value.items()}
        return cls(**config)


_FROM_ATTRIBUTE = "<read from the attribute>"


def _add_gradients(a, b):
    """a + b for gradients that may be None or IndexedSlices."""
    if a is None or b is None:
        return b if a is None else a
    return tf.convert_to_tensor(a) + tf.convert_to_tensor(b)


def _holds_keras_object(value):
    values = value.values() if isinstance(value, dict) else [value]
    return any(isinstance(v, (keras.layers.Layer, keras.Model)) for v in values)


def _is_serialized_object(value):
    return isinstance(value, dict) and "class_name" in value and "config" in value
