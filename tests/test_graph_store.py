"""The Graph Store HTTP Protocol at /store through Flask's test client."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from graph_service import create_app
from graph_service.store.embedded import EmbeddedStore

TOKEN = "gsp-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G = "http://example.org/graph/1"
TURTLE = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/people/1> a foaf:Person ; foaf:name "Jeanne" ;
    foaf:knows [ foaf:name "Paul" ] ."""
MORE = '<http://example.org/people/1> <http://xmlns.com/foaf/0.1/nick> "JJ" .'
TTL = "text/turtle; charset=utf-8"


@pytest.fixture
def store() -> EmbeddedStore:
    return EmbeddedStore()


@pytest.fixture
def client(store: EmbeddedStore):
    return create_app({"TESTING": True, "STORE": store, "UPDATE_TOKEN": TOKEN}).test_client()


def put(client, target: str, body: str = TURTLE, content_type: str = TTL, **kwargs):
    return client.put(target, data=body.encode(), content_type=content_type, headers=AUTH, **kwargs)


def test_put_creates_then_replaces_a_graph(client) -> None:
    response = put(client, f"/store?graph={G}")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    again = put(client, f"/store?graph={G}", MORE, "application/n-triples")
    assert again.status_code == 204
    got = client.get(f"/store?graph={G}")
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert got.headers["Access-Control-Allow-Origin"] == "*"
    assert isomorphic(Graph().parse(data=got.data, format="turtle"), Graph().parse(data=MORE))


def test_get_negotiates_and_head_has_no_body(client) -> None:
    put(client, f"/store?graph={G}")
    expected = Graph().parse(data=TURTLE, format="turtle")
    for accept, fmt in (
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ):
        response = client.get("/store", query_string={"graph": G}, headers={"Accept": accept})
        assert response.mimetype == accept
        assert isomorphic(Graph().parse(data=response.data, format=fmt), expected)
    head = client.head(f"/store?graph={G}")
    assert head.status_code == 200 and head.data == b""
    assert head.mimetype == "text/turtle"
    assert client.get(f"/store?graph={G}", headers={"Accept": "image/png"}).status_code == 406


def test_missing_graphs_are_404(client) -> None:
    assert client.get(f"/store?graph={G}").status_code == 404
    assert client.head(f"/store?graph={G}").status_code == 404
    assert client.delete(f"/store?graph={G}", headers=AUTH).status_code == 404


def test_delete_removes_the_graph(client) -> None:
    put(client, f"/store?graph={G}")
    assert client.delete(f"/store?graph={G}", headers=AUTH).status_code == 204
    assert client.get(f"/store?graph={G}").status_code == 404


def test_post_merges_and_multipart_adds_every_file(client) -> None:
    assert (
        client.post(
            f"/store?graph={G}", data=TURTLE.encode(), content_type=TTL, headers=AUTH
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/store?graph={G}",
            data=MORE.encode(),
            content_type="application/n-triples",
            headers=AUTH,
        ).status_code
        == 204
    )
    boundary = "xyz0123"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=a; filename=a.ttl\r\n"
        f"Content-Type: text/turtle\r\n\r\n<http://x/a> <http://x/p> [ <http://x/q> 1 ] .\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=b; filename=b.nt\r\n"
        f'Content-Type: application/n-triples\r\n\r\n<http://x/b> <http://x/p> "2" .\r\n'
        f"--{boundary}--\r\n"
    )
    response = client.post(
        f"/store?graph={G}",
        data=body.encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=AUTH,
    )
    assert response.status_code == 204
    graph = Graph().parse(data=client.get(f"/store?graph={G}").data, format="turtle")
    assert len(graph) == 4 + 1 + 3


def test_post_to_the_store_creates_a_graph_named_in_location(client) -> None:
    response = client.post("/store", data=TURTLE.encode(), content_type=TTL, headers=AUTH)
    assert response.status_code == 201
    location = response.headers["Location"]
    assert location.startswith("http://localhost/store/")
    assert client.get("/store", query_string={"graph": location}).status_code == 200
    # The new graph's IRI is also its URL (direct identification).
    assert client.get(location.removeprefix("http://localhost")).status_code == 200


def test_default_graph_is_the_real_default_graph(client, store) -> None:
    put(client, f"/store?graph={G}")
    assert client.get("/store?default").data.strip() == b""
    assert put(client, "/store?default", MORE, "application/n-triples").status_code == 204
    graph = Graph().parse(data=client.get("/store?default").data, format="turtle")
    assert len(graph) == 1
    assert client.delete("/store?default", headers=AUTH).status_code == 204
    assert store.count(G) == 4


def test_direct_identification(client) -> None:
    assert put(client, "/store/people/1.ttl").status_code == 201
    assert client.get("/store/people/1.ttl").status_code == 200
    response = client.get("/store", query_string={"graph": "http://localhost/store/people/1.ttl"})
    assert response.status_code == 200


def test_whole_dataset_as_trig(client) -> None:
    put(client, f"/store?graph={G}")
    response = client.get("/store")
    assert response.mimetype == "application/trig"
    dataset = Dataset().parse(data=response.data, format="trig")
    assert len(dataset.graph(G)) == 4


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong"}, 403)],
)
def test_writes_need_the_token(client, headers, status) -> None:
    for method in ("put", "post", "delete"):
        response = getattr(client, method)(
            f"/store?graph={G}", data=TURTLE.encode(), content_type=TTL, headers=headers
        )
        assert response.status_code == status, method
    assert client.get(f"/store?graph={G}").status_code == 404


def test_writes_are_disabled_without_a_configured_token(store) -> None:
    client = create_app({"TESTING": True, "STORE": store, "UPDATE_TOKEN": ""}).test_client()
    response = put(client, f"/store?graph={G}")
    assert response.status_code == 403 and b"updates are disabled" in response.data


@pytest.mark.parametrize(
    ("target", "body", "content_type", "status"),
    [
        (f"/store?graph={G}", TURTLE, "application/x-unknown", 415),
        (f"/store?graph={G}", TURTLE, "text/turtle; charset=latin-1", 415),
        (f"/store?graph={G}", "<a> <b> <c> .", "application/trig", 415),
        (f"/store?graph={G}", "<http://x/a> <http://x/b> .", TTL, 400),
        (f"/store?graph={G}&default", TURTLE, TTL, 400),
        ("/store?graph=not-an-iri", TURTLE, TTL, 400),
        ("/store?graph=http://[::1", TURTLE, TTL, 400),
        ("/store/bad%ZZencoding", TURTLE, TTL, 400),
        ("/store", TURTLE, TTL, 405),
    ],
)
def test_bad_writes(client, store, target, body, content_type, status) -> None:
    response = put(client, target, body, content_type)
    assert response.status_code == status, response.data
    assert response.headers["Cache-Control"] == "no-store"
    assert store.count() == 0


def test_cors_preflight_allows_reads_only(client) -> None:
    response = client.options("/store")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "PUT" not in response.headers["Access-Control-Allow-Methods"]


def test_invalid_graph_names_are_400_for_reads_too(client) -> None:
    assert client.get("/store?graph=http://[::1").status_code == 400
    assert client.get("/store/bad%ZZencoding").status_code == 400
