"""Vocabulary diff: added, removed, deprecated concepts and per-concept changes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from graph_service.cli import main
from graph_service.curate.diff import diff_files

OLD = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/d/> .
ex:s a skos:ConceptScheme .
ex:a a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Alpha"@fr ; skos:definition "Avant"@fr .
ex:b a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Bêta"@fr ; skos:broader ex:a .
ex:c a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Gamma"@fr .
ex:old a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Ancien"@fr .
"""
NEW = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <http://example.org/d/> .
ex:s a skos:ConceptScheme .
ex:a a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Alpha"@fr ; skos:definition "Après"@fr .
ex:b a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Beta"@fr ; skos:broader ex:c ;
    skos:related ex:c .
ex:c a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Gamma"@fr ; owl:deprecated true .
ex:new a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Nouveau"@fr .
"""
EX = "http://example.org/d/"


def _files(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.ttl", tmp_path / "new.ttl"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    return old, new


def test_diff_reports_every_kind_of_change(tmp_path: Path) -> None:
    diff = diff_files(*_files(tmp_path))
    assert [r.iri for r in diff.added] == [EX + "new"]
    assert [r.iri for r in diff.removed] == [EX + "old"]
    assert [(r.iri, r.label) for r in diff.deprecated] == [(EX + "c", "Gamma")]
    changes = {c.iri: {f.field: (f.removed, f.added) for f in c.changes} for c in diff.changed}
    assert changes[EX + "a"] == {"definition": (['"Avant"@fr'], ['"Après"@fr'])}
    assert changes[EX + "b"]["prefLabel"] == (['"Bêta"@fr'], ['"Beta"@fr'])
    assert changes[EX + "b"]["broader"] == ([EX + "a"], [EX + "c"])
    assert changes[EX + "b"]["related"] == ([], [EX + "c"])


def test_identical_files_make_an_empty_diff(tmp_path: Path) -> None:
    old, _ = _files(tmp_path)
    diff = diff_files(old, old)
    assert diff.is_empty and not diff.changed


def test_cli_text_and_json(tmp_path: Path) -> None:
    old, new = _files(tmp_path)
    env = {"GRAPH_SERVICE_DATA_DIR": str(tmp_path / "var")}
    text = CliRunner().invoke(main, ["diff", str(old), str(new)], env=env)
    assert text.exit_code == 0, text.output
    assert "1 added, 1 removed, 1 deprecated" in text.output
    assert 'prefLabel: - "Bêta"@fr' in text.output
    result = CliRunner().invoke(main, ["diff", "--format", "json", str(old), str(new)], env=env)
    data = json.loads(result.output)
    assert data["added"][0]["label"] == "Nouveau"


def test_cli_not_rdf(tmp_path: Path) -> None:
    old, _ = _files(tmp_path)
    bad = Path(__file__).resolve().parent / "data" / "curation" / "not_rdf.ttl"
    result = CliRunner().invoke(main, ["diff", str(old), str(bad)], env={})
    assert result.exit_code == 1
    assert "cannot read the files as RDF" in result.output
