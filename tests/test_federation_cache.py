"""Federated answers are never cached: a query with SERVICE asks the endpoint every time (its
data changes without any local write), and its answer says no-store to HTTP caches."""

from __future__ import annotations

import json

import pytest
from test_federation import EX, Probe, make_client

from graph_service.query.execute import QueryTask
from graph_service.query.runner import federated
from graph_service.store.embedded import EmbeddedStore


@pytest.fixture
def probe():
    server = Probe()
    yield server
    server.stop()


@pytest.mark.parametrize("fast", [True, False])
def test_a_federated_query_calls_its_endpoint_every_time(probe: Probe, fast: bool) -> None:
    client = make_client(
        EmbeddedStore(),
        fast=fast,
        FEDERATION_ALLOW=probe.url + "/sparql",
        RESPONSE_CACHE_BYTES=16 * 1024 * 1024,  # on, as in production
    )
    query = f"SELECT ?s WHERE {{ SERVICE <{probe.url}/sparql> {{ ?s ?p ?o }} }}"
    for attempt in range(1, 4):  # the response cache keeps an answer from its second request
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 200, response.data
        assert json.loads(response.data)["results"]["bindings"][0]["s"]["value"] == EX + "far"
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers and "Last-Modified" not in response.headers
        assert probe.hits == ["/sparql"] * attempt
    # POSTed queries (kept by the query runner's own cache otherwise) too.
    for _ in range(2):
        posted = client.post("/sparql", data=query, content_type="application/sparql-query")
        assert posted.status_code == 200 and posted.headers["Cache-Control"] == "no-store"
    assert len(probe.hits) == 5


def test_local_queries_are_still_cached(probe: Probe) -> None:
    client = make_client(EmbeddedStore(), FEDERATION_ALLOW=probe.url + "/sparql")
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200
    assert "no-store" not in response.headers["Cache-Control"] and "ETag" in response.headers


def test_federated_needs_both_a_service_and_federation_on() -> None:
    service = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    assert federated(QueryTask(service, services=("http://example.org/sparql",)))
    assert not federated(QueryTask(service))  # federation off: refused later, never run
    local = 'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/sparql>" }'
    assert not federated(QueryTask(local, services=("http://example.org/sparql",)))
