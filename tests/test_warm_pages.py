"""Issue 18: after the warm-up, the home page, a scheme page and the VoID description answer
from the per-version caches (no query for what the warm-up computed); before it, the same
requests compute those answers themselves, which is what the first visitor used to pay."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from graph_service import create_app
from graph_service.model.schemes import schemes
from graph_service.search.index import get_index
from graph_service.store.embedded import EmbeddedStore
from graph_service.web.warmup import warmer_of

SCHEME = "http://example.org/thes"
DATA = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/thes/> .

<http://example.org/thes> a skos:ConceptScheme ; skos:prefLabel "Thes"@en, "Thés"@fr ;
    skos:hasTopConcept ex:top .
ex:top a skos:Concept ; skos:inScheme <http://example.org/thes> ; skos:prefLabel "Top"@en ;
    dct:modified "2026-01-02" .
ex:a a skos:Concept ; skos:inScheme <http://example.org/thes> ; skos:prefLabel "Alpha"@en ;
    skos:broader ex:top ; dct:created "2025-03-04" .
"""
RESOURCE = """
@prefix dct: <http://purl.org/dc/terms/> .
<http://example.org/res/1> dct:title "A report"@en ; dct:issued "2026-02-03" ;
    dct:subject <http://example.org/thes/a> .
"""
#: What the home page's two lists ask the engine (model/browse.py).
HOME_LISTS = ("dct:modified|dct:created", "?r dct:issued ?d")
#: What the alphabetical index's letters ask the search index (search/alphabetical.py).
LETTERS_SQL = "substr(l.folded, 1, 1)"


@pytest.fixture
def store() -> EmbeddedStore:
    """A scheme and a resource in named graphs of their own, as an import leaves them."""
    created = EmbeddedStore()
    created.load(DATA, "turtle", graph="http://example.org/graph/imports/thes")
    created.load(RESOURCE, "turtle", graph="http://example.org/graph/resources/1")
    return created


@pytest.fixture
def app(store: EmbeddedStore) -> Flask:
    return create_app({"TESTING": True, "STORE": store})


@pytest.fixture
def asked(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every query and graph count the real store is asked for, from now on."""
    seen: list[str] = []
    query_serialized, count = store.query_serialized, store.count

    def recorded_query(query: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(query)
        return query_serialized(query, *args, **kwargs)  # type: ignore[arg-type]

    def recorded_count(graph: str | None = None) -> int:
        seen.append(f"COUNT {graph}")
        return count(graph)

    monkeypatch.setattr(store, "query_serialized", recorded_query)
    monkeypatch.setattr(store, "count", recorded_count)
    yield seen


def _new_version(store: EmbeddedStore) -> None:
    """A write: every per-version answer is forgotten."""
    store.update(
        "INSERT DATA { GRAPH <http://example.org/graph/scratch> { "
        '<http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#comment> "x" } }'
    )


def _home_list_queries(seen: list[str]) -> list[str]:
    return [q for q in seen if any(part in q for part in HOME_LISTS)]


def test_home_page_lists_come_from_the_warm_up(app: Flask, store, asked) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    _new_version(store)
    assert client.get("/").status_code == 200
    assert len(_home_list_queries(asked)) >= 2  # cold: the page computes both lists
    _new_version(store)
    assert warmer_of(app).run_once() is not None
    asked.clear()
    page = client.get("/")
    assert page.status_code == 200 and "A report" in page.get_data(as_text=True)
    assert _home_list_queries(asked) == []


def test_void_graph_sizes_come_from_the_warm_up(app: Flask, store, asked) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    _new_version(store)
    assert client.get("/.well-known/void").status_code == 200
    assert any(q.startswith("COUNT ") for q in asked)  # cold: one count per graph
    _new_version(store)
    assert warmer_of(app).run_once() is not None
    asked.clear()
    void = client.get("/.well-known/void")
    assert void.status_code == 200 and "void:triples" in void.get_data(as_text=True)
    assert [q for q in asked if q.startswith("COUNT ")] == []


def _letters_sql(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL the current version's search index runs from now on."""
    index = get_index(store)
    seen: list[str] = []
    rows = index._rows

    def recorded(sql: str, params):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return rows(sql, params)

    monkeypatch.setattr(index, "_rows", recorded)
    return seen


def test_scheme_page_letters_come_from_the_warm_up(
    app: Flask, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    (summary,) = [s for s in schemes(store) if s.iri == SCHEME]
    path = f"/vocab/{summary.vocab_id}"
    cold = _letters_sql(store, monkeypatch)
    assert client.get(path).status_code == 200
    assert any(LETTERS_SQL in sql for sql in cold)  # cold: the page reads the letters
    _new_version(store)
    assert warmer_of(app).run_once() is not None
    warm = _letters_sql(store, monkeypatch)
    page = client.get(path)
    assert page.status_code == 200 and "Top" in page.get_data(as_text=True)
    assert [sql for sql in warm if LETTERS_SQL in sql] == []


def test_templates_are_compiled_once_by_the_warm_up(app: Flask) -> None:
    warmer = warmer_of(app)
    assert not warmer.templates_compiled
    report = warmer.run_once()
    assert report is not None and "templates" in report.steps and warmer.templates_compiled
    cached = {key[1] for key in app.jinja_env.cache or {}}
    assert {"home.html", "ui/scheme.html", "ui/concept.html"} <= cached


def test_the_journal_history_is_indexed_by_the_warm_up(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graph_service.model import history
    from graph_service.web.backend import get_journal

    with app.app_context():
        journal = get_journal()
        journal.append(author="a", message="m", added=(f"<{SCHEME}/a> <urn:p> <urn:o>",))
    report = warmer_of(app).run_once()
    assert report is not None and "journal index" in report.steps

    def no_reading(*args: object) -> None:
        raise AssertionError("the concept page read the journal again")

    with app.app_context():
        indexed = history._indexes[get_journal()]
    assert [c.message for c in indexed.changes] == ["m"]
    monkeypatch.setattr(history, "_row_iris", no_reading)  # what reading a change costs
    page = app.test_client().get("/page", query_string={"uri": f"{SCHEME}/a"})
    assert page.status_code == 200
