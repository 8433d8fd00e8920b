"""serving/client.py without a server: `--local EXPORT_DIR` runs the request
in-process, and a missing package or server is one line, not a traceback."""

import importlib.util
import socket
import sys

import numpy as np
import pytest

from kerasgan import export
from kerasgan.models import DCGAN
from tests.conftest import REPO_ROOT


def load_client():
    spec = importlib.util.spec_from_file_location("serving_client_local", REPO_ROOT / "serving" / "client.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = DCGAN((16, 16, 1), latent_dim=4, generator_filters=2, discriminator_filters=2, seed=0)
    base = tmp_path_factory.mktemp("exports") / "dcgan"
    export.export_saved_model(model, str(base), version=1, warmup=False)
    return model, base


def test_local_runs_the_request_against_the_saved_model(exported, tmp_path, capsys):
    model, base = exported
    client = load_client()
    grid = tmp_path / "grid.png"
    assert client.main(["--local", str(base), "--num-images", "4", "--seed", "3", "--out", str(grid)]) == 0
    out = capsys.readouterr().out
    assert "images_uint8: uint8 [4, 16, 16, 1]" in out and grid.exists()
    images = client.predict_local(str(base), {"seed": np.int64(3), "num_images": np.int64(4)},
                                  client.SEED_SIGNATURE)["images"]
    np.testing.assert_allclose(images, model.generate(4, seed=3).numpy(), atol=1e-5)
    assert client.main(["--local", str(tmp_path), "--num-images", "1"]) == 1
    assert "not a SavedModel folder" in capsys.readouterr().err


def test_without_the_serving_extra_one_line_says_what_is_missing(monkeypatch, capsys):
    client = load_client()
    monkeypatch.setitem(sys.modules, "tensorflow_serving.apis", None)  # import fails
    monkeypatch.setitem(sys.modules, "tensorflow_serving", None)
    assert client.main(["--model-name", "dcgan", "--num-images", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kerasgan[serving]" in err and "--local EXPORT_DIR" in err


def test_without_a_server_one_line_says_so(capsys):
    pytest.importorskip("tensorflow_serving.apis")
    pytest.importorskip("grpc")
    client = load_client()
    with socket.socket() as s:  # a closed port: no server
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert client.main(["--model-name", "dcgan", "--host", "127.0.0.1", "--port", str(port),
                        "--timeout", "5", "--num-images", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "UNAVAILABLE" in err and "--local EXPORT_DIR" in err
