"""Translation quality against the true counterpart: L1, PSNR and SSIM.

Images are float in [-1, 1] (what `translate` returns and the loaders give),
`[N, H, W, C]`. They are compared per image and averaged:

- `l1`: mean absolute difference in [-1, 1] units (0 is perfect, 2 the worst);
  Pix2Pix's own L1 term.
- `psnr`: `tf.image.psnr` on the images mapped to [0, 1] (`max_val=1`), in dB:
  `10 log10(1 / MSE)`; identical images give inf (kept as inf per image,
  so the mean is inf).
- `ssim`: `tf.image.ssim` on [0, 1] images (Gaussian window 11 and sigma 1.5,
  k1 = 0.01, k2 = 0.03, as Wang et al. 2004); the window shrinks to the image
  size for images smaller than 11 pixels. Channels are averaged.
"""

import numpy as np
import tensorflow as tf

from kerasgan.utils.validation import check_positive_int


def _to_unit(images, name):
    images = tf.convert_to_tensor(images)
    if not images.dtype.is_floating:
        raise ValueError(f"`{name}` must be floating point in [-1, 1]. Received dtype: {images.dtype.name}")
    if images.shape.rank != 4:
        raise ValueError(f"`{name}` must be a batch [N, H, W, C]. Received shape: {tuple(images.shape)}")
    return (tf.cast(images, tf.float32) + 1.0) / 2.0


def _check_pair(predicted, target):
    p, t = _to_unit(predicted, "predicted"), _to_unit(target, "target")
    if tuple(p.shape) != tuple(t.shape):
        raise ValueError(f"`predicted` and `target` must have one shape. Received: {tuple(p.shape)} and {tuple(t.shape)}")
    return p, t


def l1_per_image(predicted, target):
    p, t = _check_pair(predicted, target)
    return 2.0 * tf.reduce_mean(tf.abs(p - t), axis=[1, 2, 3])  # in [-1, 1] units


def psnr_per_image(predicted, target):
    p, t = _check_pair(predicted, target)
    return tf.image.psnr(p, t, max_val=1.0)


def ssim_per_image(predicted, target, filter_size=11):
    p, t = _check_pair(predicted, target)
    size = min(check_positive_int("filter_size", filter_size), int(p.shape[1]), int(p.shape[2]))
    return tf.image.ssim(p, t, max_val=1.0, filter_size=size, filter_sigma=1.5, k1=0.01, k2=0.03)


def translation_metrics(predicted, target, batch_size=256):
    """`{"l1", "psnr", "ssim"}`: the means over the images (see the module
    docstring), computed `batch_size` images at a time."""
    batch_size = check_positive_int("batch_size", batch_size)
    n = int(np.shape(predicted)[0])
    if n == 0 or int(np.shape(target)[0]) != n:
        raise ValueError(f"`predicted` and `target` must hold the same number (> 0) of images. "
                         f"Received: {n} and {int(np.shape(target)[0])}")
    parts = {"l1": [], "psnr": [], "ssim": []}
    for start in range(0, n, batch_size):
        p, t = predicted[start: start + batch_size], target[start: start + batch_size]
        parts["l1"].append(l1_per_image(p, t).numpy())
        parts["psnr"].append(psnr_per_image(p, t).numpy())
        parts["ssim"].append(ssim_per_image(p, t).numpy())
    return {k: float(np.mean(np.concatenate(v))) for k, v in parts.items()}
