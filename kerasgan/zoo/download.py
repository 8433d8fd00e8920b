"""Resumable HTTP(S) downloads with urllib (no extra dependency).

A download goes to `PATH` (by convention `*.partial`). When that file
already holds a prefix of the resource, the request asks for the rest with
an HTTP `Range` header; a server that answers 206 with the matching
`Content-Range` is appended to, any other answer restarts from zero. An
interrupted transfer leaves the partial file in place for the next call.
"""

import http.client
import os
import re
import sys
import urllib.error
import urllib.request


_CHUNK = 1 << 20


def download_file(url, path, expected_size=None, timeout=60, verbose=True):
    """Downloads `url` into `path`, resuming a partial file there.

    Args:
        url: an `http://`, `https://` or `file://` address.
        path: the file to write (kept between calls while incomplete).
        expected_size: the full size in bytes when known: a longer partial
            file is restarted, one of exactly this size is taken as complete
            without a request (the caller verifies its hash).
        timeout: socket timeout in seconds.
        verbose: print one line to stderr when a transfer starts.

    Returns:
        `path`.

    Raises:
        ConnectionError: the transfer stopped early (the partial file is
            kept; call again to resume).
        urllib.error.URLError / HTTPError: the server could not be reached
            or refused the request.
    """
    from kerasgan import __version__

    path = os.fspath(path)
    start = os.path.getsize(path) if os.path.exists(path) else 0
    if expected_size is not None and start > expected_size:
        os.remove(path)  # our own partial file, longer than the resource: restart
        start = 0
    if expected_size is not None and start == expected_size and start > 0:
        return path
    request = urllib.request.Request(url, headers={"User-Agent": f"kerasgan/{__version__}"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and start:
            # "Range not satisfiable": the partial file is already whole (or
            # longer than the resource); the caller's hash check decides.
            return path
        raise
    with response:
        status = getattr(response, "status", None)
        resumed = False
        if start and status == 206:
            match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
            resumed = match is not None and int(match.group(1)) == start
            if not resumed:
                # A range we did not ask for: read nothing from it, start over.
                response.close()
                os.remove(path)
                return download_file(url, path, expected_size, timeout, verbose)
        if not resumed:
            start = 0
        length = response.headers.get("Content-Length")
        length = int(length) if length and length.isdigit() else None
        if verbose:
            total = (start + length) if length is not None else expected_size
            what = f"resuming at {start} of {total} bytes" if resumed else f"{total or '?'} bytes"
            print(f"Downloading {url} ({what})", file=sys.stderr)
        received = 0
        with open(path, "ab" if resumed else "wb") as out:
            try:
                while True:
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
            except (http.client.IncompleteRead, ConnectionError, TimeoutError) as e:
                raise ConnectionError(
                    f"The download of {url} stopped after {start + received} bytes ({e}). "
                    f"The partial file {path} is kept: call again to resume."
                ) from None
    if length is not None and received != length:
        raise ConnectionError(
            f"The download of {url} stopped after {start + received} of {start + length} bytes. "
            f"The partial file {path} is kept: call again to resume."
        )
    return path

