"""DCGAN training throughput: kerasgan vs the same network in PyTorch.

    python benchmarks/dcgan_throughput.py [--model dcgan64|dcgan32] --steps 20 --repeats 3
        [--fit] [--keras-bn] [--jit] [--bf16 [--with-fp32]] [--channels-last]

One step = one full discriminator update and one generator update on a
batch (non-saturating BCE, Adam(2e-4, 0.5)). `--model dcgan64` (default) is
the classic DCGAN at batch 64: generator 100 -> 512x4x4 -> 256x8x8 ->
128x16x16 -> 64x32x32 -> 1x64x64 (4x4 transposed convolutions, batch norm,
ReLU, tanh), discriminator the mirror image with LeakyReLU(0.2), batch norm
on all but the first block, no biases anywhere. `--model dcgan32` is the
zoo's dcgan-mnist-32 recipe: the same design at 32x32 with 32 filters,
latent 64, batch 32 and an EMA copy of the generator (decay 0.995), which
the PyTorch side keeps too.

kerasgan is timed through `model.train_function` on an iterator over one
in-memory batch, step by step, and with `--fit` also through whole
`model.fit(ds, steps_per_epoch=--steps, epochs=1)` calls, a user's path.
`--keras-bn` adds kerasgan built with Keras' own BatchNormalization instead
of kerasgan's fused one. Both frameworks run in this process, alternating
within each repeat (the order reversed every other repeat). Reported:
medians over repeats of images/s, the ratios (of the medians, and the
median of the per-repeat ratios, steadier on a noisy machine), analytic
FLOPs per step and the fraction of the machine's matmul peak (the faster of
a TF and a PyTorch 4096x4096 matmul, in float32, or in bfloat16 for a --bf16
run), and whether TensorFlow's oneDNN kernels are on (`import kerasgan`
turns them on for x86-64 CPUs unless TF_ENABLE_ONEDNN_OPTS is set; see
kerasgan/__init__.py). On a GPU both sides use it.

PyTorch is not a kerasgan dependency: `pip install torch==2.13.0`.
"""

import argparse
import contextlib
import math
import os
import platform
import statistics
import subprocess
import time

import numpy as np

import kerasgan  # before TensorFlow: sets its oneDNN default

#: The networks the script can time. dcgan64 is the classic DCGAN (the
#: reference of issue 17); dcgan32 is the zoo's `dcgan-mnist-32` recipe
#: (training/recipes.py: 32x32x1, 32 filters, latent 64, batch 32, EMA 0.995).
PRESETS = {
    "dcgan64": dict(size=64, filters=64, latent=100, batch=64, ema_decay=None),
    "dcgan32": dict(size=32, filters=32, latent=64, batch=32, ema_decay=0.995),
}
CHANNELS = 1
BATCH, LATENT, NGF, NDF, SIZE, EMA_DECAY = 64, 100, 64, 64, 64, None


def use_preset(name):
    """Sets the module's network constants to preset `name`."""
    global BATCH, LATENT, NGF, NDF, SIZE, EMA_DECAY
    p = PRESETS[name]
    BATCH, LATENT, NGF, NDF, SIZE, EMA_DECAY = p["batch"], p["latent"], p["filters"], p["filters"], p["size"], p["ema_decay"]


# --------------------------------------------------------------------- FLOPs
def forward_macs():
    """Multiply-accumulates of one image through G and through D.

    Conv / transposed conv: MACs = H_out * W_out * C_out * C_in * k * k for a
    convolution, H_in * W_in * C_in * C_out * k * k for a transposed one
    (every input pixel is scattered through the k x k kernel). Batch norm,
    activations and the loss are ignored (< 1%).
    """
    top = NGF * 2 ** (int(math.log2(SIZE)) - 3)  # channels at 4x4 (512 for dcgan64)
    g = LATENT * top * 4 * 4  # 1x1 -> 4x4 (a dense layer in kerasgan)
    size, c = 4, top
    while size < SIZE // 2:
        g += size * size * c * (c // 2) * 16
        size, c = size * 2, c // 2
    g += size * size * c * CHANNELS * 16  # 32x32x64 -> 64x64x1
    d, size, c_in, c = 0, SIZE // 2, CHANNELS, NDF
    while size >= 4:
        d += size * size * c * c_in * 16
        size, c_in, c = size // 2, c, c * 2
    d += 4 * 4 * c_in * 1  # 4x4x512 -> 1 logit
    return g, d


def flops_per_step():
    """FLOPs of one training step (D update + G update) on the batch.

    With F(G), F(D) the forward MACs of one image, and a backward pass costing
    two forwards (input gradients + weight gradients), one backward to the
    inputs only costing one:
      D update: G forward (no gradient) + D forward/backward on real and fake
                = G + 2 * 3D
      G update: G forward/backward + D forward + D backward to its input
                = 3G + 2D
      total MACs per image = 4G + 8D; FLOPs = 2 * MACs * batch.
    """
    g, d = forward_macs()
    return 2 * (4 * g + 8 * d) * BATCH


# ------------------------------------------------------------------- kerasgan
@contextlib.contextmanager
def keras_batch_norm():
    """DCGAN built with Keras' own `BatchNormalization` instead of kerasgan's
    fused one (kerasgan/layers/batch_normalization.py): the "before" of
    `--keras-bn`."""
    import keras

    from kerasgan.models.dcgan import dcgan_discriminator, dcgan_generator

    modules = (dcgan_generator, dcgan_discriminator)
    saved = [m.BatchNormalization for m in modules]
    for m in modules:
        m.BatchNormalization = keras.layers.BatchNormalization
    try:
        yield
    finally:
        for m, layer in zip(modules, saved):
            m.BatchNormalization = layer


def keras_model(jit, bf16, keras_bn=False, steps_per_execution=1):
    import keras

    from kerasgan.models import DCGAN

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if bf16 else "float32")
    keras.utils.set_random_seed(0)
    with keras_batch_norm() if keras_bn else contextlib.nullcontext():
        model = DCGAN((SIZE, SIZE, CHANNELS), latent_dim=LATENT, generator_filters=NGF,
                      discriminator_filters=NDF, ema_decay=EMA_DECAY, seed=0)
    model.compile(loss="non_saturating", jit_compile=jit,  # Adam(2e-4, 0.5) defaults
                  steps_per_execution=steps_per_execution)
    keras.mixed_precision.set_global_policy("float32")
    return model


def batch_of_images():
    return np.random.default_rng(0).uniform(-1, 1, (BATCH, SIZE, SIZE, CHANNELS)).astype("float32")


def keras_runner(jit, bf16, keras_bn=False):
    return train_function_step(keras_model(jit, bf16, keras_bn), batch_of_images())


def fit_runner(bf16, steps, steps_per_execution=1):
    """One whole `model.fit(ds, steps_per_epoch=steps, epochs=1)` call per
    run, on a user's in-memory dataset (the path a user takes; it includes
    whatever `fit` costs around the steps), `steps_per_execution` steps per
    call of the compiled function."""
    import tensorflow as tf

    model = keras_model(False, bf16, steps_per_execution=steps_per_execution)
    dataset = tf.data.Dataset.from_tensors(batch_of_images()).repeat()

    def run():
        model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)

    return run


def train_function_step(model, batch):
    """A function running one compiled training step of `model` on `batch`
    (one in-memory batch, repeated) and waiting for it to finish."""
    import tensorflow as tf

    iterator = iter(tf.data.Dataset.from_tensors(batch).repeat())
    model.make_train_function()
    train = model.train_function

    def step():
        logs = train(iterator)
        return float(logs["d_loss"])  # waits for the step to finish

    return step


# -------------------------------------------------------------------- PyTorch
def torch_runner(channels_last, bf16):
    import torch
    from torch import nn

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)

    top = NGF * 2 ** (int(math.log2(SIZE)) - 3)

    def generator():
        layers, c = [nn.ConvTranspose2d(LATENT, top, 4, 1, 0, bias=False)], top
        layers += [nn.BatchNorm2d(c), nn.ReLU(True)]
        while c > NGF:
            layers += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU(True)]
            c //= 2
        layers += [nn.ConvTranspose2d(NGF, CHANNELS, 4, 2, 1, bias=False), nn.Tanh()]
        return nn.Sequential(*layers)

    def discriminator():
        layers, c = [nn.Conv2d(CHANNELS, NDF, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)], NDF
        while c < top:
            layers += [nn.Conv2d(c, c * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c * 2), nn.LeakyReLU(0.2, True)]
            c *= 2
        layers += [nn.Conv2d(c, 1, 4, 1, 0, bias=False)]
        return nn.Sequential(*layers)

    def init(m):
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)

    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    netG, netD = generator().to(device), discriminator().to(device)
    netG.apply(init)
    netD.apply(init)
    netG, netD = netG.to(memory_format=memory_format), netD.to(memory_format=memory_format)
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    criterion = nn.BCEWithLogitsLoss()
    real = (torch.rand(BATCH, CHANNELS, SIZE, SIZE, device=device) * 2 - 1).to(memory_format=memory_format)
    ones = torch.ones(BATCH, device=device)
    zeros = torch.zeros(BATCH, device=device)
    autocast = torch.autocast(device, dtype=torch.bfloat16, enabled=bf16)
    if EMA_DECAY:  # kerasgan's ema_decay: an averaged copy of G, updated after each G step
        ema = [p.detach().clone() for p in netG.parameters()]
        ema_buffers = [b.detach().clone() for b in netG.buffers()]

    def step():
        # D update: real -> 1, fake -> 0 (fake detached).
        with autocast:
            noise = torch.randn(BATCH, LATENT, 1, 1, device=device)
            fake = netG(noise)
            optD.zero_grad(set_to_none=True)
            loss_d = criterion(netD(real).view(-1).float(), ones) + criterion(
                netD(fake.detach()).view(-1).float(), zeros)
        loss_d.backward()
        optD.step()
        # G update with fresh latents (as kerasgan does): D(G(z)) -> 1.
        with autocast:
            noise = torch.randn(BATCH, LATENT, 1, 1, device=device)
            optG.zero_grad(set_to_none=True)
            loss_g = criterion(netD(netG(noise)).view(-1).float(), ones)
        loss_g.backward()
        optG.step()
        if EMA_DECAY:
            with torch.no_grad():
                torch._foreach_lerp_(ema, [p.detach() for p in netG.parameters()], 1 - EMA_DECAY)
                for e, b in zip(ema_buffers, netG.buffers()):
                    e.copy_(b)
        return float(loss_d.detach())  # waits for the step to finish

    return step


# ---------------------------------------------------------------- measurement
def time_steps(step, steps):
    """Seconds for `steps` calls of `step`."""
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return time.perf_counter() - start


def matmul_peak(with_torch, n=4096, repeats=5, bf16=False):
    """GFLOP/s of an n x n matmul (best of `repeats`) in float32, or in
    bfloat16 with `bf16` (the peak a bf16 run is measured against):
    {library: rate} for TensorFlow and, when it is installed, PyTorch."""
    import tensorflow as tf

    dtype = tf.bfloat16 if bf16 else tf.float32
    a = tf.cast(tf.random.normal([n, n]), dtype)
    b = tf.cast(tf.random.normal([n, n]), dtype)
    matmul = tf.function(lambda: tf.reduce_sum(tf.cast(tf.matmul(a, b), tf.float32)))
    float(matmul())
    rates = {"tensorflow": 2 * n**3 / min(time_steps(lambda: float(matmul()), 1)
                                          for _ in range(repeats)) / 1e9}
    if with_torch:
        import torch

        tdtype = torch.bfloat16 if bf16 else torch.float32
        at, bt = torch.randn(n, n, dtype=tdtype), torch.randn(n, n, dtype=tdtype)
        float((at @ bt).float().sum())
        rates["torch"] = 2 * n**3 / min(time_steps(lambda: float((at @ bt).float().sum()), 1)
                                        for _ in range(repeats)) / 1e9
    return rates


def cpu_description():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return platform.processor(), set()
    info = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    name = info.get("Model name", "?").strip()
    flags = set(info.get("Flags", "").split())
    return f"{name}, {os.cpu_count()} logical CPUs", flags


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=sorted(PRESETS), default="dcgan64",
                        help="dcgan64: the classic DCGAN; dcgan32: the zoo's dcgan-mnist-32 recipe")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per repeat")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps before timing")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jit", action="store_true", help="also time kerasgan with jit_compile=True")
    parser.add_argument("--bf16", action="store_true",
                        help="mixed_bfloat16 / torch.autocast(bfloat16) on both sides")
    parser.add_argument("--with-fp32", action="store_true",
                        help="with --bf16: also time kerasgan in float32 in the same repeats "
                             "(kerasgan_fp32), for the bf16 speed-up")
    parser.add_argument("--keras-bn", action="store_true",
                        help="also time kerasgan built with Keras' own BatchNormalization "
                             "(kerasgan_kerasbn) instead of kerasgan's fused one")
    parser.add_argument("--fit", action="store_true",
                        help="also time kerasgan through whole `fit` calls of --steps steps "
                             "(kerasgan_fit: one call per repeat)")
    parser.add_argument("--steps-per-execution", type=int, default=0, metavar="K",
                        help="with --fit: also time fit calls compiled with steps_per_execution=K "
                             "(kerasgan_fit_spe)")
    parser.add_argument("--channels-last", action="store_true", help="torch in channels_last")
    parser.add_argument("--no-torch", action="store_true")
    args = parser.parse_args()
    use_preset(args.model)

    import keras
    import tensorflow as tf

    cpu, flags = cpu_description()
    gpus = tf.config.list_physical_devices("GPU")
    if args.bf16 and not gpus and not ({"avx512_bf16", "amx_bf16"} & flags):
        print("note: this CPU has no avx512_bf16/amx_bf16: bfloat16 runs emulated "
              "(expect it to be slower than float32).")
    # Each entry runs `steps` training steps; most run one step per call.
    runners = {"kerasgan": (keras_runner(False, args.bf16), 1)}
    if args.fit:
        runners["kerasgan_fit"] = (fit_runner(args.bf16, args.steps), args.steps)
        if args.steps_per_execution > 1:
            runners["kerasgan_fit_spe"] = (fit_runner(args.bf16, args.steps, args.steps_per_execution), args.steps)
    if args.keras_bn:
        runners["kerasgan_kerasbn"] = (keras_runner(False, args.bf16, keras_bn=True), 1)
    if args.bf16 and args.with_fp32:
        runners["kerasgan_fp32"] = (keras_runner(False, False), 1)
    if args.jit:
        runners["kerasgan_xla"] = (keras_runner(True, args.bf16), 1)
    torch_version = None
    if not args.no_torch:
        import torch

        torch_version = torch.__version__
        runners["torch"] = (torch_runner(args.channels_last, args.bf16), 1)

    for name, (run, per_call) in runners.items():  # warm-up (tracing, compilation, allocator)
        start = time.perf_counter()
        for _ in range(max(1, args.warmup // per_call)):
            run()
        print(f"warm-up {name}: {time.perf_counter() - start:.1f} s")

    # Repeats alternate the runners, in reverse order every other repeat, so
    # that a drift in the machine's speed falls on all of them alike.
    rates = {name: [] for name in runners}
    names = list(runners)
    for r in range(args.repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            run, per_call = runners[name]
            seconds = time_steps(run, args.steps // per_call)
            rates[name].append(BATCH * args.steps / seconds)
            print(f"repeat {r + 1}/{args.repeats} {name:16s} {seconds / args.steps * 1000:7.1f} ms/step "
                  f"{rates[name][-1]:7.1f} img/s")

    flops = flops_per_step()
    peaks = {} if gpus else matmul_peak(with_torch=not args.no_torch, bf16=args.bf16)
    peak = max(peaks.values()) if peaks else None
    print()
    print(f"machine: {cpu}; GPU: {[g.name for g in gpus] or 'none'}")
    print(f"versions: tensorflow {tf.__version__}, keras {keras.__version__}, torch {torch_version}")
    g, d = forward_macs()
    print(f"model {args.model}: {SIZE}x{SIZE}x{CHANNELS}, {NGF} filters, latent {LATENT}, batch {BATCH}, "
          f"EMA {EMA_DECAY}; forward MACs per image: G {g / 1e6:.1f} M, D {d / 1e6:.1f} M; "
          f"FLOPs per training step: {flops / 1e9:.1f} GFLOP")
    print(f"TensorFlow oneDNN kernels: {'on' if kerasgan.onednn_enabled() else 'off'} "
          f"(TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS')})")
    if peak:
        each = ", ".join(f"{k} {v:.0f}" for k, v in peaks.items())
        print(f"{'bf16' if args.bf16 else 'fp32'} matmul peak (4096^2, best of {each}): {peak:.0f} GFLOP/s")
    print(f"{'':16s} {'median img/s':>12s} {'ms/step':>8s} {'GFLOP/s':>8s} {'of peak':>8s}")
    medians = {name: statistics.median(v) for name, v in rates.items()}
    for name, rate in medians.items():
        gflops = flops * rate / BATCH / 1e9
        share = f"{gflops / peak:8.0%}" if peak else f"{'-':>8s}"
        print(f"{name:16s} {rate:12.1f} {BATCH / rate * 1000:8.1f} {gflops:8.0f} {share}")

    def ratio(a, b):  # of the medians; and the median of the per-repeat ratios
        paired = statistics.median(x / y for x, y in zip(rates[a], rates[b]))
        return f"{medians[a] / medians[b]:.2f} (per repeat: median {paired:.2f})"

    if "kerasgan_fp32" in medians:
        print(f"ratio kerasgan bf16/fp32: {ratio('kerasgan', 'kerasgan_fp32')}")
    if "kerasgan_kerasbn" in medians:
        print(f"ratio kerasgan fused/Keras batch norm: {ratio('kerasgan', 'kerasgan_kerasbn')}")
    if "kerasgan_fit" in medians:
        print(f"ratio kerasgan fit/train_function: {ratio('kerasgan_fit', 'kerasgan')}")
    if "kerasgan_fit_spe" in medians:
        print(f"ratio kerasgan fit steps_per_execution={args.steps_per_execution}/1: "
              f"{ratio('kerasgan_fit_spe', 'kerasgan_fit')}")
    if "torch" in medians:
        for name in medians:
            if name != "torch":
                print(f"ratio {name}/torch: {ratio(name, 'torch')}")


if __name__ == "__main__":
    main()
