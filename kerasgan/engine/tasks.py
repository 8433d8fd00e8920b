"""Tasks: what a model takes and gives, independent of its family.

A task reads `fit` batches into a dict of named tensors, draws the pictures
of a sample grid, and says what the trainer must pass from the data. The
trainer, the CLI, `SampleGrid`, export and evaluation ask the model's task
(`type(model).task`), never the family's name.

- `LatentTask` (latent -> image): `generate(n, seed, labels)`; batches are
  images or `(images, labels)` / `{"images", "labels"}`; labels are int
  classes `[batch]` (`num_classes`) or float vectors `[batch, *condition_shape]`
  (multi-hot domains, embeddings), kept in their shape.
- `ImageToImageTask`: `translate(images)`; batches are `(source, target)` or
  `{"source", "target"}` (paired) and, for unpaired families, `{"a", "b"}`.
- `DomainTranslationTask` (an `ImageToImageTask`, StarGAN): `translate(images,
  target)`; batches are `(image, domain)` or `{"image", "domain"}`.
- `SuperResolutionTask` (an `ImageToImageTask`): `upscale(images)`; batches
  are `(low, high)` / `{"source", "target"}` with a source `scale` times
  smaller, made from one image source by bicubic downsampling.
"""

import tensorflow as tf


def check_images(name, images, expected_shape):
    images = tf.convert_to_tensor(images)
    if not images.dtype.is_floating:
        raise ValueError(
            f"`{name}` must be floating point in [-1, 1] (kerasgan.data.load scales "
            f"them). Received dtype: {images.dtype.name}"
        )
    if expected_shape is not None and images.shape.rank is not None:
        got = tuple(images.shape[1:])
        if len(got) != len(expected_shape) or any(
            a is not None and b is not None and a != b for a, b in zip(got, expected_shape)
        ):
            raise ValueError(
                f"This model's `{name}` have shape {tuple(expected_shape)} (H, W, C). "
                f"Received a batch of shape {tuple(images.shape)}."
            )
    # Losses and penalties run in float32; the networks cast to their own
    # compute dtype (mixed precision) at their inputs.
    return tf.cast(images, tf.float32)


def _split(data, names):
    """A tuple/list/dict/tensor batch -> values for `names` (missing: None)."""
    if isinstance(data, dict):
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"A batch may have the keys {list(names)}. Received unknown keys: {unknown}")
        return [data.get(n) for n in names]
    if isinstance(data, (tuple, list)):
        if not 1 <= len(data) <= len(names):
            raise ValueError(
                f"A batch must be a tuple of up to {len(names)} elements {tuple(names)}. "
                f"Received a tuple of {len(data)} elements."
            )
        return list(data) + [None] * (len(names) - len(data))
    return [data] + [None] * (len(names) - 1)


class Task:
    """What every task gives `kerasgan.export`: its signatures, warm-up
    requests and metadata, from the functions `kerasgan.export.<serving>_*`
    (`serving`: `"latent"`, `"translation"`)."""

    serving = None

    def _export_function(self, what):
        from kerasgan import export

        return getattr(export, f"{self.serving}_{what}")

    def export_archive(self, model, max_images):
        return self._export_function("export_archive")(model, max_images)

    def warmup_inputs(self, model, batch_size):
        return self._export_function("warmup_inputs")(model, batch_size)

    def serving_metadata(self, model):
        return self._export_function("serving_metadata")(model)

    def loader_options(self, model):
        """Extra keywords the trainer passes `data_loader` for the built
        `model` (none by default; the super-resolution task: its `scale`)."""
        return {}


class LatentTask(Task):
    """Latent -> image (see the module docstring)."""

    name = "latent_to_image"
    serving = "latent"
    batch_keys = ("images", "labels")

    def unpack_batch(self, model, data):
        images, labels = _split(data, self.batch_keys)
        if images is None:
            raise ValueError("A batch must contain `images`.")
        batch = {"images": check_images("images", images, model.image_shape)}
        if model.num_classes is not None:
            if labels is None:
                raise ValueError(
                    f"This model is conditional (num_classes={model.num_classes}): "
                    "batches must be (images, labels)."
                )
            labels = tf.convert_to_tensor(labels)
            if labels.dtype.is_floating and labels.shape.rank is not None and labels.shape.rank > 1 and labels.shape[-1] != 1:
                raise ValueError(
                    f"This model takes int class labels (num_classes={model.num_classes}). "
                    f"Received labels of shape {tuple(labels.shape)} and dtype {labels.dtype.name}."
                )
            batch["labels"] = tf.reshape(tf.cast(labels, tf.int32), [-1])
        elif model.condition_shape is not None:
            if labels is None:
                raise ValueError(
                    f"This model is conditioned on vectors of shape {model.condition_shape}: "
                    "batches must be (images, conditions)."
                )
            labels = tf.convert_to_tensor(labels)
            got = tuple(labels.shape[1:])
            if labels.shape.rank is not None and got != tuple(model.condition_shape):
                raise ValueError(
                    f"This model's conditions have shape {tuple(model.condition_shape)} per example. "
                    f"Received a batch of shape {tuple(labels.shape)}."
                )
            batch["labels"] = tf.cast(labels, tf.float32)
        return batch

    def grid_labels(self, model, num_images):
        """Labels of a sample grid: one class per column when they fit."""
        if model.num_classes is not None and num_images % model.num_classes == 0:
            return [i % model.num_classes for i in range(num_images)], model.num_classes
        return None, None

    def sample_grid(self, model, num_images, seed, inputs=None):
        """`(images, columns)` for a grid of `num_images` samples from fixed
        latents (`seed`); conditional models show one class per column."""
        labels, columns = self.grid_labels(model, num_images)
        return model.generate(num_images, seed=seed, labels=labels), columns

    def data_kwargs(self, family, num_classes):
        """What the trainer passes the family's constructor from the data
        (`num_classes`: the data's class count, None when unlabelled), and
        whether the batches must carry labels: `(kwargs, with_labels)`."""
        if not getattr(family, "needs_labels", False):
            return {}, False
        if not num_classes:
            raise ValueError(
                f"{family.__name__} is conditional: it needs a labelled dataset (class subfolders, "
                "IDX labels, a TFDS set with labels, ...); this one has no classes."
            )
        return {"num_classes": num_classes}, True


    def sampler(self, model, batch_size):
        """How `kerasgan.metrics.evaluate` samples the model: `(fn(n, seed,
        labels) -> images, num_classes)`."""
        from kerasgan.metrics import evaluation

        return evaluation.latent_sampler(model, batch_size)

    # Training data (kerasgan.trainer): what the data are, how they load,
    # what a sample grid is drawn from.
    def data_info(self, dataset, target_dataset=None, split="train", data_dir=None):
        """The trainer's `DatasetInfo` of `dataset` (one source: a latent
        family takes no `target_dataset`)."""
        from kerasgan import data

        _no_target(target_dataset)
        return data.info(dataset, split=split, data_dir=data_dir)

    def data_loader(self, default_load, dataset, target_dataset=None, channels=None, split="train", seed=None):
        """`load(image_size, batch_size)` for the trainer: its own
        `kerasgan.data.load` pipeline, `default_load`."""
        _no_target(target_dataset)
        return default_load

    def grid_inputs(self, dataset):
        """What `SampleGrid` draws from: nothing (fixed latents)."""
        return None


class ImageToImageTask(Task):
    """Image -> image (see the module docstring)."""

    name = "image_to_image"
    serving = "translation"

    def __init__(self, paired=True):
        self.paired = bool(paired)
        self.batch_keys = ("source", "target") if paired else ("a", "b")

    def unpack_batch(self, model, data):
        first, second = _split(data, self.batch_keys)
        if first is None or second is None:
            raise ValueError(f"A batch must contain both {self.batch_keys}.")
        a, b = self.batch_keys
        return {
            a: check_images(a, first, model.source_shape),
            b: check_images(b, second, model.image_shape),
        }

    def sample_grid(self, model, num_images, seed, inputs=None):
        """`(images, columns)`: rows of input | output (| target when paired)
        for the first `num_images` examples of `inputs` (a batch)."""
        if inputs is None:
            raise ValueError("A translation grid needs example inputs: pass `inputs` (a batch).")
        batch = self.unpack_batch(model, inputs)
        source = batch[self.batch_keys[0]][:num_images]
        columns = [source, model.translate(source)]
        if self.paired:
            columns.append(batch["target"][:num_images])
        channels = max(int(c.shape[-1]) for c in columns)
        columns = [tf.image.grayscale_to_rgb(c) if c.shape[-1] == 1 and channels == 3 else c for c in columns]
        images = tf.reshape(tf.stack(columns, axis=1), [-1] + list(columns[1].shape[1:]))
        return images, len(columns)

    def data_kwargs(self, family, num_classes):
        return {}, False

    def sampler(self, model, batch_size):
        raise ValueError(
            f"{type(model).__name__} translates images: score its translations of a test set "
            "(kerasgan.metrics on model.translate(...)), not samples from latents."
        )

    def data_info(self, dataset, target_dataset=None, split="train", data_dir=None):
        """`DatasetInfo` of the two domains (`kerasgan.data.pairs`): paired
        folders matched by file name (the pairs of the hash `split`), or
        two unpaired sources."""
        from kerasgan.data import pairs

        return pairs.two_domain_info(dataset, target_dataset, paired=self.paired, split=split, data_dir=data_dir)

    def data_loader(self, default_load, dataset, target_dataset=None, channels=None, split="train", seed=None):
        """`load(image_size, batch_size)` of the task's batches, repeated:
        `{"source", "target"}` (paired, jitter + flip on both sides) or
        `{"a", "b"}` (unpaired)."""
        from kerasgan.data import pairs

        return pairs.two_domain_loader(dataset, target_dataset, paired=self.paired, channels=channels,
                                       split=split, seed=seed, augment=self.paired)

    def grid_inputs(self, dataset):
        """The first batch of `dataset`: the inputs (and targets) every
        sample grid translates."""
        return next(iter(dataset))


class SuperResolutionTask(ImageToImageTask):
    """Low-resolution image -> high-resolution image (`upscale`; SRGAN).

    The paired image-to-image task with a source `scale` times smaller than
    the target: batches are `(low, high)` or `{"source": low, "target":
    high}` (`model.source_shape`, `model.image_shape`). What differs from
    `ImageToImageTask`: the training data are *one* source whose images are
    the targets and whose bicubic downsamplings are the inputs
    (`kerasgan.data.super_resolution`, on its hash split); the sample grid
    shows rows of input (nearest-neighbour enlarged) | output | target; the
    export adds an `upscale` signature for images of any size
    (`kerasgan.export.upscale_*`).
    """

    name = "super_resolution"
    serving = "upscale"

    def __init__(self):
        super().__init__(paired=True)

    def sample_grid(self, model, num_images, seed, inputs=None):
        """`(images, 3)`: rows of input (enlarged to the output size, nearest
        neighbour) | output | target for the first `num_images` of `inputs`."""
        if inputs is None:
            raise ValueError("A super-resolution grid needs example inputs: pass `inputs` (a batch).")
        batch = self.unpack_batch(model, inputs)
        source, target = batch["source"][:num_images], batch["target"][:num_images]
        output = model.translate(source)
        enlarged = tf.image.resize(source, tf.shape(output)[1:3], method="nearest")
        columns = [enlarged, output, target]
        images = tf.reshape(tf.stack(columns, axis=1), [-1] + list(output.shape[1:]))
        return images, len(columns)

    def data_info(self, dataset, target_dataset=None, split="train", data_dir=None):
        """`DatasetInfo` of the one source (its hash `split`, see
        `kerasgan.data.super_resolution`)."""
        from kerasgan.data import super_resolution

        _no_second_domain(target_dataset)
        return super_resolution.info(dataset, split=split, data_dir=data_dir)

    def loader_options(self, model):
        return {"scale": int(model.scale)}

    def data_loader(self, default_load, dataset, target_dataset=None, channels=None, split="train", seed=None,
                    scale=4):
        """`load(image_size, batch_size)`: repeated `{"source", "target"}`
        batches of `split`, the sources downsampled `scale` times (bicubic)."""
        from kerasgan.data import super_resolution

        _no_second_domain(target_dataset)
        return super_resolution.loader(dataset, scale=scale, channels=channels, split=split, seed=seed)


def _no_second_domain(target_dataset):
    if target_dataset is not None:
        raise ValueError(
            "A super-resolution family trains on one dataset: its low-resolution inputs are made from "
            f"the images by bicubic downsampling. Received: target_dataset={target_dataset!r}"
        )


def check_domains(name, domains, num_domains, multi_label):
    """Domain labels of a multi-domain model, checked: int classes `[batch]`
    in [0, num_domains) (single-label; `[batch, 1]` is flattened) -> int32,
    or multi-hot vectors `[batch, num_domains]` of 0s and 1s (`multi_label`)
    -> float32. Values are checked in Python when eager, by graph
    assertions naming `name` inside a traced step."""
    domains = tf.convert_to_tensor(domains)
    if multi_label:
        if domains.shape.rank != 2 or domains.shape[-1] not in (None, num_domains):
            raise ValueError(
                f"This model's `{name}` are multi-hot vectors of shape [batch, {num_domains}]. "
                f"Received shape {tuple(domains.shape)}."
            )
        domains = tf.cast(domains, tf.float32)
        if tf.executing_eagerly():
            values = domains.numpy()
            if not ((values == 0) | (values == 1)).all():
                raise ValueError(f"`{name}` must hold only 0s and 1s (multi-hot). Received values "
                                 f"{sorted(set(values.ravel().tolist()))[:5]}...")
            return domains
        ok = tf.reduce_all(tf.logical_or(tf.equal(domains, 0.0), tf.equal(domains, 1.0)))
        with tf.control_dependencies([tf.debugging.Assert(ok, [f"`{name}` must hold only 0s and 1s"])]):
            return tf.identity(domains)
    if not domains.dtype.is_integer:
        raise ValueError(
            f"This model's `{name}` are int domain classes in [0, {num_domains}) (single-label). "
            f"Received dtype {domains.dtype.name} and shape {tuple(domains.shape)}."
        )
    if domains.shape.rank is not None and (domains.shape.rank > 2 or (domains.shape.rank == 2 and domains.shape[-1] != 1)):
        raise ValueError(
            f"This model's `{name}` are int domain classes of shape [batch]. Received shape {tuple(domains.shape)}."
        )
    domains = tf.reshape(tf.cast(domains, tf.int32), [-1])
    message = f"`{name}` must be in [0, {num_domains})"
    if tf.executing_eagerly():
        values = domains.numpy()
        if values.size and (values.min() < 0 or values.max() >= num_domains):
            raise ValueError(f"{message}. Received values from {values.min()} to {values.max()}.")
        return domains
    with tf.control_dependencies([
        tf.debugging.assert_greater_equal(domains, 0, message=message),
        tf.debugging.assert_less(domains, num_domains, message=message),
    ]):
        return tf.identity(domains)


class DomainTranslationTask(ImageToImageTask):
    """Image + target domain -> image (StarGAN): one generator translates an
    image into any of `model.num_domains` domains.

    Batches are `(image, domain)` or `{"image", "domain"}`: the domain of
    each image, an int class `[batch]` or, for `model.multi_label` models,
    a multi-hot vector `[batch, num_domains]` (e.g. `kerasgan.data.load(...,
    with_labels=True)`: the class labels are the domains). What a user calls
    is `translate(images, target)`; the exported `translate` signature takes
    `images` and `domain`. A sample grid shows each input followed by its
    translation into every target domain (multi-label: with each attribute
    flipped in turn). The trainer passes the data's class count as
    `num_domains` and needs labelled data.
    """

    def __init__(self):
        super().__init__(paired=False)
        self.batch_keys = ("image", "domain")

    def unpack_batch(self, model, data):
        images, domains = _split(data, self.batch_keys)
        if images is None or domains is None:
            raise ValueError(f"A batch must contain both {self.batch_keys} (images and their domains).")
        return {
            "image": check_images("image", images, model.source_shape),
            "domain": check_domains("domain", domains, model.num_domains, model.multi_label),
        }

    def grid_targets(self, model, domains):
        """The target domains of a grid's columns for the inputs' `domains`:
        `0, ..., num_domains - 1` (single-label) or the inputs' vectors with
        attribute k flipped, for each k (multi-label)."""
        n = int(domains.shape[0])
        if not model.multi_label:
            return [tf.fill([n], k) for k in range(model.num_domains)]
        flips = tf.eye(model.num_domains)
        return [tf.abs(domains - flips[k][None, :]) for k in range(model.num_domains)]

    def sample_grid(self, model, num_images, seed, inputs=None):
        """`(images, columns)`: rows of input | output for each target domain
        (see `grid_targets`) for the first `num_images` examples of `inputs`."""
        if inputs is None:
            raise ValueError("A translation grid needs example inputs: pass `inputs` (a batch).")
        batch = self.unpack_batch(model, inputs)
        source, domains = batch["image"][:num_images], batch["domain"][:num_images]
        columns = [source] + [model.translate(source, target=t) for t in self.grid_targets(model, domains)]
        images = tf.reshape(tf.stack(columns, axis=1), [-1] + list(columns[1].shape[1:]))
        return images, len(columns)

    def data_kwargs(self, family, num_classes):
        if not num_classes:
            raise ValueError(
                f"{family.__name__} translates between domains: it needs a labelled dataset whose "
                "classes are the domains (class subfolders, IDX labels, ...); this one has no classes."
            )
        return {"num_domains": num_classes}, True

    def data_info(self, dataset, target_dataset=None, split="train", data_dir=None):
        """`DatasetInfo` of `dataset` (one labelled source: its classes are the domains)."""
        from kerasgan import data

        if target_dataset is not None:
            raise ValueError(
                "A multi-domain family trains on one labelled dataset (its classes are the domains); "
                f"it takes no target_dataset. Received: target_dataset={target_dataset!r}"
            )
        return data.info(dataset, split=split, data_dir=data_dir)

    def data_loader(self, default_load, dataset, target_dataset=None, channels=None, split="train", seed=None):
        """`load(image_size, batch_size)`: the trainer's labelled pipeline as
        `{"image", "domain"}` batches."""

        def load(image_size, batch_size):
            return default_load(image_size, batch_size).map(lambda images, labels: {"image": images, "domain": labels})

        return load


def _no_target(target_dataset):
    if target_dataset is not None:
        raise ValueError(
            "A latent -> image family trains on one dataset; target_dataset is for image-to-image "
            f"families. Received: target_dataset={target_dataset!r}"
        )


def task_of(model_or_class):
    """The task of a model or family class."""
    cls = model_or_class if isinstance(model_or_class, type) else type(model_or_class)
    task = getattr(cls, "task", None)
    if task is None:
        raise ValueError(f"{cls.__name__} declares no task (kerasgan.engine.tasks).")
    return task


__all__ = ["ImageToImageTask", "LatentTask", "SuperResolutionTask", "Task", "task_of"]
