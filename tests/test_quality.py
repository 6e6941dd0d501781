"""qSKOS-style quality report: every check on a file made of problems, the CLI and its JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph_service.cli import main
from graph_service.config import PROJECT_ROOT
from graph_service.curate.quality import QualityReport, quality_of_files, run_checks
from graph_service.model.schemes import concept_count
from graph_service.store import Store
from graph_service.store.base import StoreError

DATA = Path(__file__).resolve().parent / "data" / "curation"
Q = "http://example.org/q/"

#: check id -> an offender it must report in quality_issues.ttl
EXPECTED = {
    "cyclic-hierarchical-relations": Q + "cycle1",
    "disjoint-labels-violation": Q + "pref-alt",
    "empty-labels": Q + "blank",
    "inconsistent-preferred-labels": Q + "two-prefs",
    "mapping-clashes": Q + "mapped",
    "missing-labels": Q + "no-label",
    "reflexively-related": Q + "self",
    "relation-clashes": Q + "clash",
    "undefined-skos-resources": Q + "typo",
    "ambiguous-notations": Q + "a",
    "extra-whitespace-in-labels": Q + "spaces",
    "http-uri-scheme-violation": "urn:x-local:concept",
    "mapping-relations-misuse": Q + "mapped",
    "omitted-or-invalid-language-tags": Q + "nolang",
    "omitted-top-concepts": Q + "empty-scheme",
    "orphan-concepts": Q + "orphan",
    "overlapping-labels": Q + "overlap",
    "solely-transitively-related": Q + "transitive",
    "top-concepts-having-broader-concepts": Q + "top-broader",
    "unprintable-characters-in-labels": Q + "control",
    "disconnected-concept-clusters": Q + "island1",
    "hierarchical-redundancy": Q + "redundant",
    "incomplete-language-coverage": Q + "orphan",
    "undocumented-concepts": Q + "a",
    "unidirectionally-related": Q + "typo",
    "valueless-associative-relations": Q + "a",
}


@pytest.fixture(scope="module")
def report() -> QualityReport:
    return quality_of_files([DATA / "quality_issues.ttl"])


def test_at_least_twenty_checks_each_finds_its_offender(report: QualityReport) -> None:
    checks = {c.id: c for c in report.checks}
    assert len(checks) >= 20
    for check_id, iri in EXPECTED.items():
        offenders = {o.iri for o in checks[check_id].offenders}
        assert iri in offenders, f"{check_id} missed {iri}: {offenders}"
        assert checks[check_id].count >= 1
        assert checks[check_id].severity in {"error", "warning", "info"}


def test_offenders_carry_labels_and_no_false_alarms(report: QualityReport) -> None:
    checks = {c.id: c for c in report.checks}
    cycle = {o.iri: o for o in checks["cyclic-hierarchical-relations"].offenders}
    assert cycle[Q + "cycle1"].label == "Cycle un"
    # Concepts that only look alike must not be blamed.
    assert Q + "root" not in {o.iri for o in checks["missing-labels"].offenders}
    assert {o.iri for o in checks["reflexively-related"].offenders} == {Q + "self"}
    assert {o.iri for o in checks["undefined-skos-resources"].offenders} == {Q + "typo"}


def findings(report: QualityReport) -> dict[str, list[tuple[str, str]]]:
    """Each check's offenders with their details, in a comparable order."""
    return {c.id: sorted((o.iri, o.detail) for o in c.offenders) for c in report.checks}


def test_every_backend_finds_the_same(memory_store: Store, report: QualityReport) -> None:
    """The checks answer alike on each engine (Virtuoso failed or answered wrongly to the
    hierarchical-redundancy check's bound path)."""
    memory_store.load(DATA / "quality_issues.ttl", "turtle", graph="http://example.org/graph/q")
    found = findings(run_checks(memory_store))
    assert found == findings(report)
    assert (Q + "redundant", f"{Q}root via {Q}a") in found["hierarchical-redundancy"]


#: STW's case: a deprecated concept typed only with a subclass of skos:Concept, a top concept
#: stated from the scheme's side, a collection in the scheme, and a stray concept in no scheme.
SUBCLASSED = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix s: <http://example.org/s/> .
s:Descriptor rdfs:subClassOf skos:Concept .
s:scheme a skos:ConceptScheme ; skos:prefLabel "Scheme"@en ; skos:hasTopConcept s:top .
s:top a skos:Concept ; skos:prefLabel "Top"@en, "Haut"@fr .
s:old a s:Descriptor ; skos:inScheme s:scheme ; skos:prefLabel "Old"@en ; owl:deprecated true .
s:older a s:Descriptor ; skos:inScheme s:scheme ; skos:prefLabel "Older"@en, "Vieux"@fr .
s:group a skos:Collection ; skos:inScheme s:scheme ; skos:prefLabel "Group"@en ;
    skos:member s:top .
s:stray a skos:Concept ; skos:prefLabel "Stray"@en .
"""


def test_the_concepts_are_the_schemes_as_every_page_counts_them(memory_store: Store) -> None:
    memory_store.load(SUBCLASSED, "turtle", graph="http://example.org/graph/s")
    result = run_checks(memory_store)
    assert result.concepts == concept_count(memory_store, "http://example.org/s/scheme") == 3
    # The Python checks see the subclass-typed concepts and the stray one (no French label).
    coverage = {o.iri for c in result.checks if c.id == "incomplete-language-coverage"
                for o in c.offenders}  # fmt: skip
    assert coverage == {"http://example.org/s/old", "http://example.org/s/stray"}


def test_clean_vocabulary_has_no_errors(tiny_vocab: Path) -> None:
    result = quality_of_files([tiny_vocab / "tiny.ttl"])
    assert result.totals()["error"] == 0
    assert result.concepts == 2


def test_not_rdf_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match=r"not_rdf\.ttl: not readable as RDF"):
        quality_of_files([DATA / "not_rdf.ttl"])


def _run(args: list[str], tmp_path: Path) -> object:
    env = {"GRAPH_SERVICE_DATA_DIR": str(tmp_path / "var")}
    return CliRunner().invoke(main, args, env=env)


def test_cli_json_and_fail_on(tmp_path: Path) -> None:
    path = str(DATA / "quality_issues.ttl")
    result = _run(["quality", "--format", "json", path], tmp_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["totals"]["error"] >= 9
    ids = {c["id"] for c in data["checks"]}
    assert "cyclic-hierarchical-relations" in ids
    check = next(c for c in data["checks"] if c["id"] == "missing-labels")
    assert check["offenders"][0]["iri"] == Q + "no-label"
    assert _run(["quality", "--fail-on", "error", path], tmp_path).exit_code == 1
    text = _run(["quality", path], tmp_path)
    assert "ERROR   cyclic-hierarchical-relations: 2" in text.output


def test_cli_clean_file_passes_fail_on_error(tiny_vocab: Path, tmp_path: Path) -> None:
    result = _run(["quality", "--fail-on", "error", str(tiny_vocab / "tiny.ttl")], tmp_path)
    assert result.exit_code == 0, result.output


def test_cli_not_rdf(tmp_path: Path) -> None:
    result = _run(["quality", str(DATA / "not_rdf.ttl")], tmp_path)
    assert result.exit_code == 1
    assert "not readable as RDF" in result.output


def test_committed_vocab_runs(tmp_path: Path) -> None:
    vocab = sorted((PROJECT_ROOT / "vocab").glob("*.ttl"))
    result = quality_of_files(vocab)
    assert result.concepts > 100
    assert {c.id for c in result.checks} >= set(EXPECTED)


def test_check_links_is_opt_in_and_safe(tmp_path: Path) -> None:
    vocab = tmp_path / "links.ttl"
    vocab.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<http://example.org/l/c> a skos:Concept ; skos:prefLabel "C"@fr ;\n'
        "    skos:exactMatch <http://127.0.0.1:9/nowhere> .\n",
        encoding="utf-8",
    )
    plain = json.loads(_run(["quality", "--format", "json", str(vocab)], tmp_path).output)
    assert "broken-links" not in {c["id"] for c in plain["checks"]}
    result = _run(["quality", "--format", "json", "--check-links", str(vocab)], tmp_path)
    checks = {c["id"]: c for c in json.loads(result.output)["checks"]}
    (offender,) = checks["broken-links"]["offenders"]
    assert offender["iri"] == "http://127.0.0.1:9/nowhere" and "loopback" in offender["detail"]
