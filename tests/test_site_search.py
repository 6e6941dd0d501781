"""Site search: resources with concepts, old terms to their replacement, typo corrections, honest
facets, our own schemes before imported ones, and search under its deadline."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from conftest import SHARED_DATA

from graph_service import create_app
from graph_service.config import PROJECT_ROOT
from graph_service.model.schemes import schemes
from graph_service.model.search import site_search
from graph_service.search.index import follow_change, get_index
from graph_service.store.build import build_store, open_current
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.limits import Deadline, TryLater

P = "https://w3id.org/pdv/"
T = P + "t/"
U = "http://example.org/u/"
ARTICLE = P + "resources/refonte"
NO_TIME = 1e-9
TINY = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix t: <https://w3id.org/pdv/t/> .
@prefix u: <http://example.org/u/> .

<https://w3id.org/pdv/tscheme> a skos:ConceptScheme ; dct:title "Test"@fr .
u:scheme a skos:ConceptScheme ; dct:title "Imported"@en .
t:democratie a skos:Concept ; skos:inScheme <https://w3id.org/pdv/tscheme> ;
    skos:prefLabel "Démocratie"@fr .
u:democratie a skos:Concept ; skos:inScheme u:scheme ;
    skos:prefLabel "Démocratie"@fr, "Democracy"@en, "Demokratie"@de .
u:aussen a skos:Concept ; skos:inScheme u:scheme ;
    skos:prefLabel "Foreign trade"@en, "Außenhandel"@de .
t:mel a skos:Concept ; skos:inScheme <https://w3id.org/pdv/tscheme> ;
    skos:prefLabel "Métropole européenne de Lille"@fr ; skos:altLabel "MEL"@fr .
t:mello a skos:Concept ; skos:inScheme <https://w3id.org/pdv/tscheme> ; skos:prefLabel "Mello" .
t:melicocq a skos:Concept ; skos:inScheme <https://w3id.org/pdv/tscheme> ;
    skos:prefLabel "Mélicocq"@fr, "Mélicocq"@en .
t:lille a skos:Concept ; skos:inScheme <https://w3id.org/pdv/tscheme> ;
    skos:prefLabel "Lille"@fr, "Lille"@en .
t:palais a skos:Concept ; skos:inScheme <https://w3id.org/pdv/tscheme> ;
    skos:prefLabel "Palais des congrès"@fr, "Lille Grand Palais"@en .
t:lillebonne a skos:Concept ; skos:inScheme <https://w3id.org/pdv/tscheme> ;
    skos:prefLabel "Lillebonne" .
t:qpv a skos:Concept ; skos:inScheme <https://w3id.org/pdv/tscheme> ;
    skos:prefLabel "Quartier prioritaire"@fr .
t:zus a skos:Concept ; skos:inScheme <https://w3id.org/pdv/tscheme> ; owl:deprecated true ;
    dct:isReplacedBy t:qpv ; skos:prefLabel "Zone urbaine sensible"@fr ; skos:altLabel "ZUS"@fr .
t:conseil a skos:Concept ; skos:inScheme <https://w3id.org/pdv/tscheme> ;
    skos:prefLabel "Conseil citoyen"@fr .
<https://w3id.org/pdv/resources/refonte> a schema:NewsArticle ;
    dct:title "Refonte des contrats de ville : un cycle en cours"@fr ;
    dct:description "Séance réunie à distance sur les conseils citoyens."@fr ;
    dct:subject t:conseil ; dct:spatial t:lille ;
    dct:hasPart <https://w3id.org/pdv/resources/refonte/guide> .
<https://w3id.org/pdv/resources/refonte/guide> a schema:DigitalDocument ;
    dct:title "Un levier au service de la participation des habitants"@fr ;
    dct:isPartOf <https://w3id.org/pdv/resources/refonte> .
"""


@pytest.fixture
def tiny() -> EmbeddedStore:
    """Concepts of our namespace and an imported one, a deprecated concept, a resource."""
    store = EmbeddedStore()
    store.load(TINY, "turtle", graph=P + "graph/t")
    return store


def _client(store, **config):
    return create_app({"TESTING": True, "STORE": store, **config}).test_client()


def _kinds_and_iris(results) -> list[tuple[str, str]]:
    return [(item.kind, item.iri) for item in results.items]


# --- the model: ranking, resources, old terms, corrections, facets ----------------------------


def test_a_resource_is_found_by_its_title_summary_attachment_and_subjects(tiny) -> None:
    for text in ("refonte des contrats de ville", "levier participation habitants",
                 "conseil citoyen lille", "seance a distance"):  # fmt: skip
        found = site_search(tiny, text)
        assert ("resource", ARTICLE) in _kinds_and_iris(found), text
    # The attachment is found through the article, never as a result of its own.
    assert all(item.iri != ARTICLE + "/guide" for item in site_search(tiny, "levier").items)
    assert site_search(tiny, "refonte").items[0].resource.title.startswith("Refonte des")


def test_an_exact_label_ranks_before_a_resource_that_only_mentions_it(tiny) -> None:
    found = site_search(tiny, "conseil citoyen")
    assert _kinds_and_iris(found)[:2] == [("concept", T + "conseil"), ("resource", ARTICLE)]
    assert found.kinds == [("concept", 1), ("resource", 1)]
    only = site_search(tiny, "conseil citoyen", kind="resource")
    assert _kinds_and_iris(only) == [("resource", ARTICLE)]


def test_an_exact_alternative_label_comes_first(tiny) -> None:
    found = site_search(tiny, "MEL")
    assert found.items[0].iri == T + "mel"
    assert {T + "mello", T + "melicocq"} <= {item.iri for item in found.items}


def test_our_own_namespace_first_among_equal_matches(tiny) -> None:
    index = get_index(tiny)
    assert [h.iri for h in index.lookup("Démocratie")] == [T + "democratie", U + "democratie"]
    assert index.search("democratie*")[0].iri == T + "democratie"


def test_a_deprecated_label_leads_to_the_replacement(tiny) -> None:
    found = site_search(tiny, "ZUS")
    [replacement] = found.replacements
    assert (replacement.old.label, replacement.pref_label) == ("ZUS", "Zone urbaine sensible")
    assert replacement.new is not None and replacement.new.iri == T + "qpv"
    assert all(item.iri != T + "zus" for item in found.items)  # still not offered itself
    assert site_search(tiny, "zone urbaine").replacements[0].new.iri == T + "qpv"


def test_an_obvious_correction_is_searched_at_once(tiny) -> None:
    found = site_search(tiny, "quartier prioritair")  # a prefix: no correction needed
    assert found.corrected_from is None and found.items[0].iri == T + "qpv"
    typo = site_search(tiny, "quartier prioritiare")
    assert typo.corrected_from == "quartier prioritiare" and typo.text == "Quartier prioritaire"
    assert typo.items[0].iri == T + "qpv"
    assert site_search(tiny, "xqzw").items == []


def test_every_label_language_facet_gives_what_it_counts(tiny) -> None:
    client = _client(tiny)
    found = site_search(tiny, "lille")
    languages = dict(found.languages)
    # fr: Lille, Métropole européenne de Lille; en: Lille, Lille Grand Palais; -: Lillebonne
    assert languages == {"fr": 2, "en": 2, "-": 1}
    for code, count in found.languages:
        chosen = site_search(tiny, "lille", labellang=code)
        assert len(chosen.items) == count, code
        html = client.get("/search", query_string={"q": "lille", "labellang": code}).text
        assert f"{count} résultat(s)" in html, code
    # Choosing a language keeps the others on offer.
    assert dict(site_search(tiny, "lille", labellang="fr").languages) == languages


def test_the_index_follows_a_resource_written_after_it_was_built(tiny) -> None:
    index = get_index(tiny)
    before = tiny.version
    tiny.update(
        f"""PREFIX dct: <http://purl.org/dc/terms/>
        INSERT DATA {{ GRAPH <{P}graph/t> {{
          <{ARTICLE}/guide> dct:title "Guide de la médiation sociale"@fr .
          <{P}resources/new> dct:title "Nouvelle étude"@fr ; dct:subject <{T}qpv> .
        }} }}"""
    )
    assert follow_change(tiny, [ARTICLE + "/guide", P + "resources/new"], before)
    assert get_index(tiny) is index
    assert [h.iri for h in index.resources("mediation")] == [ARTICLE]
    assert [h.iri for h in index.resources("etude quartier")] == [P + "resources/new"]
    assert len(index.resources("refonte")) == 1  # the article once, not twice


def test_the_index_follows_a_concept_deprecated_after_it_was_built(tiny) -> None:
    index = get_index(tiny)
    before = tiny.version
    tiny.update(
        f"""PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX dct: <http://purl.org/dc/terms/>
        INSERT DATA {{ GRAPH <{P}graph/t> {{
          <{T}mello> owl:deprecated true ; dct:isReplacedBy <{T}melicocq> . }} }}"""
    )
    assert follow_change(tiny, [T + "mello"], before)
    assert T + "mello" not in {h.iri for h in index.search("mello")}
    [old] = index.retired("mello")
    assert (old.iri, old.replaced_by) == (T + "mello", T + "melicocq")


# --- pages and JSON -------------------------------------------------------------------------


def test_search_page_and_autocomplete_on_the_committed_vocabulary(client) -> None:
    html = client.get("/search?q=refonte+des+contrats+de+ville").text
    first = re.search(r'<li class="hit[^"]*">\s*<a class="hit-label" href="([^"]+)"', html)[1]
    assert first == "/resources/refonte-des-contrats-de-ville-2023"
    lille = client.get("/search?q=conseil+citoyen+lille").text
    assert "/resources/refonte-des-contrats-de-ville-2023" in lille
    assert "Aucun concept ni aucune ressource" not in lille
    zus = client.get("/search?q=ZUS").text
    assert "remplacé par" in zus
    assert 'href="/notions/quartier-prioritaire-de-la-politique-de-la-ville"' in zus
    old = client.get("/api/autocomplete?q=ZUS").json["results"][0]
    assert (old["kind"], old["before"]) == ("replacement", "ZUS → remplacé par ")
    assert old["uri"].endswith("/notions/quartier-prioritaire-de-la-politique-de-la-ville")


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("concertaion", "concertation"), ("empowermnt", "empowerment"),
     ("démocratie particpative", "democratie-participative")],
)  # fmt: skip
def test_the_autocomplete_corrects_typos(client, typo: str, meant: str) -> None:
    results = client.get("/api/autocomplete", query_string={"q": typo}).json["results"]
    assert results and results[0]["kind"] == "correction"
    assert results[0]["uri"] == f"{P}notions/{meant}" and results[0]["obvious"] is True
    page = client.get("/search", query_string={"q": typo}).text
    assert "Résultats pour" in page and f'href="/notions/{meant}"' in page


def test_the_rest_search_stays_concepts_only(client) -> None:
    answer = client.get("/rest/v1/search?query=refonte*&lang=fr").json
    assert answer["results"] == []
    assert client.get("/rest/v1/search?query=ZUS").json["results"] == []


def test_the_autocomplete_names_the_vocabulary_and_the_language_that_matched(tiny) -> None:
    client = _client(tiny)
    results = client.get("/api/autocomplete?q=democratie").json["results"]
    assert [(r["uri"], r["vocab"]) for r in results] == [
        (T + "democratie", "tscheme"),
        (U + "democratie", "scheme"),
    ]
    assert results[1]["vocabTitle"] == "Imported"
    # No French label: the German one that matched, not the English fallback.
    german = client.get("/api/autocomplete?q=au%C3%9Fen").json["results"][0]
    assert (german["label"], german["lang"]) == ("Außenhandel", "de")
    # A French label: shown, with the German one that matched beside it.
    french = client.get("/api/autocomplete?q=demokr").json["results"][0]
    assert (french["label"], french["matched"]) == ("Démocratie", "Demokratie")


# --- our own schemes before an imported vocabulary -----------------------------------------


@pytest.fixture(scope="module")
def with_unesco(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """The committed vocabulary built with the UNESCO thesaurus imported next to it."""
    source = SHARED_DATA / "vocab" / "unesco-thesaurus.ttl"
    if not source.exists():
        pytest.skip(f"{source} is missing")
    data_dir = tmp_path_factory.mktemp("with-unesco")
    (data_dir / "imports").mkdir()
    shutil.copy(source, data_dir / "imports" / "thesaurus.ttl")
    build_store(PROJECT_ROOT / "vocab", data_dir)
    return open_current(Path(data_dir), read_only=True)


def test_label_look_ups_prefer_our_schemes_to_an_import(with_unesco) -> None:
    # No time limit: the first reconciliation reads the 4,400 imported concepts' facts.
    client = _client(with_unesco, COMPUTE_TIME_LIMIT=0)
    ours = client.get("/api/summary", query_string={"label": "Démocratie"}).json
    assert ours["uri"] == P + "notions/democratie"
    named = client.get("/api/summary", query_string={"label": "Démocratie", "vocab": "thesaurus"})
    assert named.json["uri"].startswith("http://vocabularies.unesco.org/thesaurus/")
    reconciled = client.get("/reconcile", query_string={"query": "Démocratie"}).json
    assert "result" in reconciled, reconciled
    assert reconciled["result"][0]["id"] == P + "notions/democratie"
    hits = client.get("/api/autocomplete?q=D%C3%A9mocratie").json["results"]
    assert hits[0]["uri"] == P + "notions/democratie"
    assert {h["vocab"] for h in hits} >= {"notions", "thesaurus"}


# --- the deadline ---------------------------------------------------------------------------


def test_search_past_its_time_limit_is_503_with_retry_after(tiny) -> None:
    client = _client(tiny, COMPUTE_TIME_LIMIT=NO_TIME)
    for url in ("/search?q=lille", "/api/autocomplete?q=lille", "/rest/v1/search?query=lille"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert response.headers["Retry-After"] == "1"
    assert _client(tiny).get("/search?q=lille").status_code == 200


class LateAfter(Deadline):
    """A deadline that passes after a number of looks (no clock in the test)."""

    def __init__(self, looks: int) -> None:
        super().__init__(0, "this search")
        self.looks, self.seen = looks, 0

    def passed(self) -> bool:
        self.seen += 1
        return self.seen > self.looks


def test_a_running_query_is_interrupted_at_its_deadline(vocab_store) -> None:
    index = get_index(vocab_store)
    deadline = LateAfter(1)  # the look before the query passes; SQLite's first look stops it
    with pytest.raises(TryLater), index.under(deadline):
        index.search("*e*", limit=100_000)
    assert deadline.seen >= 2
    assert index.search("*e*", limit=5)  # the handler is gone, the lock released


def test_waiting_for_the_index_stops_at_the_deadline(tiny) -> None:
    index = get_index(tiny)
    holder_has_it, release = threading.Event(), threading.Event()

    def hold() -> None:
        with index._lock:
            holder_has_it.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        holder_has_it.wait(30)
        with pytest.raises(TryLater), index.under(Deadline(0.01, "this search")):
            index.search("lille")
    finally:
        release.set()
        holder.join()
    assert index.search("lille")


def test_a_refresh_keeps_the_index_letters_of_vocabularies_it_did_not_touch(
    tiny, monkeypatch
) -> None:
    index = get_index(tiny)
    vocabularies = {s.iri: s.vocab_id for s in schemes(tiny)}
    ours, theirs = vocabularies[P + "tscheme"], vocabularies[U + "scheme"]
    assert "Z" not in index.index_letters(ours, "fr")
    kept = index.index_letters(theirs, "de")
    before = tiny.version
    tiny.update(
        f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        INSERT DATA {{ GRAPH <{P}graph/t> {{ <{T}zola> a skos:Concept ;
          skos:inScheme <{P}tscheme> ; skos:prefLabel "Zola"@fr . }} }}"""
    )
    assert follow_change(tiny, [T + "zola"], before)
    reads: list[str] = []
    original = index._rows

    def spy(sql: str, params: list) -> list:
        reads.append(sql)
        return original(sql, params)

    monkeypatch.setattr(index, "_rows", spy)
    assert index.index_letters(theirs, "de") == kept  # untouched: not read again
    assert reads == []
    assert "Z" in index.index_letters(ours, "fr")  # touched: read again, with the new label
    assert len(reads) == 1
