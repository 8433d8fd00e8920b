"""`kerasgan.zoo.load`: a tiny DCGAN checkpoint in both formats, from the zoo
folder and from a download, always verified."""

import shutil

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import zoo
from kerasgan.models import DCGAN
from tests.zoo.conftest import NAME, STYLEGAN_NAME, add_checkpoint


def check_keras(model, reference):
    assert isinstance(model, DCGAN)
    np.testing.assert_allclose(model.generate(4, seed=0).numpy(), reference["seed0"], atol=1e-6)
    from_z = model.generate(3, latents=reference["z"]).numpy()
    np.testing.assert_allclose(from_z, reference["from_z"], atol=1e-6)


def check_saved_model(loaded, reference):
    out = loaded.signatures["serving_default"](z=tf.constant(reference["z"]))
    np.testing.assert_allclose(out["images"].numpy(), reference["from_z"], atol=1e-5)
    assert out["images_uint8"].dtype == tf.uint8
    seeded = loaded.signatures["generate_from_seed"](seed=tf.constant(0, tf.int64),
                                                     num_images=tf.constant(4, tf.int64))
    np.testing.assert_allclose(seeded["images"].numpy(), reference["seed0"], atol=1e-5)


def test_load_keras_from_zoo_folder_generates_like_the_original(zoo_env, tiny_checkpoint):
    add_checkpoint(zoo_env, tiny_checkpoint)
    check_keras(zoo.load(NAME), tiny_checkpoint[1])


def test_load_saved_model_from_zoo_folder_generates_like_the_original(zoo_env, tiny_checkpoint):
    entry = add_checkpoint(zoo_env, tiny_checkpoint)
    assert "saved_model/1/saved_model.pb" in entry["files"]
    check_saved_model(zoo.load(NAME, format="saved_model"), tiny_checkpoint[1])


def test_tampered_model_file_is_refused_and_kept(zoo_env, tiny_checkpoint):
    entry = add_checkpoint(zoo_env, tiny_checkpoint)
    path = zoo_env.zoo / NAME / "model.keras"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(zoo.ChecksumError) as error:
        zoo.load(NAME)
    assert "model.keras" in str(error.value) and entry["files"]["model.keras"]["sha256"] in str(error.value)
    assert path.read_bytes() == bytes(data)


def test_tampered_saved_model_variables_are_refused(zoo_env, tiny_checkpoint):
    add_checkpoint(zoo_env, tiny_checkpoint)
    path = zoo_env.zoo / NAME / "saved_model" / "1" / "variables" / "variables.index"
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(zoo.ChecksumError, match="variables.index"):
        zoo.load(NAME, format="saved_model")
    assert path.exists()


def test_downloaded_checkpoint_loads_in_both_formats(zoo_env, tiny_checkpoint, server):
    add_checkpoint(zoo_env, tiny_checkpoint)
    archive = zoo.make_archive(NAME, zoo_env.root / "dist", url=server.url(f"{NAME}.tar.gz"))
    shutil.copy(archive, server.root)
    shutil.rmtree(zoo_env.zoo / NAME)
    check_keras(zoo.load(NAME, verbose=False), tiny_checkpoint[1])
    assert zoo.locate(NAME) == ("cache", zoo_env.cache / NAME)
    check_saved_model(zoo.load(NAME, format="saved_model"), tiny_checkpoint[1])
    assert len(server.requests) == 1


def test_bad_format_is_refused(zoo_env, tiny_checkpoint):
    add_checkpoint(zoo_env, tiny_checkpoint)
    with pytest.raises(ValueError, match="format='onnx'"):
        zoo.load(NAME, format="onnx")


def test_saved_model_with_family_options_fills_in_their_defaults(zoo_env, tiny_stylegan_checkpoint):
    """StyleGAN's export takes `truncation_psi`: the zoo's SavedModel fills
    in the exported default (1.0) when a call leaves it out, and passes a
    given value through; the plain signature map is still there."""
    add_checkpoint(zoo_env, tiny_stylegan_checkpoint, name=STYLEGAN_NAME, family="stylegan")
    reference = tiny_stylegan_checkpoint[1]
    served = zoo.load(STYLEGAN_NAME, format="saved_model")
    fn = served.signatures["generate_from_seed"]
    seed, n = tf.constant(0, tf.int64), tf.constant(3, tf.int64)
    np.testing.assert_allclose(fn(seed=seed, num_images=n)["images"].numpy(), reference[1.0], atol=1e-5)
    psi = tf.constant(0.5, tf.float32)
    np.testing.assert_allclose(fn(seed=seed, num_images=n, truncation_psi=psi)["images"].numpy(),
                               reference[0.5], atol=1e-5)
    assert np.abs(reference[0.5] - reference[1.0]).max() > 1e-3
    z = fn(seed=seed, num_images=n)["z"]
    np.testing.assert_allclose(served.signatures["serving_default"](z=z)["images"].numpy(),
                               reference[1.0], atol=1e-5)
    assert set(served.signatures) == {"serving_default", "generate_from_seed"}
    assert fn.structured_input_signature[1]["truncation_psi"].dtype == tf.float32
    with pytest.raises(TypeError, match="truncation_psi"):  # the SavedModel's own signature
        served.signatures.saved["generate_from_seed"](seed=seed, num_images=n)
    keras_model = zoo.load(STYLEGAN_NAME)
    np.testing.assert_allclose(keras_model.generate(3, seed=0, truncation_psi=0.5).numpy(),
                               reference[0.5], atol=1e-6)
