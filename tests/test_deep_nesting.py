"""Deep nesting is refused before a parser sees it, and no process dies of it.

The audit of issue 19: `ASK {` + 5000 `{` killed a query worker; a 20,000-deep JSON-LD PUT or a
5000-brace update killed the web process itself (every request in flight lost); deeply nested
JSON made /reconcile and /api/suggest answer 500 (RecursionError). Each is sent here to a real
server, which must answer 400 with a message and keep its processes.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

from graph_service import create_app
from graph_service.store.build import build_store
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.nesting import check_document, check_sparql, deeper_than

TOKEN = "deep-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PATIENCE = 120.0
JSON = {"Accept": "application/sparql-results+json"}


def deep_jsonld(levels: int) -> str:
    return (
        '{"@id": "http://example.org/a", "http://example.org/p": ' * levels + '"v"' + "}" * levels
    )


def deep_triple_terms(levels: int) -> str:
    """Turtle whose object is a triple term within a triple term ... `levels` deep."""
    head = "<http://example.org/a> <http://example.org/p> "
    return head + ("<<( " + head) * levels + '"v"' + " )>>" * levels + " ."


def deep_rdfxml(levels: int) -> str:
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:x="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
        + '<x:p rdf:parseType="Resource">' * levels
        + "<x:q>v</x:q>"
        + "</x:p>" * levels
        + "</rdf:Description></rdf:RDF>"
    )


# --- the scan ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scan", "text", "deepest"),
    [
        ("turtle", "ASK { { { } } }", 3),
        ("turtle", 'ASK { FILTER("{{{{{{" = "}") } # {{{{{{\n', 2),
        ("turtle", "SELECT * { <http://a/x> ?p ?o FILTER((((1)))) }", 5),
        ("turtle", '<a> <b> """ [[[[ "" \\""" ]]""" . <a> <b> [ <c> [ <d> 1 ] ] .', 2),
        ("turtle", "<a> <b> <<( <a> <b> <<( <a> <b> <c> )>> )>> .", 4),
        ("turtle", "}}}}}}}}}} { { { } } }", 3),  # stray closers hide nothing
        ("json", '{"a": "[[[[[[[[", "b": [[1]]}', 3),
        ("json", '{"a": "\\"[[[[", "b": [[[1]]]}', 4),
        ("xml", '<?xml version="1.0"?><a><!-- <b><b> --><b x="<c>"/><c><d></d></c></a>', 3),
        ("xml", '<a><b u="x/"><c><d/></c></b></a>', 3),
    ],
)
def test_the_scan_counts_brackets_outside_strings_iris_and_comments(
    scan: str, text: str, deepest: int
) -> None:
    for form in (text, text.encode()):
        assert not deeper_than(scan, form, deepest)
        assert deeper_than(scan, form, deepest - 1)


def test_forged_closing_marks_cannot_hide_depth() -> None:
    """Bytes that never occur in UTF-8 text are dropped before the marks are counted."""
    assert deeper_than("json", b"\xff" * 500 + b"[" * 300 + b"]" * 300, 200)


def test_the_engine_parses_what_the_limit_lets_through() -> None:
    """The limit is below the depth that crashes the engine, with room to spare: a document
    at the limit is read (the crashes began between 1,000 and 5,000 levels)."""
    check_document(deep_jsonld(200).encode(), "jsonld", 200)
    store = EmbeddedStore()
    assert store.load(deep_jsonld(200).encode(), "jsonld", graph="http://example.org/g") == 200
    check_sparql("ASK " + "{" * 200 + "}" * 200, 200)
    assert store.ask("ASK " + "{" * 200 + "}" * 200)


# --- the setting, in the app (depths that crash nothing, so this fails without the check) ---


@pytest.fixture
def client():
    app = create_app(
        {"TESTING": True, "STORE": EmbeddedStore(), "UPDATE_TOKEN": TOKEN, "MAX_NESTING": 5}
    )
    return app.test_client()


def test_the_limit_is_a_setting_for_queries_and_updates(client) -> None:
    flat = client.get("/sparql", query_string={"query": "ASK {{{{}}}}"}, headers=JSON)
    assert flat.status_code == 200, flat.text
    deep = client.get("/sparql", query_string={"query": "ASK {{{{{{}}}}}}"}, headers=JSON)
    assert deep.status_code == 400 and "5 levels deep" in deep.text
    update = "INSERT { <http://a/s> <http://a/p> 1 } WHERE { {{{{{ }}}}} }"
    answer = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert answer.status_code == 400 and "5 levels deep" in answer.text


def test_the_limit_is_a_setting_for_graph_store_documents(client) -> None:
    for body, media in [
        (deep_jsonld(6), "application/ld+json"),
        (deep_triple_terms(3), "text/turtle"),
        (deep_rdfxml(6), "application/rdf+xml"),
    ]:
        answer = client.put(
            "/store?graph=http://example.org/g", data=body, content_type=media, headers=AUTH
        )
        assert answer.status_code == 400, (media, answer.text)
        assert "levels deep" in answer.text
    for body, media in [
        (deep_jsonld(4), "application/ld+json"),
        (deep_triple_terms(2), "text/turtle"),
        (deep_rdfxml(2), "application/rdf+xml"),  # in rdf:RDF and rdf:Description
    ]:
        answer = client.put(
            "/store?graph=http://example.org/g", data=body, content_type=media, headers=AUTH
        )
        assert answer.status_code in (201, 204), (media, answer.text)


def test_json_bodies_and_parameters_are_parsed_under_the_limit(client) -> None:
    nested = '{"q0": {"query": "x", "p": ' + "[" * 6 + "]" * 6 + "}}"
    answer = client.post("/reconcile", data={"queries": nested})
    assert answer.status_code == 400 and "levels deep" in answer.get_json()["error"]
    body = '{"text": "x", "more": ' + "[" * 6 + "]" * 6 + "}"
    answer = client.post("/api/suggest", data=body, content_type="application/json")
    assert answer.status_code == 400 and "levels deep" in answer.get_json()["error"]
    broken = client.post("/api/suggest", data='{"text": ', content_type="application/json")
    assert broken.status_code == 400 and "not valid JSON" in broken.get_json()["error"]


# --- a real server keeps its processes ----------------------------------------------------


def _children(pid: int) -> set[int]:
    """The server's lasting processes under `pid`: Granian's worker (the web process) and the
    query workers (short-lived helpers, like the search index's builder, are left out)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text(encoding="ascii", errors="replace")
            except OSError:
                continue
            parents[int(entry)] = int(stat.rpartition(")")[2].split()[1])
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        kids = [child for child, of in parents.items() if of == parent]
        todo.extend(kids)
        for kid in kids:
            try:
                command = Path(f"/proc/{kid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"worker_main" in command or b"graph_service.cli" in command:
                found.add(kid)
    return found


def _query(url: str, text: str) -> requests.Response:
    return requests.get(url + "/sparql", params={"query": text}, headers=JSON, timeout=PATIENCE)


def test_a_server_answers_400_to_every_deep_input_and_keeps_its_processes(
    tiny_vocab: Path, tmp_path: Path, live_server_factory
) -> None:
    data_dir = tmp_path / "data"
    build_store(tiny_vocab, data_dir)
    server = live_server_factory(data_dir, GRAPH_SERVICE_UPDATE_TOKEN=TOKEN)
    cheap = "ASK { ?s ?p ?o }"
    for _ in range(4):  # both workers booted and used once
        assert _query(server.url, cheap).status_code == 200
    before = _children(server.process.pid)
    assert before, "the server has no worker processes"

    deep_ask = "ASK " + "{" * 5000 + "}" * 5000
    answers = {
        "query": _query(server.url, deep_ask),
        "query by POST": requests.post(
            server.url + "/sparql",
            data=deep_ask,
            headers={**JSON, "Content-Type": "application/sparql-query"},
            timeout=PATIENCE,
        ),
        "parentheses": _query(server.url, "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"),
        "update": requests.post(
            server.url + "/sparql",
            data={
                "update": "INSERT { <http://a/s> <http://a/p> 1 } WHERE " + "{" * 5000 + "}" * 5000
            },
            headers=AUTH,
            timeout=PATIENCE,
        ),
        "JSON-LD": requests.put(
            server.url + "/store?graph=http://example.org/g",
            data=deep_jsonld(20_000),
            headers={**AUTH, "Content-Type": "application/ld+json"},
            timeout=PATIENCE,
        ),
        "triple terms": requests.put(
            server.url + "/store?graph=http://example.org/g",
            data=deep_triple_terms(20_000),
            headers={**AUTH, "Content-Type": "text/turtle"},
            timeout=PATIENCE,
        ),
        "RDF/XML": requests.put(
            server.url + "/store?graph=http://example.org/g",
            data=deep_rdfxml(50_000),
            headers={**AUTH, "Content-Type": "application/rdf+xml"},
            timeout=PATIENCE,
        ),
        "reconcile": requests.post(
            server.url + "/reconcile",
            data={"queries": '{"q0": ' + '{"a": ' * 20_000 + "1" + "}" * 20_001},
            timeout=PATIENCE,
        ),
        "suggest": requests.post(
            server.url + "/api/suggest",
            data='{"text": ' + "[" * 20_000 + "]" * 20_000 + "}",
            headers={"Content-Type": "application/json"},
            timeout=PATIENCE,
        ),
    }
    for what, answer in answers.items():
        assert answer.status_code == 400, (what, answer.status_code, answer.text[:300])
        assert "levels deep" in answer.text, (what, answer.text[:300])

    assert _query(server.url, cheap).status_code == 200
    assert requests.get(server.url + "/healthz", timeout=PATIENCE).status_code == 200
    assert _children(server.process.pid) == before  # no worker died, none was replaced
    assert server.process.poll() is None


def test_an_import_of_a_deep_document_fails_with_a_message(
    tiny_vocab: Path, tmp_path: Path, live_server_factory
) -> None:
    data_dir = tmp_path / "data"
    build_store(tiny_vocab, data_dir)
    server = live_server_factory(data_dir, GRAPH_SERVICE_UPDATE_TOKEN=TOKEN)
    before = _children(server.process.pid)
    started = requests.post(
        server.url + "/curation/import",
        files={"file": ("deep.jsonld", deep_jsonld(20_000).encode(), "application/ld+json")},
        data={"vocab_id": "deep"},
        headers={**AUTH, "Accept": "application/json"},
        timeout=PATIENCE,
    )
    assert started.status_code == 202, started.text
    status_url = server.url + started.json()["status_url"]
    deadline = time.monotonic() + PATIENCE
    while (job := requests.get(status_url, timeout=PATIENCE).json())["state"] not in (
        "done",
        "failed",
    ):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["state"] == "failed" and "levels deep" in job["error"], job
    assert requests.get(server.url + "/healthz", timeout=PATIENCE).status_code == 200
    assert _children(server.process.pid) == before
