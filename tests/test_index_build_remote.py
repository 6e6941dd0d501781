"""The search index of a remote store is built even when its whole reads outlast the
interactive query limit, and a store that fails the build is retried later, not in a loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
from conftest import TINY_SCHEME

from graph_service.search import index as search_index
from graph_service.search.index import get_index
from graph_service.store.opening import remote_class
from graph_service.store.remote import RemoteStore, RemoteUnavailable

#: The store's query limit in these tests: its HTTP client waits this plus 2 s for an answer.
QUERY_TIMEOUT = 0.5
#: How long the proxy holds the index build's label read: past what the client waits for.
SLOW_READ_SECONDS = QUERY_TIMEOUT + 2 + 3


@contextmanager
def _serve(handler_class: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve handler_class on a free loopback port in a daemon thread; yield its base URL."""
    # Port 0: the kernel picks the port at bind, so no other process can take it in between.
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class SlowLabelsProxy:
    """A proxy before a real SPARQL server that answers the index build's label read (the
    only query naming skos:hiddenLabel) late, as a big remote store does: every other query
    is passed straight through. Serve its handler with _serve."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.slowed = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                query = " ".join(parse_qs(body.decode()).get("query", []))
                if "hiddenLabel" in query:
                    proxy.slowed += 1
                    time.sleep(SLOW_READ_SECONDS)
                answer = requests.post(
                    proxy.upstream,
                    data=body,
                    headers={
                        "Content-Type": self.headers["Content-Type"],
                        "Accept": self.headers.get("Accept", "*/*"),
                    },
                    timeout=60,
                )
                try:
                    self.send_response(answer.status_code)
                    self.send_header(
                        "Content-Type", answer.headers.get("Content-Type", "text/plain")
                    )
                    self.send_header("Content-Length", str(len(answer.content)))
                    self.end_headers()
                    self.wfile.write(answer.content)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: what the short query limit is for

            def log_message(self, *args: object) -> None:  # quiet test output
                pass

        self.handler: type[BaseHTTPRequestHandler] = Handler


@pytest.fixture(params=["remote", "virtuoso"])
def slow_store(request: pytest.FixtureRequest) -> Iterator[tuple[RemoteStore, SlowLabelsProxy]]:
    """The tiny scheme in a real oxigraph or Virtuoso server, read through the slow proxy with
    a short query limit (written to directly)."""
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso_server")
        direct = server.empty_store()
        upstream, dialect = server.query_endpoint, "virtuoso"
        update, credentials = direct.update_endpoint, server.credentials
    else:
        direct = request.getfixturevalue("oxigraph_server").remote_store()
        upstream, dialect = direct.query_endpoint, ""
        update, credentials = direct.update_endpoint, ""
    direct.load(TINY_SCHEME, "turtle", graph="http://example.org/graph/tiny")
    proxy = SlowLabelsProxy(upstream)
    with _serve(proxy.handler) as base:
        store = remote_class(dialect)(
            f"{base}/sparql", update, credentials=credentials, timeout=QUERY_TIMEOUT
        )
        yield store, proxy


def test_the_index_is_built_when_a_whole_read_outlasts_the_query_limit(slow_store):
    store, proxy = slow_store
    with pytest.raises(RemoteUnavailable, match="did not answer"):  # the interactive limit
        store.select("SELECT ?c WHERE { ?c <http://www.w3.org/2004/02/skos/core#hiddenLabel> ?l }")
    index = get_index(store)
    assert proxy.slowed == 2  # the read above, then the child's: it waited for the answer
    assert [hit.pref_label for hit in index.search("beta", lang="fr")] == ["Bêta"]


class FailingServer:
    """A SPARQL endpoint that fails every request (503) and counts them; serve its handler
    with _serve."""

    def __init__(self) -> None:
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                server.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:  # quiet test output
                pass

        self.handler: type[BaseHTTPRequestHandler] = Handler


def test_a_failing_store_is_a_clear_error_retried_later_not_in_a_loop(monkeypatch):
    failing = FailingServer()
    # No second try in this test (raising=False: fails on behaviour where there is no backoff).
    monkeypatch.setattr(search_index, "RETRY_FIRST", 3600.0, raising=False)
    with _serve(failing.handler) as base:
        store = RemoteStore(f"{base}/query", timeout=QUERY_TIMEOUT)
        with pytest.raises(RemoteUnavailable, match="failed"):
            get_index(store)
        asked = failing.requests
        with pytest.raises(RemoteUnavailable, match="failed"):
            get_index(store)  # the same answer, from the remembered failure
        assert asked > 0 and failing.requests == asked
