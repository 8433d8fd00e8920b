"""Tests of `kerasgan.export`: the TF Serving SavedModel, its signatures,
warm-up requests, the serving client's requests and the version folders."""

import importlib.util
import logging
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import export
from kerasgan.models import CGAN, DCGAN
from kerasgan.utils.images import to_uint8

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
try:  # the serving API is an optional dependency (kerasgan[serving])
    import tensorflow_serving.apis  # noqa: F401

    HAS_SERVING_API = True
except ImportError:
    HAS_SERVING_API = False
needs_serving_api = pytest.mark.skipif(
    not HAS_SERVING_API, reason="tensorflow-serving-api is not installed (pip install kerasgan[serving])"
)
LATENT_DIM = 4
NUM_CLASSES = 3


def tiny_dcgan(**kwargs):
    return DCGAN((16, 16, 1), latent_dim=LATENT_DIM, generator_filters=2,
                 discriminator_filters=2, seed=0, **kwargs)


def tiny_cgan():
    return CGAN((16, 16, 1), num_classes=NUM_CLASSES, latent_dim=LATENT_DIM,
                generator_filters=2, discriminator_filters=2, seed=0)


class ScaledDCGAN(DCGAN):
    """Test-only family with one sampling option, as StyleGAN's truncation_psi:
    `scale` multiplies the images."""

    serving_inputs = {"scale": ("float32", 1.0, "multiplies the images (test only)")}

    def images_from_latents(self, latents, labels=None, scale=1.0):
        return super().images_from_latents(latents, labels) * tf.cast(scale, tf.float32)


def tiny_scaled():
    return ScaledDCGAN((16, 16, 1), latent_dim=LATENT_DIM, generator_filters=2,
                       discriminator_filters=2, seed=0)


def perturb(model, scale=0.3, seed=1):
    """Moves every float weight of `model` by noise, so outputs change."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        if "float" in str(w.dtype):
            w.assign(w.numpy() + scale * rng.standard_normal(w.shape).astype(w.dtype))


def latents(n, seed=1):
    return np.random.default_rng(seed).standard_normal((n, LATENT_DIM)).astype(np.float32)


def load_client():
    spec = importlib.util.spec_from_file_location("serving_client", REPO_ROOT / "serving" / "client.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Exported:
    def __init__(self, model, path):
        self.model = model
        self.path = path
        self.loaded = tf.saved_model.load(path)

    def call(self, signature, **inputs):
        fn = self.loaded.signatures[signature]
        outputs = fn(**{k: tf.constant(v) for k, v in inputs.items()})
        return {k: v.numpy() for k, v in outputs.items()}


@pytest.fixture(scope="module")
def dcgan_export(tmp_path_factory):
    model = tiny_dcgan()
    perturb(model)  # no exact zeros / symmetric weights hiding a mix-up
    path = export.export_saved_model(model, tmp_path_factory.mktemp("exports") / "dcgan", version=1)
    return Exported(model, path)


@pytest.fixture(scope="module")
def cgan_export(tmp_path_factory):
    model = tiny_cgan()
    perturb(model)
    path = export.export_saved_model(model, tmp_path_factory.mktemp("exports") / "cgan", version=2)
    return Exported(model, path)


@pytest.fixture(scope="module")
def scaled_export(tmp_path_factory):
    model = tiny_scaled()
    perturb(model)
    path = export.export_saved_model(model, tmp_path_factory.mktemp("exports") / "scaled", version=1)
    return Exported(model, path)


@pytest.fixture(params=["dcgan", "cgan", "scaled"])
def any_export(request):
    return request.getfixturevalue(f"{request.param}_export")


def assert_images(outputs, expected):
    images, images_uint8 = outputs["images"], outputs["images_uint8"]
    assert images.dtype == np.float32 and images.shape == expected.shape
    np.testing.assert_allclose(images, expected, atol=1e-6)
    assert images_uint8.dtype == np.uint8 and images_uint8.shape == expected.shape
    np.testing.assert_array_equal(images_uint8, to_uint8(images))


# ------------------------------------------------------------------ layout
def test_tf_serving_layout(dcgan_export, cgan_export):
    for exported, name, version in ((dcgan_export, "dcgan", "1"), (cgan_export, "cgan", "2")):
        path = pathlib.Path(exported.path)
        assert (path.parent.name, path.name) == (name, version)
        assert (path / "saved_model.pb").is_file()
        assert (path / "variables" / "variables.index").is_file()
        assert (path / "assets.extra" / export.WARMUP_FILENAME).is_file() == HAS_SERVING_API
        assert (path / "assets.extra" / export.METADATA_FILENAME).is_file()
        # Only the version folder is left: no temporary folders.
        assert [p.name for p in path.parent.iterdir()] == [version]
        assert set(exported.loaded.signatures) == {"serving_default", "generate_from_seed"}


# -------------------------------------------------------------- signatures
def test_serving_default_matches_model(dcgan_export):
    model, z = dcgan_export.model, latents(5)
    outputs = dcgan_export.call("serving_default", z=z)
    assert set(outputs) == {"images", "images_uint8"}
    assert_images(outputs, model.generate(5, latents=z).numpy())
    np.testing.assert_allclose(outputs["images"], model(z).numpy(), atol=1e-6)


def test_conditional_serving_default_matches_model(cgan_export):
    model, z = cgan_export.model, latents(4)
    labels = np.array([2, 0, 1, 2], np.int32)
    outputs = cgan_export.call("serving_default", z=z, labels=labels)
    assert_images(outputs, model.generate(4, latents=z, labels=labels).numpy())


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
def test_generate_from_seed_matches_generate(dcgan_export, seed):
    model = dcgan_export.model
    outputs = dcgan_export.call("generate_from_seed", seed=np.int64(seed), num_images=np.int64(3))
    assert set(outputs) == {"images", "images_uint8", "z"}
    np.testing.assert_array_equal(
        outputs["z"], keras.random.normal((3, LATENT_DIM), seed=seed).numpy()
    )
    assert_images(outputs, model.generate(3, seed=seed).numpy())


@pytest.mark.parametrize(
    "labels, generate_labels",
    [([], None), ([2], 2), ([1, 0, 2, 2, 1], [1, 0, 2, 2, 1])],
    ids=["cycled", "one-for-all", "per-image"],
)
def test_conditional_generate_from_seed(cgan_export, labels, generate_labels):
    model = cgan_export.model
    outputs = cgan_export.call(
        "generate_from_seed", seed=np.int64(5), num_images=np.int64(5),
        labels=np.array(labels, np.int32),
    )
    expected_labels = model._check_labels(generate_labels, 5).numpy()
    np.testing.assert_array_equal(outputs["labels"], expected_labels)
    assert_images(outputs, model.generate(5, seed=5, labels=generate_labels).numpy())


def test_export_uses_ema_generator(tmp_path):
    model = tiny_dcgan(ema_decay=0.99)
    perturb(model.generator, seed=2)  # now generator != EMA generator
    z = latents(3)
    ema_images = model.ema_generator(z, training=False).numpy()
    assert np.abs(ema_images - model.generator(z, training=False).numpy()).max() > 1e-3
    exported = Exported(model, export.export_saved_model(model, tmp_path / "ema", version=1))
    assert_images(exported.call("serving_default", z=z), ema_images)


# ----------------------------------------------------------- bad requests
def test_wrong_latent_size_rejected(dcgan_export):
    fn = dcgan_export.loaded.signatures["serving_default"]
    for bad in (np.zeros([2, LATENT_DIM + 1], np.float32), np.zeros([LATENT_DIM], np.float32)):
        # The error names the input and the expected shape [?, latent_dim].
        with pytest.raises(
            (tf.errors.InvalidArgumentError, ValueError, TypeError),
            match=rf"tensor z \[{','.join(map(str, bad.shape))}\].*\[\?,{LATENT_DIM}\]",
        ):
            fn(z=tf.constant(bad))


def test_bad_labels_and_num_images_rejected(cgan_export):
    default = cgan_export.loaded.signatures["serving_default"]
    from_seed = cgan_export.loaded.signatures["generate_from_seed"]
    z = tf.constant(latents(2))
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels"):
        default(z=z, labels=tf.constant([0, NUM_CLASSES]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="one entry per row"):
        default(z=z, labels=tf.constant([0, 1, 2]))
    seed, n = tf.constant(0, tf.int64), tf.constant(4, tf.int64)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_images entries"):
        from_seed(seed=seed, num_images=n, labels=tf.constant([0, 1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_images"):
        from_seed(seed=seed, num_images=tf.constant(10**6, tf.int64), labels=tf.constant([0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_images"):
        from_seed(seed=seed, num_images=tf.constant(0, tf.int64), labels=tf.constant([0]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_latents_rejected(dcgan_export, cgan_export, bad):
    z = latents(3)
    z[1, 2] = bad  # one bad entry is enough: its image would be NaN (uint8: all zeros)
    with pytest.raises(tf.errors.InvalidArgumentError, match="`z` must be finite"):
        dcgan_export.call("serving_default", z=z)
    with pytest.raises(tf.errors.InvalidArgumentError, match="`z` must be finite"):
        cgan_export.call("serving_default", z=z, labels=np.array([0, 1, 2], np.int32))


def test_latent_batch_larger_than_max_images_rejected(dcgan_export, tmp_path):
    fn = dcgan_export.loaded.signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"`z` may have at most 1024 rows.*1025"):
        fn(z=tf.zeros([1025, LATENT_DIM]))
    assert fn(z=tf.zeros([1024, LATENT_DIM]))["images"].shape[0] == 1024
    with pytest.raises(ValueError, match="warmup_batch_size=5, max_images=4"):
        export.export_saved_model(tiny_dcgan(), tmp_path / "m", max_images=4, warmup_batch_size=5)
    assert not (tmp_path / "m").exists()


# ------------------------------------------------------- saved_model_cli
def saved_model_cli():
    script = pathlib.Path(sys.executable).parent / "saved_model_cli"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli"]


def saved_model_cli_show_all(path):
    """`saved_model_cli show --dir PATH --all`, checked to succeed."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    result = subprocess.run(
        saved_model_cli() + ["show", "--dir", path, "--all"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_saved_model_cli_lists_signatures(cgan_export):
    result = saved_model_cli_show_all(cgan_export.path)
    out = result.stdout
    for signature, inputs, outputs in (
        ("serving_default", ["z", "labels"], ["images", "images_uint8"]),
        ("generate_from_seed", ["seed", "num_images", "labels"], ["images", "images_uint8", "z", "labels"]),
    ):
        block = out.split(f"signature_def['{signature}']:")[1].split("signature_def[")[0]
        assert "Method name is: tensorflow/serving/predict" in block
        for name in inputs:
            assert f"inputs['{name}']" in block
        for name in outputs:
            assert f"outputs['{name}']" in block
    assert "shape: (-1, 4)" in out  # z: [batch, latent_dim]
    assert "dtype: DT_UINT8" in out


# ------------------------------------------------------------- warm-up
@needs_serving_api
def test_warmup_requests_match_signatures(any_export):
    from tensorflow_serving.apis import prediction_log_pb2

    path = os.path.join(any_export.path, "assets.extra", export.WARMUP_FILENAME)
    logs = [
        prediction_log_pb2.PredictionLog.FromString(record.numpy())
        for record in tf.data.TFRecordDataset(path)
    ]
    requests = {log.predict_log.request.model_spec.signature_name: log.predict_log.request for log in logs}
    assert set(requests) == {"serving_default", "generate_from_seed"}
    for signature, request in requests.items():
        fn = any_export.loaded.signatures[signature]
        specs = fn.structured_input_signature[1]
        assert set(request.inputs) == set(specs)
        arrays = {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}
        for name, array in arrays.items():
            assert tf.as_dtype(array.dtype) == specs[name].dtype, name
            assert specs[name].shape.is_compatible_with(array.shape), name
        outputs = fn(**{k: tf.constant(v) for k, v in arrays.items()})
        assert outputs["images"].shape[0] >= 1


def test_export_without_serving_api(tmp_path, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "tensorflow_serving.apis", None)  # import fails
    with caplog.at_level(logging.WARNING, logger="kerasgan.export"):
        path = export.export_saved_model(tiny_dcgan(), tmp_path / "m", version=1, warmup=True)
    assert not os.path.exists(os.path.join(path, "assets.extra", export.WARMUP_FILENAME))
    assert "kerasgan[serving]" in caplog.text
    assert set(tf.saved_model.load(path).signatures) == {"serving_default", "generate_from_seed"}


# -------------------------------------------------------------- client
@needs_serving_api
def test_client_requests_feed_the_signatures(any_export):
    client = load_client()
    model, z = any_export.model, latents(3)
    labels = [1, 2, 0] if model.num_classes else None
    options = {"scale": 0.5} if model.serving_inputs else None
    factor = 0.5 if options else 1.0
    request = client.build_predict_request("gan", z, labels=labels, options=options)
    assert request.model_spec.signature_name == "serving_default"
    outputs = any_export.call("serving_default", **client.request_to_arrays(request))
    assert_images(outputs, factor * model.generate(3, latents=z, labels=labels).numpy())

    request = client.build_seed_request("gan", seed=11, num_images=2, labels=[1] if labels else None,
                                        options=options)
    assert request.model_spec.signature_name == "generate_from_seed"
    outputs = any_export.call("generate_from_seed", **client.request_to_arrays(request))
    assert_images(outputs, factor * model.generate(2, seed=11, labels=1 if labels else None).numpy())


# ---------------------------------------------------------- versions
def test_existing_version_is_kept_unless_overwrite(tmp_path, monkeypatch):
    model = tiny_dcgan()
    path = export.export_saved_model(model, tmp_path / "m", version=1)
    before = {p: p.read_bytes() for p in pathlib.Path(path).rglob("*") if p.is_file()}
    z = latents(2)
    old_images = Exported(model, path).call("serving_default", z=z)["images"]

    perturb(model.generator, seed=3)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export.export_saved_model(model, tmp_path / "m", version=1)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "write_warmup_requests", fail)
    with pytest.raises(RuntimeError, match="disk full"):  # an export that fails midway
        export.export_saved_model(model, tmp_path / "m", version=1, overwrite=True)
    monkeypatch.undo()
    after = {p: p.read_bytes() for p in pathlib.Path(path).rglob("*") if p.is_file()}
    assert after == before
    assert sorted(os.listdir(tmp_path / "m")) == ["1"]  # no temporary folder left

    assert export.export_saved_model(model, tmp_path / "m", version=1, overwrite=True) == path
    new_images = Exported(model, path).call("serving_default", z=z)["images"]
    np.testing.assert_allclose(new_images, model.generate(2, latents=z).numpy(), atol=1e-6)
    assert np.abs(new_images - old_images).max() > 1e-3
    assert sorted(os.listdir(tmp_path / "m")) == ["1"]


def test_version_paths(tmp_path):
    model = tiny_dcgan()
    base = tmp_path / "exports" / "dcgan"
    assert export.export_saved_model(model, base / "3") == str(base / "3")
    assert export.export_saved_model(model, base) == str(base / "4")  # next version
    with pytest.raises(ValueError, match="version"):
        export.export_saved_model(model, base / "5", version=5)
    with pytest.raises(ValueError, match="version"):
        export.export_saved_model(model, base, version=-1)
    with pytest.raises(ValueError, match="model"):
        export.export_saved_model(model.generator, base, version=6)
    assert sorted(os.listdir(base)) == ["3", "4"]


# ------------------------------------------------------------------ CLI
def test_cli_export_helper(tmp_path, capsys):
    import argparse

    from kerasgan import cli_export

    model = tiny_dcgan()
    model.save(tmp_path / "model.keras")
    parser = argparse.ArgumentParser(prog="kerasgan")
    cli_export.add_export_parser(parser.add_subparsers(dest="command"))
    out = tmp_path / "exports" / "dcgan"
    args = parser.parse_args(["export", str(tmp_path / "model.keras"), "--out", str(out), "--version", "2"])
    assert cli_export.run_export(args) == 0
    assert "tensorflow/serving" in capsys.readouterr().out
    exported = Exported(model, str(out / "2"))
    z = latents(2)
    assert_images(exported.call("serving_default", z=z), model.generate(2, latents=z).numpy())
    assert cli_export.run_export(args) == 1  # the version exists: refused
    assert "overwrite=True" in capsys.readouterr().err


@needs_serving_api
def test_client_over_grpc_with_a_stand_in_server(cgan_export, tmp_path, capsys):
    """`client.predict` / `main` against an in-process gRPC PredictionService
    that runs the loaded SavedModel (no TF Serving model server is installable
    here; this checks the client's side of the wire)."""
    from concurrent import futures

    import grpc
    from PIL import Image
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    client = load_client()
    received = []

    class StandIn(prediction_service_pb2_grpc.PredictionServiceServicer):
        def Predict(self, request, context):
            received.append(request)
            outputs = cgan_export.call(request.model_spec.signature_name, **client.request_to_arrays(request))
            response = predict_pb2.PredictResponse()
            for name, value in outputs.items():
                if not request.output_filter or name in request.output_filter:
                    response.outputs[name].CopyFrom(tf.make_tensor_proto(value))
            return response

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(StandIn(), server)
    port = server.add_insecure_port("localhost:0")
    server.start()
    try:
        outputs = client.predict(client.build_seed_request("cgan", 3, 4, labels=[2]), "localhost", port)
        assert_images(outputs, cgan_export.model.generate(4, seed=3, labels=2).numpy())
        grid = tmp_path / "grid.png"
        assert client.main(["--port", str(port), "--model-name", "cgan", "--seed", "3",
                            "--num-images", "4", "--labels", "", "--uint8-only", "--out", str(grid)]) == 0
    finally:
        server.stop(None)
    assert list(received[-1].output_filter) == ["images_uint8"]
    assert list(received[-1].inputs["labels"].tensor_shape.dim)[0].size == 0
    assert "images_uint8: uint8 [4, 16, 16, 1]" in capsys.readouterr().out
    assert np.array(Image.open(grid)).shape == (32, 32)


# ------------------------------------------- families with more inputs
def test_progan_exports_with_its_alpha(tmp_path):
    """ProGAN's generator also takes the fade-in alpha: the export goes
    through `images_from_latents`, which feeds the model's alpha variable."""
    import json

    from kerasgan.models import ProGAN

    model = ProGAN(target_resolution=8, channels=1, latent_dim=16, filters=8, seed=0)
    model.grow()  # 4x4 -> 8x8, alpha 0
    model.alpha.assign(0.5)  # mid fade-in: both paths of the new block count
    exported = Exported(model, export.export_saved_model(model, tmp_path / "progan", version=1))
    z = np.random.default_rng(2).standard_normal((3, 16)).astype(np.float32)
    expected = model.generate(3, latents=z).numpy()
    assert expected.shape == (3, 8, 8, 1)
    assert_images(exported.call("serving_default", z=z), expected)
    outputs = exported.call("generate_from_seed", seed=np.int64(4), num_images=np.int64(2))
    assert_images(outputs, model.generate(2, seed=4).numpy())
    model.alpha.assign(1.0)  # alpha matters, so the export really used 0.5
    assert np.abs(model.generate(3, latents=z).numpy() - expected).max() > 1e-3
    metadata = json.loads(
        (pathlib.Path(exported.path) / "assets.extra" / export.METADATA_FILENAME).read_text()
    )
    assert metadata["family"] == "ProGAN" and metadata["serving_inputs"] == {}
    assert metadata["signatures"]["serving_default"] == ["z"]


def test_serving_inputs_are_signature_inputs(scaled_export):
    import json

    model, z = scaled_export.model, latents(3)
    images = model.generate(3, latents=z).numpy()
    outputs = scaled_export.call("serving_default", z=z, scale=np.float32(0.5))
    assert_images(outputs, 0.5 * images)
    outputs = scaled_export.call("generate_from_seed", seed=np.int64(3), num_images=np.int64(2),
                                 scale=np.float32(0.25))
    assert_images(outputs, 0.25 * model.generate(2, seed=3).numpy())
    fn = scaled_export.loaded.signatures["serving_default"]
    with pytest.raises(TypeError, match="scale"):  # no optional inputs in a signature
        fn(z=tf.constant(z))
    for bad in (np.nan, np.inf):  # no declared range: any finite value goes, nothing else
        with pytest.raises(tf.errors.InvalidArgumentError, match="`scale` must be finite"):
            scaled_export.call("serving_default", z=z, scale=np.float32(bad))
        with pytest.raises(tf.errors.InvalidArgumentError, match="`scale` must be finite"):
            scaled_export.call("generate_from_seed", seed=np.int64(3), num_images=np.int64(2),
                               scale=np.float32(bad))
    assert_images(scaled_export.call("serving_default", z=z, scale=np.float32(-3.0)), -3.0 * images)
    metadata = json.loads(
        (pathlib.Path(scaled_export.path) / "assets.extra" / export.METADATA_FILENAME).read_text()
    )
    assert metadata["serving_inputs"] == {
        "scale": {"dtype": "float32", "default": 1.0, "doc": "multiplies the images (test only)"}
    }
    assert metadata["signatures"] == {"serving_default": ["z", "scale"],
                                      "generate_from_seed": ["seed", "num_images", "scale"]}
    assert export.warmup_inputs(model)["serving_default"]["scale"] == np.float32(1.0)


def test_saved_model_cli_lists_serving_inputs(scaled_export):
    result = saved_model_cli_show_all(scaled_export.path)
    for signature in ("serving_default", "generate_from_seed"):
        block = result.stdout.split(f"signature_def['{signature}']:")[1].split("signature_def[")[0]
        scale = block.split("inputs['scale'] tensor_info:")[1].split("inputs[")[0]
        assert "dtype: DT_FLOAT" in scale and "shape: ()" in scale


@pytest.mark.parametrize(
    "declared, match",
    [
        ({"z": ("float32", 1.0, "")}, "not a valid input name"),
        ({"psi": ("complex64", 1.0, "")}, "float, int or bool"),
        ({"psi": ("nodtype", 1.0, "")}, "unknown dtype"),
        ({"psi": ("float32", [1.0, 2.0], "")}, "scalar"),
        ({"psi": ("float32", 1.0)}, "dtype, default, doc"),
        ({"psi": ("float32", 1.0, "", (0.0, 1.0), "extra")}, "dtype, default, doc"),
        ({"psi": ("float32", 1.0, "", 1.0)}, r"\(min, max\)"),
        ({"psi": ("bool", True, "", (0, 1))}, "float or int input"),
        ({"psi": ("float32", 1.0, "", (0.0, np.inf))}, "finite numbers or None"),
        ({"psi": ("float32", 1.0, "", (1.0, 0.0))}, "min exceeds its max"),
        ({"psi": ("float32", 2.0, "", (None, 1.0))}, "default 2.0 is outside"),
    ],
)
def test_malformed_serving_inputs_are_refused(tmp_path, monkeypatch, declared, match):
    model = tiny_scaled()
    monkeypatch.setattr(ScaledDCGAN, "serving_inputs", declared)
    with pytest.raises(ValueError, match=match):
        export.export_saved_model(model, tmp_path / "m", version=1)
    assert not (tmp_path / "m").exists()


def test_base_images_from_latents_takes_no_options():
    model = tiny_dcgan()
    z = latents(2)
    np.testing.assert_allclose(model.images_from_latents(z).numpy(),
                               model.generate(2, latents=z).numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="no sampling options"):
        model.images_from_latents(z, truncation_psi=0.5)


@needs_serving_api
def test_client_main_sends_options(scaled_export, tmp_path, monkeypatch, capsys):
    """`--option` and `--metadata` (the export's defaults) reach the request."""
    client = load_client()
    sent = []

    def fake_predict(request, host, port, timeout=30.0):
        sent.append(request)
        return scaled_export.call(request.model_spec.signature_name, **client.request_to_arrays(request))

    monkeypatch.setattr(client, "predict", fake_predict)
    metadata = os.path.join(scaled_export.path, "assets.extra", export.METADATA_FILENAME)
    assert client.main(["--model-name", "s", "--num-images", "2", "--metadata", metadata]) == 0
    assert client.main(["--model-name", "s", "--num-images", "2", "--option", "scale=0.5",
                        "--latents", "random", "--latent-dim", str(LATENT_DIM)]) == 0
    scales = [client.request_to_arrays(r)["scale"] for r in sent]
    assert [(s.dtype, float(s)) for s in scales] == [(np.float32, 1.0), (np.float32, 0.5)]
    with pytest.raises(SystemExit):
        client.main(["--model-name", "s", "--option", "scale"])


# ---------------------------------------------------------------- StyleGAN
@pytest.fixture(scope="module")
def stylegan_export(tmp_path_factory):
    """A tiny StyleGAN at 8x8 (fade-in block present), every weight perturbed:
    the EMA generator differs from the generator and w_avg is not zero, so
    truncation changes the images."""
    from kerasgan.models import StyleGAN

    model = StyleGAN(target_resolution=8, resolution=8, channels=1, latent_dim=LATENT_DIM,
                     filters=4, mapping_layers=2, style_mode="modulated", seed=0)
    perturb(model)
    path = export.export_saved_model(model, tmp_path_factory.mktemp("exports") / "stylegan", version=1)
    return Exported(model, path)


def test_stylegan_serving_default_matches_generate_with_truncation(stylegan_export):
    model, z = stylegan_export.model, latents(4)
    assert np.abs(model.w_avg.numpy()).max() > 0.1
    by_psi = {}
    for psi in (1.0, 0.5):
        outputs = stylegan_export.call("serving_default", z=z, truncation_psi=np.float32(psi))
        expected = model.generate(4, latents=z, truncation_psi=psi).numpy()
        assert expected.shape == (4, 8, 8, 1)
        np.testing.assert_allclose(outputs["images"], expected, atol=1e-5)
        np.testing.assert_array_equal(outputs["images_uint8"], to_uint8(outputs["images"]))
        by_psi[psi] = outputs["images"]
    assert np.abs(by_psi[1.0] - by_psi[0.5]).max() > 1e-3  # psi reached the graph
    # psi = 0: every latent maps to the average w, so every image is the same.
    average = stylegan_export.call("serving_default", z=z, truncation_psi=np.float32(0.0))["images"]
    np.testing.assert_allclose(average, np.broadcast_to(average[:1], average.shape), atol=1e-6)
    np.testing.assert_allclose(average, model.generate(4, latents=z, truncation_psi=0.0).numpy(), atol=1e-5)


@pytest.mark.parametrize("psi", [1.0, 0.5])
def test_stylegan_generate_from_seed_matches_generate(stylegan_export, psi):
    model = stylegan_export.model
    outputs = stylegan_export.call("generate_from_seed", seed=np.int64(7), num_images=np.int64(3),
                                   truncation_psi=np.float32(psi))
    np.testing.assert_array_equal(outputs["z"], model.sample_latents(3, seed=7).numpy())
    np.testing.assert_allclose(outputs["images"], model.generate(3, seed=7, truncation_psi=psi).numpy(),
                               atol=1e-5)


def test_stylegan_export_metadata_and_warmup(stylegan_export):
    import json

    metadata = json.loads(
        (pathlib.Path(stylegan_export.path) / "assets.extra" / export.METADATA_FILENAME).read_text()
    )
    assert metadata["family"] == "StyleGAN" and metadata["exported_generator"] == "ema_generator"
    assert metadata["signatures"] == {"serving_default": ["z", "truncation_psi"],
                                      "generate_from_seed": ["seed", "num_images", "truncation_psi"]}
    assert metadata["serving_inputs"]["truncation_psi"]["dtype"] == "float32"
    assert metadata["serving_inputs"]["truncation_psi"]["default"] == 1.0
    assert metadata["serving_inputs"]["truncation_psi"]["range"] == [-1.0, 1.0]
    with pytest.raises(TypeError, match="truncation_psi"):  # a signature has no optional inputs
        stylegan_export.loaded.signatures["serving_default"](z=tf.constant(latents(1)))


@pytest.mark.parametrize(
    "psi, match",
    [(np.nan, "must be finite"), (np.inf, "must be finite"), (-5.0, r"must be in \[-1.0, 1.0\]"),
     (1e30, r"must be in \[-1.0, 1.0\]"), (1.001, r"must be in \[-1.0, 1.0\]")],
)
def test_stylegan_truncation_psi_outside_its_range_rejected(stylegan_export, psi, match):
    z = latents(2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=f"`truncation_psi` {match}"):
        stylegan_export.call("serving_default", z=z, truncation_psi=np.float32(psi))
    with pytest.raises(tf.errors.InvalidArgumentError, match=f"`truncation_psi` {match}"):
        stylegan_export.call("generate_from_seed", seed=np.int64(1), num_images=np.int64(2),
                             truncation_psi=np.float32(psi))


def test_stylegan_truncation_psi_range_ends_are_accepted(stylegan_export):
    model, z = stylegan_export.model, latents(2)
    for psi in (-1.0, 1.0):
        outputs = stylegan_export.call("serving_default", z=z, truncation_psi=np.float32(psi))
        expected = model.generate(2, latents=z, truncation_psi=psi).numpy()
        np.testing.assert_allclose(outputs["images"], expected, atol=1e-5)
        assert np.isfinite(outputs["images"]).all()
