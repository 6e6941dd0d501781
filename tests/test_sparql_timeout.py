"""A runaway query is stopped at the time limit while the server keeps answering others."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import requests

from graph_service.store.build import build_store

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "SELECT ?o WHERE { <http://example.org/s/7> ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


def generated_data_dir(root: Path, triples: int = 3000) -> Path:
    """A built store holding a generated graph of `triples` triples."""
    vocab = root / "vocab"
    vocab.mkdir()
    lines = [f'<http://example.org/s/{i}> <http://example.org/p> "v{i}" .' for i in range(triples)]
    (vocab / "generated.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build_store(vocab, root / "data")
    return root / "data"


def test_a_runaway_query_gets_503_while_a_simple_one_is_answered(
    tmp_path: Path, live_server_factory
) -> None:
    server = live_server_factory(generated_data_dir(tmp_path), GRAPH_SERVICE_QUERY_TIMEOUT="2")
    endpoint = server.url + "/sparql"
    # Warm the worker pool up, so the slow query does not also pay for starting it.
    assert requests.get(endpoint, params={"query": SIMPLE}, headers=JSON, timeout=30).ok

    slow: dict[str, object] = {}

    def run_slow() -> None:
        started = time.monotonic()
        response = requests.get(endpoint, params={"query": CROSS_JOIN}, headers=JSON, timeout=60)
        slow.update(response=response, seconds=time.monotonic() - started)

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.5)  # let the cross join start in its worker
    quick = requests.get(endpoint, params={"query": SIMPLE}, headers=JSON, timeout=30)
    still_running = thread.is_alive()
    thread.join(60)

    assert quick.status_code == 200
    assert quick.json()["results"]["bindings"][0]["o"]["value"] == "v7"
    assert still_running, "the simple query was answered only after the slow one ended"
    response = slow["response"]
    assert isinstance(response, requests.Response)
    print(f"runaway query answered {response.status_code} after {slow['seconds']:.2f} s")
    assert response.status_code == 503
    assert "query exceeded the 2 s time limit" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert slow["seconds"] >= 2  # type: ignore[operator]
    # The killed worker was replaced: the endpoint still answers.
    again = [
        requests.get(endpoint, params={"query": SIMPLE}, headers=JSON, timeout=30) for _ in range(3)
    ]
    assert all(r.status_code == 200 for r in again)
