"""SPARQLWrapper and rdflib's SPARQLStore/SPARQLUpdateStore against a live server."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.error import HTTPError

import pytest
import requests
from conftest import TINY_SCHEME, LiveServer
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, TURTLE, XML, SPARQLWrapper

from graph_service.namespaces import graph_iri_for
from graph_service.store.build import build_store

TOKEN = "client-token"
TINY = "http://example.org/tiny/"
LABELS = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE {{ <{TINY}b> skos:prefLabel ?label }} ORDER BY ?label"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One live server on the tiny vocabulary for the module, with updates enabled."""
    root = tmp_path_factory.mktemp("clients")
    (root / "vocab").mkdir()
    (root / "vocab" / "tiny.ttl").write_text(TINY_SCHEME, encoding="utf-8")
    build_store(root / "vocab", root / "data")
    server = LiveServer(root / "data", {"GRAPH_SERVICE_UPDATE_TOKEN": TOKEN})
    yield server
    server.stop()


def wrapper(server, method: str, fmt: str, query: str = LABELS) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(query)
    sparql.setMethod(method)
    sparql.setReturnFormat(fmt)
    return sparql


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_json(server, method) -> None:
    result = wrapper(server, method, JSON).query().convert()
    labels = [row["label"]["value"] for row in result["results"]["bindings"]]  # type: ignore[index]
    assert labels == ["Beta", "Bêta"]


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_xml(server, method) -> None:
    document = wrapper(server, method, XML).query().convert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]  # type: ignore[union-attr]
    assert literals == ["Beta", "Bêta"]


# SPARQLWrapper parses RDF answers into an rdflib ConjunctiveGraph, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_post_directly_and_construct(server) -> None:
    sparql = wrapper(server, POST, JSON)
    sparql.setRequestMethod(POSTDIRECTLY)
    assert len(sparql.query().convert()["results"]["bindings"]) == 2  # type: ignore[index]
    construct = f"CONSTRUCT {{ <{TINY}b> ?p ?o }} WHERE {{ <{TINY}b> ?p ?o }}"
    graph = wrapper(server, GET, XML, construct).query().convert()
    assert (
        isinstance(graph, Graph) and (URIRef(TINY + "b"), SKOS.broader, URIRef(TINY + "a")) in graph
    )
    turtle = wrapper(server, GET, TURTLE, construct).query().convert()
    assert len(Graph().parse(data=turtle, format="turtle")) == len(graph)


def test_sparqlwrapper_update_with_the_token(server) -> None:
    update = f'INSERT DATA {{ <{TINY}c> <{SKOS.prefLabel}> "Gamma"@en }}'
    sparql = wrapper(server, POST, JSON, update)
    sparql.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    assert sparql.query().response.status == 204
    check = wrapper(server, GET, JSON, f"ASK {{ <{TINY}c> ?p 'Gamma'@en }}")
    assert check.query().convert()["boolean"] is True  # type: ignore[index]


def test_rdflib_sparqlstore_reads_the_union_and_named_graphs(server) -> None:
    store = SPARQLStore(query_endpoint=server.url + "/sparql")
    union = Graph(store=store)
    rows = list(union.query(LABELS))
    assert [str(row[0]) for row in rows] == ["Beta", "Bêta"]  # type: ignore[index]
    assert (URIRef(TINY + "b"), SKOS.broader, URIRef(TINY + "a")) in union
    # A graph with an identifier sends default-graph-uri: only that graph is read.
    tiny = Graph(store=store, identifier=URIRef(graph_iri_for("tiny.ttl")))
    assert len(list(tiny.triples((None, SKOS.prefLabel, None)))) == 4
    other = Graph(store=store, identifier=URIRef("http://example.org/no-such-graph"))
    assert len(list(other.triples((None, None, None)))) == 0


def test_rdflib_sparqlupdatestore_writes_with_the_token(server) -> None:
    endpoint = server.url + "/sparql"
    store = SPARQLUpdateStore(
        query_endpoint=endpoint,
        update_endpoint=endpoint,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    graph = Graph(store=store, identifier=URIRef("http://example.org/notes"))
    triple = (URIRef(TINY + "a"), SKOS.note, Literal("written by rdflib", lang="en"))
    graph.add(triple)
    assert triple in graph
    graph.update(f'INSERT DATA {{ <{TINY}b> <{SKOS.note}> "second"@en }}')
    assert len(list(graph.triples((None, SKOS.note, None)))) == 2
    graph.remove(triple)
    assert triple not in graph
    assert (
        requests.get(
            server.url + "/store", params={"graph": "http://example.org/notes"}, timeout=30
        ).text.count("second")
        == 1
    )


def test_rdflib_sparqlupdatestore_without_the_token_is_refused(server) -> None:
    endpoint = server.url + "/sparql"
    store = SPARQLUpdateStore(query_endpoint=endpoint, update_endpoint=endpoint)
    graph = Graph(store=store, identifier=URIRef("http://example.org/notes"))
    with pytest.raises(HTTPError) as refused:
        graph.add((URIRef(TINY + "a"), SKOS.note, Literal("no")))
    assert refused.value.code == 401
    refused.value.close()
