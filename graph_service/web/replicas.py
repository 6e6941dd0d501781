"""Reader processes: the app on a read-only store that follows the writer, forwarding the rest.

With `serve --readers N`, N processes answer the public port and one writing process owns the
read-write store behind a Unix socket (web/server.py). A reader answers reads itself (pages,
REST, SPARQL queries, cards, dumps) on a read-only handle it reopens whenever the writer
publishes a new data version (store/serving_stamp.py), and hands to the writer, whole and
unchanged, every request it must not answer: any write (every method but GET, HEAD and
OPTIONS, except a POSTed SPARQL query), the editor and sign-in pages, health, reconciliation,
and any request that needs the search index while the writer's shared copy of it
(search/shared.py) is not yet of the reader's data version.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from flask import Flask, Response

from graph_service.exceptions import ServedByWriter
from graph_service.store import Store
from graph_service.store.base import StoreError
from graph_service.store.replica import ReplicaStore
from graph_service.store.serving_stamp import StampWatch
from graph_service.web.backend import follow_writer

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

#: The writer's Unix socket, told to reader processes by `serve` (not a user setting).
WRITER_SOCKET_ENV = "GRAPH_SERVICE_WRITER_SOCKET"
#: The header of the answer by which a reader's app says "the writer must answer this".
TO_WRITER_HEADER = "X-Graph-Service-To-Writer"
#: Paths (and what is under them) the writer answers whatever the method: the editor and
#: sign-in (forms, CSRF, jobs live there), health (its warm-up is the truth), services whose
#: every answer reads the search index.
WRITER_PATHS = (
    "/curation",
    "/login",
    "/logout",
    "/healthz",
    "/feedback",
    "/reconcile",
    "/api/concepts",
    "/api/suggest",
)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Media types of a POSTed SPARQL request a reader reads to tell a query from an update.
_QUERY_TYPE = "application/sparql-query"
_FORM_TYPE = "application/x-www-form-urlencoded"


class StoreFollower:
    """The writer's store as of its latest published version, opened read-only."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._watch = StampWatch(data_dir)
        self._store: ReplicaStore | None = None
        self._lock = threading.Lock()
        self._request = threading.local()  # the store pinned for the thread's request

    @contextlib.contextmanager
    def pinned(self) -> Iterator[None]:
        """Within it, this thread's calls all give the store the first one gave: one request
        reads one data version (a page's several queries agree) and checks the stamp once."""
        self._request.active, self._request.store = True, None
        try:
            yield
        finally:
            self._request.active, self._request.store = False, None

    def __call__(self) -> Store:
        """The store to read from now (ServedByWriter while the writer published none)."""
        request = self._request
        if getattr(request, "active", False):
            if request.store is None:
                request.store = self._latest()
            return request.store
        return self._latest()

    def _latest(self) -> Store:
        store = self._store
        if store is not None and not self._watch.changed():
            return store
        with self._lock:
            if self._store is None or self._watch.changed():
                stamp = self._watch.read()
                if stamp is None:
                    raise ServedByWriter("the writing process has published no store yet")
                if self._store is None or self._store.stamp != stamp:
                    try:
                        self._store = ReplicaStore(stamp, self.data_dir)
                    except StoreError as exc:
                        self._watch.forget()  # try again on the next request
                        raise ServedByWriter(f"cannot open the writer's store: {exc}") from exc
            return self._store


def _handed_to_writer(exc: ServedByWriter) -> Response:
    """The reader app's answer to a request it cannot serve: a marker the router replaces."""
    response = Response(str(exc), status=503, mimetype="text/plain")
    response.headers[TO_WRITER_HEADER] = "1"
    response.headers["Cache-Control"] = "no-store"
    return response


def make_reader(app: Flask, forward: WSGIApp) -> None:
    """Turn `app` into a reader: its store follows the writer, and what it cannot answer goes
    to `forward` (the WSGI app that passes a request to the writer)."""
    follower = StoreFollower(Path(app.config["DATA_DIR"]))
    follow_writer(app, follower)
    app.register_error_handler(ServedByWriter, _handed_to_writer)
    limit = int(app.config.get("MAX_CONTENT_LENGTH") or 0)
    # Outermost: Flask's own layers and the response cache run inside it.
    app.wsgi_app = ReaderRouter(  # type: ignore[method-assign]
        app.wsgi_app, forward, limit, follower.pinned
    )


#: The same, as what such paths start with (one C-level test per request).
_WRITER_STARTS = tuple(prefix + "/" for prefix in WRITER_PATHS)
_WRITER_EXACT = frozenset(WRITER_PATHS)


def writer_path(path: str) -> bool:
    """Whether a path belongs to the writer whatever the method."""
    return path in _WRITER_EXACT or path.startswith(_WRITER_STARTS)


class ReaderRouter:
    """Answers a request here, or passes it to the writer (before, or when the app says so)."""

    def __init__(
        self,
        app: WSGIApp,
        forward: WSGIApp,
        max_body: int,
        pinned: Callable[[], contextlib.AbstractContextManager[None]],
    ) -> None:
        self.app, self.forward, self.max_body = app, forward, max_body
        self.pinned = pinned  # one store version for the whole of a request answered here

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if writer_path(path):
            return self.forward(environ, start_response)
        if method in READ_METHODS:
            return self._here(environ, start_response, None)
        if method == "POST" and path == "/sparql":
            body = self._query_body(environ)
            if body is not None:
                return self._here(environ, start_response, body)
        return self.forward(environ, start_response)

    def _query_body(self, environ: Environ) -> bytes | None:
        """The body of a POSTed SPARQL query, read here (None: an update, or not a plain
        query: the writer answers, the body it may have read put back for it)."""
        kind = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if kind not in (_QUERY_TYPE, _FORM_TYPE):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None  # chunked or no length: the writer applies the body limit
        if length < 0 or (self.max_body and length > self.max_body):
            return None  # the writer answers 413 as it would
        body = environ["wsgi.input"].read(length)
        _put_back(environ, body)
        if kind == _FORM_TYPE and "update" in parse_qs(body.decode("latin-1")):
            return None
        return body

    def _here(self, environ: Environ, start_response: StartResponse, body: bytes | None):
        handed: list[bool] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if any(name == TO_WRITER_HEADER for name, _ in headers):
                handed.append(True)
                return lambda data: None
            if exc_info is not None:
                return start_response(status, headers, exc_info)
            return start_response(status, headers)

        with self.pinned():
            result = self.app(environ, capture)
        if not handed:
            return result
        close = getattr(result, "close", None)
        if close is not None:
            close()
        if body is not None:
            _put_back(environ, body)
        return self.forward(environ, start_response)


def _put_back(environ: Environ, body: bytes) -> None:
    """Make a body read here readable again (by the app, or by the forwarder)."""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
