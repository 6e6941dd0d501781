"""Hand-written clients send generic Accept types (application/json, application/xml, text/xml):
/sparql answers them in the matching SPARQL results or RDF format, fast path and view alike."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph

from graph_service import create_app
from graph_service.store.embedded import EmbeddedStore

EX = "http://example.org/"
SELECT = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(params=[True, False], ids=["fast-path", "view"])
def client(request):
    store = EmbeddedStore()
    store.update(f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> "A"@fr . }} }}')
    app = create_app(
        {"TESTING": True, "STORE": store, "SPARQL_FAST_PATH": request.param,
         "RESPONSE_CACHE_BYTES": 0}
    )  # fmt: skip
    return app.test_client()


def _get(client, query: str, accept: str):
    return client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})


@pytest.mark.parametrize("query", [SELECT, ASK])
def test_application_json_gets_sparql_json_results(client, query) -> None:
    response = _get(client, query, "application/json")
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == "application/json"
    answer = json.loads(response.data)
    assert "head" in answer
    if query == SELECT:
        assert answer["results"]["bindings"][0]["o"] == {
            "type": "literal", "value": "A", "xml:lang": "fr"
        }  # fmt: skip
    else:
        assert answer["boolean"] is True


@pytest.mark.parametrize("accept", ["application/xml", "text/xml"])
@pytest.mark.parametrize("query", [SELECT, ASK])
def test_xml_types_get_sparql_xml_results(client, query, accept) -> None:
    response = _get(client, query, accept)
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == accept
    root = ET.fromstring(response.data)
    assert root.tag == RESULTS_NS + "sparql"
    assert root.find(RESULTS_NS + "head") is not None


def test_the_registered_type_wins_a_tie(client) -> None:
    accept = "application/json, application/sparql-results+json"
    response = _get(client, SELECT, accept)
    assert response.headers["Content-Type"] == "application/sparql-results+json"
    response = _get(client, SELECT, "application/json, application/sparql-results+json;q=0.5")
    assert response.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("application/json", "json-ld"), ("application/xml", "xml"), ("text/xml", "xml")],
)
def test_graph_answers_to_generic_types(client, accept, rdflib_format) -> None:
    response = _get(client, CONSTRUCT, accept)
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == accept
    graph = Graph().parse(data=response.data, format=rdflib_format)
    assert len(graph) == 1


def test_a_browser_still_gets_the_page(client) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = _get(client, SELECT, accept)
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_an_unrelated_type_is_still_406(client) -> None:
    response = _get(client, SELECT, "image/png")
    assert response.status_code == 406
    assert b"application/json" in response.data
