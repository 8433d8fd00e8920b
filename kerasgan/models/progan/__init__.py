"""ProGAN (Karras et al., 2018): progressive growing with rebuild-and-transfer."""

from kerasgan.models.progan.fade_in import FadeIn
from kerasgan.models.progan.progan import ProGAN, copy_weights_by_name, rebuild_optimizer
from kerasgan.models.progan.progan_discriminator import ProGANDiscriminator
from kerasgan.models.progan.progan_generator import ProGANGenerator
from kerasgan.models.progan.train_progressive import train_progressive

__all__ = [
    "FadeIn",
    "ProGAN",
    "ProGANDiscriminator",
    "ProGANGenerator",
    "copy_weights_by_name",
    "rebuild_optimizer",
    "train_progressive",
]
