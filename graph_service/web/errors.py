"""Turns every error into a clean answer: a message and a 4xx or 503, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

from graph_service.exceptions import GraphServiceError
from graph_service.store.base import StoreError, write_failure
from graph_service.store.build import BuildError
from graph_service.store.remote import RemoteUnavailable

log = logging.getLogger(__name__)

#: Seconds a client is told to wait (Retry-After) on a 503 or 429 that names no time of its own
#: (a store failing, a worker's error): clients and proxies that honour the header back off
#: instead of retrying at once.
DEFAULT_RETRY_AFTER = 5
#: The statuses that say "later": every one carries Retry-After.
RETRY_STATUSES = (429, 503)


def _answer(status: int, title: str, message: str) -> Response:
    wants_html = request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html"
    if (
        wants_html
        and request.accept_mimetypes["text/html"] > request.accept_mimetypes["text/plain"]
    ):
        from flask import render_template

        body = render_template("error.html", status=status, title=title, message=message)
        return Response(body, status, content_type="text/html; charset=utf-8")
    return Response(
        f"{status} {title} : {message}\n", status, content_type="text/plain; charset=utf-8"
    )


def add_retry_after(response: Response) -> Response:
    """Give a 503 or 429 without Retry-After the default one (those raised with their own time,
    TryLater and werkzeug's, keep theirs)."""
    if response.status_code in RETRY_STATUSES and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(DEFAULT_RETRY_AFTER)
    return response


def init_app(app: Flask) -> None:
    """Register the handlers, and the hook that puts Retry-After on every 503 and 429."""
    app.after_request(add_retry_after)

    @app.errorhandler(GraphServiceError)
    def _service_error(exc: GraphServiceError) -> Response:
        response = _answer(exc.status, HTTP_STATUS_CODES.get(exc.status, "Error"), exc.message)
        retry_after = getattr(exc, "retry_after", None)  # store/limits.py TryLater
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(RemoteUnavailable)
    def _remote_down(exc: RemoteUnavailable) -> Response:
        return _answer(503, "Service Unavailable", str(exc))

    @app.errorhandler(BuildError)
    def _no_store(exc: BuildError) -> Response:
        return _answer(503, "Service Unavailable", str(exc))

    @app.errorhandler(StoreError)
    def _store_error(exc: StoreError) -> Response:
        # The engine refusing the client's input (400), or the store failing (502, 503, 507).
        return _answer(exc.status, HTTP_STATUS_CODES.get(exc.status, "Error"), str(exc))

    @app.errorhandler(OSError)
    def _io_error(exc: OSError) -> Response:
        # Our files (a full disk, say) on a path with no handler of its own: never a 500.
        log.error("I/O error on %s %s: %s", request.method, request.path, exc)
        failure = write_failure(exc, "the server's files")
        return _answer(failure.status, HTTP_STATUS_CODES[failure.status], str(failure))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        response = _answer(exc.code or 500, exc.name, exc.description or exc.name)
        for key, value in exc.get_headers():
            if key.lower() not in {"content-type", "content-length"}:
                response.headers[key] = value
        return response

    @app.errorhandler(MethodNotAllowed)
    def _wrong_method(exc: MethodNotAllowed) -> Response:
        # Routing's 405 lists the methods of every rule of the path, in set order: sorted, so
        # that Allow is the same from one process to the next. The message names the methods
        # to use, which HEAD and OPTIONS (answered on every route) are not.
        methods = sorted(exc.valid_methods or ())
        usable = [m for m in methods if m not in {"HEAD", "OPTIONS"}] or methods
        message = f"{request.method} is not accepted on {request.path}"
        response = _answer(
            405, exc.name, f"{message}: use {' or '.join(usable)}" if usable else message
        )
        if methods:
            response.headers["Allow"] = ", ".join(methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # Logged with its traceback for us; the client only learns that it was our fault.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _answer(500, "Internal Server Error", "the server failed to answer this request")
