"""The writes benchmark's code path on a tiny vocabulary: a real server, an import, two rounds."""

from __future__ import annotations

import json
from pathlib import Path

from bench.report import Report
from bench.writes import STEPS, STW, WritesSettings, run_writes, source_concepts
from tests.conftest import SHARED_DATA

#: A small vocabulary to import, standing in for STW (same shape: concepts with labels).
SOURCE = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/small/> .

ex:scheme a skos:ConceptScheme ; skos:prefLabel "Small"@en ; skos:hasTopConcept ex:one .
ex:one a skos:Concept ; skos:inScheme ex:scheme ; skos:topConceptOf ex:scheme ;
    skos:prefLabel "One"@en ; skos:narrower ex:two, ex:three .
ex:two a skos:Concept ; skos:inScheme ex:scheme ; skos:broader ex:one ; skos:prefLabel "Two"@en .
ex:three a skos:Concept ; skos:inScheme ex:scheme ; skos:broader ex:one ;
    skos:prefLabel "Three"@en .
"""


def test_stw_is_located_like_the_tests_shared_data() -> None:
    assert STW == SHARED_DATA / "vocab" / "stw-skos.ttl"


def test_two_rounds_read_back_every_write(tiny_vocab: Path, tmp_path: Path) -> None:
    source = tmp_path / "small.ttl"
    source.write_text(SOURCE, encoding="utf-8")
    assert source_concepts(source) == [
        f"http://example.org/small/{n}" for n in ("one", "three", "two")
    ]
    settings = WritesSettings(rounds=2, source=source, vocab_id="small", vocab_dir=tiny_vocab)
    report = Report("test")
    # run_writes raises WritesError when a written triple is not read back (SELECT), a PUT graph
    # does not count its triples, or search does not find the new label: returning is the proof.
    assert run_writes(tmp_path / "out", settings, report, lambda _message: None)

    measures = [row.measure for row in report.rows]
    assert measures[0].startswith("first query of the just-started server")
    assert measures[1].startswith("import of small.ttl")
    assert measures[2].startswith("first round, right after the import")
    assert measures[3:] == [measure for _key, measure, _targeted in STEPS]
    assert all(row.section == "writes" and row.ours for row in report.rows)
    assert all(row.met in ("yes", "no") for row in report.rows if row.target)
    samples = report.raw["writes"]["samples"]  # type: ignore[index]
    assert {key: len(values) for key, values in samples.items()} == {k: 2 for k, *_ in STEPS}
    assert any("load average" in condition for condition in report.conditions)

    written = report.write(tmp_path / "out" / "writes" / "results.md")
    assert json.loads(written[1].read_text(encoding="utf-8"))["raw"]["writes"]["rounds"] == 2


def test_a_missing_source_skips_the_scenario_with_a_message(tmp_path: Path) -> None:
    settings = WritesSettings(rounds=2, source=tmp_path / "absent.ttl")
    report, messages = Report("test"), []
    assert not run_writes(tmp_path / "out", settings, report, messages.append)
    assert report.rows == []
    assert "absent.ttl is missing" in messages[0]
    assert messages[0] in report.conditions
