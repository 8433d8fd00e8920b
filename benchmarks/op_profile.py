"""Where a kerasgan training step spends its time, op by op (TensorFlow profiler).

    python benchmarks/op_profile.py [--model dcgan64|dcgan32] [--bf16] [--keras-bn] [--steps 3] [--top 30]

Builds the model of `dcgan_throughput.py`, runs a few warm-up steps, records
`--steps` steps with `tf.profiler.experimental` and sums the recorded op
events by op type over TensorFlow's compute threads (the trace that
TensorBoard's trace viewer shows, read straight from the profile's XSpace
file). Prints milliseconds per step for each op type, with its share of all
op time. Times are thread time: with two inter-op threads two ops run at
once, so the total can exceed the step's wall time.
"""

import argparse
import collections
import glob
import os
import tempfile
import time

import dcgan_throughput as bench


def op_times(logdir):
    """{op type: (total ms, count)} over the compute threads of the profile in `logdir`."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    path = glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True)[0]
    space = xplane_pb2.XSpace()
    with open(path, "rb") as f:
        space.ParseFromString(f.read())
    totals, counts = collections.Counter(), collections.Counter()
    for plane in space.planes:
        names = {key: meta.name for key, meta in plane.event_metadata.items()}
        for line in plane.lines:
            if not line.name.startswith("tf_Compute"):
                continue
            for event in line.events:
                name = names.get(event.metadata_id, "?").split(":")[-1]
                if name == "Process":  # the executor's span around a batch of ops
                    continue
                totals[name] += event.duration_ps / 1e9
                counts[name] += 1
    return totals, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=sorted(bench.PRESETS), default="dcgan64")
    parser.add_argument("--bf16", action="store_true")
    parser.add_argument("--keras-bn", action="store_true", help="Keras' own BatchNormalization")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    bench.use_preset(args.model)

    import tensorflow as tf

    step = bench.keras_runner(False, args.bf16, keras_bn=args.keras_bn)
    for _ in range(args.warmup):
        step()
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        wall = (time.perf_counter() - start) / args.steps * 1000
        tf.profiler.experimental.stop()
        totals, counts = op_times(logdir)
    everything = sum(totals.values())
    print(f"{args.model} {'bf16' if args.bf16 else 'fp32'} "
          f"({'Keras' if args.keras_bn else 'kerasgan fused'} batch norm): "
          f"{wall:.0f} ms/step wall while profiled, {everything / args.steps:.0f} ms/step of op time")
    print(f"{'op':40s} {'ms/step':>8s} {'calls':>6s} {'share':>6s}")
    for name, ms in totals.most_common(args.top):
        print(f"{name:40s} {ms / args.steps:8.1f} {counts[name] // args.steps:6d} {ms / everything:6.1%}")


if __name__ == "__main__":
    main()
