"""History and revert over real HTTP, with the CLI beside a running server: a write through
/sparql, its history, a revert (through the server for the embedded store, whose lock the CLI
cannot take; through the CLI for a remote store), and the Atom feed listing both."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from conftest import remote_service, run_cli, sparql_ask

from graph_service.store.build import build_remote, build_store
from graph_service.store.journal import Journal

TOKEN = "history-http-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ALT = '<http://example.org/tiny/a> <http://www.w3.org/2004/02/skos/core#altLabel> "Premier"@fr'
HAS_ALT = f"ASK {{ {ALT} }}"
A = "http://example.org/tiny/a"
ATOM = "{http://www.w3.org/2005/Atom}"


def _history(url: str) -> list[dict]:
    response = requests.get(
        url + "/history", params={"uri": A}, headers={"Accept": "application/json"}, timeout=60
    )
    assert response.status_code == 200, response.text
    return list(response.json()["changes"])


def _until(check, seconds: float = 60.0) -> None:
    """Wait until `check()` holds: a remote store's version is rechecked once a second."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the server never showed the change"
        time.sleep(0.2)


@pytest.fixture(params=["embedded", "remote", "virtuoso"])
def service_env(request, tiny_vocab: Path, tmp_path: Path) -> dict[str, str]:
    """A service on the tiny vocabulary, built; embedded, or in an oxigraph or Virtuoso server."""
    data_dir = tmp_path / "data"
    env = {
        "GRAPH_SERVICE_VOCAB_DIR": str(tiny_vocab),
        "GRAPH_SERVICE_DATA_DIR": str(data_dir),
        "GRAPH_SERVICE_UPDATE_TOKEN": TOKEN,
        "GRAPH_SERVICE_ACCESS_LOG": "false",
    }
    if request.param != "embedded":
        store, remote_env = remote_service(request, request.param)
        build_remote(tiny_vocab, data_dir, store)
        env.update(remote_env)
    else:
        build_store(tiny_vocab, data_dir)
    return env


def test_write_history_revert_and_feed_beside_a_running_server(
    service_env: dict[str, str], live_server_factory
) -> None:
    data_dir = Path(service_env["GRAPH_SERVICE_DATA_DIR"])
    server = live_server_factory(data_dir, **service_env)
    written = requests.post(
        server.url + "/sparql",
        data={"update": f"INSERT DATA {{ {ALT} }}"},
        headers={**AUTH, "X-Change-Message": "Add a label"},
        timeout=60,
    )
    assert written.status_code == 204, written.text
    (change,) = _history(server.url)
    assert (change["author"], change["message"]) == ("anonymous token", "Add a label")

    # The CLI reads the history while the server runs.
    listed = run_cli(service_env, "history", A)
    assert listed.returncode == 0, listed.stderr
    assert change["id"][:8] in listed.stdout and "Add a label" in listed.stdout

    if "GRAPH_SERVICE_SPARQL_ENDPOINT" in service_env:
        # A remote store has no lock: the CLI reverts beside the server.
        reverted = run_cli(service_env, "revert", change["id"][:8], "-m", "Undo it")
        assert reverted.returncode == 0, reverted.stderr
    else:
        refused = run_cli(service_env, "revert", change["id"][:8])
        assert refused.returncode != 0
        assert "stop the server" in refused.stderr and "/history/revert" in refused.stderr
        answer = requests.post(
            server.url + "/history/revert",
            data={"change": change["id"], "message": "Undo it"},
            headers=AUTH,
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["reverted"] == change["id"]
    _until(lambda: len(_history(server.url)) == 2)
    assert not sparql_ask(server.url, HAS_ALT)
    changes = Journal(data_dir).changes()
    assert [c.message for c in changes] == ["Add a label", "Undo it"]
    assert changes[1].removed == changes[0].added

    feed = requests.get(server.url + "/changes.atom", timeout=60)
    assert feed.status_code == 200
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(feed.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Undo it", "Add a label"]

    # Once the server is stopped, the CLI takes the embedded store's lock and reverts too.
    server.stop()
    again = run_cli(service_env, "revert", changes[1].id)
    assert again.returncode == 0, again.stderr
    assert len(Journal(data_dir).changes()) == 3
    restarted = live_server_factory(data_dir, **service_env)
    assert sparql_ask(restarted.url, HAS_ALT)
