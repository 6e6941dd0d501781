"""The label index: accents, case, wildcards, alt and hidden labels, languages, ranking, updates."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from graph_service.labels import best_language
from graph_service.search.index import get_index
from graph_service.store.embedded import EmbeddedStore
from graph_service.text import fold

EX = "http://example.org/v/"
SAMPLE = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <http://example.org/v/> .
@prefix x: <http://example.org/types/> .

ex:scheme a skos:ConceptScheme ; skos:hasTopConcept ex:participation .
ex:other a skos:ConceptScheme .
ex:participation a skos:Concept ; skos:inScheme ex:scheme ; skos:topConceptOf ex:scheme ;
    skos:prefLabel "Participation citoyenne"@fr, "Citizen participation"@en ;
    skos:altLabel "participation des habitants"@fr .
ex:dp a skos:Concept, x:Notion ; skos:inScheme ex:scheme ; skos:notation "DP" ;
    skos:prefLabel "Démocratie participative"@fr, "Participatory democracy"@en ;
    skos:altLabel "démocratie de proximité"@fr .
ex:concertation a skos:Concept ; skos:inScheme ex:scheme ;
    skos:prefLabel "Concertation"@fr, "Consultation process"@en ;
    skos:hiddenLabel "concertaton"@fr .
ex:garant a skos:Concept ; skos:inScheme ex:scheme ;
    skos:prefLabel "Garant de la concertation"@fr, "Public consultation guarantor"@en .
ex:empowerment a skos:Concept ; skos:inScheme ex:scheme ;
    skos:prefLabel "Empowerment"@fr, "Empowerment"@en ;
    skos:altLabel "pouvoir d'agir"@fr, "capacitation"@fr .
ex:oeuvre a skos:Concept ; skos:inScheme ex:other ;
    skos:prefLabel "Œuvre collective"@fr .
ex:ville a skos:Concept ; skos:inScheme ex:other ;
    skos:prefLabel "Ville"@fr, "City"@en .
ex:contrat a skos:Concept ; skos:inScheme ex:other ;
    skos:prefLabel "Contrat de ville"@fr, "City contract"@en ; skos:altLabel "Ville"@en .
ex:old a skos:Concept ; skos:inScheme ex:scheme ; owl:deprecated true ;
    skos:prefLabel "Concertation ancienne"@fr .
ex:digits a skos:Concept ; skos:inScheme ex:scheme ; skos:prefLabel "1901 (loi)"@fr .
"""


@pytest.fixture
def store() -> EmbeddedStore:
    """A small vocabulary with accents, alt and hidden labels, two schemes and a class."""
    store = EmbeddedStore()
    store.load(SAMPLE, "turtle", graph="http://example.org/graph/v")
    return store


def iris(hits) -> list[str]:
    return [h.iri.removeprefix(EX) for h in hits]


def test_fold_removes_accents_case_and_ligatures() -> None:
    assert fold("Démocratie  Participative") == "democratie participative"
    assert fold("ŒUVRE") == "oeuvre"
    assert fold("pouvoir d’agir") == "pouvoir d'agir"


def test_accents_and_case_are_ignored(store: EmbeddedStore) -> None:
    index = get_index(store)
    hits = index.search("democratie participative")
    assert iris(hits)[0] == "dp"
    assert hits[0].pref_label == "Démocratie participative"
    assert hits[0].matched_kind == "pref"
    assert iris(index.search("DÉMOCRATIE PARTICIPATIVE"))[0] == "dp"
    assert iris(index.search("oeuvre"))[0] == "oeuvre"


def test_prefix_wildcard(store: EmbeddedStore) -> None:
    hits = get_index(store).search("concert*")
    # The label starting with the prefix comes before the one that only contains a word of it.
    assert iris(hits)[:2] == ["concertation", "garant"]


def test_leading_and_inner_wildcards_use_the_pattern_fallback(store: EmbeddedStore) -> None:
    index = get_index(store)
    assert set(iris(index.search("*ville"))) == {"ville", "contrat"}
    assert iris(index.search("con*tion")) == ["concertation"]
    assert "garant" in iris(index.search("*concertation*"))


def test_star_alone_lists_everything_of_a_vocabulary(store: EmbeddedStore) -> None:
    listed = iris(get_index(store).search("*", vocab_id="other", limit=100))
    assert sorted(listed) == ["contrat", "oeuvre", "ville"]


def test_alt_and_hidden_labels(store: EmbeddedStore) -> None:
    index = get_index(store)
    hit = index.search("pouvoir d'agir")[0]
    assert (hit.iri, hit.matched_kind, hit.matched_label) == (
        EX + "empowerment",
        "alt",
        "pouvoir d'agir",
    )
    assert hit.pref_label == "Empowerment"
    hidden = index.search("concertaton")[0]
    assert (hidden.iri, hidden.matched_kind) == (EX + "concertation", "hidden")


def test_both_languages_and_one(store: EmbeddedStore) -> None:
    index = get_index(store)
    english = index.search("participatory democracy")
    assert iris(english) == ["dp"]
    assert english[0].matched_lang == "en"
    assert index.search("participatory democracy", lang="fr") == []
    french = index.search("democratie", lang="fr")
    assert iris(french) == ["dp"]
    assert (french[0].pref_label, french[0].pref_lang) == ("Démocratie participative", "fr")
    # The label to show follows the asked language.
    assert index.search("participation", lang="en")[0].pref_lang == "en"


def test_ranking_exact_pref_then_exact_alt_then_prefix(store: EmbeddedStore) -> None:
    hits = get_index(store).search("ville")
    # "Ville" is the preferred label of ex:ville and an alternative label of ex:contrat.
    assert iris(hits)[:2] == ["ville", "contrat"]
    assert hits[0].matched_kind == "pref" and hits[1].matched_kind == "alt"
    assert hits[0].score > hits[1].score


def test_filters_vocabulary_type_and_pages(store: EmbeddedStore) -> None:
    index = get_index(store)
    assert iris(index.search("ville", vocab_id="scheme")) == []
    typed = index.search("democratie", type_iri="http://example.org/types/Notion")
    assert iris(typed) == ["dp"]
    assert typed[0].notation == "DP"
    assert "http://example.org/types/Notion" in typed[0].types
    everything = iris(index.search("*", limit=100))
    assert iris(index.search("*", limit=3, offset=2)) == everything[2:5]


def test_deprecated_concepts_are_not_offered(store: EmbeddedStore) -> None:
    assert EX + "old" not in [h.iri for h in get_index(store).search("concertation*", limit=50)]


def test_index_follows_writes(store: EmbeddedStore) -> None:
    before = get_index(store)
    assert get_index(store) is before  # cached while the data does not change
    assert before.search("quartier") == []
    store.add_triples(
        [
            (URIRef(EX + "q"), SKOS.prefLabel, Literal("Quartier", lang="fr")),
            (URIRef(EX + "q"), RDF.type, SKOS.Concept),
        ],
        "http://example.org/graph/v",
    )
    after = get_index(store)
    assert after is not before
    assert iris(after.search("quartier")) == ["q"]


def test_lookup_order(store: EmbeddedStore) -> None:
    index = get_index(store)
    assert iris(index.lookup("Ville")) == ["ville"]  # the preferred label wins over the alt one
    assert iris(index.lookup("ville")) == ["ville"]  # then ignoring case
    assert iris(index.lookup("capacitation")) == ["empowerment"]  # then alternative labels
    assert iris(index.lookup("City", lang="en")) == ["ville"]
    assert index.lookup("nothing like it") == []


def test_did_you_mean(store: EmbeddedStore) -> None:
    assert get_index(store).suggest_did_you_mean("democratie participativ") == [
        "Démocratie participative"
    ]


def test_queries_that_are_not_words_do_not_fail(store: EmbeddedStore) -> None:
    index = get_index(store)
    for query in ['"', "AND", "OR NOT", "_", "(", "-", "a:b", "%", "***", "NEAR(x y)"]:
        index.search(query)  # no exception


def test_alphabetical_index(store: EmbeddedStore) -> None:
    index = get_index(store)
    assert index.index_letters("scheme", "fr") == ["C", "D", "E", "G", "P", "0-9"]
    entries = index.index_page("scheme", "D", "fr")
    assert [(e.pref_label, e.alt_label) for e in entries] == [
        ("Démocratie participative", "démocratie de proximité"),
        ("Démocratie participative", None),
    ]
    assert [e.pref_label for e in index.index_page("scheme", "0-9", "fr")] == ["1901 (loi)"]
    assert len(index.index_page("scheme", "*", "fr", limit=2)) == 2


def test_committed_vocabulary(vocab_store: EmbeddedStore) -> None:
    index = get_index(vocab_store)
    hit = index.search("democratie participative")[0]
    assert hit.pref_label == "Démocratie participative"
    assert hit.vocab_id == "notions"
    assert any(h.pref_label == "Concertation" for h in index.search("concert*"))
    lille = index.search("lille", vocab_id="territoires")[0]
    assert (lille.iri, lille.notation) == (
        "https://w3id.org/pdv/territoires/commune/59350",
        "59350",
    )


def _persistent(tmp_path) -> EmbeddedStore:
    persistent = EmbeddedStore(tmp_path / "store")
    persistent.load(SAMPLE, "turtle", graph="http://example.org/graph/v")
    return persistent


def _answers(index) -> list:
    queries = ["democratie", "concert*", "*ville", "ville", "1901", "pouvoir d'agir"]
    return [[index.search(q, lang=lang) for q in queries] for lang in (None, "fr", "en")] + [
        index.index_page("scheme", "*", "fr"),
        index.concept_hit(EX + "dp", "en"),
        len(index),
    ]


def test_a_persistent_store_is_indexed_by_a_child_process_with_the_same_answers(
    tmp_path, monkeypatch, caplog
):
    import subprocess

    from graph_service.search import build as search_build
    from graph_service.search.index import SearchIndex

    persistent = _persistent(tmp_path)
    children = []
    real_run = subprocess.run
    monkeypatch.setattr(
        search_build.subprocess, "run", lambda *a, **k: children.append(a) or real_run(*a, **k)
    )
    apart = get_index(persistent)
    assert len(children) == 1 and "child failed" not in caplog.text  # built by the child
    here = SearchIndex(persistent.version, search_build.build_database(persistent))
    assert _answers(apart) == _answers(here)
    assert iris(apart.search("democratie participative"))[0] == "dp"


def test_when_the_child_cannot_start_the_index_is_built_here(tmp_path, monkeypatch, caplog):
    from graph_service.search import build as search_build

    persistent = _persistent(tmp_path)
    monkeypatch.setattr(search_build.sys, "executable", str(tmp_path / "no-such-python"))
    index = get_index(persistent)
    assert iris(index.search("concertation"))[0] == "concertation"
    assert "search index child failed" in caplog.text


def test_a_small_index_is_rebuilt_here_after_a_write(tmp_path, monkeypatch):
    import subprocess

    from graph_service.search import build as search_build

    persistent = _persistent(tmp_path)
    children = []
    real_run = subprocess.run
    monkeypatch.setattr(
        search_build.subprocess, "run", lambda *a, **k: children.append(a) or real_run(*a, **k)
    )
    get_index(persistent)  # the first build: size unknown, apart
    persistent.update(
        "INSERT DATA { GRAPH <http://example.org/graph/v> { <http://example.org/v/new> a "
        "<http://www.w3.org/2004/02/skos/core#Concept> ; "
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "Quartier prioritaire"@fr } }'
    )
    assert iris(get_index(persistent).search("quartier"))[0] == "new"
    assert len(children) == 1  # the rebuild of a small index did not start a child


def test_best_language_falls_back_to_fr_en_untagged_then_any():
    assert best_language({"de", "en", "fr"}, "de") == "de"
    assert best_language({"de", "en", "fr"}, "it") == "fr"
    assert best_language({"de", "en"}) == "en"
    assert best_language({"de", "", "es"}) == ""
    assert best_language({"es", "de"}) == "de"
    assert best_language(set()) is None


def test_language_facet_and_forgetting_a_concept_probe_labels_by_concept(store) -> None:
    """The language facet and a write's refresh look labels up by concept through an index:
    without it each read the whole labels table (1.5 s per search page at 100k concepts)."""
    from graph_service.search.index import LANGUAGES_OF

    index = get_index(store)
    assert index.languages_of([EX + "dp", EX + "oeuvre"]) == ["en", "fr"]
    assert index.languages_of([EX + "oeuvre"]) == ["fr"]

    def plan(sql: str, params: list) -> str:
        rows = index._db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        return " | ".join(row[-1] for row in rows)

    for sql, params in [
        (LANGUAGES_OF.format(marks="?,?"), [EX + "dp", EX + "oeuvre"]),
        ("SELECT id, folded FROM labels WHERE concept = ?", [1]),  # search/build.py _forget
    ]:
        steps = plan(sql, params)
        assert "labels_concept" in steps, steps
        assert "SCAN l" not in steps and "SCAN labels" not in steps, steps


def test_kind_of_takes_concepts_from_an_index_of_the_same_version_only(store) -> None:
    """kind_of answers "concept" from a ready index (no query), never from a stale one, and
    never builds an index to answer."""
    from graph_service.model.base import kind_of
    from graph_service.search.index import index_ready, indexed_concept

    assert kind_of(store, EX + "dp") == "concept"  # by the query: no index yet
    assert not index_ready(store)  # ... and asking did not build one
    index = get_index(store)
    assert indexed_concept(store, EX + "dp") and kind_of(store, EX + "dp") == "concept"
    assert not indexed_concept(store, EX + "scheme") and kind_of(store, EX + "scheme") == "scheme"
    store.update(
        "DELETE DATA { GRAPH <http://example.org/graph/v> { <http://example.org/v/dp> a "
        "<http://www.w3.org/2004/02/skos/core#Concept> } }"
    )
    assert not indexed_concept(store, EX + "dp")  # the index is of the version before
    assert kind_of(store, EX + "dp") == "other"
    # The answer does come from a current index: the old one, made to claim the store's new
    # version, still holds dp as a concept, which the store no longer says.
    index.version = store.version
    assert kind_of(store, EX + "dp") == "concept"
