"""StackGAN (Zhang et al., 2017): text -> image in two stages."""

from kerasgan.models.stackgan.conditioning_augmentation import ConditioningAugmentation
from kerasgan.models.stackgan.stackgan import STAGE_NETWORKS, StackGAN, mismatch_indices
from kerasgan.models.stackgan.stackgan_discriminator import StackGANDiscriminator
from kerasgan.models.stackgan.stage1_generator import StackGANStage1Generator
from kerasgan.models.stackgan.stage2_generator import StackGANStage2Generator
from kerasgan.models.stackgan.text_encoder import TextEncoder, WordMean, build_vocabulary
from kerasgan.models.stackgan.text_to_image_task import TextToImageTask

__all__ = [
    "ConditioningAugmentation",
    "STAGE_NETWORKS",
    "StackGAN",
    "StackGANDiscriminator",
    "StackGANStage1Generator",
    "StackGANStage2Generator",
    "TextEncoder",
    "TextToImageTask",
    "WordMean",
    "build_vocabulary",
    "mismatch_indices",
]
