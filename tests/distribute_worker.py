"""Subprocess half of tests/test_distribute.py (not a test module itself).

    python tests/distribute_worker.py equivalence OUT.json gan:sync dcgan:local ...
    python tests/distribute_worker.py draws|jit OUT.json
    python tests/distribute_worker.py trainer_checkpoints OUT.json WORK_DIR
    TF_CONFIG=... python tests/distribute_worker.py multi_worker OUT.json WEIGHTS.npz

Logical CPU devices can only be configured before TensorFlow initialises its
devices, and the rest of the suite runs TensorFlow ops in the pytest process,
so every distributed scenario runs here, in a fresh interpreter, and writes
its findings as JSON for the test to assert on.
"""

import json
import os
import sys

import numpy as np

SCENARIO = sys.argv[1]
OUT = sys.argv[2]
ARGS = sys.argv[3:]

import tensorflow as tf  # noqa: E402

from kerasgan import distribute  # noqa: E402

if SCENARIO == "multi_worker":
    STRATEGY = distribute.strategy("multi_worker")
else:
    # Before any TensorFlow op runs: split the CPU into two logical devices.
    STRATEGY = distribute.strategy("cpu:2")

import keras  # noqa: E402

keras.config.disable_traceback_filtering()

from kerasgan import penalties  # noqa: E402
from kerasgan.layers import ConditionalBatchNormalization  # noqa: E402
from kerasgan.models import CGAN, DCGAN, GAN, SAGAN, WGANGP, MLPDiscriminator, MLPGenerator  # noqa: E402

GLOBAL_BATCH = 8
STEPS = 4
LATENT = 8

# ------------------------------------------------------------ injected noise
# The equivalence runs replace the model's random draws by noise that comes
# with the batch, so that replica r sees exactly rows [4r, 4r + 4) of the
# noise a single device sees (see test_distribute.py for why).
# Keyed by replica id: MirroredStrategy traces each replica in its own thread,
# and a conditional generator step runs in yet other threads.
_injected = {}


def _replica_id():
    context = tf.distribute.get_replica_context()
    return 0 if context is None else int(tf.get_static_value(context.replica_id_in_sync_group))


class InjectedNoise:
    """Mixin: latents and GP interpolation weights are read from the batch."""

    def unpack_batch(self, data):
        if isinstance(data, dict) and "z_d" in data:
            _injected[_replica_id()] = {"latents": [data["z_d"], data["z_g"]], "alpha": data["alpha"]}
            data = {"images": data["images"], "labels": data.get("labels")}
        return super().unpack_batch(data)

    def sample_latents(self, batch_size, seed=None):
        noise = _injected.get(_replica_id())
        if noise and noise["latents"]:
            return noise["latents"].pop(0)
        raise AssertionError("no injected latents left: the model drew more than expected")



def _injected_gradient_penalty(discriminator, real, fake, seed=None, target=1.0):
    """penalties.gradient_penalty with alpha taken from the batch."""
    alpha = _injected[_replica_id()]["alpha"]
    interpolates = alpha * real + (1.0 - alpha) * tf.cast(fake, real.dtype)
    grads = penalties._input_gradients(discriminator, interpolates)
    norm = tf.sqrt(penalties._per_example_sum_of_squares(grads) + penalties.NORM_EPSILON)
    return tf.square(norm - target)


def injected(cls):
    return type(f"Injected{cls.__name__}", (InjectedNoise, cls), {})


# ------------------------------------------------------------------ families
IMAGE = {"gan": (4, 4, 1), "dcgan": (16, 16, 1), "wgan_gp": (16, 16, 1), "cgan": (16, 16, 1), "sagan": (16, 16, 1)}


def build(family, cls_wrap=lambda c: c, sync_bn=True, ema_decay=0.9):
    shape = IMAGE[family]
    if family == "gan":
        model = cls_wrap(GAN)(
            MLPGenerator(shape, LATENT, (16,), name="generator"),
            MLPDiscriminator(shape, (16,), dropout=0.0, name="discriminator"),
            ema_decay=ema_decay, seed=3,
        )
    elif family == "dcgan":
        model = cls_wrap(DCGAN)(shape, LATENT, 8, 8, ema_decay=ema_decay, seed=3)
    elif family == "wgan_gp":
        model = cls_wrap(WGANGP)(shape, LATENT, 8, 8, ema_decay=ema_decay, seed=3)
    elif family == "cgan":
        model = cls_wrap(CGAN)(shape, 3, LATENT, 4, 8, 8, ema_decay=ema_decay, seed=3)
    elif family == "sagan":
        # Spectral norm's power-iteration vectors u start random: they are
        # weights, so the copy of the initial weights below makes both runs
        # start from the same u (and the iteration itself is deterministic).
        model = cls_wrap(SAGAN)(shape, 3, LATENT, 4, 4, attention_resolution=8, ema_decay=ema_decay, seed=3)
    if sync_bn:
        distribute.synchronize_batch_norm(model)
        for layer in model._flatten_layers(include_self=True, recursive=True):
            if isinstance(layer, ConditionalBatchNormalization):
                layer.synchronized = True
    return model


def compile_args(family):
    # Plain SGD: an update is lr * gradient, so a wrongly scaled loss shows up
    # 1:1 in the weights (Adam would normalise the scale away, and amplifies
    # float noise in near-zero gradients into +-lr steps).
    args = dict(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    if family == "wgan_gp":
        args["n_critic"] = 2  # exercises the conditional generator step
    return args


def dataset(family, with_noise=True):
    rng = np.random.default_rng(0)
    n = GLOBAL_BATCH * STEPS
    data = {"images": rng.uniform(-1, 1, (n,) + IMAGE[family]).astype("float32")}
    if family in ("cgan", "sagan"):
        data["labels"] = rng.integers(0, 3, n).astype("int32")
    if with_noise:
        data["z_d"] = rng.normal(size=(n, LATENT)).astype("float32")
        data["z_g"] = rng.normal(size=(n, LATENT)).astype("float32")
        data["alpha"] = rng.uniform(size=(n, 1, 1, 1)).astype("float32")
    if not with_noise and family not in ("cgan", "sagan"):
        data = data["images"]
    return tf.data.Dataset.from_tensor_slices(data).batch(GLOBAL_BATCH, drop_remainder=True)


def snapshot(model):
    """name -> array of every network weight; and whether all mirrors agree."""
    weights, mirrors_agree, disagree = {}, True, []
    nets = [model.generator, model.discriminator]
    if model.ema_generator is not None:
        nets.append(model.ema_generator)
    for net in nets:
        for w in net.weights:
            inner = w.value
            if hasattr(inner, "values"):  # a distributed variable: one value per device
                values = [v.numpy() for v in inner.values]
                if not all(np.array_equal(values[0], v) for v in values[1:]):
                    mirrors_agree = False
                    disagree.append(f"{net.name}/{w.path}")
            weights[f"{net.name}/{w.path}"] = np.array(w)
    snapshot.disagree = disagree
    return weights, bool(mirrors_agree)


def fit(model, ds):
    history = model.fit(ds, epochs=1, verbose=0)
    return {k: [float(v) for v in vs] for k, vs in history.history.items()}


def equivalence(family, sync_bn):
    """Same global batch, same initial weights, same noise: one device vs two."""
    penalties.gradient_penalty = _injected_gradient_penalty
    reference = build(family, injected, sync_bn=sync_bn)
    reference.compile(**compile_args(family))
    initial = [np.array(w) for w in reference.weights]
    ref_history = fit(reference, dataset(family))
    with STRATEGY.scope():
        mirrored = build(family, injected, sync_bn=sync_bn)
        for w, value in zip(mirrored.weights, initial):
            w.assign(value)
        mirrored.compile(**compile_args(family))
    dist_history = fit(mirrored, dataset(family))
    ref_weights, _ = snapshot(reference)
    dist_weights, mirrors_agree = snapshot(mirrored)
    diffs = {k: float(np.max(np.abs(ref_weights[k] - dist_weights[k]))) for k in ref_weights}
    moved = {k: float(np.max(np.abs(ref_weights[k] - v))) for k, v in
             zip(ref_weights, [np.array(w) for w in _network_weights(reference, initial)])}
    return {
        "replicas": STRATEGY.num_replicas_in_sync,
        "max_abs_diff": max(diffs.values()),
        "worst": max(diffs, key=diffs.get),
        "max_moved": max(moved.values()),
        "mirrors_agree": mirrors_agree,
        "mirrors_disagree": snapshot.disagree,
        "ref_history": ref_history,
        "dist_history": dist_history,
        "d_iterations": [int(o.iterations.numpy()) for o in (reference.d_optimizer, mirrored.d_optimizer)],
        "g_iterations": [int(o.iterations.numpy()) for o in (reference.g_optimizer, mirrored.g_optimizer)],
    }


def _network_weights(model, initial):
    """The initial values of the weights `snapshot` lists, in its order."""
    by_id = {id(w): v for w, v in zip(model.weights, initial)}
    nets = [model.generator, model.discriminator]
    if model.ema_generator is not None:
        nets.append(model.ema_generator)
    return [by_id[id(w)] for net in nets for w in net.weights]


def draws():
    """What each replica draws from the model's seed generator."""
    with STRATEGY.scope():
        model = build("wgan_gp", ema_decay=None)

    @tf.function
    def per_replica():
        def fn():
            latents = model.sample_latents(4)
            real = tf.zeros([4, 16, 16, 1])
            alpha_probe = keras.random.uniform([4, 1, 1, 1], seed=model.seed_generator)
            return latents, alpha_probe, real[:, 0, 0, 0]
        return STRATEGY.run(fn)

    latents, alpha, _ = per_replica()
    latents = [np.array(t) for t in STRATEGY.experimental_local_results(latents)]
    alpha = [np.array(t) for t in STRATEGY.experimental_local_results(alpha)]
    states = [np.array(v) for v in model.seed_generator.state.value.values]
    # Single-replica draws are those of a plain keras SeedGenerator.
    plain = keras.random.SeedGenerator(3)
    ours = distribute.ReplicaSeedGenerator(3)
    same_as_plain = all(
        np.array_equal(keras.random.normal([4, 8], seed=plain), keras.random.normal([4, 8], seed=ours))
        for _ in range(3)
    )
    # The same seed gives the same distributed run.
    runs = []
    for _ in range(2):
        keras.utils.set_random_seed(0)  # initial weights come from the global seed
        with STRATEGY.scope():
            m = build("dcgan", ema_decay=None, sync_bn=False)
            m.compile()
        fit(m, dataset("dcgan", with_noise=False))
        runs.append(snapshot(m)[0])
    reproducible = all(np.array_equal(runs[0][k], runs[1][k]) for k in runs[0])
    # Dropout: kerasgan's layer draws another mask per replica, Keras' the same.
    from kerasgan.layers import ReplicaDropout

    with STRATEGY.scope():
        ours_dropout, keras_dropout = ReplicaDropout(0.5, seed=1), keras.layers.Dropout(0.5, seed=1)

    @tf.function
    def masks():
        ones = tf.ones([4, 64])
        return STRATEGY.run(lambda: (ours_dropout(ones, training=True), keras_dropout(ones, training=True)))

    ours_masks, keras_masks = [
        [np.array(t) for t in STRATEGY.experimental_local_results(m)] for m in masks()
    ]
    return {
        "dropout_masks_differ": not np.array_equal(ours_masks[0], ours_masks[1]),
        "keras_dropout_masks_equal": bool(np.array_equal(keras_masks[0], keras_masks[1])),
        "latents_differ": not np.allclose(latents[0], latents[1]),
        "alpha_differ": not np.allclose(alpha[0], alpha[1]),
        "rows_differ_within_replica": not np.allclose(latents[0][0], latents[0][1]),
        "states_agree": all(np.array_equal(states[0], s) for s in states[1:]),
        "same_as_plain_on_one_replica": bool(same_as_plain),
        "reproducible": bool(reproducible),
    }


def jit():
    results = {}
    with STRATEGY.scope():
        model = build("gan", ema_decay=None)
        try:
            model.compile(jit_compile=True)
            results["jit_true"] = "accepted"
        except ValueError as e:
            results["jit_true"] = str(e)
        model.compile(jit_compile="auto")
        results["auto_jit"] = bool(model.jit_compile)
        results["auto_runs"] = np.isfinite(fit(model, dataset("gan", with_noise=False))["d_loss"][0]).item()
    return results


def multi_worker(out_weights):
    """One worker of the two-worker test: train, then save the weights."""
    keras.utils.set_random_seed(0)  # same initial weights on both workers
    with STRATEGY.scope():
        model = build("gan", ema_decay=0.9)
        model.compile(n_critic=2)  # Adam; the conditional generator step
    history = fit(model, dataset("gan", with_noise=False))
    weights, mirrors_agree = snapshot(model)
    np.savez(out_weights, **{k.replace("/", "|"): v for k, v in weights.items()})
    # The workers' agreement check: silent on equal values, an error on every
    # worker when they differ.
    distribute.check_workers_agree(STRATEGY, 7, "a constant")
    try:
        distribute.check_workers_agree(STRATEGY, STRATEGY.cluster_resolver.task_id, "the worker index")
        disagreement = None
    except ValueError as e:
        disagreement = str(e)
    return {"replicas": STRATEGY.num_replicas_in_sync, "history": history,
            "mirrors_agree": mirrors_agree, "is_chief": distribute.is_chief(STRATEGY),
            "disagreement": disagreement}


# ------------------------------------------------ trainer checkpoints, 2 replicas
def _mirrors(variables):
    """Each variable as a list of arrays, one per mirror (one off a strategy)."""
    state = []
    for v in variables:
        inner = getattr(v, "value", v)
        values = getattr(inner, "values", None) or [inner]
        state.append([x.numpy() for x in values])
    return state


def _state(model):
    """The run's whole state: weights, both optimizers, the seed generator."""
    return _mirrors(list(model.weights) + list(model.d_optimizer.variables)
                    + list(model.g_optimizer.variables) + [model.seed_generator.state])


def _max_diff(a, b):
    """Largest |a - b| between every mirror of `b` and the first of `a`."""
    worst = 0.0
    for mirrors_a, mirrors_b in zip(a, b, strict=True):
        for x in mirrors_b:
            worst = max(worst, float(np.max(np.abs(mirrors_a[0].astype("float64") - x))) if x.size else 0.0)
    return worst


def trainer_checkpoints(work):
    """kerasgan.trainer.train's checkpoints under two replicas (cpu:2)."""
    from kerasgan import trainer
    from trainer_checks import TINY_DCGAN_RUN as TRAINER_TINY  # tests/ is this script's folder
    from trainer_checks import StopAfterEpoch

    # (a) Interrupted after epoch 1 and resumed vs. straight, both on 2 replicas.
    straight, _ = trainer.train(out=f"{work}/straight", epochs=2, strategy="cpu:2", **TRAINER_TINY)
    try:
        trainer.train(out=f"{work}/resumed", epochs=2, strategy="cpu:2",
                      extra_callbacks=[StopAfterEpoch(1)], **TRAINER_TINY)
        interrupted = False
    except KeyboardInterrupt:
        interrupted = True
    resumed, history = trainer.train(out=f"{work}/resumed", epochs=2, strategy="cpu:2", **TRAINER_TINY)
    keras.utils.set_random_seed(3)  # as the trainer does: the runs' initial weights
    initial = trainer.build_model("dcgan", 16, 1, latent_dim=8, seed=3, **TRAINER_TINY["model_kwargs"])
    # (b) Saved on one device, restored on two replicas (an already finished
    # run: the trainer restores, trains nothing and returns the model).
    one, _ = trainer.train(out=f"{work}/one", epochs=1, strategy="default", **TRAINER_TINY)
    two, nothing = trainer.train(out=f"{work}/one", epochs=1, strategy="cpu:2", **TRAINER_TINY)
    return {
        "interrupted": interrupted,
        "resumed_epochs": history.epoch,
        "replicas": [m.distribute_strategy.num_replicas_in_sync for m in (straight, resumed, one, two)],
        "resume_max_diff": _max_diff(_state(straight), _state(resumed)),
        "trained": _max_diff(_mirrors(initial.weights), _mirrors(straight.weights)),
        "g_iterations": [int(m.g_optimizer.iterations.numpy()) for m in (straight, resumed)],
        "restored_history": nothing,
        "restore_max_diff": _max_diff(_state(one), _state(two)),
        "restored_mirrors": len(_state(two)[0]),
        "restored_g_iterations": int(two.g_optimizer.iterations.numpy()),
    }


if __name__ == "__main__":
    if SCENARIO == "equivalence":  # ARGS: family:sync or family:local, ...
        result = {}
        for arg in ARGS:
            family, bn = arg.split(":")
            result[arg] = equivalence(family, sync_bn=bn == "sync")
    elif SCENARIO == "draws":
        result = draws()
    elif SCENARIO == "jit":
        result = jit()
    elif SCENARIO == "multi_worker":
        result = multi_worker(ARGS[0])
    elif SCENARIO == "trainer_checkpoints":
        result = trainer_checkpoints(ARGS[0])
    else:
        raise SystemExit(f"unknown scenario {SCENARIO!r}")
    with open(OUT, "w") as f:
        json.dump(result, f, indent=2)
    # Multi-worker collectives can hang at interpreter exit: leave at once.
    sys.stdout.flush()
    os._exit(0)
