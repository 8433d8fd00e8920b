"""Layers shared by the GAN families."""

from kerasgan.layers.batch_normalization import BatchNormalization
from kerasgan.layers.conditional_batch_normalization import ConditionalBatchNormalization, standing_statistics
from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.fade_in import FadeIn
from kerasgan.layers.minibatch_stddev import MinibatchStdDev
from kerasgan.layers.padding import ReflectionPadding2D, ReplicationPadding2D
from kerasgan.layers.pixel_norm import PixelNorm
from kerasgan.layers.pixel_shuffle import PixelShuffle, SubPixelConv2D
from kerasgan.layers.projection_discriminator_head import ProjectionDiscriminatorHead
from kerasgan.layers.replica_dropout import ReplicaDropout
from kerasgan.layers.self_attention import SelfAttention
from kerasgan.layers.spectral_norm import SpectralNormalization
from kerasgan.layers.spectral_norm import spectral_norm
from kerasgan.layers.style import (
    AdaIN,
    LearnedConstant,
    ModulatedConv2D,
    NoiseInjection,
    ScaledLeakyReLU,
    StyleMixing,
    Truncation,
)

__all__ = [
    "AdaIN",
    "BatchNormalization",
    "ConditionalBatchNormalization",
    "EqualizedConv2D",
    "EqualizedDense",
    "FadeIn",
    "LearnedConstant",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "NoiseInjection",
    "PixelNorm",
    "PixelShuffle",
    "ProjectionDiscriminatorHead",
    "ReflectionPadding2D",
    "ReplicationPadding2D",
    "ReplicaDropout",
    "ScaledLeakyReLU",
    "SelfAttention",
    "StyleMixing",
    "SubPixelConv2D",
    "Truncation",
    "SpectralNormalization",
    "spectral_norm",
    "standing_statistics",
]
