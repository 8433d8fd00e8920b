"""The gallery server: the static site plus live generation, on 127.0.0.1.

    server = GalleryServer(site_dir, port=0)      # 0: a free port
    print(server.url)                             # http://127.0.0.1:PORT/
    server.serve_forever()

Endpoints (GET or HEAD only; other methods get 501):

- `/live.json`: `{"live": true, "models": [names the server can draw from]}`
  (the static site's own file says `{"live": false}`).
- `/api/models`: each drawable entry's live controls (`entries.live_spec`).
- `/api/generate?model=NAME&seed=S[&label=K][&truncation=T][&text=...][&n=N]`:
  a PNG grid of `n` images drawn by the entry's SavedModel
  (`generate_from_seed` for latent entries, `serving_default(texts, seed)`
  for text -> image ones). Every parameter is checked; a bad one gets a 400
  with `{"error": "..."}` naming it, never a traceback:
  `model` a drawable entry; `seed` an integer in [0, MAX_SEED] (default 0);
  `label` an integer in [0, num_classes) for class-conditional entries only;
  `truncation` a finite number in (0, max] for entries with a truncation
  option only (StyleGAN's psi: max 1; BigGAN's threshold: max 4); `text` 1 to
  200 printable characters for text entries (required there, refused
  elsewhere); `n` an integer in [1, 16] (default 1). Unknown or repeated
  parameters are refused too. Each SavedModel is loaded (SHA-256 checked) on
  its first request and kept.
- anything else: a file of the site folder. Paths are decoded once and must
  stay inside it (no `..`, `.`-files, backslashes, NUL, links out); only
  the site's file types are served.

The request line may be at most 2,048 bytes (414 beyond), request bodies are
never read, and every response carries `Content-Security-Policy:
default-src 'self'` (images also from `data:` and `blob:`), `nosniff` and
`no-referrer`.
"""

import http.server
import io
import json
import math
import os
import pathlib
import re
import sys
import threading
import time
import urllib.parse

from kerasgan.gallery import entries as entries_lib
from kerasgan.gallery.site import MAX_SEED

HOST = "127.0.0.1"
MAX_REQUEST_LINE = 2048
#: File types the static part serves.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data: blob:; script-src 'self'; "
                                "style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_INT_RE = re.compile(r"^[0-9]{1,12}$")
_NUMBER_RE = re.compile(r"^[+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
GENERATE_PARAMETERS = ("model", "seed", "label", "truncation", "text", "n")


class BadRequest(ValueError):
    """A request parameter is wrong: the message is the answer's `error`."""


class Models:
    """The entries the server can draw from, and their SavedModels (loaded
    lazily, once, under a per-entry lock)."""

    def __init__(self, registry=None, zoo_dir=None, cache_dir=None):
        self.registry, self.zoo_dir, self.cache_dir = registry, zoo_dir, cache_dir
        self.infos = {}
        for info in entries_lib.describe_all(registry, zoo_dir, cache_dir):
            self.infos[info["entry"]["name"]] = info
        self.specs = {name: info["live"] for name, info in self.infos.items() if info["live"] is not None}
        self._loaded = {}
        self._locks = {name: threading.Lock() for name in self.specs}

    def signatures(self, name):
        with self._locks[name]:
            if name not in self._loaded:
                from kerasgan import zoo

                self._loaded[name] = zoo.load(name, format="saved_model", registry=self.registry,
                                              zoo_dir=self.zoo_dir, cache_dir=self.cache_dir)
            return self._loaded[name].signatures

    # ------------------------------------------------------------ checks
    def parse(self, query):
        """The query string of `/api/generate` -> checked `dict` of values."""
        try:
            pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query),
                                           max_num_fields=len(GENERATE_PARAMETERS))
        except ValueError as e:
            raise BadRequest(f"Malformed query string ({e}).") from None
        seen = {}
        for key, value in pairs:
            if key not in GENERATE_PARAMETERS:
                raise BadRequest(f"Unknown parameter {key!r}: api/generate takes {', '.join(GENERATE_PARAMETERS)}.")
            if key in seen:
                raise BadRequest(f"Parameter {key!r} is given twice.")
            seen[key] = value
        name = seen.get("model")
        if not name:
            raise BadRequest("Missing parameter 'model' (a zoo entry's name).")
        spec = self.specs.get(name)
        if spec is None:
            if name in self.infos:
                raise BadRequest(f"Zoo entry {name!r} has no live generation here (its family draws no images "
                                 "from a seed, or its files are not on this machine).")
            known = ", ".join(sorted(self.specs)) or "none"
            raise BadRequest(f"Unknown model {name[:100]!r}. Models with live generation: {known}.")
        values = {"model": name, "spec": spec}
        values["seed"] = _int(seen.get("seed", "0"), "seed", 0, MAX_SEED)
        values["n"] = _int(seen.get("n", "1"), "n", 1, spec["max_images"])
        if "label" in seen:
            if not spec.get("num_classes"):
                raise BadRequest(f"Model {name!r} is not class-conditional: it takes no 'label'.")
            values["label"] = _int(seen["label"], "label", 0, spec["num_classes"] - 1)
        if "truncation" in seen:
            option = spec.get("truncation")
            if not option:
                raise BadRequest(f"Model {name!r} has no truncation option: it takes no 'truncation'.")
            values["truncation"] = _float(seen["truncation"], "truncation", option["min"], option["max"])
        if spec["kind"] == "text":
            if "text" not in seen:
                raise BadRequest(f"Model {name!r} draws from a caption: give 'text'.")
            values["text"] = _text(seen["text"], spec["max_text"])
        elif "text" in seen:
            raise BadRequest(f"Model {name!r} draws from latents: it takes no 'text'.")
        return values

    def generate(self, values):
        """Checked values -> float images `[n, H, W, C]` in [-1, 1] (NumPy)."""
        import tensorflow as tf

        spec = values["spec"]
        signatures = self.signatures(values["model"])
        n = values["n"]
        if spec["kind"] == "text":
            out = signatures["serving_default"](texts=tf.constant([values["text"]] * n),
                                                seed=tf.constant(values["seed"], tf.int64))
            return out["images"].numpy()
        kwargs = {"seed": tf.constant(values["seed"], tf.int64), "num_images": tf.constant(n, tf.int64)}
        if spec.get("num_classes"):
            kwargs["labels"] = tf.constant([values["label"]] if "label" in values else [], tf.int32)
        option = spec.get("truncation")
        if option:
            kwargs[option["name"]] = tf.constant(values.get("truncation", option["off"]), tf.float32)
        return signatures["generate_from_seed"](**kwargs)["images"].numpy()


def _int(text, name, low, high):
    if not _INT_RE.match(text or ""):
        raise BadRequest(f"Parameter {name!r} must be an integer in [{low}, {high}]. Received: {text[:40]!r}")
    value = int(text)
    if not low <= value <= high:
        raise BadRequest(f"Parameter {name!r} must be in [{low}, {high}]. Received: {value}")
    return value


def _float(text, name, low, high):
    """A finite number in (low, high]."""
    if not _NUMBER_RE.match(text or "") or len(text) > 40:
        raise BadRequest(f"Parameter {name!r} must be a number in ({low:g}, {high:g}]. Received: {text[:40]!r}")
    value = float(text)
    if not math.isfinite(value) or not low < value <= high:
        raise BadRequest(f"Parameter {name!r} must be in ({low:g}, {high:g}] ({low:g} excluded). Received: {text[:40]}")
    return value


def _text(text, max_chars):
    if not text.strip():
        raise BadRequest("Parameter 'text' is empty: give a caption.")
    if len(text) > max_chars:
        raise BadRequest(f"Parameter 'text' may have at most {max_chars} characters. Received: {len(text)}")
    if not text.isprintable():
        raise BadRequest("Parameter 'text' may hold printable characters only.")
    return text


def png_bytes(images):
    """Float images `[n, H, W, C]` in [-1, 1] -> a PNG grid (bytes)."""
    import math as _math

    from PIL import Image

    from kerasgan.utils.images import image_grid

    columns = _math.ceil(_math.sqrt(len(images)))
    grid = image_grid(images, columns=columns, padding=2 if len(images) > 1 else 0)
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[grid.shape[-1]]
    buffer = io.BytesIO()
    Image.fromarray(grid[..., 0] if mode == "L" else grid, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


class GalleryHandler(http.server.BaseHTTPRequestHandler):
    server_version = "kerasgan-gallery"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def parse_request(self):
        if len(self.raw_requestline) > MAX_REQUEST_LINE:
            self.requestline = ""
            self.request_version = "HTTP/1.1"
            self.command = "GET"
            self.close_connection = True
            self._send_json(414, {"error": f"The request line is longer than {MAX_REQUEST_LINE} bytes."})
            return False
        return super().parse_request()

    def do_HEAD(self):  # noqa: N802 (http.server's naming)
        self._get(head=True)

    def do_GET(self):  # noqa: N802
        self._get(head=False)

    def _get(self, head):
        self._head_only = head
        path, _, query = self.path.partition("?")
        try:
            if path == "/api/generate":
                self._generate(query)
            elif path == "/api/models":
                self._send_json(200, {"models": self.server.models.specs})
            elif path == "/live.json":
                self._send_json(200, {"live": True, "models": sorted(self.server.models.specs)})
            else:
                self._static(path)
        except BadRequest as e:
            self._send_json(400, {"error": str(e)})
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # noqa: BLE001  (one line in the log, no traceback to the client)
            self.log_error("%s failed: %s: %s", path, type(e).__name__, str(e).splitlines()[0] if str(e) else "")
            self._send_json(500, {"error": f"The server failed to answer ({type(e).__name__}); see its log."})

    def _generate(self, query):
        values = self.server.models.parse(query)
        start = time.perf_counter()
        try:
            images = self.server.models.generate(values)
        except BadRequest:
            raise
        except Exception as e:  # the graph's own checks (InvalidArgumentError) or a failed load
            message = str(e).splitlines()[0] if str(e) else ""
            raise RuntimeError(f"generation from {values['model']} failed: {message[:300]}") from None
        body = png_bytes(images)
        headers = {"X-Generation-Ms": f"{(time.perf_counter() - start) * 1000:.0f}", "Cache-Control": "no-store"}
        self._send(200, body, "image/png", headers)

    def _static(self, path):
        target = resolve_static(self.server.site_dir, path)
        if target is None:
            self._send_json(404, {"error": "Not found."})
            return
        body = target.read_bytes()
        headers = {"Cache-Control": "no-cache"}
        self._send(200, body, CONTENT_TYPES[target.suffix.lower()], headers)

    def _send_json(self, status, data):
        self._send(status, (json.dumps(data) + "\n").encode("utf-8"), "application/json", {"Cache-Control": "no-store"})

    def _send(self, status, body, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in dict(SECURITY_HEADERS, **(headers or {})).items():
            self.send_header(key, value)
        self.end_headers()
        if not getattr(self, "_head_only", False):
            self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        if self.server.quiet:
            return
        sys.stderr.write(f"{self.address_string()} - {format % args}\n")


def resolve_static(site_dir, path):
    """The file of `site_dir` that the URL path `path` names, or None when it
    names nothing servable (outside the folder, hidden, an unknown type)."""
    try:
        decoded = urllib.parse.unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if not decoded.startswith("/") or "\\" in decoded or "\x00" in decoded:
        return None
    parts = [p for p in decoded.split("/") if p]
    if any(p in (".", "..") or p.startswith(".") for p in parts):
        return None
    root = pathlib.Path(os.path.realpath(site_dir))
    target = root.joinpath(*parts) if parts else root
    if target.is_dir():
        target = target / "index.html"
    try:
        real = pathlib.Path(os.path.realpath(target))
    except (OSError, ValueError):
        return None
    if root not in real.parents or not real.is_file() or real.suffix.lower() not in CONTENT_TYPES:
        return None
    return real


class GalleryServer(http.server.ThreadingHTTPServer):
    """Serves `site_dir` and `/api/generate` on 127.0.0.1:`port` (0: a free one)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site_dir, port=0, registry=None, zoo_dir=None, cache_dir=None, quiet=False):
        site_dir = pathlib.Path(site_dir)
        if not (site_dir / "index.html").is_file():
            raise ValueError(f"{site_dir} holds no gallery (index.html): build one with `kerasgan gallery --out DIR`.")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"`port` must be an int in [0, 65535] (0: a free port). Received: port={port!r}")
        self.site_dir = site_dir
        self.quiet = quiet
        self.models = Models(registry, zoo_dir, cache_dir)
        super().__init__((HOST, port), GalleryHandler)

    @property
    def port(self):
        return self.server_address[1]

    @property
    def url(self):
        return f"http://{HOST}:{self.port}/"


def serve_in_thread(site_dir, **kwargs):
    """A started `GalleryServer` serving from a daemon thread (tests,
    notebooks); stop it with `server.shutdown(); server.server_close()`."""
    server = GalleryServer(site_dir, **kwargs)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    server.thread = thread
    return server
