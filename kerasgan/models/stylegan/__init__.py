"""StyleGAN (Karras et al., 2019; StyleGAN2 weight demodulation as an option)."""

from kerasgan.models.stylegan.stylegan import StyleGAN
from kerasgan.models.stylegan.stylegan_generator import StyleGANGenerator, num_ws_for

__all__ = ["StyleGAN", "StyleGANGenerator", "num_ws_for"]
