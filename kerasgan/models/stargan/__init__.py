from kerasgan.models.stargan.domain_data import load_domains
from kerasgan.models.stargan.stargan import StarGAN
from kerasgan.models.stargan.stargan_discriminator import StarGANDiscriminator
from kerasgan.models.stargan.stargan_generator import StarGANGenerator
