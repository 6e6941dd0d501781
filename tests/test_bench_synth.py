"""The benchmark's synthetic dataset: deterministic, parseable, and valid SKOS where it matters."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from bench.synth import CONCEPT_NS, SCHEME, generate, load_or_generate
from graph_service.model.base import SPARQL_PREFIXES
from graph_service.store.build import build_store, open_current

CONCEPTS, RESOURCES = 500, 1_000


def _files(root: Path) -> dict[str, bytes]:
    """The data files (synth.json also holds the generation time)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "synth.json"
    }


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(out, CONCEPTS, RESOURCES, seed=7)
    return out


@pytest.fixture(scope="module")
def synth_store(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("synth-data")
    report = build_store(synth_dir / "vocab", data_dir)
    store = open_current(data_dir, read_only=True)
    yield store, report
    store.close()


def test_same_seed_gives_identical_bytes(synth_dir: Path, tmp_path: Path) -> None:
    generate(tmp_path, CONCEPTS, RESOURCES, seed=7)
    assert _files(tmp_path) == _files(synth_dir)


def test_another_seed_gives_other_data(synth_dir: Path, tmp_path: Path) -> None:
    generate(tmp_path, CONCEPTS, RESOURCES, seed=8)
    assert (tmp_path / "all.nq").read_bytes() != (synth_dir / "all.nq").read_bytes()


def test_cached_dataset_is_reused_only_for_the_same_parameters(synth_dir: Path) -> None:
    summary, generated = load_or_generate(synth_dir, CONCEPTS, RESOURCES, seed=7)
    assert not generated
    assert summary.concepts == CONCEPTS
    assert summary.fr_labels and summary.with_children and summary.small_subtrees


def test_files_parse_and_counts_match(synth_dir: Path, synth_store) -> None:
    _store, report = synth_store
    by_file = {s.path: s.triples for s in report.sources}
    summary, _ = load_or_generate(synth_dir, CONCEPTS, RESOURCES, seed=7)
    assert by_file == summary.files
    lines = (synth_dir / "all.nq").read_text(encoding="utf-8").splitlines()
    assert len(lines) == summary.triples


def _count(store, where: str) -> int:
    rows = store.select(SPARQL_PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"])


def test_every_concept_has_one_label_in_fr_and_in_en(synth_store) -> None:
    store, _ = synth_store
    scheme = f"<{SCHEME}>"
    assert _count(store, f"?c skos:inScheme {scheme}") == CONCEPTS
    for lang in ("fr", "en"):
        assert (
            _count(
                store, f'?c skos:inScheme {scheme} ; skos:prefLabel ?l FILTER(lang(?l) = "{lang}")'
            )
            == CONCEPTS
        )
    accented = _count(store, '?c skos:prefLabel ?l FILTER(REGEX(?l, "[éèçôêàû]"))')
    assert accented > CONCEPTS // 2


def test_hierarchy_is_symmetric_with_polyhierarchy_and_related(synth_store) -> None:
    store, _ = synth_store
    assert _count(store, "?a skos:broader ?b FILTER NOT EXISTS { ?b skos:narrower ?a }") == 0
    assert _count(store, "?a skos:narrower ?b FILTER NOT EXISTS { ?b skos:broader ?a }") == 0
    assert _count(store, "?a skos:related ?b FILTER NOT EXISTS { ?b skos:related ?a }") == 0
    assert _count(store, "?a skos:broader+ ?a") == 0
    assert _count(store, "?a skos:related ?b") > 0
    rows = store.select(
        SPARQL_PREFIXES + "SELECT ?c (COUNT(?b) AS ?n) WHERE { ?c skos:broader ?b } "
        "GROUP BY ?c HAVING (COUNT(?b) > 1)"
    )
    assert rows, "some concepts have two broaders"
    tops = _count(store, f"<{SCHEME}> skos:hasTopConcept ?t . ?t skos:topConceptOf <{SCHEME}>")
    assert tops == _count(
        store, f"?c skos:inScheme <{SCHEME}> FILTER NOT EXISTS {{ ?c skos:broader ?b }}"
    )


def test_resources_are_indexed_with_concepts_and_places(synth_store) -> None:
    store, _ = synth_store
    assert (
        _count(store, "?r dct:title ?t ; dct:issued ?d ; dct:type ?y ; dct:spatial ?s") == RESOURCES
    )
    assert _count(store, "?r dct:subject ?c FILTER NOT EXISTS { ?c a skos:Concept }") == 0
    assert _count(store, "?r dct:spatial ?p FILTER NOT EXISTS { ?p skos:prefLabel ?l }") == 0
    first = URIRef(f"{CONCEPT_NS}c0")
    assert store.ask(SPARQL_PREFIXES + "ASK { $c skos:topConceptOf ?s }", {"c": first})
