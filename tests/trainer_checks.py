"""Shared pieces of the trainer tests (in-process and in worker subprocesses)."""

import keras

#: A tiny DCGAN run of `kerasgan.trainer.train` (seconds per epoch).
TINY_DCGAN_RUN = dict(
    family="dcgan", dataset="digits", image_size=16, batch_size=16, latent_dim=8, seed=3,
    model_kwargs={"generator_filters": 4, "discriminator_filters": 4, "ema_decay": 0.9},
    steps_per_epoch=3, num_samples=4, tensorboard=False, verbose=0,
)


class StopAfterEpoch(keras.callbacks.Callback):
    """Simulates a run killed right after an epoch (after its checkpoint)."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            raise KeyboardInterrupt("killed")


def downsample_to(images, resolution):
    """Average-pools NHWC `images` by 2 until they are `resolution` wide."""
    while images.shape[1] > resolution:
        n, h, w, c = images.shape
        images = images.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))
    return images
