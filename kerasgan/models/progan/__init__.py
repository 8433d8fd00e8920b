"""ProGAN (Karras et al., 2018): progressive growing with rebuild-and-transfer."""

from kerasgan.layers.fade_in import FadeIn
from kerasgan.models.progan.progan import ProGAN, copy_weights_by_name, rebuild_optimizer
from kerasgan.models.progan.progan_discriminator import ProGANDiscriminator
from kerasgan.models.progan.progan_generator import ProGANGenerator

__all__ = [
    "FadeIn",
    "ProGAN",
    "ProGANDiscriminator",
    "ProGANGenerator",
    "copy_weights_by_name",
    "rebuild_optimizer",
    "train_progressive",
]


def __getattr__(name):
    # `train_progressive` is a training loop and lives with the callbacks it
    # drives; this alias keeps `from kerasgan.models.progan import
    # train_progressive` working without models importing callbacks at load.
    if name == "train_progressive":
        from kerasgan.callbacks.progressive import train_progressive

        return train_progressive
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
