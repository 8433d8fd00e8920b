"""Resumable HTTP(S) downloads with urllib (no extra dependency), bounded in size and time.

A download goes to `PATH` (by convention `*.partial`). When that file
already holds a prefix of the resource, the request asks for the rest with
an HTTP `Range` header; a server that answers 206 with the matching
`Content-Range` is appended to, any other answer restarts from zero. An
interrupted transfer leaves the partial file in place for the next call.

Nothing hangs and nothing fills the disk: a call stops once more bytes
arrive than the resource has (`expected_size`, else `max_size`), deleting
the partial file, and once its `deadline` passes (the whole call: connect,
headers and body; a server that drips a byte now and then never trips the
per-read socket `timeout`), keeping the partial file for the next call.
"""

import http.client
import os
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.request


_CHUNK = 1 << 20
#: Seconds one `download_file` call may take in all, unless told otherwise
#: (half an hour: a 500 MB archive at 300 KB/s; a longer one resumes on the next call).
DEFAULT_DEADLINE = 30 * 60
#: Most bytes accepted when the caller does not know the resource's size.
DEFAULT_MAX_SIZE = 4 << 30


class DownloadTooLargeError(ValueError):
    """More bytes arrived (or were announced) than the resource has."""


class DownloadDeadlineError(ConnectionError, TimeoutError):
    """The transfer ran past its deadline; the partial file is kept for the next call."""


class _Watchdog:
    """Shuts down the sockets of one transfer when its deadline passes, which
    wakes a read blocked in `recv` (closing the socket would not)."""

    def __init__(self, seconds):
        self.expired = False
        self._sockets = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock):
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._shutdown(sock)

    def cancel(self):
        self._timer.cancel()

    def _expire(self):
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shutdown(sock)

    @staticmethod
    def _shutdown(sock):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed


def _watched_handlers(watchdog):
    """urllib handlers whose HTTP(S) connections register their socket with `watchdog`."""

    def watched(connection_class):
        class Watched(connection_class):
            def connect(self):
                super().connect()
                watchdog.watch(self.sock)

        return Watched

    class HTTPHandler(urllib.request.HTTPHandler):
        def do_open(self, http_class, req, **kwargs):
            return super().do_open(watched(http_class), req, **kwargs)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def do_open(self, http_class, req, **kwargs):
            return super().do_open(watched(http_class), req, **kwargs)

    return HTTPHandler(), HTTPSHandler()


def download_file(url, path, expected_size=None, timeout=60, verbose=True, *, deadline=None,
                  max_size=None, what=None):
    """Downloads `url` into `path`, resuming a partial file there.

    Args:
        url: an `http://`, `https://` or `file://` address.
        path: the file to write (kept between calls while incomplete).
        expected_size: the full size in bytes when known: a longer partial
            file is restarted, one of exactly this size is taken as complete
            without a request (the caller verifies its hash), and the
            transfer stops as soon as more bytes arrive.
        timeout: socket timeout in seconds (of one connect or one read).
        verbose: print one line to stderr when a transfer starts.
        deadline: seconds the whole call may take (default
            `DEFAULT_DEADLINE`, 30 minutes).
        max_size: the most bytes accepted when `expected_size` is None
            (default `DEFAULT_MAX_SIZE`, 4 GiB).
        what: what is downloaded, for messages (e.g. "zoo entry 'x'";
            default: the file name of `path`).

    Returns:
        `path`.

    Raises:
        DownloadTooLargeError: (a `ValueError`) more bytes arrived, or were
            announced by `Content-Length`, than `expected_size` (else
            `max_size`); the partial file is removed.
        DownloadDeadlineError: (a `ConnectionError` and `TimeoutError`) the
            call ran past `deadline`; the partial file is kept.
        ConnectionError: the transfer stopped early (the partial file is
            kept; call again to resume).
        urllib.error.URLError / HTTPError: the server could not be reached
            or refused the request.
    """
    deadline = DEFAULT_DEADLINE if deadline is None else deadline
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or not deadline > 0:
        raise ValueError(f"`deadline` must be a number of seconds > 0. Received: deadline={deadline!r}")
    limit = expected_size if expected_size is not None else (
        DEFAULT_MAX_SIZE if max_size is None else max_size)
    path = os.fspath(path)
    what = what or os.path.basename(path)
    watchdog = _Watchdog(deadline)
    try:
        return _download(url, path, expected_size, limit, timeout, verbose, what,
                         time.monotonic() + deadline, deadline, watchdog)
    finally:
        watchdog.cancel()


def _download(url, path, expected_size, limit, timeout, verbose, what, end, deadline, watchdog):
    from kerasgan import __version__

    def too_large(count):
        if os.path.exists(path):
            os.remove(path)  # our own file, holding something other than the resource
        bound = "expected_size" if expected_size is not None else "max_size"
        return DownloadTooLargeError(
            f"The download of {what} from {url} is larger than its {limit} bytes ({bound}): "
            f"{count} bytes arrived or were announced. Stopped; the partial file {path} was removed."
        )

    def past_deadline(count):
        return DownloadDeadlineError(
            f"The download of {what} from {url} ran past its deadline of {deadline:g} s after "
            f"{count} bytes. The partial file {path} is kept: call again to resume "
            "(or pass a longer deadline)."
        )

    start = os.path.getsize(path) if os.path.exists(path) else 0
    if expected_size is not None and start > expected_size:
        os.remove(path)  # our own partial file, longer than the resource: restart
        start = 0
    if expected_size is not None and start == expected_size and start > 0:
        return path
    request = urllib.request.Request(url, headers={"User-Agent": f"kerasgan/{__version__}"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    opener = urllib.request.build_opener(*_watched_handlers(watchdog))
    remaining = end - time.monotonic()
    if remaining <= 0:
        raise past_deadline(start)
    try:
        response = opener.open(request, timeout=min(timeout, remaining))
    except urllib.error.HTTPError as e:
        if e.code == 416 and start:
            # "Range not satisfiable": the partial file is already whole (or
            # longer than the resource); the caller's hash check decides.
            return path
        raise
    except (OSError, http.client.HTTPException):
        if watchdog.expired:  # the watchdog cut the connection mid-headers
            raise past_deadline(start) from None
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
                return _download(url, path, expected_size, limit, timeout, verbose, what, end,
                                 deadline, watchdog)
        if not resumed:
            start = 0
        length = response.headers.get("Content-Length")
        length = int(length) if length and length.isdigit() else None
        if length is not None and start + length > limit:
            raise too_large(start + length)
        if verbose:
            total = (start + length) if length is not None else expected_size
            progress = f"resuming at {start} of {total} bytes" if resumed else f"{total or '?'} bytes"
            print(f"Downloading {url} ({progress})", file=sys.stderr)
        received = 0
        with open(path, "ab" if resumed else "wb") as out:
            while True:
                try:
                    # read1: whatever has arrived (up to a chunk), so the size
                    # and the deadline are checked after every network read.
                    chunk = response.read1(_CHUNK)
                except (http.client.HTTPException, OSError) as e:
                    if watchdog.expired:
                        raise past_deadline(start + received) from None
                    raise ConnectionError(
                        f"The download of {url} stopped after {start + received} bytes ({e}). "
                        f"The partial file {path} is kept: call again to resume."
                    ) from None
                if watchdog.expired or time.monotonic() > end:
                    raise past_deadline(start + received)
                if not chunk:
                    break
                if start + received + len(chunk) > limit:
                    out.close()
                    raise too_large(f"at least {start + received + len(chunk)}")
                out.write(chunk)
                received += len(chunk)
    if length is not None and received != length:
        raise ConnectionError(
            f"The download of {url} stopped after {start + received} of {start + length} bytes. "
            f"The partial file {path} is kept: call again to resume."
        )
    return path
