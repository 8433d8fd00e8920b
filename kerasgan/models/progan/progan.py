import math

import keras
import tensorflow as tf
from keras import ops

from kerasgan.utils.validation import check_positive_int
from kerasgan.models.gan import GAN
from kerasgan.models.progan.progan_discriminator import ProGANDiscriminator
from kerasgan.models.progan.progan_generator import ProGANGenerator
from kerasgan.models.progan.resolutions import check_resolution, resolve_filters


def copy_weights_by_name(source, target):
    """Copies the weights of every layer of `target` that `source` has under
    the same name (the layers that persist across a grow).

    Returns:
        The names of the layers copied.

    Raises:
        ValueError: when a layer of the same name has weights of other shapes.
    """
    source_layers = {layer.name: layer for layer in source.layers if layer.weights}
    copied = []
    for layer in target.layers:
        old = source_layers.get(layer.name)
        if old is None or not layer.weights:
            continue
        if [tuple(w.shape) for w in old.weights] != [tuple(w.shape) for w in layer.weights]:
            raise ValueError(
                f"Layer {layer.name!r} changed shape between resolutions: "
                f"{[tuple(w.shape) for w in old.weights]} -> "
                f"{[tuple(w.shape) for w in layer.weights]}."
            )
        for new_w, old_w in zip(layer.weights, old.weights):
            new_w.assign(old_w.value)
        copied.append(layer.name)
    return copied


def rebuild_optimizer(optimizer, variables):
    """A new optimizer like `optimizer` (same class and config), built on
    `variables`, carrying the state of the variables that persist.

    Keras names an optimizer's slot variables after the path of the model
    variable they belong to (`{layer}_{weight}_{slot}`, e.g.
    `block_4_conv_kernel_momentum`), and ProGAN's layer names do not change
    across resolutions, so every optimizer variable of the new optimizer
    whose path (and shape) matches one of the old optimizer takes its value:
    the iteration count, the learning rate, and the moments (Adam:
    momentums and velocities) of the persisting weights. The slots of new
    weights start at zero, as in a fresh optimizer.

    Returns:
        `(new_optimizer, carried)`: `carried` lists the paths copied.
    """
    new = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    new.build(variables)
    old_by_path = {v.path: v for v in optimizer.variables}
    carried = []
    for var in new.variables:
        old = old_by_path.get(var.path)
        if old is not None and tuple(old.shape) == tuple(var.shape):
            var.assign(old.value)
            carried.append(var.path)
    return new, carried


@keras.saving.register_keras_serializable(package="kerasgan")
class ProGAN(GAN):
    """Progressive growing of GANs (Karras et al., 2018).

    Trains at `start_resolution` (4x4), then `grow()`s the generator and the
    discriminator to twice the resolution and fades the new layers in, up
    to `target_resolution`. Networks: `ProGANGenerator` and
    `ProGANDiscriminator` (equalized learning rate, pixel norm, minibatch
    stddev). Training defaults are the paper's: WGAN-GP loss with lambda =
    10, the drift penalty `drift_weight * real_logits^2` (epsilon_drift =
    0.001) added to each example's critic loss, Adam(1e-3, beta_1=0,
    beta_2=0.99) for both networks, one critic step per generator step.

    Fade-in: `alpha` is a (non-trainable, float32) variable of the model,
    fed to both networks as their second input (`generator_inputs` /
    `discriminator_inputs`), so one assignment (by the `ProgressiveGrowing`
    callback, outside the compiled step) changes both, and it is saved with
    the model. With `fade_in_reals` the real images are faded too, as in the
    reference code: `(1 - alpha) * upsample(avgpool(real)) + alpha * real`,
    so the critic never sees sharper reals than fakes.

    `images_seen` (an int64 variable) counts the training images, which the
    schedule reads to place the model in its phase (a saved model resumes
    where it stopped).

    Samples (`call`, `generate`) are clipped to [-1, 1]; the generator
    itself is linear, as in the paper, and trains unclipped.

    Args:
        target_resolution: the final resolution, a power of two in [4, 1024].
        channels: image channels.
        latent_dim: size of the latent vector (512 in the paper).
        start_resolution: the first resolution (4 in the paper).
        resolution: the current resolution (default `start_resolution`); a
            model is rebuilt at its grown resolution from its config.
        alpha: the current fade-in alpha (default 1: fully faded in).
        filters: channels per resolution: None (the paper's rule from
            `fmap_base` / `fmap_max`: 512 up to 32x32, then halving), an int,
            a list for resolutions 4 ... target, or a dict keyed by
            resolution. Stored as the list.
        fmap_base, fmap_max: the paper's width rule when `filters` is None.
        minibatch_group_size: group size of the minibatch-stddev layer.
        fade_in_reals: fade the real images during fade-ins (see above).
        ema_decay, seed: see `kerasgan.models.GAN`. The paper averages the
            generator with `ema_decay=0.999`.

    Example:
        >>> gan = kerasgan.models.ProGAN(target_resolution=64, channels=3, latent_dim=256)
        >>> gan.compile()
        >>> schedule = kerasgan.callbacks.ProgressiveSchedule(
        ...     fade_in_images=600_000, stabilize_images=600_000, batch_size=16)
        >>> train_progressive(gan, lambda r, b: my_images(r).batch(b, drop_remainder=True), schedule)
        >>> images = gan.generate(16, seed=0)   # [16, 64, 64, 3]
    """

    compile_defaults = {
        "loss": "wasserstein",
        "d_learning_rate": 1e-3,
        "g_learning_rate": 1e-3,
        "beta_1": 0.0,
        "beta_2": 0.99,
        "n_critic": 1,
        "gradient_penalty_weight": 10.0,
        "drift_weight": 1e-3,
    }

    presets = {"tiny": {"target_resolution": 8, "channels": 1, "latent_dim": 8, "filters": 4, "seed": 0}}

    def __init__(
        self,
        target_resolution=128,
        channels=3,
        latent_dim=512,
        start_resolution=4,
        resolution=None,
        alpha=1.0,
        filters=None,
        fmap_base=8192,
        fmap_max=512,
        minibatch_group_size=4,
        fade_in_reals=True,
        ema_decay=None,
        seed=None,
        **kwargs,
    ):
        target_resolution = check_resolution("target_resolution", target_resolution)
        start_resolution = check_resolution(
            "start_resolution", start_resolution, high=target_resolution
        )
        resolution = start_resolution if resolution is None else resolution
        resolution = check_resolution(
            "resolution", resolution, low=start_resolution, high=target_resolution
        )
        alpha = float(alpha)
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"`alpha` must be in [0, 1]. Received: alpha={alpha}")
        channels = check_positive_int("channels", channels)
        fmap_base = check_positive_int("fmap_base", fmap_base)
        fmap_max = check_positive_int("fmap_max", fmap_max)
        filters = resolve_filters(filters, target_resolution, fmap_base, fmap_max)
        minibatch_group_size = check_positive_int("minibatch_group_size", minibatch_group_size)
        latent_dim = check_positive_int("latent_dim", latent_dim)
        arch = dict(
            channels=channels,
            filters=filters,
            start_resolution=start_resolution,
            minibatch_group_size=minibatch_group_size,
        )
        # Subclasses (StyleGAN) add the arguments of their own networks.
        arch.update(kwargs.pop("_network_args", {}))
        super().__init__(
            self.build_generator(resolution, latent_dim, arch),
            self.build_discriminator(resolution, arch),
            latent_dim=latent_dim,
            ema_decay=ema_decay,
            seed=seed,
            **kwargs,
        )
        self.target_resolution = target_resolution
        self.channels = channels
        self.start_resolution = start_resolution
        self.filters = filters
        self.fmap_base = fmap_base
        self.fmap_max = fmap_max
        self.minibatch_group_size = minibatch_group_size
        self.resolution = resolution
        self.fade_in_reals = bool(fade_in_reals)
        self.alpha = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(alpha),
            trainable=False,
            dtype="float32",
            name="alpha",
        )
        self.images_seen = self.add_weight(
            shape=(), initializer="zeros", trainable=False, dtype="int64", name="images_seen"
        )
        self._network_args = arch

    # ------------------------------------------------------------- networks
    @staticmethod
    def build_generator(resolution, latent_dim, arch):
        """The generator at `resolution` (`arch`: the model's architecture
        arguments). Subclasses with other networks override this and
        `build_discriminator`; `grow` calls both."""
        return _build_generator(resolution, latent_dim, **arch)

    @staticmethod
    def build_discriminator(resolution, arch):
        return _build_discriminator(resolution, **arch)

    def _alpha_for(self, batch_like):
        """The `alpha` variable broadcast to `[batch]` (the networks' input)."""
        batch = ops.shape(batch_like)[0]
        return ops.broadcast_to(ops.cast(ops.convert_to_tensor(self.alpha), "float32"), (batch,))

    def generator_inputs(self, latents, labels=None):
        return [latents, self._alpha_for(latents)]

    def discriminator_inputs(self, images, labels=None):
        return [images, self._alpha_for(images)]

    # ----------------------------------------------------------------- grow
    def grow(self):
        """Doubles the resolution: rebuild, transfer, fade in from alpha = 0.

        1. New generator and discriminator at `2 * resolution` (and a new EMA
           generator) are built as new Keras models inside
           `self.distribute_strategy.scope()`, so under a strategy their
           variables are mirrored like the old ones.
        2. Every layer that already existed (same name: `block_{r}_*`,
           `to_rgb_{r}`, `from_rgb_{r}`, ...) gets the old weights; the EMA
           generator gets the old EMA weights for those layers and the new
           generator's initial weights for the new ones. Layers only used by
           the previous fade-in (`to_rgb_{r/2}`, `from_rgb_{r/2}`) are dropped.
        3. When compiled, each optimizer is rebuilt (same class and config)
           on the new variables and carries the iteration count and the
           moments of every persisting variable (`rebuild_optimizer`).
        4. `alpha` is set to 0: at alpha = 0 the new generator's output is the
           old one upsampled (nearest) and the new critic of an image is the
           old critic of the image average-pooled by 2 (the old networks
           taken fully faded in, alpha = 1).
        5. The compiled train/test/predict functions are dropped
           (`self.train_function = None`): they were traced on the old
           variables; the next `fit` traces new ones.

        Call it between `fit` calls (the `ProgressiveGrowing` callback does,
        in `on_train_end`), never inside a step.

        Returns:
            dict with the names of the layers carried over (`"generator"`,
            `"discriminator"`) and the optimizer variables carried
            (`"d_optimizer"`, `"g_optimizer"`), for inspection.
        """
        if self.resolution >= self.target_resolution:
            raise ValueError(
                f"The model is already at its target resolution {self.target_resolution}."
            )
        resolution = self.resolution * 2
        report = {}
        with self.distribute_strategy.scope():
            generator = self.build_generator(resolution, self.latent_dim, self._network_args)
            discriminator = self.build_discriminator(resolution, self._network_args)
            report["generator"] = copy_weights_by_name(self.generator, generator)
            report["discriminator"] = copy_weights_by_name(self.discriminator, discriminator)
            ema_generator = None
            if self.ema_generator is not None:
                ema_generator = keras.models.clone_model(generator)
                ema_generator.name = "ema_generator"
                ema_generator.trainable = False
                for ema_var, var in zip(ema_generator.weights, generator.weights):
                    ema_var.assign(var.value)
                copy_weights_by_name(self.ema_generator, ema_generator)
            compiled = getattr(self, "d_optimizer", None) is not None
            if compiled:
                d_optimizer, report["d_optimizer"] = rebuild_optimizer(
                    self.d_optimizer, discriminator.trainable_variables
                )
                g_optimizer, report["g_optimizer"] = rebuild_optimizer(
                    self.g_optimizer, generator.trainable_variables
                )
        self._replace_network("generator", generator)
        self._replace_network("discriminator", discriminator)
        if ema_generator is not None:
            self._replace_network("ema_generator", ema_generator)
        if compiled:
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            if getattr(self, "feature_matching_weight", 0.0):
                self._feature_model = self._build_feature_model()
        self.resolution = resolution
        self.image_shape = (resolution, resolution, self.channels)
        self.alpha.assign(0.0)
        self.train_function = None
        self.test_function = None
        self.predict_function = None
        return report

    def _replace_network(self, name, network):
        # Keras tracks sub-models in a list: replace the old entry (a plain
        # setattr would append, and `weights` would still list the old one).
        old = getattr(self, name)
        if old is not None and self._tracker.is_in_store("layers", old):
            self._tracker.replace_tracked_value("layers", old, network)
        setattr(self, name, network)

    # ----------------------------------------------------------- train step
    def unpack_batch(self, data):
        batch = super().unpack_batch(data)
        if self.fade_in_reals and self.resolution > self.start_resolution:
            images = batch["images"]
            low = tf.nn.avg_pool2d(images, 2, 2, "VALID")
            low = tf.repeat(tf.repeat(low, 2, axis=1), 2, axis=2)
            alpha = tf.cast(tf.convert_to_tensor(self.alpha), images.dtype)
            batch["images"] = (1.0 - alpha) * low + alpha * images
        return batch

    def train_step(self, data):
        logs = super().train_step(data)
        alpha = tf.identity(tf.convert_to_tensor(self.alpha))
        logs["alpha"] = tf.reshape(alpha, [1]) if self._multi_worker() else alpha
        return logs

    # ------------------------------------------------------------- sampling
    def call(self, inputs, training=False):
        """Latents (or `[latents, alpha]`) -> images clipped to [-1, 1], with
        the EMA generator when there is one and the model's `alpha`."""
        if not isinstance(inputs, (list, tuple)):
            inputs = self.generator_inputs(inputs)
        return ops.clip(super().call(list(inputs), training=training), -1.0, 1.0)

    # -------------------------------------------------------- serialisation
    def dynamic_config(self):
        """The grown resolution, the current alpha and the resolved widths."""
        return {
            "resolution": self.resolution,
            "alpha": float(ops.convert_to_numpy(self.alpha)),
            "filters": list(self.filters),
        }


def _filters_up_to(filters, resolution):
    return list(filters[: int(math.log2(resolution)) - 1])


def _build_generator(resolution, latent_dim, channels, filters, start_resolution, **_):
    return ProGANGenerator(
        resolution=resolution,
        latent_dim=latent_dim,
        channels=channels,
        filters=_filters_up_to(filters, resolution),
        start_resolution=start_resolution,
        name="generator",
    )


def _build_discriminator(
    resolution, channels, filters, start_resolution, minibatch_group_size, **_
):
    return ProGANDiscriminator(
        resolution=resolution,
        channels=channels,
        filters=_filters_up_to(filters, resolution),
        start_resolution=start_resolution,
        minibatch_group_size=minibatch_group_size,
        name="discriminator",
    )
