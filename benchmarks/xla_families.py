"""XLA or not, per family: training steps/s with `jit_compile=False` and `True`.

    python benchmarks/xla_families.py [--families dcgan,wgan_gp] [--steps 80 --repeats 3]

Every family at the size of its zoo recipe (32x32 grayscale, 32 filters,
latent 64, batch 32; the vanilla GAN's MLP at 28x28), compiled with its
defaults. WGAN-GP keeps n_critic 5 (one fit step is one critic update, the
generator every fifth), StyleGAN its lazy R1 every 16 steps, so each
measured stretch covers whole cycles with `--steps` a multiple of 80.
Both variants of a family are built in one process and timed alternately,
step by step through `model.train_function` on one in-memory batch, after
`--warmup` untimed steps (tracing and XLA compilation). Reports medians and
the ratio XLA / default. This is how kerasgan's default (`jit_compile=False`)
was chosen; see benchmarks/README.md.
"""

import argparse
import statistics
import time

import numpy as np

import kerasgan  # before TensorFlow: sets its oneDNN default
from dcgan_throughput import train_function_step  # benchmarks/ is on sys.path as the script's folder

BATCH = 32


def build(family, jit):
    from kerasgan import models

    common = dict(latent_dim=64, seed=0)
    if family == "gan":
        model = models.VanillaGAN((28, 28, 1), **common)
    elif family == "dcgan":
        model = models.DCGAN((32, 32, 1), generator_filters=32, discriminator_filters=32, **common)
    elif family == "cgan":
        model = models.CGAN((32, 32, 1), 10, generator_filters=32, discriminator_filters=32, **common)
    elif family == "wgan_gp":
        model = models.WGANGP((32, 32, 1), generator_filters=32, critic_filters=32, **common)
    elif family == "progan":
        model = models.ProGAN(target_resolution=32, start_resolution=32, channels=1, filters=32, **common)
    elif family == "stylegan":
        model = models.StyleGAN(target_resolution=32, start_resolution=32, channels=1, filters=32,
                                style_mode="modulated", **common)
    else:
        raise ValueError(f"Unknown family {family!r}")
    model.compile(jit_compile=jit)
    return model


def runner(family, jit):
    model = build(family, jit)
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (BATCH,) + tuple(model.image_shape)).astype("float32")
    batch = (images, rng.integers(0, 10, BATCH).astype("int32")) if model.conditional else images
    return train_function_step(model, batch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", default="gan,dcgan,cgan,wgan_gp,progan,stylegan")
    parser.add_argument("--steps", type=int, default=80, help="timed steps per repeat")
    parser.add_argument("--warmup", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"TensorFlow oneDNN kernels: {'on' if kerasgan.onednn_enabled() else 'off'}")
    for family in args.families.split(","):
        steps = {"default": runner(family, False), "xla": runner(family, True)}
        for step in steps.values():
            for _ in range(args.warmup):
                step()
        rates = {name: [] for name in steps}
        for _ in range(args.repeats):
            for name, step in steps.items():
                start = time.perf_counter()
                for _ in range(args.steps):
                    step()
                rates[name].append(args.steps / (time.perf_counter() - start))
        med = {name: statistics.median(v) for name, v in rates.items()}
        print(f"{family:9s} default {med['default']:7.2f} steps/s  xla {med['xla']:7.2f} steps/s  "
              f"ratio xla/default {med['xla'] / med['default']:.2f}  "
              f"(repeats: {', '.join(f'{r:.2f}' for r in rates['default'])} | "
              f"{', '.join(f'{r:.2f}' for r in rates['xla'])})", flush=True)


if __name__ == "__main__":
    main()
