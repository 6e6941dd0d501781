"""The resources under a concept, read from the search index, answer as the SPARQL join does."""

from __future__ import annotations

import threading

import pytest
from rdflib import URIRef

from graph_service.model.base import SPARQL_PREFIXES
from graph_service.model.base import rows as select_rows
from graph_service.model.resources import find_resources
from graph_service.model.tree import DOWN, narrower_closure
from graph_service.search import index as search_index
from graph_service.search.index import follow, get_index, index_ready
from graph_service.store import EmbeddedStore
from graph_service.store.changes import write_update
from graph_service.store.journal import MemoryJournal

EX = "http://example.org/u/"
G = "https://w3id.org/pdv/graph/notions"
# A 3-level hierarchy stated both ways, a cycle (b2 -> b), an unrelated concept; resources with
# one date, two dates (the newest counts), no date, equal dates (then by IRI), mixed lexical
# forms, two subjects in one closure (counted once), a subject outside every closure.
DATA = f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix : <{EX}> .
:top a skos:Concept ; skos:narrower :a .
:a a skos:Concept .
:b a skos:Concept ; skos:broader :top ; skos:narrower :b1 .
:a1 a skos:Concept ; skos:broader :a .
:b1 a skos:Concept ; skos:narrower :b2 .
:b2 a skos:Concept ; skos:narrower :b .
:elsewhere a skos:Concept .
:lonely a skos:Concept .
:r01 dct:title "r01" ; dct:subject :top ; dct:issued "2020-01-01"^^xsd:date .
:r02 dct:title "r02" ; dct:subject :a ; dct:issued "2021-06-01"^^xsd:date, "2019-01-01"^^xsd:date .
:r03 dct:title "r03" ; dct:subject :a1 .
:r04 dct:title "r04" ; dct:subject :b ; dct:issued "2021-06-01"^^xsd:date .
:r05 dct:title "r05" ; dct:subject :b1, :b2 ; dct:issued "2022" .
:r06 dct:title "r06" ; dct:subject :b2 .
:r07 dct:title "r07" ; dct:subject :a1, :elsewhere ; dct:issued "2023-03"^^xsd:gYearMonth .
:r08 dct:title "r08" ; dct:subject :elsewhere ; dct:issued "2024-01-01"^^xsd:date .
:r09 dct:title "r09" ; dct:subject :b ; dct:issued "2021-06-01"^^xsd:date .
:r10 dct:title "r10" ; dct:subject :top, :a1 ; dct:issued "2018-12-31"^^xsd:date .
:r11 dct:title "r11" ; dct:subject :b2 ; dct:issued "2022-01-01T10:00:00"^^xsd:dateTime .
"""
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
CONCEPTS = ["top", "a", "a1", "b", "b1", "b2", "elsewhere", "lonely", "nowhere"]
#: (limit, offset) of the pages compared: whole lists, pages of 3, past the end, nothing.
PAGES = [(100, 0), (3, 0), (3, 3), (3, 6), (3, 9), (3, 12), (5, 50), (0, 0)]
#: The semantics asked for, written as one SPARQL query (the closure joined inside).
REFERENCE = (
    SPARQL_PREFIXES
    + """SELECT ?r (MAX(STR(?d)) AS ?date) WHERE {
  $c (skos:narrower|^skos:broader)* ?s . ?r dct:subject ?s OPTIONAL { ?r dct:issued ?d }
} GROUP BY ?r ORDER BY DESC(?date) ?r"""
)


def _reference(store: EmbeddedStore, concept: str) -> list[str]:
    return [str(r["r"]) for r in select_rows(store, REFERENCE, {"c": URIRef(EX + concept)})]


def _closure(store: EmbeddedStore, concept: str, path: str) -> list[str]:
    query = SPARQL_PREFIXES + f"SELECT DISTINCT ?s WHERE {{ $c {path} ?s }}"
    return sorted(str(r["s"]) for r in select_rows(store, query, {"c": URIRef(EX + concept)}))


def _check_index(store: EmbeddedStore) -> None:
    """The index's answers equal the references for every concept and page."""
    index = get_index(store)
    for concept in CONCEPTS:
        for include_self, path in ((True, f"{DOWN}*"), (False, f"{DOWN}+")):
            if include_self and concept == "nowhere":
                # The engine's path of length 0 reaches only a term of the store (the spec:
                # any term); no caller can tell, since nothing in the store joins with it.
                assert index.narrower_closure(EX + concept) == [EX + concept]
                continue
            assert sorted(index.narrower_closure(EX + concept, include_self)) == _closure(
                store, concept, path
            ), (concept, include_self)
        expected = _reference(store, concept)
        for limit, offset in PAGES:
            assert index.resources_under(EX + concept, limit, offset) == (
                len(expected),
                expected[offset : offset + limit],
            ), (concept, limit, offset)


def _found(store: EmbeddedStore, concept: str, limit: int, offset: int) -> tuple[int, list[str]]:
    page = find_resources(store, EX + concept, include_narrower=True, limit=limit, offset=offset)
    return page.total, [item.iri for item in page.items]


@pytest.fixture
def store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(DATA, "turtle", graph=G)
    return store


def _write(store: EmbeddedStore, journal: MemoryJournal, update: str) -> None:
    write_update(
        store,
        journal,
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "PREFIX dct: <http://purl.org/dc/terms/>\n"
        f"PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\nPREFIX : <{EX}>\n{update}",
        followup=follow,
    )


def test_the_index_answers_as_the_sparql_path(store: EmbeddedStore) -> None:
    assert not index_ready(store)
    sparql = {(c, p): _found(store, c, *p) for c in CONCEPTS for p in PAGES}  # no index yet
    _check_index(store)
    assert index_ready(store)
    assert {(c, p): _found(store, c, *p) for c in CONCEPTS for p in PAGES} == sparql
    # The order, spelled out: newest first (r07's 2023-03 sorts after r05's 2022), equal dates
    # by IRI (r02, r04, r09), r05 once though two of its subjects are under top, undated last.
    total, page = get_index(store).resources_under(EX + "top", 100, 0)
    assert page == [EX + f"r{n:02}" for n in (7, 11, 5, 2, 4, 9, 1, 10, 3, 6)]
    assert total == 10
    # The cycle b -> b1 -> b2 -> b: every one of them reaches the others' resources.
    assert get_index(store).resources_under(EX + "b2", 100, 0)[1] == [
        EX + f"r{n:02}" for n in (11, 5, 4, 9, 6)
    ]


def test_find_resources_reads_the_index_when_it_is_current(store: EmbeddedStore) -> None:
    index = get_index(store)
    # A write the index does not follow, then the index claims the new version: find_resources
    # now answers from the (stale) index, which shows that it reads it.
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}r12> <{DCT}subject> <{EX}top> ; "
                 f'<{DCT}issued> "2031" }} }}')  # fmt: skip
    assert _found(store, "top", 100, 0)[0] == 11  # not current: the SPARQL path
    index.version = store.version
    assert _found(store, "top", 100, 0)[0] == 10  # current: the index
    # So does narrower_closure: a concept added under top by the same unfollowed way is missed.
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}new> <{SKOS}broader> <{EX}top> }} }}")
    assert EX + "new" in narrower_closure(store, EX + "top")
    index.version = store.version
    assert EX + "new" not in narrower_closure(store, EX + "top")
    # A filter always takes the SPARQL path: it sees r12, which the stale index does not.
    page = find_resources(store, EX + "top", include_narrower=True, date_from="1")
    assert page.total == 9 and page.items[0].iri == EX + "r12"  # the dated ones


def test_writes_are_followed(store: EmbeddedStore) -> None:
    journal = MemoryJournal()
    index = get_index(store)
    writes = [
        # a new resource under b2, dated newest
        'INSERT DATA { GRAPH <%s> { :r12 dct:title "r12" ; dct:subject :b2 ; dct:issued "2030" } }',
        # a subject removed: r05 is left with b1 only, r10 with a1 only
        "DELETE DATA { GRAPH <%s> { :r05 dct:subject :b2 . :r10 dct:subject :top } }",
        # a1 moves from a to b1 (stated as broader), a from top to elsewhere (stated as narrower)
        "DELETE DATA { GRAPH <%s> { :a1 skos:broader :a . :top skos:narrower :a } } ;"
        " INSERT DATA { GRAPH <%s> { :a1 skos:broader :b1 . :elsewhere skos:narrower :a } }",
        # a date changed, another one removed
        'DELETE DATA { GRAPH <%s> { :r01 dct:issued "2020-01-01"^^xsd:date } } ;'
        ' INSERT DATA { GRAPH <%s> { :r01 dct:issued "2025-01-01"^^xsd:date } } ;'
        ' DELETE DATA { GRAPH <%s> { :r11 dct:issued "2022-01-01T10:00:00"^^xsd:dateTime } }',
        # the cycle broken, a concept's resources all removed
        "DELETE WHERE { GRAPH <%s> { :b2 skos:narrower :b . :r06 ?p ?o } }",
    ]
    for update in writes:
        _write(store, journal, update.replace("%s", G))
        assert index_ready(store) and get_index(store) is index  # followed, not rebuilt
        _check_index(store)
    total, page = index.resources_under(EX + "elsewhere", 100, 0)
    assert page == [EX + "r08", EX + "r07", EX + "r02"]
    assert total == 3
    # b after the writes: b1, b2 and (moved) a1 under it, no cycle; r11 lost its date.
    assert index.resources_under(EX + "b", 100, 0)[1] == [
        EX + f"r{n:02}" for n in (12, 7, 5, 4, 9, 10, 3, 11)
    ]


def test_without_a_current_index_find_resources_neither_builds_nor_waits(
    store: EmbeddedStore,
) -> None:
    get_index(store)
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}x> <{EX}p> 1 }} }}")  # a version unindexed
    answers: list[tuple[int, list[str]]] = []
    # Another thread's build holds the lock: waiting for it here would never end.
    with search_index._build_lock:
        worker = threading.Thread(target=lambda: answers.append(_found(store, "top", 3, 0)))
        worker.start()
        worker.join(60)
        assert not worker.is_alive()
    assert answers == [(10, [EX + "r07", EX + "r11", EX + "r05"])]
    assert not index_ready(store)  # and no build was started
