"""Pix2Pix's networks: U-Net skip shapes at several sizes, the PatchGAN's
receptive field scaled to the size, dropout at inference."""

import numpy as np
import pytest

from kerasgan.models import PatchGANDiscriminator, Pix2Pix, UNetGenerator
from kerasgan.models.pix2pix.patchgan_discriminator import patch_receptive_field, scaled_num_layers


@pytest.mark.parametrize("size", [16, 32, 64])
def test_unet_skips_join_maps_of_equal_size(size):
    g = UNetGenerator((size, size, 3), source_channels=1, base_filters=2, norm="instance")
    downs = int(np.log2(size))
    skips = [layer for layer in g.layers if layer.name.startswith("skip")]
    assert len(skips) == downs - 1
    for layer in skips:
        i = int(layer.name[4:])
        decoder, encoder = (tuple(t.shape) for t in layer.input)
        assert decoder[1:3] == encoder[1:3] == (size // 2 ** (i + 1),) * 2, layer.name
        assert encoder[-1] == 2 * min(2**i, 8)
    assert tuple(g.input.shape) == (None, size, size, 1)
    assert tuple(g.output.shape) == (None, size, size, 3)


def test_unet_dropout_is_off_at_inference_unless_asked():
    x = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 1)).astype("float32")
    g = UNetGenerator((16, 16, 1), base_filters=4, seed=1)
    np.testing.assert_array_equal(g(x, training=False).numpy(), g(x, training=False).numpy())
    assert not np.allclose(g(x, training=True).numpy(), g(x, training=True).numpy())
    noisy = UNetGenerator((16, 16, 1), base_filters=4, inference_dropout=True, norm="instance", seed=1)
    assert not np.allclose(noisy(x, training=False).numpy(), noisy(x, training=False).numpy())
    with pytest.raises(ValueError, match="num_downsamples=9"):
        UNetGenerator((16, 16, 1), num_downsamples=9)


def test_patchgan_receptive_field_is_70_at_256_and_scaled():
    assert patch_receptive_field(3) == 70 and scaled_num_layers(256) == 3
    assert [scaled_num_layers(s) for s in (16, 32, 64, 128, 512)] == [0, 0, 1, 2, 4]
    d = PatchGANDiscriminator((64, 64, 3), source_channels=1, base_filters=2)
    assert d.receptive_field == 16 and tuple(d.output.shape) == (None, 32, 32, 1)
    assert [tuple(t.shape) for t in d.inputs] == [(None, 64, 64, 1), (None, 64, 64, 3)]
    assert len(PatchGANDiscriminator((32, 32, 3), base_filters=2).inputs) == 1  # unconditional
    with pytest.raises(ValueError, match="num_layers=5"):
        PatchGANDiscriminator((32, 32, 3), num_layers=5)


def test_pix2pix_paper_sizes_and_defaults():
    gan = Pix2Pix.from_preset("tiny")
    gan.compile()
    assert gan.settings["l1_weight"] == 100.0 and gan.settings["loss"] == "non_saturating"
    assert [t.name for t in gan.terms["generator"]] == ["g_loss", "l1"]
    assert gan.source_shape == gan.image_shape == (16, 16, 1)
    gray_to_rgb = Pix2Pix(image_shape=(16, 16, 3), source_channels=1, generator_filters=2, discriminator_filters=2)
    assert gray_to_rgb.source_shape == (16, 16, 1) and gray_to_rgb.image_shape == (16, 16, 3)
