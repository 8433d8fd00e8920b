"""Loss terms: the pieces an adversarial objective is summed from.

A term belongs to one role (`"discriminator"` or `"generator"`), has a
`name` (its log key), a `weight` and an `interval`, and computes its value
from the step's forward pass (a `StepContext`: the tensors a family's
`forward` produced, e.g. `real_logits`, `fake`, `target`, plus callables
such as `critic`). A term returns per-example values `[batch]`
(`per_example = True`; the engine averages them over the *global* batch)
or one scalar for the whole batch (`per_example = False`, e.g. a weight
regulariser; scaled by the number of replicas).

The engine adds `coefficient * value` to the role's loss, where
`coefficient = weight` unless a term says otherwise (R1: `weight / 2`), and
logs the unweighted mean of `value` under `name`. With `interval = k > 1`
the term is computed on every k-th update of its role only and multiplied by
k there (lazy regularisation, StyleGAN2); its log averages the updates where
it ran.

Keys: every term reads its inputs by key (`real="real_logits"`, ...), so one
class serves several networks (CycleGAN's two discriminators are two
`Adversarial` terms with other keys and names).
"""

import keras
import tensorflow as tf

from kerasgan import losses as losses_lib
from kerasgan import penalties

ROLES = ("discriminator", "generator")


def _check_role(role):
    if role not in ROLES:
        raise ValueError(f"`role` must be one of {ROLES}. Received: role={role!r}")
    return role


def _per_example_mean(values):
    """Mean over every axis but the first: `[batch, ...]` -> `[batch]`."""
    values = tf.cast(values, tf.float32)
    if values.shape.rank is not None and values.shape.rank <= 1:
        return values
    return tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


class LossTerm:
    """Base class of loss terms (see the module docstring).

    Subclasses implement `compute(ctx)` and list their own constructor
    arguments in `get_config`.
    """

    per_example = True
    default_name = None
    default_role = "generator"

    def __init__(self, weight=1.0, interval=1, role=None, name=None):
        weight = float(weight)
        if not weight >= 0.0:
            raise ValueError(f"A loss term's `weight` must be >= 0. Received: weight={weight}")
        if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
            raise ValueError(f"`interval` must be a positive int. Received: interval={interval!r}")
        self.weight = weight
        self.interval = interval
        self.role = _check_role(role or self.default_role)
        self.name = name or self.default_name or type(self).__name__.lower()

    @property
    def coefficient(self):
        """What the value is multiplied by in the loss."""
        return self.weight

    def compute(self, ctx):
        raise NotImplementedError

    def zeros(self, ctx):
        """The value on an update where an interval term does not run."""
        if self.per_example:
            return tf.zeros([ctx.batch_size], tf.float32)
        return tf.zeros([], tf.float32)

    def get_config(self):
        return {"weight": self.weight, "interval": self.interval, "role": self.role, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r}, role={self.role!r}, weight={self.weight}, interval={self.interval})"


def _register(cls):
    return keras.saving.register_keras_serializable(package="kerasgan")(cls)


@_register
class Adversarial(LossTerm):
    """The adversarial loss of one discriminator: for the discriminator role
    `d_loss(ctx[real], ctx[fake])`, for the generator role
    `g_loss(ctx[fake])`, with one of `kerasgan.losses`' five losses.

    Args:
        loss: `"minimax"`, `"non_saturating"`, `"wasserstein"`, `"hinge"`,
            `"least_squares"`, or a `(discriminator_loss, generator_loss)` pair
            of functions with their signature (not serialisable).
        real, fake: keys of the logits in the step context.
        targets: key prefix of optional real/fake targets (label smoothing and
            flips): `ctx["real_targets"]`, `ctx["fake_targets"]` when present.
    """

    def __init__(self, loss="non_saturating", real="real_logits", fake="fake_logits", role=None,
                 weight=1.0, interval=1, name=None):
        role = _check_role(role or "discriminator")
        super().__init__(weight, interval, role, name or ("d_loss" if role == "discriminator" else "g_loss"))
        if isinstance(loss, str):
            self._d_fn, self._g_fn = losses_lib.get(loss)
        elif isinstance(loss, (tuple, list)) and len(loss) == 2 and all(map(callable, loss)):
            self._d_fn, self._g_fn = loss
        else:
            raise ValueError(
                "`loss` must be a loss name or a (discriminator_loss, generator_loss) "
                f"pair of functions. Received: loss={loss!r}"
            )
        self.loss = loss
        self.real = real
        self.fake = fake

    def compute(self, ctx):
        if self.role == "generator":
            return self._g_fn(ctx[self.fake], reduction="none")
        kwargs = {}
        if ctx.get("real_targets") is not None:
            kwargs = {"real_targets": ctx["real_targets"], "fake_targets": ctx["fake_targets"]}
        return self._d_fn(ctx[self.real], ctx[self.fake], reduction="none", **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(loss=self.loss if isinstance(self.loss, str) else None, real=self.real, fake=self.fake)
        return config


@_register
class GradientPenalty(LossTerm):
    """WGAN-GP (Gulrajani et al., 2017): `(||grad critic(x_hat)|| - 1)^2` on
    random interpolates of `ctx[real]` and `ctx[fake]`; `ctx[critic]` maps
    images to logits (with the step's conditioning)."""

    default_name = "gradient_penalty"
    default_role = "discriminator"

    def __init__(self, weight=10.0, critic="critic", real="real", fake="fake", **kwargs):
        super().__init__(weight, **kwargs)
        self.critic, self.real, self.fake = critic, real, fake

    def compute(self, ctx):
        return penalties.gradient_penalty(
            ctx[self.critic], ctx[self.real], ctx[self.fake], seed=ctx.model.seed_generator
        )

    def get_config(self):
        return {**super().get_config(), "critic": self.critic, "real": self.real, "fake": self.fake}


@_register
class R1(LossTerm):
    """R1 (Mescheder et al., 2018): `||grad critic(real)||^2`, added as
    `weight / 2 * r1` (weight = gamma). Usually lazy: `interval=16`."""

    default_name = "r1_penalty"
    default_role = "discriminator"

    def __init__(self, weight=10.0, critic="critic", real="real", **kwargs):
        super().__init__(weight, **kwargs)
        self.critic, self.real = critic, real

    @property
    def coefficient(self):
        return 0.5 * self.weight

    def compute(self, ctx):
        return penalties.r1_penalty(ctx[self.critic], ctx[self.real])

    def get_config(self):
        return {**super().get_config(), "critic": self.critic, "real": self.real}


@_register
class Drift(LossTerm):
    """ProGAN's drift penalty `real_logits^2` (epsilon_drift, Karras et al.,
    2018), keeping the critic's outputs near 0."""

    default_name = "drift"
    default_role = "discriminator"

    def __init__(self, weight=1e-3, real="real_logits", **kwargs):
        super().__init__(weight, **kwargs)
        self.real = real

    def compute(self, ctx):
        return _per_example_mean(tf.square(tf.cast(ctx[self.real], tf.float32)))

    def get_config(self):
        return {**super().get_config(), "real": self.real}


@_register
class FeatureMatching(LossTerm):
    """Feature matching (Salimans et al., 2016): squared distance between the
    batch means of discriminator features of real and fake images
    (`ctx[features]` maps images to features). One value per batch."""

    per_example = False
    default_name = "feature_matching"

    def __init__(self, weight=1.0, features="features", real="real", fake="fake", **kwargs):
        super().__init__(weight, **kwargs)
        self.features, self.real, self.fake = features, real, fake

    def compute(self, ctx):
        extract = ctx[self.features]
        real_mean = tf.reduce_mean(tf.cast(extract(ctx[self.real]), tf.float32), axis=0)
        fake_mean = tf.reduce_mean(tf.cast(extract(ctx[self.fake]), tf.float32), axis=0)
        return tf.reduce_sum(tf.square(tf.stop_gradient(real_mean) - fake_mean))

    def get_config(self):
        return {**super().get_config(), "features": self.features, "real": self.real, "fake": self.fake}


@_register
class Reconstruction(LossTerm):
    """Mean absolute (`norm="l1"`) or squared (`"l2"`) difference between
    pairs of tensors, summed over `pairs` `[(prediction_key, target_key), ...]`
    (Pix2Pix's L1 to the target, CycleGAN's cycle and identity terms)."""

    default_name = "reconstruction"

    def __init__(self, weight=1.0, pairs=(("fake", "target"),), norm="l1", **kwargs):
        super().__init__(weight, **kwargs)
        if norm not in ("l1", "l2"):
            raise ValueError(f"`norm` must be 'l1' or 'l2'. Received: norm={norm!r}")
        pairs = [tuple(p) for p in pairs]
        if not pairs or any(len(p) != 2 for p in pairs):
            raise ValueError(f"`pairs` must be (prediction_key, target_key) pairs. Received: pairs={pairs!r}")
        self.pairs, self.norm = pairs, norm

    def compute(self, ctx):
        total = 0.0
        for prediction, target in self.pairs:
            diff = tf.cast(ctx[prediction], tf.float32) - tf.cast(ctx[target], tf.float32)
            total += _per_example_mean(tf.abs(diff) if self.norm == "l1" else tf.square(diff))
        return total

    def get_config(self):
        return {**super().get_config(), "pairs": [list(p) for p in self.pairs], "norm": self.norm}


@_register
class CycleConsistency(Reconstruction):
    """CycleGAN's cycle term (Zhu et al., 2017): L1 between each image and its
    round trip, `pairs=[("cycled_a", "a"), ("cycled_b", "b")]`."""

    default_name = "cycle"

    def __init__(self, weight=10.0, pairs=(("cycled_a", "a"), ("cycled_b", "b")), **kwargs):
        super().__init__(weight, pairs, **kwargs)


@_register
class Identity(Reconstruction):
    """CycleGAN's identity term: L1 between a generator's output on an image
    of its own target domain and that image."""

    default_name = "identity"

    def __init__(self, weight=5.0, pairs=(("identity_a", "a"), ("identity_b", "b")), **kwargs):
        super().__init__(weight, pairs, **kwargs)


@_register
class AuxiliaryClassification(LossTerm):
    """Classification by an auxiliary head (AC-GAN, StarGAN): softmax cross
    entropy for int labels, sigmoid cross entropy (summed over attributes)
    for multi-hot labels."""

    default_name = "classification"

    def __init__(self, weight=1.0, logits="class_logits", labels="labels", **kwargs):
        super().__init__(weight, **kwargs)
        self.logits, self.labels = logits, labels

    def compute(self, ctx):
        logits = tf.cast(ctx[self.logits], tf.float32)
        labels = ctx[self.labels]
        if labels.dtype.is_integer:
            return tf.nn.sparse_softmax_cross_entropy_with_logits(tf.reshape(labels, [-1]), logits)
        bce = tf.nn.sigmoid_cross_entropy_with_logits(tf.cast(labels, tf.float32), logits)
        return tf.reduce_sum(tf.reshape(bce, [tf.shape(bce)[0], -1]), axis=1)

    def get_config(self):
        return {**super().get_config(), "logits": self.logits, "labels": self.labels}


@_register
class Content(LossTerm):
    """Distance in a frozen feature network (SRGAN's content loss): mean
    squared difference of `model.get_network(network)` features of
    `ctx[prediction]` and `ctx[target]`."""

    default_name = "content"

    def __init__(self, weight=1.0, network="content_network", prediction="fake", target="target", **kwargs):
        super().__init__(weight, **kwargs)
        self.network, self.prediction, self.target = network, prediction, target

    def compute(self, ctx):
        features = ctx.model.get_network(self.network)
        a = features(ctx[self.prediction], training=False)
        b = tf.stop_gradient(features(ctx[self.target], training=False))
        return _per_example_mean(tf.square(tf.cast(a, tf.float32) - tf.cast(b, tf.float32)))

    def get_config(self):
        return {**super().get_config(), "network": self.network, "prediction": self.prediction, "target": self.target}


@_register
class KL(LossTerm):
    """KL(N(mu, sigma^2) || N(0, I)) per example, from `ctx[mean]` and
    `ctx[log_sigma]` (StackGAN's conditioning augmentation)."""

    default_name = "kl"

    def __init__(self, weight=1.0, mean="mu", log_sigma="log_sigma", **kwargs):
        super().__init__(weight, **kwargs)
        self.mean, self.log_sigma = mean, log_sigma

    def compute(self, ctx):
        mu = tf.cast(ctx[self.mean], tf.float32)
        log_sigma = tf.cast(ctx[self.log_sigma], tf.float32)
        kl = 0.5 * (tf.square(mu) + tf.exp(2.0 * log_sigma) - 1.0 - 2.0 * log_sigma)
        return tf.reduce_sum(tf.reshape(kl, [tf.shape(kl)[0], -1]), axis=1)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "log_sigma": self.log_sigma}


@_register
class NetworkRegularization(LossTerm):
    """The role's networks' own losses (`kernel_regularizer`,
    `activity_regularizer`, `add_loss`): Keras only adds them in
    `Model.compute_loss`, which a GAN's step does not call. On by default
    for every role whose networks have any."""

    per_example = False

    def __init__(self, weight=1.0, role="generator", name=None, **kwargs):
        role = _check_role(role)
        super().__init__(weight, role=role, name=name or f"{role[0]}_regularization", **kwargs)

    def compute(self, ctx):
        values = []
        for network in ctx.model.role_networks(self.role):
            values.extend(tf.cast(v, tf.float32) for v in network.losses)
        return tf.add_n(values) if values else tf.zeros([], tf.float32)


def get(identifier):
    """A term from an instance or its serialised config."""
    if isinstance(identifier, LossTerm):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    raise ValueError(f"Expected a LossTerm or its config. Received: {identifier!r}")


def serialize(term):
    return keras.saving.serialize_keras_object(term)


@_register
class OrthogonalRegularization(LossTerm):
    """BigGAN's orthogonal regularisation (Brock et al., 2019, section 3.1),
    the off-diagonal form: for each kernel W of the role's networks'
    convolutions and dense layers, reshaped to `[fan_in, filters]`,

    Formula: R(W) = || W^T W * (1 - I) ||_F^2, summed over the kernels
    (multiplied by `weight`, beta = 1e-4 in the paper).

    It pushes the filters towards pairwise orthogonality without constraining
    their norms (0 for a kernel with orthogonal columns of any length).
    Kernels are the trainable variables named `kernel` with rank >= 2
    (class embeddings, biases, gains and attention's gamma are left out, as
    BigGAN leaves out its shared embedding). One value per batch
    (`per_example = False`).
    """

    per_example = False
    default_name = "orthogonal"

    def __init__(self, weight=1e-4, **kwargs):
        super().__init__(weight, **kwargs)

    @staticmethod
    def kernels(networks):
        seen, found = set(), []
        for network in networks:
            for var in network.trainable_variables:
                if var.name == "kernel" and len(var.shape) >= 2 and id(var) not in seen:
                    seen.add(id(var))
                    found.append(var)
        return found

    @staticmethod
    def penalty(kernel):
        """R(W) of one kernel (float32 scalar)."""
        w = tf.reshape(tf.cast(kernel, tf.float32), [-1, kernel.shape[-1]])
        gram = tf.matmul(w, w, transpose_a=True)
        off_diagonal = gram * (1.0 - tf.eye(tf.shape(gram)[0]))
        return tf.reduce_sum(tf.square(off_diagonal))

    def compute(self, ctx):
        kernels = self.kernels(ctx.model.role_networks(self.role))
        if not kernels:
            return tf.zeros([], tf.float32)
        return tf.add_n([self.penalty(k) for k in kernels])
