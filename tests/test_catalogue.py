"""The catalogue of vocab/resources/: valid records, real concepts, unique addresses."""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

from rdflib import RDF, SKOS, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from bench.suggest_eval import Comparison, evaluate
from graph_service.config import PROJECT_ROOT
from graph_service.curate.validate import validate_files, vocab_files

VOCAB = PROJECT_ROOT / "vocab"
RESOURCES = VOCAB / "resources"
NOTIONS = "https://w3id.org/pdv/notions"
MIN_RESOURCES = 100  # issue 17: "at least 100 real resources"
MIN_NOTIONS = 3  # issue 17: "each resource with at least three subjects"


@functools.cache
def vocabulary() -> Graph:
    """Every file of vocab/ but the resources: the concepts records may point to."""
    graph = Graph()
    for path in vocab_files(VOCAB):
        if RESOURCES not in path.parents:
            graph.parse(path)
    return graph


@functools.cache
def catalogue() -> Graph:
    """Every record of vocab/resources/ in one graph."""
    graph = Graph()
    for path in sorted(RESOURCES.glob("*.ttl")):
        graph.parse(path)
    return graph


def indexed() -> list[URIRef]:
    """Every resource that carries subjects: the records and their attachments."""
    return sorted({s for s in catalogue().subjects(DCTERMS.subject, None) if isinstance(s, URIRef)})


def records() -> list[URIRef]:
    """The catalogue's records: indexed resources that are no part of another one."""
    return [r for r in indexed() if catalogue().value(r, DCTERMS.isPartOf) is None]


def test_every_record_validates_against_the_shapes_and_the_vocabulary() -> None:
    files = sorted(RESOURCES.glob("*.ttl"))
    problems = validate_files(files, context=vocab_files(VOCAB))
    # Warnings count too: a subject that is no concept of the vocabulary is only a warning.
    found = [p for p in problems if "resources/" in p.file]
    assert [f"{p.file}: {p.focus}: {p.message}" for p in found] == []


def test_the_catalogue_holds_at_least_a_hundred_records() -> None:
    assert len(records()) >= MIN_RESOURCES


def test_the_catalogue_is_not_empty_and_grows_from_real_centres() -> None:
    publishers = {str(p) for p in catalogue().objects(None, DCTERMS.publisher)}
    assert len(records()) >= 25
    assert len(publishers) >= 5  # IREV and its peers, not one source


def test_each_resource_has_three_notions_of_the_vocabulary() -> None:
    concepts = set(vocabulary().subjects(RDF.type, SKOS.Concept))
    weak = {}
    for resource in indexed():
        subjects = set(catalogue().objects(resource, DCTERMS.subject))
        unknown = subjects - concepts
        notions = [s for s in subjects if str(s).startswith(NOTIONS + "/") and s in concepts]
        if unknown or len(notions) < MIN_NOTIONS:
            weak[str(resource)] = (len(notions), sorted(map(str, unknown)))
    assert weak == {}


def test_every_address_is_https_and_belongs_to_one_resource() -> None:
    addresses = [
        str(o)
        for predicate in (DCTERMS.source, DCAT.downloadURL)
        for s, o in catalogue().subject_objects(predicate)
        if not (predicate == DCAT.downloadURL and catalogue().value(s, DCTERMS.source) == o)
    ]
    assert [a for a in addresses if not a.startswith("https://")] == []
    assert [a for a, n in Counter(addresses).items() if n > 1] == []
    assert all(catalogue().value(r, DCTERMS.source) is not None for r in records())


def test_no_two_records_share_a_title_and_a_date() -> None:
    keys = Counter(
        (
            str(catalogue().value(r, DCTERMS.title)).casefold(),
            str(catalogue().value(r, DCTERMS.issued)),
        )
        for r in indexed()
    )
    assert [k for k, n in keys.items() if n > 1] == []


def test_territories_of_the_records_are_concepts_of_the_territories_scheme() -> None:
    scheme = URIRef("https://w3id.org/pdv/territoires")
    places = set(catalogue().objects(None, DCTERMS.spatial))
    assert [str(p) for p in places if (p, SKOS.inScheme, scheme) not in vocabulary()] == []


def test_the_evaluation_counts_hits_misses_and_false_positives(vocab_store) -> None:
    base = "https://w3id.org/pdv/"
    chosen = {
        "resources": [
            {
                "file": "example.ttl",
                "text": "Les conseils citoyens des quartiers prioritaires et le contrat de ville",
                "subjects": [base + "notions/conseil-citoyen", base + "notions/empowerment"],
                "themes": [],
                "territories": [base + "territoires/region/32"],
            }
        ]
    }
    [result] = evaluate(vocab_store, chosen)
    assert base + "notions/conseil-citoyen" in result.subjects.hits
    assert result.subjects.misses == [base + "notions/empowerment"]
    assert base + "notions/contrat-de-ville" in result.subjects.false_positives
    assert result.places.misses == [base + "territoires/region/32"]
    assert Comparison(chosen=["a"], suggested=["a", "b"]).false_positives == ["b"]


def test_the_chosen_subjects_were_written_for_records_of_the_catalogue() -> None:
    import json

    chosen = json.loads((PROJECT_ROOT / "docs/evaluation/subjects-chosen.json").read_text("utf-8"))
    assert len(chosen["resources"]) == 10
    for entry in chosen["resources"]:
        assert (PROJECT_ROOT / entry["file"]).is_file(), entry["file"]
        assert URIRef(entry["iri"]) in set(records())
        assert Path(entry["file"]).parent == Path("vocab/resources")
