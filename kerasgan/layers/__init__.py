"""Layers shared by the GAN families."""

from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.minibatch_stddev import MinibatchStdDev
from kerasgan.layers.pixel_norm import PixelNorm

__all__ = ["EqualizedConv2D", "EqualizedDense", "MinibatchStdDev", "PixelNorm"]
