"""Safe URL fetching: schemes, private addresses, redirects, timeouts and size limits."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from graph_service.curate import fetch as fetch_module
from graph_service.curate.fetch import FetchError, check_url, fetch, is_url

TURTLE = (
    b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    b"<http://example.org/s> a skos:ConceptScheme .\n"
)


class _Handler(BaseHTTPRequestHandler):
    """Serves the cases the tests need: a vocabulary, redirects, a slow and a huge answer."""

    routes: ClassVar[dict[str, bytes]] = {}

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        if self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.end_headers()
            # Stalls until the test is over, not for a fixed time: however slowly the client
            # gets to read, the body is not there yet and its read timeout must stop it.
            self.server.closing.wait()  # type: ignore[attr-defined]
            with contextlib.suppress(OSError):
                self.wfile.write(TURTLE)
        elif self.path == "/huge":  # no Content-Length: the limit must work while streaming
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.end_headers()
            try:
                for _ in range(64):
                    self.wfile.write(b"# padding " * 10_000 + b"\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/declared-huge":
            self.send_response(200)
            self.send_header("Content-Length", str(10**10))
            self.end_headers()
        elif self.path.startswith("/redirect/"):
            self.send_response(302)
            self.send_header("Location", self.path[len("/redirect") :])
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path in self.routes:
            body = self.routes[self.path]
            self.send_response(200)
            kind = "text/html; charset=utf-8" if self.path.endswith(".html") else "text/turtle"
            if self.path.endswith("-noext"):
                kind = "text/turtle; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)


class LocalServer:
    """A throw-away HTTP server on 127.0.0.1 for fetch tests."""

    def __init__(self, routes: dict[str, bytes] | None = None) -> None:
        handler = type("Handler", (_Handler,), {"routes": dict(routes or {})})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.closing = threading.Event()  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.closing.set()  # type: ignore[attr-defined]
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer({"/vocab.ttl": TURTLE, "/vocab-noext": TURTLE})
    yield server
    server.close()


@pytest.fixture
def quick_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short read timeout, so that a stalled server is given up on fast."""
    monkeypatch.setattr(fetch_module, "DEFAULT_TIMEOUT", (2.0, 0.5))


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 MB cap, and the usual timeouts: a short one could fire first on a slow machine."""
    monkeypatch.setattr(fetch_module, "DEFAULT_MAX_BYTES", 1_000_000)


def test_only_http_and_https() -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://x"):
        with pytest.raises(FetchError, match="only http and https"):
            check_url(url)


def test_loopback_refused_by_default(local_server: LocalServer) -> None:
    with pytest.raises(FetchError, match="loopback address"):
        fetch(local_server.url + "/vocab.ttl")


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_private_link_local_and_reserved_refused(url: str) -> None:
    with pytest.raises(FetchError, match="refused to fetch"):
        check_url(url)


def test_allowed_when_configured(local_server: LocalServer) -> None:
    fetched = fetch(local_server.url + "/vocab.ttl", allow_private=True)
    assert fetched.content == TURTLE
    assert fetched.media_type == "text/turtle"


def test_redirects_followed_and_rechecked(local_server: LocalServer) -> None:
    fetched = fetch(local_server.url + "/redirect/vocab.ttl", allow_private=True)
    assert fetched.url.endswith("/vocab.ttl")
    with pytest.raises(FetchError, match="redirects"):
        fetch(local_server.url + "/loop", allow_private=True)


def test_timeout(local_server: LocalServer, quick_timeout: None) -> None:
    with pytest.raises(FetchError, match=r"did not answer|stopped sending"):
        fetch(local_server.url + "/slow", allow_private=True)


def test_too_large_streamed_and_declared(local_server: LocalServer, small_cap: None) -> None:
    with pytest.raises(FetchError, match="too large"):
        fetch(local_server.url + "/huge", allow_private=True)
    with pytest.raises(FetchError, match="too large"):
        fetch(local_server.url + "/declared-huge", allow_private=True)


def test_http_errors_and_unknown_hosts(local_server: LocalServer) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(local_server.url + "/missing", allow_private=True)
    with pytest.raises(FetchError, match="cannot resolve"):
        check_url("http://no-such-host.invalid/")


def test_is_url() -> None:
    assert is_url("https://irev.fr/actualites")
    assert not is_url("vocab/notions.ttl")
    assert not is_url("La concertation à Lille")
