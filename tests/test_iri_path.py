"""The IRI catch-all leaves the paths of other routes to routing (a GET on a POST-only path is
405 with Allow), and only those: every other path, even under a route's prefix, is an IRI's."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from graph_service import create_app
from graph_service.store.embedded import EmbeddedStore

PDV = "https://w3id.org/pdv/"
#: An IRI of the namespace under the prefix of POST-only routes (/history/revert).
UNDER_A_ROUTE = PDV + "history/revision-1"


@pytest.fixture(scope="module")
def app() -> Flask:
    store = EmbeddedStore()
    store.load(
        f'<{UNDER_A_ROUTE}> <http://www.w3.org/2000/01/rdf-schema#label> "Révision"@fr .',
        "turtle",
        graph=PDV + "graph/test",
    )
    return create_app({"TESTING": True, "STORE": store})


def test_a_get_on_every_route_without_get_is_405_with_its_methods(app: Flask) -> None:
    client = app.test_client()
    rules = list(app.url_map.iter_rules())
    with_get = {rule.rule for rule in rules if rule.methods is None or "GET" in rule.methods}
    refused = 0
    for rule in rules:
        if rule.rule in with_get:  # /curation/import: a form page on GET, the import on POST
            continue
        path = re.sub(r"<[^>]+>", "x", rule.rule)
        answer = client.get(path)
        assert answer.status_code == 405, path  # not the catch-all's 404: the path exists
        allowed = set(answer.headers["Allow"].split(", "))
        assert rule.methods <= allowed and "GET" not in allowed, path
        refused += 1
    assert refused >= 10  # the editor's, the curation's and the reconciliation's POST routes


def test_the_405_says_what_to_use_and_allow_is_sorted(app: Flask) -> None:
    answer = app.test_client().head("/reconcile/v1/match")
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "OPTIONS, POST"
    text = app.test_client().get("/api/suggest").get_data(as_text=True)
    assert "GET is not accepted on /api/suggest: use POST" in text


def test_other_paths_stay_iri_paths(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/history/revision-1", headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and "Révision" in page.get_data(as_text=True)
    for path in ("/history/revert/more", "/reconcile/matches", "/logout.ttl"):
        missing = client.get(path)
        # The catch-all's own 404, which names the IRI: routing's would not.
        assert missing.status_code == 404 and "Allow" not in missing.headers, path
        assert "Could not find <" in missing.get_data(as_text=True), path


def test_preflight_on_a_post_only_path_is_still_answered(app: Flask) -> None:
    answer = app.test_client().options(
        "/reconcile/v1/match",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert answer.status_code == 200 and "POST" in answer.headers["Allow"]
