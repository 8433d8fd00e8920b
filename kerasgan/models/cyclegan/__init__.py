from kerasgan.models.cyclegan.cyclegan import CycleGAN
from kerasgan.models.cyclegan.image_pool import ImagePool
from kerasgan.models.cyclegan.linear_decay import LinearDecay
from kerasgan.layers.padding import ReflectionPadding2D
from kerasgan.models.cyclegan.resnet_generator import ResNetGenerator
