"""An update whose WHERE reads the (empty) default graph while queries read the union of
graphs is refused with a message saying how to write it, instead of a 204 that did nothing."""

from __future__ import annotations

import json

import pytest

from graph_service import create_app
from graph_service.store.sparql_text import where_patterns

TOKEN = "default-graph-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/"
PREFIX = f"PREFIX ex: <{EX}>\n"


@pytest.fixture
def client(memory_store):
    memory_store.update(
        f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 . <{EX}b> <{EX}p> 2 }} }}"
    )
    app = create_app(
        {"TESTING": True, "STORE": memory_store, "UPDATE_TOKEN": TOKEN, "RESPONSE_CACHE_BYTES": 0}
    )
    return app.test_client()


def update(client, text: str, **params: str):
    return client.post("/sparql", data={"update": PREFIX + text, **params}, headers=AUTH)


def values(client) -> list[int]:
    query = PREFIX + "SELECT ?o WHERE { ?s ex:p ?o } ORDER BY ?o"
    answer = client.get("/sparql", query_string={"query": query})
    return [int(b["o"]["value"]) for b in json.loads(answer.data)["results"]["bindings"]]


@pytest.mark.parametrize(
    "text",
    [
        "DELETE { ?s ex:p ?o } WHERE { ?s ex:p ?o }",
        "DELETE WHERE { ?s ex:p 1 }",
        "INSERT { GRAPH ex:g { ?s ex:p 3 } } WHERE { ?s ex:p 1 }",
        "DELETE { GRAPH ex:g { ?s ex:p ?o } } WHERE { ?s ex:p ?o FILTER(?o > 1) }",
    ],
)
def test_an_update_reading_the_empty_default_graph_is_refused(client, text: str) -> None:
    assert values(client) == [1, 2]  # what a query sees, and what the update meant to change
    answer = update(client, text)
    message = answer.get_data(as_text=True)
    assert answer.status_code == 400, message
    assert "GRAPH ?g { ?s ?p ?o }" in message and "using-graph-uri" in message
    assert values(client) == [1, 2]


def test_updates_that_name_their_graphs_work(client) -> None:
    answer = update(client, "DELETE { GRAPH ?g { ?s ex:p 1 } } WHERE { GRAPH ?g { ?s ex:p 1 } }")
    assert answer.status_code == 204
    assert values(client) == [2]
    answer = update(client, "DELETE { GRAPH ex:g { ?s ex:p ?o } } USING ex:g WHERE { ?s ex:p ?o }")
    assert answer.status_code == 204 and values(client) == []


def test_the_using_graph_uri_parameter_names_the_graph_too(client) -> None:
    text = "INSERT { GRAPH ex:g { ?s ex:p 5 } } WHERE { ?s ex:p 2 }"
    answer = update(client, text, **{"using-graph-uri": f"{EX}g"})
    assert answer.status_code == 204 and values(client) == [1, 2, 5]


@pytest.mark.parametrize(
    "text",
    [
        "DELETE WHERE { ?s ex:nothing ?o }",  # matches nowhere: a valid no-op
        "DELETE WHERE { GRAPH ?g { ?s ex:nothing ?o } }",
        "INSERT { ?s ex:q 1 } WHERE { GRAPH ex:other { ?s ex:p ?o } }",
    ],
)
def test_updates_matching_nothing_anywhere_stay_204(client, text: str) -> None:
    assert update(client, text).status_code == 204
    assert values(client) == [1, 2]


def test_data_in_the_default_graph_is_read_as_written(client) -> None:
    assert update(client, "INSERT DATA { ex:d ex:p 7 }").status_code == 204
    answer = update(client, "DELETE { ?s ex:p 7 } WHERE { ?s ex:p 7 }")
    assert answer.status_code == 204 and values(client) == [1, 2]


def test_where_patterns() -> None:
    text = 'PREFIX e: <http://e/> DELETE { ?s e:p "WHERE {" } WHERE { ?s e:p ?o } ; DELETE WHERE {}'
    assert where_patterns(text) == [
        "PREFIX e: <http://e/>\nASK { ?s e:p ?o }",
        "PREFIX e: <http://e/>\nASK {}",
    ]
    assert where_patterns("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }") is None
