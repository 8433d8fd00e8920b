"""The feature extractors the zoo's numbers were measured with.

Every registry entry names its extractor by identity,
`"mnist-classifier@sha256:<hex of its weights>"`; the network is
`zoo/extractors/mnist-classifier.keras` in the checkout (a
`kerasgan.metrics.DomainClassifier` saved with `.save`). `load_extractor`
loads it and checks that its weights hash to the recorded hex, so a score
made with it is on the same scale as the entry's card.

An entry's `eval_dataset` is the real data its card compares with;
`{shared}` in it stands for the real-data folder (`$KERASGAN_SHARED_DATA`,
else `../shared/data` beside the checkout).
"""

import os
import pathlib

from kerasgan.zoo import loading
from kerasgan.zoo import registry as registry_lib

#: Environment variable naming the real-data folder that `{shared}` stands for.
SHARED_DATA_ENV = "KERASGAN_SHARED_DATA"


def parse_identity(identity):
    """`"name@sha256:hex"` -> `("name", "hex")`; a bare name -> `(name, None)`."""
    name, _, digest = str(identity).partition("@")
    if digest and not digest.startswith("sha256:"):
        raise ValueError(f"An extractor identity is 'NAME@sha256:HEX'. Received: {identity!r}")
    return name, (digest[len("sha256:"):] or None) if digest else None


def extractor_path(identity, zoo_dir=None):
    """`zoo/extractors/NAME.keras` of the checkout for an identity or a name
    (None when there is no zoo folder, e.g. after a wheel install)."""
    name, _ = parse_identity(identity)
    base = loading.zoo_dir(zoo_dir)
    return None if base is None else pathlib.Path(base) / "extractors" / f"{name}.keras"


def load_extractor(identity, zoo_dir=None):
    """The `DomainClassifier` an entry was measured with, its weights checked.

    Raises:
        ValueError: the file is absent (saying where it is looked for).
        ChecksumError: its weights do not hash to the identity's hex.
    """
    from kerasgan.metrics import DomainClassifier

    name, digest = parse_identity(identity)
    path = extractor_path(identity, zoo_dir)
    if path is None or not path.is_file():
        raise ValueError(
            f"The zoo extractor {name}.keras is not here ({path or 'no zoo folder: set KERASGAN_ZOO_DIR'}"
            "): it ships in the checkout's zoo/extractors/. Point KERASGAN_ZOO_DIR at a checkout's "
            "zoo/ folder, or pass --extractor FILE.keras."
        )
    extractor = DomainClassifier.load(path, name=name)
    if digest is not None and extractor.weights_hash != digest:
        raise registry_lib.ChecksumError(path, digest, extractor.weights_hash, what="extractor weights")
    return extractor


def shared_data_dir():
    """`$KERASGAN_SHARED_DATA`, else `../shared/data` beside the checkout."""
    env = os.environ.get(SHARED_DATA_ENV)
    if env:
        return pathlib.Path(env).expanduser()
    return loading._CHECKOUT.parent / "shared" / "data"


def eval_labels_file(entry):
    """The label file of an entry's real data (a path), or None when its data
    carry their own labels or none."""
    path = entry.get("eval_labels_file")
    if not path:
        return None
    return path.replace("{shared}", str(shared_data_dir()))


def eval_dataset(entry):
    """The real data an entry's card compares with (a path), or None when the
    entry does not record it."""
    dataset = entry.get("eval_dataset")
    if not dataset:
        return None
    return dataset.replace("{shared}", str(shared_data_dir()))
