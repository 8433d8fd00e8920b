"""Distribution strategies for training, and replica-aware random draws.

    strategy = kerasgan.distribute.strategy("auto")
    with strategy.scope():
        gan = kerasgan.models.DCGAN((64, 64, 1))
        gan.compile()          # optimizers are built here, inside the scope
    gan.fit(dataset)           # the batch size of `dataset` is the global one

Names understood by `strategy(name)`:

- `"auto"`: `MirroredStrategy` over every GPU when there are two or more,
  else the default strategy (one device).
- `"default"`: the default strategy (one device, no replication).
- `"mirrored"`: `MirroredStrategy` over every visible GPU (or the CPU).
- `"multi_worker"`: `MultiWorkerMirroredStrategy`, configured by the
  `TF_CONFIG` environment variable (every worker runs the same program).
- `"cpu:N"`: `MirroredStrategy` over N logical CPU devices. Splitting the
  CPU is only possible before TensorFlow initialises its devices (before
  the first op runs in the process); this is a test bed for distributed
  code, not a speed-up (it is about 2.4x slower than one device on a
  2-core machine).

What a GAN does under a strategy (see `kerasgan.models.GAN`):

- Losses and penalties are averaged over the *global* batch
  (`tf.nn.compute_average_loss`), so the gradients summed over replicas are
  those of one device with the same global batch; the reported losses are
  plain means over each replica's examples (not divided by the replica count).
- Random draws: every replica folds its replica id into the seed drawn from
  the model's `SeedGenerator` (`ReplicaSeedGenerator`), so replicas draw
  different latents, interpolation weights, label flips and noise, while the
  run stays reproducible from the seed. With one replica the draws are
  exactly those of a plain `keras.random.SeedGenerator`.
- Batch normalisation computes statistics over each replica's examples unless
  the layer has `synchronized=True`. Keras layers with their own seed
  generator (`keras.layers.Dropout`) draw the *same* mask on every replica;
  kerasgan's networks use `kerasgan.layers.ReplicaDropout`, whose masks
  differ per replica.
- `compile(jit_compile=True)` is refused with more than one replica (Keras
  compiles the whole `strategy.run`, which XLA cannot place on several
  devices).

Several workers (`MultiWorkerMirroredStrategy`): every worker runs the same
program and takes part in every step, save included; only the chief
(`is_chief`) writes the run's files, the others write to temporary folders
(`kerasgan.trainer.train` does this). `kerasgan train --num-workers N` starts
N such workers on 127.0.0.1 (see `kerasgan.cli`).
"""

import json
import os
import re

import keras
import tensorflow as tf

#: The names `strategy` accepts (plus `"cpu:N"`).
STRATEGY_NAMES = ("auto", "default", "mirrored", "multi_worker")


def strategy(name="auto"):
    """Returns the `tf.distribute.Strategy` called `name` (see the module doc).

    Args:
        name: `"auto"`, `"default"`, `"mirrored"`, `"multi_worker"` or
            `"cpu:N"` (N >= 1 logical CPU devices). Case-insensitive;
            `"multi-worker"` is accepted too.

    Raises:
        ValueError: for an unknown name, for `"multi_worker"` without a valid
            `TF_CONFIG`, and for `"cpu:N"` once TensorFlow has initialised
            its devices with a different number of logical CPUs.
    """
    if not isinstance(name, str):
        raise ValueError(f"`name` must be a string. Received: name={name!r}")
    key = name.strip().lower().replace("-", "_")
    match = re.fullmatch(r"cpu:(\d+)", key)
    if match:
        return _logical_cpu_strategy(int(match.group(1)), name)
    if key == "auto":
        gpus = tf.config.list_logical_devices("GPU")
        if len(gpus) > 1:
            return tf.distribute.MirroredStrategy([d.name for d in gpus])
        return tf.distribute.get_strategy()
    if key == "default":
        return tf.distribute.get_strategy()
    if key == "mirrored":
        return tf.distribute.MirroredStrategy()
    if key == "multi_worker":
        _check_tf_config()
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(
        f"Unknown strategy. Expected one of {list(STRATEGY_NAMES)} or 'cpu:N'. "
        f"Received: name={name!r}"
    )


def _check_tf_config():
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        raise ValueError(
            "The 'multi_worker' strategy needs the TF_CONFIG environment variable "
            '(e.g. {"cluster": {"worker": ["host1:port", "host2:port"]}, '
            '"task": {"type": "worker", "index": 0}}). TF_CONFIG is not set.'
        )
    try:
        config = json.loads(raw)
        workers = config["cluster"]["worker"]
        config["task"]["type"], config["task"]["index"]
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(
            f"TF_CONFIG must be JSON with cluster.worker and task.type/index. "
            f"Received: TF_CONFIG={raw!r} ({e})"
        ) from None
    if not isinstance(workers, list) or not workers:
        raise ValueError(f"TF_CONFIG lists no workers. Received: TF_CONFIG={raw!r}")


def _logical_cpu_strategy(n, name):
    if n < 1:
        raise ValueError(f"'cpu:N' needs N >= 1. Received: name={name!r}")
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if (len(current) if current else 1) != n:
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
            )
        except RuntimeError:
            have = len(tf.config.list_logical_devices("CPU"))
            raise ValueError(
                f"Cannot split the CPU into {n} logical devices: TensorFlow has already "
                f"initialised its devices in this process ({have} logical CPU device(s)). "
                f"Call kerasgan.distribute.strategy({name!r}) before anything runs a "
                "TensorFlow op (e.g. at the start of the program), or run it in a new process."
            ) from None
    devices = [d.name for d in tf.config.list_logical_devices("CPU")][:n]
    if n == 1:
        return tf.distribute.OneDeviceStrategy(devices[0])
    return tf.distribute.MirroredStrategy(devices)


def is_multi_worker(strategy=None):
    """Whether `strategy` (default: the current one) spans several worker
    processes (a `MultiWorkerMirroredStrategy` in multi-worker mode)."""
    strategy = strategy or tf.distribute.get_strategy()
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and bool(
        strategy.extended._in_multi_worker_mode()
    )


def is_chief(strategy=None):
    """Whether this process writes the run's files under `strategy`.

    True everywhere except on the non-chief workers of a multi-worker run:
    the chief is the task of type `"chief"`, or worker 0 when the cluster
    has no chief (TensorFlow's convention).
    """
    strategy = strategy or tf.distribute.get_strategy()
    if not is_multi_worker(strategy):
        return True
    resolver = strategy.cluster_resolver
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type in (None, "chief"):
        return True
    return task_type == "worker" and task_id == 0 and "chief" not in resolver.cluster_spec().as_dict()


def check_workers_agree(strategy, value, what):
    """Raises a ValueError unless every worker of a multi-worker `strategy`
    passes the same number `value` (a no-op otherwise).

    Every worker must take the same number of steps, or the ones that stop
    first leave the others waiting for them forever in the gradient
    all-reduce; this turns such a mismatch (e.g. workers that resume from
    different checkpoints) into an error on every worker. It is one
    all-reduce of the sums of `value` and `value**2` over the replicas:
    they equal `n * value` and `n * value**2` only when all values agree.
    """
    if not is_multi_worker(strategy):
        return
    local = tf.constant([float(value), float(value) ** 2], tf.float64)

    @tf.function
    def total():
        return strategy.reduce("SUM", strategy.run(lambda: tf.identity(local)), axis=None)

    sums = total().numpy()
    n = strategy.num_replicas_in_sync
    if sums[0] != n * float(value) or sums[1] != n * float(value) ** 2:
        raise ValueError(
            f"The workers disagree on {what}: this one has {value}, the mean over the "
            f"{n} replicas is {sums[0] / n:g}. Every worker must see the same run "
            "(e.g. the chief's checkpoint folder on a shared file system)."
        )


def synchronize_batch_norm(model):
    """Makes every `BatchNormalization` layer in `model` synchronized.

    Under a strategy with several replicas a Keras batch-norm layer
    normalises with the statistics of each replica's examples (a batch of
    global_batch / replicas), and each replica keeps its own moving
    statistics (the mirrors of `moving_mean` / `moving_variance` drift apart;
    the saved model holds the first replica's). Synchronized layers all-reduce
    the statistics over the global batch, so N replicas train like one device
    with the same global batch (measured: weights equal to 1e-8 after four
    DCGAN steps on two replicas). The cost is one all-reduce per layer call.
    One device is unaffected either way.

    Returns:
        The number of layers changed.
    """
    changed = 0
    for layer in model._flatten_layers(include_self=True, recursive=True):
        if isinstance(layer, keras.layers.BatchNormalization) and not layer.synchronized:
            layer.synchronized = True
            changed += 1
    return changed


def num_replicas():
    """Replicas in sync of the current context (1 outside any strategy)."""
    context = tf.distribute.get_replica_context()
    if context is not None:
        return context.num_replicas_in_sync
    return tf.distribute.get_strategy().num_replicas_in_sync


@keras.saving.register_keras_serializable(package="kerasgan")
class ReplicaSeedGenerator(keras.random.SeedGenerator):
    """A `keras.random.SeedGenerator` whose draws differ between replicas.

    Under a distribution strategy every replica holds a mirror of the seed
    state and advances it identically, so a plain `SeedGenerator` gives every
    replica the *same* latents (each replica's half of the batch would be
    paired with the same noise). This one folds the replica id into each
    seed it hands out when more than one replica is in sync:

        seed_r = tf.random.experimental.stateless_fold_in(seed, replica_id)

    With one replica (or in cross-replica context, e.g. `generate` called
    outside `strategy.run`) the seeds are exactly those of the parent class,
    so single-device runs are unchanged. The state variable, its name and
    its checkpointing are the parent's.
    """

    def next(self, ordered=True):
        seed = super().next(ordered=ordered)
        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return seed
        replica_id = tf.cast(context.replica_id_in_sync_group, seed.dtype)
        return tf.random.experimental.stateless_fold_in(seed, replica_id)
