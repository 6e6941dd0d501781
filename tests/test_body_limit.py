"""Request bodies are bounded before they are read (issue 19: a 300 MB anonymous POST to /sparql
took the server from 279 MB to 919 MB before its 413; 100 MB to /api/suggest likewise)."""

from __future__ import annotations

import http.client
import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from graph_service import create_app
from graph_service.store.build import build_store
from graph_service.store.embedded import EmbeddedStore
from graph_service.web.body_limit import FORM_ROOM, route_limit

MB = 1_000_000
#: How much the server's peak memory may grow while refusing a body many times larger.
MARGIN = 64 * 1024 * 1024
CONFIG = {"MAX_BODY_BYTES": MB, "MAX_UPLOAD_BYTES": 50 * MB, "MAX_QUERY_LENGTH": 100_000}


def test_each_route_has_its_limit() -> None:
    assert route_limit("POST", "/api/suggest", CONFIG) == (MB, "GRAPH_SERVICE_MAX_BODY_BYTES")
    assert route_limit("POST", "/reconcile", CONFIG)[0] == MB
    assert route_limit("PUT", "/store", CONFIG)[0] == 50 * MB
    assert route_limit("POST", "/store/x", CONFIG)[0] == 50 * MB
    assert route_limit("DELETE", "/store", CONFIG)[0] == MB  # a DELETE carries no graph
    assert route_limit("POST", "/curation/import", CONFIG)[0] == 50 * MB + FORM_ROOM
    # /sparql: room for MAX_QUERY_LENGTH characters percent-encoded in UTF-8, at least the body's
    assert route_limit("POST", "/sparql", CONFIG)[0] == 1_200_000
    assert route_limit("POST", "/sparql", {**CONFIG, "MAX_QUERY_LENGTH": 10})[0] == MB
    assert route_limit("POST", "/sparql", {**CONFIG, "MAX_QUERY_LENGTH": 0})[0] == 50 * MB
    assert route_limit("POST", "/api/suggest", {**CONFIG, "MAX_BODY_BYTES": 0})[0] == 0  # off


def test_refusals_speak_each_api_s_language(app) -> None:
    """The 413 goes through the app's error handling: plain text, or JSON for the JSON APIs."""
    client = app.test_client()
    big = b" " * (MB + 1)
    answer = client.post("/api/suggest", data=big, content_type="application/json")
    assert answer.status_code == 413
    assert "accepts at most 1,000,000 bytes (GRAPH_SERVICE_MAX_BODY_BYTES)" in answer.text
    concepts = client.post("/api/concepts", data=big, content_type="application/json")
    assert concepts.status_code == 413 and "GRAPH_SERVICE_MAX_BODY_BYTES" in concepts.json["error"]
    sparql = client.post("/sparql", data=b"#" * 1_200_001, content_type="application/sparql-query")
    assert sparql.status_code == 413 and "GRAPH_SERVICE_MAX_QUERY_LENGTH" in sparql.text
    assert sparql.headers["Access-Control-Allow-Origin"] == "*"  # a browser client can read it
    padded = b'{"text": "concertation"}'.ljust(MB)  # JSON allows the trailing spaces
    fits = client.post("/api/suggest", data=padded, content_type="application/json")
    assert fits.status_code == 200, fits.text


def test_a_smaller_setting_is_obeyed(vocab_store) -> None:
    client = create_app(
        {"TESTING": True, "STORE": vocab_store, "MAX_BODY_BYTES": 100}
    ).test_client()
    assert client.post("/api/suggest", json={"text": "x" * 200}).status_code == 413
    assert client.post("/api/suggest", json={"text": "concertation"}).status_code == 200


# --- over real HTTP: the server's memory does not grow ------------------------------------------


@pytest.fixture(scope="module")
def server_data(tmp_path_factory: pytest.TempPathFactory, tiny_vocab_module: Path) -> Path:
    data_dir = tmp_path_factory.mktemp("body-limit")
    build_store(tiny_vocab_module, data_dir)
    return data_dir


@pytest.fixture(scope="module")
def tiny_vocab_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import TINY_SCHEME

    vocab = tmp_path_factory.mktemp("vocab")
    (vocab / "tiny.ttl").write_text(TINY_SCHEME, encoding="utf-8")
    return vocab


class Memory:
    """The peak resident memory of a server's processes (its process group), reset on demand."""

    def __init__(self, group: int) -> None:
        self.group = group

    def _pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-g", str(self.group)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def _field(self, pid: int, name: str) -> int:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith(name + ":"):
                        return int(line.split()[1]) * 1024
        except FileNotFoundError:
            pass
        return 0

    def reset(self) -> dict[int, int]:
        """Reset each process's peak (VmHWM) to its current size; their sizes now."""
        for pid in self._pids():
            try:
                with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as refs:
                    refs.write("5")
            except OSError:
                pass  # then the peak since start is compared: only stricter
        return {pid: self._field(pid, "VmRSS") for pid in self._pids()}

    def growth(self, before: dict[int, int]) -> int:
        """How far the peaks went above the sizes at reset, all processes together."""
        return sum(max(0, self._field(pid, "VmHWM") - before.get(pid, 0)) for pid in self._pids())


def _send_declared(url: str, path: str, size: int, content_type: str) -> tuple[int, str]:
    """POST `size` bytes with their Content-Length, 1 MB at a time; the server may close early."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", content_type)
    connection.putheader("Content-Length", str(size))
    connection.endheaders()
    block, sent = b"a" * MB, 0
    try:
        while sent < size:
            connection.send(block)
            sent += len(block)
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused unread: the server answered and closed
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


def _chunks(count: int) -> Iterator[bytes]:
    for _ in range(count):
        yield b"a" * MB


@pytest.fixture(scope="module")
def live(server_data: Path) -> Iterator:
    from conftest import LiveServer

    server = LiveServer(server_data, {})
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("path", "size", "content_type"),
    [
        ("/sparql", 200 * MB, "application/sparql-query"),
        ("/api/suggest", 100 * MB, "application/json"),
    ],
)
def test_a_large_declared_body_is_refused_unread(live, path, size, content_type) -> None:
    memory = Memory(live.process.pid)
    before = memory.reset()
    status, body = _send_declared(live.url, path, size, content_type)
    assert memory.growth(before) < MARGIN
    assert status == 413 and f"the body is {size:,} bytes long" in body


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/sparql", "application/sparql-query"), ("/api/suggest", "application/json")],
)
def test_a_chunked_body_past_the_limit_is_cut(live, path, content_type) -> None:
    memory = Memory(live.process.pid)
    before = memory.reset()
    answer = requests.post(
        live.url + path, data=_chunks(100), headers={"Content-Type": content_type}, timeout=120
    )
    assert memory.growth(before) < MARGIN
    assert answer.status_code == 413 and "accepts at most" in answer.text


def test_a_chunked_body_within_the_limit_is_read_whole(live) -> None:
    query = json.dumps({"text": "tiny", "limit": 2}).encode().ljust(MB)  # exactly the limit
    pieces = iter([query[: MB // 2], query[MB // 2 :]])
    answer = requests.post(
        live.url + "/api/suggest", data=pieces, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    assert "results" in answer.json()


def test_an_upload_past_max_upload_bytes_is_refused() -> None:
    """The import form's file and the Graph Store's bodies share GRAPH_SERVICE_MAX_UPLOAD_BYTES."""
    app = create_app(
        {
            "TESTING": True,
            "STORE": EmbeddedStore(),
            "UPDATE_TOKEN": "t0ken",
            "MAX_UPLOAD_BYTES": 1000,
        }
    )
    client = app.test_client()
    auth = {"Authorization": "Bearer t0ken", "Accept": "application/json"}
    just_over = client.post(
        "/curation/import",
        data={"file": (io.BytesIO(b"#" * 1001), "big.ttl")},
        headers=auth,
    )
    assert just_over.status_code == 413
    assert "larger than 1,000 bytes" in just_over.json["error"]
    far_over = client.post(
        "/curation/import",
        data={"file": (io.BytesIO(b"#" * (1000 + FORM_ROOM + 1)), "big.ttl")},
        headers=auth,
    )
    assert far_over.status_code == 413 and "GRAPH_SERVICE_MAX_UPLOAD_BYTES" in far_over.text
    graph = client.put("/store?default", data=b"#" * 1001, content_type="text/turtle", headers=auth)
    assert graph.status_code == 413 and "GRAPH_SERVICE_MAX_UPLOAD_BYTES" in graph.text
