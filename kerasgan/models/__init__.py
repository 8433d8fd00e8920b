"""GAN models: the `GAN` base class and every family built on it.

`get(name, **kwargs)` builds a family by its registry name (used by the CLI).
"""

from kerasgan import families
from kerasgan.models.biggan import BigGAN, BigGANDiscriminator, BigGANGenerator
from kerasgan.models.cgan import CGAN
from kerasgan.models.cyclegan import CycleGAN, ImagePool, LinearDecay, ReflectionPadding2D, ResNetGenerator
from kerasgan.models.dcgan import DCGAN, DCGANDiscriminator, DCGANGenerator
from kerasgan.models.dualgan import DualGAN, WeightClip
from kerasgan.models.gan import GAN
from kerasgan.models.sagan import SAGAN, SAGANDiscriminator, SAGANGenerator
from kerasgan.models.stackgan import StackGAN
from kerasgan.models.stargan import StarGAN, StarGANDiscriminator, StarGANGenerator
from kerasgan.models.srgan import SRGAN, ReplicationPadding2D, SRGANDiscriminator, SRResNetGenerator
from kerasgan.models.pix2pix import PatchGANDiscriminator, Pix2Pix, UNetGenerator
from kerasgan.models.progan import ProGAN, ProGANDiscriminator, ProGANGenerator
from kerasgan.models.stylegan import StyleGAN, StyleGANGenerator
from kerasgan.models.vanilla_gan import MLPDiscriminator, MLPGenerator, VanillaGAN
from kerasgan.models.wgan_gp import WGANGP

#: Registry name -> family class (the names and classes: `kerasgan.families`).
FAMILIES = {name: families.load_class(name) for name in families.FAMILY_CLASSES}


def get(name, **kwargs):
    """Builds the family registered as `name` (see `FAMILIES`) with `kwargs`.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    key = name.lower().replace("-", "_")
    if key not in FAMILIES:
        raise ValueError(f"Unknown model family. Expected one of {sorted(FAMILIES)}. Received: {name!r}")
    return FAMILIES[key](**kwargs)


__all__ = [
    "BigGAN",
    "BigGANDiscriminator",
    "BigGANGenerator",
    "CGAN",
    "CycleGAN",
    "DCGAN",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "DualGAN",
    "FAMILIES",
    "GAN",
    "ImagePool",
    "LinearDecay",
    "MLPDiscriminator",
    "MLPGenerator",
    "PatchGANDiscriminator",
    "Pix2Pix",
    "ProGAN",
    "ProGANDiscriminator",
    "ProGANGenerator",
    "ReflectionPadding2D",
    "ReplicationPadding2D",
    "ResNetGenerator",
    "SAGAN",
    "SAGANDiscriminator",
    "SAGANGenerator",
    "StackGAN",
    "StarGAN",
    "StarGANDiscriminator",
    "StarGANGenerator",
    "SRGAN",
    "SRGANDiscriminator",
    "SRResNetGenerator",
    "StyleGAN",
    "StyleGANGenerator",
    "UNetGenerator",
    "VanillaGAN",
    "WGANGP",
    "WeightClip",
    "get",
]
