"""Does the tf.data pipeline keep up? Training steps/s fed by `kerasgan.data.load`
versus the same model fed one synthetic in-memory batch, in one process.

    python benchmarks/input_pipeline.py --source ../shared/data/mnist/t10k-images-idx3-ubyte.gz

Both sides run the model's compiled train function step by step (not whole
`fit` calls), alternating over `--repeats`; the ratio real/synthetic near 1.0
means the input pipeline never starves the model. Default model: DCGAN 32x32,
ngf = ndf = 32, batch 64 (the zoo's MNIST size).
"""

import argparse
import statistics
import time

import numpy as np


def time_steps(model, iterator, steps):
    model.make_train_function()
    train = model.train_function
    start = time.perf_counter()
    for _ in range(steps):
        logs = train(iterator)
    float(np.asarray(logs["d_loss"]).ravel()[0])  # wait for the last step
    return (time.perf_counter() - start) / steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default="digits", help="any kerasgan.data source")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    import kerasgan  # before TensorFlow: sets its oneDNN default

    import tensorflow as tf

    real = kerasgan.data.load(args.source, args.image_size, args.batch_size, seed=0, repeat=True)
    channels = real.element_spec.shape[-1]
    synthetic_batch = next(iter(real))
    synthetic = tf.data.Dataset.from_tensors(synthetic_batch).repeat()
    model = kerasgan.models.DCGAN(
        (args.image_size, args.image_size, channels), latent_dim=100,
        generator_filters=args.filters, discriminator_filters=args.filters, seed=0,
    )
    model.compile()
    iterators = {"kerasgan.data.load": iter(real), "synthetic in-memory batch": iter(synthetic)}
    for it in iterators.values():
        time_steps(model, it, args.warmup)
    results = {name: [] for name in iterators}
    for r in range(args.repeats):
        for name, it in iterators.items():
            seconds = time_steps(model, it, args.steps)
            results[name].append(seconds)
            print(f"repeat {r + 1}/{args.repeats} {name:26s} {1 / seconds:7.2f} steps/s")
    medians = {name: statistics.median(v) for name, v in results.items()}
    print(f"\nsource: {args.source}  image {args.image_size}x{args.image_size}x{channels}  batch {args.batch_size}")
    for name, seconds in medians.items():
        print(f"{name:26s} median {1 / seconds:7.2f} steps/s ({args.batch_size / seconds:7.1f} img/s)")
    ratio = medians["synthetic in-memory batch"] / medians["kerasgan.data.load"]
    print(f"ratio real/synthetic throughput: {ratio:.3f}")


if __name__ == "__main__":
    main()
