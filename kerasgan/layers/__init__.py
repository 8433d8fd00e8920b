"""Layers shared by the GAN families."""

from kerasgan.layers.minibatch_stddev import MinibatchStdDev

__all__ = ["MinibatchStdDev"]
