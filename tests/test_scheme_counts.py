"""One count of a scheme's concepts everywhere (issue 16/18), and the warm-up of a data version.

The fixture reproduces STW's case on a small scale: deprecated concepts typed only with a
subclass of skos:Concept (STW's zbwext:Descriptor), a collection stated in the scheme, a top
concept stated only from the scheme's side, and an imported scheme's collection beside it.
"""

from __future__ import annotations

import json

import pytest

from graph_service import create_app
from graph_service.model.schemes import concept_count, deprecated_count, scheme_concepts, schemes
from graph_service.model.stats import list_concepts, statistics
from graph_service.model.vocab import groups
from graph_service.model.warmup import warm_up
from graph_service.store.embedded import EmbeddedStore
from graph_service.web.warmup import warmer_of

SCHEME = "http://example.org/thes"
OTHER = "http://example.org/other"
DATA = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/thes/> .
@prefix o: <http://example.org/other/> .

ex:Descriptor rdfs:subClassOf skos:Concept .
<http://example.org/thes> a skos:ConceptScheme ; skos:prefLabel "Thes"@en ;
    skos:hasTopConcept ex:top .
ex:top a skos:Concept ; skos:prefLabel "Top"@en .
ex:a a skos:Concept, ex:Descriptor ; skos:inScheme <http://example.org/thes> ;
    skos:prefLabel "Alpha"@en ; skos:broader ex:top .
ex:b a skos:Concept, ex:Descriptor ; skos:inScheme <http://example.org/thes> ;
    skos:prefLabel "Beta"@en ; skos:broader ex:top .
ex:old1 a ex:Descriptor ; skos:inScheme <http://example.org/thes> ;
    skos:prefLabel "Old one"@en ; owl:deprecated true .
ex:old2 a ex:Descriptor ; skos:inScheme <http://example.org/thes> ;
    skos:prefLabel "Old two"@en ; owl:deprecated true .
ex:group a skos:Collection ; skos:inScheme <http://example.org/thes> ;
    skos:prefLabel "Group"@en ; skos:member ex:a .

<http://example.org/other> a skos:ConceptScheme ; skos:prefLabel "Other"@en .
o:x a skos:Concept ; skos:inScheme <http://example.org/other> ; skos:prefLabel "X"@en .
o:members a skos:Collection ; skos:prefLabel "Members of other"@en ; skos:member o:x .
"""
#: top, a, b, old1, old2: members and top concepts, collections apart, deprecated included.
CONCEPTS = 5


@pytest.fixture
def store() -> EmbeddedStore:
    """The fixture in two named graphs, as imports put each vocabulary in a graph of its own."""
    created = EmbeddedStore()
    created.load(DATA, "turtle", graph="http://example.org/graph/imports/thes")
    return created


def test_one_count_of_a_schemes_concepts_everywhere(store: EmbeddedStore) -> None:
    assert (concept_count(store, SCHEME), deprecated_count(store, SCHEME)) == (CONCEPTS, 2)
    listed = scheme_concepts(store, SCHEME)
    assert len(listed) == CONCEPTS and "http://example.org/thes/group" not in listed
    assert list(listed) == sorted(listed)
    summary = next(s for s in schemes(store) if s.iri == SCHEME)
    assert summary.concept_count == CONCEPTS
    page = list_concepts(store, summary.vocab_id, limit=2, offset=1)
    assert page is not None and page.total == CONCEPTS
    assert [item.iri for item in page.items] == list(listed[1:3])
    counts = {c.iri.rsplit("#", 1)[-1]: c for c in statistics(store, summary.vocab_id) or []}
    assert (counts["Concept"].count, counts["Concept"].deprecated_count) == (CONCEPTS, 2)
    assert counts["Collection"].count == 1


def test_the_http_answers_agree(store: EmbeddedStore) -> None:
    client = create_app({"TESTING": True, "STORE": store}).test_client()
    vocab_id = next(s for s in schemes(store) if s.iri == SCHEME).vocab_id
    stats = client.get(f"/rest/v1/{vocab_id}/vocabularyStatistics")
    assert stats.status_code == 200
    assert stats.get_json()["concepts"]["count"] == CONCEPTS
    assert stats.get_json()["concepts"]["deprecatedCount"] == 2
    listing = client.get(f"/rest/v1/{vocab_id}/concepts?limit=1")
    assert listing.status_code == 200
    assert json.loads(listing.data)["total"] == CONCEPTS


def test_groups_of_a_scheme_are_its_own_collections(store: EmbeddedStore) -> None:
    thes = groups(store, next(s for s in schemes(store) if s.iri == SCHEME).vocab_id)
    assert [g.iri for g in thes or []] == ["http://example.org/thes/group"]
    other = groups(store, next(s for s in schemes(store) if s.iri == OTHER).vocab_id)
    # Not stated in the scheme, but holding one of its concepts.
    assert [g.iri for g in other or []] == ["http://example.org/other/members"]


def test_warm_up_computes_every_scheme_and_stops_for_a_newer_version(
    store: EmbeddedStore,
) -> None:
    report = warm_up(store)
    assert report.done and report.version == store.version
    assert {f"{s.vocab_id} groups" for s in schemes(store)} <= set(report.steps)
    stale = warm_up(store, still_current=lambda: False)
    assert not stale.done and not stale.steps


def test_healthz_tells_whether_the_version_is_warm(store: EmbeddedStore) -> None:
    app = create_app({"TESTING": True, "STORE": store})
    client = app.test_client()
    assert client.get("/healthz").get_json()["warm"] == "off"  # no thread under tests
    warmer = warmer_of(app)
    assert warmer.run_once() is not None
    assert client.get("/healthz").get_json()["warm"] == "ready"
    assert warmer.run_once() is None  # nothing new to warm
    store.update(
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/thes/c> "
        "<http://www.w3.org/2004/02/skos/core#inScheme> <http://example.org/thes> } }"
    )
    assert client.get("/healthz").get_json()["warm"] == "off"
    warmer.started.set()  # as if the thread ran: the new version is being warmed
    assert client.get("/healthz").get_json()["warm"] == "warming"
    assert warmer.run_once() is not None
    assert client.get("/healthz").get_json()["warm"] == "ready"
    assert concept_count(store, SCHEME) == CONCEPTS + 1
