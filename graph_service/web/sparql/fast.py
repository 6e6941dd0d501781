"""A WSGI fast path for the commonest protocol request: a GET /sparql query from a data client.

Such a request needs none of Flask's machinery: its answer is the engine's bytes with a few
headers. Crossing Flask (request context, URL map, blueprint hooks, Response object) cost more
than the engine's own work on small queries, so this layer answers them directly with exactly
the status, headers and body the Flask view gives (a test compares the two). Everything else
goes on to Flask: other paths and methods, browsers, conditional or authenticated requests,
datasets, and every failure, which the view then reports without running the query again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from werkzeug.wsgi import get_current_url

from graph_service.config import DEFAULT_MAX_NESTING
from graph_service.exceptions import GraphServiceError, ServedByWriter
from graph_service.query.runner import federated, run_query
from graph_service.store.base import StoreError
from graph_service.store.build import BuildError
from graph_service.store.nesting import check_sparql
from graph_service.web.backend import store_of
from graph_service.web.caching import MAX_AGE, etag_of, last_modified_header
from graph_service.web.conneg import content_type
from graph_service.web.cors import ANY_ORIGIN
from graph_service.web.security_headers import EVERY_ANSWER
from graph_service.web.sparql import protocol

if TYPE_CHECKING:
    from flask import Flask

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

#: Where the fast path leaves the error of a query it ran, for the Flask view to report.
FAST_PATH_FAILURE = "graph_service.sparql_failure"
#: Request headers that need the full app: conditional requests (304s) and credentials.
_FULL_APP_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
_STATUS_OK = "200 OK"
#: The environ values get_current_url builds the endpoint's IRI from (path and script fixed).
_URL_PARTS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT")
#: The parameter names (sorted) of the requests this layer answers.
_PLAIN_PARAMETERS = (["query"], ["format", "query"])


class SparqlFastPath:
    """Wraps the app's WSGI callable; answers plain GET /sparql?query= requests itself."""

    def __init__(self, app: WSGIApp, flask_app: Flask) -> None:
        self.app, self.flask_app = app, flask_app
        self.answered = 0  # requests answered here rather than by Flask (read by tests)
        self._base_iris: dict[tuple, str] = {}

    def _base_iri(self, environ: Environ, public: str) -> str:
        """The endpoint's own IRI, the base of relative IRIs in queries (as the view has it)."""
        if public:
            return public.rstrip("/") + "/sparql"
        # Werkzeug's URL building (IDNA, trusted hosts) is costly next to a small query, and
        # its inputs are the same few values on every request: remember its answers.
        key = tuple(environ.get(name) for name in _URL_PARTS)
        base = self._base_iris.get(key)
        if base is None:
            base = get_current_url(environ, strip_querystring=True)
            if len(self._base_iris) < 256:  # the Host header is the client's to choose
                self._base_iris[key] = base
        return base

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") != "/sparql"
            or environ.get("REQUEST_METHOD") != "GET"
            or environ.get("SCRIPT_NAME")
            or any(name in environ for name in _FULL_APP_HEADERS)
        ):
            return self.app(environ, start_response)
        answer = self._answer(environ)
        if answer is None:
            return self.app(environ, start_response)
        headers, body = answer
        self.answered += 1
        start_response(_STATUS_OK, headers)
        return [body]

    def _answer(self, environ: Environ) -> tuple[list[tuple[str, str]], bytes] | None:
        """The headers and body of a successful answer, or None to leave the request to Flask."""
        params = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        names = [name for name, _ in params]
        if sorted(names) not in _PLAIN_PARAMETERS:
            return None  # datasets, repeated or other parameters: the view says what to do
        values = dict(params)
        text, fmt = values["query"], values.get("format", "")
        accept = environ.get("HTTP_ACCEPT")
        config = self.flask_app.config
        if protocol.wants_html(fmt, accept):
            return None
        try:
            store = store_of(self.flask_app)
            version = store.version
        except (BuildError, StoreError, ServedByWriter):
            # Nothing built, the remote store is down (the app answers 503), or a reader
            # process has no store yet (the app hands the request to the writer).
            return None
        try:
            protocol.check_length(text, config["MAX_QUERY_LENGTH"])
            check_sparql(text, int(config.get("MAX_NESTING", DEFAULT_MAX_NESTING)))
            kind = protocol.answer_kind(text)
            chosen = protocol.choose_format(kind, fmt, accept)
        except GraphServiceError:
            return None
        base_iri = self._base_iri(environ, config.get("PUBLIC_BASE") or "")
        task = protocol.query_task(
            text,
            chosen,
            kind,
            default_graphs=[],
            named_graphs=[],
            base_iri=base_iri,
            services=protocol.federation(config),
        )
        if federated(task):
            return None  # the view answers it, with no-store (this layer's answers are cached)
        try:
            answer = run_query(
                store,
                task,
                timeout=config["QUERY_TIMEOUT"],
                max_rows=config["MAX_RESULT_ROWS"],
                workers=config.get("QUERY_WORKERS", 2),
                # The response cache around this layer keeps repeated GETs, when it is on.
                remember=int(config.get("RESPONSE_CACHE_BYTES", 0)) <= 0,
                client=environ.get("REMOTE_ADDR") or "",
                per_client=config.get("QUERIES_PER_CLIENT", 0),
            )
        except GraphServiceError as exc:
            environ[FAST_PATH_FAILURE] = exc
            return None
        chosen = protocol.answered_format(chosen, task, answer.kind, kind)
        tag = etag_of(version, "/sparql", environ.get("QUERY_STRING", ""), accept or "")
        headers = [
            ("Content-Type", content_type(chosen.media_type)),
            ("Content-Length", str(len(answer.body))),
            ("Vary", "Accept"),
            ANY_ORIGIN,
            ("ETag", f'W/"{tag}"'),
            ("Last-Modified", last_modified_header(store)),
            ("Cache-Control", f"public, max-age={MAX_AGE}"),
            *EVERY_ANSWER,  # as web/security_headers.py adds to the view's answer
        ]
        return headers, answer.body
