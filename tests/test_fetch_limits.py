"""URL fetching under attack: trickling servers meet the deadline, and a host name is resolved
once, the checked address being the one connected to (no DNS rebinding past the check)."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_service.curate import fetch as fetch_module
from graph_service.curate.fetch import FetchError, fetch

TURTLE = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
#: Bytes a trickling server sends at most, one per TRICKLE seconds: its whole answer would
#: take ~10 s, far past the 1 s deadline the tests give the fetch.
TRICKLE, TRICKLED = 0.25, 40


class RawServer:
    """A TCP server on 127.0.0.1 that answers each connection with `answer(connection)`, and
    records the requests it received and whether an answer was sent to its end."""

    def __init__(self, answer, tls: ssl.SSLContext | None = None) -> None:
        self.answer, self.tls = answer, tls
        self.requests: list[bytes] = []
        self.finished: list[bool] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            try:
                if self.tls is not None:
                    connection = self.tls.wrap_socket(connection, server_side=True)
                connection.settimeout(10)
                self.requests.append(connection.recv(65536))
                self.answer(connection)
                self.finished.append(True)
            except OSError:
                self.finished.append(False)  # the client went away first

    def close(self) -> None:
        self.listener.close()


def trickle(connection: socket.socket, head: bytes) -> None:
    """Send `head`, then one byte at a time, slowly."""
    connection.sendall(head)
    for _ in range(TRICKLED):
        time.sleep(TRICKLE)
        connection.sendall(b"#")


@pytest.fixture
def servers() -> Iterator[list[RawServer]]:
    started: list[RawServer] = []
    yield started
    for server in started:
        server.close()


def test_a_body_trickled_byte_by_byte_stops_at_the_deadline(servers) -> None:
    server = RawServer(
        lambda c: trickle(c, b"HTTP/1.0 200 OK\r\nContent-Type: text/turtle\r\n\r\n")
    )
    servers.append(server)
    with pytest.raises(FetchError, match="took longer than 1 s"):
        fetch(f"http://127.0.0.1:{server.port}/x", allow_private=True, deadline=1.0)
    # The server still had bytes to send when the client gave up on it.
    for _ in range(200):
        if server.finished:
            break
        time.sleep(0.05)
    assert server.finished == [False]


def test_headers_trickled_byte_by_byte_stop_at_the_deadline(servers) -> None:
    server = RawServer(lambda c: trickle(c, b"HTTP/1.0 200 OK\r\nX-Slow: "))
    servers.append(server)
    with pytest.raises(FetchError, match="took longer than 1 s"):
        fetch(f"http://127.0.0.1:{server.port}/x", allow_private=True, deadline=1.0)


def test_a_stalled_body_still_meets_the_read_timeout(servers) -> None:
    stop = threading.Event()

    def stall(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.0 200 OK\r\n\r\nabc")
        stop.wait(10)

    server = RawServer(stall)
    servers.append(server)
    try:
        with pytest.raises(FetchError, match=r"stopped sending data for more than 0\.5 s"):
            fetch(f"http://127.0.0.1:{server.port}/x", allow_private=True, timeout=(2, 0.5))
    finally:
        stop.set()


def test_a_body_cut_short_of_its_length_is_an_error(servers) -> None:
    server = RawServer(lambda c: c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"))
    servers.append(server)
    with pytest.raises(FetchError, match="cut short"):
        fetch(f"http://127.0.0.1:{server.port}/x", allow_private=True)


def _answer_turtle(connection: socket.socket) -> None:
    connection.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\nContent-Length: %d\r\n"
        b"Connection: close\r\n\r\n%s" % (len(TURTLE), TURTLE)
    )


class Resolver:
    """Stands in for the DNS: `rebind.test` answers `first`, then `later` on every other
    lookup, as a rebinding attacker's name server does; other names resolve as usual."""

    def __init__(self, first: str, later: str) -> None:
        self.first, self.later = first, later
        self.lookups = 0
        self.real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list:
        if host != "rebind.test":
            return self.real(host, port, *args, **kwargs)
        self.lookups += 1
        address = self.first if self.lookups == 1 else self.later
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]


def test_the_checked_address_is_the_one_connected_to(servers, monkeypatch) -> None:
    server = RawServer(_answer_turtle)
    servers.append(server)
    # The check sees 127.0.0.1 (allowed here); a second lookup would give 127.0.0.2, where
    # nothing listens: only a fetch that connects to the checked address gets the document.
    resolver = Resolver("127.0.0.1", "127.0.0.2")
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    fetched = fetch(f"http://rebind.test:{server.port}/vocab.ttl", allow_private=True)
    assert fetched.content == TURTLE
    assert resolver.lookups == 1
    assert f"Host: rebind.test:{server.port}".encode() in server.requests[0]


def test_rebinding_to_loopback_after_the_check_reaches_nothing(servers, monkeypatch) -> None:
    server = RawServer(_answer_turtle)
    servers.append(server)
    resolver = Resolver("93.184.215.14", "127.0.0.1")  # public for the check, then loopback
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    connected: list[Any] = []

    def connect(self: socket.socket, address: Any) -> None:
        connected.append(address)  # tests stay on 127.0.0.1: the public address is not tried
        raise ConnectionRefusedError("refused by the test")

    monkeypatch.setattr(fetch_module._BoundedSocket, "connect", connect)
    with pytest.raises(FetchError, match="cannot fetch"):
        fetch(f"http://rebind.test:{server.port}/vocab.ttl")
    assert connected == [("93.184.215.14", server.port)]
    assert server.requests == [] and resolver.lookups == 1


def test_tls_names_the_host_not_the_pinned_address(servers, monkeypatch, tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=rebind.test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    server = RawServer(_answer_turtle, tls=context)
    servers.append(server)
    monkeypatch.setattr(socket, "getaddrinfo", Resolver("127.0.0.1", "127.0.0.2"))
    # A self-signed certificate is refused, after the handshake named the host (SNI).
    with pytest.raises(FetchError, match="certificate verify failed"):
        fetch(f"https://rebind.test:{server.port}/vocab.ttl", allow_private=True)
    assert names == ["rebind.test"]
