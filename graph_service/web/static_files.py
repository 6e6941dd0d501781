"""Fingerprinted static files: every url_for('static', ...) carries ?v=<hash of the file>, and
an answer asked for with the file's current hash may be kept for a year.

A browser then fetches style.css once per change of the file instead of revalidating it on
every page. The plain URL (no v, or a stale v from a page cached before a deploy) still serves
the current file, with `no-cache`, so nothing breaks and nothing stale is pinned for a year.
"""

from __future__ import annotations

import hashlib
import os
import threading

from flask import Flask, Response, current_app, request, url_for
from werkzeug.security import safe_join

#: Cache-Control of a static file asked for by its current fingerprint.
IMMUTABLE = "public, max-age=31536000, immutable"
HASH_CHARS = 12

#: Per file path: (mtime_ns, size, hash), recomputed when the file changes.
_hashes: dict[str, tuple[int, int, str]] = {}
_lock = threading.Lock()


def file_hash(app: Flask, filename: str) -> str | None:
    """The fingerprint of a static file (a prefix of its SHA-256), None if there is no such file."""
    folder = app.static_folder
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    with _lock:
        known = _hashes.get(path)
    if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()[:HASH_CHARS]
    with _lock:
        _hashes[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def static_url(filename: str) -> str:
    """The fingerprinted URL of a static file (url_for adds the ?v= itself)."""
    return url_for("static", filename=filename)


def _add_fingerprint(endpoint: str | None, values: dict) -> None:
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    digest = file_hash(current_app, values["filename"])
    if digest:
        values["v"] = digest


def _cache_forever_if_current(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code != 200:
        return response
    wanted = request.args.get("v")
    filename = (request.view_args or {}).get("filename", "")
    if wanted and wanted == file_hash(current_app, filename):
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = "no-cache"  # revalidated, by its ETag, every time
    return response


def init_app(app: Flask) -> None:
    """Fingerprint url_for('static') and give fingerprinted answers a year of freshness."""
    app.url_defaults(_add_fingerprint)
    app.after_request(_cache_forever_if_current)
