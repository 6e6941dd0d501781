"""The SKOS model: concept details, hierarchy, groups, changes, types, statistics, harvesting."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from graph_service.model.base import kind_of
from graph_service.model.concept import concept_details, describe
from graph_service.model.schemes import list_schemes
from graph_service.model.stats import changes, label_statistics, list_concepts, statistics, types
from graph_service.model.tree import (
    broader,
    children,
    hierarchy,
    narrower,
    related,
    top_concepts,
    transitive,
)
from graph_service.model.vocab import group_members, groups, vocabulary_info
from graph_service.store.embedded import EmbeddedStore

EX = "http://example.org/v/"
PDV = "https://w3id.org/pdv/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SAMPLE = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/v/> .
@prefix x: <http://example.org/types/> .

x:Place a rdfs:Class ; rdfs:label "Lieu"@fr, "Place"@en ; rdfs:subClassOf skos:Concept .
ex:scheme a skos:ConceptScheme ; dct:title "Exemple"@fr, "Example"@en ;
    dct:modified "2024-02-01"^^xsd:date ; skos:hasTopConcept ex:top, ex:place .
ex:top a skos:Concept ; skos:inScheme ex:scheme ; skos:topConceptOf ex:scheme ;
    skos:prefLabel "Sommet"@fr, "Top"@en ; skos:narrower ex:a, ex:b ;
    dct:created "2020-01-01"^^xsd:date .
ex:a a skos:Concept ; skos:inScheme ex:scheme ; skos:prefLabel "Alpha"@fr ; skos:broader ex:top ;
    skos:narrower ex:c .
ex:b a skos:Concept ; skos:inScheme ex:scheme ; skos:prefLabel "Bêta"@fr, "Beta"@en ;
    skos:broader ex:top ; skos:narrower ex:c .
ex:c a skos:Concept ; skos:inScheme ex:scheme ; skos:notation "C1" ;
    skos:prefLabel "Gamma"@fr, "Gamma"@en ; skos:altLabel "γ"@fr ; skos:hiddenLabel "gama"@fr ;
    skos:definition "La troisième."@fr ; skos:scopeNote "Pour les tests."@fr ;
    skos:example "γ-rayons"@fr ; skos:changeNote "Créé pour les tests."@fr ;
    skos:broader ex:a, ex:b ; skos:related ex:d ;
    skos:exactMatch <http://other.example/g> ; skos:closeMatch ex:d ;
    rdfs:seeAlso <https://example.com/gamma> ;
    dct:created "2021-05-01"^^xsd:date ; dct:modified "2023-06-01"^^xsd:date ;
    ex:population 42 .
ex:d a skos:Concept ; skos:inScheme ex:scheme ; skos:prefLabel "Delta"@fr ;
    skos:broader ex:c .
ex:e a skos:Concept ; skos:inScheme ex:scheme ; skos:prefLabel "Epsilon"@fr ;
    owl:deprecated true ; dct:isReplacedBy ex:d ; dct:modified "2024-01-15"^^xsd:date .
ex:place a skos:Concept, x:Place ; skos:inScheme ex:scheme ; skos:topConceptOf ex:scheme ;
    skos:prefLabel "Lieu-dit"@fr .
ex:group a skos:Collection ; skos:prefLabel "Groupe"@fr ; skos:member ex:a, ex:c, ex:sub .
ex:sub a skos:Collection ; skos:prefLabel "Sous-groupe"@fr ; skos:member ex:d .
"""


@pytest.fixture
def store() -> EmbeddedStore:
    """A small scheme with polyhierarchy, notes, mappings, groups, a deprecated concept."""
    store = EmbeddedStore()
    store.load(SAMPLE, "turtle", graph="http://example.org/graph/v")
    return store


def test_concept_details(store: EmbeddedStore) -> None:
    c = concept_details(store, EX + "c", "fr")
    assert c is not None
    assert (c.iri, c.vocab_id, c.pref_label, c.pref_lang) == (EX + "c", "scheme", "Gamma", "fr")
    assert c.pref_labels_by_lang == {"fr": "Gamma", "en": "Gamma"}
    assert [a.value for a in c.alt_labels] == ["γ"]
    assert [h.value for h in c.hidden_labels] == ["gama"]
    assert c.definitions[0].value == "La troisième."
    assert c.scope_notes[0].value == "Pour les tests."
    assert c.examples[0].value == "γ-rayons"
    assert c.change_notes[0].value == "Créé pour les tests."
    assert c.notation == "C1"
    assert [r.label for r in c.broader] == ["Alpha", "Bêta"]
    assert [r.label for r in c.narrower] == ["Delta"]  # stated only as the inverse broader
    assert [r.label for r in c.related] == ["Delta"]
    assert [[r.label for r in chain] for chain in c.broader_chains] == [
        ["Sommet", "Alpha"],
        ["Sommet", "Bêta"],
    ]
    assert [(m.kind, m.target.iri) for m in c.mappings] == [
        ("exactMatch", "http://other.example/g"),
        ("closeMatch", EX + "d"),
    ]
    assert c.mappings_of("closeMatch")[0].label == "Delta"
    assert [r.label for r in c.collections] == ["Groupe"]
    assert [r.iri for r in c.see_also] == ["https://example.com/gamma"]
    assert [r.iri for r in c.schemes] == [EX + "scheme"]
    assert (c.created, c.modified, c.deprecated) == ("2021-05-01", "2023-06-01", False)
    assert [r.label for r in c.types] == ["Concept"]
    assert [(p.predicate, p.value) for p in c.other] == [(EX + "population", "42")]


def test_concept_labels_follow_the_language(store: EmbeddedStore) -> None:
    c = concept_details(store, EX + "c", "en")
    assert c is not None
    assert c.pref_lang == "en"
    # Bêta has an English label, Alpha falls back to French.
    assert [(r.label, r.lang) for r in c.broader] == [("Alpha", "fr"), ("Beta", "en")]


def test_deprecated_concept(store: EmbeddedStore) -> None:
    e = concept_details(store, EX + "e", "fr")
    assert e is not None and e.deprecated
    assert [r.label for r in e.replaced_by] == ["Delta"]


def test_unknown_and_non_concepts(store: EmbeddedStore) -> None:
    assert concept_details(store, EX + "nope") is None
    assert concept_details(store, EX + "scheme") is None
    assert kind_of(store, EX + "c") == "concept"
    assert kind_of(store, EX + "scheme") == "scheme"
    assert kind_of(store, EX + "group") == "collection"
    assert kind_of(store, "http://example.org/types/Place") == "other"
    assert kind_of(store, EX + "nope") is None


def test_neighbours(store: EmbeddedStore) -> None:
    assert [r.label for r in broader(store, EX + "c", "fr") or []] == ["Alpha", "Bêta"]
    assert [r.label for r in narrower(store, EX + "top", "en") or []] == ["Alpha", "Beta"]
    assert [r.label for r in related(store, EX + "d", "fr") or []] == ["Gamma"]
    assert broader(store, EX + "top") == []
    assert broader(store, EX + "nope") is None


def test_transitive(store: EmbeddedStore) -> None:
    up = transitive(store, EX + "d", "broader", "fr")
    assert up is not None
    assert [e.label for e in up] == ["Delta", "Gamma", "Alpha", "Bêta", "Sommet"]
    assert up[1].direct == (EX + "a", EX + "b")
    assert [e.label for e in transitive(store, EX + "d", "broader", "fr", limit=2) or []] == [
        "Delta",
        "Gamma",
    ]
    down = transitive(store, EX + "top", "narrower", "fr") or []
    assert {e.label for e in down} == {"Sommet", "Alpha", "Bêta", "Gamma", "Delta"}
    assert transitive(store, EX + "nope", "broader") is None


def test_hierarchy_and_children(store: EmbeddedStore) -> None:
    nodes = {n.iri: n for n in hierarchy(store, EX + "c", "fr") or []}
    assert set(nodes) == {EX + "c", EX + "a", EX + "b", EX + "top"}
    assert nodes[EX + "top"].tops == (EX + "scheme",)
    assert [(k.label, k.has_children) for k in nodes[EX + "top"].narrower] == [
        ("Alpha", True),
        ("Bêta", True),
    ]
    assert nodes[EX + "c"].broader == (EX + "a", EX + "b")
    assert nodes[EX + "c"].notation == "C1"
    kids = children(store, EX + "a", "fr")
    assert [(k.label, k.notation, k.has_children) for k in kids or []] == [("Gamma", "C1", True)]
    assert children(store, EX + "d") == []
    assert children(store, EX + "nope") is None


def test_hierarchy_on_every_backend(memory_store: EmbeddedStore) -> None:
    """The walk up, in a sub-select (for Virtuoso's plan), answers alike on each engine."""
    memory_store.load(SAMPLE, "turtle", graph="http://example.org/graph/v")
    nodes = {n.iri: n for n in hierarchy(memory_store, EX + "c", "fr") or []}
    assert set(nodes) == {EX + "c", EX + "a", EX + "b", EX + "top"}
    assert nodes[EX + "top"].tops == (EX + "scheme",)
    assert nodes[EX + "c"].broader == (EX + "a", EX + "b")
    assert [(k.label, k.has_children) for k in nodes[EX + "a"].narrower] == [("Gamma", True)]
    kids = children(memory_store, EX + "a", "fr")
    assert [(k.label, k.notation, k.has_children) for k in kids or []] == [("Gamma", "C1", True)]
    assert children(memory_store, EX + "d") == []


def test_children_say_which_have_children_on_every_backend(vocab_store: EmbeddedStore) -> None:
    """On the committed vocab/: Virtuoso answered has_children False for
    democratie-participative (it has narrower concepts) to children()'s former query
    (`$c narrower ?x . BIND($c AS ?p)`, EXISTS after the OPTIONALs)."""
    kids = {k.iri: k for k in children(vocab_store, PDV + "notions/democratie", "fr") or []}
    assert kids[PDV + "notions/democratie-participative"].has_children
    nodes = {n.iri: n for n in hierarchy(vocab_store, PDV + "notions/democratie", "fr") or []}
    assert nodes[PDV + "notions/democratie"].narrower == tuple(kids.values())


def test_top_concepts(store: EmbeddedStore) -> None:
    tops = top_concepts(store, EX + "scheme", "fr")
    assert [(t.label, t.has_children) for t in tops] == [("Lieu-dit", False), ("Sommet", True)]


def test_vocabulary_info(store: EmbeddedStore) -> None:
    info = vocabulary_info(store, "scheme", "en")
    assert info is not None
    assert (info.title, info.default_language, info.languages) == ("Example", "fr", ("fr", "en"))
    assert info.modified == "2024-02-01"
    assert vocabulary_info(store, "nope") is None


def test_groups_and_members(store: EmbeddedStore) -> None:
    found = groups(store, "scheme", "fr") or []
    assert [(g.label, g.child_groups, g.has_members) for g in found] == [
        ("Groupe", (EX + "sub",), True),
        ("Sous-groupe", (), True),
    ]
    members = group_members(store, EX + "group", "fr") or []
    assert [(m.label, m.has_members) for m in members] == [
        ("Alpha", False),
        ("Gamma", False),
        ("Sous-groupe", True),
    ]
    assert group_members(store, EX + "c") is None


def test_changes(store: EmbeddedStore) -> None:
    modified = changes(store, "scheme", "modified", "fr") or []
    assert [(c.label, c.date, c.deprecated) for c in modified] == [
        ("Epsilon", "2024-01-15", True),
        ("Gamma", "2023-06-01", False),
    ]
    assert [r.label for r in modified[0].replaced_by] == ["Delta"]
    created = changes(store, "scheme", "created", "fr", limit=1) or []
    assert [c.label for c in created] == ["Gamma"]


def test_types_and_statistics(store: EmbeddedStore) -> None:
    found = {t.iri: t for t in types(store, "scheme", "en") or []}
    assert found["http://example.org/types/Place"].label == "Place"
    assert found["http://example.org/types/Place"].superclass == SKOS + "Concept"
    assert SKOS + "Collection" in found
    counts = {c.iri: c for c in statistics(store, "scheme") or []}
    assert (counts[SKOS + "Concept"].count, counts[SKOS + "Concept"].deprecated_count) == (7, 1)
    assert counts["http://example.org/types/Place"].count == 1
    labels = {c.lang: c for c in label_statistics(store, "scheme") or []}
    assert (labels["fr"].pref, labels["fr"].alt, labels["fr"].hidden) == (7, 1, 1)
    assert labels["en"].pref == 3


def test_list_concepts_pages(store: EmbeddedStore) -> None:
    page = list_concepts(store, "scheme", limit=3, offset=0)
    assert page is not None and page.total == 7
    assert [i.iri for i in page.items] == [EX + "a", EX + "b", EX + "c"]
    assert page.items[1].pref_labels == {"fr": "Bêta", "en": "Beta"}
    assert page.items[2].modified == "2023-06-01"
    rest = list_concepts(store, "scheme", limit=10, offset=3)
    assert rest is not None and len(rest.items) == 4


def test_answers_follow_writes(store: EmbeddedStore) -> None:
    assert vocabulary_info(store, "scheme", "fr").concept_count == 7  # type: ignore[union-attr]
    store.add_triples(
        [(URIRef(EX + "scheme"), DCTERMS.title, Literal("Autre titre", lang="de"))],
        "http://example.org/graph/v",
    )
    assert vocabulary_info(store, "scheme", "de").title == "Autre titre"  # type: ignore[union-attr]


def test_describe_any_iri(store: EmbeddedStore) -> None:
    d = describe(store, EX + "group", "fr")
    assert d is not None
    assert d.label == "Groupe"
    assert [m.label for m in d.members] == ["Alpha", "Gamma", "Sous-groupe"]
    assert describe(store, EX + "nope") is None


def test_territory_chain_in_the_committed_vocabulary(vocab_store: EmbeddedStore) -> None:
    lille = concept_details(vocab_store, "https://w3id.org/pdv/territoires/commune/59350", "fr")
    assert lille is not None
    assert [[r.label for r in chain] for chain in lille.broader_chains] == [
        ["France", "Hauts-de-France", "Nord", "Métropole Européenne de Lille"]
    ]
    assert lille.mappings_of("exactMatch")[0].iri == "http://id.insee.fr/geo/commune/59350"


def test_scheme_counts_are_distinct_and_empty_schemes_count_zero() -> None:
    store = EmbeddedStore()
    store.load(
        """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/s/> .
ex:full a skos:ConceptScheme ; skos:hasTopConcept ex:a, ex:b .
ex:a skos:inScheme ex:full ; skos:topConceptOf ex:full .
ex:b skos:inScheme ex:full .
ex:c skos:inScheme ex:full .
ex:empty a skos:ConceptScheme .
""",
        "turtle",
        graph="urn:g:schemes",
    )
    counts = {s.vocab_id: (s.concept_count, s.top_concept_count) for s in list_schemes(store)}
    assert counts == {"full": (3, 2), "empty": (0, 0)}
