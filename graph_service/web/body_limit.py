"""Request bodies are bounded before anything reads them: a WSGI layer, per-route limits.

A body whose Content-Length passes its route's limit is never read: the layer hides it (an
empty input) and marks the request, and a hook answers 413 through the app's own error
handling (so each API keeps its error format and CORS headers). A body without a length
(chunked) is read through a counting stream that stops at the limit with a 413: nothing
buffers more than the limit, whatever the client sends.

Limits (0 = none): the Graph Store's PUT and POST and /curation/import take MAX_UPLOAD_BYTES;
/sparql takes what MAX_QUERY_LENGTH characters may weigh on the wire; every other route (forms,
JSON APIs, reconciliation) MAX_BODY_BYTES.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from graph_service.exceptions import GraphServiceError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: Where the layer leaves its refusal for the hook (the request's own environ).
REFUSED = "graph_service.body_refused"
#: Room for the multipart framing and the other fields of the import form next to its file, so
#: that the form's own message ("the file is larger than ...") speaks for files just too big.
FORM_ROOM = 64 * 1024
#: Bytes one character of a query may weigh in a form: 4 in UTF-8, each sent as %XX.
BYTES_PER_CHARACTER = 12
_UPLOAD_METHODS = ("PUT", "POST")


def route_limit(method: str, path: str, config: Mapping[str, Any]) -> tuple[int, str]:
    """The largest body (bytes, 0 = no limit) a request may send, and the setting that says so."""
    upload = int(config.get("MAX_UPLOAD_BYTES") or 0)
    if method in _UPLOAD_METHODS and (path == "/store" or path.startswith("/store/")):
        return upload, "GRAPH_SERVICE_MAX_UPLOAD_BYTES"
    if method == "POST" and path == "/curation/import":
        return (upload + FORM_ROOM if upload else 0), "GRAPH_SERVICE_MAX_UPLOAD_BYTES"
    body = int(config.get("MAX_BODY_BYTES") or 0)
    if path == "/sparql":
        # Queries and updates are bounded in characters: their bytes follow, never below
        # MAX_BODY_BYTES, and a server allowing any length takes uploads' size.
        characters = int(config.get("MAX_QUERY_LENGTH") or 0)
        text = characters * BYTES_PER_CHARACTER if characters else upload
        if not text or not body:
            return 0, "GRAPH_SERVICE_MAX_QUERY_LENGTH"
        return max(body, text), "GRAPH_SERVICE_MAX_QUERY_LENGTH"
    return body, "GRAPH_SERVICE_MAX_BODY_BYTES"


def refusal(method: str, path: str, limit: int, setting: str, size: int | None = None) -> str:
    """The message of a 413: what was sent, what this route accepts, and which setting says so."""
    sent = f"the body is {size:,} bytes long" if size is not None else "the body is too long"
    return f"{sent}; {method} {path} accepts at most {limit:,} bytes ({setting})"


class CappedInput(io.RawIOBase):
    """A body without a length, read through a count that stops past `limit` bytes with a 413."""

    def __init__(self, stream: IO[bytes], limit: int, message: str) -> None:
        super().__init__()
        self._stream = stream
        self._left = limit
        self._message = message

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        # One byte more than allowed is asked for, so that a body of exactly `limit` passes.
        wanted = min(len(buffer), self._left + 1)
        data = self._stream.read(wanted) if wanted else b""
        if len(data) > self._left:
            raise RequestEntityTooLarge(self._message)
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)


class BodyLimit:
    """The WSGI layer: refuse a declared length past the route's limit, cap an undeclared one."""

    def __init__(self, app: WSGIApplication, config: Mapping[str, Any]) -> None:
        self.app = app
        self.config = config

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", "") or "/")
        limit, setting = route_limit(method, path, self.config)
        if limit:
            declared = _declared_length(environ)
            if declared is not None and declared > limit:
                # Never read: the view sees no body, the hook below answers 413.
                environ[REFUSED] = refusal(method, path, limit, setting, declared)
                environ["CONTENT_LENGTH"] = "0"
                environ["wsgi.input"] = io.BytesIO()
            elif declared is None:
                message = refusal(method, path, limit, setting)
                raw = CappedInput(environ["wsgi.input"], limit, message)
                environ["wsgi.input"] = io.BufferedReader(raw)
        return self.app(environ, start_response)


def _declared_length(environ: WSGIEnvironment) -> int | None:
    """The Content-Length, or None when absent or unreadable (the body is then capped)."""
    raw = str(environ.get("CONTENT_LENGTH") or "").strip()
    return int(raw) if raw.isdigit() else None


def _refuse_marked() -> None:
    """Answer 413 for a request the layer refused (before any view or form parser runs)."""
    message = request.environ.get(REFUSED)
    if message:
        raise GraphServiceError(str(message), status=413)


def init_app(app: Flask) -> None:
    """The hook that answers refused requests; call before other hooks that may read a body."""
    app.before_request(_refuse_marked)


def wrap(app: Flask) -> None:
    """Put the layer around Flask (the layers outside it, fast path and cache, read no body)."""
    app.wsgi_app = BodyLimit(app.wsgi_app, app.config)  # type: ignore[method-assign]
