from kerasgan.models.sagan.sagan import SAGAN
from kerasgan.models.sagan.sagan_discriminator import GlobalSumPooling2D, SAGANDiscriminator
from kerasgan.models.sagan.sagan_generator import SAGANGenerator
