"""SERVICE and LOAD cannot make the service fetch URLs: federation off by default, an allow-list
when configured, LOAD refused, and a failing endpoint's reply never copied into the answer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from conftest import TINY_SCHEME

from graph_service import create_app
from graph_service.store.build import build_store
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.federation import (
    FederationRefused,
    allowed_endpoints,
    check_services,
    check_update,
)
from graph_service.store.sparql_text import keyword_targets

TOKEN = "federation-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/"
SECRET = "SECRET-ADMIN-PAGE"
#: A SPARQL JSON answer with one row, as a real endpoint gives.
ROWS = json.dumps(
    {
        "head": {"vars": ["s"]},
        "results": {"bindings": [{"s": {"type": "uri", "value": EX + "far"}}]},
    }
).encode()


class Probe:
    """An HTTP server on 127.0.0.1 that records every request: /sparql answers one row, /html a
    web page, every other path a 500 whose body holds a secret."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path.split("?", 1)[0])
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/sparql"):
                    status, media, body = 200, "application/sparql-results+json", ROWS
                elif self.path.startswith("/html"):
                    status, media, body = 200, "text/html", f"<p>{SECRET}</p>".encode()
                else:
                    status, media, body = 500, "text/plain", SECRET.encode()
                self.send_response(status)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def probe() -> Iterator[Probe]:
    server = Probe()
    yield server
    server.stop()


def make_client(store, fast: bool = True, **config: object):
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}")
    app = create_app(
        {
            "TESTING": True,
            "STORE": store,
            "UPDATE_TOKEN": TOKEN,
            "RESPONSE_CACHE_BYTES": 0,
            "SPARQL_FAST_PATH": fast,
            **config,
        }
    )
    return app.test_client()


def attacks(url: str) -> list[str]:
    """Queries that make the engine call `url` (each checked against pyoxigraph: it calls)."""
    return [
        f"SELECT * WHERE {{ SERVICE <{url}/admin> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/silent> {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{url}/lower> {{ ?s ?p ?o }} }}",
        f"PREFIX e: <{url}/> SELECT * WHERE {{ SERVICE e:prefixed {{ ?s ?p ?o }} }}",
        f"BASE <{url}/> SELECT * WHERE {{ SERVICE <relative> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{url}/\\u0061dmin> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o.SERVICE <{url}/glued> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o # SERVICE in a comment\n SERVICE <{url}/x> {{ }} }}",
    ]


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("index", range(8))
def test_service_is_refused_by_default_and_nothing_is_fetched(
    memory_store, probe: Probe, fast: bool, index: int
):
    client = make_client(memory_store, fast)
    query = attacks(probe.url)[index]
    for response in (
        client.get("/sparql", query_string={"query": query}),
        client.post("/sparql", data={"query": query}),
        client.post("/sparql", data=query, content_type="application/sparql-query"),
    ):
        assert response.status_code == 400, response.data
        assert b"federation is disabled" in response.data
    assert probe.hits == []


def test_the_refusal_comes_before_the_remote_store_could_fetch(oxigraph_server, probe: Probe):
    client = make_client(oxigraph_server.remote_store())
    response = client.get("/sparql", query_string={"query": attacks(probe.url)[0]})
    assert response.status_code == 400
    assert b"federation is disabled" in response.data
    assert probe.hits == []


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p ?o FILTER(?o != "SERVICE <http://127.0.0.1/> { }") }',
        "SELECT * WHERE { ?s ?p ?o FILTER(?s != <http://example.org/SERVICE>) }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ?o FILTER(?s != ex:SERVICE) }",
        "SELECT ?SERVICE WHERE { ?SERVICE ?p ?o } # SERVICE <http://127.0.0.1/>",
    ],
)
def test_service_in_a_string_iri_name_or_comment_is_no_service(memory_store, query: str):
    response = make_client(memory_store).get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.data


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <{url}/load>",
        "LOAD SILENT <{url}/load> INTO GRAPH <http://example.org/g>",
        "INSERT DATA { <http://example.org/x> <http://example.org/p> 1 } ; load <{url}/load>",
    ],
)
def test_load_is_refused_with_the_token(memory_store, probe: Probe, update: str):
    client = make_client(memory_store, FEDERATION_ALLOW=probe.url + "/load")
    response = client.post(
        "/sparql", data={"update": update.replace("{url}", probe.url)}, headers=AUTH
    )
    assert response.status_code == 400
    assert b"LOAD is refused" in response.data
    assert b"/curation/import" in response.data
    assert probe.hits == []


def test_service_inside_an_update_is_refused_by_default(memory_store, probe: Probe):
    client = make_client(memory_store)
    update = (
        f"INSERT {{ GRAPH <{EX}g> {{ ?s <{EX}p> 2 }} }} "
        f"WHERE {{ SERVICE <{probe.url}/admin> {{ ?s ?p ?o }} }}"
    )
    response = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 400
    assert b"federation is disabled" in response.data
    assert probe.hits == []


# --- with an allow-list -------------------------------------------------------------------------


def test_allowed_endpoints_only(probe: Probe):
    client = make_client(EmbeddedStore(), FEDERATION_ALLOW=f"{probe.url}/sparql, {EX}sparql")
    allowed = f"SELECT ?s WHERE {{ SERVICE <{probe.url}/sparql> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", query_string={"query": allowed})
    assert response.status_code == 200, response.data
    assert json.loads(response.data)["results"]["bindings"] == [
        {"s": {"type": "uri", "value": EX + "far"}}
    ]
    assert probe.hits == ["/sparql"]
    other = f"SELECT * WHERE {{ SERVICE <{probe.url}/admin> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", query_string={"query": other})
    assert response.status_code == 400
    assert b"not an allowed endpoint" in response.data
    variable = f"SELECT * WHERE {{ BIND(<{probe.url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", query_string={"query": variable})
    assert response.status_code == 400
    assert b"full IRI" in response.data
    assert probe.hits == ["/sparql"]


@pytest.mark.parametrize("path", ["/fails", "/html"])
def test_a_failing_endpoint_gives_502_without_its_reply(probe: Probe, path: str):
    client = make_client(EmbeddedStore(), FEDERATION_ALLOW=probe.url + path)
    service = f"SERVICE <{probe.url}{path}> {{ ?s ?p ?o }}"
    query = f"SELECT * WHERE {{ {service} }}"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 502
    assert SECRET.encode() not in response.data
    assert b"its reply is not shown" in response.data
    assert probe.hits == [path]
    update = f"INSERT {{ GRAPH <{EX}g> {{ ?s <{EX}p> 3 }} }} WHERE {{ {service} }}"
    response = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 502, response.data
    assert SECRET.encode() not in response.data


def test_a_syntax_error_of_a_federated_query_is_still_reported(probe: Probe):
    client = make_client(EmbeddedStore(), FEDERATION_ALLOW=probe.url + "/sparql")
    query = f"SELECT * WHERE {{ SERVICE <{probe.url}/sparql> {{ ?s ?p }} }}"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert b"error at 1:" in response.data


def test_query_workers_of_a_built_store_check_too(
    tmp_path: Path, probe: Probe, live_server_factory
):
    (tmp_path / "vocab").mkdir()
    (tmp_path / "vocab" / "tiny.ttl").write_text(TINY_SCHEME, encoding="utf-8")
    build_store(tmp_path / "vocab", tmp_path / "data")
    server = live_server_factory(
        tmp_path / "data", GRAPH_SERVICE_FEDERATION_ALLOW=probe.url + "/sparql"
    )
    allowed = f"SELECT ?s WHERE {{ SERVICE <{probe.url}/sparql> {{ ?s ?p ?o }} }}"
    response = requests.get(server.url + "/sparql", params={"query": allowed}, timeout=30)
    assert response.status_code == 200, response.text
    refused = f"SELECT * WHERE {{ SERVICE <{probe.url}/admin> {{ ?s ?p ?o }} }}"
    response = requests.get(server.url + "/sparql", params={"query": refused}, timeout=30)
    assert response.status_code == 400
    assert probe.hits == ["/sparql"]


# --- reading the text ---------------------------------------------------------------------------


def test_keyword_targets_resolve_what_the_engine_would_call():
    text = (
        "BASE <http://a.example/dir/> PREFIX e: <sub/> SELECT * WHERE { "
        "SERVICE <rel> {} SERVICE e:x {} SERVICE SILENT <http://b.example/> {} SERVICE ?v {} "
        "SERVICE undeclared:x {} }"
    )
    assert keyword_targets(text, "SERVICE") == [
        "http://a.example/dir/rel",
        "http://a.example/dir/sub/x",
        "http://b.example/",
        None,
        None,
    ]
    assert keyword_targets("SELECT * { SERVICE <x> {} }", "SERVICE", "http://c.example/") == [
        "http://c.example/x"
    ]


def test_escapes_hide_no_keyword():
    # Decoded before parsing, \u0053ERVICE is SERVICE to an engine that follows the standard.
    assert check_services("SELECT * { ?s ?p ?o }", ()) == ()
    for text in (
        "SELECT * { \\u0053ERVICE <http://127.0.0.1/> {} }",
        # And an escaped quote that would open a string once decoded hides no raw SERVICE.
        'SELECT * { ?s ?p "\\u0022" SERVICE <http://127.0.0.1/> {} }',
    ):
        with pytest.raises(FederationRefused, match="federation is disabled"):
            check_services(text, ())


def test_check_update_and_the_setting():
    assert allowed_endpoints(" http://a/sparql,http://b/ http://a/sparql ") == (
        "http://a/sparql",
        "http://b/",
    )
    assert allowed_endpoints("") == ()
    with pytest.raises(FederationRefused, match="LOAD"):
        check_update("PREFIX e: <http://e/> LOAD e:x", ("http://e/x",))
    assert check_update('INSERT DATA { <http://e/a> <http://e/p> "LOAD <x>" }', ()) == ()
