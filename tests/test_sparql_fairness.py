"""Per-client limits on /sparql: one client's heavy queries cannot take every query worker."""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
from pathlib import Path

import pytest

from graph_service.query.fairness import ClientSlots, TooManyQueries, per_client_limit
from graph_service.store.build import build_store

#: A cross product of 8 patterns over the tiny vocabulary: runs until the time limit kills it.
HEAVY = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(8)) + " }"
)
CHEAP = "ASK { ?s ?p ?o }"


def _query(port: int, text: str, source: str = "127.0.0.1", timeout: float = 120):
    """POST a query from a given loopback address; (status, Retry-After, body)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0)
    )
    try:
        connection.request(
            "POST",
            "/sparql",
            body=text.encode(),
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json",
            },
        )
        response = connection.getresponse()
        return response.status, response.getheader("Retry-After"), response.read().decode()
    finally:
        connection.close()


def test_a_client_with_a_heavy_query_running_gets_429_and_others_are_served(
    tiny_vocab: Path, tmp_path: Path, live_server_factory
) -> None:
    data_dir = tmp_path / "data"
    build_store(tiny_vocab, data_dir)
    server = live_server_factory(
        data_dir,
        GRAPH_SERVICE_ACCESS_LOG="false",
        GRAPH_SERVICE_QUERY_WORKERS="2",
        GRAPH_SERVICE_QUERY_TIMEOUT="60",
    )
    assert _query(server.port, CHEAP)[0] == 200  # the workers are up

    def run_heavy() -> None:
        with contextlib.suppress(OSError):  # the server's stop at the end cuts it short
            # One of the probes below may hold the client's slot when the heavy query
            # arrives (it is then refused itself): send it again until it runs.
            for _ in range(200):
                if _query(server.port, HEAVY)[0] != 429:
                    return
                time.sleep(0.01)

    running = threading.Thread(target=run_heavy, daemon=True)
    running.start()

    # The same client's next query is refused at once rather than given the last worker
    # (a few tries: the heavy query may not have reached the server yet). Each is new: a
    # cached answer needs no worker.
    refused = None
    for attempt in range(200):
        answer = _query(server.port, f'ASK {{ ?s ?p "{attempt}" }}')
        if answer[0] == 429:
            refused = answer
            break
        time.sleep(0.05)
    assert refused is not None, f"never refused; last answer {answer[:2]}"
    _, retry_after, body = refused
    assert retry_after is not None and int(retry_after) >= 1
    assert "already has 1 queries running" in body

    # Another client is served meanwhile, by the worker kept free.
    assert running.is_alive(), "the heavy query ended too early for the test to mean anything"
    for _ in range(3):
        assert _query(server.port, CHEAP, source="127.0.0.2")[0] == 200
    assert running.is_alive()


def test_client_slots_count_and_release() -> None:
    slots = ClientSlots()
    with slots.hold("a", 2, retry_after=10), slots.hold("a", 2, retry_after=10):
        with pytest.raises(TooManyQueries) as refused, slots.hold("a", 2, retry_after=10):
            pass
        assert refused.value.status == 429 and refused.value.retry_after == 10
        with slots.hold("b", 2, retry_after=10):
            assert slots.running("a") == 2 and slots.running("b") == 1
    assert slots.running("a") == 0 and slots.running("b") == 0


@pytest.mark.parametrize(
    ("configured", "workers", "limit"), [(0, 2, 1), (0, 1, 1), (0, 8, 7), (3, 2, 3)]
)
def test_the_default_limit_leaves_a_worker_to_other_clients(configured, workers, limit) -> None:
    assert per_client_limit(configured, workers) == limit
