"""The reader-to-primary forwarder, between real servers: a Granian primary on a Unix socket
running a small Flask app behind trust_forwarded, and the forwarder served on 127.0.0.1 by
Werkzeug's threaded server (which keeps the client's raw URI) and by Granian (which does not)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import free_port, stop_server
from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import make_server

from graph_service.web.forward import (
    UNAVAILABLE,
    PrimaryForwarder,
    request_target,
    trust_forwarded,
)

TESTS = Path(__file__).resolve().parent
#: Seconds a server may take to start: about one on an idle machine; the bound ends a hang.
START_SECONDS = 60.0
#: Seconds the primary's slow views wait for the test's go-ahead before giving up.
WAIT_SECONDS = 30.0
SOCKET_ENV = "GRAPH_SERVICE_TEST_PRIMARY_SOCKET"


# --- the primary's app (run by Granian in its own process) ----------------------------------


def primary_app() -> Any:
    """The primary: a Flask app telling what it received, behind trust_forwarded."""
    app = Flask("primary")

    @app.route("/echo", methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"])
    @app.route("/<path:rest>", methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"])
    def echo(rest: str = "") -> Any:
        body = request.get_data(cache=False) if not request.form else b""
        return {
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("latin-1"),
            "args": request.args.to_dict(flat=False),
            "form": request.form.to_dict(flat=False),
            "remote_addr": request.remote_addr,
            "scheme": request.scheme,
            "headers": {name.lower(): value for name, value in request.headers.items()},
            "environ_keys": sorted(k for k in request.environ if k.startswith("HTTP_")),
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "body_length": len(body),
        }

    @app.post("/mirror")
    def mirror() -> Response:
        """The body sent back in chunks, once read to its end (as the store takes an upload:
        one sent back while still being read would need a client sending and reading at once,
        which neither HTTP/1.1 clients nor the forwarder are)."""
        body = request.get_data()
        chunks = (body[start : start + 65536] for start in range(0, len(body), 65536))
        return Response(chunks, mimetype="application/octet-stream")

    @app.put("/refuse")
    def refuse() -> Any:
        """A refusal made before reading the body, as a check of credentials would."""
        return {"error": "not allowed"}, 401

    @app.get("/missing")
    def missing() -> Any:
        return {"error": "no such thing"}, 404

    @app.get("/cookies")
    def cookies() -> Response:
        response = Response("two cookies")
        response.set_cookie("first", "1")
        response.set_cookie("second", "2")
        return response

    @app.post("/created")
    def created() -> Any:
        return {"id": 1}, 201, {"Location": "/things/1"}

    @app.get("/tagged")
    def tagged() -> Response:
        response = Response("tagged body", mimetype="text/plain")
        response.set_etag("v1")
        return response.make_conditional(request)

    @app.get("/stream")
    def stream() -> Response:
        """Three chunks; the second only once the test, having received the first, says go."""
        flag = Path(request.args["flag"])

        def chunks() -> Iterator[bytes]:
            yield b"first\n"
            deadline = time.monotonic() + WAIT_SECONDS
            while not flag.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            yield b"second\n" if flag.exists() else b"gave up waiting\n"
            yield b"third\n"

        return Response(chunks(), mimetype="text/plain")

    @app.get("/slow")
    def slow() -> str:
        """An answer that waits for the test's go-ahead (a query longer than the timeout)."""
        flag = Path(request.args["flag"])
        deadline = time.monotonic() + WAIT_SECONDS
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return "done"

    return trust_forwarded(app.wsgi_app)


def reader_app() -> Any:
    """A reader for Granian: the forwarder to the socket named in the environment."""
    return _reader(PrimaryForwarder(Path(os.environ[SOCKET_ENV]), timeout=30.0))


def _reader(forwarder: PrimaryForwarder) -> Any:
    # As behind a TLS proxy: X-Forwarded-Proto sets the scheme (the client's address stays).
    return ProxyFix(forwarder, x_for=0, x_proto=1, x_host=0, x_port=0, x_prefix=0)


# --- servers ---------------------------------------------------------------------------------


class Granian:
    """A Granian process (one worker) serving a factory of this module."""

    def __init__(self, target: str, listen: list[str], env: dict[str, str] | None = None) -> None:
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        command = [sys.executable, "-m", "granian", "--interface", "wsgi", "--factory"]
        command += ["--workers", "1", "--blocking-threads", "4", "--working-dir", str(TESTS)]
        self.process = subprocess.Popen(
            [*command, *listen, f"test_forward:{target}"],
            env={**os.environ, **(env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )

    def output(self) -> str:
        """What the server wrote so far (for a failure's message)."""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        """Stop the server and its worker."""
        stop_server(self.process)
        self.log.close()


def _answers_on(path: Path) -> bool:
    """Whether an HTTP server answers on the Unix socket at `path`."""
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(10)
            sock.connect(str(path))
            sock.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def start_primary(socket_path: Path) -> Granian:
    """A Granian primary on `socket_path`, once it answers there."""
    server = Granian("primary_app", ["--uds", str(socket_path)])
    return wait_started(server, "the primary", lambda: _answers_on(socket_path))


def _reader_answers(url: str) -> bool:
    """Whether the reader at `url` answers its echo path."""
    try:
        return requests.get(url + "/echo", timeout=10).status_code == 200
    except requests.RequestException:
        return False


def wait_started(server: Granian, name: str, answers: Callable[[], bool]) -> Granian:
    """`server` once `answers()`; stopped, with its output in a RuntimeError, if it ends or
    does not answer within START_SECONDS."""
    deadline = time.monotonic() + START_SECONDS
    while not answers():
        if server.process.poll() is not None or time.monotonic() > deadline:
            output = server.output()
            server.stop()
            raise RuntimeError(f"{name} did not start: {output}")
        time.sleep(0.1)
    return server


@pytest.fixture(scope="module")
def socket_dir() -> Iterator[Path]:
    """A directory only this user may enter, as the service's (a short path: sockets' are)."""
    with tempfile.TemporaryDirectory(prefix="fwd-") as name:
        os.chmod(name, 0o700)
        yield Path(name)


@pytest.fixture(scope="module")
def primary(socket_dir: Path) -> Iterator[Path]:
    """The socket of a running primary."""
    socket_path = socket_dir / "primary.sock"
    server = start_primary(socket_path)
    yield socket_path
    server.stop()


@contextlib.contextmanager
def werkzeug_reader(forwarder: PrimaryForwarder) -> Iterator[str]:
    """The forwarder served on 127.0.0.1 by Werkzeug's threaded server: its base URL."""
    server = make_server("127.0.0.1", 0, _reader(forwarder), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(30)
        forwarder.close()


@pytest.fixture(scope="module")
def forwarder(primary: Path) -> PrimaryForwarder:
    return PrimaryForwarder(primary, timeout=30.0)


@pytest.fixture(scope="module")
def werkzeug_url(forwarder: PrimaryForwarder) -> Iterator[str]:
    with werkzeug_reader(forwarder) as url:
        yield url


@pytest.fixture(scope="module")
def granian_url(primary: Path) -> Iterator[str]:
    """The forwarder served by Granian on 127.0.0.1 (no raw URI in its environ)."""
    port = free_port()
    server = Granian(
        "reader_app", ["--host", "127.0.0.1", "--port", str(port)], {SOCKET_ENV: str(primary)}
    )
    url = f"http://127.0.0.1:{port}"
    wait_started(server, "the reader", lambda: _reader_answers(url))
    yield url
    server.stop()


@pytest.fixture(params=["werkzeug", "granian"])
def reader(request: pytest.FixtureRequest) -> str:
    """The base URL of a reader, served by each server in turn."""
    return str(request.getfixturevalue(f"{request.param}_url"))


# --- requests and answers --------------------------------------------------------------------


def test_query_string_passes_as_sent(reader: str) -> None:
    answer = requests.get(reader + "/echo?q=a%2Fb%20c&x=%C3%A9&x=2&empty=", timeout=30)
    assert answer.status_code == 200
    seen = answer.json()
    assert seen["query"] == "q=a%2Fb%20c&x=%C3%A9&x=2&empty="
    assert seen["args"] == {"q": ["a/b c"], "x": ["é", "2"], "empty": [""]}


def test_encoded_path_reaches_the_primary_decoded_the_same(reader: str) -> None:
    # %2541 is "%41" in the path, which must not become "A" on the way.
    answer = requests.get(reader + "/page/d%C3%A9mocratie/50%25%20off%2541", timeout=30)
    assert answer.json()["path"] == "/page/démocratie/50% off%41"


def test_raw_path_keeps_an_encoded_slash() -> None:
    # Werkzeug's raw URI keeps %2F apart from "/"; Granian decodes it before the app sees it.
    environ = {"PATH_INFO": "/a/b", "REQUEST_URI": "/a%2Fb?x=1", "QUERY_STRING": "x=1"}
    assert request_target(environ) == "/a%2Fb?x=1"
    # A raw URI that no longer matches the path (a layer rewrote it) is not used.
    environ = {"PATH_INFO": "/other", "REQUEST_URI": "/a%2Fb", "QUERY_STRING": ""}
    assert request_target(environ) == "/other"


def test_path_without_raw_uri_is_encoded_back() -> None:
    # PEP 3333: PATH_INFO holds the bytes latin-1-decoded; "%" was "%25" on the wire.
    path = "/page/démocratie/50% off".encode().decode("latin-1")
    environ = {"SCRIPT_NAME": "/app", "PATH_INFO": path, "QUERY_STRING": "a=b c"}
    assert request_target(environ) == "/app/page/d%C3%A9mocratie/50%25%20off?a=b%20c"
    assert request_target({}) == "/"


def test_form_post(reader: str) -> None:
    answer = requests.post(reader + "/echo", data={"a": "1", "b": "démocratie"}, timeout=30)
    seen = answer.json()
    assert seen["method"] == "POST"
    assert seen["form"] == {"a": ["1"], "b": ["démocratie"]}
    assert seen["headers"]["content-type"] == "application/x-www-form-urlencoded"


def test_large_body_echoed_intact(reader: str) -> None:
    body = os.urandom(5 * 1024 * 1024)
    answer = requests.post(reader + "/mirror", data=body, timeout=60)
    assert answer.status_code == 200
    assert hashlib.sha256(answer.content).hexdigest() == hashlib.sha256(body).hexdigest()


def test_refusal_before_the_body_is_read_reaches_the_client(reader: str) -> None:
    # Granian closes the connection on the unread rest of a large body: the forwarder's send
    # fails, and the primary's answer is still the one the client gets.
    answer = requests.put(reader + "/refuse", data=os.urandom(5 * 1024 * 1024), timeout=60)
    assert (answer.status_code, answer.json()) == (401, {"error": "not allowed"})
    small = requests.put(reader + "/refuse", data=b"small", timeout=30)
    assert (small.status_code, small.json()) == (401, {"error": "not allowed"})


def test_chunked_upload_gets_a_length(reader: str) -> None:
    parts = [os.urandom(100_000) for _ in range(5)]
    answer = requests.put(reader + "/echo", data=iter(parts), timeout=60)
    seen = answer.json()
    assert seen["body_length"] == 500_000
    assert seen["body_sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()
    assert seen["headers"]["content-length"] == "500000"
    assert "transfer-encoding" not in seen["headers"]


def test_put_and_delete(reader: str) -> None:
    put = requests.put(reader + "/thing/1", data=b"new value", timeout=30).json()
    assert (put["method"], put["path"], put["body_length"]) == ("PUT", "/thing/1", 9)
    deleted = requests.delete(reader + "/thing/1", timeout=30).json()
    assert (deleted["method"], deleted["body_length"]) == ("DELETE", 0)


def test_repeated_set_cookie_headers_stay_apart(reader: str) -> None:
    answer = requests.get(reader + "/cookies", timeout=30)
    cookies = answer.raw.headers.getlist("Set-Cookie")
    assert len(cookies) == 2
    assert {c.split(";", 1)[0] for c in cookies} == {"first=1", "second=2"}


def test_statuses(reader: str) -> None:
    with requests.Session() as session:
        missing = session.get(reader + "/missing", timeout=30)
        assert (missing.status_code, missing.json()) == (404, {"error": "no such thing"})
        created = session.post(reader + "/created", timeout=30)
        assert created.status_code == 201
        assert created.headers["Location"].endswith("/things/1")
        # No body after a 304 or a HEAD: the next answer on the same connection reads right.
        unchanged = session.get(reader + "/tagged", headers={"If-None-Match": '"v1"'}, timeout=30)
        assert (unchanged.status_code, unchanged.content) == (304, b"")
        assert session.get(reader + "/tagged", timeout=30).text == "tagged body"
        head = session.head(reader + "/tagged", timeout=30)
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["Content-Length"] == str(len("tagged body"))
        assert session.get(reader + "/tagged", timeout=30).text == "tagged body"


def test_hop_by_hop_headers_stay_behind(reader: str) -> None:
    headers = {"Connection": "keep-alive, X-Private", "X-Private": "1", "X-Kept": "2"}
    seen = requests.get(reader + "/echo", headers=headers, timeout=30).json()["headers"]
    assert seen["x-kept"] == "2"
    assert "x-private" not in seen


def test_response_streamed_as_it_comes(reader: str, tmp_path: Path) -> None:
    flag = tmp_path / "go"
    with requests.get(reader + "/stream", params={"flag": str(flag)}, stream=True, timeout=60) as r:
        received = b""
        chunks = r.iter_content(chunk_size=None)
        while b"\n" not in received:
            received += next(chunks)
        # The first chunk came while the primary waits: the forwarder did not wait for the end.
        flag.touch()
        received += b"".join(chunks)
    assert received == b"first\nsecond\nthird\n"


def test_client_address_is_the_clients_own(reader: str) -> None:
    spoofed = {"X-Graph-Service-Client": "203.0.113.9", "X-Graph-Service-Scheme": "https"}
    seen = requests.get(reader + "/echo", headers=spoofed, timeout=30).json()
    assert seen["remote_addr"] == "127.0.0.1"
    assert seen["scheme"] == "http"
    # trust_forwarded took our headers out: the primary's app does not see them as the client's.
    assert "HTTP_X_GRAPH_SERVICE_CLIENT" not in seen["environ_keys"]
    assert "HTTP_X_GRAPH_SERVICE_SCHEME" not in seen["environ_keys"]


def test_scheme_passed(reader: str) -> None:
    seen = requests.get(reader + "/echo", headers={"X-Forwarded-Proto": "https"}, timeout=30)
    assert seen.json()["scheme"] == "https"


def test_trust_forwarded_takes_only_http_schemes() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        return []

    trusted = trust_forwarded(app)
    environ = {"REMOTE_ADDR": "", "wsgi.url_scheme": "http"}
    trusted(
        {**environ, "HTTP_X_GRAPH_SERVICE_CLIENT": "::1", "HTTP_X_GRAPH_SERVICE_SCHEME": "ftp"},
        None,
    )
    assert (seen["REMOTE_ADDR"], seen["wsgi.url_scheme"]) == ("::1", "http")
    assert "HTTP_X_GRAPH_SERVICE_SCHEME" not in seen


def test_connections_are_reused(forwarder: PrimaryForwarder, werkzeug_url: str) -> None:
    before = forwarder.opened
    for number in range(20):
        answer = requests.get(werkzeug_url + f"/echo?n={number}", timeout=30)
        assert answer.json()["args"] == {"n": [str(number)]}
    assert forwarder.opened - before < 20
    assert forwarder.opened - before <= 1


# --- failures --------------------------------------------------------------------------------


def _assert_unavailable(answer: requests.Response) -> None:
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "2"
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {"error": UNAVAILABLE}


def test_primary_missing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    forwarder = PrimaryForwarder(tmp_path / "nothing.sock", timeout=30.0)
    with werkzeug_reader(forwarder) as url, caplog.at_level(logging.WARNING):
        _assert_unavailable(requests.post(url + "/echo", data=b"x" * 100_000, timeout=30))
    warnings = [r for r in caplog.records if r.name == "graph_service.web.forward"]
    assert len(warnings) == 1
    assert "FileNotFoundError" in warnings[0].getMessage()


def test_primary_not_listening(socket_dir: Path) -> None:
    path = socket_dir / "dead.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # the file is there, nothing listens: connections are refused
    forwarder = PrimaryForwarder(path, timeout=30.0)
    with werkzeug_reader(forwarder) as url:
        _assert_unavailable(requests.get(url + "/echo", timeout=30))
        head = requests.head(url + "/echo", timeout=30)
        assert (head.status_code, head.headers["Retry-After"], head.content) == (503, "2", b"")


def test_primary_too_slow(primary: Path, tmp_path: Path) -> None:
    flag = tmp_path / "go"
    forwarder = PrimaryForwarder(primary, timeout=1.0)
    try:
        with werkzeug_reader(forwarder) as url:
            _assert_unavailable(requests.get(url + "/slow", params={"flag": flag}, timeout=30))
    finally:
        flag.touch()  # the primary's thread may go


def test_primary_restarted(socket_dir: Path) -> None:
    socket_path = socket_dir / "restarted.sock"
    server = start_primary(socket_path)
    forwarder = PrimaryForwarder(socket_path, timeout=30.0)
    try:
        with werkzeug_reader(forwarder) as url:
            assert requests.get(url + "/echo", timeout=30).status_code == 200
            server.stop()
            server = start_primary(socket_path)
            # The pooled connection died with the first primary: a fresh one serves.
            assert requests.get(url + "/echo", timeout=30).status_code == 200
            assert forwarder.opened == 2
    finally:
        server.stop()


def test_answer_broken_off_is_not_passed_off_as_complete(socket_dir: Path, tmp_path: Path) -> None:
    socket_path = socket_dir / "killed.sock"
    server = start_primary(socket_path)
    forwarder = PrimaryForwarder(socket_path, timeout=30.0)
    try:
        with werkzeug_reader(forwarder) as url:
            stream = requests.get(url + "/stream", params={"flag": tmp_path / "go"}, stream=True)
            with stream:
                chunks = stream.iter_content(chunk_size=None)
                assert next(chunks) == b"first\n"
                os.killpg(server.process.pid, signal.SIGKILL)  # the primary dies mid-answer
                # The client learns the answer broke off (no closing chunk), not a short body.
                with pytest.raises(requests.exceptions.ChunkedEncodingError):
                    b"".join(chunks)
    finally:
        server.stop()


class FlakyPrimary:
    """A raw HTTP server on a Unix socket that answers a connection's first request and closes
    it on the second without a word, as a primary does on a connection it has just timed out."""

    def __init__(self, path: Path) -> None:
        self.requests: list[bytes] = []
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(str(path))
        self.listener.listen()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self.listener.accept()
                threading.Thread(target=self._connection, args=(connection,), daemon=True).start()

    def _connection(self, connection: socket.socket) -> None:
        with connection, connection.makefile("rb") as stream:
            for answered in (True, False):
                line = stream.readline()
                length = 0
                while (header := stream.readline()) not in (b"\r\n", b""):
                    if header.lower().startswith(b"content-length:"):
                        length = int(header.split(b":")[1])
                stream.read(length)
                self.requests.append(line)
                if not answered:
                    return
                body = json.dumps({"n": len(self.requests)}).encode()
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + b"Content-Length: %d\r\n\r\n" % len(body)
                    + body
                )

    def close(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()


def test_closed_pooled_connection_retried_when_safe(socket_dir: Path) -> None:
    path = socket_dir / "flaky.sock"
    flaky = FlakyPrimary(path)
    forwarder = PrimaryForwarder(path, timeout=30.0)
    try:
        with werkzeug_reader(forwarder) as url:
            assert requests.get(url + "/a", timeout=30).json() == {"n": 1}
            # The pooled connection is closed on receipt: a GET goes again on a fresh one.
            assert requests.get(url + "/b", timeout=30).json() == {"n": 3}
            assert forwarder.opened == 2
            # A POST may have been acted upon: not sent again, the client hears 503.
            _assert_unavailable(requests.post(url + "/c", data=b"body", timeout=30))
            assert [line.split()[1] for line in flaky.requests] == [b"/a", b"/b", b"/b", b"/c"]
    finally:
        flaky.close()
        path.unlink()
