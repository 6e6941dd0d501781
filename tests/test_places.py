"""Places in suggest and ingest: ordinary words are no communes, real places are found, EPCI by
their usual names, namesakes qualified; and the indexing tools' evidence (links, idf, counts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from graph_service.cli import main
from graph_service.config import PROJECT_ROOT
from graph_service.curate.ingest import SUBJECT_THRESHOLD, ingest_text
from graph_service.curate.suggest import get_label_index, suggest
from graph_service.model.cards import build_card
from graph_service.model.concept import concept_details
from graph_service.model.territory import display_labels
from graph_service.search.index import get_index
from graph_service.store.embedded import EmbeddedStore

SEED = PROJECT_ROOT.parent / "shared" / "seed" / "irev-article-2023-05-30.txt"
TERR = "https://w3id.org/pdv/territoires/"
N = "https://w3id.org/pdv/notions/"
LILLE, ROUBAIX, TOURCOING = (TERR + f"commune/{c}" for c in ("59350", "59512", "59599"))
DURY_SOMME, DURY_AISNE, DURY_PDC = (TERR + f"commune/{c}" for c in ("80261", "02273", "62280"))

#: Ordinary words that are also the names of territories, in sentences: none is a place here
#: (but Amiens, in "Amiens Nord", a quarter of Amiens).
ORDINARY = [
    "Une rencontre avec la Ville a eu lieu hier.",  # Ville (Oise)
    "Les habitants d'Amiens Nord se sont réunis.",  # the département Nord
    "Inscrivez-vous auprès de France Travail pour un emploi.",  # France
    "Somme toute, la réunion fut utile.",  # the département Somme
    "Une Croix a été peinte sur le mur.",  # Croix (Nord)
    "Le Don du sang recrute des bénévoles.",  # Don (Nord)
    "Il habite dans la Rue principale.",  # Rue (Somme)
    "Long de trois kilomètres, le parcours traverse le quartier.",  # Long (Somme)
    "Le Baron a légué son château à la commune.",  # Baron (Oise)
    "Avion et train sont remboursés aux participants.",  # Avion (Pas-de-Calais)
    "Le collectif Croix-Rouge intervient chaque semaine.",  # Croix, glued to another word
    "Rendez-vous au 3 Rue de la Paix, samedi.",  # Rue, a street
]


def _territories(store: EmbeddedStore, text: str) -> dict[str, float | None]:
    return {
        s.iri: s.place_confidence for s in suggest(store, text, limit=50) if s.iri.startswith(TERR)
    }


@pytest.mark.parametrize("sentence", ORDINARY)
def test_ordinary_words_are_not_places(vocab_store: EmbeddedStore, sentence: str) -> None:
    assert set(_territories(vocab_store, sentence)) <= {TERR + "commune/80021"}  # Amiens


def test_real_places_are_found_with_a_confidence(vocab_store: EmbeddedStore) -> None:
    found = _territories(vocab_store, "La réunion s'est tenue à Lille, avec la Ville.")
    assert set(found) == {LILLE}
    assert found[LILLE] is not None and found[LILLE] >= 0.9
    qualified = _territories(vocab_store, "Le projet de la commune de Dury (Somme) avance.")
    assert set(qualified) == {DURY_SOMME} and qualified[DURY_SOMME] == 1.0
    assert set(_territories(vocab_store, "Une fête à Rue de mai à juin.")) == {
        TERR + "commune/80688"
    }
    listed = _territories(vocab_store, "Des ateliers à Roubaix et Tourcoing ont réuni 40 jeunes.")
    assert set(listed) == {ROUBAIX, TOURCOING}
    # First word of the sentence: the coordination with an accepted place still carries it.
    initial = _territories(vocab_store, "Roubaix et Tourcoing signent la convention.")
    assert ROUBAIX in initial and TOURCOING in initial


def test_a_doubtful_commune_is_saved_by_its_departement(vocab_store: EmbeddedStore) -> None:
    # "Dury" opens the sentence (its capital says nothing) and has two namesakes elsewhere:
    # the département named in the text picks the Somme one and makes it a place.
    found = _territories(
        vocab_store, "Dury accueille le forum ; dans la Somme, c'est une première."
    )
    assert DURY_SOMME in found and DURY_AISNE not in found and DURY_PDC not in found
    alone = _territories(vocab_store, "Dury accueille le forum des associations.")
    assert not alone  # no context: not enough to say it is the place, nor which one


@pytest.mark.parametrize(
    ("name", "epci"),
    [
        ("Amiens Métropole", "248000531"),
        ("Douaisis Agglo", "200044618"),
        ("Valenciennes Métropole", "245901160"),
        ("MEL", "200093201"),
        ("CAPSO", "200069037"),
        ("Pays de Saint-Omer", "200069037"),
    ],
)
def test_epci_found_by_their_usual_names(vocab_store: EmbeddedStore, name: str, epci: str) -> None:
    text = f"La convention a été signée avec {name} en 2024."
    hits = [s for s in suggest(vocab_store, text) if s.iri.startswith(TERR)]
    assert hits and hits[0].iri == TERR + "epci/" + epci, [h.iri for h in hits]
    found = get_index(vocab_store).search(name, vocab_id="territoires", limit=3)
    assert found and found[0].iri == TERR + "epci/" + epci, [h.iri for h in found]


def test_namesakes_are_qualified_everywhere(vocab_store: EmbeddedStore) -> None:
    labels = display_labels(vocab_store, [DURY_SOMME, DURY_AISNE, LILLE], "fr")
    assert labels == {DURY_SOMME: "Dury (Somme)", DURY_AISNE: "Dury (Aisne)"}  # Lille: unique
    concept = concept_details(vocab_store, DURY_PDC, "fr")
    assert concept is not None and concept.display_label == "Dury (Pas-de-Calais)"
    lille = concept_details(vocab_store, LILLE, "fr")
    assert lille is not None and lille.display_label == "Lille" and lille.notation == "59350"
    card = build_card(vocab_store, DURY_SOMME, "en")
    assert card is not None and card.display_label == "Dury (Somme)"
    (hit,) = [s for s in suggest(vocab_store, "la commune de Dury (Somme)") if s.iri == DURY_SOMME]
    assert hit.display_label == "Dury (Somme)" and hit.label == "Dury"
    index = get_label_index(vocab_store)
    namesakes = {c for c in index.display if index.is_commune(c)}
    assert len(namesakes) == 113  # the region's communes that share their name with another


def _store(turtle: str) -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(turtle, "turtle", graph="http://example.org/graph/test")
    return store


_PREFIXES = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""


def test_identical_labels_count_one_occurrence_once() -> None:
    store = _store(
        _PREFIXES
        + """ex:e a skos:Concept ; skos:inScheme ex:s ;
    skos:prefLabel "Empowerment"@fr, "Empowerment"@en ; skos:altLabel "empowerment"@fr .
ex:c a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Concertation"@fr ."""
    )
    (hit,) = suggest(store, "Un texte sur l'empowerment.")
    assert hit.count == 1 and hit.matched_kind == "prefLabel"
    (twice,) = suggest(store, "Empowerment ? L'empowerment, encore.")
    assert twice.count == 2


def test_generic_labels_weigh_less() -> None:
    # "habitants" appears in the definitions of four other concepts, "empowerment" in none.
    definitions = "\n".join(
        f'ex:n{i} a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Notion {word}"@fr ; '
        f'skos:definition "Une démarche avec les habitants du quartier ({word})."@fr .'
        for i, word in enumerate(["alpha", "beta", "gamma", "delta"])
    )
    store = _store(
        _PREFIXES
        + definitions
        + """
ex:h a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Habitant"@fr .
ex:e a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Empowerment"@fr ."""
    )
    weights = get_label_index(store).key_weight
    assert weights[("habitant",)] < weights[("empowerment",)] == 1.0
    scores = {s.iri: s.score for s in suggest(store, "L'empowerment des habitants.")}
    assert scores["http://example.org/e"] == 1.0
    assert scores["http://example.org/h"] < 0.8


def test_generic_habitant_is_not_a_subject_of_the_seed(vocab_store: EmbeddedStore) -> None:
    hits = {s.iri: s for s in suggest(vocab_store, SEED.read_text(encoding="utf-8"), limit=40)}
    assert hits[N + "habitant"].score < SUBJECT_THRESHOLD
    index = get_label_index(vocab_store)
    assert index.key_weight[("habitant",)] < index.key_weight[("empowerment",)]


def test_a_link_to_the_concepts_see_also_is_strong_evidence(vocab_store: EmbeddedStore) -> None:
    text = "Une séance sur les démarches de quartier."
    plain = {s.iri for s in suggest(vocab_store, text)}
    assert N + "empowerment" not in plain
    linked = {
        s.iri: s for s in suggest(vocab_store, text, links=["http://dicopart.fr/empowerment-2022/"])
    }
    assert linked[N + "empowerment"].matched_kind == "link"
    assert linked[N + "empowerment"].score == 1.0


def test_ingest_keeps_empowerment_and_drops_habitant(vocab_store: EmbeddedStore) -> None:
    result = ingest_text(vocab_store, SEED.read_text(encoding="utf-8"))
    graph = Graph().parse(data=result.turtle, format="turtle")
    subjects = set(graph.objects(URIRef(result.iri), DCTERMS.subject))
    assert URIRef(N + "empowerment") in subjects
    assert URIRef(N + "habitant") not in subjects
    assert "dicopart.fr/empowerment-2022" in result.turtle  # the reason, for the reviewer
    spatial = set(graph.objects(URIRef(result.iri), DCTERMS.spatial))
    assert URIRef(LILLE) in spatial
    assert all(str(s).startswith(TERR) for s in spatial)


def test_ingest_links_an_undated_attachment_with_a_review_note(
    vocab_store: EmbeddedStore,
) -> None:
    text = SEED.read_text(encoding="utf-8").replace(", octobre 2021", "")
    result = ingest_text(vocab_store, text)
    assert [p for p in result.problems if p.severity == "error"] == [], result.problems
    graph = Graph().parse(data=result.turtle, format="turtle")
    iri = URIRef(result.iri)
    assert len(set(graph.objects(iri, DCTERMS.hasPart))) == 1  # only the dated attachment
    guide = URIRef(
        "https://irev.fr/sites/default/files/atoms/files/211020_v2-anct-agir-conseilscitoyens-bat_hd_1.pdf"
    )
    assert guide in set(graph.objects(iri, DCTERMS.relation))
    notes = " ".join(str(n) for n in graph.objects(iri, SKOS.editorialNote))
    assert "gives no date for its attachment" in notes and "Les conseils citoyens" in notes


def test_ingest_cli_exits_non_zero_without_writing_an_invalid_file(
    built_vocab_dir: Path, tmp_path: Path
) -> None:
    page = tmp_path / "page.txt"
    page.write_text(  # a dated page whose words index nothing: no dct:subject, invalid
        "# Zzz qqq\n\nZzz qqq www.\n\nPublié le 30 mai 2023\n",
        encoding="utf-8",
    )
    env = {"GRAPH_SERVICE_DATA_DIR": str(built_vocab_dir)}
    out = tmp_path / "resources"
    result = CliRunner().invoke(main, ["ingest", str(page), "--output", str(out)], env=env)
    assert result.exit_code == 1, result.output
    assert "not written" in result.output
    assert not out.exists() or not list(out.glob("*.ttl"))
    dry = CliRunner().invoke(main, ["ingest", "--dry-run", str(page)], env=env)
    assert dry.exit_code == 1 and "schema:NewsArticle" in dry.output
