"""Limits on writes through HTTP: one change's size (413), the wait for the write lock (503)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from graph_service import create_app
from graph_service.store.changes import write_documents, write_drop, write_lock, write_patch
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import Journal
from graph_service.store.patches import Patch, rows_in_graph
from graph_service.store.write_limits import ChangeTooLarge, WriteLimits

TOKEN = "limits-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G = "http://example.org/graph/big"
LIMIT = 5
TTL = "text/turtle; charset=utf-8"


def triples(count: int, start: int = 0) -> str:
    """N-Triples of `count` distinct triples."""
    return "".join(
        f'<http://example.org/s{i}> <http://example.org/p> "v{i}" .\n'
        for i in range(start, start + count)
    )


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path)


@pytest.fixture
def store(journal: Journal) -> EmbeddedStore:
    """A store whose graph G holds 10 triples (loaded without limits, as the command line does)."""
    store = EmbeddedStore()
    write_documents(store, journal, [(triples(10), "ntriples")], G, replace=True)
    return store


@pytest.fixture
def client(store: EmbeddedStore, journal: Journal):
    app = create_app(
        {
            "TESTING": True,
            "STORE": store,
            "JOURNAL": journal,
            "UPDATE_TOKEN": TOKEN,
            "MAX_CHANGE_QUADS": LIMIT,
            "WRITE_LOCK_WAIT": 0.2,
        }
    )
    return app.test_client()


def assert_refused(response, store: EmbeddedStore, journal: Journal) -> None:
    """413 with the limit and the way to load bulk data; nothing journalled, G untouched."""
    assert response.status_code == 413, response.data
    text = response.get_data(as_text=True)
    assert "more than 5 quads" in text and "GRAPH_SERVICE_MAX_CHANGE_QUADS" in text
    assert "graph-service import" in text
    assert journal.last_seq() == 1  # only the fixture's load
    assert store.count(G) == 10


def update(client, text: str):
    return client.post(
        "/sparql", data=text.encode(), content_type="application/sparql-update", headers=AUTH
    )


def test_insert_data_past_the_limit_is_refused(client, store, journal) -> None:
    response = update(client, f"INSERT DATA {{ GRAPH <{G}> {{ {triples(6, 100)} }} }}")
    assert_refused(response, store, journal)


def test_an_update_whose_patch_is_past_the_limit_is_refused(client, store, journal) -> None:
    assert_refused(update(client, f"DROP GRAPH <{G}>"), store, journal)
    response = update(client, f"DELETE WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}")
    assert_refused(response, store, journal)


def test_changes_within_the_limit_are_written(client, store, journal) -> None:
    response = update(client, f"INSERT DATA {{ GRAPH <{G}> {{ {triples(5, 100)} }} }}")
    assert response.status_code == 204, response.data
    assert store.count(G) == 15


@pytest.mark.parametrize("method", ["put", "post"])
def test_graph_store_bodies_past_the_limit_are_refused(client, store, journal, method) -> None:
    send = getattr(client, method)
    response = send(
        f"/store?graph={G}",
        data=triples(6, 100).encode(),
        content_type="application/n-triples",
        headers=AUTH,
    )
    assert_refused(response, store, journal)


def test_a_put_that_would_remove_too_much_is_refused(client, store, journal) -> None:
    response = client.put(
        f"/store?graph={G}", data=triples(1, 100).encode(), content_type=TTL, headers=AUTH
    )
    assert_refused(response, store, journal)


def test_graph_store_delete_of_a_large_graph_is_refused(client, store, journal) -> None:
    assert_refused(client.delete(f"/store?graph={G}", headers=AUTH), store, journal)
    small = "http://example.org/graph/small"
    assert client.put(
        f"/store?graph={small}", data=triples(3).encode(), content_type=TTL, headers=AUTH
    ).status_code in (201, 204)
    assert client.delete(f"/store?graph={small}", headers=AUTH).status_code == 204
    assert not store.has_graph(small)


def test_a_form_patch_past_the_limit_is_refused(store, journal) -> None:
    """The curation forms commit through write_patch with the request's limits."""
    rows = tuple(f'<http://example.org/s{i}> <http://example.org/p> "w{i}" <{G}>' for i in range(6))

    def make_patch(_store):
        return Patch(added=rows), "a large edit"

    with pytest.raises(ChangeTooLarge):
        write_patch(store, journal, make_patch, author="x", limits=WriteLimits(max_quads=LIMIT))
    assert journal.last_seq() == 1 and store.count(G) == 10


def test_the_command_line_has_no_limit(store, journal) -> None:
    write_documents(store, journal, [(triples(50, 100), "ntriples")], G, replace=False)
    assert store.count(G) == 60
    write_drop(store, journal, G)
    assert not store.has_graph(G)


def test_a_write_waiting_too_long_for_the_lock_gets_503(client, store, journal) -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write_lock(journal):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        response = update(client, f'INSERT DATA {{ GRAPH <{G}> {{ <urn:a> <urn:b> "c" }} }}')
        put = client.put(
            f"/store?graph={G}", data=triples(1).encode(), content_type=TTL, headers=AUTH
        )
    finally:
        release.set()
        holder.join()
    for refused in (response, put):
        assert refused.status_code == 503, refused.data
        assert int(refused.headers["Retry-After"]) >= 1
        assert "write lock" in refused.get_data(as_text=True)
    assert journal.last_seq() == 1 and store.count(G) == 10
    # Once the lock is free, the same write goes through.
    again = update(client, f'INSERT DATA {{ GRAPH <{G}> {{ <urn:a> <urn:b> "c" }} }}')
    assert again.status_code == 204


def test_parsing_stops_at_the_quad_past_the_limit() -> None:
    """The parser is not run to the end: a syntax error after the limit is never reached."""
    data = triples(6) + "this is not N-Triples\n"
    with pytest.raises(ChangeTooLarge):
        rows_in_graph(data, "ntriples", G, limits=WriteLimits(max_quads=LIMIT))
