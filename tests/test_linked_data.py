"""Dereferenceable IRIs over real HTTP: HTML and RDF by Accept, extension and ?format=, 406/404,
/page?uri=, dumps of every format and the VoID description."""

from __future__ import annotations

import pytest
import requests
from conftest import LiveServer
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

from graph_service import create_app
from graph_service.namespaces import VOID
from graph_service.store.embedded import EmbeddedStore

PDV = "https://w3id.org/pdv/"
CONCEPT = PDV + "notions/empowerment"
SCHEME = PDV + "notions"
TERRITORY = PDV + "territoires/commune/59350"
FORMATS = {  # short name: (media type, extension, rdflib parser)
    "turtle": ("text/turtle", "ttl", "turtle"),
    "jsonld": ("application/ld+json", "jsonld", "json-ld"),
    "rdfxml": ("application/rdf+xml", "rdf", "xml"),
    "ntriples": ("application/n-triples", "nt", "nt"),
}


@pytest.fixture(scope="module")
def resource(vocab_store: EmbeddedStore) -> str:
    """An article of the committed vocabulary (found, not named, so renames do not break this)."""
    rows = vocab_store.select(
        "SELECT ?r WHERE { ?r <http://purl.org/dc/terms/spatial> ?t ; "
        "<http://purl.org/dc/terms/subject> ?c } ORDER BY ?r LIMIT 1"
    )
    return str(rows[0]["r"])


def path_of(iri: str) -> str:
    return "/" + iri.removeprefix(PDV)


def parse(response: requests.Response, parser: str) -> Graph:
    graph = Graph()
    graph.parse(data=response.content, format=parser)
    return graph


@pytest.mark.parametrize("kind", ["concept", "scheme", "territory", "resource"])
def test_every_format_by_accept_extension_and_parameter(
    server: LiveServer, resource: str, kind: str
) -> None:
    iri = {"concept": CONCEPT, "scheme": SCHEME, "territory": TERRITORY, "resource": resource}[kind]
    url = server.url + path_of(iri)
    graphs = {}
    for name, (media_type, extension, parser) in FORMATS.items():
        by_accept = requests.get(url, headers={"Accept": media_type}, timeout=30)
        assert by_accept.status_code == 200, by_accept.text
        assert by_accept.headers["Content-Type"].split(";")[0] == media_type
        assert "Accept" in by_accept.headers["Vary"]
        assert by_accept.headers["Content-Location"] == f"{path_of(iri)}.{extension}"
        graph = parse(by_accept, parser)
        assert (URIRef(iri), None, None) in graph
        by_extension = requests.get(f"{url}.{extension}", timeout=30)
        assert by_extension.headers["Content-Type"].split(";")[0] == media_type
        by_parameter = requests.get(url, params={"format": extension}, timeout=30)
        assert by_parameter.headers["Content-Type"].split(";")[0] == media_type
        assert isomorphic(graph, parse(by_extension, parser))
        assert isomorphic(graph, parse(by_parameter, parser))
        graphs[name] = graph
    # The same data whatever the serialisation: JSON-LD compared as a graph with Turtle.
    assert isomorphic(graphs["jsonld"], graphs["turtle"])
    assert isomorphic(graphs["rdfxml"], graphs["ntriples"])
    html = requests.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.headers["Content-Type"].startswith("text/html")
    assert iri in html.text


def test_concept_data_has_neighbour_labels(server: LiveServer) -> None:
    graph = parse(requests.get(server.url + path_of(CONCEPT) + ".ttl", timeout=30), "turtle")
    broader = list(graph.objects(URIRef(CONCEPT), SKOS.broader))
    assert broader
    assert any(graph.objects(broader[0], SKOS.prefLabel))  # the neighbour's label came along
    narrower = list(graph.subjects(SKOS.broader, URIRef(CONCEPT)))
    assert narrower  # concepts pointing at it as broader are included


def test_quality_values_and_406(server: LiveServer) -> None:
    url = server.url + path_of(CONCEPT)
    chosen = requests.get(url, headers={"Accept": "text/turtle;q=0.5, application/rdf+xml;q=0.9"})
    assert chosen.headers["Content-Type"].startswith("application/rdf+xml")
    assert (
        requests.get(url, headers={"Accept": "*/*"}).headers["Content-Type"].startswith("text/html")
    )
    refused = requests.get(url, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "text/turtle" in refused.text
    assert requests.get(url, params={"format": "pdf"}).status_code == 406


def test_unknown_iri_is_404_with_a_message(server: LiveServer) -> None:
    missing = requests.get(
        server.url + "/notions/no-such-concept", headers={"Accept": "text/turtle"}
    )
    assert missing.status_code == 404
    assert "https://w3id.org/pdv/notions/no-such-concept" in missing.text
    assert requests.get(server.url + "/notions/no-such-concept.ttl").status_code == 404


def test_page_parameter(server: LiveServer, resource: str) -> None:
    ours = requests.get(server.url + "/page", params={"uri": CONCEPT}, allow_redirects=False)
    assert ours.status_code == 303
    assert ours.headers["Location"].endswith(path_of(CONCEPT))
    # An external IRI present as a subject is rendered in place.
    external = "http://example.org/external/thing"
    assert requests.get(server.url + "/page", params={"uri": external}).status_code == 404
    assert requests.get(server.url + "/page", params={"uri": "not an iri"}).status_code == 400
    assert requests.get(server.url + "/page").status_code == 400
    followed = requests.get(server.url + "/page", params={"uri": resource, "format": "ttl"})
    assert followed.headers["Content-Type"].startswith("text/turtle")


def test_external_subjects_render_in_place() -> None:
    store = EmbeddedStore()
    store.load(
        '<http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "<b>X</b>"@fr .',
        "turtle",
        graph="http://example.org/g",
    )
    client = create_app({"TESTING": True, "STORE": store}).test_client()
    page = client.get("/page", query_string={"uri": "http://example.org/x"})
    assert page.status_code == 200
    assert "&lt;b&gt;X&lt;/b&gt;" in page.get_data(as_text=True)  # escaped, never markup
    ttl = client.get("/page", query_string={"uri": "http://example.org/x", "format": "ttl"})
    assert ttl.headers["Content-Type"].startswith("text/turtle")


def test_html_pages_escape_data() -> None:
    store = EmbeddedStore()
    store.load(
        """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/pdv/notions/x> a skos:Concept ; skos:prefLabel "<script>alert(1)</script>"@fr ;
  skos:definition "a & b"@fr .""",
        "turtle",
        graph="http://example.org/g",
    )
    client = create_app({"TESTING": True, "STORE": store}).test_client()
    body = client.get("/notions/x").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "a &amp; b" in body


def test_public_base_equal_to_namespace_serves_the_iris_themselves(vocab_store) -> None:
    app = create_app({"TESTING": True, "STORE": vocab_store, "PUBLIC_BASE": PDV})
    client = app.test_client()
    # A request for https://w3id.org/pdv/notions/empowerment lands on /notions/empowerment.
    response = client.get("/notions/empowerment", base_url="https://w3id.org/pdv/")
    assert response.status_code == 200
    void = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    assert (None, VOID.sparqlEndpoint, URIRef(PDV + "sparql")) in void


@pytest.mark.parametrize("extension", ["ttl", "nt", "rdf", "jsonld"])
def test_scheme_dumps(server: LiveServer, vocab_store: EmbeddedStore, extension: str) -> None:
    media_type, parser = next((m, p) for m, e, p in FORMATS.values() if e == extension)
    response = requests.get(f"{server.url}/dumps/notions.{extension}", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(media_type)
    graph = parse(response, parser)
    assert len(graph) == vocab_store.count(PDV + "graph/notions")
    assert (URIRef(SCHEME), RDF.type, SKOS.ConceptScheme) in graph


@pytest.mark.parametrize("extension,parser", [("trig", "trig"), ("nq", "nquads")])
def test_dataset_dumps(
    server: LiveServer, vocab_store: EmbeddedStore, extension: str, parser: str
) -> None:
    response = requests.get(f"{server.url}/dumps/all.{extension}", timeout=60, stream=True)
    assert response.status_code == 200
    assert "Content-Length" not in response.headers  # streamed graph by graph
    dataset = Dataset()
    dataset.parse(data=response.content, format=parser)
    for graph in vocab_store.named_graphs():
        assert len(dataset.graph(URIRef(graph))) == vocab_store.count(graph), graph


def test_merged_dumps(server: LiveServer, vocab_store: EmbeddedStore) -> None:
    graph = parse(requests.get(server.url + "/dumps/all.ttl", timeout=60), "turtle")
    assert (URIRef(TERRITORY), SKOS.prefLabel, Literal("Lille", lang="fr")) in graph
    assert requests.get(server.url + "/dumps/nope.ttl").status_code == 404
    assert requests.get(server.url + "/dumps/notions.pdf").status_code == 404


def test_void(server: LiveServer, vocab_store: EmbeddedStore) -> None:
    response = requests.get(server.url + "/.well-known/void", timeout=30)
    assert response.headers["Content-Type"].startswith("text/turtle")
    void = parse(response, "turtle")
    dataset = URIRef(server.url + "/.well-known/void#dataset")
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert (dataset, VOID.sparqlEndpoint, URIRef(server.url + "/sparql")) in void
    assert (dataset, VOID.uriSpace, Literal(PDV)) in void
    assert (dataset, DCTERMS.modified, None) in void
    notions = URIRef(server.url + "/.well-known/void#notions")
    assert (dataset, VOID.subset, notions) in void
    triples = int(void.value(notions, VOID.triples))
    assert triples == vocab_store.count(PDV + "graph/notions")
    dumps = {str(o) for o in void.objects(notions, VOID.dataDump)}
    assert server.url + "/dumps/notions.ttl" in dumps
    for dump in dumps:
        assert requests.head(dump, timeout=30).status_code == 200
    as_jsonld = requests.get(
        server.url + "/.well-known/void", headers={"Accept": "application/ld+json"}
    )
    assert isomorphic(parse(as_jsonld, "json-ld"), void)


def test_malformed_paths_and_iris_are_client_errors(vocab_store) -> None:
    client = create_app({"TESTING": True, "STORE": vocab_store}).test_client()
    for path in ["/notions/a b", "/notions/%3Cscript%3E", "/%7B%7D", '/notions/x"y']:
        response = client.get(path)
        assert response.status_code == 404, path
        assert (
            "<script>" not in response.get_data(as_text=True) or response.mimetype == "text/plain"
        )
    for uri in ["http://a b", "http://a\x00b", "no-scheme"]:
        assert client.get("/page", query_string={"uri": uri}).status_code == 400, uri
