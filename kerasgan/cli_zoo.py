"""`kerasgan zoo`: list, describe, download and sample the zoo's checkpoints.

    kerasgan zoo list
    kerasgan zoo info dcgan-mnist-32
    kerasgan zoo download dcgan-mnist-32
    kerasgan zoo sample dcgan-mnist-32 -n 16 --out grid.png --seed 0

Wired into `kerasgan.cli` with `add_zoo_parser(subparsers)` and
`run_zoo(args)`. TensorFlow is imported only by `sample`.
"""

import json
import sys


def add_zoo_parser(subparsers):
    p = subparsers.add_parser(
        "zoo", help="list, describe, download and sample the pretrained checkpoints",
        description=(
            "The model zoo. Files are looked for in the checkout's zoo/NAME/, then in "
            "$KERASGAN_HOME/zoo/NAME/ (default ~/.cache/kerasgan/zoo/NAME/), then downloaded "
            "from the entry's url; every file's SHA-256 is checked before use. "
            "$KERASGAN_ZOO_REGISTRY names another registry file."),
    )
    actions = p.add_subparsers(dest="zoo_command", required=True)
    actions.add_parser("list", help="the registry's checkpoints and where each is available (local "
                                    "copies are checked: a file that fails its SHA-256 is marked CORRUPT)")
    a = actions.add_parser("info", help="a checkpoint's registry entry (JSON) and its local folder")
    a.add_argument("name")
    a = actions.add_parser("download", help="fetch (if needed) and verify a checkpoint; print its folder")
    a.add_argument("name")
    a = actions.add_parser("sample", help="write a grid of samples from a checkpoint")
    a.add_argument("name")
    a.add_argument("-n", "--num-images", type=int, default=16)
    a.add_argument("--out", default="grid.png", help="PNG grid path")
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--labels", default=None, help="comma-separated class labels (conditional models)")
    a.add_argument("--columns", type=int, default=None)
    return p


def _where(name, verify=False):
    """Where `name`'s files are; with `verify`, a local copy whose files fail
    their size or SHA-256 check is marked CORRUPT, naming the first bad file."""
    from kerasgan import zoo

    source, folder = zoo.locate(name)
    if folder is not None:
        if verify:
            try:
                zoo.verify_files(folder, zoo.info(name)["files"])
            except (ValueError, OSError) as e:
                bad = getattr(e, "path", None) or str(e)
                return (f"{source}: {folder} CORRUPT ({bad} fails its check; restore it, e.g. "
                        "`git checkout -- FILE`, or delete a cached copy to download it again)")
        return f"{source}: {folder}"
    return "download: " + zoo.info(name)["url"] if zoo.info(name).get("url") else "unavailable"


def run_zoo(args):
    """Runs `kerasgan zoo ...`; returns the exit status (2 on bad input, a failed check or download)."""
    from kerasgan import zoo

    try:
        if args.zoo_command == "list":
            entries = zoo.list(details=True)
            if not entries:
                print(f"The zoo registry {zoo.registry_path()} has no entries.")
            for e in entries:
                res = f"{e['resolution']}px" if e.get("resolution") else ""
                print(f"{e['name']:24s} {e.get('family') or '':8s} {res:6s} {_where(e['name'], verify=True)}")
                if e.get("description"):
                    print(f"    {e['description']}")
            return 0
        if args.zoo_command == "info":
            entry = zoo.info(args.name)
            entry["local"] = _where(args.name, verify=True)
            print(json.dumps(entry, indent=2))
            return 0
        if args.zoo_command == "download":
            print(zoo.download(args.name))
            return 0
        if args.zoo_command == "sample":
            from kerasgan.utils import save_image_grid

            from kerasgan.engine.tasks import task_of

            model = zoo.load(args.name)
            task = task_of(type(model)).name
            if task != "latent_to_image":
                pointer = {"text_to_image": "`kerasgan sample MODEL --text \"...\"` on its model.keras",
                           "super_resolution": "`kerasgan upscale`"}.get(task, "`kerasgan translate`")
                raise ValueError(f"{args.name} does not sample from latents (its task is {task}): use {pointer}")
            labels = None
            if args.labels:
                labels = [int(v) for v in args.labels.split(",")]
                labels = labels[0] if len(labels) == 1 else labels
            images = model.generate(args.num_images, seed=args.seed, labels=labels)
            path = save_image_grid(images, args.out, columns=args.columns)
            print(f"Wrote {args.num_images} samples of {args.name} to {path}")
            return 0
    except (ValueError, OSError) as e:
        # Unknown name, checksum mismatch, unsafe archive, no copy, network error.
        print(f"kerasgan zoo {args.zoo_command}: error: {e}", file=sys.stderr)
        return 2
    return 1
