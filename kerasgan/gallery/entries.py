"""What the gallery knows about a zoo entry before loading anything: where its
files are, what its SavedModel takes (from `assets.extra/kerasgan.json`),
and which live controls it gets. Nothing here imports TensorFlow."""

import json
import math
import pathlib

from kerasgan.zoo import loading, registry as registry_lib

#: Families whose checkpoints draw images from latents (used when an export's
#: metadata does not say; the SavedModel's own signatures win).
LATENT_FAMILIES = ("gan", "dcgan", "cgan", "wgan_gp", "progan", "stylegan", "sagan", "biggan")

#: The truncation options the live panel and `/api/generate` know, by the
#: serving input's name: the API's accepted range (lower bound excluded),
#: the slider's range and step, and the value that means "no truncation"
#: (sent when the control is off; the export's own default).
TRUNCATION_OPTIONS = {
    # StyleGAN: w' = w_avg + psi (w - w_avg); 1 = none, 0 = the average image.
    "truncation_psi": {"label": "truncation psi", "min": 0.0, "max": 1.0, "slider_min": 0.05,
                       "step": 0.05, "initial": 0.7, "off": 1.0,
                       "doc": "1 = none; smaller pulls every style towards the average image"},
    # BigGAN: latents redrawn inside [-psi, psi]; the export's 0 means none.
    "truncation": {"label": "truncation threshold", "min": 0.0, "max": 4.0, "slider_min": 0.1,
                   "step": 0.1, "initial": 1.0, "off": 0.0,
                   "doc": "latents resampled inside [-psi, psi]; smaller is more typical, less varied"},
}

#: Most images one live request may ask for (a grid of them is returned).
MAX_IMAGES = 16
#: Longest caption the live panel of a text -> image entry accepts.
MAX_TEXT_CHARS = 200


def local_folder(name, registry=None, zoo_dir=None, cache_dir=None):
    """The entry's complete local folder (checkout or cache), or None. Never downloads."""
    _, folder = loading.locate(name, registry, zoo_dir, cache_dir)
    return folder


def saved_model_dir(entry, folder):
    """`folder/saved_model/N` of the entry's highest version, or None."""
    versions = loading.saved_model_versions(entry)
    if folder is None or not versions:
        return None
    return pathlib.Path(folder) / "saved_model" / str(versions[-1])


def serving_metadata(entry, folder):
    """The export's `assets.extra/kerasgan.json` as a dict, or None."""
    version_dir = saved_model_dir(entry, folder)
    if version_dir is None:
        return None
    path = version_dir / "assets.extra" / "kerasgan.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def task_of(entry, metadata):
    """`"latent"`, `"text"`, `"super_resolution"`, `"image_to_image"` or None
    (no SavedModel): from the export's signatures, else its recorded task,
    else the family."""
    if metadata is None:
        return None
    signatures = metadata.get("signatures") or {}
    if "generate_from_seed" in signatures:
        return "latent"
    if "texts" in (signatures.get("serving_default") or []):
        return "text"
    if "upscale" in signatures:
        return "super_resolution"
    if "translate" in signatures:
        return "image_to_image"
    task = metadata.get("task")
    if task == "latent_to_image" or entry.get("family") in LATENT_FAMILIES:
        return "latent"
    return task


def live_spec(entry, metadata):
    """What the live panel of `entry` offers, as a JSON-able dict, or None
    when the family has no live generation:

    latent: `{"kind": "latent", "num_classes": K or None, "truncation":
    {"name", "label", "min", "max", ...} or None, "max_images": N}`;
    text: `{"kind": "text", "max_text": MAX_TEXT_CHARS, "max_images": N}`.
    """
    kind = task_of(entry, metadata)
    if kind == "latent":
        inputs = (metadata.get("signatures") or {}).get("generate_from_seed") or []
        truncation = None
        for option in TRUNCATION_OPTIONS:
            if option in inputs:
                truncation = dict(TRUNCATION_OPTIONS[option], name=option)
                break
        num_classes = metadata.get("num_classes") if "labels" in inputs else None
        return {"kind": "latent", "num_classes": num_classes, "truncation": truncation,
                "latent_dim": metadata.get("latent_dim"), "max_images": MAX_IMAGES}
    if kind == "text":
        vocabulary = ((metadata.get("config") or {}).get("vocabulary")) or []
        words = [w for w in vocabulary if isinstance(w, str) and w.isalpha()][:3]
        return {"kind": "text", "max_text": MAX_TEXT_CHARS, "max_images": MAX_IMAGES, "example": " ".join(words)}
    return None


def describe(entry, registry=None, zoo_dir=None, cache_dir=None):
    """`{"entry", "folder", "metadata", "task", "live"}` of a registry entry."""
    folder = local_folder(entry["name"], registry, zoo_dir, cache_dir)
    metadata = serving_metadata(entry, folder)
    return {
        "entry": entry,
        "folder": folder,
        "metadata": metadata,
        "task": task_of(entry, metadata),
        "live": live_spec(entry, metadata) if folder is not None else None,
    }


def describe_all(registry=None, zoo_dir=None, cache_dir=None, names=None):
    """`describe` of every registry entry (or of `names`, in registry order)."""
    entries = sorted(registry_lib.read_registry(registry)["models"], key=lambda e: e["name"])
    if names is not None:
        known = {e["name"] for e in entries}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(
                f"Unknown zoo model(s): {', '.join(unknown)}. Known: {', '.join(sorted(known)) or 'none'}"
            )
        entries = [e for e in entries if e["name"] in set(names)]
    return [describe(e, registry, zoo_dir, cache_dir) for e in entries]


def format_number(value):
    """A metric for a table: ints as they are, floats with 4 significant digits."""
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.3e}"
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:.1f}"
