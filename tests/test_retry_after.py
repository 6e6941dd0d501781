"""Every 503 and 429 the service sends says when to retry (Retry-After)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from graph_service import create_app
from graph_service.query.execute import QueryTask, QueryTimeout
from graph_service.query.workers import BUSY_RETRY_AFTER, WorkerPool
from graph_service.store.build import build_store, open_current
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.remote import RemoteStore
from graph_service.web.errors import DEFAULT_RETRY_AFTER

#: A cross product of 8 patterns over the tiny vocabulary: runs until the time limit kills it.
HEAVY = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(8)) + " }"
)


def _wait_for(condition, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.02)


def test_all_workers_busy_is_a_503_with_retry_after(tiny_vocab: Path, tmp_path: Path) -> None:
    build_store(tiny_vocab, tmp_path / "data")
    store = open_current(tmp_path / "data", read_only=True)
    pool = WorkerPool(1)
    try:
        _wait_for(lambda: pool._idle.qsize() == 1)  # the worker has started
        stopped: list[BaseException] = []

        def run_heavy() -> None:
            try:
                pool.run(store, QueryTask(HEAVY), 4, 0)
            except QueryTimeout as exc:
                stopped.append(exc)

        heavy = threading.Thread(target=run_heavy, daemon=True)
        heavy.start()
        _wait_for(lambda: pool._idle.qsize() == 0)  # the heavy query holds the only worker
        with pytest.raises(QueryTimeout) as busy:
            pool.run(store, QueryTask("ASK { ?s ?p ?o }"), 1, 0)
        assert "stayed busy" in busy.value.message
        assert busy.value.status == 503 and busy.value.retry_after == 1
        heavy.join(30)
        assert stopped, "the heavy query should have run to its time limit"
    finally:
        pool.shutdown()


def test_busy_retry_after_is_bounded() -> None:
    # The worker pool tells a client to come back after a part of a long time limit, not all.
    assert 1 <= BUSY_RETRY_AFTER <= 30


@pytest.fixture
def unreachable_client():
    """An app whose remote store refuses every connection: its answers are the server's 503s."""
    store = RemoteStore("http://127.0.0.1:9/query", "http://127.0.0.1:9/update", timeout=2)
    app = create_app({"TESTING": True, "STORE": store, "SPARQL_FAST_PATH": False})
    return app.test_client()


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
        "/rest/v1/vocabularies?lang=fr",
    ],
)
def test_a_503_without_a_time_of_its_own_gets_the_default_retry_after(
    unreachable_client, path: str
) -> None:
    response = unreachable_client.get(path)
    assert response.status_code == 503, response.data
    assert response.headers["Retry-After"] == str(DEFAULT_RETRY_AFTER)


def test_a_retry_after_given_with_the_error_is_kept() -> None:
    app = create_app({"TESTING": True, "STORE": EmbeddedStore()})

    @app.get("/_late")
    def late():  # type: ignore[no-untyped-def]
        from graph_service.store.limits import TryLater

        raise TryLater("busy", retry_after=42)

    response = app.test_client().get("/_late")
    assert response.status_code == 503 and response.headers["Retry-After"] == "42"
