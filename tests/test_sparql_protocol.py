"""The SPARQL 1.1 Protocol at /sparql through Flask's test client: formats, datasets, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import Namespace

from graph_service import create_app
from graph_service.model.examples import EXAMPLES
from graph_service.namespaces import MAX_IRI_LENGTH, valid_iri
from graph_service.query.runner import count_rows
from graph_service.store.build import open_current
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.sparql_text import add_using, query_form

EX = "http://example.org/"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TOKEN = "s3cret-token"
DATA = f"""
INSERT DATA {{
  GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> "A"@fr, "<script>alert(1)</script>" . }}
  GRAPH <{EX}g2> {{ <{EX}b> <{EX}p> 2 . }}
}}"""
SELECT_ALL = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def make_app(store: EmbeddedStore, **config: object):
    """An app on `store` with the update token set (unless config says otherwise)."""
    return create_app({"TESTING": True, "STORE": store, "UPDATE_TOKEN": TOKEN, **config})


@pytest.fixture
def store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.update(DATA)
    return store


@pytest.fixture
def client(store: EmbeddedStore):
    return make_app(store).test_client()


def bindings(response) -> list[dict]:
    assert response.status_code == 200, response.data
    return json.loads(response.data)["results"]["bindings"]


# --- queries and formats ------------------------------------------------------------------------


def test_get_query_answers_json_by_default_over_the_union_of_graphs(client) -> None:
    response = client.get("/sparql", query_string={"query": SELECT_ALL})
    assert response.mimetype == "application/sparql-results+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert {row["s"]["value"] for row in bindings(response)} == {EX + "a", EX + "b"}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
        ("application/sparql-results+json,*/*;q=0.9", "application/sparql-results+json"),
        ("application/rdf+xml, application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_accept_with_q_values_picks_the_results_format(client, accept, media_type) -> None:
    response = client.get("/sparql", query_string={"query": SELECT_ALL}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("xml", "application/sparql-results+xml"),
        ("application/sparql-results+json", "application/sparql-results+json"),
    ],
)
def test_format_parameter_beats_accept(client, fmt, media_type) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": SELECT_ALL, "format": fmt, "output": fmt, "results": fmt},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.mimetype == media_type


@pytest.mark.parametrize(
    ("accept", "fmt", "media_type", "rdflib_format"),
    [
        ("*/*", None, "text/turtle", "turtle"),
        ("application/n-triples", None, "application/n-triples", "nt"),
        ("application/ld+json", None, "application/ld+json", "json-ld"),
        ("application/rdf+xml", None, "application/rdf+xml", "xml"),
        ("application/trig", None, "application/trig", "trig"),
        ("application/n-quads", None, "application/n-quads", "nquads"),
        ("*/*", "json", "application/ld+json", "json-ld"),
        ("*/*", "xml", "application/rdf+xml", "xml"),
        ("*/*", "n3", "text/turtle", "turtle"),
    ],
)
def test_construct_answers_in_every_rdf_format(client, accept, fmt, media_type, rdflib_format):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    params = {"query": query, **({"format": fmt} if fmt else {})}
    response = client.get("/sparql", query_string=params, headers={"Accept": accept})
    assert response.status_code == 200, response.data
    assert response.mimetype == media_type
    graph = Graph().parse(data=response.data, format=rdflib_format)
    assert len(graph) == 3


def test_describe_and_ask(client) -> None:
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{EX}b>"})
    assert response.mimetype == "text/turtle"
    assert len(Graph().parse(data=response.data, format="turtle")) == 1
    response = client.get("/sparql", query_string={"query": f"ASK {{ <{EX}b> ?p 2 }}"})
    assert json.loads(response.data)["boolean"] is True


def test_post_form_and_direct_post(client) -> None:
    response = client.post("/sparql", data={"query": SELECT_ALL})
    assert len(bindings(response)) == 3
    response = client.post(
        "/sparql", data=SELECT_ALL.encode(), content_type="application/sparql-query"
    )
    assert len(bindings(response)) == 3


def test_dataset_parameters_replace_the_union_default_graph(client) -> None:
    only_g1 = {"query": SELECT_ALL, "default-graph-uri": EX + "g1"}
    assert {row["s"]["value"] for row in bindings(client.get("/sparql", query_string=only_g1))} == {
        EX + "a"
    }
    query = "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = client.post(
        f"/sparql?named-graph-uri={EX}g2", data=query, content_type="application/sparql-query"
    )
    assert {row["g"]["value"] for row in bindings(named)} == {EX + "g2"}
    # With only named graphs given, the default graph is empty (SPARQL 1.1 Protocol 2.1.4).
    response = client.get(
        "/sparql", query_string={"query": SELECT_ALL, "named-graph-uri": EX + "g2"}
    )
    assert bindings(response) == []


def test_406_lists_the_formats_offered_for_the_query_form(client) -> None:
    response = client.get(
        "/sparql", query_string={"query": SELECT_ALL}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    assert b"application/sparql-results+json" in response.data
    construct = "CONSTRUCT WHERE { ?s ?p ?o }"
    response = client.get(
        "/sparql",
        query_string={"query": construct},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 406
    assert b"text/turtle" in response.data
    assert response.headers["Cache-Control"] == "no-store"


# --- errors ---------------------------------------------------------------------------------


def test_malformed_query_is_400_with_line_and_column(client) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT *\nWHERE { ?s ?p }"})
    assert response.status_code == 400
    assert re.search(rb"2:\d+", response.data), response.data
    assert b"Traceback" not in response.data
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("get", {"query_string": "query=ASK%7B%7D&query=SELECT%20*%20%7B%7D"}),
        ("get", {"query_string": {"update": "CLEAR ALL"}}),
        ("post", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}}),
        ("post", {"data": {"update": ["CLEAR NAMED", "CLEAR DEFAULT"]}, "headers": AUTH}),
        ("post", {"data": {"other": "x"}}),
        (
            "post",
            {"query_string": {"default-graph-uri": "not an iri"}, "data": {"query": "ASK {}"}},
        ),
    ],
)
def test_protocol_misuse_is_400(client, method, kwargs) -> None:
    response = getattr(client, method)("/sparql", **kwargs)
    assert response.status_code == 400, response.data


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "", "application/sparql-query; charset=UTF-16", "application/json"],
)
def test_unsupported_body_is_415(client, content_type) -> None:
    response = client.post("/sparql", data=b"ASK {}", content_type=content_type or None)
    assert response.status_code == 415


def test_bad_utf8_is_400(client) -> None:
    response = client.post("/sparql", data=b"ASK { \xff }", content_type="application/sparql-query")
    assert response.status_code == 400


def test_put_is_405(client) -> None:
    assert client.put("/sparql", data={"query": "ASK {}"}).status_code == 405


def test_long_query_is_413(store) -> None:
    client = make_app(store, MAX_QUERY_LENGTH=100).test_client()
    response = client.post("/sparql", data={"query": "ASK {}" + " " * 200})
    assert response.status_code == 413
    assert b"100" in response.data


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_too_many_rows_is_an_error_never_a_cut_answer(store, fmt) -> None:
    store.update(
        "INSERT DATA { " + " ".join(f"<{EX}n{i}> <{EX}q> {i} ." for i in range(300)) + " }"
    )
    client = make_app(store, MAX_RESULT_ROWS=50).test_client()
    response = client.get("/sparql", query_string={"query": SELECT_ALL, "format": fmt})
    assert response.status_code == 422
    assert b"50" in response.data and b"LIMIT" in response.data
    limited = client.get("/sparql", query_string={"query": SELECT_ALL + " LIMIT 50", "format": fmt})
    assert limited.status_code == 200


def test_count_rows_in_every_format_with_tricky_values(store) -> None:
    store.update(f'INSERT DATA {{ <{EX}c> <{EX}p> "x\\ny\\r\\nz\\t}}}},{{\\"<result>" }}')
    for fmt in ("json", "xml", "csv", "tsv"):
        body = store.query_serialized(SELECT_ALL, result_format=fmt).body
        assert count_rows(body, fmt) == 4, fmt


# --- updates -------------------------------------------------------------------------------------


def test_updates_are_refused_without_a_configured_token(store) -> None:
    client = make_app(store, UPDATE_TOKEN="").test_client()
    response = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=AUTH)
    assert response.status_code == 403
    assert b"updates are disabled" in response.data


def test_update_without_credentials_is_401_and_with_a_wrong_token_403(client) -> None:
    response = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["Cache-Control"] == "no-store"
    wrong = client.post(
        "/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 403
    basic = client.post(
        "/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": "Basic dTpw"}
    )
    assert basic.status_code == 401
    assert len(bindings(client.get("/sparql", query_string={"query": SELECT_ALL}))) == 3


def test_update_then_query_sees_the_change(client, store) -> None:
    version = store.version
    update = f"INSERT DATA {{ <{EX}new> <{EX}p> 'new' }}"
    response = client.post(
        "/sparql",
        data=update.encode(),
        content_type="application/sparql-update; charset=UTF-8",
        headers=AUTH,
    )
    assert response.status_code == 204
    assert response.headers["Cache-Control"] == "no-store"
    assert store.version != version
    assert len(bindings(client.get("/sparql", query_string={"query": SELECT_ALL}))) == 4


def test_malformed_update_is_400_and_changes_nothing(client) -> None:
    response = client.post(
        "/sparql", data={"update": f"INSERT DATA {{ <{EX}x> <{EX}p> 1 }} ; CLEAR XYZ"}, headers=AUTH
    )
    assert response.status_code == 400
    assert b"1:" in response.data
    assert len(bindings(client.get("/sparql", query_string={"query": SELECT_ALL}))) == 3


def test_using_graph_uri_sets_the_update_dataset(client) -> None:
    update = f"INSERT {{ GRAPH <{EX}copy> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    response = client.post(
        f"/sparql?using-graph-uri={EX}g2",
        data=update,
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert response.status_code == 204
    rows = bindings(
        client.get("/sparql", query_string={"query": SELECT_ALL, "default-graph-uri": EX + "copy"})
    )
    assert [row["s"]["value"] for row in rows] == [EX + "b"]
    conflict = client.post(
        f"/sparql?using-graph-uri={EX}g2",
        data=f"WITH <{EX}g1> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert conflict.status_code == 400


def test_updates_resolve_relative_iris_against_the_endpoint(client) -> None:
    response = client.post("/sparql", data={"update": "INSERT DATA { <s> <p> <o> }"}, headers=AUTH)
    assert response.status_code == 204
    rows = bindings(client.get("/sparql", query_string={"query": "SELECT ?o WHERE { ?s ?p ?o }"}))
    assert "http://localhost/o" in {row["o"]["value"] for row in rows}


# --- the SPARQL text helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * {}", "select"),
        ("PREFIX ex: <http://x/> # c\nBASE <http://b/>\nconstruct where {}", "construct"),
        ("PREFIX : <http://x/>\nASK {}", "ask"),
        ("# DESCRIBE\nDESCRIBE <x>", "describe"),
        ("INSERT DATA {}", None),
        ("", None),
    ],
)
def test_query_form(query, form) -> None:
    assert query_form(query) == form


def test_add_using_skips_braces_strings_and_comments() -> None:
    update = """PREFIX ex: <http://x/> # a WHERE in a comment
DELETE { ?s ex:p "WHERE }" } INSERT { ?s ex:q 1 } WHERE { ?s ex:p ?o } ;
DELETE WHERE { ?s ex:r ?o } ;
INSERT DATA { ex:a ex:where ex:b }"""
    rewritten = add_using(update, ["http://g/1"], ["http://g/2"])
    using = "USING <http://g/1> USING NAMED <http://g/2>"
    assert rewritten.count(using) == 2
    assert f"INSERT {{ ?s ex:q 1 }} {using} WHERE" in rewritten
    assert f"DELETE {{ ?s ex:r ?o }} {using} WHERE {{ ?s ex:r ?o }}" in rewritten
    store = EmbeddedStore()
    store.update(rewritten)  # still valid SPARQL


def test_valid_iri() -> None:
    assert valid_iri("http://example.org/a#b")
    assert not valid_iri("relative/path")
    assert not valid_iri("http://x/> } ; DROP ALL ; <x")
    # One rule everywhere: a long IRI is refused by every endpoint alike.
    assert valid_iri("http://example.org/" + "a" * (MAX_IRI_LENGTH - 19))
    assert not valid_iri("http://example.org/" + "a" * 5000)


# --- service description and the page ------------------------------------------------------------


def test_service_description_is_turtle_with_sd_endpoint(client) -> None:
    response = client.get("/sparql")
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    endpoint = URIRef("http://localhost/sparql")
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Update) in graph
    assert {str(g) for g in graph.objects(None, SD.name)} == {EX + "g1", EX + "g2"}
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert (endpoint, SD.endpoint, endpoint) in Graph().parse(data=jsonld.data, format="json-ld")


def test_browsers_get_the_query_page_with_examples(client) -> None:
    response = client.get("/sparql", headers={"Accept": BROWSER})
    assert response.mimetype == "text/html"
    page = response.data.decode()
    assert 'action="/sparql"' in page and 'name="query"' in page
    assert "skos:broader*" in page and "langMatches" in page
    assert "sparql.js" in page


def test_browsers_get_results_as_an_escaped_html_table(client) -> None:
    response = client.post("/sparql", data={"query": SELECT_ALL}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    page = response.data.decode()
    assert "<table>" in page and f'href="{EX}a"' in page
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    error = client.get("/sparql", query_string={"query": "SELECT {"}, headers={"Accept": BROWSER})
    assert error.status_code == 400 and 'class="error"' in error.data.decode()


def test_cors_preflight(client) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.net",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    for header in ("Content-Type", "Accept", "Authorization"):
        assert header in response.headers["Access-Control-Allow-Headers"]


def test_the_worker_pool_sees_updates_on_a_persistent_store(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.update(DATA)
    client = make_app(store).test_client()
    assert len(bindings(client.get("/sparql", query_string={"query": SELECT_ALL}))) == 3
    update = f"INSERT DATA {{ <{EX}new> <{EX}p> 'new' }}"
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
    assert len(bindings(client.get("/sparql", query_string={"query": SELECT_ALL}))) == 4
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {"})
    assert response.status_code == 400 and b"1:" in response.data


def test_head_runs_like_get_without_a_body(client) -> None:
    response = client.head("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 200 and response.data == b""
    assert response.mimetype == "application/sparql-results+json"


@pytest.mark.parametrize("accept", ["application/n-quads", "application/sparql-results+json"])
def test_service_description_falls_back_to_turtle(client, accept) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == "text/turtle"


def test_the_page_examples_run_on_the_committed_vocabulary(vocab_store: EmbeddedStore) -> None:
    client = make_app(vocab_store).test_client()
    for number, example in enumerate(EXAMPLES):
        response = client.post("/sparql", data={"query": example.query})
        assert response.status_code == 200, (example.title_en, response.data)
        if number < 3:  # the theme, the resources of the Nord, the labels: never empty
            assert json.loads(response.data)["results"]["bindings"], example.title_en


def test_a_read_only_store_refuses_writes(built_vocab_dir) -> None:
    # The embedded store opened read-only (the remote vocabulary store would take the write).
    client = make_app(open_current(built_vocab_dir, read_only=True)).test_client()
    response = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=AUTH)
    assert response.status_code == 403 and b"read-only" in response.data
