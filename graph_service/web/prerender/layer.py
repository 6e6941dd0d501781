"""The WSGI layer that answers a request for a page rendered ahead from the pages file, when
that page was rendered for the data version being served and the request asks for its HTML."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from graph_service.web.caching import request_etag
from graph_service.web.conneg import negotiate
from graph_service.web.prerender.pages_file import PagesFile, StoredPage, page_key

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

#: What an IRI's page offers (web/linked_data/views.py's choose()): HTML only when it wins.
#: Set by init_app from the views' own list, so that both negotiate alike.
PAGE_OFFER: tuple[str, ...] = ("text/html",)

#: Requests answered for one client or conditional ones go through: the app answers 304s, and
#: a signed-in librarian's pages show the account.
_BYPASS = ("HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
           "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE")  # fmt: skip


#: Paths no page rendered ahead lives under (the busiest other routes).
_NOT_PAGES = ("/sparql", "/rest/", "/static/", "/card/", "/healthz")


def request_path(environ: Environ) -> str:
    """The request's path as Flask's request.path reads it (UTF-8 decoded, one leading /)."""
    raw = environ.get("PATH_INFO", "")
    return "/" + raw.encode("latin-1").decode("utf-8", "replace").lstrip("/")


def request_origin(environ: Environ) -> str:
    """scheme://host of a request, as the pages' absolute links would be built from it."""
    return f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"


class PrerenderedPages:
    """Wraps a WSGI app: GET requests for a page of the pages file are answered from it."""

    def __init__(
        self,
        app: WSGIApp,
        version: Callable[[], str | None],
        pages: PagesFile,
        *,
        origin_free: bool,
    ) -> None:
        self.app, self.version, self.pages = app, version, pages
        #: With PUBLIC_BASE, pages hold no address of the request: one key serves every host.
        self.origin_free = origin_free
        self.hits = 0
        #: When this process last got a request (the renderer leaves it time to answer them).
        self.last_request = 0.0

    def busy(self, seconds: float = 1.0) -> bool:
        """Whether this process got a request in the last `seconds`."""
        return time.monotonic() - self.last_request < seconds

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/healthz":  # probes are no visitors
            self.last_request = time.monotonic()
        page = self._lookup(environ)
        if page is None:
            return self.app(environ, start_response)
        self.hits += 1
        stored, version = page
        headers = list(stored.headers)
        vary = next((value for name, value in headers if name.lower() == "vary"), None)
        tag = request_etag(
            version,
            request_path(environ),
            environ.get("QUERY_STRING", ""),
            lambda name: str(environ.get("HTTP_" + name.upper().replace("-", "_"), "")),
            vary,
        )
        headers.append(("ETag", f'W/"{tag}"'))
        start_response("200 OK", headers)
        return [stored.body]

    def _lookup(self, environ: Environ) -> tuple[StoredPage, str] | None:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("SCRIPT_NAME"):
            return None
        if environ.get("PATH_INFO", "").startswith(_NOT_PAGES):
            return None  # the SPARQL protocol, the REST API, static files: one C-level test
        if any(name in environ for name in _BYPASS):
            return None
        if negotiate(environ.get("HTTP_ACCEPT"), PAGE_OFFER) != "text/html":
            return None
        try:
            version = self.version()
        except Exception:  # an unreachable store: the app gives the real answer (503)
            return None
        if version is None:
            return None
        origin = "" if self.origin_free else request_origin(environ)
        key = page_key(origin, request_path(environ), environ.get("QUERY_STRING", ""))
        stored = self.pages.get(key, version)
        return None if stored is None else (stored, version)
