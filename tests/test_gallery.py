"""The zoo gallery: the Markdown converter, the static site, the server's API
and static files (on a tiny temporary zoo of untrained models), the command
line, and the page in a real headless Chromium against the real registry."""

import http.client
import io
import json
import os
import shutil
import time
import urllib.parse

import numpy as np
import pytest
from PIL import Image

from kerasgan import zoo
from kerasgan.gallery import build_site, serve_in_thread
from kerasgan.gallery import cli as gallery_cli
from kerasgan.gallery.markdown import to_html
from kerasgan.gallery.site import INTERPOLATION_ROWS, INTERPOLATION_STEPS, MAX_SEED, slerp
from kerasgan.utils.images import to_uint8

HOSTILE = '<img src=x onerror="alert(1)">'
CARD = f"""# tiny-biggan

A card with {HOSTILE} inside, `code <b>` and **bold**.

![samples](samples.png)
![outside](../../registry.json)

| | |
|---|---|
| family | `biggan` |
| link | [docs](https://example.org/a?b=1&c=2) and [bad](javascript:alert(1)) |

```python
x = "<script>alert(1)</script>"
```

- first item
  continued
- second
"""


def _write_entry(root, registry, name, family, files, description, metrics):
    folder = root / name
    for relpath, data in files.items():
        (folder / relpath).parent.mkdir(parents=True, exist_ok=True)
        (folder / relpath).write_bytes(data)
    return zoo.build_entry(name, folder, family=family, description=description, resolution=16, dataset="none",
                           licence="CC0", metrics=metrics, registry=registry, command="python make_tiny.py")


def _png(size=(8, 8), value=128):
    buffer = io.BytesIO()
    Image.fromarray(np.full(size, value, np.uint8), mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tiny_zoo(tmp_path_factory):
    """A registry and zoo folder of four entries: a tiny untrained
    class-conditional BigGAN (3 classes, truncation option), a tiny DCGAN, a
    tiny text -> image StackGAN (SavedModel only), and a files-only entry of a
    non-latent family with hostile text."""
    import keras

    from kerasgan.export import export_saved_model
    from kerasgan.models import DCGAN, BigGAN, StackGAN
    from kerasgan.utils import save_image_grid

    root = tmp_path_factory.mktemp("gallery-zoo")
    registry, zoo_dir = root / "registry.json", root / "zoo"
    keras.utils.clear_session(free_memory=False)
    for name, model in (("tiny-biggan", BigGAN(**BigGAN.presets["tiny"])),
                        ("tiny-dcgan", DCGAN((16, 16, 1), latent_dim=4, generator_filters=2,
                                             discriminator_filters=2, seed=0))):
        folder = zoo_dir / name
        export_saved_model(model, str(folder / "saved_model"), version=1, warmup=False)
        save_image_grid(model.generate(4, seed=0), folder / "samples.png")
        (folder / "README.md").write_text(CARD.replace("tiny-biggan", name))
        zoo.build_entry(name, folder, family=name.split("-")[1], description=f"tiny {HOSTILE}", resolution=16,
                        dataset="none", licence="CC0", metrics={"fid": 12.3456, "accuracy": 0.5},
                        registry=registry, command="python make_tiny.py --x '<y>'")
    stackgan = StackGAN(**StackGAN.presets["tiny"])
    rng = np.random.default_rng(0)
    for network in ("text_encoder", "stage1_generator"):  # untrained outputs are ~0: give the caption a say
        for variable in stackgan.get_network(network).weights:
            if "kernel" in variable.path or "embedding" in variable.path:
                variable.assign(rng.standard_normal(variable.shape).astype("float32") * 0.5)
    folder = zoo_dir / "tiny-stackgan"
    export_saved_model(stackgan, str(folder / "saved_model"), version=1, warmup=False)
    (folder / "README.md").write_text("# tiny-stackgan\n")
    zoo.build_entry("tiny-stackgan", folder, family="stackgan", registry=registry)
    _write_entry(zoo_dir, registry, "files-only", "srgan",
                 {"README.md": b"# files-only\n\n<script>alert(1)</script>\n", "samples.png": _png()},
                 HOSTILE, {"psnr": 20.5})
    return {"registry": registry, "zoo_dir": zoo_dir,
            "names": ["files-only", "tiny-biggan", "tiny-dcgan", "tiny-stackgan"]}


@pytest.fixture(scope="module")
def site(tiny_zoo, tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "gallery"
    result = build_site(out, registry=tiny_zoo["registry"], zoo_dir=tiny_zoo["zoo_dir"])
    return out, result


@pytest.fixture(scope="module")
def server(site, tiny_zoo):
    srv = serve_in_thread(site[0], port=0, registry=tiny_zoo["registry"], zoo_dir=tiny_zoo["zoo_dir"], quiet=True)
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def _get(srv, path, method="GET"):
    connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _generate(srv, **params):
    status, headers, body = _get(srv, "/api/generate?" + urllib.parse.urlencode(params))
    assert status == 200, body
    assert headers["Content-Type"] == "image/png"
    return np.asarray(Image.open(io.BytesIO(body)))


def _tile(grid, row, column, size=16, padding=2):
    top, left = padding + row * (size + padding), padding + column * (size + padding)
    return grid[top:top + size, left:left + size]


# ----------------------------------------------------------------- markdown
def test_markdown_escapes_raw_html_and_drops_unsafe_targets():
    html = to_html(CARD, rewrite_image=lambda src: src if src == "samples.png" else None)
    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;script&gt;" in html and "<script" not in html
    assert "javascript:" not in html
    assert '<img src="samples.png" alt="samples"' in html
    assert "registry.json" not in html  # the image outside the entry is dropped, its alt text kept
    assert '[image: outside]' in html
    assert '<a href="https://example.org/a?b=1&amp;c=2">docs</a>' in html
    assert "<code>code &lt;b&gt;</code>" in html and "<strong>bold</strong>" in html


def test_markdown_renders_the_card_structures():
    html = to_html(CARD, heading_offset=1)
    assert '<h2 id="tiny-biggan">tiny-biggan</h2>' in html
    assert "<table><tbody><tr><td>family</td><td><code>biggan</code></td></tr>" in html  # empty header row dropped
    assert '<pre><code class="language-python">x = &quot;&lt;script&gt;' in html
    assert "<ul><li>first item continued</li><li>second</li></ul>" in html
    assert to_html("| a | b |\n|---|--:|\n| 1 | `x|y` |") == (
        "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td><code>x|y</code></td>"
        "</tr></tbody></table>")
    assert to_html("snake_case_name and _em_") == "<p>snake_case_name and <em>em</em></p>"


# --------------------------------------------------------------------- site
def test_index_lists_every_entry_with_its_text_escaped(site, tiny_zoo):
    out, result = site
    index = (out / "index.html").read_text()
    assert [e["name"] for e in result["entries"]] == tiny_zoo["names"]
    for name in tiny_zoo["names"]:
        assert f'<li class="entry" data-entry="{name}"><a href="models/{name}/index.html">' in index
        assert (out / "models" / name / "index.html").is_file()
    assert "onerror" not in index.replace("onerror=&quot;", "")  # only the escaped form
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in index
    assert "FID 12.35" in index
    assert json.loads((out / "live.json").read_text()) == {"live": False}


def test_latent_page_has_live_controls_interpolations_and_metrics(site):
    out, _ = site
    page = (out / "models" / "tiny-biggan" / "index.html").read_text()
    assert 'id="live" data-kind="latent" data-model="tiny-biggan"' in page
    assert page.count("<option value=") == 3 + 4  # classes 0..2, image counts 1/4/9/16
    assert 'id="live-truncation" name="truncation"' in page
    for picture in ("samples.png", "interpolation.png", "truncation_strip.png"):
        assert f'data-picture="{picture}"' in page and (out / "models" / "tiny-biggan" / picture).is_file()
    assert "<th scope=\"row\">FID</th><td>12.35</td>" in page
    assert "<code>python make_tiny.py --x &#x27;&lt;y&gt;&#x27;</code>" in page
    assert "<script" not in page.replace('<script src="../../gallery.js" defer></script>', "")
    dcgan = (out / "models" / "tiny-dcgan" / "index.html").read_text()
    assert 'data-kind="latent"' in dcgan and "live-label" not in dcgan and "live-truncation" not in dcgan
    assert not (out / "models" / "tiny-dcgan" / "truncation_strip.png").exists()
    text = (out / "models" / "tiny-stackgan" / "index.html").read_text()
    assert 'data-kind="text"' in text and 'id="live-text" name="text" maxlength="200" value="red green blue"' in text
    assert "computed for latent -&gt; image entries only" in text


def test_interpolation_strip_starts_and_ends_at_the_seeds_images(site, tiny_zoo):
    import tensorflow as tf

    out, _ = site
    strip = np.asarray(Image.open(out / "models" / "tiny-biggan" / "interpolation.png"))
    assert strip.shape == (2 + INTERPOLATION_ROWS * 18, 2 + INTERPOLATION_STEPS * 18)
    served = zoo.load("tiny-biggan", format="saved_model", registry=tiny_zoo["registry"], zoo_dir=tiny_zoo["zoo_dir"])
    for row in range(INTERPOLATION_ROWS):
        for column, seed in ((0, 2 * row), (INTERPOLATION_STEPS - 1, 2 * row + 1)):
            image = served.signatures["generate_from_seed"](
                seed=tf.constant(seed, tf.int64), num_images=tf.constant(1, tf.int64),
                labels=tf.constant([row % 3], tf.int32))["images"].numpy()[0, ..., 0]
            assert np.abs(_tile(strip, row, column).astype(int) - to_uint8(image).astype(int)).max() <= 1
        assert not np.array_equal(_tile(strip, row, 0), _tile(strip, row, INTERPOLATION_STEPS - 1))
    a, b = np.array([[1.0, 0.0]]), np.array([[0.0, 2.0]])
    np.testing.assert_allclose(slerp(a, b, 0.5), [[np.sqrt(0.5) * 1, np.sqrt(0.5) * 2]], rtol=1e-6)


def test_non_latent_and_unverifiable_entries_get_a_page_that_says_so(site, tiny_zoo, tmp_path):
    out, _ = site
    page = (out / "models" / "files-only" / "index.html").read_text()
    assert "live generation: not available for this family" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert '<img class="pixelated" src="samples.png"' in page
    # A file that no longer matches the registry: the page names it, shows none of the files.
    zoo_dir = tmp_path / "zoo"
    shutil.copytree(tiny_zoo["zoo_dir"] / "files-only", zoo_dir / "files-only")
    (zoo_dir / "files-only" / "README.md").write_text("# changed\n")
    registry = tmp_path / "registry.json"
    data = zoo.read_registry(tiny_zoo["registry"])
    kept = [e for e in data["models"] if e["name"] in ("files-only", "tiny-dcgan")]  # tiny-dcgan: no folder here
    registry.write_text(json.dumps(dict(data, models=kept)))
    result = build_site(tmp_path / "site", registry=registry, zoo_dir=zoo_dir, cache_dir=tmp_path / "cache",
                        interpolations=False)
    page = (tmp_path / "site" / "models" / "files-only" / "index.html").read_text()
    assert "failed the registry&#x27;s check" in page and "README.md" in page and "changed" not in page
    assert not (tmp_path / "site" / "models" / "files-only" / "samples.png").exists()
    missing = (tmp_path / "site" / "models" / "tiny-dcgan" / "index.html").read_text()
    assert "Its files are not on this machine" in missing and "live generation: not available (the entry" in missing
    assert 'data-entry="tiny-dcgan"' in (tmp_path / "site" / "index.html").read_text()
    assert [e["live"] for e in result["entries"]] == [False, False]


def test_rebuild_without_interpolations_and_refusing_a_foreign_folder(tiny_zoo, tmp_path):
    out = tmp_path / "gallery"
    result = build_site(out, registry=tiny_zoo["registry"], zoo_dir=tiny_zoo["zoo_dir"], interpolations=False)
    assert result["interpolations"] is False
    assert not (out / "models" / "tiny-dcgan" / "interpolation.png").exists()
    page = (out / "models" / "tiny-dcgan" / "index.html").read_text()
    assert "not computed for this build (--no-interpolations)" in page
    build_site(out, registry=tiny_zoo["registry"], zoo_dir=tiny_zoo["zoo_dir"], interpolations=False)  # again: fine
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a kerasgan gallery"):
        build_site(foreign, registry=tiny_zoo["registry"], zoo_dir=tiny_zoo["zoo_dir"], interpolations=False)
    assert sorted(os.listdir(foreign)) == ["notes.txt"]
    with pytest.raises(ValueError, match="Unknown zoo model"):
        build_site(tmp_path / "x", registry=tiny_zoo["registry"], zoo_dir=tiny_zoo["zoo_dir"], names=["nope"])


# ---------------------------------------------------------------------- API
def test_generate_draws_the_saved_model_and_each_control_changes_it(server, tiny_zoo):
    import tensorflow as tf

    first = _generate(server, model="tiny-biggan", seed=5, label=1)
    assert first.shape == (16, 16)
    served = zoo.load("tiny-biggan", format="saved_model", registry=tiny_zoo["registry"], zoo_dir=tiny_zoo["zoo_dir"])
    expected = served.signatures["generate_from_seed"](
        seed=tf.constant(5, tf.int64), num_images=tf.constant(1, tf.int64), labels=tf.constant([1], tf.int32))
    assert np.abs(first.astype(int) - to_uint8(expected["images"].numpy()[0, ..., 0]).astype(int)).max() <= 1
    assert np.array_equal(first, _generate(server, model="tiny-biggan", seed=5, label=1))
    for changed in ({"seed": 6, "label": 1}, {"seed": 5, "label": 2}, {"seed": 5, "label": 1, "truncation": 0.3}):
        assert not np.array_equal(first, _generate(server, model="tiny-biggan", **changed)), changed
    grid = _generate(server, model="tiny-dcgan", seed=0, n=4)
    assert grid.shape == (2 + 2 * 18, 2 + 2 * 18)
    caption = _generate(server, model="tiny-stackgan", text="red heart", seed=3, n=2)
    assert caption.shape == (2 + 10, 2 + 2 * 10, 3)  # two 8x8 RGB images side by side, padded
    assert not np.array_equal(caption, _generate(server, model="tiny-stackgan", text="green cat", seed=3, n=2))
    status, _, body = _get(server, "/api/models")
    specs = json.loads(body)["models"]
    assert status == 200 and sorted(specs) == ["tiny-biggan", "tiny-dcgan", "tiny-stackgan"]
    assert specs["tiny-stackgan"]["kind"] == "text" and specs["tiny-stackgan"]["example"] == "red green blue"
    assert specs["tiny-biggan"]["num_classes"] == 3 and specs["tiny-biggan"]["truncation"]["name"] == "truncation"
    assert json.loads(_get(server, "/live.json")[2]) == {
        "live": True, "models": ["tiny-biggan", "tiny-dcgan", "tiny-stackgan"]}


@pytest.mark.parametrize("query, message", [
    ("", "Missing parameter 'model'"),
    ("model=nope&seed=1", "Unknown model 'nope'"),
    ("model=files-only", "has no live generation here"),
    ("model=tiny-biggan&seed=abc", "'seed' must be an integer"),
    ("model=tiny-biggan&seed=-1", "'seed' must be an integer"),
    (f"model=tiny-biggan&seed={MAX_SEED + 1}", "'seed' must be in [0, 2147483645]"),
    ("model=tiny-biggan&label=3", "'label' must be in [0, 2]"),
    ("model=tiny-biggan&label=1.5", "'label' must be an integer"),
    ("model=tiny-dcgan&label=0", "not class-conditional"),
    ("model=tiny-biggan&truncation=0", "'truncation' must be in (0, 4]"),
    ("model=tiny-biggan&truncation=-0.5", "'truncation' must be a number"),
    ("model=tiny-biggan&truncation=nan", "'truncation' must be a number"),
    ("model=tiny-biggan&truncation=1e999", "'truncation' must be in"),
    ("model=tiny-biggan&truncation=9", "'truncation' must be in (0, 4]"),
    ("model=tiny-dcgan&truncation=0.5", "has no truncation option"),
    ("model=tiny-biggan&n=0", "'n' must be in [1, 16]"),
    ("model=tiny-biggan&n=17", "'n' must be in [1, 16]"),
    ("model=tiny-biggan&n=100000000", "'n' must be in [1, 16]"),
    ("model=tiny-dcgan&text=hello", "takes no 'text'"),
    ("model=tiny-stackgan&seed=1", "draws from a caption: give 'text'"),
    ("model=tiny-stackgan&text=+", "'text' is empty"),
    ("model=tiny-stackgan&text=" + "a" * 201, "at most 200 characters"),
    ("model=tiny-stackgan&text=a%0Ab", "printable characters only"),
    ("model=tiny-stackgan&text=red&label=1", "not class-conditional"),
    ("model=tiny-dcgan&seed=1&seed=2", "given twice"),
    ("model=tiny-dcgan&rows=2", "Unknown parameter 'rows'"),
    ("model=tiny-dcgan&a=1&b=2&c=3&d=4&e=5&f=6", "Malformed query string"),
])
def test_generate_refuses_bad_parameters_with_a_clear_400(server, query, message):
    status, headers, body = _get(server, "/api/generate?" + query)
    assert status == 400 and headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert message in error and "Traceback" not in error


@pytest.mark.parametrize("path", [
    "/../registry.json", "/%2e%2e/registry.json", "/models/..%2f..%2fregistry.json", "/models/%2e%2e/%2e%2e/x",
    "/..%5cregistry.json", "/.hidden", "/models/tiny-dcgan/%00.png", "//etc/passwd", "/nothing.html",
    "/models/tiny-dcgan/missing.png", "/gallery.json/..", "/%ff.html",
])
def test_static_files_stay_inside_the_site(server, site, path):
    (site[0] / ".hidden").write_text("secret")
    status, _, body = _get(server, path)
    assert status == 404 and b"secret" not in body and b"models" not in body


def test_static_files_limits_and_methods(server):
    status, headers, body = _get(server, "/")
    assert status == 200 and b'data-entry="tiny-dcgan"' in body
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, _ = _get(server, "/models/tiny-dcgan/samples.png")
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert _get(server, "/api/generate?model=tiny-dcgan&x=" + "a" * 3000)[0] == 414
    assert _get(server, "/index.html", method="POST")[0] == 501
    assert _get(server, "/index.html", method="HEAD")[0] == 200
    assert server.server_address[0] == "127.0.0.1"


# ---------------------------------------------------------------------- CLI
def test_cli_builds_the_gallery_and_reports_bad_input(tiny_zoo, tmp_path, capsys):
    common = ["--registry", str(tiny_zoo["registry"]), "--zoo-dir", str(tiny_zoo["zoo_dir"]), "--no-interpolations"]
    out = str(tmp_path / "g")
    assert gallery_cli.main(["gallery", "--out", out, "--models", "tiny-dcgan,files-only"] + common) == 0
    assert "2 entries" in capsys.readouterr().out
    index = (tmp_path / "g" / "index.html").read_text()
    assert 'data-entry="tiny-dcgan"' in index and 'data-entry="tiny-biggan"' not in index
    assert gallery_cli.main(["gallery", "--out", str(tmp_path / "h"), "--models", "tiny-dcgan,nope"] + common) == 2
    assert "Unknown zoo model(s): nope" in capsys.readouterr().err
    assert gallery_cli.main(["serve-gallery", "--site", str(tmp_path / "g"), "--port", "70000"] + common) == 2
    assert "`port` must be an int in [0, 65535]" in capsys.readouterr().err


_AS_CONSOLE_SCRIPT = (
    "import json, sys\n"
    "args = json.loads(sys.argv[1]); sys.argv = ['kerasgan']  # as the console script: no eager TensorFlow\n"
    "from kerasgan.gallery.cli import main\n"
    "rc = main(args)\n"
    "print('tensorflow imported:', 'tensorflow' in sys.modules, flush=True)\n"
    "sys.exit(rc)\n"
)


def test_cli_without_interpolations_never_imports_tensorflow_and_serves_until_sigterm(tiny_zoo, tmp_path):
    import signal
    import subprocess
    import sys

    common = ["--registry", str(tiny_zoo["registry"]), "--zoo-dir", str(tiny_zoo["zoo_dir"]), "--no-interpolations"]
    env = dict(os.environ, TMPDIR=str(tmp_path))
    build = json.dumps(["gallery", "--out", str(tmp_path / "g")] + common)
    done = subprocess.run([sys.executable, "-c", _AS_CONSOLE_SCRIPT, build], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "tensorflow imported: False" in done.stdout and (tmp_path / "g" / "index.html").is_file()
    process = subprocess.Popen([sys.executable, "-c", _AS_CONSOLE_SCRIPT,
                                json.dumps(["serve-gallery", "--port", "0", "--quiet"] + common)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Serving the kerasgan gallery at "):
                break
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert url.startswith("http://127.0.0.1:") and "tiny-biggan, tiny-dcgan, tiny-stackgan" in line
        port = int(url.rsplit(":", 1)[1].strip("/"))
        site = [p for p in tmp_path.iterdir() if p.name.startswith("kerasgan-gallery-")]
        assert len(site) == 1 and (site[0] / "index.html").is_file()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/live.json")
        assert json.loads(connection.getresponse().read())["live"] is True
        connection.close()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopped" in out and "tensorflow imported: False" in out
    assert not site[0].exists()  # the temporary site is removed on SIGTERM


# ------------------------------------------------------------------ browser
def _browser():
    selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install selenium)")
    del selenium
    browsers = ("chromium", "chromium-browser", "google-chrome")
    chromium = next((shutil.which(n) for n in browsers if shutil.which(n)), None)
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1200,900", "--disable-extensions", "--no-first-run"):
        options.add_argument(argument)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Both paths given: Selenium Manager is never asked to download anything.
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


def _severe(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _wait(driver, condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(condition)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout} s waiting for: {condition}")


_PIXELS = """
const image = document.getElementById("live-image");
const canvas = document.createElement("canvas");
canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
const context = canvas.getContext("2d");
context.drawImage(image, 0, 0);
return [canvas.width, canvas.height, Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data)];
"""


def test_gallery_in_headless_chromium_on_the_real_zoo(tmp_path, monkeypatch):
    """The real registry's gallery: the index shows every entry with no console
    error, and moving a latent entry's seed control fetches a new image whose
    pixels differ."""
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager reach the network
    driver = _browser()
    try:
        names = zoo.list()
        assert names, "the real registry is empty"
        build_site(tmp_path / "site", interpolations=False)
        srv = serve_in_thread(tmp_path / "site", port=0, quiet=True)
        try:
            driver.get(srv.url)
            _wait(driver, "return document.readyState === 'complete'")
            shown = driver.execute_script(
                "return Array.from(document.querySelectorAll('li.entry')).map(e => e.dataset.entry)")
            assert sorted(shown) == sorted(names)
            assert _severe(driver) == []
            latent = sorted(srv.models.specs, key=lambda n: (not srv.models.specs[n].get("num_classes"), n))
            assert latent, "no latent entry with a local SavedModel in the real zoo"
            name = latent[0]
            driver.get(f"{srv.url}models/{name}/index.html")
            _wait(driver, "const p = document.getElementById('live'); "
                          "return p.dataset.state === 'ready' && p.dataset.generation === '1'")
            width, height, before = driver.execute_script(_PIXELS)
            assert width > 0 and height > 0
            seed = driver.find_element("id", "live-seed")
            seed.clear()
            seed.send_keys("7\t")  # typing, then leaving the field: a change event
            query = _wait(driver, "const p = document.getElementById('live'); return p.dataset.state === 'ready' "
                                  "&& (p.dataset.query || '').includes('seed=7') && p.dataset.query")
            assert f"model={name}" in query
            assert int(driver.find_element("id", "live").get_attribute("data-generation")) >= 2
            after = driver.execute_script(_PIXELS)
            assert after[:2] == [width, height]
            assert np.abs(np.array(before, int) - np.array(after[2], int)).sum() > 0
            assert _severe(driver) == []
        finally:
            srv.shutdown()
            srv.server_close()
    finally:
        driver.quit()
