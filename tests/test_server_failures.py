"""The server's own failures are told as such: 503 or 507 with a message, never 400 nor 500.

The audit of issue 19: "cannot open the store" and a full disk on a small insert were answered
400 (as if the client had erred); a full disk during /curation/import gave a 500 and left a
temporary file; a SERVICE call to a server that does not speak SPARQL gave a 500 quoting the
engine's error (and with it the other server's answer).
"""

from __future__ import annotations

import contextlib
import errno
import http.server
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import free_port, stop_server, wait_until_up

from graph_service import create_app
from graph_service.store.base import (
    RemoteCallFailed,
    StorageFull,
    StoreError,
    StoreUnavailable,
    engine_failure,
    write_failure,
)
from graph_service.store.build import build_store, open_current
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import Journal

TOKEN = "failure-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PATIENCE = 120.0
SECRET = "secret-admin-page-4242"
JSON = {"Accept": "application/sparql-results+json"}
IMPORTED = Path(__file__).resolve().parent / "data" / "curation" / "import_ok.ttl"


# --- a SERVICE endpoint that does not speak SPARQL -------------------------------------------


class _NotSparql(http.server.BaseHTTPRequestHandler):
    """Answers every request with a private-looking page: HTML (200) or an error (501)."""

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status = 501 if "error" in self.path else 200
        body = f"<html><body>{SECRET}</body></html>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def not_sparql() -> Iterator[str]:
    """The base URL of a small HTTP server on 127.0.0.1 that is no SPARQL endpoint."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotSparql)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def service_query(endpoint: str) -> str:
    return f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"


@pytest.mark.parametrize("path", ["/html", "/error"])
def test_a_failed_service_call_is_told_in_our_words(not_sparql: str, path: str) -> None:
    """The engine's error (RuntimeError for HTML, OSError for a 501) becomes a 502 that quotes
    neither the engine nor the other server."""
    with pytest.raises(RemoteCallFailed) as failure:
        EmbeddedStore().query_serialized(service_query(not_sparql + path))
    assert failure.value.status == 502
    assert SECRET not in str(failure.value) and not_sparql not in str(failure.value)


@pytest.mark.parametrize("path", ["/html", "/error"])
def test_sparql_answers_a_failed_service_call_without_a_500(not_sparql: str, path: str) -> None:
    """Refused (federation off) or failed (502): either way no 500 and nothing of theirs."""
    client = create_app({"TESTING": True, "STORE": EmbeddedStore()}).test_client()
    answer = client.get(
        "/sparql", query_string={"query": service_query(not_sparql + path)}, headers=JSON
    )
    assert 400 <= answer.status_code < 600 and answer.status_code != 500, answer.text
    assert SECRET not in answer.text and "Unsupported Content-Type" not in answer.text


def test_engine_failures_are_sorted_between_client_and_server() -> None:
    assert type(engine_failure(SyntaxError("error at 1:5"), "ASK {")) is StoreError
    assert engine_failure(SyntaxError("x"), "ASK {").status == 400
    assert isinstance(engine_failure(OSError(28, "No space left on device")), StorageFull)
    assert isinstance(engine_failure(OSError("IO error: No space left on device")), StorageFull)
    assert isinstance(engine_failure(RuntimeError("boom"), "ASK {}"), StoreUnavailable)
    assert isinstance(engine_failure(RuntimeError("boom"), "LOAD <http://x/>"), RemoteCallFailed)
    assert write_failure(OSError(27, "File too large"), "the journal").status == 507
    assert write_failure(OSError(5, "Input/output error"), "the journal").status == 503


# --- a store that cannot be opened ------------------------------------------------------------


def test_a_store_that_cannot_be_opened_is_503_not_400(tmp_path: Path) -> None:
    """The store's directory locked by another handle (a writer that has not let go yet)."""
    holder = EmbeddedStore(tmp_path / "store")
    with pytest.raises(StoreUnavailable) as failure:
        EmbeddedStore(tmp_path / "store")
    assert failure.value.status == 503 and "cannot open the store" in str(failure.value)
    holder.close()


def test_rest_and_pages_answer_503_when_the_store_fails(tmp_path: Path) -> None:
    """A StoreUnavailable raised while answering (a store that cannot be reopened, say)."""

    class Failing(EmbeddedStore):
        def _run(self, *args: object, **kwargs: object):  # type: ignore[override]
            raise StoreUnavailable("cannot open the store at /x: LOCK: Resource unavailable")

        query_serialized = _run  # type: ignore[assignment]

    app = create_app({"TESTING": True, "STORE": Failing()})
    client = app.test_client()
    urls = ("/rest/v1/notions/data?uri=http://x/a", "/notions/concertation", "/sparql?query=ASK{}")
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 503, (url, answer.status_code, answer.text[:200])


# --- a full disk, for real: a file-size limit on the web process ------------------------------

#: Starts the server with SIGXFSZ ignored (inherited by Granian's worker), so that writes past
#: the file-size limit set later fail with EFBIG, as on a full disk, instead of killing it.
_BOOT = (
    "import runpy, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
    "sys.argv = ['graph-service', 'serve', '--port', sys.argv[1]]; "
    "runpy.run_module('graph_service.cli', run_name='__main__')"
)


@contextlib.contextmanager
def server_with_a_small_disk(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    env = {
        **os.environ,
        "GRAPH_SERVICE_DATA_DIR": str(data_dir),
        "GRAPH_SERVICE_UPDATE_TOKEN": TOKEN,
        "GRAPH_SERVICE_ACCESS_LOG": "0",
    }
    # Not a file: the limit would cut the log too (DEVNULL and pipes have no size).
    process = subprocess.Popen(
        [sys.executable, "-c", _BOOT, str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if not os.environ.get("E19_DEBUG") else None,
        process_group=0,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        failure = wait_until_up(process, url + "/healthz", lambda r: r.status_code == 200)
        assert failure is None, failure
        yield url, process
    finally:
        stop_server(process)


def web_process(root: int) -> int:
    """Granian's worker under the server's process: the web process, which writes."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text(encoding="ascii", errors="replace")
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == root and b"runpy" in command:
            return int(entry)
    raise AssertionError("no web process under the server")


def temporaries(data_dir: Path) -> list[Path]:
    return [p for p in data_dir.rglob("*") if p.is_file() and "tmp" in p.name.lower()]


def test_a_full_disk_is_507_and_leaves_nothing_behind(tiny_vocab: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    build_store(tiny_vocab, data_dir)
    journal = Journal(data_dir).path
    with server_with_a_small_disk(data_dir) as (url, process):
        before = journal.stat().st_size if journal.exists() else 0
        room = before + 64  # bytes: less than any change
        resource.prlimit(web_process(process.pid), resource.RLIMIT_FSIZE, (room, room))

        insert = (
            "INSERT DATA { GRAPH <http://example.org/g> { "
            '<http://example.org/s> <http://example.org/p> "small" } }'
        )
        answer = requests.post(
            url + "/sparql", data={"update": insert}, headers=AUTH, timeout=PATIENCE
        )
        assert answer.status_code == 507, answer.text
        assert "disk is full" in answer.text
        assert (journal.stat().st_size if journal.exists() else 0) == before  # no torn patch

        put = requests.put(
            url + "/store?graph=http://example.org/g",
            data='<http://example.org/s> <http://example.org/p> "small" .',
            headers={**AUTH, "Content-Type": "text/turtle"},
            timeout=PATIENCE,
        )
        assert put.status_code == 507 and "disk is full" in put.text, put.text

        started = requests.post(
            url + "/curation/import",
            files={"file": ("import_ok.ttl", IMPORTED.read_bytes(), "text/turtle")},
            headers={**AUTH, "Accept": "application/json"},
            timeout=PATIENCE,
        )
        assert started.status_code == 202, started.text
        status_url = url + started.json()["status_url"]
        deadline = time.monotonic() + PATIENCE
        while (job := requests.get(status_url, timeout=PATIENCE).json())["state"] not in (
            "done",
            "failed",
        ):
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        assert job["state"] == "failed" and "disk is full" in job["error"], job
        assert temporaries(data_dir) == []

        ask = requests.get(
            url + "/sparql",
            params={"query": "ASK { ?s <http://example.org/p> ?o }"},
            headers=JSON,
            timeout=PATIENCE,
        )
        assert ask.status_code == 200 and ask.json()["boolean"] is False
        assert requests.get(url + "/healthz", timeout=PATIENCE).status_code == 200
        assert process.poll() is None


# --- a full disk under a proposal (the feedback form keeps visitors' messages as proposals) ---


def test_a_full_disk_under_a_proposal_is_507_and_leaves_no_temporary_file(
    tiny_vocab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
    store = open_current(data_dir)
    client = create_app({"TESTING": True, "STORE": store, "DATA_DIR": data_dir}).test_client()
    concept = "http://example.org/tiny/a"
    page = client.get("/feedback", query_string={"uri": concept}, headers={"Accept": "text/html"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text

    def full(fd: int) -> None:  # the OS boundary: the disk is full when the data is flushed
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    answer = client.post(
        "/feedback",
        data={"uri": concept, "message": "Il manque un synonyme.", "csrf_token": token.group(1)},
        headers={"Accept": "text/html"},
    )
    monkeypatch.undo()
    assert answer.status_code == 507, answer.text[:300]
    assert "disk is full" in answer.text
    assert temporaries(data_dir) == []
    store.close()
