from kerasgan.models.biggan.biggan import BigGAN, truncate_latents
from kerasgan.models.biggan.biggan_discriminator import BigGANDiscriminator
from kerasgan.models.biggan.biggan_generator import BigGANGenerator
