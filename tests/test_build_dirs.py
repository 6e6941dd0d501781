"""Build directories: none removed while a process has it open, only complete builds kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from conftest import sparql_ask
from test_journal_http import AUTH, TOKEN, _reload

from graph_service.config import PROJECT_ROOT
from graph_service.store.build import BUILDS, build_store, current_store_dir
from graph_service.store.build_dirs import COMPLETE, in_use, is_complete

NEW = '<http://example.org/tiny/b> <http://www.w3.org/2004/02/skos/core#altLabel> "Deuxième"@fr'


def _listing(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / BUILDS).iterdir())


def _wait_let_go(directory: Path, seconds: float = 120.0) -> None:
    """Wait until no process has the store open (a reloaded server's old query workers end
    a moment after its worker)."""
    deadline = time.monotonic() + seconds
    while in_use(directory):
        assert time.monotonic() < deadline, f"{directory.name} is still held"
        time.sleep(0.2)


def test_builds_leave_the_store_a_server_has_open_until_it_reloads(
    tiny_vocab: Path, tmp_path: Path, live_server_factory
) -> None:
    data_dir = tmp_path / "data"
    env = {
        "GRAPH_SERVICE_VOCAB_DIR": str(tiny_vocab),
        "GRAPH_SERVICE_UPDATE_TOKEN": TOKEN,
        "GRAPH_SERVICE_ACCESS_LOG": "false",
    }
    served = build_store(tiny_vocab, data_dir).store_dir
    server = live_server_factory(data_dir, **env)
    assert sparql_ask(server.url, "ASK { <http://example.org/tiny/b> ?p ?o }")

    # Two builds without a SIGHUP between: the served store is neither current nor previous.
    build_store(tiny_vocab, data_dir)
    newest = build_store(tiny_vocab, data_dir).store_dir
    assert served.is_dir() and (served / "CURRENT").is_file(), _listing(data_dir)
    assert len(_listing(data_dir)) == 3
    assert sparql_ask(server.url, "ASK { <http://example.org/tiny/b> ?p ?o }")
    response = requests.post(
        server.url + "/sparql", data={"update": f"INSERT DATA {{ {NEW} }}"}, headers=AUTH
    )
    assert response.status_code == 204, response.text
    assert sparql_ask(server.url, f"ASK {{ {NEW} }}")

    # Reloaded, the server serves the newest build (the journal brings the write along), and
    # the store it let go is removed by the next build.
    _reload(server, server.url, newest.name)
    assert sparql_ask(server.url, f"ASK {{ {NEW} }}")
    _wait_let_go(served)
    build_store(tiny_vocab, data_dir)
    assert not served.exists()
    assert len(_listing(data_dir)) == 2


_OPENERS = {
    # A query worker or a command reading the store: RocksDB itself takes no lock for this.
    "read-only": (
        "import sys; from pathlib import Path; "
        "from graph_service.store.embedded import EmbeddedStore; "
        "store = EmbeddedStore(Path(sys.argv[1]), read_only=True); "
        "print('open', flush=True); sys.stdin.read()"
    ),
    # Something opening the store without our marker (an older server, a script).
    "engine-only": (
        "import sys, pyoxigraph; store = pyoxigraph.Store(sys.argv[1]); "
        "print('open', flush=True); sys.stdin.read()"
    ),
}


@pytest.mark.parametrize("opener", sorted(_OPENERS))
def test_a_store_open_in_another_process_is_kept_until_closed(
    tiny_vocab: Path, tmp_path: Path, opener: str
) -> None:
    data_dir = tmp_path / "data"
    first = build_store(tiny_vocab, data_dir).store_dir
    holder = subprocess.Popen(
        [sys.executable, "-c", _OPENERS[opener], str(first)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        for _ in range(3):
            build_store(tiny_vocab, data_dir)
        assert first.is_dir() and in_use(first)
    finally:
        holder.communicate("", timeout=60)
    assert not in_use(first)
    build_store(tiny_vocab, data_dir)
    assert not first.exists()
    assert len(_listing(data_dir)) == 2


def test_a_build_killed_half_way_is_removed_and_the_last_good_one_kept(
    tiny_vocab: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    good = build_store(tiny_vocab, data_dir).store_dir
    assert is_complete(good)
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "GRAPH_SERVICE_DATA_DIR": str(data_dir),
        "GRAPH_SERVICE_VOCAB_DIR": str(PROJECT_ROOT / "vocab"),
    }
    killed = subprocess.Popen(
        [sys.executable, "-m", "graph_service.cli", "build", "--force", "--no-validate"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert killed.stderr is not None
    seen = []
    for line in killed.stderr:  # ends when the process does: bounded by the build itself
        seen.append(line)
        if "loading" in line:  # the store directory exists and is being filled
            killed.send_signal(signal.SIGKILL)
            break
    killed.wait(60)
    killed.stderr.close()
    assert killed.returncode == -signal.SIGKILL, "".join(seen)
    [partial] = [p for p in (data_dir / BUILDS).iterdir() if p != good]
    assert not is_complete(partial) and current_store_dir(data_dir) == good

    latest = build_store(tiny_vocab, data_dir).store_dir
    assert _listing(data_dir) == sorted([good.name, latest.name])
    assert (latest / COMPLETE).is_file() and current_store_dir(data_dir) == latest
