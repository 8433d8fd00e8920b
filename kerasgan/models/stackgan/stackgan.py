import keras
import numpy as np
import tensorflow as tf

from kerasgan.engine import terms
from kerasgan.engine.adversarial_model import AdversarialModel, StepContext
from kerasgan.models.stackgan.stackgan_discriminator import StackGANDiscriminator
from kerasgan.models.stackgan.stage1_generator import StackGANStage1Generator
from kerasgan.models.stackgan.stage2_generator import StackGANStage2Generator
from kerasgan.models.stackgan.text_encoder import TextEncoder
from kerasgan.models.stackgan.text_to_image_task import TextToImageTask, check_texts
from kerasgan.utils.validation import check_positive_int

#: The networks each stage trains; the others are frozen.
STAGE_NETWORKS = {
    1: ("text_encoder", "stage1_generator", "stage1_discriminator"),
    2: ("stage2_generator", "stage2_discriminator"),
}
#: Generated images over this size in one array are refused.
MAX_GENERATE_BYTES = 2**31

#: A small vocabulary for the `tiny` preset (tests, demos).
TINY_VOCABULARY = ("red", "green", "blue", "apple", "heart", "face", "grinning", "cat", "dog", "flag")


def mismatch_indices(batch_size, offset):
    """Row i of a batch takes the caption of row `(i + offset) % batch_size`:
    the batch rolled by `offset`. With `offset` in [1, batch_size - 1] no
    row gets its own caption (it gets another example's, which is the same
    text only when two examples share a caption)."""
    return (tf.range(batch_size) + offset) % batch_size


def _check_stage(stage):
    if stage not in (1, 2) or isinstance(stage, bool):
        raise ValueError(f"`stage` must be 1 or 2. Received: stage={stage!r}")
    return int(stage)


@keras.saving.register_keras_serializable(package="kerasgan")
class StackGAN(AdversarialModel):
    """StackGAN (Zhang et al., 2017): text -> image in two stages.

    Networks: `text_encoder` (captions -> embedding, `TextEncoder`),
    `stage1_generator` (`(z, c)` -> a coarse `stage1_size` image),
    `stage1_discriminator`, `stage2_generator` (the Stage-I image and `c`
    -> a `scale` times larger image, `image_size`) and
    `stage2_discriminator`. Both generators have their own conditioning
    augmentation (`c = mu + sigma * eps` from the embedding, a KL term in
    their objective).

    **Roles and stages.** The discriminator role holds the text encoder and
    both discriminators, the generator role both generators; only the
    networks of the current `stage` are trainable (`STAGE_NETWORKS`):
    Stage I trains the text encoder, the Stage-I generator and
    discriminator; Stage II trains the Stage-II networks with everything
    of Stage I frozen (its outputs are computed in inference mode, so
    batch-norm statistics do not move either). `set_stage(2)` switches,
    recompiles (new optimizers over the now trainable variables) and
    retraces the step; `stage_phases(...)` gives the two phases for
    `kerasgan.callbacks.train_phases`.

    **Objective** (per stage, its discriminator D and generator G):
    - discriminator, matching-aware (Reed et al., 2016): `d_loss` =
      D-loss(D(real, text), D(fake, text)) weighted `1 - mismatch_weight`,
      plus `d_mismatch` = D-loss(D(real, text), D(real, wrong text)) weighted
      `mismatch_weight` (0.5: the paper's `log D(real, text) + 1/2 [log(1 -
      D(real, wrong)) + log(1 - D(fake, text))]`, as the five losses are
      sums of a real and a fake part). The wrong text of row i is the caption
      of row `(i + k) % B` for a random `k` in [1, B - 1] per step
      (`mismatch_indices`): never the row's own caption unless two rows
      share it. Batches need at least 2 examples (per replica).
    - generator: `g_loss` on D(fake, text) plus `kl_weight` (1) times
      `kl` = KL(N(mu, sigma^2) || N(0, I)) of its conditioning augmentation.
    - The text encoder trains with the Stage-I discriminator (see
      `TextEncoder`); the generators read its embeddings without gradient.

    Batches are `{"image", "text"}` (`kerasgan.data.captions.load_captions`):
    images at `image_size` (Stage I downsamples them to `stage1_size` by area
    averaging; at Stage I, batches at `stage1_size` are taken as they are),
    captions as `tf.string`.

    Sampling: `generate(texts, n_per_text, seed, stage)`; the noise of each
    image is one standard-normal row of `noise_dim = latent_dim + 2 *
    condition_dim` values (z, Stage-I eps, Stage-II eps), drawn as
    `keras.random.normal((n, noise_dim), seed=seed)`.

    Args:
        vocabulary: the caption words (`build_vocabulary(train_captions)`).
        image_size: size of the Stage-II images.
        stage1_size: size of the Stage-I images (`image_size / stage1_size`
            is the Stage-II scale, 2 or 4).
        channels: 1 or 3.
        latent_dim, condition_dim, text_dim, embedding_dim, sequence_length:
            sizes of z, c (and of the discriminators' compressed text),
            the caption embedding, the word vectors, and words per caption.
        generator_filters, discriminator_filters: base widths.
        residual_blocks: Stage-II residual blocks.
        norm: `"batch"` (paper), `"instance"` or `"none"`, in every network.
        stage: the stage being trained (1 or 2).
        seed: seed of the model's random draws.

    Example:
        >>> from kerasgan.data import captions
        >>> from kerasgan.callbacks import train_phases
        >>> images, texts, groups, _ = captions.caption_arrays("../shared/data/emoji", 32)
        >>> gan = StackGAN(build_vocabulary(texts), image_size=32, stage1_size=16)
        >>> train_phases(gan, gan.stage_phases(stage1_epochs=50, stage2_epochs=50),
        ...              data=captions.captions_dataset(images, texts))
        >>> gan.generate(["red apple", "grinning face"], n_per_text=4, seed=0)
    """

    task = TextToImageTask()
    compile_defaults = {"loss": "non_saturating", "kl_weight": 1.0, "mismatch_weight": 0.5}
    presets = {
        "tiny": {"vocabulary": list(TINY_VOCABULARY), "image_size": 16, "stage1_size": 8, "channels": 3,
                 "latent_dim": 8, "condition_dim": 4, "text_dim": 8, "embedding_dim": 8, "sequence_length": 6,
                 "generator_filters": 4, "discriminator_filters": 4, "residual_blocks": 1, "seed": 0},
        # The vocabulary comes from the captions: from_preset("emoji", vocabulary=...).
        "emoji": {"image_size": 64, "stage1_size": 16, "channels": 3, "latent_dim": 100, "condition_dim": 128,
                  "text_dim": 128, "embedding_dim": 64, "sequence_length": 16, "generator_filters": 32,
                  "discriminator_filters": 32, "residual_blocks": 2},
    }

    def __init__(self, vocabulary, image_size=64, stage1_size=16, channels=3, latent_dim=100, condition_dim=128,
                 text_dim=128, embedding_dim=64, sequence_length=16, generator_filters=64, discriminator_filters=64,
                 residual_blocks=2, norm="batch", stage=1, seed=None, **kwargs):
        image_size = check_positive_int("image_size", image_size)
        stage1_size = check_positive_int("stage1_size", stage1_size)
        if image_size % stage1_size or image_size // stage1_size not in (2, 4):
            raise ValueError(
                "`image_size` must be 2 or 4 times `stage1_size` (the Stage-II scale). "
                f"Received: image_size={image_size}, stage1_size={stage1_size}"
            )
        if channels not in (1, 3):
            raise ValueError(f"`channels` must be 1 or 3. Received: channels={channels!r}")
        stage = _check_stage(stage)
        text_encoder = TextEncoder(vocabulary, sequence_length, embedding_dim, text_dim, name="text_encoder")
        coarse = (stage1_size, stage1_size, channels)
        networks = {
            "text_encoder": text_encoder,
            "stage1_generator": StackGANStage1Generator(coarse, latent_dim, text_dim, condition_dim,
                                                        generator_filters, norm, name="stage1_generator"),
            "stage1_discriminator": StackGANDiscriminator(coarse, text_dim, condition_dim, discriminator_filters,
                                                          norm, name="stage1_discriminator"),
            "stage2_generator": StackGANStage2Generator(coarse, image_size // stage1_size, text_dim, condition_dim,
                                                        generator_filters, residual_blocks, norm,
                                                        name="stage2_generator"),
            "stage2_discriminator": StackGANDiscriminator((image_size, image_size, channels), text_dim,
                                                          condition_dim, discriminator_filters, norm,
                                                          name="stage2_discriminator"),
        }
        super().__init__(
            networks,
            {"discriminator": ("text_encoder", "stage1_discriminator", "stage2_discriminator"),
             "generator": ("stage1_generator", "stage2_generator")},
            seed=seed, **kwargs,
        )
        self.image_size = image_size
        self.stage1_size = stage1_size
        self.scale = image_size // stage1_size
        self.channels = channels
        self.latent_dim = int(latent_dim)
        self.condition_dim = int(condition_dim)
        self.noise_dim = self.latent_dim + 2 * self.condition_dim
        self.image_shape = (image_size, image_size, channels)
        self.stage = stage
        self._apply_stage()

    # --------------------------------------------------------------- stages
    def stage_shape(self, stage):
        """`(size, size, channels)` of the images of `stage`."""
        size = self.stage1_size if _check_stage(stage) == 1 else self.image_size
        return (size, size, self.channels)

    def _apply_stage(self):
        for stage, names in STAGE_NETWORKS.items():
            for name in names:
                getattr(self, name).trainable = stage == self.stage

    def set_stage(self, stage, recompile=True, **compile_kwargs):
        """Switches training to `stage`: its networks become trainable, the
        others frozen; the step is retraced; with `recompile` the model is
        compiled again (new optimizers over the trainable variables) with
        `compile_kwargs`, or, when none are given, the settings of the last
        `compile` (optimizers rebuilt as Adam with its learning rates)."""
        self.stage = _check_stage(stage)
        self._apply_stage()
        # `forward` branches on the stage in Python: the traced step must go.
        self.train_function = self.test_function = self.predict_function = None
        if recompile:
            previous = dict(getattr(self, "_compile_args", None) or {})
            self.compile(**(compile_kwargs or previous))

    def stage_phases(self, stage1_epochs, stage2_epochs, steps_per_epoch=None, stage1_compile=None,
                     stage2_compile=None):
        """The stage-wise schedule for `kerasgan.callbacks.train_phases`:
        Stage I (`stage1_epochs`), then Stage II with Stage I frozen
        (`stage2_epochs`), each compiled with its `*_compile` keywords."""
        from kerasgan.callbacks.phases import TrainingPhase

        return [
            TrainingPhase("stage1", lambda m: m.set_stage(1, **(stage1_compile or {})), stage1_epochs,
                          steps_per_epoch),
            TrainingPhase("stage2", lambda m: m.set_stage(2, **(stage2_compile or {})), stage2_epochs,
                          steps_per_epoch),
        ]

    def dynamic_config(self):
        return {"stage": self.stage}

    # -------------------------------------------------------------- compile
    def compile(self, loss=None, kl_weight=None, mismatch_weight=None, **kwargs):
        """`AdversarialModel.compile` with `loss` (one of `kerasgan.losses`'
        names), `kl_weight` (lambda of the KL term, 1) and `mismatch_weight`
        (the share of the (real, wrong text) pair in the discriminator's
        fake side, 0.5)."""
        super().compile(loss=loss, kl_weight=kl_weight, mismatch_weight=mismatch_weight, **kwargs)

    def default_terms(self, settings):
        mismatch = float(settings["mismatch_weight"])
        if not 0.0 <= mismatch < 1.0:
            raise ValueError(f"`mismatch_weight` must be in [0, 1). Received: mismatch_weight={mismatch}")
        return [
            terms.Adversarial(settings["loss"], role="discriminator", weight=1.0 - mismatch),
            terms.Adversarial(settings["loss"], role="discriminator", fake="mismatched_logits", weight=mismatch,
                              name="d_mismatch"),
            terms.Adversarial(settings["loss"], role="generator"),
            terms.KL(float(settings["kl_weight"]), mean="mu", log_sigma="log_sigma"),
        ]

    # ------------------------------------------------------------- training
    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras 3.15's `fit` under a distribution strategy first reduces one
        # batch across replicas with "MEAN" to build the model symbolically,
        # which fails on the captions ("Value for attr 'T' of string is not
        # in the list of allowed values ... AddN"). Every network is built in
        # the constructor and the optimizers in `compile`: nothing to build.
        # (The text encoder's inner StringLookup never reports `built`; it
        # has no weights to build.)
        if all(self.get_network(name).built for name in self.network_names):
            return
        super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    def split_noise(self, noise):
        """`[n, noise_dim]` -> `(z, stage-I eps, stage-II eps)`."""
        z_end, c = self.latent_dim, self.condition_dim
        return noise[:, :z_end], noise[:, z_end:z_end + c], noise[:, z_end + c:]

    def draw_noise(self, batch_size):
        """The step's noise `[batch_size, noise_dim]` (seed generator)."""
        return keras.random.normal((batch_size, self.noise_dim), seed=self.seed_generator)

    def draw_mismatch(self, batch_size):
        """The step's mismatched-caption rows (`mismatch_indices` with a
        random offset in [1, batch_size - 1])."""
        check = tf.debugging.assert_greater_equal(
            batch_size, 2, message="StackGAN's matching-aware discriminator needs at least 2 examples per "
            "batch (per replica) to pair images with other captions")
        with tf.control_dependencies([check]):
            size = tf.identity(batch_size)
        u = keras.random.uniform((), seed=self.seed_generator)
        offset = 1 + tf.cast(tf.floor(u * tf.cast(size - 1, tf.float32)), tf.int32)
        return mismatch_indices(size, tf.minimum(offset, size - 1))

    def stage1_reals(self, images):
        if images.shape[1] == self.stage1_size:
            return images
        return tf.image.resize(images, [self.stage1_size, self.stage1_size], method="area")

    def forward(self, role, batch):
        images, texts = batch["image"], batch["text"]
        batch_size = tf.shape(images)[0]
        z, eps1, eps2 = self.split_noise(self.draw_noise(batch_size))
        train_text = role == "discriminator" and self.stage == 1
        embedding = tf.cast(self.text_encoder(texts, training=train_text), tf.float32)
        g_embedding = tf.stop_gradient(embedding)
        if self.stage == 1:
            real = self.stage1_reals(images)
            fake, mu, log_sigma = self.stage1_generator([z, g_embedding, eps1], training=True)
            discriminator = self.stage1_discriminator
        else:
            real = images
            coarse = self.stage1_generator([z, g_embedding, eps1], training=False)[0]
            fake, mu, log_sigma = self.stage2_generator([tf.stop_gradient(coarse), g_embedding, eps2],
                                                        training=True)
            discriminator = self.stage2_discriminator
        fake = tf.cast(fake, tf.float32)

        def critic(images, text_embedding=embedding):
            return discriminator([images, text_embedding], training=True)

        if role == "discriminator":
            fake = tf.stop_gradient(fake)
            wrong = tf.gather(embedding, self.draw_mismatch(batch_size))
            return StepContext(self, role, batch, batch_size, real=real, fake=fake, critic=critic,
                               real_logits=critic(real), fake_logits=critic(fake),
                               mismatched_logits=critic(real, wrong))
        return StepContext(self, role, batch, batch_size, real=real, fake=fake, critic=critic,
                           fake_logits=critic(fake), mu=mu, log_sigma=log_sigma)

    # ------------------------------------------------------------- sampling
    def images_from_texts(self, texts, noise, stage=None):
        """Images (float32 in [-1, 1]) for captions `texts` (`tf.string`
        `[n]`) and `noise` `[n, noise_dim]`, from the networks in inference
        mode: Stage-I images for `stage=1`, Stage-II for 2 (default: the
        model's `stage`). Graph-friendly (the export calls it)."""
        stage = self.stage if stage is None else _check_stage(stage)
        z, eps1, eps2 = self.split_noise(tf.cast(noise, tf.float32))
        embedding = self.text_encoder(texts, training=False)
        coarse = self.stage1_generator([z, embedding, eps1], training=False)[0]
        if stage == 1:
            return tf.cast(coarse, tf.float32)
        return tf.cast(self.stage2_generator([coarse, embedding, eps2], training=False)[0], tf.float32)

    def call(self, inputs, training=False):
        """`{"text": tf.string [n], "noise": [n, noise_dim]}` -> images of the current stage."""
        return self.images_from_texts(inputs["text"], inputs["noise"])

    def generate(self, texts, n_per_text=1, seed=None, stage=None, batch_size=256, noise=None):
        """Images for captions, float32 `[len(texts) * n_per_text, S, S, C]`
        in [-1, 1]: `n_per_text` images of `texts[0]`, then of `texts[1]`, ...

        Args:
            texts: a caption or a list of captions (any words: unknown ones
                share the out-of-vocabulary id).
            n_per_text: images per caption.
            seed: int for reproducible noise (same seed -> same images,
                across processes, after save/load and in the exported
                `serving_default` with `n_per_text=1`); None draws from the
                model's seed generator.
            stage: 1 (the coarse Stage-I images) or 2 (refined); default the
                model's current `stage` (the one trained last).
            batch_size: images per network call.
            noise: explicit noise `[n, noise_dim]` instead of drawing it.
        """
        if isinstance(texts, (int, np.integer)) and not isinstance(texts, bool):
            raise ValueError(
                f"{type(self).__name__} generates images from captions: pass `texts` (a list of strings), "
                f"e.g. generate(['red apple'], n_per_text=4). Received: texts={texts!r}"
            )
        texts = check_texts("texts", texts)
        num_texts = int(texts.shape[0])
        if num_texts == 0:
            raise ValueError("`texts` must hold at least one caption.")
        n_per_text = check_positive_int("n_per_text", n_per_text)
        batch_size = check_positive_int("batch_size", batch_size)
        stage = self.stage if stage is None else _check_stage(stage)
        n = num_texts * n_per_text
        size = n * int(np.prod(self.stage_shape(stage))) * 4
        if size > MAX_GENERATE_BYTES:
            raise ValueError(f"`generate` would return {size / 2**30:.1f} GiB of images in one array (the limit "
                             f"is 2 GiB): ask for fewer. Received: {num_texts} texts x n_per_text={n_per_text}")
        if noise is None:
            noise = keras.random.normal((n, self.noise_dim), seed=self.seed_generator if seed is None else seed)
        else:
            noise = tf.convert_to_tensor(noise, tf.float32)
            if tuple(noise.shape) != (n, self.noise_dim):
                raise ValueError(f"`noise` must have shape ({n}, {self.noise_dim}). "
                                 f"Received: noise.shape={tuple(noise.shape)}")
        repeated = tf.repeat(texts, n_per_text)
        outputs = [
            self.images_from_texts(repeated[start:start + batch_size], noise[start:start + batch_size], stage)
            for start in range(0, n, batch_size)
        ]
        return tf.concat(outputs, axis=0)
