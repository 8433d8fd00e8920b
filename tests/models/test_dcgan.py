import numpy as np
import pytest

from kerasgan.models import DCGAN, DCGANDiscriminator, DCGANGenerator


@pytest.mark.parametrize("size,channels", [(16, 1), (32, 3), (64, 1), (128, 3)])
def test_any_power_of_two_size_and_channels(size, channels):
    g = DCGANGenerator((size, size, channels), latent_dim=4, base_filters=2)
    d = DCGANDiscriminator((size, size, channels), base_filters=2)
    images = g(np.zeros((2, 4), np.float32))
    assert tuple(images.shape) == (2, size, size, channels)
    assert tuple(d(images).shape) == (2, 1)


def test_reference_architecture_at_64():
    # Radford et al. / the PyTorch DCGAN tutorial: 512-256-128-64 channels, 4x4 kernels.
    g = DCGANGenerator((64, 64, 1), latent_dim=100, base_filters=64)
    d = DCGANDiscriminator((64, 64, 1), base_filters=64)
    assert g.get_layer("reshape").output.shape[1:] == (4, 4, 512)
    assert [g.get_layer(f"up{i}").filters for i in range(3)] == [256, 128, 64]
    assert [d.get_layer(f"down{i}").filters for i in range(4)] == [64, 128, 256, 512]
    assert d.get_layer("features").output.shape[1:] == (4 * 4 * 512,)
    # Same trainable parameter counts as the PyTorch reference (bias-free convolutions;
    # ConvTranspose 100->512 at 4x4 is the dense projection; BN scale and shift on every
    # generator block and on every discriminator block but the first).
    def trainable(model):
        return sum(int(np.prod(w.shape)) for w in model.trainable_weights)

    assert trainable(g) == 819_200 + 1_024 + 2_097_152 + 512 + 524_288 + 256 + 131_072 + 128 + 1_024
    assert trainable(d) == 1_024 + 131_072 + 256 + 524_288 + 512 + 2_097_152 + 1_024 + 8_192


@pytest.mark.parametrize(
    "shape", [(24, 24, 1), (32, 16, 1), (8, 8, 1), (256, 256, 3), (32, 32, 2), (32, 32)]
)
def test_bad_image_shape_is_named(shape):
    with pytest.raises(ValueError, match="image_shape"):
        DCGAN(shape)


def test_bad_latent_dim_is_named():
    with pytest.raises(ValueError, match="latent_dim=0"):
        DCGAN((16, 16, 1), latent_dim=0)
