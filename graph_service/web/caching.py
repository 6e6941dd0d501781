"""HTTP caching for every GET: ETag and Last-Modified from the data version, 304s, Cache-Control.

Every answer of the service is a function of the request (path, query, Accept) and of the data,
and the store's version changes on every write. So the ETag is the version plus a hash of the
request: a 304 can be sent before any work is done. The ETag is weak: two answers with the
same ETag are the same data, though their bytes are not promised to be identical.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask, Response, current_app, request
from werkzeug.http import http_date, is_resource_modified, parse_etags

from graph_service.store import Store
from graph_service.store.build import BuildError

#: Freshness granted to data answers; short, because a write can change them at any time.
MAX_AGE = 60
#: Blueprints whose answers depend on nothing but the request and the data, so that a
#: matching If-None-Match may be answered before the view runs.
PURE_BLUEPRINTS = frozenset({"rest", "linked_data"})

#: Per store: the data version, when it was last changed, and that date as an HTTP header.
_modified: weakref.WeakKeyDictionary[Store, tuple[str, datetime, str]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def last_modified(store: Store) -> datetime:
    """When the data of the store's current version was last changed, to the second.

    The first version a process sees dates from the newest file of the store directory (the
    build, or the last write before a restart); each later version from when it was first seen,
    which follows the write that made it by at most one request.
    """
    return _modified_entry(store)[1]


def last_modified_header(store: Store) -> str:
    """last_modified() as an HTTP date, formatted once per data version (it is on every answer)."""
    return _modified_entry(store)[2]


def _modified_entry(store: Store) -> tuple[str, datetime, str]:
    version = store.version
    with _lock:
        seen = _modified.get(store)
        if seen is not None and seen[0] == version:
            return seen
        now = datetime.now(UTC).replace(microsecond=0)
        stamp = now
        if seen is None and store.path is not None:
            try:
                newest = max(p.stat().st_mtime for p in store.path.rglob("*") if p.is_file())
                stamp = min(now, datetime.fromtimestamp(int(newest), UTC))
            except (OSError, ValueError):
                stamp = now
        elif seen is not None:
            # Strictly later than the previous version's date, even within the same second, so
            # that If-Modified-Since never hides a write.
            stamp = max(now, seen[1] + timedelta(seconds=1))
        entry = (version, stamp, http_date(stamp))
        _modified[store] = entry
        return entry


def etag_for(store: Store, vary: str | None = None) -> str:
    """The (weak) entity tag of the current request's answer at the store's data version.

    It covers the path, the query and Accept, plus any other request header the answer says it
    varies on, so that two representations never share a tag.
    """
    return request_etag(
        store.version,
        request.path,
        request.query_string.decode("latin-1"),
        lambda name: request.headers.get(name, ""),
        vary,
    )


def request_etag(
    version: str, path: str, query_string: str, header: Callable[[str], str], vary: str | None
) -> str:
    """etag_for() from the request's parts (`header` gives a request header's value or ""):
    pages rendered ahead are tagged outside Flask (web/prerender/layer.py) as inside it."""
    extra = [
        f"{name}={header(name)}"
        for name in sorted({h.strip().lower() for h in (vary or "").split(",")} - {"", "accept"})
    ]
    return etag_of(version, path, query_string, header("Accept"), extra)


def etag_of(
    version: str, path: str, query_string: str, accept: str, extra: list[str] | None = None
) -> str:
    """The entity tag of an answer: the data version and a digest of what the request asked."""
    key = "\n".join([path, query_string, accept, *(extra or ())])
    digest = hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=9).hexdigest()
    return f"{version}-{digest}"


def _current_store() -> Store | None:
    from graph_service.web.backend import get_store

    try:
        return get_store()
    except BuildError:
        return None


def _cacheable_request() -> bool:
    # A request with credentials or a session (a signed-in librarian's pages show the account)
    # is answered for that client alone: no shared validators, no early 304.
    session_cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
    return (
        request.method in {"GET", "HEAD"}
        and "Authorization" not in request.headers
        and session_cookie not in request.cookies
    )


def _not_modified_early() -> Response | None:
    """Answer 304 before the view when the client already holds this exact answer."""
    if not _cacheable_request() or request.blueprint not in PURE_BLUEPRINTS:
        return None
    if "If-None-Match" not in request.headers:
        return None
    store = _current_store()
    if store is None:
        return None
    tag = etag_for(store)
    if not parse_etags(request.headers["If-None-Match"]).contains_weak(tag):
        return None
    return _not_modified(tag, last_modified(store), "Accept")


def _not_modified(tag: str, modified: datetime, vary: str | None) -> Response:
    response = Response(status=304)
    response.set_etag(tag, weak=True)
    response.last_modified = modified
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    if vary:
        response.headers["Vary"] = vary
    return response


def _decorate(response: Response) -> Response:
    """Add validators and Cache-Control, and turn a matching conditional GET into a 304."""
    if not _cacheable_request():
        response.headers.setdefault("Cache-Control", "no-store")
        return response
    if response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
        return response
    if response.status_code != 200 or "Cache-Control" in response.headers or response.get_etag()[0]:
        return response  # redirects, and answers that chose their own policy (static files)
    store = _current_store()
    if store is None:
        response.headers["Cache-Control"] = "no-store"
        return response
    tag, modified = etag_for(store, response.headers.get("Vary")), last_modified(store)
    # Checked here rather than with make_conditional, which would buffer a streamed dump.
    if not is_resource_modified(request.environ, etag=tag, last_modified=modified):
        return _not_modified(tag, modified, response.headers.get("Vary"))
    response.set_etag(tag, weak=True)
    response.last_modified = modified
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def init_app(app: Flask) -> None:
    """Register the caching hooks on every request of the app."""
    app.before_request(_not_modified_early)
    app.after_request(_decorate)
