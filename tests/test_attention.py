"""Attention maps: one map per query pixel that sums to 1 and is the
layer's own attention row; the picture; models without attention refused;
`kerasgan sample --attention`."""

import numpy as np
import pytest
from PIL import Image

from kerasgan import attention, cli
from kerasgan.models import DCGAN, SAGAN


@pytest.fixture(scope="module")
def sagan():
    gan = SAGAN.from_preset("tiny")
    gan.compile()
    return gan


def test_maps_are_the_layers_attention_rows_for_the_queries(sagan):
    result = attention.attention_maps(sagan, n=3, seed=1, queries=((0.5, 0.5), (0.0, 1.0)))
    r = result["resolution"]
    assert r == 8 and result["maps"].shape == (3, 2, r, r) and result["images"].shape == (3, 16, 16, 1)
    assert result["cells"] == [(4, 4), (0, 7)]
    np.testing.assert_allclose(result["maps"].sum(axis=(2, 3)), 1.0, atol=1e-5)
    # The same rows, computed independently from the layer's input features.
    import keras

    net = sagan.sampling_network("generator")
    layer = attention.attention_layer(net)
    labels = keras.ops.convert_to_tensor(np.array([0, 1, 2], "int32"))
    features = keras.Model(net.inputs, layer.input)(sagan.generator_inputs(sagan.sample_latents(3, seed=1), labels))
    beta = np.asarray(layer.attention_map(features))
    np.testing.assert_allclose(result["maps"][:, 0].reshape(3, -1), beta[:, 4 * 8 + 4], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(result["maps"][:, 1].reshape(3, -1), beta[:, 7], rtol=1e-5, atol=1e-7)
    # The maps depend on what is generated: other seeds, other maps.
    other = attention.attention_maps(sagan, n=3, seed=2, queries=((0.5, 0.5), (0.0, 1.0)))
    assert not np.allclose(other["maps"], result["maps"])


def test_bad_queries_and_models_without_attention_are_refused(sagan):
    with pytest.raises(ValueError, match="fractions in \\[0, 1\\]"):
        attention.attention_maps(sagan, n=1, queries=((1.5, 0.0),))
    with pytest.raises(ValueError, match="has no SelfAttention layer"):
        attention.attention_maps(DCGAN.from_preset("tiny"), n=1)
    with pytest.raises(ValueError, match="network"):
        attention.attention_maps(sagan, n=1, network="critic")


def test_sample_attention_writes_the_picture(sagan, tmp_path):
    path = tmp_path / "model.keras"
    sagan.save(path)
    out = tmp_path / "attention.png"
    assert cli.main(["sample", str(path), "--attention", str(out), "-n", "2", "--labels", "1"]) == 0
    picture = np.asarray(Image.open(out).convert("RGB"))
    # 2 rows of (image + 4 query panels), each panel 16 * 4 px with 2 px gaps.
    assert picture.shape == (2 * 66 + 2, 5 * 66 + 2, 3)
    assert len(np.unique(picture.reshape(-1, 3), axis=0)) > 10  # drawn, not blank
    assert not (tmp_path / "samples.png").exists()  # --attention replaces the grid
