"""`kerasgan gallery` and `kerasgan serve-gallery`.

    kerasgan gallery --out site/                  # a static HTML site of the zoo
    kerasgan gallery --out site/ --serve          # ... then serve it, with live generation
    kerasgan serve-gallery --port 8000            # build into a temporary folder and serve
    kerasgan serve-gallery --site site/           # serve an existing site (built there if absent)

Wired into `kerasgan.cli` with `add_parsers(subparsers)` and
`run(args)` (`args.command` is "gallery" or "serve-gallery"); also runs on
its own: `python -m kerasgan.gallery.cli gallery --out site/`.
TensorFlow is imported only to compute the interpolation strips and to draw
live images.
"""

import argparse
import contextlib
import pathlib
import signal
import sys
import tempfile
import threading

COMMANDS = ("gallery", "serve-gallery")


def _add_zoo_options(p):
    p.add_argument("--registry", default=None, metavar="FILE",
                   help="the zoo registry file (default: $KERASGAN_ZOO_REGISTRY, else the package's)")
    p.add_argument("--zoo-dir", default=None, metavar="DIR",
                   help="the zoo folder holding NAME/ folders (default: $KERASGAN_ZOO_DIR, else the "
                        "checkout's zoo/)")
    p.add_argument("--models", default=None, metavar="A,B",
                   help="only these comma-separated entries (default: every registry entry)")
    p.add_argument("--no-interpolations", action="store_true",
                   help="skip the latent interpolation (and truncation) strips computed from each "
                        "SavedModel: a quicker build that never imports TensorFlow")


def _add_serve_options(p):
    p.add_argument("--port", type=int, default=8000,
                   help="port on 127.0.0.1 (0: a free port; the URL is printed)")
    p.add_argument("--quiet", action="store_true", help="do not log each request")


def add_parsers(subparsers):
    """Adds `gallery` and `serve-gallery` to a `kerasgan` subparsers object."""
    p = subparsers.add_parser(
        "gallery", help="write a static HTML gallery of the zoo (one page per checkpoint)",
        description=("Write a static HTML site of the zoo: an index of every registry entry and one page "
                     "per checkpoint with its card, samples, latent interpolations (computed from its "
                     "SavedModel), truncation and style-mixing strips where it has them, and its metrics. "
                     "With --serve, serve it on 127.0.0.1 with a live panel drawing from each SavedModel."))
    p.add_argument("--out", required=True, metavar="DIR",
                   help="site folder: new, empty, or an earlier gallery (only its own files are replaced)")
    _add_zoo_options(p)
    p.add_argument("--serve", action="store_true", help="serve the site after building it (as serve-gallery)")
    _add_serve_options(p)
    s = subparsers.add_parser(
        "serve-gallery", help="serve the zoo gallery on 127.0.0.1 with live generation",
        description=("Serve the zoo gallery on 127.0.0.1 (never another interface): the static pages plus "
                     "/api/generate, which draws from an entry's SavedModel as the page's seed, class and "
                     "truncation controls move. Stop it with Ctrl-C."))
    s.add_argument("--site", default=None, metavar="DIR",
                   help="serve this gallery folder as it is (built there first when it holds none); "
                        "default: build into a temporary folder, removed on exit")
    _add_zoo_options(s)
    _add_serve_options(s)
    return p, s


def _names(text):
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise ValueError(f"--models takes comma-separated zoo names. Received: {text!r}")
    return names


def _build(args, out):
    from kerasgan.gallery.site import build_site

    print(f"kerasgan gallery: writing {out}", flush=True)
    result = build_site(out, registry=args.registry, zoo_dir=args.zoo_dir, names=_names(args.models),
                        interpolations=not args.no_interpolations, verbose=True)
    print(f"kerasgan gallery: {len(result['entries'])} entries in {result['seconds']:.1f} s: "
          f"{pathlib.Path(out) / 'index.html'}", flush=True)
    return result


def _serve(args, site):
    from kerasgan.gallery.server import GalleryServer

    server = GalleryServer(site, port=args.port, registry=args.registry, zoo_dir=args.zoo_dir, quiet=args.quiet)
    live = ", ".join(sorted(server.models.specs)) or "none"
    print(f"Serving the kerasgan gallery at {server.url} (live generation: {live}). Ctrl-C stops it.", flush=True)
    # SIGTERM stops it like Ctrl-C, so a temporary site folder is removed either way.
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("kerasgan serve-gallery: stopped", flush=True)
    finally:
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run_gallery(args):
    _build(args, args.out)
    if args.serve:
        return _serve(args, args.out)
    return 0


def run_serve_gallery(args):
    from kerasgan.gallery.site import is_site

    if args.site is not None:
        if not is_site(args.site):
            _build(args, args.site)
        return _serve(args, args.site)
    with tempfile.TemporaryDirectory(prefix="kerasgan-gallery-") as tmp:
        _build(args, tmp)
        return _serve(args, tmp)


def run(args):
    """Runs `args.command` ("gallery" or "serve-gallery")."""
    if args.command == "gallery":
        return run_gallery(args)
    if args.command == "serve-gallery":
        return run_serve_gallery(args)
    raise ValueError(f"Not a gallery command: {args.command!r}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="kerasgan", description="The kerasgan zoo gallery.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_parsers(subparsers)
    args = parser.parse_args(argv)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return run(args)
        return 130
    except (ValueError, OSError) as e:
        print(f"kerasgan {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
