"""Fixtures of the zoo tests: an isolated registry/zoo/cache, a tiny trained-shape
checkpoint, and a local HTTP server.

Every test here runs with `KERASGAN_ZOO_REGISTRY`, `KERASGAN_ZOO_DIR` and
`KERASGAN_HOME` pointing into its own temporary folder, so nothing touches
the checkout's registry, its `zoo/` folder or `~/.cache`.
"""

import http.server
import pathlib
import re
import shutil
import threading

import numpy as np
import pytest

LATENT_DIM = 4
NAME = "tiny-dcgan"


class Env:
    """The temporary registry, zoo folder and cache root of one test."""

    def __init__(self, root):
        self.root = root
        self.registry = root / "registry.json"
        self.zoo = root / "zoo"
        self.home = root / "home"
        self.cache = self.home / "zoo"
        self.outside = root / "outside"  # where an escaping archive member would land
        for folder in (self.zoo, self.home, self.outside):
            folder.mkdir()

    def snapshot(self):
        """Every path under the test's root except the cache's temporary partial files."""
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*"))


@pytest.fixture(autouse=True)
def zoo_env(tmp_path, monkeypatch):
    env = Env(tmp_path)
    monkeypatch.setenv("KERASGAN_ZOO_REGISTRY", str(env.registry))
    monkeypatch.setenv("KERASGAN_ZOO_DIR", str(env.zoo))
    monkeypatch.setenv("KERASGAN_HOME", str(env.home))
    return env


def write_small_entry(env, name="small", files=None):
    """A zoo folder of a few small files (no model) and its registry entry."""
    from kerasgan import zoo

    files = files or {
        "README.md": b"# small\n",
        "weights/a.bin": bytes(range(256)) * 64,
        "weights/b.bin": b"\x00\x01" * 5000,
    }
    folder = env.zoo / name
    for relpath, data in files.items():
        (folder / relpath).parent.mkdir(parents=True, exist_ok=True)
        (folder / relpath).write_bytes(data)
    return zoo.build_entry(name, folder, family="test", description="files only", resolution=8,
                           dataset="none", licence="CC0", metrics={"fid": 1.5})


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    """A tiny DCGAN's zoo folder (model.keras, saved_model/1, samples.png,
    README.md) and reference outputs of the original model."""
    import keras

    from kerasgan.export import export_saved_model
    from kerasgan.models import DCGAN
    from kerasgan.utils import save_image_grid

    keras.utils.clear_session(free_memory=False)
    folder = tmp_path_factory.mktemp("template") / NAME
    folder.mkdir()
    model = DCGAN((16, 16, 1), latent_dim=LATENT_DIM, generator_filters=2,
                  discriminator_filters=2, seed=0)
    z = np.random.default_rng(1).standard_normal((3, LATENT_DIM)).astype(np.float32)
    reference = {
        "seed0": model.generate(4, seed=0).numpy(),
        "z": z,
        "from_z": model.generate(3, latents=z).numpy(),
    }
    model.save(folder / "model.keras")
    export_saved_model(model, str(folder / "saved_model"), version=1, warmup=False)
    save_image_grid(model.generate(4, seed=0), folder / "samples.png")
    (folder / "README.md").write_text(f"# {NAME}\n\nA tiny untrained DCGAN for tests.\n")
    return folder, reference


STYLEGAN_NAME = "tiny-stylegan"


@pytest.fixture(scope="session")
def tiny_stylegan_checkpoint(tmp_path_factory):
    """A tiny StyleGAN's zoo folder (its export has the `truncation_psi`
    option) and reference outputs of the original model."""
    import keras

    from kerasgan.export import export_saved_model
    from kerasgan.models import StyleGAN
    from kerasgan.utils import save_image_grid

    keras.utils.clear_session(free_memory=False)
    folder = tmp_path_factory.mktemp("template") / STYLEGAN_NAME
    folder.mkdir()
    model = StyleGAN(target_resolution=8, resolution=8, channels=1, latent_dim=LATENT_DIM, filters=4,
                     mapping_layers=2, style_mode="modulated", seed=0)
    rng = np.random.default_rng(3)
    w_avg = model.ema_generator.get_layer("truncation").w_avg
    w_avg.assign(rng.standard_normal(w_avg.shape).astype("float32"))  # so psi matters
    reference = {psi: model.generate(3, seed=0, truncation_psi=psi).numpy() for psi in (1.0, 0.5)}
    model.save(folder / "model.keras")
    export_saved_model(model, str(folder / "saved_model"), version=1, warmup=False)
    save_image_grid(model.generate(4, seed=0), folder / "samples.png")
    (folder / "README.md").write_text(f"# {STYLEGAN_NAME}\n\nA tiny untrained StyleGAN for tests.\n")
    return folder, reference


def add_checkpoint(env, tiny_checkpoint, name=NAME, family="dcgan", **kwargs):
    """Copies a tiny checkpoint into the test's zoo folder and registers it."""
    from kerasgan import zoo

    template, _ = tiny_checkpoint
    shutil.copytree(template, env.zoo / name)
    return zoo.build_entry(name, env.zoo / name, family=family, description="tiny", resolution=16,
                           dataset="none", licence="CC0", metrics={}, **kwargs)


# ------------------------------------------------------------------- server
class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves files of `root`; honours `Range: bytes=N-` when `ranges`;
    sends only `cut_after` bytes of the body (then closes) when set.

    Hostile modes (`hostile`), each bounded so the server stops by itself:
    `"endless"`: 200 without Content-Length, then zeros until the client
    hangs up (at most 1 GiB); `"drip"`: a well-formed 200 whose body comes
    one byte every `drip_interval` seconds; `"drip-headers"`: the response
    headers themselves one byte at a time. Drips stop after 100 bytes or
    when the server closes."""

    root = None
    ranges = True
    cut_after = None
    hostile = None
    drip_interval = 0.2
    requests = None
    stopping = None  # a threading.Event, set by Server.close()

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = self.root / self.path.lstrip("/")
        self.requests.append({"path": self.path, "range": self.headers.get("Range")})
        if self.hostile is not None:
            try:
                self._hostile(path.read_bytes() if path.is_file() else b"x" * 1000)
            except OSError:  # the client hung up
                pass
            self.close_connection = True
            return
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = 0
        match = re.match(r"^bytes=(\d+)-$", self.headers.get("Range") or "")
        if match and self.ranges:
            start = int(match.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/gzip")
        self.end_headers()
        if self.cut_after is not None:
            self.wfile.write(body[: self.cut_after])
            self.close_connection = True
            return
        self.wfile.write(body)

    def _hostile(self, data):
        if self.hostile == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/gzip")
            self.end_headers()
            zeros = bytes(1 << 16)
            for _ in range((1 << 30) // len(zeros)):
                if self.stopping.is_set():
                    return
                self.wfile.write(zeros)
            return
        head = (f"HTTP/1.1 200 OK\r\nContent-Length: {len(data)}\r\n"
                "Content-Type: application/gzip\r\n\r\n").encode()
        if self.hostile == "drip":
            self.wfile.write(head)
            slow = data
        else:  # drip-headers
            slow = head + data
        for i in range(min(len(slow), 100)):
            self.wfile.write(slow[i : i + 1])
            self.wfile.flush()
            if self.stopping.wait(self.drip_interval):
                return

    def log_message(self, *args):
        pass


class Server:
    def __init__(self, root):
        self.handler = type("Handler", (_Handler,), {"root": pathlib.Path(root), "requests": [],
                                                      "stopping": threading.Event()})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, filename):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{filename}"

    @property
    def requests(self):
        return self.handler.requests

    def configure(self, ranges=True, cut_after=None, hostile=None, drip_interval=0.2):
        self.handler.ranges = ranges
        self.handler.cut_after = cut_after
        self.handler.hostile = hostile
        self.handler.drip_interval = drip_interval

    def close(self):
        self.handler.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 (port 0) serving `tmp_path / "served"`."""
    root = tmp_path / "served"
    root.mkdir()
    srv = Server(root)
    srv.root = root
    try:
        yield srv
    finally:
        srv.close()
