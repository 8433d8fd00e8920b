"""SHA-256 of files: one helper for the zoo's checks and the extractors' identities."""

import hashlib

_CHUNK = 1 << 20


def sha256_file(path, chunk_size=_CHUNK):
    """Hex SHA-256 of the file at `path`, read in chunks (1 MiB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()
