"""Each convolution of the DCGAN 64x64 benchmark on its own: TensorFlow vs PyTorch.

    python benchmarks/conv_layers.py [--repeats 10]

Times forward + both backward passes (to the input and to the kernel) of
every transposed convolution of the generator and every convolution of the
discriminator (4x4 kernels, stride 2, batch 64), TensorFlow in NHWC
(`tf.nn.conv2d_transpose` / `tf.nn.conv2d` in a `tf.function`) and PyTorch
in NCHW, medians of `--repeats` calls each. Run it with
`TF_ENABLE_ONEDNN_OPTS=0` and `=1` to see which kernels TensorFlow uses
(`import kerasgan` sets 1 on x86-64 unless the variable is set).
PyTorch is not a kerasgan dependency: `pip install torch==2.13.0`.
"""

import argparse
import time

import numpy as np

import kerasgan  # before TensorFlow: sets its oneDNN default

BATCH = 64
#: (kind, input size, input channels, output channels) of DCGAN 64x64, ngf = ndf = 64.
LAYERS = [
    ("deconv", 4, 512, 256), ("deconv", 8, 256, 128), ("deconv", 16, 128, 64), ("deconv", 32, 64, 1),
    ("conv", 64, 1, 64), ("conv", 32, 64, 128), ("conv", 16, 128, 256), ("conv", 8, 256, 512),
]


def median_ms(fn, repeats):
    fn()
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000


def tf_layer(kind, size, c_in, c_out):
    import tensorflow as tf

    x = tf.random.normal([BATCH, size, size, c_in])
    if kind == "deconv":
        kernel = tf.Variable(tf.random.normal([4, 4, c_out, c_in]) * 0.02)
        out_shape = [BATCH, 2 * size, 2 * size, c_out]

        def forward(x):
            return tf.nn.conv2d_transpose(x, kernel, out_shape, 2, padding="SAME")
    else:
        kernel = tf.Variable(tf.random.normal([4, 4, c_in, c_out]) * 0.02)

        def forward(x):
            return tf.nn.conv2d(x, kernel, 2, padding="SAME")

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = forward(x)
            loss = tf.reduce_sum(y * y)
        grad_x, grad_kernel = tape.gradient(loss, [x, kernel])
        return tf.reduce_sum(grad_x) + tf.reduce_sum(grad_kernel)

    return lambda: float(step())


def torch_layer(kind, size, c_in, c_out):
    import torch

    conv = (torch.nn.ConvTranspose2d if kind == "deconv" else torch.nn.Conv2d)(c_in, c_out, 4, 2, 1, bias=False)
    x = torch.randn(BATCH, c_in, size, size, requires_grad=True)

    def step():
        y = conv(x)
        loss = (y * y).sum()
        loss.backward()
        return float(loss.detach())

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    print(f"TensorFlow oneDNN kernels: {'on' if kerasgan.onednn_enabled() else 'off'}")
    totals = np.zeros(2)
    for layer in LAYERS:
        kind, size, c_in, c_out = layer
        ms = np.array([median_ms(tf_layer(*layer), args.repeats), median_ms(torch_layer(*layer), args.repeats)])
        totals += ms
        print(f"{kind:6s} {size:3d}x{size:<3d} {c_in:4d}->{c_out:<4d} tensorflow {ms[0]:7.1f} ms  "
              f"torch {ms[1]:7.1f} ms  ratio {ms[0] / ms[1]:5.2f}", flush=True)
    print(f"all layers: tensorflow {totals[0]:.0f} ms, torch {totals[1]:.0f} ms, ratio {totals[0] / totals[1]:.2f}")


if __name__ == "__main__":
    main()
