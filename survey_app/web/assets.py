"""Static files (static/ and the bundled plotly.js) compressed and cached for good.

Every URL the templates write for a static file carries the file's content hash
(``/static/style.css?v=3f2a9c...``, ``/vendor/plotly.min.js?v=...``). A request for the current
hash is answered with ``Cache-Control: public, max-age=31536000, immutable``: the browser keeps
the file for a year and never asks again, and a changed file gets a new URL. Without the hash
(or with an old one) the answer says ``no-cache``: the browser asks every time and gets 304 Not
Modified while the ETag still fits.

A browser that accepts gzip gets the file gzipped (plotly.js: 4.8 MB -> about 1.4 MB), with
``Vary: Accept-Encoding`` so that caches keep both forms apart. Each file is compressed once
per process, the first time it is asked for, and kept in memory with its hash until the file
changes on disk. docs/deployment.md says what a reverse proxy in front should do.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, current_app, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_COMPRESS = 512                     # bytes; smaller files are sent as they are


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None              # None when compressing would not help
    digest: str                        # first 16 hex digits of the SHA-256 of the body
    mimetype: str


_cache: dict[str, tuple[tuple[int, int], Asset]] = {}
_lock = threading.Lock()


def _mimetype(path: Path) -> str:
    if path.suffix == ".js":
        return "text/javascript"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def asset(path: Path) -> Asset:
    """The file's bytes, gzipped form and hash, read again only when the file changed."""
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    key = str(path)
    cached = _cache.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        body = path.read_bytes()
        mimetype = _mimetype(path)
        gzipped = None
        if len(body) >= MIN_COMPRESS and mimetype.startswith(COMPRESSIBLE):
            packed = gzip.compress(body, compresslevel=9, mtime=0)
            gzipped = packed if len(packed) < len(body) else None
        found = Asset(body, gzipped, hashlib.sha256(body).hexdigest()[:16], mimetype)
        _cache[key] = (stamp, found)
        return found


def _wants_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0 or request.accept_encodings["x-gzip"] > 0


def send(path: Path) -> Response:
    """The file at `path` as a response: gzipped when the browser accepts it, cached for a
    year under its versioned URL, revalidated otherwise."""
    found = asset(path)
    compressed = found.gzipped is not None and _wants_gzip()
    response = Response(found.gzipped if compressed else found.body, mimetype=found.mimetype)
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    if found.gzipped is not None:
        response.vary.add("Accept-Encoding")
    response.set_etag(found.digest + ("-gz" if compressed else ""))
    if request.args.get("v") == found.digest:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


def static_path(filename: str) -> Path | None:
    """The file under the static folder, or None (outside it, missing or a folder)."""
    joined = safe_join(current_app.static_folder, filename)
    if joined is None or not os.path.isfile(joined):
        return None
    return Path(joined)


def _static(filename: str):
    path = static_path(filename)
    if path is None:
        abort(404)
    return send(path)


def init_app(app: Flask, versioned: dict[str, Path]) -> None:
    """Serve static/ through `send`, and add the content hash to every URL of a static file
    and of the endpoints in `versioned` (endpoint -> the file it sends)."""
    app.view_functions["static"] = _static

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            path = static_path(values["filename"])
        elif endpoint in versioned and "v" not in values:
            path = versioned[endpoint]
        else:
            return
        if path is not None:
            values["v"] = asset(path).digest
