"""Layers shared by the GAN families."""

from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.fade_in import FadeIn
from kerasgan.layers.minibatch_stddev import MinibatchStdDev
from kerasgan.layers.pixel_norm import PixelNorm
from kerasgan.layers.replica_dropout import ReplicaDropout
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
    "EqualizedConv2D",
    "EqualizedDense",
    "FadeIn",
    "LearnedConstant",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "NoiseInjection",
    "PixelNorm",
    "ReplicaDropout",
    "ScaledLeakyReLU",
    "StyleMixing",
    "Truncation",
]
