"""Per-image preprocessing shared by every source, as TensorFlow ops.

Every source hands the pipeline single images `[H, W, C]` that are either
`uint8` (0..255) or `float32` already in [-1, 1]. `preprocess_image` turns one
of them into what a GAN trains on: `float32` in [-1, 1], `C` converted to the
requested channel count, center-cropped to the target aspect ratio and resized
(bilinear, antialiased when shrinking) to `[height, width]`.

These functions run inside `tf.data.Dataset.map`, so they work on tensors of
unknown height and width.
"""

import tensorflow as tf

_LUMA_WEIGHTS = tuple(w / (0.2989 + 0.5870 + 0.1140) for w in (0.2989, 0.5870, 0.1140))


def to_unit_range(image):
    """Convert an image to `float32` in [-1, 1].

    Args:
        image: a `uint8` tensor (0..255, mapped by `x / 127.5 - 1`, so 0 -> -1.0
            and 255 -> 1.0 exactly) or a floating tensor already in [-1, 1]
            (cast to `float32`, values unchanged).

    Returns:
        A `float32` tensor of the same shape.
    """
    if image.dtype == tf.uint8:
        return tf.cast(image, tf.float32) / 127.5 - 1.0
    return tf.cast(image, tf.float32)


def center_crop_to_aspect(image, height, width):
    """Center-crop `image` to the aspect ratio `height : width`.

    Only the longer side (relative to the target ratio) is cut, symmetrically;
    an image that already has the target ratio is returned unchanged.

    Args:
        image: a `[H, W, C]` tensor (H and W may be unknown statically).
        height: target height (int), only its ratio to `width` matters.
        width: target width (int).

    Returns:
        The cropped `[H', W', C]` tensor with `H' / W'` as close to
        `height / width` as whole pixels allow.
    """
    shape = tf.shape(image)
    h = tf.cast(shape[0], tf.int64)
    w = tf.cast(shape[1], tf.int64)
    th = tf.constant(height, tf.int64)
    tw = tf.constant(width, tf.int64)
    # Too tall when h / w > th / tw  <=>  h * tw > w * th (integer arithmetic).
    too_tall = h * tw > w * th
    # Round to the nearest pixel: (a + b // 2) // b.
    crop_h = tf.where(too_tall, (w * th + tw // 2) // tw, h)
    crop_w = tf.where(too_tall, w, (h * tw + th // 2) // th)
    crop_h = tf.maximum(crop_h, 1)
    crop_w = tf.maximum(crop_w, 1)
    offset_h = (h - crop_h) // 2
    offset_w = (w - crop_w) // 2
    return tf.image.crop_to_bounding_box(
        image,
        tf.cast(offset_h, tf.int32),
        tf.cast(offset_w, tf.int32),
        tf.cast(crop_h, tf.int32),
        tf.cast(crop_w, tf.int32),
    )


def convert_channels(image, channels):
    """Convert a `[H, W, C]` image with C in {1, 3} to `channels` (1 or 3).

    Grayscale -> RGB repeats the channel; RGB -> grayscale uses the ITU-R 601
    luma weights (those of `tf.image.rgb_to_grayscale`), normalised to sum to
    exactly 1 so that black stays -1 and white stays 1 in [-1, 1] space.

    Args:
        image: a floating `[H, W, 1]` or `[H, W, 3]` tensor.
        channels: 1 or 3.

    Returns:
        The `[H, W, channels]` tensor.
    """
    source_channels = image.shape[-1]
    if source_channels == channels:
        return image
    if source_channels == 1 and channels == 3:
        return tf.image.grayscale_to_rgb(image)
    if source_channels == 3 and channels == 1:
        weights = tf.constant(_LUMA_WEIGHTS, image.dtype)
        return tf.reduce_sum(image * weights, axis=-1, keepdims=True)
    raise ValueError(
        "Can only convert between 1 and 3 channels. "
        f"Received: image with {source_channels} channels, channels={channels}"
    )


def preprocess_image(image, height, width, channels):
    """Turn one source image into a training image.

    Steps: scale to [-1, 1] (`to_unit_range`), convert channels, center-crop
    to the target aspect ratio (`center_crop_to_aspect`), resize bilinearly to
    `[height, width]` (antialiased when shrinking; a no-op when the size already
    matches) and clip to [-1, 1] against rounding.

    Args:
        image: a `uint8` or floating `[H, W, C]` tensor, C in {1, 3}.
        height: output height.
        width: output width.
        channels: output channel count, 1 or 3.

    Returns:
        A `float32` tensor `[height, width, channels]` in [-1, 1].
    """
    image = to_unit_range(image)
    if image.shape[-1] == 3 and channels == 1:
        image = convert_channels(image, 1)  # cheaper before resizing
    image = center_crop_to_aspect(image, height, width)
    image = tf.image.resize(image, [height, width], method="bilinear", antialias=True)
    image = convert_channels(image, channels)
    image = tf.clip_by_value(image, -1.0, 1.0)
    image.set_shape([height, width, channels])
    return image
