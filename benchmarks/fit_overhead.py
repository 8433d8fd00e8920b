"""Whole `fit` calls: seconds per call with tf.data's autotune model on (TF's
default) and off (what `AdversarialModel.fit` and `kerasgan.data.load` do).

    python benchmarks/fit_overhead.py --steps 150 --calls 5

Each `fit(ds, steps_per_epoch=--steps, epochs=1)` call is timed from the call
to its return; callbacks time the steps themselves (first batch begin to last
batch end), so "late" = call - steps is what happens around the steps (with
the autotune model on, mostly the iterator's deletion when `fit` returns: it
joins tf.data's model thread, which often exits only at its next scheduled
optimisation, 10 ms x (2^k - 1) after the iterator was made).

Datasets (all yield float32 [batch, size, size, 1] in [-1, 1]):
- memory: `tf.data.Dataset.from_tensors(batch).repeat()`
- loader: `kerasgan.data.load(<folder of --pngs PNGs>, repeat=True)` (decoded
  up front, cached)
- pipeline: a user's own streaming pipeline over the same PNG files,
  `list_files -> map(read + decode_png + resize, AUTOTUNE) -> repeat ->
  batch -> prefetch(AUTOTUNE)`, decoding every step, so it needs parallel
  map calls; `--pipeline-only` also times it without a model.

"autotune on" passes the dataset with `options.autotune.enabled = True` set
explicitly (kerasgan's `fit` respects an explicit setting), "fixed" passes it
as a user would (unset; `fit` turns the model off). Both run alternately in one
process after an untimed warm-up call each. The stall is intermittent (it hit
roughly one call in three to two in three here), so the headline is the mean
seconds per call, with the median, how many calls came back > 0.1 s after
their last step, and the ratio fixed/autotune-on.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np

import kerasgan  # before TensorFlow: sets its oneDNN default

MODELS = {
    # name: (image size, latent, filters, batch)
    "tiny": (32, 16, 8, 32),
    "dcgan32": (32, 100, 32, 64),
    "dcgan64": (64, 100, 64, 64),
}


def write_pngs(folder, count, size, seed=0):
    """`count` random grayscale PNGs of size x size (noise: slow to decode)."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    for i in range(count):
        pixels = rng.integers(0, 256, (size, size, 1), dtype=np.uint8)
        tf.io.write_file(os.path.join(folder, f"{i:05d}.png"), tf.io.encode_png(pixels))


def user_pipeline(folder, image_size, batch):
    import tensorflow as tf

    def decode(path):
        image = tf.io.decode_png(tf.io.read_file(path), channels=1)
        image = tf.image.resize(tf.cast(image, tf.float32), (image_size, image_size), antialias=True)
        return image / 127.5 - 1.0

    files = tf.data.Dataset.list_files(os.path.join(folder, "*.png"), shuffle=True, seed=0)
    ds = files.map(decode, num_parallel_calls=tf.data.AUTOTUNE).repeat()
    return ds.batch(batch, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def autotune_on(ds):
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = True
    return ds.with_options(options)


def timed_fit(model, ds, steps):
    import keras

    marks = {}

    class Marks(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            marks.setdefault("first", time.perf_counter())

        def on_train_batch_end(self, batch, logs=None):
            marks["last"] = time.perf_counter()

    start = time.perf_counter()
    model.fit(ds, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[Marks()])
    total = time.perf_counter() - start
    return total, marks["last"] - marks["first"]


def pipeline_rate(ds, batches):
    """Batches/s of iterating `ds` alone (fresh iterator, after 5 batches)."""
    it = iter(ds)
    for _ in range(5):
        next(it)
    start = time.perf_counter()
    for _ in range(batches):
        next(it)
    return batches / (time.perf_counter() - start)


def calls_in_flight(autotune, elements=400, sleep_s=0.01):
    """Parallel map calls in flight (elements/s x seconds per call) of a map
    whose call sleeps `sleep_s` (releasing the GIL), with the autotune model
    `autotune` (None: unset, then `without_autotune_model` as `fit` does)."""
    import tensorflow as tf

    from kerasgan.data.loaders import without_autotune_model

    def slow(x):
        time.sleep(sleep_s)
        return x

    ds = tf.data.Dataset.range(10**9).map(
        lambda x: tf.py_function(slow, [x], tf.int64), num_parallel_calls=tf.data.AUTOTUNE
    ).prefetch(tf.data.AUTOTUNE)
    ds = autotune_on(ds) if autotune else without_autotune_model(ds)
    rate = pipeline_rate(ds, elements)
    return rate, rate * sleep_s


def cpu_description():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return "?", ""
    info = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    flags = set(info.get("Flags", "").split())
    wanted = ["avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_tile"]
    return (f"{info.get('Model name', '?').strip()}, {os.cpu_count()} logical CPUs",
            " ".join(f for f in wanted if f in flags))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="tiny")
    parser.add_argument("--steps", type=int, default=150, help="steps per fit call")
    parser.add_argument("--calls", type=int, default=5, help="timed fit calls per dataset and setting")
    parser.add_argument("--datasets", default="memory,loader,pipeline")
    parser.add_argument("--pngs", type=int, default=512, help="PNG files for loader/pipeline")
    parser.add_argument("--png-size", type=int, default=64)
    parser.add_argument("--pipeline-only", type=int, default=0, metavar="BATCHES",
                        help="also time the user pipeline alone over this many batches, and "
                             "count the calls in flight of a map that sleeps")
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    from kerasgan.models import DCGAN

    size, latent, filters, batch = MODELS[args.model]
    keras.utils.set_random_seed(0)
    model = DCGAN((size, size, 1), latent_dim=latent, generator_filters=filters,
                  discriminator_filters=filters, seed=0)
    model.compile()
    kinds = args.datasets.split(",")
    tmp = tempfile.TemporaryDirectory()
    if {"loader", "pipeline"} & set(kinds) or args.pipeline_only:
        write_pngs(tmp.name, args.pngs, args.png_size)
    images = np.random.default_rng(0).uniform(-1, 1, (batch, size, size, 1)).astype("float32")
    make = {
        "memory": lambda: tf.data.Dataset.from_tensors(images).repeat(),
        "loader": lambda: kerasgan.data.load(tmp.name, size, batch, channels=1, seed=0, repeat=True),
        "pipeline": lambda: user_pipeline(tmp.name, size, batch),
    }
    settings = {"autotune on": lambda ds: autotune_on(ds), "fixed": lambda ds: ds}

    if args.pipeline_only:
        for r in range(5):
            for name, wrap in settings.items():
                ds = wrap(make["pipeline"]())
                if name == "fixed":
                    ds = kerasgan.data.loaders.without_autotune_model(ds)
                print(f"pipeline alone, {name:11s}: {pipeline_rate(ds, args.pipeline_only):7.1f} batches/s",
                      flush=True)
        for r in range(2):
            for name in settings:
                rate, in_flight = calls_in_flight(name == "autotune on")
                print(f"10 ms sleeping map, {name:11s}: {rate:6.1f} elements/s, "
                      f"{in_flight:4.1f} calls in flight", flush=True)

    results = {}
    for kind in kinds:
        for name, wrap in settings.items():  # warm-up: tracing, caches
            timed_fit(model, wrap(make[kind]()), 3)
        for c in range(args.calls):
            for name, wrap in settings.items():
                total, steps = timed_fit(model, wrap(make[kind]()), args.steps)
                results.setdefault((kind, name), []).append((total, steps))
                print(f"{kind:8s} {name:11s} call {c + 1}/{args.calls}: {total:6.2f} s "
                      f"(steps {steps:6.2f} s, late {total - steps:5.2f} s)", flush=True)

    cpu, flags = cpu_description()
    print(f"\nmachine: {cpu}; flags: {flags}; load average {os.getloadavg()[0]:.2f}")
    print(f"versions: tensorflow {tf.__version__}, keras {keras.__version__}")
    print(f"model {args.model} ({size}x{size}x1, filters {filters}, latent {latent}, batch {batch}), "
          f"{args.steps} steps per fit call, {args.calls} calls each:")
    print(f"{'dataset':8s} {'setting':11s} {'mean s/call':>11s} {'median':>7s} {'ms/step':>8s} "
          f"{'late mean':>9s} {'late max':>8s} {'calls late > 0.1 s':>18s}")
    for (kind, name), rows in results.items():
        totals = [t for t, _ in rows]
        late = [t - s for t, s in rows]
        per_step = statistics.median(s for _, s in rows) / args.steps * 1000
        print(f"{kind:8s} {name:11s} {statistics.mean(totals):11.2f} {statistics.median(totals):7.2f} "
              f"{per_step:8.1f} {statistics.mean(late):9.2f} {max(late):8.2f} "
              f"{sum(x > 0.1 for x in late):>14d} of {len(late)}")
    for kind in kinds:
        fixed = [t for t, _ in results[(kind, "fixed")]]
        unfixed = [t for t, _ in results[(kind, "autotune on")]]
        print(f"ratio fixed/autotune-on seconds per fit call, {kind}: mean {statistics.mean(fixed) / statistics.mean(unfixed):.3f}, "
              f"median {statistics.median(fixed) / statistics.median(unfixed):.3f}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
