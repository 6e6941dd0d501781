"""The field's words in vocab/: size, entry terms, is-a hierarchy, labels and UNESCO mappings."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, Graph, Literal, Namespace, URIRef

from graph_service.config import PROJECT_ROOT
from graph_service.curate.quality import quality_of_files
from graph_service.curate.suggest import suggest
from graph_service.curate.validate import validate_files, vocab_files
from graph_service.namespaces import graph_iri_for
from graph_service.search.index import SearchIndex
from graph_service.store.embedded import EmbeddedStore

VOCAB = PROJECT_ROOT / "vocab"
OWN_FILES = [VOCAB / "notions.ttl", VOCAB / "thematiques.ttl", VOCAB / "types.ttl"]
UNESCO_FILE = PROJECT_ROOT.parent / "shared" / "data" / "vocab" / "unesco-thesaurus.ttl"
UNESCO = "http://vocabularies.unesco.org/thesaurus/"
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
N = "https://w3id.org/pdv/notions/"
TYPES = "https://w3id.org/pdv/types/"
NOTIONS_SCHEME = URIRef("https://w3id.org/pdv/notions")
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)

#: Entry terms that found nothing before, and the concept each must now lead to.
ENTRY_TERMS = {
    "rénovation urbaine": N + "renouvellement-urbain",
    "NPRU": N + "nouveau-programme-national-de-renouvellement-urbain",
    "PRU": N + "projet-de-renouvellement-urbain",
    "quartiers populaires": N + "quartier-populaire",
    "tirage au sort": N + "tirage-au-sort",
    "conseillers citoyens": N + "conseil-citoyen",
    "territoire de veille active": N + "quartier-de-veille-active",
    "discriminations": N + "discrimination",
    "jeunes": N + "jeune",
    "emploi": N + "emploi",
    "CUCS": N + "contrat-urbain-de-cohesion-sociale",
    "instance participative": N + "instance-participative",
    "dispositif participatif": N + "dispositif-participatif",
    "programme 147": N + "credits-specifiques",
    "DSU-CS": N + "dotation-de-solidarite-urbaine-et-de-cohesion-sociale",
    "ZFU-TE": N + "zone-franche-urbaine-territoire-entrepreneur",
    "CLSPD": N + "conseil-local-de-securite-et-de-prevention-de-la-delinquance",
    "ANAH": N + "agence-nationale-de-l-habitat",
    "civic tech": N + "civic-tech",
    "expertise d'usage": N + "savoir-d-usage",
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    """Our three vocabulary files in one rdflib graph (read only)."""
    g = Graph()
    for path in OWN_FILES:
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def unesco() -> Graph:
    """The UNESCO Thesaurus shipped beside the project, which every mapping was read in."""
    assert UNESCO_FILE.is_file(), f"{UNESCO_FILE} is missing: the mappings cannot be checked"
    g = Graph()
    g.parse(UNESCO_FILE, format="turtle")
    return g


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    """vocab/ in a store of our own, one named graph per file as the build makes them."""
    built = EmbeddedStore()
    for path in vocab_files(VOCAB):
        built.load(path, "turtle", graph=graph_iri_for(str(path.relative_to(VOCAB))))
    return built


def _notions(graph: Graph) -> set[URIRef]:
    return {c for c in graph.subjects(SKOS.inScheme, NOTIONS_SCHEME)}


def _labels(graph: Graph, concept: str, prop: URIRef = SKOS.prefLabel) -> dict[str, str]:
    return {o.language: str(o) for o in graph.objects(URIRef(concept), prop)}


def _broader(graph: Graph, concept: str) -> set[str]:
    return {str(o) for o in graph.objects(URIRef(concept), SKOS.broader)}


# --- size and documentation -----------------------------------------------------------------------


def test_at_least_110_notions_each_defined_in_both_languages(graph: Graph) -> None:
    notions = _notions(graph)
    assert len(notions) >= 110
    for concept in notions:
        if (concept, OWL.deprecated, Literal(True)) in graph:
            continue
        for prop in (SKOS.prefLabel, SKOS.definition):
            langs = {o.language for o in graph.objects(concept, prop)}
            assert {"fr", "en"} <= langs, f"{concept}: {prop} in {langs}"
        assert (concept, SKOS.broader, None) in graph or (
            concept,
            SKOS.topConceptOf,
            NOTIONS_SCHEME,
        ) in graph, f"{concept} is outside the hierarchy"


def test_participatory_mechanism_and_body_are_concepts_that_can_index(graph: Graph) -> None:
    body, mechanism = N + "instance-participative", N + "dispositif-participatif"
    assert (URIRef(body), RDF.type, SKOS.Concept) in graph
    assert (URIRef(mechanism), RDF.type, SKOS.Concept) in graph
    assert _broader(graph, body) == {mechanism}
    for council in ("conseil-citoyen", "conseil-de-quartier", "conseil-de-developpement"):
        assert _broader(graph, N + council) == {body}


# --- checks of the project's own tools ------------------------------------------------------------


def test_own_files_validate_and_have_no_quality_error_or_warning() -> None:
    problems = validate_files(OWN_FILES, context=vocab_files(VOCAB))
    assert [str(p) for p in problems if p.severity == "error"] == []
    report = quality_of_files(OWN_FILES)
    bad = {
        c.id: [o.iri for o in c.offenders]
        for c in report.checks
        if c.count and c.severity != "info"
    }
    assert bad == {}


# --- hierarchy: broader means "is a" --------------------------------------------------------------


def test_the_non_generic_links_the_review_found_are_gone(graph: Graph) -> None:
    assert N + "concertation" not in _broader(graph, N + "maison-du-projet")
    for degree in ("information", "consultation", "concertation", "co-construction", "co-decision"):
        assert _broader(graph, N + degree) == {N + "participation-citoyenne"}
    assert N + "cadre-de-vie" not in _broader(
        graph, N + "abattement-de-taxe-fonciere-sur-les-proprietes-baties"
    )
    # Nothing is a kind of urban policy here: its fields, areas and schemes are related to it.
    assert not list(graph.subjects(SKOS.broader, URIRef(N + "politique-de-la-ville")))
    assert not list(graph.objects(URIRef(N + "politique-de-la-ville"), SKOS.narrower))
    assert _broader(graph, N + "democratie-participative") == {N + "democratie"}
    related = set(graph.objects(URIRef(N + "politique-de-la-ville"), SKOS.related))
    # Urban renewal is a kind of urban planning (as in the UNESCO Thesaurus), still related.
    assert _broader(graph, N + "renouvellement-urbain") == {N + "amenagement-urbain"}
    assert URIRef(N + "renouvellement-urbain") in related
    for field in ("cohesion-sociale", "cadre-de-vie", "emploi", "sante", "acces-aux-droits"):
        assert _broader(graph, N + field) == {
            N + "champ-d-intervention-de-la-politique-de-la-ville"
        }
        assert URIRef(N + field) in related


def test_each_moved_concept_says_why(graph: Graph) -> None:
    moved = [
        "maison-du-projet", "information", "consultation", "concertation", "co-construction",
        "co-decision", "conseil-citoyen", "conseil-de-quartier", "conseil-de-developpement",
        "abattement-de-taxe-fonciere-sur-les-proprietes-baties", "cohesion-sociale",
        "cadre-de-vie", "renouvellement-urbain", "democratie-participative",
    ]  # fmt: skip
    for slug in moved:
        notes = _labels(graph, N + slug, SKOS.changeNote)
        assert {"fr", "en"} <= notes.keys(), slug


def test_groupings_are_collections_and_the_degrees_keep_their_order(graph: Graph) -> None:
    degrees = URIRef(N + "collections/degres-de-participation")
    assert (degrees, RDF.type, SKOS.OrderedCollection) in graph
    first = graph.value(degrees, SKOS.memberList)
    ordered = [str(m) for m in graph.items(first)]
    assert ordered == [N + s for s in ("information", "consultation", "concertation",
                                       "co-construction", "co-decision")]  # fmt: skip
    pillars = URIRef(N + "collections/piliers-des-contrats-de-ville-2015-2023")
    assert len(list(graph.objects(pillars, SKOS.member))) == 4


# --- labels ---------------------------------------------------------------------------------------


def test_the_labels_the_review_found_wrong_are_fixed(graph: Graph) -> None:
    assert _labels(graph, N + "pouvoir-d-agir-collectif")["en"] == "Collective empowerment"
    assert _labels(graph, N + "community-organizing")["en"] == "Community organizing"
    assert _labels(graph, N + "vie-associative")["en"] != "Voluntary sector"
    assert _labels(graph, N + "droit-d-interpellation")["en"] != "Right of citizen challenge"
    every_label = {
        str(o).casefold()
        for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
        for o in graph.objects(None, p)
    }
    assert "médiation" not in every_label and "mediation" not in every_label
    assert "texte de référence" not in every_label


def test_health_mediation_and_cited_references_are_no_longer_misfiled(store: EmbeddedStore) -> None:
    health = {h.iri for h in suggest(store, "La médiation en santé dans les quartiers.")}
    assert N + "mediation-sociale" not in health
    cited = {h.iri for h in suggest(store, "Un guide et ses textes de référence.")}
    assert TYPES + "texte-officiel" not in cited
    # The specific term still finds its concept.
    assert N + "mediation-sociale" in {h.iri for h in suggest(store, "La médiation sociale.")}


# --- entry terms ----------------------------------------------------------------------------------


@pytest.mark.parametrize("term", ENTRY_TERMS)
def test_each_new_entry_term_is_found_by_the_search_index(store: EmbeddedStore, term: str) -> None:
    hits = _index(store).search(term, limit=5)
    assert hits, f"{term!r} finds nothing"
    assert hits[0].iri == ENTRY_TERMS[term], [h.iri for h in hits]


_INDEXES: dict[int, SearchIndex] = {}


def _index(store: EmbeddedStore) -> SearchIndex:
    """One index per store for the whole module (building it reads every label)."""
    if id(store) not in _INDEXES:
        _INDEXES[id(store)] = SearchIndex.build(store, previous_size=0)
    return _INDEXES[id(store)]


# --- mappings -------------------------------------------------------------------------------------


def _mappings(graph: Graph) -> list[tuple[URIRef, URIRef, URIRef]]:
    return [(s, p, o) for p in MAPPINGS for s, o in graph.subject_objects(p)]


def test_every_mapping_target_exists_in_the_unesco_file(graph: Graph, unesco: Graph) -> None:
    external = [(s, p, o) for s, p, o in _mappings(graph) if not str(o).startswith(N)]
    assert len(external) >= 25
    for s, p, o in external:
        assert str(o).startswith(UNESCO), f"{s} {p} {o}: only UNESCO mappings can be verified"
        assert (o, RDF.type, SKOS.Concept) in unesco, f"{s} {p} {o}: not in {UNESCO_FILE.name}"


def test_exact_and_close_mappings_name_the_same_thing(graph: Graph, unesco: Graph) -> None:
    for p in (SKOS.exactMatch, SKOS.closeMatch):
        for o in graph.objects(None, p):
            if str(o).startswith(UNESCO):
                assert (o, SKOS.prefLabel, None) in unesco, o
    # False friends: "Consultation" (3117) is counselling, "Médiation" (1415) legal mediation.
    targets = {str(o) for _, _, o in _mappings(graph)}
    assert UNESCO + "concept3117" not in targets and UNESCO + "concept1415" not in targets
    assert "http://eurovoc.europa.eu/8423" not in targets


def test_each_unesco_mapping_records_its_source(graph: Graph) -> None:
    for s, _, o in _mappings(graph):
        if str(o).startswith(UNESCO):
            notes = " ".join(str(n) for n in graph.objects(s, SKOS.editorialNote))
            assert "unesco-thesaurus.ttl" in notes and str(o).rsplit("/", 1)[1] in notes, s
