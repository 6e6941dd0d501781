"""Accepted writes survive builds, forced builds, SIGHUP, restarts and SIGKILL, over real HTTP.

The scenario of the issue: an alternative label written into the default graph and a note in a
graph of its own, through /sparql; then a curator edits vocab/ and rebuilds.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import remote_service, run_cli, sparql_ask

from graph_service.store.build import current_store_dir
from graph_service.store.journal import Journal

TOKEN = "journal-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ALT = (
    '<http://example.org/tiny/a> <http://www.w3.org/2004/02/skos/core#altLabel> "Premier terme"@fr'
)
NOTE = '<http://example.org/tiny/a> <http://example.org/note> "à relire"'
SCENARIO = f"INSERT DATA {{ {ALT} . GRAPH <http://example.org/notes> {{ {NOTE} }} }}"
BOTH = f"ASK {{ {ALT} . GRAPH <http://example.org/notes> {{ {NOTE} }} }}"


def _cli(env: dict[str, str], *args: str) -> str:
    """Run the graph-service command, which must succeed; its output."""
    result = run_cli(env, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(child) for child in found.stdout.split()]


def _reload(server, url: str, name: str) -> None:
    """SIGHUP the server and wait until it serves the build `name` (its worker swaps its
    store in place: web/server.py)."""
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=5).json()["store"] == name:
                return
        except (requests.ConnectionError, requests.Timeout, ValueError, KeyError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server never switched to build {name}")


@pytest.fixture(params=["embedded", "remote", "virtuoso"])
def service_env(request, tiny_vocab: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a service on a copy of the tiny vocabulary: embedded, or in an
    oxigraph or Virtuoso server."""
    env = {
        "GRAPH_SERVICE_VOCAB_DIR": str(tiny_vocab),
        "GRAPH_SERVICE_DATA_DIR": str(tmp_path / "data"),
        "GRAPH_SERVICE_UPDATE_TOKEN": TOKEN,
        "GRAPH_SERVICE_ACCESS_LOG": "false",
    }
    if request.param != "embedded":
        env.update(remote_service(request, request.param)[1])  # the server emptied
    return env


def test_writes_survive_build_force_build_sighup_and_restart(
    service_env: dict[str, str], live_server_factory, tiny_vocab: Path
) -> None:
    _cli(service_env, "build")
    data_dir = Path(service_env["GRAPH_SERVICE_DATA_DIR"])
    server = live_server_factory(data_dir, **service_env)
    response = requests.post(server.url + "/sparql", data={"update": SCENARIO}, headers=AUTH)
    assert response.status_code == 204
    assert sparql_ask(server.url, BOTH)
    [change] = Journal(data_dir).changes()
    assert change.author == "anonymous token"
    # The two triples, and the date the change gives the concept it touches.
    assert len(change.added) == 3
    assert any("/dc/terms/modified>" in row for row in change.added)

    # A curator changes one line of vocab/ and rebuilds, then forces a rebuild.
    tiny = tiny_vocab / "tiny.ttl"
    tiny.write_text(tiny.read_text().replace('"Beta"@en', '"Beta version"@en'))
    remote = "GRAPH_SERVICE_SPARQL_ENDPOINT" in service_env
    for args in (["build"], ["build", "--force"]):
        output = _cli(service_env, *args)
        assert "replayed 1 change" in output, output
        if not remote:
            current = current_store_dir(data_dir)
            assert current is not None
            _reload(server, server.url, current.name)
        assert sparql_ask(server.url, BOTH), args
        assert sparql_ask(server.url, 'ASK { ?b ?p "Beta version"@en }')

    server.stop()
    restarted = live_server_factory(data_dir, **service_env)
    assert sparql_ask(restarted.url, BOTH)
    assert len(Journal(data_dir).changes()) == 1


def _writer(url: str, results: dict[int, int | None], stop: threading.Event) -> None:
    """Send numbered writes until stopped or refused; record each one's status (None: none)."""
    number = 0
    while not stop.is_set():
        number += 1
        update = (
            f'INSERT DATA {{ <http://example.org/w/{number}> <http://example.org/n> "{number}" }}'
        )
        try:
            response = requests.post(
                url + "/sparql", data={"update": update}, headers=AUTH, timeout=30
            )
            results[number] = response.status_code
        except requests.RequestException:
            results[number] = None
            return


@pytest.mark.parametrize("accepted", [1, 4, 9])
def test_a_server_killed_during_writes_restarts_with_each_write_whole_or_absent(
    tiny_vocab: Path, tmp_path: Path, live_server_factory, accepted: int
) -> None:
    data_dir = tmp_path / "data"
    env = {
        "GRAPH_SERVICE_VOCAB_DIR": str(tiny_vocab),
        "GRAPH_SERVICE_DATA_DIR": str(data_dir),
        "GRAPH_SERVICE_UPDATE_TOKEN": TOKEN,
        "GRAPH_SERVICE_ACCESS_LOG": "false",
    }
    _cli(env, "build")
    server = live_server_factory(data_dir, **env)
    results: dict[int, int | None] = {}
    stop = threading.Event()
    thread = threading.Thread(target=_writer, args=(server.url, results, stop))
    thread.start()
    # Killed once some writes were answered (a count, not a time: the machine may be slow),
    # at a moment within the next write that nothing chooses.
    deadline = time.monotonic() + 120
    while sum(s == 204 for s in list(results.values())) < accepted:
        assert time.monotonic() < deadline, "the server answered too few writes"
        time.sleep(0.01)
    time.sleep(random.uniform(0, 0.05))
    _kill_tree(server.process.pid)
    stop.set()
    thread.join(60)
    restarted = live_server_factory(data_dir, **env)
    journalled = {
        int(row.split("/w/")[1].split(">")[0])
        for change in Journal(data_dir).changes()
        for row in change.added
    }
    for number, status in results.items():
        present = sparql_ask(restarted.url, f"ASK {{ <http://example.org/w/{number}> ?p ?o }}")
        assert present == (number in journalled), (number, status)
        if status == 204:
            assert present, f"write {number} was answered 204 and then lost"
    assert any(status == 204 for status in results.values())


def _kill_tree(pid: int) -> None:
    """SIGKILL a server and every process under it (granian's worker holds the store, the
    query workers sit under that)."""
    for child in _children(pid):
        _kill_tree(child)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
