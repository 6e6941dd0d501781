"""Imports may map to our concepts, never rewrite them (issue 19: an imported file gave
notions/empowerment a second French preferred label, "0 errors", and REST answered it)."""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from graph_service import create_app
from graph_service.cli import main
from graph_service.config import PROJECT_ROOT
from graph_service.curate.import_guard import intruding_triples, joined_context
from graph_service.curate.imports import ImportFailed, import_graph_iri, prepare_import
from graph_service.curate.validate import validate_graph
from graph_service.store.build import build_store, open_current

EMPOWERMENT = "https://w3id.org/pdv/notions/empowerment"
PREFIXES = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/outside/> .
@prefix notions: <https://w3id.org/pdv/notions/> .
"""
#: A valid outside vocabulary of one concept; each attack adds one line to it.
OUTSIDE = (
    PREFIXES
    + """\
ex:scheme a skos:ConceptScheme ; skos:prefLabel "Vocabulaire extérieur"@fr ;
    skos:hasTopConcept ex:a .
ex:a a skos:Concept ; skos:inScheme ex:scheme ; skos:topConceptOf ex:scheme ;
    skos:prefLabel "Pouvoir d'agir"@fr .
"""
)
ATTACKS = {
    "a second label of ours": 'notions:empowerment skos:prefLabel "Intrus"@fr .',
    "a note on ours": 'notions:empowerment skos:definition "Réécrit"@fr .',
    "their concept in our scheme": "ex:a skos:inScheme <https://w3id.org/pdv/notions> .",
    "their concept under ours": "ex:a skos:broader notions:empowerment .",
    "ours under their concept": "ex:a skos:narrower notions:empowerment .",
    "our concept at their top": "ex:scheme skos:hasTopConcept notions:empowerment .",
}
MAPPINGS = (
    OUTSIDE
    + """\
ex:a skos:exactMatch notions:empowerment ; skos:broadMatch notions:participation .
"""
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A store built from our notions (and what they point at)."""
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    for name in ("notions.ttl", "thematiques.ttl", "types.ttl"):
        shutil.copy(PROJECT_ROOT / "vocab" / name, vocab / name)
    target = tmp_path / "var"
    build_store(vocab, target)
    return target


def _french_labels(data_dir: Path, iri: str) -> list[str]:
    store = open_current(data_dir, read_only=True)
    try:
        rows = store.select(
            "SELECT ?l WHERE { $c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
            "FILTER(lang(?l) = 'fr') }",
            {"c": URIRef(iri)},
        )
        return sorted(str(row["l"]) for row in rows)
    finally:
        store.close()


def _dump(data_dir: Path) -> list[bytes]:
    store = open_current(data_dir, read_only=True)
    try:
        return sorted(store.dump("nquads").splitlines())
    finally:
        store.close()


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_triples_about_our_concepts_refuse_the_import(attack: str, data_dir: Path, tmp_path):
    source = tmp_path / "outside.ttl"
    source.write_text(OUTSIDE + ATTACKS[attack] + "\n", encoding="utf-8")
    before = _dump(data_dir)
    result = CliRunner().invoke(
        main,
        ["import", "--id", "outside", str(source)],
        env={"GRAPH_SERVICE_DATA_DIR": str(data_dir)},
    )
    assert result.exit_code != 0
    assert "about the service's own concepts" in result.output
    assert "nothing was imported" in result.output
    assert "notions:empowerment" in result.output or "pdv:notions" in result.output
    assert _dump(data_dir) == before
    assert _french_labels(data_dir, EMPOWERMENT) == ["Empowerment"]


def test_refused_without_validation_or_skosify_too(tmp_path: Path) -> None:
    """A security rule, not a check one may skip: --no-validate --no-skosify refuse as well."""
    source = tmp_path / "outside.ttl"
    source.write_text(OUTSIDE + ATTACKS["a second label of ours"], encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"notions:empowerment skos:prefLabel \"Intrus\"@fr"):
        prepare_import(str(source), skosify=False, validate=False, local_files=True)


def test_the_web_import_refuses_and_lists_them(data_dir: Path, tmp_path: Path) -> None:
    store = open_current(data_dir)
    try:
        app = create_app(
            {"TESTING": True, "STORE": store, "UPDATE_TOKEN": "t0ken", "DATA_DIR": data_dir}
        )
        client = app.test_client()
        body = (OUTSIDE + ATTACKS["a second label of ours"]).encode()
        started = client.post(
            "/curation/import",
            data={"file": (io.BytesIO(body), "outside.ttl"), "vocab_id": "outside"},
            headers={"Authorization": "Bearer t0ken", "Accept": "application/json"},
        )
        assert started.status_code == 202, started.text
        status_url = started.json["status_url"]
        deadline = time.monotonic() + 120
        while (job := client.get(status_url).json)["state"] not in {"done", "failed"}:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert job["state"] == "failed"
        assert 'notions:empowerment skos:prefLabel "Intrus"@fr' in job["error"]
        assert not store.has_graph(import_graph_iri("outside"))
        concept = client.get(f"/rest/v1/notions/label?uri={EMPOWERMENT}&lang=fr")
        assert concept.status_code == 200 and concept.json["prefLabel"] == "Empowerment"
    finally:
        store.close()


def test_mappings_to_ours_are_imported_without_skosify_s_inverses(data_dir: Path, tmp_path):
    """skosify infers `ours skos:narrowMatch theirs` and `theirs skos:broader ours` from a
    broadMatch: they would put the outside concept under ours on our pages. Left out."""
    source = tmp_path / "outside.ttl"
    source.write_text(MAPPINGS, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["import", "--id", "outside", str(source)],
        env={"GRAPH_SERVICE_DATA_DIR": str(data_dir)},
    )
    assert result.exit_code == 0, result.output
    assert "inferred triples about our concepts left out" in result.output
    store = open_current(data_dir, read_only=True)
    try:
        graph = URIRef(import_graph_iri("outside"))
        assert store.ask(
            "ASK { GRAPH $g { <http://example.org/outside/a> ?p $c } }",
            {"g": graph, "c": URIRef(EMPOWERMENT)},
        )  # the mapping is there
        about_ours = store.select(
            "SELECT ?s ?p ?o WHERE { GRAPH $g { ?s ?p ?o "
            "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/pdv/') "
            "|| (STRSTARTS(STR(?o), 'https://w3id.org/pdv/') && ?p = $broader)) } }",
            {"g": graph, "broader": SKOS.broader},
        )
        assert about_ours == []
    finally:
        store.close()
    assert _french_labels(data_dir, EMPOWERMENT) == ["Empowerment"]


def test_validated_with_the_concepts_it_joins(data_dir: Path) -> None:
    """The data an import points at comes along in validation: a second French label of ours
    is then an error, which the file alone does not show (the rule above refuses it first)."""
    outside = Graph().parse(data=MAPPINGS, format="turtle")
    outside.add((URIRef(EMPOWERMENT), SKOS.prefLabel, Literal("Intrus", lang="fr")))
    assert intruding_triples(outside) == [
        (URIRef(EMPOWERMENT), SKOS.prefLabel, Literal("Intrus", lang="fr"))
    ]
    alone = validate_graph(outside, file="outside.ttl")
    assert not [p for p in alone if p.severity == "error"]
    store = open_current(data_dir, read_only=True)
    try:
        context = joined_context(store, outside)
        joined = validate_graph(outside, file="outside.ttl", context=context)
        clean = validate_graph(
            Graph().parse(data=MAPPINGS, format="turtle"), file="outside.ttl", context=context
        )
    finally:
        store.close()
    errors = [p for p in joined if p.severity == "error"]
    assert any("more than one preferred label" in p.message for p in errors), joined
    assert not [p for p in clean if p.severity == "error"], clean  # mappings alone: valid
