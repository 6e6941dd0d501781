"""A running server under load: SIGHUP (with or without a new build) drops no request."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import requests

from graph_service.store.build import build_store
from graph_service.web.server import NOTHING_TO_RELOAD, NOW_SERVING

#: Requests each client thread sends at most: the load is bounded in count, and stops once
#: the reloads are done.
REQUESTS_PER_CLIENT = 2500
CLIENTS = 4


def _worker_pids(server_pid: int) -> set[int]:
    """The server's direct children (Granian's worker processes)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    return {int(pid) for pid in children.read_text().split()} if children.exists() else set()


def _wait_for(condition, what: str, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.1)


def _reloads_done(log: str) -> int:
    """How many SIGHUPs the server has finished handling, by its log: a new build served, or
    nothing new to serve (or, from Granian's own reload, an old worker stopped)."""
    return sum(log.count(line) for line in ("Stopped old worker", NOTHING_TO_RELOAD, NOW_SERVING))


def _served_build(url: str) -> str | None:
    try:
        return requests.get(url + "/healthz", timeout=10).json().get("store")
    except (requests.RequestException, ValueError):
        return None


def test_sighup_under_load_drops_no_request(
    tiny_vocab: Path, tmp_path: Path, live_server_factory
) -> None:
    data_dir = tmp_path / "data"
    first = build_store(tiny_vocab, data_dir).store_dir
    # The four clients share one address: let them run a query each at once.
    server = live_server_factory(
        data_dir, GRAPH_SERVICE_ACCESS_LOG="false", GRAPH_SERVICE_QUERIES_PER_CLIENT=str(CLIENTS)
    )
    failures: list[str] = []
    answered = [0]
    stop = threading.Event()

    def client(number: int) -> None:
        with requests.Session() as session:
            for i in range(REQUESTS_PER_CLIENT):
                if stop.is_set():
                    return
                # A different query each time: no cache answers it, the store must.
                query = f"ASK {{ ?s ?p ?o FILTER (?s != <urn:x:{number}-{i}>) }}"
                try:
                    if i % 3 == 0:
                        response = session.get(server.url + "/healthz", timeout=60)
                    else:
                        response = session.post(
                            server.url + "/sparql",
                            data=query.encode(),
                            headers={
                                "Content-Type": "application/sparql-query",
                                "Accept": "application/sparql-results+json",
                            },
                            timeout=60,
                        )
                except requests.RequestException as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    continue
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.text[:300]}")
                answered[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        # Three reloads while the clients run: no new build, a new build, no new build.
        served = first.name
        for number, new_build in enumerate((False, True, False), start=1):
            if new_build:
                served = build_store(tiny_vocab, data_dir, force=True).store_dir.name
            before = answered[0]
            server.process.send_signal(signal.SIGHUP)
            _wait_for(lambda n=number: _reloads_done(server.output()) >= n, f"reload {number}")
            _wait_for(lambda s=served: _served_build(server.url) == s, f"serving {served}")
            _wait_for(lambda b=before: answered[0] > b + 20, "requests answered after the reload")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert answered[0] > 60
    kinds = sorted({failure[:60] for failure in failures})
    assert not failures, f"{len(failures)} of {answered[0]} failed: {kinds}\n{server.output()}"
