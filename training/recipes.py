"""The recipes behind the zoo checkpoints: one named configuration each.

`{shared}` in a dataset path stands for the real-data folder (`../shared/data`
beside the checkout, or `--shared`). Each recipe is what `build_zoo.py NAME`
passes to `kerasgan.trainer.train`; the same run can be made from the shell
with `kerasgan train` (build_zoo.py prints that command). A recipe with a
`script` is trained by that script in `training/` instead (ProGAN grows
through phases, which `kerasgan train` does not run yet), with
`script_args` as its command-line options.
"""

import json
import pathlib

import numpy as np

MNIST = "{shared}/mnist/t10k-images-idx3-ubyte.gz"
TWEMOJI = "{shared}/emoji/twemoji-72"

#: What every 32x32 recipe shares (each recipe overrides what differs).
SMALL_32 = dict(image_size=32, batch_size=32, latent_dim=64, compile_kwargs={})

RECIPES = {
    "dcgan-mnist-32": dict(
        SMALL_32,
        description="DCGAN on MNIST digits, 32x32 grayscale, generator EMA.",
        family="dcgan",
        dataset=MNIST,
        epochs=8,
        model_kwargs={"generator_filters": 32, "discriminator_filters": 32, "ema_decay": 0.995},
        extractor="mnist",
    ),
    "cgan-mnist-32": dict(
        SMALL_32,
        description="Class-conditional GAN on MNIST digits, 32x32 grayscale, generator EMA.",
        family="cgan",
        dataset=MNIST,
        epochs=8,
        model_kwargs={"generator_filters": 32, "discriminator_filters": 32, "ema_decay": 0.995},
        extractor="mnist",
    ),
    "wgan-gp-mnist-32": dict(
        SMALL_32,
        description="WGAN-GP on MNIST digits, 32x32 grayscale (n_critic 5, lambda 10), generator EMA.",
        family="wgan_gp",
        dataset=MNIST,
        epochs=32,
        model_kwargs={"generator_filters": 32, "critic_filters": 32, "ema_decay": 0.99},
        extractor="mnist",
    ),
    "dcgan-twemoji-32": dict(
        SMALL_32,
        description="DCGAN on Twemoji colour emoji, 32x32 RGB (composited on white), generator EMA.",
        family="dcgan",
        dataset=TWEMOJI,
        epochs=25,
        model_kwargs={"generator_filters": 32, "discriminator_filters": 32, "ema_decay": 0.995},
        # The folder has no class subfolders: the domain classifier that measures
        # FID learns the Emojibase group of each emoji instead.
        labels="emoji_groups",
        extractor="twemoji-groups",
    ),
    "progan-mnist-32": dict(
        SMALL_32,
        description="ProGAN grown 4x4 -> 32x32 on MNIST digits, 32x32 grayscale (no EMA).",
        family="progan",
        dataset=MNIST,
        # training/progan_mnist.py with its defaults: 10,000 fade-in + 10,000
        # stabilising images per phase, batch 32, 32 filters, latent 64.
        script="progan_mnist",
        script_args={"fade_in": 10_000, "stabilize": 10_000, "filters": 32},
        epochs=None,
        model_kwargs={},
        extractor="mnist",
    ),
}

#: Where each recipe's training data comes from, and its licence (for the model card).
DATA_CARDS = {
    MNIST: {
        "dataset": "MNIST test split (10,000 handwritten digits, LeCun, Cortes & Burges), "
        "read from the original IDX files",
        "licence": "MNIST: freely redistributed by its authors",
    },
    TWEMOJI: {
        "dataset": "Twemoji 72x72 colour emoji (4,009 images)",
        "licence": "Twemoji graphics (c) 2020 Twitter, Inc and other contributors, CC-BY 4.0: "
        "attribution required; these weights are a derivative work",
    },
}


def _normalise(hexcode):
    return "-".join(p for p in hexcode.lower().split("-") if p != "fe0f")


def emoji_groups(folder, metadata):
    """Emojibase group (0..9) of each image in `folder`, in the loader's file
    order (sorted relative paths), -1 where Emojibase has no group.

    File names are hex code points joined by `-` (Twemoji) or `_` after an
    `emoji_u` prefix (Noto); `fe0f` variation selectors are ignored. Skin-tone
    variants take their base emoji's group.
    """
    from kerasgan.data.folders import list_image_files

    groups = {}
    for entry in json.loads(pathlib.Path(metadata).read_text()):
        if "group" not in entry:
            continue
        groups[_normalise(entry["hexcode"])] = entry["group"]
        for skin in entry.get("skins", []):
            groups[_normalise(skin["hexcode"])] = entry["group"]
    labels = []
    for path in list_image_files(folder):
        stem = path.stem.removeprefix("emoji_u").replace("_", "-")
        labels.append(groups.get(_normalise(stem), -1))
    return np.array(labels, np.int32)
