from kerasgan.models.vanilla_gan.mlp_discriminator import MLPDiscriminator
from kerasgan.models.vanilla_gan.mlp_generator import MLPGenerator
from kerasgan.models.vanilla_gan.vanilla_gan import VanillaGAN
