"""Export a GAN's generator as a SavedModel for TensorFlow Serving.

    from kerasgan.export import export_saved_model
    export_saved_model(model, "exports/dcgan", version=1)   # -> exports/dcgan/1/

The export is the model's sampling path, `model.images_from_latents`: the
EMA generator when the model has one, else the generator, in inference mode,
with whatever else the family feeds it (ProGAN: its fade-in `alpha`, saved
as a variable of the export). It is written in TF Serving's layout
`<base_path>/<model_name>/<version>/` (`saved_model.pb`, `variables/`,
`assets.extra/`) and has these signatures (method `tensorflow/serving/predict`):

`serving_default`: latents -> images.
    Inputs:
        z       float32 [batch, latent_dim]  standard-normal latents, finite,
                                             at most `max_images` rows.
        labels  int32   [batch]              class of each image, in
                                             [0, num_classes) (conditional
                                             models only).
        then one scalar per entry of the family's `serving_inputs` (see
        below), e.g. `truncation_psi` float32 [].
    Outputs:
        images        float32 [batch, H, W, C], in [-1, 1].
        images_uint8  uint8   [batch, H, W, C], round((images + 1) * 127.5)
                      clipped to [0, 255] (ties to even, as
                      `kerasgan.utils.images.to_uint8`).

`generate_from_seed`: a seed -> images, for clients without NumPy.
    Inputs:
        seed        int64 scalar.
        num_images  int64 scalar in [1, max_images] (`max_images` is an
                    argument of the export, 1024 by default).
        labels      int32 [k] (conditional models only): k = num_images gives
                    each image's class, k = 1 one class for all, k = 0 (an
                    empty list) the classes 0, 1, ..., cycled, as
                    `model.generate(n, labels=None)`.
        then the family's `serving_inputs`, as in `serving_default`.
    Outputs: `images` and `images_uint8` as above, `z` float32
        [num_images, latent_dim] (the latents drawn, to feed back to
        `serving_default`), and `labels` int32 [num_images] for conditional
        models.
    The latents are `keras.random.normal((num_images, latent_dim), seed=seed)`
    with the TensorFlow backend, so `generate_from_seed(seed=s, num_images=n)`
    gives the same images as `model.generate(n, seed=s)` in Python (up to
    float rounding; labels as in `generate`).

Family options (`serving_inputs`): a family whose sampling takes more than
latents and labels declares the extra scalars as a class attribute of its
GAN, `serving_inputs = {name: (dtype, default, doc)}` or
`{name: (dtype, default, doc, (min, max))}` (e.g. StyleGAN's
`{"truncation_psi": ("float32", 1.0, "...", (-1.0, 1.0))}`; either bound may
be None), and accepts them as keywords of `images_from_latents`. Each
becomes a scalar input of both signatures, after `z` / `labels` (`seed` /
`num_images` / `labels`), in the order declared. SavedModel signatures have no optional inputs, so clients send
every one of them (TF Serving refuses a request that lacks one); the
defaults are recorded in `kerasgan.json` and used by the warm-up requests.

Wrong inputs fail at the signature boundary: the input specs fix the rank and
the latent size (`z` must be `[batch, latent_dim]`), and the graph checks
them again at run time (TF Serving does not enforce the specs itself) with
messages that name the input, as it checks label ranges and `num_images`.
It also refuses (`InvalidArgument`, naming the input) a `z` with NaN or inf
or more than `max_images` rows, a float option that is NaN or inf, and an
option outside its declared (min, max): such requests would otherwise
return NaN images (and all-zero `images_uint8`) or exhaust the server's
memory.

The signatures belong to the model's task (`kerasgan.engine.tasks`): the
above are the latent task's. An image-to-image model (`ImageToImageTask`,
e.g. `kerasgan.engine.ImageToImageGAN`) exports `translate` (and
`serving_default`, the same function): `images` float32 [batch, H, W, C] in
[-1, 1], finite, at most `max_images` rows -> `images`, `images_uint8` as
above (the model's `call`: its sampling generator in inference mode). An
unpaired two-domain model (CycleGAN, DualGAN) also exports `translate_a2b`
(the same as `translate`) and `translate_b2a` (its second generator).
A multi-domain model (one with `domain_spec()`, e.g. StarGAN) takes the
target domain as a second input of both: `domain` int32 [batch] (classes in
[0, num_domains)) or float32 [batch, num_domains] (multi-hot, 0s and 1s),
one row per image; the output is `model((images, domain))`.

A super-resolution model (`SuperResolutionTask`, e.g. SRGAN) exports
`upscale` (and `translate` and `serving_default`, the same function):
`images` float32 [batch, height, width, C] of any height and width in
[-1, 1], finite, at most `max_images` rows -> `images` float32
[batch, scale * height, scale * width, C] and `images_uint8` (the model's
`call`: its sampling generator in inference mode).

`assets.extra/tf_serving_warmup_requests` holds one `PredictionLog` record per
signature (TF Serving replays them when it loads the version, so the first
real request is not slow). Writing it needs `tensorflow-serving-api`
(`pip install kerasgan[serving]`); without it the export is written without
the file and a warning is logged. `assets.extra/kerasgan.json` records the
model's family, config, signatures and `serving_inputs` (dtype, default, doc,
and range when declared).

See `serving/README.md` for the TF Serving command lines, REST and gRPC
requests.
"""

import json
import logging
import os
import re
import shutil
import tempfile

import numpy as np

from kerasgan.engine.tasks import task_of
from kerasgan.utils.validation import check_positive_int

logger = logging.getLogger(__name__)

#: Signature names (TF Serving `signature_name`).
SERVING_DEFAULT = "serving_default"
GENERATE_FROM_SEED = "generate_from_seed"
TRANSLATE = "translate"
UPSCALE = "upscale"
#: Names the base signatures use; a family's `serving_inputs` may not take them.
RESERVED_INPUTS = ("z", "labels", "seed", "num_images")
#: Folder TF Serving reads extra assets (the warm-up requests) from.
ASSETS_EXTRA = "assets.extra"
WARMUP_FILENAME = "tf_serving_warmup_requests"
METADATA_FILENAME = "kerasgan.json"

_VERSION_RE = re.compile(r"^[0-9]+$")
_INPUT_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def export_saved_model(
    model,
    path,
    *,
    version=None,
    overwrite=False,
    max_images=1024,
    warmup=True,
    warmup_batch_size=1,
    verbose=False,
):
    """Writes `model`'s sampling generator as a TF Serving SavedModel.

    Args:
        model: a `kerasgan.models.GAN` (any family). Its
            `images_from_latents` is exported: the EMA generator when it has
            one, else its generator; the family's `serving_inputs` become
            extra scalar inputs of the signatures.
        path: the model's base folder (`exports/dcgan`), or a version folder
            (`exports/dcgan/3`: a path whose last part is a number).
        version: the version number (an int >= 0) when `path` is the base
            folder. When `path` is a base folder and `version` is None, the
            next version is used (1 + the highest existing one, or 1).
        overwrite: replace an existing version folder. Without it, exporting
            to an existing version raises `FileExistsError` and leaves the
            folder untouched. Either way the new version is written to a
            temporary folder next to it and renamed into place at the end,
            so a failed export never loses or half-writes a version.
        max_images: the largest `num_images` that `generate_from_seed` accepts,
            and the most rows of `z` that `serving_default` accepts.
        warmup: write `assets.extra/tf_serving_warmup_requests` (needs
            `tensorflow-serving-api`; skipped with a warning without it).
        warmup_batch_size: batch size of the `serving_default` warm-up request.
        verbose: print the endpoints, as `keras.export.ExportArchive` does.

    Returns:
        The version folder written (a `str`).

    Raises:
        ValueError: `model` is not a GAN, its `serving_inputs` are malformed,
            or a bad `version` / `path` / `max_images` / `warmup_batch_size`
            (which may not exceed `max_images`).
        FileExistsError: the version folder exists and `overwrite` is False.
    """
    _check_model(model)
    serving_inputs(model)  # a malformed declaration fails before anything is written
    max_images = check_positive_int("max_images", max_images)
    warmup_batch_size = check_positive_int("warmup_batch_size", warmup_batch_size)
    if warmup_batch_size > max_images:
        raise ValueError(
            "`warmup_batch_size` may not exceed `max_images` (serving_default refuses larger "
            f"batches). Received: warmup_batch_size={warmup_batch_size}, max_images={max_images}"
        )
    base, version = _resolve_version_path(path, version)
    version_dir = os.path.join(base, str(version))
    if os.path.lexists(version_dir) and not overwrite:
        raise FileExistsError(
            f"The export version folder {version_dir} already exists. Pass "
            "overwrite=True to replace it, or choose another version."
        )
    os.makedirs(base, exist_ok=True)
    # TF Serving only loads folders whose name is a number: the dot-prefixed
    # temporary folder is never picked up half-written.
    tmp_dir = tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=base)
    try:
        archive = build_export_archive(model, max_images=max_images)
        saved_dir = os.path.join(tmp_dir, "model")
        archive.write_out(saved_dir, verbose=verbose)
        extra = os.path.join(saved_dir, ASSETS_EXTRA)
        os.makedirs(extra, exist_ok=True)
        _write_metadata(model, os.path.join(extra, METADATA_FILENAME), max_images)
        if warmup:
            write_warmup_requests(
                model,
                os.path.join(extra, WARMUP_FILENAME),
                model_name=os.path.basename(os.path.normpath(base)),
                batch_size=warmup_batch_size,
            )
        _move_into_place(saved_dir, version_dir, tmp_dir, overwrite)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return version_dir


# --------------------------------------------------------------------- graph
def sampling_generator(model):
    """The generator that is exported: the EMA one when present."""
    return model.sampling_network("generator")


def _exported_networks(model):
    """The sampling copies (EMA when present) of the generator-side networks."""
    return [model.sampling_network(name) for name in model.roles["generator"]]


def serving_inputs(model):
    """The family's extra scalar inputs, checked: a list of
    `(name, dtype, default, doc)` in declaration order (`dtype` a
    `tf.DType`, `default` a NumPy scalar of that dtype).

    Raises:
        ValueError: a malformed `serving_inputs` declaration.
    """
    return [spec[:4] for spec in _serving_inputs_with_ranges(model)]


def _serving_inputs_with_ranges(model):
    """`serving_inputs` plus each input's `(min, max)` or None, as 5-tuples."""
    import tensorflow as tf

    declared = getattr(model, "serving_inputs", None) or {}
    family = type(model).__name__
    if not isinstance(declared, dict):
        raise ValueError(
            f"{family}.serving_inputs must be a dict name -> (dtype, default, doc). "
            f"Received: {declared!r}"
        )
    checked = []
    for name, spec in declared.items():
        if not isinstance(name, str) or not _INPUT_NAME_RE.match(name) or name in RESERVED_INPUTS:
            raise ValueError(
                f"{family}.serving_inputs: {name!r} is not a valid input name (letters, digits "
                f"and '_', starting with a letter, none of {', '.join(RESERVED_INPUTS)})."
            )
        if not isinstance(spec, (tuple, list)) or len(spec) not in (3, 4):
            raise ValueError(
                f"{family}.serving_inputs[{name!r}] must be (dtype, default, doc) or "
                f"(dtype, default, doc, (min, max)). Received: {spec!r}"
            )
        dtype, default, doc = spec[:3]
        try:
            dtype = tf.as_dtype(dtype)
        except TypeError:
            raise ValueError(
                f"{family}.serving_inputs[{name!r}]: unknown dtype {dtype!r}."
            ) from None
        if not (dtype.is_floating or dtype.is_integer or dtype.is_bool):
            raise ValueError(
                f"{family}.serving_inputs[{name!r}]: the dtype must be a float, int or bool "
                f"type. Received: {dtype.name}"
            )
        default = np.asarray(default, dtype.as_numpy_dtype)
        if default.shape != ():
            raise ValueError(
                f"{family}.serving_inputs[{name!r}]: the default must be a scalar. "
                f"Received: {spec[1]!r}"
            )
        value_range = _check_range(family, name, dtype, default[()], spec[3] if len(spec) == 4 else None)
        checked.append((name, dtype, default[()], str(doc), value_range))
    return checked


def _check_range(family, name, dtype, default, value_range):
    """A declared `(min, max)` as a pair of Python numbers (or None), checked."""
    if value_range is None:
        return None
    where = f"{family}.serving_inputs[{name!r}]"
    if dtype.is_bool or not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(
            f"{where}: the range must be (min, max) of a float or int input (a bound may be "
            f"None). Received: {value_range!r} for dtype {dtype.name}"
        )
    bounds = []
    for bound in value_range:
        if bound is not None:
            number = not isinstance(bound, bool) and isinstance(bound, (int, float, np.number))
            if not number or not np.isfinite(bound):
                raise ValueError(
                    f"{where}: range bounds must be finite numbers or None. Received: {value_range!r}"
                )
            bound = float(bound) if dtype.is_floating else int(bound)
        bounds.append(bound)
    lo, hi = bounds
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"{where}: the range's min exceeds its max. Received: {value_range!r}")
    if (lo is not None and default < lo) or (hi is not None and default > hi):
        raise ValueError(f"{where}: the default {default} is outside the range {value_range!r}.")
    return lo, hi


def build_export_archive(model, max_images=1024):
    """A `keras.export.ExportArchive` holding the signatures of the model's
    task (see the module docstring; not yet written: call `write_out(path)`)."""
    _check_model(model)
    max_images = check_positive_int("max_images", max_images)
    return task_of(model).export_archive(model, max_images)


def _uint8(images):
    """round((images + 1) * 127.5) clipped to [0, 255], as uint8."""
    import tensorflow as tf

    return tf.cast(tf.clip_by_value(tf.round((images + 1.0) * 127.5), 0.0, 255.0), tf.uint8)


def _check_batch(tf, x, name, max_images):
    x = tf.debugging.assert_all_finite(x, f"`{name}` must be finite (no NaN or inf)")
    with tf.control_dependencies(
        [
            tf.debugging.assert_less_equal(
                tf.shape(x)[0], max_images,
                message=f"`{name}` may have at most {max_images} rows (max_images of the export)",
            )
        ]
    ):
        return tf.identity(x)


def latent_export_archive(model, max_images):
    """The latent task's signatures: `serving_default` (z [, labels] [,
    options] -> images) and `generate_from_seed`."""
    import keras
    import tensorflow as tf

    if getattr(model, "condition_shape", None) is not None:
        raise ValueError(
            f"{type(model).__name__} is conditioned on vectors of shape {model.condition_shape}: "
            "exporting vector-conditioned models is not supported yet (int classes are)."
        )
    extras = _serving_inputs_with_ranges(model)
    latent_dim = int(model.latent_dim)
    num_classes = model.num_classes

    def check_z(z):
        # EnsureShape checks at run time too (TF Serving feeds the graph
        # directly, without the Python-side spec check); its error names `z`.
        z = tf.ensure_shape(z, [None, latent_dim])
        z = tf.debugging.assert_all_finite(z, "`z` must be finite (no NaN or inf)")
        with tf.control_dependencies(
            [
                tf.debugging.assert_less_equal(
                    tf.shape(z)[0],
                    max_images,
                    message=f"`z` may have at most {max_images} rows (max_images of the export)",
                )
            ]
        ):
            return tf.identity(z)

    def check_labels(labels):
        message = f"`labels` must be in [0, {num_classes})"
        with tf.control_dependencies(
            [
                tf.debugging.assert_greater_equal(labels, 0, message=message),
                tf.debugging.assert_less(labels, num_classes, message=message),
            ]
        ):
            return tf.identity(labels)

    def check_option(name, dtype, value, value_range):
        value = tf.ensure_shape(value, [])  # TF Serving does not enforce the spec's rank
        if dtype.is_floating:
            value = tf.debugging.assert_all_finite(value, f"`{name}` must be finite (no NaN or inf)")
        if value_range is None:
            return value
        lo, hi = value_range
        message = f"`{name}` must be in [{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"
        checks = []
        if lo is not None:
            checks.append(tf.debugging.assert_greater_equal(value, tf.constant(lo, dtype), message=message))
        if hi is not None:
            checks.append(tf.debugging.assert_less_equal(value, tf.constant(hi, dtype), message=message))
        with tf.control_dependencies(checks):
            return tf.identity(value)

    def options(values):
        """The family's extra inputs, `{name: scalar tensor}` for `images_from_latents`."""
        return {
            name: check_option(name, dtype, value, value_range)
            for (name, dtype, _, _, value_range), value in zip(extras, values)
        }

    def images_out(z, labels=None, extra_values=()):
        images = model.images_from_latents(z, labels, **options(extra_values))
        images = tf.cast(images, tf.float32)
        return {"images": images, "images_uint8": _uint8(images)}

    def latents_from_seed(seed, num_images):
        # Exactly `keras.random.normal((n, latent_dim), seed=seed)` on the
        # TensorFlow backend: `draw_seed` makes the int64 pair [seed, 0] and
        # `_cast_seed` folds it into int32 with floormod(., int32.max - 1).
        seed_pair = tf.stack([seed, tf.zeros_like(seed)])
        seed_pair = tf.cast(tf.math.floormod(seed_pair, tf.int32.max - 1), tf.int32)
        shape = tf.stack([tf.cast(num_images, tf.int32), latent_dim])
        return tf.random.stateless_normal(shape, seed=seed_pair, dtype=tf.float32)

    def check_num_images(num_images):
        with tf.control_dependencies(
            [
                tf.debugging.assert_greater_equal(
                    num_images, tf.constant(1, tf.int64), message="`num_images` must be >= 1"
                ),
                tf.debugging.assert_less_equal(
                    num_images,
                    tf.constant(max_images, tf.int64),
                    message=f"`num_images` must be <= {max_images} (max_images of the export)",
                ),
            ]
        ):
            return tf.identity(num_images)

    z_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="z")
    labels_spec = tf.TensorSpec([None], tf.int32, name="labels")
    seed_spec = tf.TensorSpec([], tf.int64, name="seed")
    num_spec = tf.TensorSpec([], tf.int64, name="num_images")
    # The signatures' input names are the specs' names (the functions take
    # the family's extra inputs as *extra_values, in declaration order).
    extra_specs = [tf.TensorSpec([], dtype, name=name) for name, dtype, _, _, _ in extras]

    archive = keras.export.ExportArchive()
    # The sampling generator's variables; model-level variables the sampling
    # path reads (ProGAN's `alpha`) are picked up from the traced functions.
    archive.track(sampling_generator(model))
    if num_classes is None:

        def serving_default(z, *extra_values):
            return images_out(check_z(z), None, extra_values)

        def generate_from_seed(seed, num_images, *extra_values):
            z = latents_from_seed(seed, check_num_images(num_images))
            return dict(images_out(z, None, extra_values), z=z)

        archive.add_endpoint(SERVING_DEFAULT, serving_default, [z_spec] + extra_specs)
        archive.add_endpoint(
            GENERATE_FROM_SEED, generate_from_seed, [seed_spec, num_spec] + extra_specs
        )
    else:

        def serving_default(z, labels, *extra_values):
            z = check_z(z)
            with tf.control_dependencies(
                [
                    tf.debugging.assert_equal(
                        tf.shape(labels)[0],
                        tf.shape(z)[0],
                        message="`labels` must have one entry per row of `z`",
                    )
                ]
            ):
                labels = check_labels(labels)
            return images_out(z, labels, extra_values)

        def generate_from_seed(seed, num_images, labels, *extra_values):
            num_images = check_num_images(num_images)
            n = tf.cast(num_images, tf.int32)
            k = tf.shape(labels)[0]
            with tf.control_dependencies(
                [
                    tf.debugging.Assert(
                        (k == 0) | (k == 1) | (k == n),
                        ["`labels` must have 0 (classes 0, 1, ... cycled), 1 (one class for "
                         "all) or num_images entries. Received:", k, "labels for num_images =", n],
                    )
                ]
            ):
                labels = tf.case(
                    [
                        (k == 0, lambda: tf.range(n, dtype=tf.int32) % num_classes),
                        (k == 1, lambda: tf.fill([n], labels[0])),
                    ],
                    default=lambda: tf.identity(labels),
                )
            labels = check_labels(tf.ensure_shape(labels, [None]))
            z = latents_from_seed(seed, num_images)
            return dict(images_out(z, labels, extra_values), z=z, labels=labels)

        archive.add_endpoint(SERVING_DEFAULT, serving_default, [z_spec, labels_spec] + extra_specs)
        archive.add_endpoint(
            GENERATE_FROM_SEED, generate_from_seed, [seed_spec, num_spec, labels_spec] + extra_specs
        )
    return archive


def translation_export_archive(model, max_images):
    """The image-to-image task's signature: `translate` (= `serving_default`):
    images in [-1, 1] -> translated images (the model's `call`)."""
    import keras
    import tensorflow as tf

    source_shape = list(model.source_shape)

    def check_images(images):
        images = tf.ensure_shape(images, [None] + source_shape)
        images = _check_batch(tf, images, "images", max_images)
        with tf.control_dependencies(
            [
                tf.debugging.assert_less_equal(
                    tf.reduce_max(tf.abs(images)), 1.0, message="`images` must be in [-1, 1]"
                )
            ]
        ):
            return tf.identity(images)

    def translate(images):
        images = check_images(images)
        out = tf.cast(model(images, training=False), tf.float32)
        return {"images": out, "images_uint8": _uint8(out)}

    archive = keras.export.ExportArchive()
    for network in _exported_networks(model):
        archive.track(network)
    spec = [tf.TensorSpec([None] + source_shape, tf.float32, name="images")]
    domain_spec = _domain_spec(model)
    if domain_spec is not None:
        # A multi-domain model (StarGAN): the target domain is an input too.

        def translate_to_domain(images, domain):
            images = check_images(images)
            domain = _check_domain(tf, model, domain, images)
            out = tf.cast(model((images, domain), training=False), tf.float32)
            return {"images": out, "images_uint8": _uint8(out)}

        archive.add_endpoint(TRANSLATE, translate_to_domain, spec + [domain_spec])
        archive.add_endpoint(SERVING_DEFAULT, translate_to_domain, spec + [domain_spec])
        return archive
    archive.add_endpoint(TRANSLATE, translate, spec)
    archive.add_endpoint(SERVING_DEFAULT, translate, spec)
    from kerasgan.engine.image_to_image import DIRECTIONS, TwoDomainTranslation

    if isinstance(model, TwoDomainTranslation):
        # An unpaired two-domain model (CycleGAN, DualGAN): both directions,
        # `translate_a2b` (= `translate`) and `translate_b2a`.
        def direction_endpoint(generator):
            def translate_direction(images):
                images = check_images(images)
                out = tf.cast(model.sampling_network(generator)(images, training=False), tf.float32)
                return {"images": out, "images_uint8": _uint8(out)}

            return translate_direction

        for direction, generator in DIRECTIONS.items():
            archive.add_endpoint(f"{TRANSLATE}_{direction}", direction_endpoint(generator), spec)
    return archive


def _domain_spec(model):
    """The `domain` input of a multi-domain model's `translate` signature
    (a `tf.TensorSpec` named `domain`, from the model's `domain_spec()`), or
    None for models without one (Pix2Pix, CycleGAN, ...)."""
    spec = getattr(model, "domain_spec", None)
    return spec() if callable(spec) else None


def _check_domain(tf, model, domain, images):
    """The `domain` input checked at run time: one row per image; int
    classes in [0, num_domains) or multi-hot vectors of 0s and 1s."""
    spec = _domain_spec(model)
    domain = tf.ensure_shape(domain, spec.shape)
    checks = [tf.debugging.assert_equal(tf.shape(domain)[0], tf.shape(images)[0],
                                        message="`domain` must have one entry per image")]
    if spec.dtype.is_integer:
        message = f"`domain` must be in [0, {model.num_domains})"
        checks += [tf.debugging.assert_greater_equal(domain, 0, message=message),
                   tf.debugging.assert_less(domain, model.num_domains, message=message)]
    else:
        binary = tf.reduce_all(tf.logical_or(tf.equal(domain, 0.0), tf.equal(domain, 1.0)))
        checks.append(tf.debugging.Assert(binary, ["`domain` must be multi-hot: only 0s and 1s"]))
    with tf.control_dependencies(checks):
        return tf.identity(domain)


def upscale_export_archive(model, max_images):
    """The super-resolution task's signatures: `upscale` (= `translate` =
    `serving_default`): images of any size in [-1, 1] -> `scale` times larger
    images (the model's `call`)."""
    import keras
    import tensorflow as tf

    channels = int(model.image_shape[-1])

    def upscale(images):
        images = tf.ensure_shape(images, [None, None, None, channels])
        images = _check_batch(tf, images, "images", max_images)
        with tf.control_dependencies(
            [
                tf.debugging.assert_less_equal(
                    tf.reduce_max(tf.abs(images)), 1.0, message="`images` must be in [-1, 1]"
                )
            ]
        ):
            images = tf.identity(images)
        out = tf.cast(model(images, training=False), tf.float32)
        return {"images": out, "images_uint8": _uint8(out)}

    archive = keras.export.ExportArchive()
    for network in _exported_networks(model):
        archive.track(network)
    spec = [tf.TensorSpec([None, None, None, channels], tf.float32, name="images")]
    upscale = tf.function(upscale, input_signature=spec)  # traced once for the three names
    for name in (UPSCALE, TRANSLATE, SERVING_DEFAULT):
        archive.add_endpoint(name, upscale)
    return archive


# ------------------------------------------------------------------- warm-up
def warmup_inputs(model, batch_size=1):
    """`{signature_name: {input_name: np.ndarray}}` replayed at warm-up (the
    family's `serving_inputs` at their defaults); asked of the model's task."""
    return task_of(model).warmup_inputs(model, batch_size)


def latent_warmup_inputs(model, batch_size=1):
    """The latent task's warm-up requests."""
    rng = np.random.default_rng(0)
    default = {"z": rng.standard_normal((batch_size, model.latent_dim)).astype(np.float32)}
    from_seed = {"seed": np.array(0, np.int64), "num_images": np.array(1, np.int64)}
    if model.num_classes is not None:
        default["labels"] = (np.arange(batch_size) % model.num_classes).astype(np.int32)
        from_seed["labels"] = np.zeros([1], np.int32)
    for name, _, value, _ in serving_inputs(model):  # the family's options, at their defaults
        default[name] = from_seed[name] = np.asarray(value)
    return {SERVING_DEFAULT: default, GENERATE_FROM_SEED: from_seed}


def translation_warmup_inputs(model, batch_size=1):
    """The image-to-image task's warm-up requests (blank images)."""
    images = np.zeros((batch_size, *model.source_shape), np.float32)
    inputs = {"images": images}
    domain_spec = _domain_spec(model)
    if domain_spec is not None:  # domain 0 (all-zero attributes) for every image
        inputs["domain"] = np.zeros([batch_size] + domain_spec.shape.as_list()[1:], domain_spec.dtype.as_numpy_dtype)
    return {TRANSLATE: inputs, SERVING_DEFAULT: inputs}


def upscale_warmup_inputs(model, batch_size=1):
    """The super-resolution task's warm-up requests (blank images of the
    training input size)."""
    images = np.zeros((batch_size, *model.source_shape), np.float32)
    return {name: {"images": images} for name in (UPSCALE, TRANSLATE, SERVING_DEFAULT)}


def write_warmup_requests(model, path, model_name="model", batch_size=1):
    """Writes TF Serving's warm-up file: a TFRecord of `PredictionLog`s, one
    `PredictRequest` per signature.

    Returns the path, or None (with a logged warning) when
    `tensorflow-serving-api` is not installed.
    """
    try:
        from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2
    except ImportError:
        logger.warning(
            "tensorflow-serving-api is not installed: the export has no warm-up "
            "requests (%s), so TF Serving's first request will be slow. "
            "Install it with `pip install kerasgan[serving]`.",
            WARMUP_FILENAME,
        )
        return None
    import tensorflow as tf

    with tf.io.TFRecordWriter(os.fspath(path)) as writer:
        for signature, inputs in warmup_inputs(model, batch_size).items():
            request = predict_pb2.PredictRequest(
                model_spec=model_pb2.ModelSpec(name=model_name, signature_name=signature)
            )
            for name, value in inputs.items():
                request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
            log = prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request)
            )
            writer.write(log.SerializeToString())
    return path


# ----------------------------------------------------------------- helpers
def _check_model(model):
    try:
        task_of(model)
    except ValueError:
        raise ValueError(
            "`model` must be a kerasgan model (a `kerasgan.engine.AdversarialModel` with a "
            f"task). Received: model={type(model).__name__}"
        ) from None


def _resolve_version_path(path, version):
    """`(base_folder, version)` from a base folder + version, or a version folder."""
    path = os.path.normpath(os.fspath(path))
    last = os.path.basename(path)
    if version is None:
        if _VERSION_RE.match(last):
            return os.path.dirname(path) or ".", int(last)
        existing = []
        if os.path.isdir(path):
            existing = [int(d) for d in os.listdir(path) if _VERSION_RE.match(d)]
        return path, max(existing, default=0) + 1
    if isinstance(version, bool) or not isinstance(version, (int, np.integer)) or version < 0:
        raise ValueError(f"`version` must be an integer >= 0. Received: version={version!r}")
    if _VERSION_RE.match(last):
        raise ValueError(
            f"`path` already ends in a version number ({last}) and `version` was given. "
            f"Received: path={path!r}, version={version}"
        )
    return path, int(version)


def _move_into_place(saved_dir, version_dir, tmp_dir, overwrite):
    """Renames the finished export to `version_dir`; the old version (when
    overwriting) is moved aside first and restored if the rename fails."""
    old = None
    if os.path.lexists(version_dir):
        if not overwrite:  # appeared while exporting
            raise FileExistsError(f"The export version folder {version_dir} already exists.")
        old = os.path.join(tmp_dir, "previous")
        os.rename(version_dir, old)
    try:
        os.rename(saved_dir, version_dir)
    except BaseException:
        if old is not None:
            os.rename(old, version_dir)
        raise


def _write_metadata(model, path, max_images):
    import kerasgan

    try:
        config = model.get_config()
    except Exception:  # a model without a serialisable config still exports
        config = None
    metadata = {
        "kerasgan_version": kerasgan.__version__,
        "family": type(model).__name__,
        "task": task_of(model).name,
        "image_shape": list(model.image_shape) if getattr(model, "image_shape", None) else None,
        "exported_generator": _exported_networks(model)[0].name,
        "max_images": max_images,
    }
    metadata.update(task_of(model).serving_metadata(model))
    metadata["config"] = config
    with open(path, "w") as f:
        json.dump(metadata, f, indent=2, default=_json_default)


def latent_serving_metadata(model):
    """The latent task's entries of `kerasgan.json`."""
    extras = _serving_inputs_with_ranges(model)
    extra_names = [name for name, _, _, _, _ in extras]
    labels = ["labels"] if model.num_classes is not None else []
    return {
        "latent_dim": int(model.latent_dim),
        "num_classes": model.num_classes,
        "signatures": {
            SERVING_DEFAULT: ["z"] + labels + extra_names,
            GENERATE_FROM_SEED: ["seed", "num_images"] + labels + extra_names,
        },
        "serving_inputs": {
            name: dict(
                {"dtype": dtype.name, "default": default.item(), "doc": doc},
                **({} if value_range is None else {"range": list(value_range)}),
            )
            for name, dtype, default, doc, value_range in extras
        },
    }


def translation_serving_metadata(model):
    """The image-to-image task's entries of `kerasgan.json`."""
    metadata = {
        "source_shape": list(model.source_shape),
        "signatures": {TRANSLATE: ["images"], SERVING_DEFAULT: ["images"]},
        "serving_inputs": {},
    }
    domain_spec = _domain_spec(model)
    if domain_spec is not None:
        metadata.update(
            num_domains=int(model.num_domains), multi_label=bool(getattr(model, "multi_label", False)),
            domain={"dtype": domain_spec.dtype.name, "shape": [None] + domain_spec.shape.as_list()[1:]},
            signatures={TRANSLATE: ["images", "domain"], SERVING_DEFAULT: ["images", "domain"]},
        )
    return metadata


def upscale_serving_metadata(model):
    """The super-resolution task's entries of `kerasgan.json`."""
    channels = int(model.image_shape[-1])
    return {
        "scale": int(model.scale),
        "source_shape": [None, None, channels],
        "signatures": {UPSCALE: ["images"], TRANSLATE: ["images"], SERVING_DEFAULT: ["images"]},
        "serving_inputs": {},
    }


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return repr(value)


# ------------------------------------------------------- text -> image task
#: Signature of a text -> image model taking explicit noise.
GENERATE_FROM_NOISE = "generate_from_noise"


def _text_noise_from_seed(tf, seed, num_images, noise_dim):
    """`keras.random.normal((num_images, noise_dim), seed=seed)` on the
    TensorFlow backend (the same fold as `latents_from_seed` above)."""
    seed_pair = tf.stack([seed, tf.zeros_like(seed)])
    seed_pair = tf.cast(tf.math.floormod(seed_pair, tf.int32.max - 1), tf.int32)
    shape = tf.stack([num_images, noise_dim])
    return tf.random.stateless_normal(shape, seed=seed_pair, dtype=tf.float32)


def text_export_archive(model, max_images):
    """The text -> image task's signatures (`kerasgan.models.StackGAN`),
    images of the model's current `stage`:

    `serving_default`: `texts` string [batch] (at most `max_images`
        captions, raw text: the vocabulary is inside the export), `seed`
        int64 [] -> `images` float32 [batch, S, S, C] in [-1, 1],
        `images_uint8`, `noise` float32 [batch, noise_dim] (the noise drawn:
        `keras.random.normal((batch, noise_dim), seed=seed)`, so the images
        equal `model.generate(texts, n_per_text=1, seed=seed)`).
    `generate_from_noise`: `texts` string [batch], `noise` float32 [batch,
        noise_dim] (finite, one row per caption) -> `images`, `images_uint8`.
    """
    import keras
    import tensorflow as tf

    noise_dim = int(model.noise_dim)
    stage = int(model.stage)

    def check_texts(texts):
        texts = tf.ensure_shape(texts, [None])
        with tf.control_dependencies([
            tf.debugging.assert_less_equal(tf.shape(texts)[0], max_images,
                                           message=f"`texts` may have at most {max_images} captions "
                                           "(max_images of the export)"),
            tf.debugging.assert_greater(tf.shape(texts)[0], 0, message="`texts` must hold at least one caption"),
        ]):
            return tf.identity(texts)

    def images_out(texts, noise):
        images = tf.cast(model.images_from_texts(texts, noise, stage), tf.float32)
        return {"images": images, "images_uint8": _uint8(images)}

    def serving_default(texts, seed):
        texts = check_texts(texts)
        noise = _text_noise_from_seed(tf, seed, tf.shape(texts)[0], noise_dim)
        return dict(images_out(texts, noise), noise=noise)

    def generate_from_noise(texts, noise):
        texts = check_texts(texts)
        noise = tf.ensure_shape(noise, [None, noise_dim])
        noise = tf.debugging.assert_all_finite(noise, "`noise` must be finite (no NaN or inf)")
        with tf.control_dependencies([
            tf.debugging.assert_equal(tf.shape(noise)[0], tf.shape(texts)[0],
                                      message="`noise` must have one row per caption of `texts`"),
        ]):
            noise = tf.identity(noise)
        return images_out(texts, noise)

    texts_spec = tf.TensorSpec([None], tf.string, name="texts")
    archive = keras.export.ExportArchive()
    for name in ("text_encoder", "stage1_generator", "stage2_generator"):
        archive.track(model.get_network(name))
    archive.add_endpoint(SERVING_DEFAULT, serving_default, [texts_spec, tf.TensorSpec([], tf.int64, name="seed")])
    archive.add_endpoint(GENERATE_FROM_NOISE, generate_from_noise,
                         [texts_spec, tf.TensorSpec([None, noise_dim], tf.float32, name="noise")])
    return archive


def text_warmup_inputs(model, batch_size=1):
    """The text -> image task's warm-up requests (the first vocabulary word)."""
    texts = np.array([model.text_encoder.vocabulary[0].encode("utf-8")] * batch_size, dtype=object)
    noise = np.random.default_rng(0).standard_normal((batch_size, int(model.noise_dim))).astype(np.float32)
    return {SERVING_DEFAULT: {"texts": texts, "seed": np.array(0, np.int64)},
            GENERATE_FROM_NOISE: {"texts": texts, "noise": noise}}


def text_serving_metadata(model):
    """The text -> image task's entries of `kerasgan.json`."""
    return {
        "stage": int(model.stage),
        "noise_dim": int(model.noise_dim),
        "output_shape": list(model.stage_shape(model.stage)),
        "signatures": {SERVING_DEFAULT: ["texts", "seed"], GENERATE_FROM_NOISE: ["texts", "noise"]},
        "serving_inputs": {},
    }
