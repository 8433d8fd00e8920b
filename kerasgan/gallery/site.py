"""The static gallery: `build_site(out)` writes one HTML page per zoo entry
and an index.

    out/index.html               every registry entry: name, family, samples, FID
    out/models/NAME/index.html   its card (README.md rendered), pictures, metrics
    out/models/NAME/*.png        its pictures (copied after the SHA-256 check)
    out/models/NAME/interpolation.png   computed here (latent entries)
    out/models/NAME/truncation_strip.png  computed here (a truncation option
                                 and no truncation.png of its own)
    out/style.css, out/gallery.js, out/live.json ({"live": false}; the
                                 gallery server answers it with true)
    out/gallery.json             what was built (entries, notes), the marker
                                 that lets a rebuild write into `out` again

Every entry of the registry gets a page, also one whose files are not here
(it says so) or fail their SHA-256 check (it says which file). Computed
strips come from the entry's SavedModel (`serving_default` on latents drawn
by `generate_from_seed`), the same graph the live panel runs, so every latent
family gets them without family-specific code.
"""

import json
import logging
import pathlib
import shutil
import time

from kerasgan.gallery import entries as entries_lib
from kerasgan.gallery.markdown import escape, safe_relative, to_html
from kerasgan.utils.atomic import atomic_write
from kerasgan.zoo import registry as registry_lib

logger = logging.getLogger(__name__)

#: Pictures an entry may ship, in page order: file -> (title, what it shows).
KNOWN_PICTURES = {
    "samples.png": ("Samples", "a grid of samples (seed 0)"),
    "interpolation.png": ("Latent interpolations", None),
    "truncation.png": ("Truncation", "the same seeds at decreasing truncation psi"),
    "truncation_strip.png": ("Truncation", None),
    "style_mixing.png": ("Style mixing", "coarse styles from the rows' seeds, fine styles from the columns'"),
    "truncation_sweep.png": ("Truncation sweep", "quality measures against the truncation threshold"),
    "attention.png": ("Where the attention looks", "self-attention maps of four query pixels"),
}
#: Facts of a registry entry shown in the metrics table, in order.
FACTS = (
    ("family", "family"), ("resolution", "resolution"), ("dataset", "training data"),
    ("licence", "data licence"), ("num_samples", "samples per metric"), ("extractor", "extractor"),
    ("eval_dataset", "real images"), ("train_seconds", "training time (s)"), ("hardware", "hardware"),
    ("kerasgan_version", "kerasgan version"), ("command", "command"),
)
METRIC_NAMES = {
    "fid": "FID", "fid_real_halves": "FID (real halves)", "kid": "KID", "kid_std": "KID std",
    "accuracy": "class accuracy", "truncation_psi": "truncation psi (extra rows)",
    "fid_psi": "FID at that psi", "kid_psi": "KID at that psi", "kid_std_psi": "KID std at that psi",
    "psnr": "PSNR (dB)", "ssim": "SSIM", "precision": "precision", "recall": "recall",
}
MARKER = "gallery.json"
INTERPOLATION_STEPS = 8
INTERPOLATION_ROWS = 3
TRUNCATION_SEEDS = 4
#: Largest seed the live panel and the API accept (the SavedModel folds
#: seeds modulo 2**31 - 2, so larger ones would repeat images).
MAX_SEED = 2**31 - 3

_ASSETS = pathlib.Path(__file__).resolve().parent / "assets"


# --------------------------------------------------------------- strips
def slerp(a, b, t):
    """Spherical interpolation of latent rows `a`, `b` (`[k, d]`) at `t` in
    [0, 1] (the path that keeps a Gaussian latent's norm typical; linear
    where the two are parallel)."""
    import numpy as np

    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    na = a / np.linalg.norm(a, axis=-1, keepdims=True)
    nb = b / np.linalg.norm(b, axis=-1, keepdims=True)
    omega = np.arccos(np.clip(np.sum(na * nb, axis=-1, keepdims=True), -1.0, 1.0))
    so = np.sin(omega)
    linear = (1.0 - t) * a + t * b
    with np.errstate(divide="ignore", invalid="ignore"):
        spherical = (np.sin((1.0 - t) * omega) / so) * a + (np.sin(t * omega) / so) * b
    return np.where(so > 1e-6, spherical, linear).astype(np.float32)


def _seed_call(signatures, spec, seed, n, label=None, truncation=None):
    """`generate_from_seed` outputs for `n` images (`label`: one class for all)."""
    import tensorflow as tf

    kwargs = {"seed": tf.constant(seed, tf.int64), "num_images": tf.constant(n, tf.int64)}
    if spec["num_classes"] is not None:
        kwargs["labels"] = tf.constant([] if label is None else [label], tf.int32)
    if spec["truncation"] is not None:
        value = spec["truncation"]["off"] if truncation is None else truncation
        kwargs[spec["truncation"]["name"]] = tf.constant(value, tf.float32)
    return signatures["generate_from_seed"](**kwargs)


def _latent_call(signatures, spec, z, labels=None, truncation=None):
    import tensorflow as tf

    kwargs = {"z": tf.constant(z, tf.float32)}
    if spec["num_classes"] is not None:
        kwargs["labels"] = tf.constant(labels, tf.int32)
    if spec["truncation"] is not None:
        value = spec["truncation"]["off"] if truncation is None else truncation
        kwargs[spec["truncation"]["name"]] = tf.constant(value, tf.float32)
    return signatures["serving_default"](**kwargs)["images"].numpy()


def interpolation_images(signatures, spec, rows=INTERPOLATION_ROWS, steps=INTERPOLATION_STEPS):
    """`[rows * steps, H, W, C]` images: row r walks (slerp) from the latent of
    seed 2r to that of seed 2r + 1, class r mod K for conditional models."""
    import numpy as np

    images = []
    for r in range(rows):
        label = r % spec["num_classes"] if spec["num_classes"] else None
        a = _seed_call(signatures, spec, 2 * r, 1, label)["z"].numpy()
        b = _seed_call(signatures, spec, 2 * r + 1, 1, label)["z"].numpy()
        z = np.concatenate([slerp(a, b, t) for t in np.linspace(0.0, 1.0, steps)], axis=0)
        images.append(_latent_call(signatures, spec, z, None if label is None else [label] * steps))
    return np.concatenate(images, axis=0)


def truncation_values(option):
    """The columns of a computed truncation strip: no truncation, then
    decreasing psi."""
    if option["name"] == "truncation_psi":
        return [None, 0.85, 0.7, 0.5, 0.3, 0.1]
    return [None, 2.0, 1.5, 1.0, 0.5, 0.25]


def truncation_images(signatures, spec, seeds=TRUNCATION_SEEDS):
    """`[seeds * columns, H, W, C]`: one row per seed (its latent from
    `generate_from_seed(seed=0)`), one column per `truncation_values`."""
    import numpy as np

    labels = None
    if spec["num_classes"]:
        labels = [i % spec["num_classes"] for i in range(seeds)]
    z = _seed_call(signatures, spec, 0, seeds, label=None)["z"].numpy()
    columns = [_latent_call(signatures, spec, z, labels, psi) for psi in truncation_values(spec["truncation"])]
    return np.stack(columns, axis=1).reshape((-1,) + columns[0].shape[1:])


# ---------------------------------------------------------------- pages
def _write_text(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(text)


def _page(title, body, root, page_class=""):
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n"
        "<link rel=\"icon\" href=\"data:,\">\n"
        f"<link rel=\"stylesheet\" href=\"{root}style.css\">\n"
        f"<script src=\"{root}gallery.js\" defer></script>\n"
        f"</head>\n<body class=\"{escape(page_class)}\" data-root=\"{root}\">\n"
        f"<header><a href=\"{root}index.html\">kerasgan model zoo</a></header>\n"
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _metrics_rows(entry):
    rows = []
    for key, value in (entry.get("metrics") or {}).items():
        rows.append((METRIC_NAMES.get(key, key), entries_lib.format_number(value)))
    return rows


def _facts_rows(entry):
    rows = []
    for key, label in FACTS:
        value = entry.get(key)
        if value is None or value == "":
            continue
        if key == "resolution" and isinstance(value, int):
            value = f"{value}x{value}"
        if isinstance(value, (dict, list)):
            value = json.dumps(value, sort_keys=True)
        rows.append((label, entries_lib.format_number(value) if isinstance(value, float) else str(value)))
    return rows


def _table(rows, cls, code_keys=()):
    body = "".join(
        f"<tr><th scope=\"row\">{escape(k)}</th><td>"
        + (f"<code>{escape(v)}</code>" if k in code_keys else escape(v))
        + "</td></tr>"
        for k, v in rows
    )
    return f"<table class=\"{cls}\"><tbody>{body}</tbody></table>"


def _live_panel(name, spec, task, has_files=True):
    if spec is None:
        if not has_files:
            why = "live generation: not available (the entry's files are not here or failed their check)"
        elif task is None:
            why = "live generation: not available for this family (the entry has no kerasgan SavedModel)"
        else:
            what = {"super_resolution": "super-resolution", "image_to_image": "image-to-image"}.get(task, task)
            why = f"live generation: not available for this family ({what})"
        return ("<section class=\"live\" id=\"live\" data-kind=\"none\">\n<h2>Live generation</h2>\n"
                f"<p class=\"live-note\">{escape(why)}</p>\n</section>")
    controls = [
        "<label>seed <input type=\"number\" id=\"live-seed\" name=\"seed\" min=\"0\" "
        f"max=\"{MAX_SEED}\" step=\"1\" value=\"0\"></label>",
        "<button type=\"button\" id=\"live-random\">random seed</button>",
    ]
    if spec["kind"] == "text":
        example = escape(spec.get("example") or "")
        controls.insert(0, "<label>caption <input type=\"text\" id=\"live-text\" name=\"text\" "
                        f"maxlength=\"{spec['max_text']}\" value=\"{example}\" size=\"40\"></label>")
    if spec.get("num_classes"):
        options = "".join(f"<option value=\"{k}\">{k}</option>" for k in range(spec["num_classes"]))
        controls.append(f"<label>class <select id=\"live-label\" name=\"label\">{options}</select></label>")
    option = spec.get("truncation")
    if option:
        controls.append(
            f"<label title=\"{escape(option['doc'])}\"><input type=\"checkbox\" id=\"live-truncate\"> "
            f"{escape(option['label'])}</label> "
            f"<input type=\"range\" id=\"live-truncation\" name=\"truncation\" min=\"{option['slider_min']}\" "
            f"max=\"{option['max']}\" step=\"{option['step']}\" value=\"{option['initial']}\" disabled> "
            f"<output id=\"live-truncation-value\">off</output>"
        )
    sizes = "".join(f"<option value=\"{n}\">{n}</option>" for n in (1, 4, 9, 16) if n <= spec["max_images"])
    controls.append(f"<label>images <select id=\"live-n\" name=\"n\">{sizes}</select></label>")
    return (
        f"<section class=\"live\" id=\"live\" data-kind=\"{escape(spec['kind'])}\" data-model=\"{escape(name)}\" "
        "data-state=\"static\" data-generation=\"0\">\n<h2>Live generation</h2>\n"
        "<p class=\"live-note\" id=\"live-status\">Live generation runs the entry's SavedModel in the gallery "
        "server: start it with <code>kerasgan serve-gallery</code> and open this page there.</p>\n"
        "<form id=\"live-form\" hidden>\n" + "\n".join(controls) + "\n</form>\n"
        "<img id=\"live-image\" class=\"pixelated\" alt=\"live sample\" hidden>\n</section>"
    )


def _picture_section(pictures):
    parts = []
    for filename, title, caption in pictures:
        figcaption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
        parts.append(
            f"<figure class=\"picture\" data-picture=\"{escape(filename)}\"><h3>{escape(title)}</h3>"
            f"<img class=\"pixelated\" src=\"{escape(filename)}\" alt=\"{escape(title)}\">{figcaption}</figure>"
        )
    return "\n".join(parts)


def entry_page(info, pictures, notes, card_html):
    entry = info["entry"]
    name = entry["name"]
    description = entry.get("description") or ""
    body = [
        f"<h1 id=\"entry-name\">{escape(name)}</h1>",
        f"<p class=\"description\">{escape(description)}</p>",
        f"<p class=\"facts\">family <code>{escape(entry.get('family'))}</code>"
        + (f", {escape(entry['resolution'])}x{escape(entry['resolution'])}" if entry.get("resolution") else "")
        + "</p>",
    ]
    if notes:
        body.append("<ul class=\"notes\">" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>")
    body.append(_live_panel(name, info["live"], info["task"], info["folder"] is not None))
    body.append("<section class=\"pictures\" id=\"pictures\"><h2>Pictures</h2>\n"
                + (_picture_section(pictures) or "<p>No pictures available.</p>") + "</section>")
    metrics = _metrics_rows(entry)
    body.append(
        "<section id=\"metrics\"><h2>Metrics</h2>\n"
        + (_table(metrics, "metrics") if metrics else "<p>No metrics recorded.</p>")
        + "\n<h3>Facts</h3>\n" + _table(_facts_rows(entry), "facts", code_keys=("command",))
        + "</section>"
    )
    body.append("<section class=\"card\" id=\"card\"><h2>Model card</h2>\n"
                + (card_html or "<p>No card available.</p>") + "\n</section>")
    return _page(f"{name} - kerasgan zoo", "\n".join(body), "../../", "entry")


def index_page(rows, registry_file):
    cards = []
    for info, has_samples, notes in rows:
        entry = info["entry"]
        name = entry["name"]
        fid = (entry.get("metrics") or {}).get("fid")
        thumb = (f"<img class=\"pixelated\" src=\"models/{escape(name)}/samples.png\" "
                 f"alt=\"samples of {escape(name)}\">"
                 if has_samples else "<div class=\"no-picture\">no samples</div>")
        live = "live" if info["live"] else "static"
        cards.append(
            f"<li class=\"entry\" data-entry=\"{escape(name)}\"><a href=\"models/{escape(name)}/index.html\">"
            f"{thumb}<h2>{escape(name)}</h2></a>"
            f"<p class=\"facts\"><code>{escape(entry.get('family'))}</code>"
            + (f" &middot; FID {escape(entries_lib.format_number(fid))}" if fid is not None else "")
            + f" &middot; {live}</p>"
            f"<p class=\"description\">{escape(entry.get('description') or '')}</p>"
            + (f"<p class=\"notes\">{escape('; '.join(notes))}</p>" if notes else "")
            + "</li>"
        )
    body = (
        "<h1>kerasgan model zoo</h1>\n"
        f"<p>{len(rows)} checkpoints from <code>{escape(registry_file)}</code>. FIDs compare only between "
        "entries measured with the same extractor (see each card).</p>\n"
        f"<ul class=\"entries\" id=\"entries\">\n" + "\n".join(cards) + "\n</ul>"
    )
    return _page("kerasgan model zoo", body, "", "index")


# ------------------------------------------------------------- building
def _check_out(out):
    out = pathlib.Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"The gallery folder must be a folder. Received: --out {out} (a file)")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise ValueError(
            f"{out} is not empty and is not a kerasgan gallery (no {MARKER}): choose an empty or new "
            "folder, so no file of yours is overwritten."
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def _card_html(folder, entry, available):
    if folder is None or "README.md" not in entry["files"]:
        return None
    text = (pathlib.Path(folder) / "README.md").read_text(encoding="utf-8", errors="replace")

    def image(src):
        # The card's own pictures sit next to the page; others are dropped.
        path = src.split("#", 1)[0].split("?", 1)[0]
        return path if path in available else None

    def link(href):
        path = href.split("#", 1)[0]
        return href if path in available else None

    return to_html(text, rewrite_image=image, rewrite_link=link, heading_offset=1)


def build_entry_page(info, out, interpolations=True):
    """Writes `out/models/NAME/` for one described entry; returns
    `(pictures, notes)`."""
    entry = info["entry"]
    name = entry["name"]
    folder = info["folder"]
    target = out / "models" / name
    target.mkdir(parents=True, exist_ok=True)
    notes = []
    available = set()
    if folder is None:
        notes.append("Its files are not on this machine (not in the zoo folder or the cache); "
                     "`kerasgan zoo download " + name + "` fetches them when the entry has a url.")
    else:
        try:
            registry_lib.verify_files(folder, entry["files"])
        except (ValueError, OSError) as e:  # ChecksumError is a ValueError
            notes.append(f"Its files failed the registry's check, so none is shown: {e}")
            folder = None
            info = dict(info, folder=None, live=None, metadata=None)
    if folder is not None:
        for relpath in sorted(entry["files"]):
            if "/" not in relpath and relpath.lower().endswith(".png") and safe_relative(relpath):
                shutil.copyfile(pathlib.Path(folder) / relpath, target / relpath)
                available.add(relpath)
    computed = {}
    spec = info["live"]
    if folder is not None and spec is not None and spec["kind"] == "latent":
        if not interpolations:
            notes.append("Latent interpolations were not computed for this build (--no-interpolations).")
        else:
            computed, problem = _computed_strips(info, target, "truncation.png" in available)
            if problem:
                notes.append(problem)
    elif folder is not None and info["task"] not in (None, "latent"):
        notes.append("Latent interpolations: computed for latent -> image entries only (this one is "
                     f"{info['task'].replace('_', ' ')}).")
    elif folder is not None and info["metadata"] is None:
        notes.append("Latent interpolations: not available (the entry has no kerasgan SavedModel).")
    available |= set(computed)
    pictures = []
    ordered = [f for f in KNOWN_PICTURES if f in available] + sorted(available - set(KNOWN_PICTURES))
    for filename in ordered:
        title, caption = KNOWN_PICTURES.get(filename, (filename[:-4].replace("_", " ").capitalize(), None))
        pictures.append((filename, title, computed.get(filename, caption)))
    card = _card_html(folder, entry, available)
    _write_text(target / "index.html", entry_page(info, pictures, notes, card))
    return pictures, notes


def _computed_strips(info, target, has_truncation_picture):
    """Interpolation (and truncation) strips from the entry's SavedModel:
    `({filename: caption}, problem or None)`."""
    from kerasgan.utils import save_image_grid
    from kerasgan.zoo import loading

    spec = info["live"]
    entry = info["entry"]
    version_dir = entries_lib.saved_model_dir(entry, info["folder"])
    computed = {}
    try:
        import tensorflow as tf

        loaded = tf.saved_model.load(str(version_dir))
        signatures = loaded.signatures
        if "serving_default" not in signatures or "generate_from_seed" not in signatures:
            return {}, "Latent interpolations: skipped (the SavedModel lacks serving_default/generate_from_seed)."
        defaults = loading.serving_defaults(version_dir)
        if defaults:
            signatures = loading.SignaturesWithDefaults(signatures, defaults)
        images = interpolation_images(signatures, spec)
        save_image_grid(images, target / "interpolation.png", columns=INTERPOLATION_STEPS)
        classes = (f", class {', '.join(str(r % spec['num_classes']) for r in range(INTERPOLATION_ROWS))} "
                   "for the rows" if spec["num_classes"] else "")
        computed["interpolation.png"] = (
            f"computed by the gallery from the SavedModel: each row walks from the latent of seed 2r to that "
            f"of seed 2r+1 (r = 0..{INTERPOLATION_ROWS - 1}) in {INTERPOLATION_STEPS} spherical steps{classes}")
        if spec["truncation"] and not has_truncation_picture:
            values = truncation_values(spec["truncation"])
            strip = truncation_images(signatures, spec)
            save_image_grid(strip, target / "truncation_strip.png", columns=len(values))
            shown = ", ".join("none" if v is None else f"{v:g}" for v in values)
            computed["truncation_strip.png"] = (
                f"computed by the gallery from the SavedModel: {TRUNCATION_SEEDS} latents of seed 0 (rows) at "
                f"{spec['truncation']['name']} = {shown} (columns)")
    except Exception as e:  # one entry's failure must not stop the gallery
        logger.warning("Gallery: strips of %s failed: %s", entry["name"], e)
        first_line = str(e).splitlines()[0] if str(e) else ""
        return computed, f"Latent interpolations: skipped ({type(e).__name__}: {first_line})."
    return computed, None


def copy_assets(out):
    for name in ("style.css", "gallery.js"):
        shutil.copyfile(_ASSETS / name, out / name)


def build_site(out, registry=None, zoo_dir=None, cache_dir=None, names=None, interpolations=True, verbose=False):
    """Writes the gallery of the registry's entries (or of `names`) into `out`.

    Args:
        out: the site folder: new, empty, or an earlier gallery (its files are
            replaced; other files in it are left alone).
        registry, zoo_dir, cache_dir: as in `kerasgan.zoo.load`.
        names: only these entries (default: all).
        interpolations: compute the latent interpolation strips (and a
            truncation strip where the entry has a truncation option but no
            truncation.png): loads each latent entry's SavedModel once.
        verbose: print one line per entry.

    Returns:
        The summary also written to `out/gallery.json`: `{"entries": [{"name",
        "live", "pictures", "notes"}], "seconds": ...}`.
    """
    start = time.perf_counter()
    out = _check_out(out)
    infos = entries_lib.describe_all(registry, zoo_dir, cache_dir, names)
    rows, summary = [], []
    for info in infos:
        t0 = time.perf_counter()
        pictures, notes = build_entry_page(info, out, interpolations=interpolations)
        files = [p[0] for p in pictures]
        rows.append((info, "samples.png" in files, notes))
        summary.append({"name": info["entry"]["name"], "task": info["task"], "live": info["live"] is not None,
                        "pictures": files, "notes": notes})
        if verbose:
            print(f"  {info['entry']['name']}: {len(files)} picture{'' if len(files) == 1 else 's'}, {time.perf_counter() - t0:.1f} s"
                  + (f" ({'; '.join(notes)})" if notes else ""), flush=True)
    _write_text(out / "index.html", index_page(rows, registry_lib.registry_path(registry)))
    copy_assets(out)
    _write_text(out / "live.json", json.dumps({"live": False}) + "\n")
    result = {"entries": summary, "interpolations": bool(interpolations),
              "seconds": round(time.perf_counter() - start, 2)}
    _write_text(out / MARKER, json.dumps(result, indent=2) + "\n")
    return result


def is_site(folder):
    folder = pathlib.Path(folder)
    return (folder / MARKER).is_file() and (folder / "index.html").is_file()


__all__ = ["build_site", "is_site", "slerp", "interpolation_images", "truncation_images", "MAX_SEED"]
