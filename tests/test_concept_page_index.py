"""The concept page's answers read from the search index (siblings, the concept's resources)
equal the store's, and the page is the same byte for byte with and without a current index."""

from __future__ import annotations

import pytest

from graph_service import create_app
from graph_service.model.browse import latest_resources
from graph_service.model.indexed import indexed_children, indexed_resources
from graph_service.model.resources import find_resources
from graph_service.model.tree import children
from graph_service.search.index import current_index, get_index
from graph_service.store import EmbeddedStore

EX = "https://w3id.org/pdv/testidx/"
G = "https://w3id.org/pdv/graph/testidx"
DCT = "http://purl.org/dc/terms/"
# Children stated both ways; two French labels (the first by code point is shown), labels in
# one language only, an untagged one, none at all; a plain and a typed notation (the plain one
# is shown), a typed one alone; a child with children; a deprecated child (not in the index:
# the store answers).
# Resources with dates, two dates (the newest counts), none, equal dates (then by IRI).
DATA = f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix : <{EX}> .
:s a skos:ConceptScheme ; dct:title "Schéma"@fr, "Scheme"@en .
:top a skos:Concept ; skos:inScheme :s ; skos:topConceptOf :s ;
  skos:prefLabel "Haut"@fr, "Top"@en ; skos:narrower :a, :b .
:a a skos:Concept ; skos:inScheme :s ; skos:prefLabel "Zèbre"@fr, "Âne"@fr, "Zebra"@en ;
  skos:notation "A1", "999"^^:siren .
:b a skos:Concept ; skos:inScheme :s ; skos:prefLabel "éclair"@fr ; skos:narrower :b1 .
:c a skos:Concept ; skos:inScheme :s ; skos:broader :top .
:d a skos:Concept ; skos:inScheme :s ; skos:broader :top ; skos:prefLabel "Delta" ;
  skos:notation "D7"^^:code .
:e a skos:Concept ; skos:inScheme :s ; skos:broader :top ; skos:prefLabel "Echo"@en .
:b1 a skos:Concept ; skos:inScheme :s ; skos:prefLabel "Bé un"@fr .
:other a skos:Concept ; skos:inScheme :s ; skos:prefLabel "Autre"@fr ; skos:narrower :x, :y .
:x a skos:Concept ; skos:inScheme :s ; skos:prefLabel "Ixe"@fr .
:y a skos:Concept ; skos:inScheme :s ; skos:prefLabel "Vieux"@fr ; owl:deprecated true .
:r1 dct:title "r1" ; dct:subject :a ; dct:issued "2020-01-01"^^xsd:date .
:r2 dct:title "r2" ; dct:subject :a ; dct:issued "2021-06-01"^^xsd:date, "2019"^^xsd:gYear .
:r3 dct:title "r3" ; dct:subject :a .
:r4 dct:title "r4" ; dct:subject :a, :b ; dct:issued "2021-06-01"^^xsd:date .
:r5 dct:title "r5" ; dct:subject :b1 ; dct:issued "2022" .
"""
PARENTS = ["top", "a", "b", "other", "nowhere"]
CONCEPTS = ["top", "a", "b", "b1", "c", "x", "nowhere"]
LANGS = ["fr", "en", "de", None]
PAGES = [(100, 0), (2, 0), (2, 2), (2, 4), (3, 9), (0, 0)]


@pytest.fixture
def store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(DATA, "turtle", graph=G)
    return store


def _resources(store: EmbeddedStore, concept: str, limit: int, offset: int) -> tuple:
    page = find_resources(store, EX + concept, limit=limit, offset=offset, lang="fr")
    return page.total, page.items


def test_children_from_the_index_equal_the_store_s(store: EmbeddedStore) -> None:
    from_store = {(p, lang): children(store, EX + p, lang) or [] for p in PARENTS for lang in LANGS}
    assert indexed_children(store, EX + "top", "fr") is None  # no index yet: the store answers
    get_index(store)
    for parent in PARENTS:
        for lang in LANGS:
            found = indexed_children(store, EX + parent, lang)
            if parent == "other":
                assert found is None  # a deprecated child is no concept of the index
            else:
                assert found == from_store[parent, lang], (parent, lang)
    # What was compared, spelled out for French.
    shown = [(c.label, c.notation, c.has_children) for c in from_store["top", "fr"]]
    assert shown == [
        ("Delta", "D7", False),
        ("Echo", None, False),
        ("éclair", None, True),
        (EX + "c", None, False),
        ("Zèbre", "A1", False),
    ]


def test_the_concept_s_resources_from_the_index_equal_the_store_s(store: EmbeddedStore) -> None:
    from_store = {(c, p): _resources(store, c, *p) for c in CONCEPTS for p in PAGES}
    assert indexed_resources(store, EX + "a", 10, 0) is None
    get_index(store)
    assert indexed_resources(store, EX + "a", 10, 0) == (
        4,
        [EX + "r2", EX + "r4", EX + "r1", EX + "r3"],  # newest first, equal dates by IRI
    )
    assert {(c, p): _resources(store, c, *p) for c in CONCEPTS for p in PAGES} == from_store


def test_find_resources_reads_the_index_when_it_is_current(store: EmbeddedStore) -> None:
    index = get_index(store)
    # A write the index does not follow, then the index claims the new version: find_resources
    # now answers from the (stale) index, which shows that it reads it.
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}r9> <{DCT}subject> <{EX}a> }} }}")
    assert _resources(store, "a", 10, 0)[0] == 5  # not current: the store's answer
    index.version = store.version
    assert current_index(store) is index
    assert _resources(store, "a", 10, 0)[0] == 4


def test_the_page_is_the_same_with_and_without_the_index(store: EmbeddedStore) -> None:
    app = create_app({"TESTING": True, "STORE": store, "WARM_UP": False, "RESPONSE_CACHE_BYTES": 0})
    client = app.test_client()
    paths = [
        f"/testidx/{c}{q}"
        for c in ("top", "a", "b", "b1", "c", "d", "x")
        for q in ("", "?lang=en", "?clang=en", "?narrower=1")
    ]
    without = {path: client.get(path, headers={"Accept": "text/html"}) for path in paths}
    assert current_index(store) is None  # those pages were made from the store alone
    get_index(store)
    for path in paths:
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == without[path].status_code == 200, path
        assert page.data == without[path].data, path
    # The pages compared do show siblings and resources.
    page = client.get("/testidx/d", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Zèbre" in page and "éclair" in page
    assert "r4" in client.get("/testidx/a", headers={"Accept": "text/html"}).get_data(as_text=True)


def test_the_latest_resources_from_the_index_equal_the_store_s(store: EmbeddedStore) -> None:
    # Mixed date types, a resource with two dates, equal dates, none: the same resources from
    # both; the index orders by the dates' text (as a concept's resources), equal dates by IRI.
    store.update(
        f'INSERT DATA {{ GRAPH <{G}> {{ <{EX}r6> <{DCT}title> "r6" ; <{DCT}subject> <{EX}a> ;'
        f' <{DCT}issued> "2021-06-01" . }} }}'
    )
    from_store = [r.iri for r in latest_resources(store, "fr", 20)]
    get_index(store)
    index = current_index(store)
    assert index is not None
    # (each answer is remembered per data version and language: another language is asked)
    from_index = [r.iri for r in latest_resources(store, "en", 20)]
    assert from_index == [EX + n for n in ("r5", "r2", "r4", "r6", "r1")]
    assert sorted(from_store) == sorted(from_index)
    assert [r.iri for r in latest_resources(store, "en", 2)] == from_index[:2]
    # The index answers (not the store): a dated resource the index has not followed is
    # missing once the index claims the new version.
    store.update(
        f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}r7> <{DCT}subject> <{EX}a> ;"
        f' <{DCT}issued> "2030" . }} }}'
    )
    assert latest_resources(store, "fr", 1)[0].iri == EX + "r7"  # not current: the store
    index.version = store.version
    assert latest_resources(store, "en", 1)[0].iri == EX + "r5"
