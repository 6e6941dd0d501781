"""The WSGI fast path for GET /sparql answers exactly as the Flask view does, or leaves it to it."""

from __future__ import annotations

import pytest

from graph_service import create_app
from graph_service.web.sparql.fast import SparqlFastPath

SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
SELECT = SKOS + 'SELECT ?c WHERE { ?c skos:prefLabel "Empowerment"@fr }'
SELECT_MANY = SKOS + "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l } ORDER BY ?c ?l LIMIT 30"
ACCENTS = SKOS + 'SELECT ?c WHERE { ?c skos:prefLabel "Démocratie participative"@fr }'
RELATIVE = "SELECT (<relative> AS ?x) WHERE {}"
ASK = SKOS + "ASK { ?c a skos:Concept }"
CONSTRUCT = SKOS + "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c skos:prefLabel ?l } LIMIT 5"
DESCRIBE = "DESCRIBE <https://w3id.org/pdv/notions/empowerment>"

#: (query string, Accept header) of requests a data client sends: answered by the fast path.
PLAIN = [
    ({"query": SELECT}, "application/sparql-results+json"),
    ({"query": SELECT_MANY, "format": "xml"}, None),
    ({"query": SELECT_MANY}, "text/csv"),
    ({"query": SELECT_MANY}, "text/tab-separated-values;q=0.9, text/csv;q=0.5"),
    ({"query": ACCENTS}, "application/sparql-results+json"),
    ({"query": RELATIVE}, "application/sparql-results+json"),
    ({"query": ASK}, None),
    ({"query": CONSTRUCT}, "text/turtle"),
    ({"query": CONSTRUCT}, "*/*"),
    ({"query": DESCRIBE, "format": "json"}, None),
    ({"query": DESCRIBE}, "application/n-triples"),
    ({"query": SELECT}, "application/json"),  # generic types that hand-written clients send
    ({"query": ASK}, "text/xml"),
    ({"query": CONSTRUCT}, "application/json"),
]
#: Requests the fast path leaves to Flask: failures, browsers, datasets, other parameters.
DELEGATED = [
    ({"query": "SELECT ?x WHERE { ?x }"}, "application/sparql-results+json"),  # 400
    ({"query": SELECT}, "image/png"),  # 406
    ({"query": SELECT_MANY}, "application/sparql-results+json"),  # 422 over the row limit
    ({"query": "x" * 300}, None),  # 413
    ({"query": SELECT}, "text/html,application/xhtml+xml,*/*;q=0.8"),  # the query page
    ({"query": SELECT, "default-graph-uri": "https://w3id.org/pdv/graph/notions.ttl"}, None),
    ({"query": SELECT, "extra": "1"}, None),
    ({}, "text/turtle"),  # the service description
]


def _fast_layer(app) -> SparqlFastPath | None:  # type: ignore[no-untyped-def]
    """The fast path among the app's WSGI layers (each keeps the one inside it as .app)."""
    layer = app.wsgi_app
    while layer is not None and not isinstance(layer, SparqlFastPath):
        layer = getattr(layer, "app", None)
    return layer


def _apps(vocab_store, **config):
    base = {"TESTING": True, "STORE": vocab_store, "RESPONSE_CACHE_BYTES": 0, **config}
    fast = create_app({**base, "SPARQL_FAST_PATH": True})
    slow = create_app({**base, "SPARQL_FAST_PATH": False})
    assert _fast_layer(fast) is not None
    assert _fast_layer(slow) is None
    return fast, slow


def _same_answer(fast, slow, params, accept):
    headers = {"Accept": accept} if accept else {}
    one = fast.test_client().get("/sparql", query_string=params, headers=headers)
    other = slow.test_client().get("/sparql", query_string=params, headers=headers)
    assert one.status_code == other.status_code
    assert dict(one.headers) == dict(other.headers)
    assert one.data == other.data
    return one


@pytest.mark.parametrize(("params", "accept"), PLAIN)
def test_plain_queries_get_the_views_answer_without_flask(vocab_store, params, accept):
    fast, slow = _apps(vocab_store)
    response = _same_answer(fast, slow, params, accept)
    assert response.status_code == 200
    assert response.data
    assert _fast_layer(fast).answered == 1


@pytest.mark.parametrize(("params", "accept"), DELEGATED)
def test_everything_else_is_left_to_the_view(vocab_store, params, accept):
    fast, slow = _apps(vocab_store, MAX_RESULT_ROWS=10, MAX_QUERY_LENGTH=200)
    _same_answer(fast, slow, params, accept)
    assert _fast_layer(fast).answered == 0


def test_conditional_requests_get_304_from_the_view(vocab_store):
    fast, _ = _apps(vocab_store)
    client = fast.test_client()
    first = client.get("/sparql", query_string={"query": ASK})
    again = client.get(
        "/sparql", query_string={"query": ASK}, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert _fast_layer(fast).answered == 1  # the first one only


@pytest.fixture
def runs(monkeypatch) -> list[str]:
    """The texts of the queries handed to a query runner during the test."""
    from graph_service.query import runner as query_runner

    texts: list[str] = []
    original = query_runner.get_runner

    class Counting:
        def __init__(self, runner):
            self.runner = runner

        def run(self, *args, **kwargs):
            texts.append(args[1].query)
            return self.runner.run(*args, **kwargs)

    monkeypatch.setattr(query_runner, "get_runner", lambda *a, **k: Counting(original(*a, **k)))
    return texts


def test_a_failed_query_runs_once(vocab_store, runs):
    """The view reports the fast path's failure instead of running the query a second time."""
    fast, _ = _apps(vocab_store)
    response = fast.test_client().get("/sparql", query_string={"query": "SELECT ?x { ?x }"})
    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith("400 Bad Request : ")
    assert len(response.get_data(as_text=True)) > 30  # the parser's message follows
    assert runs == ["SELECT ?x { ?x }"]


@pytest.mark.parametrize("cache_bytes", [0, 1 << 20])
def test_a_repeated_query_runs_once_with_or_without_the_response_cache(
    vocab_store, runs, cache_bytes
):
    """Without the response cache, the answer cache keeps what the fast path answered."""
    fast = create_app({"TESTING": True, "STORE": vocab_store, "RESPONSE_CACHE_BYTES": cache_bytes})
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <urn:fast-path-repeat> }"
    client = fast.test_client()
    bodies = [client.get("/sparql", query_string={"query": text}).data for _ in range(3)]
    assert bodies[0] == bodies[1] == bodies[2]
    # The response cache keeps an answer from its second request; the answer cache at once.
    assert len(runs) == (1 if cache_bytes == 0 else 2)
