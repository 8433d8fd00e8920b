"""The zoo gallery: a static HTML site of every checkpoint, and a local
server that draws from each checkpoint's SavedModel as the user moves the
page's controls.

    kerasgan gallery --out site/          # build_site("site/")
    kerasgan serve-gallery --port 0       # GalleryServer(site, port=0).serve_forever()

- `site.py`: `build_site(out, ...)`: index, one page per entry (card,
  samples, latent interpolations and truncation strips computed from the
  SavedModel, the entry's own pictures, metrics table).
- `server.py`: `GalleryServer`: the site plus `/api/generate` on 127.0.0.1,
  every parameter checked.
- `markdown.py`: the safe Markdown -> HTML converter of the cards.
- `entries.py`: what an entry's export takes (no TensorFlow).
- `cli.py`: the two commands.

See docs/gallery.md.
"""

from kerasgan.gallery.server import GalleryServer, serve_in_thread
from kerasgan.gallery.site import build_site

__all__ = ["GalleryServer", "build_site", "serve_in_thread"]
