"""The home page and /healthz on the committed vocabulary, over real HTTP."""

from __future__ import annotations

import re
import time

import pytest
import requests
from rdflib import URIRef

from graph_service.namespaces import scheme_iri
from graph_service.store.embedded import EmbeddedStore


def _scheme_counts(html: str) -> dict[str, int]:
    pattern = r'data-vocab="([^"]+)">.*?<span class="n">([^<]+)</span>'
    return {
        vocab: int(re.sub(r"\D", "", count)) for vocab, count in re.findall(pattern, html, re.S)
    }


def test_home_lists_the_four_schemes_with_their_counts(
    built_vocab_dir, vocab_store: EmbeddedStore, live_server_factory
):
    server = live_server_factory(built_vocab_dir)
    page = requests.get(server.url + "/", timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    counts = _scheme_counts(page.text)
    assert list(counts) == ["notions", "thematiques", "territoires", "types"]
    for vocab, count in counts.items():
        expected = vocab_store.select(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a skos:Concept ; skos:inScheme $s }",
            {"s": URIRef(scheme_iri(vocab))},
        )[0]["n"]
        assert count == int(expected) > 0
    assert counts["notions"] >= 60
    assert counts["territoires"] > 3782


def test_home_in_english(client):
    page = client.get("/?lang=en")
    assert page.status_code == 200
    assert "Vocabularies" in page.get_data(as_text=True)
    assert '<html lang="en">' in page.get_data(as_text=True)


def test_healthz_reports_the_data_version_and_the_search_index(client, vocab_store):
    from graph_service.search.index import get_index, index_ready

    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {
        "status": "ok",
        "version": vocab_store.version,
        "search_index": "ready" if index_ready(vocab_store) else "building",
        "warm": "off",  # no warm-up thread under tests (tests/test_scheme_counts.py)
        "store": vocab_store.path.name if vocab_store.path else vocab_store.query_endpoint,
    }
    get_index(vocab_store)
    assert client.get("/healthz").json["search_index"] == "ready"


def test_healthz_without_a_store_is_503(tmp_path):
    from graph_service import create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert "graph-service build" in answer.json["error"]


def test_home_without_a_store_is_a_clear_503(tmp_path):
    from graph_service import create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path})
    answer = app.test_client().get("/", headers={"Accept": "text/html"})
    assert answer.status_code == 503
    assert "graph-service build" in answer.get_data(as_text=True)
    assert "Traceback" not in answer.get_data(as_text=True)


@pytest.mark.parametrize("setting", ["", "false"])
def test_the_access_log_can_be_turned_off(built_vocab_dir, live_server_factory, setting):
    env = {"GRAPH_SERVICE_ACCESS_LOG": setting} if setting else {}
    server = live_server_factory(built_vocab_dir, **env)
    assert requests.get(server.url + "/no-such-page-for-the-log", timeout=30).status_code == 404
    # The line is logged after the answer: wait for it as long as a loaded machine may need
    # (the loop ends as soon as it shows). Its absence can only be watched for a while; a
    # slow machine could make that check miss a line, never fail for a missing one.
    deadline = time.monotonic() + (60 if setting == "" else 1)
    while "/no-such-page-for-the-log" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ("/no-such-page-for-the-log" in server.output()) is (setting == "")
