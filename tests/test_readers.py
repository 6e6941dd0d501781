"""`serve --readers N` on real processes: reads answered by readers, writes by the writer.

The server runs as users run it (`graph-service serve`, GRAPH_SERVICE_READERS=2) on 127.0.0.1;
which process answered is told by what each can do: with the writer stopped (SIGSTOP), only
the readers can answer; a write is seen by the next read whatever process answers it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from conftest import free_port, stop_server, wait_until_up

from graph_service.store.build import build_store

TOKEN = "reader-test-token"
READERS = 2
#: How long the test waits for what must happen (only a broken server reaches it).
PATIENCE = 120.0
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
JSON = {"Accept": "application/sparql-results+json"}
#: Eight patterns over the tiny vocabulary's few dozen triples: 10^12 rows and more to count,
#: still running at any time limit a test would wait for.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
    "?m ?n1 ?o . ?q ?r ?s . ?t ?u ?v . ?w ?x ?y }"
)

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds the processes in Linux's /proc"
)


def _children(pid: int) -> list[int]:
    """A process's children, whichever of its threads started them (each task lists its own)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return ""


def _writer_pid(server_pid: int) -> int:
    """The writing process's Granian main process (a child of `serve`)."""
    found = [p for p in _children(server_pid) if "serve_writer" in _cmdline(p)]
    assert len(found) == 1, f"writer processes: {found}"
    return found[0]


def _reader_pids(server_pid: int) -> set[int]:
    """The reader processes: the server's children that are not the writer nor helpers."""
    return {
        p
        for p in _children(server_pid)
        if "serve_writer" not in _cmdline(p) and "resource_tracker" not in _cmdline(p)
    }


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.1)


def _ask(url: str, query: str, **kwargs) -> requests.Response:
    # No session: a new connection each time, so that the kernel spreads them over readers.
    return requests.get(
        url + "/sparql", params={"query": query}, headers=JSON, timeout=60, **kwargs
    )


def _insert(url: str, name: str) -> requests.Response:
    update = f'INSERT DATA {{ GRAPH <urn:g:test> {{ <urn:x:{name}> <{LABEL}> "{name}" }} }}'
    return requests.post(
        url + "/sparql",
        data={"update": update},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )


def _has(url: str, name: str) -> bool:
    answer = _ask(url, f"ASK {{ <urn:x:{name}> <{LABEL}> ?o }}")
    assert answer.status_code == 200, answer.text
    return answer.json()["boolean"]


@pytest.fixture
def readers_server(tiny_vocab: Path, tmp_path: Path, live_server_factory):
    data_dir = tmp_path / "data"
    build_store(tiny_vocab, data_dir)
    return live_server_factory(
        data_dir,
        GRAPH_SERVICE_READERS=str(READERS),
        GRAPH_SERVICE_UPDATE_TOKEN=TOKEN,
        GRAPH_SERVICE_QUERY_TIMEOUT="3",
        GRAPH_SERVICE_ACCESS_LOG="false",
    )


def test_every_write_is_seen_by_the_next_read_whatever_process_answers(readers_server) -> None:
    url = readers_server.url
    assert len(_reader_pids(readers_server.process.pid)) == READERS
    for number in range(12):
        name = f"n{number}"
        written = _insert(url, name)
        assert written.status_code in (200, 204), written.text
        # Both the fast path (GET) and a POSTed query, each on a fresh connection.
        assert _has(url, name)
        posted = requests.post(
            url + "/sparql",
            data=f"ASK {{ <urn:x:{name}> ?p ?o }}".encode(),
            headers={"Content-Type": "application/sparql-query", **JSON},
            timeout=60,
        )
        assert posted.status_code == 200 and posted.json()["boolean"] is True, posted.text
    # A POSTed form without the token is refused by the writer, as by a single process.
    refused = requests.post(
        url + "/sparql", data={"update": "INSERT DATA { <urn:x:a> <urn:x:b> 1 }"}, timeout=60
    )
    assert refused.status_code in (401, 403), refused.text
    assert not _has(url, "a")


def test_readers_answer_while_the_writer_is_stopped(readers_server) -> None:
    url = readers_server.url
    writer = _writer_pid(readers_server.process.pid)
    os.kill(writer, signal.SIGSTOP)
    try:
        # Distinct queries (no cache has them) and pages: the readers alone answer.
        for number in range(6):
            assert _has(url, f"absent-{number}") is False
        page = requests.get(url + "/vocab", timeout=60)
        assert page.status_code == 200 and "Petit vocabulaire" in page.text
        concept = requests.get(
            url + "/page", params={"uri": "http://example.org/tiny/a"}, timeout=60
        )
        assert concept.status_code == 200 and "Alpha" in concept.text
    finally:
        os.kill(writer, signal.SIGCONT)
    # What needs the writer (the search index, health) is answered again once it runs.
    found = requests.get(url + "/search", params={"q": "Bêta"}, timeout=60)
    assert found.status_code == 200 and "tiny%2Fb" in found.text
    assert requests.get(url + "/healthz", timeout=60).json()["status"] == "ok"


def test_a_writer_that_dies_is_replaced_and_writes_go_on(readers_server) -> None:
    url = readers_server.url
    server = readers_server.process.pid
    first = _writer_pid(server)
    os.killpg(os.getpgid(first), signal.SIGKILL)  # the writer's Granian and its worker
    _wait_for(
        lambda: any("serve_writer" in _cmdline(p) and p != first for p in _children(server)),
        "a new writing process",
    )

    def written() -> bool:
        return _insert(url, "after").status_code in (200, 204)

    _wait_for(written, "a write accepted by the new writer")
    assert _has(url, "after")


def test_a_query_past_its_limit_ends_its_reader_which_is_replaced(readers_server) -> None:
    url = readers_server.url
    server = readers_server.process.pid
    before = _reader_pids(server)
    # It runs in its request's thread, which the engine holds: the process ends under it, so
    # its client's connection closes without an answer.
    with pytest.raises(requests.ConnectionError):
        _ask(url, RUNAWAY)
    # The reader that ran it ended (freeing its CPU); the server started another.
    _wait_for(lambda: len(_reader_pids(server) - before) >= 1, "a reader replaced")
    _wait_for(lambda: len(_reader_pids(server)) == READERS, f"{READERS} readers again")
    for number in range(4):
        assert _has(url, f"still-{number}") is False
    assert "ending this reader process" in readers_server.output()


def test_readers_started_before_any_build_serve_it_once_built(
    tiny_vocab: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "GRAPH_SERVICE_DATA_DIR": str(data_dir),
        "GRAPH_SERVICE_READERS": str(READERS),
        "GRAPH_SERVICE_ACCESS_LOG": "false",
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "graph_service.cli", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        try:
            # Nothing built: the readers have no store and pass requests to the writer,
            # which says what to do (503), as a single process does.
            failure = wait_until_up(process, url + "/healthz", lambda r: r.status_code == 503)
            assert failure is None, failure
            empty = _ask(url, "ASK { ?s ?p ?o }")
            assert empty.status_code == 503 and "build" in empty.text.lower(), empty.text
            build_store(tiny_vocab, data_dir)
            # The writer opens the new build on its next request and publishes it.
            _wait_for(lambda: _ask(url, "ASK { ?s ?p ?o }").status_code == 200, "served")
            assert _has(url, "absent") is False
            os.kill(_writer_pid(process.pid), signal.SIGSTOP)  # the readers alone, now
            try:
                assert _ask(url, "ASK { <urn:x:y> ?p ?o }").json()["boolean"] is False
            finally:
                os.kill(_writer_pid(process.pid), signal.SIGCONT)
        finally:
            stop_server(process)


SKOS = "http://www.w3.org/2004/02/skos/core#"


def _found(url: str, words: str) -> set[str]:
    """The concepts the REST search finds (the search page's index, as JSON)."""
    answer = requests.get(url + "/rest/v1/search", params={"query": words}, timeout=60)
    assert answer.status_code == 200, answer.text
    return {hit["uri"] for hit in answer.json()["results"]}


def test_readers_search_the_writers_shared_index_as_it_follows_writes(readers_server) -> None:
    url = readers_server.url
    _wait_for(
        lambda: requests.get(url + "/healthz", timeout=60).json().get("search_index") == "ready",
        "the writer's search index built",
    )
    writer = _writer_pid(readers_server.process.pid)
    os.kill(writer, signal.SIGSTOP)
    try:  # the readers alone: the search page from the writer's shared index file
        for _ in range(4):
            assert _found(url, "Bêta") == {"http://example.org/tiny/b"}
    finally:
        os.kill(writer, signal.SIGCONT)
    update = (
        f"INSERT DATA {{ GRAPH <urn:g:test> {{ <http://example.org/tiny/c> a <{SKOS}Concept> ; "
        f'<{SKOS}inScheme> <http://example.org/tiny/scheme> ; <{SKOS}prefLabel> "Gamma"@fr }} }}'
    )
    written = requests.post(
        url + "/sparql",
        data={"update": update},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert written.status_code in (200, 204), written.text
    os.kill(writer, signal.SIGSTOP)
    try:  # the write was followed in the shared file before its answer: readers find it
        for _ in range(4):
            assert _found(url, "Gamma") == {"http://example.org/tiny/c"}
    finally:
        os.kill(writer, signal.SIGCONT)


def _readers_dir(server_pid: int) -> Path:
    """Where readers report the versions they warmed: beside the writer's socket, whose path
    is the writing process's first argument."""
    argv = Path(f"/proc/{_writer_pid(server_pid)}/cmdline").read_bytes().split(b"\0")
    socket_path = next(Path(a.decode()) for a in argv if a.endswith(b"writer.sock"))
    return socket_path.parent / "readers"


def _warm(url: str) -> dict:
    health: dict = {}

    def ready() -> bool:
        health.update(requests.get(url + "/healthz", timeout=60).json())
        return health.get("warm") == "ready"

    _wait_for(ready, "/healthz warm: ready")
    return health


def _check_every_reader_warmed(server, readers: set[int]) -> dict:
    """Wait for /healthz "warm":"ready"; then each reader's own report names its version."""
    health = _warm(server.url)
    assert health["readers"] == {"warm": READERS, "expected": READERS}, health
    directory = _readers_dir(server.process.pid)
    for pid in readers:
        assert (directory / str(pid)).read_text() == health["version"]
    return health


def test_healthz_is_warm_only_once_every_reader_has_warmed_the_version(readers_server) -> None:
    url = readers_server.url
    readers = _reader_pids(readers_server.process.pid)
    first = _check_every_reader_warmed(readers_server, readers)["version"]
    assert _insert(url, "warmth").status_code in (200, 204)
    _wait_for(
        lambda: requests.get(url + "/healthz", timeout=60).json()["version"] != first,
        "a new data version after the write",
    )
    _check_every_reader_warmed(readers_server, readers)
