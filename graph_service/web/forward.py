"""Readers hand to the primary what they must not answer: a WSGI app relaying HTTP over a socket.

In the multi-process mode, reader processes answer reads from read-only store handles and pass
every other request (writes, the editor, ...) to the one primary process, which owns the
read-write store and listens with HTTP/1.1 on a Unix domain socket. `PrimaryForwarder` is that
pass: the request goes out as it came (method, encoded path and query, end-to-end headers,
body streamed), the answer comes back as the primary gave it (status, repeated headers such as
two Set-Cookie, body streamed in chunks). The client's address and scheme travel in two headers
of ours, which `trust_forwarded` turns back into REMOTE_ADDR and wsgi.url_scheme on the primary.

Connections are kept alive in a small thread-safe pool (the WSGI server runs the app in several
threads). Granian closes a keep-alive connection idle for its header read timeout (30 s by
default), and a restarted primary leaves every pooled connection dead: a pooled connection is
checked before use, and one that fails before anything of the request could have been acted
upon is retried once on a fresh connection. A primary that cannot be reached, or gives no status
line within `timeout` seconds, makes a 503 with Retry-After, logged once with the reason.

Errors raised while reading the client's body (a body past the limit, a client gone) come from
the layers around this app and pass through to them unchanged; only the standard library here.
"""

from __future__ import annotations

import http.client
import json
import logging
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, unquote_to_bytes, urlsplit

log = logging.getLogger(__name__)

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

#: Bytes read from the client's body, and from the primary's answer, at a time.
CHUNK = 64 * 1024
#: Idle connections kept for reuse: about the WSGI threads that forward at the same time.
POOL_SIZE = 8
#: A connection idle longer is closed rather than reused: Granian closes idle keep-alive
#: connections after its header read timeout (30 s by default), and one reused just as the
#: primary closes it would fail after the request was sent.
IDLE_SECONDS = 20.0
#: The headers that carry the client's address and scheme from a reader to the primary.
CLIENT_HEADER = "X-Graph-Service-Client"
SCHEME_HEADER = "X-Graph-Service-Scheme"
RETRY_AFTER_SECONDS = 2
UNAVAILABLE = (
    "the service's writer process is not answering (it may be restarting): retry in a few seconds"
)

#: Headers of one connection only (RFC 9110 7.6.1), never passed on, in either direction.
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "trailers", "transfer-encoding", "upgrade",
})  # fmt: skip
#: Request headers not passed on besides: Expect was answered by the reader's server already,
#: ours are set by the forwarder alone (a client must not choose its address), and the body's
#: length and type come from CONTENT_LENGTH and CONTENT_TYPE (some servers copy them to HTTP_*).
_NOT_FORWARDED = HOP_BY_HOP | {
    "expect", CLIENT_HEADER.lower(), SCHEME_HEADER.lower(), "content-length", "content-type",
}  # fmt: skip
#: Methods a client may repeat without a different effect (RFC 9110 9.2.2): the only ones sent
#: again after a connection closed once the request was out (it may have been acted upon).
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
#: What stays as it is in a path re-encoded from PATH_INFO: the path's own delimiters. Not "%",
#: which PATH_INFO holds decoded: a "%" there was "%25" on the wire and must become it again.
_PATH_SAFE = "/;:@&=+$,!~*'()"
#: Printable ASCII but "#": what a raw path or query from the client keeps as it is (only
#: spaces, controls and non-ASCII bytes, which cannot go on a request line, get encoded).
_RAW_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "#")


class _Unavailable(Exception):
    """The primary could not be reached, or gave no status line: why, for the log."""


class _SendFailed(Exception):
    """Sending the body failed: why, for the log (the primary may have answered already)."""


class _BodyEnded(Exception):
    """The client's body ended before its Content-Length."""


class PrimaryLost(ConnectionError):
    """The primary's connection failed in the middle of an answer already begun.

    Raised from the body iterator, so that the server in front drops the client's connection:
    ending the body instead would pass a truncated answer off as a complete one."""


def request_target(environ: Environ) -> str:
    """The request line's target: SCRIPT_NAME + PATH_INFO percent-encoded back, and the query.

    The client's raw path is kept when the server gives it (REQUEST_URI or RAW_URI, as
    Werkzeug's does) and it decodes to the path the app sees: only it tells an encoded "/"
    (%2F) from a separator. Granian gives none: the decoded path is encoded again."""
    path = (str(environ.get("SCRIPT_NAME") or "") + str(environ.get("PATH_INFO") or "")) or "/"
    decoded = _wire_bytes(path)
    target = _raw_path(environ, decoded) or quote(decoded, safe=_PATH_SAFE)
    query = str(environ.get("QUERY_STRING") or "")
    if query:
        target += "?" + quote(_wire_bytes(query), safe=_RAW_SAFE)
    return target


def _wire_bytes(text: str) -> bytes:
    """The bytes behind a WSGI string (PEP 3333: latin-1-decoded bytes), UTF-8 for a server
    that decoded them as text instead."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def _raw_path(environ: Environ, decoded: bytes) -> str | None:
    """The client's own encoding of the path, when the server kept it and it still matches."""
    for key in ("REQUEST_URI", "RAW_URI"):
        raw = str(environ.get(key) or "")
        if not raw:
            continue
        # The absolute form (GET http://host/path) carries the path after the authority.
        path = raw.split("?", 1)[0] if raw.startswith("/") else urlsplit(raw).path
        if path and unquote_to_bytes(path) == decoded:
            return quote(_wire_bytes(path), safe=_RAW_SAFE)
    return None


def request_headers(environ: Environ) -> list[tuple[str, str]]:
    """The headers sent to the primary: the client's end-to-end ones, then ours."""
    dropped = _NOT_FORWARDED | _connection_tokens([str(environ.get("HTTP_CONNECTION") or "")])
    headers: list[tuple[str, str]] = []
    for key, value in environ.items():
        if not key.startswith("HTTP_"):
            continue
        name = key[5:].replace("_", "-").title()
        if name.lower() not in dropped:
            headers.append((name, str(value)))
    if "HTTP_HOST" not in environ:
        # HTTP/1.1 asks for a Host: the one a URL would be rebuilt with (PEP 3333).
        host = str(environ.get("SERVER_NAME") or "localhost")
        port = str(environ.get("SERVER_PORT") or "")
        headers.append(("Host", f"{host}:{port}" if port and port not in ("80", "443") else host))
    content_type = str(environ.get("CONTENT_TYPE") or "")
    if content_type:
        headers.append(("Content-Type", content_type))
    headers.append((CLIENT_HEADER, str(environ.get("REMOTE_ADDR") or "")))
    headers.append((SCHEME_HEADER, str(environ.get("wsgi.url_scheme") or "http")))
    return headers


def _connection_tokens(values: Iterable[str]) -> frozenset[str]:
    """The header names a Connection header lists: hop-by-hop too (RFC 9110 7.6.1)."""
    return frozenset(
        token.strip().lower() for value in values for token in value.split(",") if token.strip()
    )


def response_headers(response: http.client.HTTPResponse) -> list[tuple[str, str]]:
    """The primary's headers for the client: all of them but the hop-by-hop ones, repeats kept."""
    dropped = HOP_BY_HOP | _connection_tokens(response.msg.get_all("Connection") or [])
    return [(name, value) for name, value in response.getheaders() if name.lower() not in dropped]


def unavailable(start_response: StartResponse) -> list[bytes]:
    """Answer 503: the primary is not answering; the client may retry in a few seconds."""
    body = json.dumps({"error": UNAVAILABLE}).encode("utf-8")
    start_response(
        "503 Service Unavailable",
        [
            ("Content-Type", "application/json"),
            ("Retry-After", str(RETRY_AFTER_SECONDS)),
            ("Cache-Control", "no-store"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]


def _body_ended(start_response: StartResponse) -> list[bytes]:
    """Answer 400: the client's body was shorter than its Content-Length."""
    body = json.dumps({"error": "the request body ended before its Content-Length"}).encode()
    start_response(
        "400 Bad Request",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


class _UnixConnection(http.client.HTTPConnection):
    """An HTTP/1.1 connection to a server on a Unix domain socket."""

    def __init__(self, socket_path: str, timeout: float) -> None:
        # The host only names the connection: the Host header is the client's (skip_host).
        super().__init__("localhost", timeout=timeout)
        self.socket_path = socket_path
        self.idle_since = 0.0

    def connect(self) -> None:
        """Connect to the socket; the timeout also bounds every later send and receive."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def usable(self) -> bool:
        """Whether an idle connection may carry a request: still open, not idle too long, and
        nothing to read (an idle connection that is readable was closed by the primary)."""
        if self.sock is None or time.monotonic() - self.idle_since > IDLE_SECONDS:
            return False
        poller = select.poll()  # not select(): it fails on descriptors past 1024
        poller.register(self.sock, select.POLLIN)
        return not poller.poll(0)


class _Pool:
    """Idle keep-alive connections to the primary, shared by the server's threads."""

    def __init__(self, socket_path: Path, timeout: float, size: int) -> None:
        self.socket_path = str(socket_path)
        self.timeout = timeout
        self.size = size
        self.opened = 0
        self._idle: list[_UnixConnection] = []
        self._lock = threading.Lock()

    def take(self) -> _UnixConnection | None:
        """The most recently used idle connection still usable, or None."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                connection = self._idle.pop()
            if connection.usable():
                return connection
            connection.close()

    def open(self) -> _UnixConnection:
        """A new connection (OSError when the socket is missing or nothing listens there)."""
        connection = _UnixConnection(self.socket_path, self.timeout)
        connection.connect()
        with self._lock:
            self.opened += 1
        return connection

    def give_back(self, connection: _UnixConnection) -> None:
        """Keep a connection whose answer was read to its end for the next request."""
        connection.idle_since = time.monotonic()
        with self._lock:
            if len(self._idle) < self.size:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


class _Relay:
    """The primary's body, passed on in chunks as they come; close() releases the connection."""

    def __init__(
        self, pool: _Pool, connection: _UnixConnection, response: http.client.HTTPResponse
    ) -> None:
        self._pool = pool
        self._connection = connection
        self._response = response
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._closed:
            raise StopIteration
        try:
            # read1: what has come, up to CHUNK; read(CHUNK) would wait for a full chunk.
            chunk = self._response.read1(CHUNK)
            if not chunk:
                # Marks the answer over: read1 leaves it open once its length is read, and an
                # open answer keeps its connection from serving again.
                self._response.read()
        except (OSError, http.client.HTTPException) as exc:
            log.warning("the primary's answer broke off: %s", _reason(exc))
            self._connection.close()
            self._closed = True
            raise PrimaryLost(f"the primary's answer broke off: {_reason(exc)}") from exc
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        """Give the connection back when the answer was read to its end, else close it."""
        if self._closed:
            return
        self._closed = True
        _release(self._pool, self._connection, self._response)


def _release(pool: _Pool, connection: _UnixConnection, response: http.client.HTTPResponse) -> None:
    """Keep the connection for the next request if the primary keeps it open and the answer
    is over; a body left unread (the client went away) would be read as the next answer."""
    if response.isclosed() and not response.will_close:
        pool.give_back(connection)
    else:
        response.close()
        connection.close()


def _reason(exc: BaseException) -> str:
    """A short reason for the log: the exception's class and message."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class PrimaryForwarder:
    """A WSGI app forwarding every request to the primary's HTTP/1.1 server on a Unix socket."""

    def __init__(self, socket_path: Path, timeout: float, *, pool_size: int = POOL_SIZE) -> None:
        self.socket_path = Path(socket_path)
        self.timeout = timeout
        self._pool = _Pool(self.socket_path, timeout, pool_size)

    @property
    def opened(self) -> int:
        """How many connections to the primary were opened so far (reuse keeps it low)."""
        return self._pool.opened

    def close(self) -> None:
        """Close the idle connections (when the process stops)."""
        self._pool.close()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Forward the request; the primary's answer, or a 503 when it is not answering."""
        method = str(environ.get("REQUEST_METHOD") or "GET").upper()
        target = request_target(environ)
        headers = request_headers(environ)
        length, ahead = _body_plan(environ, method)
        try:
            connection, response = self._exchange(method, target, headers, environ, length, ahead)
        except _Unavailable as exc:
            # The path alone: a query may carry what a log should not keep.
            path = target.split("?", 1)[0]
            log.warning(
                "cannot forward %s %s to the primary on %s: %s", method, path, self.socket_path, exc
            )
            return unavailable(start_response)
        except _BodyEnded:
            return _body_ended(start_response)
        reason = response.reason or _phrase(response.status)
        start_response(f"{response.status} {reason}", response_headers(response))
        if method == "HEAD" or response.status in (204, 304) or response.status < 200:
            # No body, whatever the headers say: read() ends the answer so the connection
            # can serve again (read1 leaves a HEAD answer open).
            response.read()
            _release(self._pool, connection, response)
            return []
        return _Relay(self._pool, connection, response)

    def _exchange(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        environ: Environ,
        length: int | None,
        ahead: bytes | None,
    ) -> tuple[_UnixConnection, http.client.HTTPResponse]:
        """Send the request and read the status line and headers; retried once on a fresh
        connection when a pooled one turns out closed before the request could be acted upon."""
        pooled = self._pool.take()
        while True:
            reused = pooled is not None
            if pooled is not None:
                connection, pooled = pooled, None
            else:
                try:
                    connection = self._pool.open()
                except OSError as exc:
                    raise _Unavailable(f"cannot connect: {_reason(exc)}") from exc
            try:
                self._send_head(connection, method, target, headers, length)
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                # Nothing of the request reached a server still reading it: safe to send again.
                if reused:
                    log.info("a pooled connection to the primary was closed: reconnecting")
                    continue
                raise _Unavailable(f"sending the request failed: {_reason(exc)}") from exc
            try:
                streamed = _send_body(connection, environ, length, ahead)
            except _SendFailed as failure:
                return connection, _early_answer(connection, failure)
            try:
                return connection, connection.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                # The primary closed a reused connection without a word (it was idle too long
                # on its side, or the primary stopped): the request may have been acted upon,
                # so only an idempotent one whose body is not gone with the stream goes again.
                again = (
                    reused
                    and isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError)
                    and method in _IDEMPOTENT
                    and not streamed
                )
                if again:
                    log.info("a pooled connection to the primary closed unanswered: retrying")
                    continue
                raise _Unavailable(f"no answer: {_reason(exc)}") from exc

    @staticmethod
    def _send_head(
        connection: _UnixConnection,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        length: int | None,
    ) -> None:
        """Send the request line and headers."""
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            try:
                connection.putheader(name, value)
            except ValueError:
                # A name or value that cannot go on the wire (a server let it through).
                log.info("header %r not forwarded: not valid HTTP", name)
        if length is not None:
            connection.putheader("Content-Length", str(length))
        connection.endheaders()


def _body_plan(environ: Environ, method: str) -> tuple[int | None, bytes | None]:
    """The body's length (None: no body) and, for a body sent without a length (chunked),
    the body itself, read to its end now: the primary gets a Content-Length. It is bounded by
    the app's body limit, which wraps wsgi.input."""
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if declared.isdigit():
        return int(declared), None
    if environ.get("HTTP_TRANSFER_ENCODING"):
        ahead = b"".join(iter(lambda: environ["wsgi.input"].read(CHUNK), b""))
        return len(ahead), ahead
    # No body; a length of 0 still for the methods that usually carry one.
    return (0, None) if method in ("POST", "PUT", "PATCH") else (None, None)


def _send_body(
    connection: _UnixConnection, environ: Environ, length: int | None, ahead: bytes | None
) -> bool:
    """Send the body; whether it was streamed from wsgi.input (then it cannot be sent again).

    Raises _BodyEnded when the client's body is short of its length, _SendFailed when the
    primary's connection fails; errors of wsgi.input itself pass through."""
    if ahead is not None:
        _send(connection, ahead)
        return False
    if not length:
        return False
    stream: IO[bytes] = environ["wsgi.input"]
    left = length
    try:
        while left:
            chunk = stream.read(min(CHUNK, left))
            if not chunk:
                raise _BodyEnded()
            left -= len(chunk)
            _send(connection, chunk)
    except _SendFailed:
        raise  # the connection may still hold an answer: _early_answer reads it
    except BaseException:
        # A request half sent cannot be finished: the connection goes.
        connection.close()
        raise
    return True


def _send(connection: _UnixConnection, data: bytes) -> None:
    """Send bytes to the primary; _SendFailed when its connection fails."""
    try:
        connection.send(data)
    except OSError as exc:
        raise _SendFailed(f"sending the body failed: {_reason(exc)}") from exc


def _early_answer(connection: _UnixConnection, failure: _SendFailed) -> http.client.HTTPResponse:
    """The answer the primary gave before it read the whole body, or _Unavailable.

    A refusal made before the body is read (401, 413, ...) comes with Granian closing the
    connection on the rest of a large body: sending fails, but the answer is there to read,
    and it is the one the client must hear, not a 503."""
    try:
        response = connection.getresponse()
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise _Unavailable(str(failure)) from exc
    response.will_close = True  # the request was cut short: the connection cannot serve again
    return response


def _phrase(status: int) -> str:
    """The standard reason phrase of a status code ("Unknown" for others)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def trust_forwarded(app: WSGIApp) -> WSGIApp:
    """The primary's outermost layer: the client's address and scheme from the reader's headers.

    The primary listens only on a Unix socket in a directory only the service's user may enter
    (0700), so every request it gets came through a reader, whose forwarder set both headers
    after dropping any a client sent: they are trusted as they come. X-Graph-Service-Client
    becomes REMOTE_ADDR, X-Graph-Service-Scheme wsgi.url_scheme (when "http" or "https"), and
    both leave the environ so nothing further down takes them for the client's own headers.
    """

    def trusted(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        client = environ.pop("HTTP_X_GRAPH_SERVICE_CLIENT", None)
        scheme = environ.pop("HTTP_X_GRAPH_SERVICE_SCHEME", None)
        if client is not None:
            environ["REMOTE_ADDR"] = client
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
        return app(environ, start_response)

    return trusted
