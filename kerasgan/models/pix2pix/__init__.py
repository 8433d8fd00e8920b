from kerasgan.models.pix2pix.patchgan_discriminator import PatchGANDiscriminator
from kerasgan.models.pix2pix.pix2pix import Pix2Pix
from kerasgan.models.pix2pix.unet_generator import UNetGenerator
