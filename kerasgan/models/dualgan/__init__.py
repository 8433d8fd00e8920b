from kerasgan.models.dualgan.dualgan import DualGAN
from kerasgan.models.dualgan.weight_clip import WeightClip
