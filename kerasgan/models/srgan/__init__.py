from kerasgan.layers.padding import ReplicationPadding2D
from kerasgan.models.srgan.srgan import SRGAN
from kerasgan.models.srgan.srgan_discriminator import SRGANDiscriminator
from kerasgan.models.srgan.srresnet_generator import SRResNetGenerator
