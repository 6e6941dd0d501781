"""The GET response cache: hits within a data version, never across a write, never personal."""

from __future__ import annotations

import pytest
from flask import Flask, Response, request

from graph_service.web.response_cache import ResponseCache


class Counter:
    """A tiny WSGI app (Flask) that counts how often it really answers."""

    def __init__(self, keep_first_answers: bool = True) -> None:
        self.calls = 0
        self.version = "v1"
        app = Flask(__name__)

        @app.get("/page")
        def page() -> Response:
            self.calls += 1
            body = f"{request.args.get('q', '')}:{request.headers.get('Accept', '')}:{self.calls}"
            response = Response(body)
            response.headers["Vary"] = "Accept"
            return response

        @app.get("/private")
        def private() -> Response:
            self.calls += 1
            return Response("p", headers={"Cache-Control": "no-store"})

        @app.get("/missing")
        def missing() -> Response:
            self.calls += 1
            return Response("no", status=404)

        @app.get("/stream")
        def stream() -> Response:
            self.calls += 1
            return Response(iter([b"a", b"b"]))

        self.app = app
        app.wsgi_app = ResponseCache(  # type: ignore[method-assign]
            app.wsgi_app, lambda: self.version, keep_first_answers=keep_first_answers
        )


@pytest.fixture
def counter() -> Counter:
    return Counter()


def test_repeated_get_is_answered_from_memory(counter: Counter):
    client = counter.app.test_client()
    first = client.get("/page?q=a", headers={"Accept": "text/html"}).data
    second = client.get("/page?q=a", headers={"Accept": "text/html"}).data
    assert first == second and counter.calls == 1


def test_by_default_an_answer_is_kept_from_its_second_request():
    counter = Counter(keep_first_answers=False)
    client = counter.app.test_client()
    bodies = [client.get("/page?q=a").data for _ in range(4)]
    client.get("/page?q=b")
    assert counter.calls == 3  # q=a answered twice by the app, then from memory; q=b once
    assert bodies[1] == bodies[2] == bodies[3] != bodies[0]
    counter.version = "v2"  # a new version forgets what was seen
    client.get("/page?q=a")
    client.get("/page?q=a")
    assert counter.calls == 5


def test_vary_headers_and_query_strings_are_part_of_the_key(counter: Counter):
    client = counter.app.test_client()
    client.get("/page?q=a", headers={"Accept": "text/html"})
    client.get("/page?q=a", headers={"Accept": "text/turtle"})
    client.get("/page?q=b", headers={"Accept": "text/html"})
    assert counter.calls == 3


def test_a_new_data_version_empties_the_cache(counter: Counter):
    client = counter.app.test_client()
    client.get("/page")
    counter.version = "v2"
    assert client.get("/page").data.endswith(b":2")


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer x"}, {"If-None-Match": '"x"'}, None],
)
def test_personal_and_conditional_requests_go_through(counter: Counter, headers):
    client = counter.app.test_client()
    if headers is None:  # a cookie
        client.set_cookie("session", "abc")
        headers = {}
    client.get("/page", headers=headers)
    client.get("/page", headers=headers)
    assert counter.calls == 2


@pytest.mark.parametrize("path", ["/private", "/missing", "/stream"])
def test_no_store_errors_and_streams_are_not_kept(counter: Counter, path: str):
    client = counter.app.test_client()
    client.get(path)
    client.get(path)
    assert counter.calls == 2


def test_posts_are_never_cached(counter: Counter):
    counter.app.add_url_rule("/page", "post", lambda: "x", methods=["POST"])
    client = counter.app.test_client()
    client.post("/page")
    client.get("/page")
    client.get("/page")
    assert counter.calls == 1


def test_through_the_service_a_write_is_seen_at_once(tmp_path, tiny_vocab):
    from graph_service import create_app
    from graph_service.store.build import build_store, open_current

    build_store(tiny_vocab, tmp_path / "data")
    store = open_current(tmp_path / "data")
    app = create_app({"TESTING": True, "STORE": store, "UPDATE_TOKEN": "t"})
    client = app.test_client()
    query = {"query": "SELECT ?l WHERE { <http://example.org/tiny/b> ?p ?l FILTER(lang(?l)='de') }"}
    accept = {"Accept": "application/sparql-results+json"}
    assert (
        client.get("/sparql", query_string=query, headers=accept).json["results"]["bindings"] == []
    )
    assert client.get("/sparql", query_string=query, headers=accept).status_code == 200
    update = "INSERT DATA { GRAPH <urn:g> { <http://example.org/tiny/b> <urn:p> 'Beta'@de } }"
    answer = client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer t"})
    assert answer.status_code in (200, 204)
    rows = client.get("/sparql", query_string=query, headers=accept).json["results"]["bindings"]
    assert rows and rows[0]["l"]["value"] == "Beta"
