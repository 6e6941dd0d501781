"""Export in every RDF format and as CSV; import-csv brings a CSV back (round trip)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Graph

from graph_service.cli import main
from graph_service.store.build import build_store, open_current

DATA = Path(__file__).resolve().parent / "data" / "curation"
RICH = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix r: <https://w3id.org/pdv/rich/> .
@prefix pdv: <https://w3id.org/pdv/> .

pdv:rich a skos:ConceptScheme ; dct:title "Riche"@fr, "Rich"@en ; skos:hasTopConcept r:a .
r:a a skos:Concept ; skos:inScheme pdv:rich ; skos:topConceptOf pdv:rich ;
    skos:prefLabel "Démocratie"@fr, "Democracy"@en ; skos:altLabel "démocratie politique"@fr ;
    skos:definition "Gouvernement par le peuple."@fr, "Rule by the people."@en ;
    skos:notation "01" ; skos:narrower r:b, r:c .
r:b a skos:Concept ; skos:inScheme pdv:rich ; skos:broader r:a ;
    skos:prefLabel "Concertation"@fr, "Consultation"@en ;
    skos:altLabel "concertation préalable"@fr, "dialogue"@fr ; skos:related r:c .
r:c a skos:Concept ; skos:inScheme pdv:rich ; skos:broader r:a ;
    skos:prefLabel "Budget participatif"@fr ; skos:related r:b .
"""


@pytest.fixture
def data_dir(tiny_vocab: Path, tmp_path: Path) -> Path:
    (tiny_vocab / "rich.ttl").write_text(RICH, encoding="utf-8")
    target = tmp_path / "var"
    build_store(tiny_vocab, target)
    return target


def _run(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"GRAPH_SERVICE_DATA_DIR": str(data_dir)})


@pytest.mark.parametrize(
    ("fmt", "parser"),
    [("turtle", "turtle"), ("ntriples", "nt"), ("rdfxml", "xml"), ("jsonld", "json-ld")],
)
def test_scheme_in_every_graph_format(data_dir: Path, fmt: str, parser: str) -> None:
    result = _run(data_dir, "export", "--scheme", "rich", "--format", fmt)
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.stdout_bytes, format=parser)
    assert len(graph) == len(Graph().parse(data=RICH, format="turtle"))


@pytest.mark.parametrize(("fmt", "parser"), [("trig", "trig"), ("nquads", "nquads")])
def test_everything_in_dataset_formats(data_dir: Path, fmt: str, parser: str) -> None:
    result = _run(data_dir, "export", "--format", fmt)
    assert result.exit_code == 0, result.output
    dataset = Dataset()
    dataset.parse(data=result.stdout_bytes, format=parser)
    graphs = {str(g.identifier) for g in dataset.graphs()}
    assert "https://w3id.org/pdv/graph/rich" in graphs
    assert "https://w3id.org/pdv/graph/build" not in graphs


def test_unknown_scheme(data_dir: Path) -> None:
    result = _run(data_dir, "export", "--scheme", "nope")
    assert result.exit_code == 1
    assert "no concept scheme 'nope'" in result.output and "rich" in result.output


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {row["uri"]: row for row in csv.DictReader(io.StringIO(text))}


def test_csv_columns(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rich.csv"
    assert (
        _run(data_dir, "export", "--scheme", "rich", "--format", "csv", "-o", str(out)).exit_code
        == 0
    )
    text = out.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert header == [
        "uri",
        "prefLabel@fr",
        "prefLabel@en",
        "altLabel@fr",
        "altLabel@en",
        "definition@fr",
        "definition@en",
        "broader",
        "notation",
    ]
    rows = _rows(text)
    b = rows["https://w3id.org/pdv/rich/b"]
    assert b["altLabel@fr"] == "concertation préalable | dialogue"
    assert b["broader"] == "https://w3id.org/pdv/rich/a"
    assert rows["https://w3id.org/pdv/rich/a"]["notation"] == "01"


def _concepts(data_dir: Path, scheme: str) -> dict[str, dict[str, str]]:
    result = _run(data_dir, "export", "--scheme", scheme, "--format", "csv")
    assert result.exit_code == 0, result.output
    return _rows(result.output)


def test_csv_round_trip_into_another_store(data_dir: Path, tmp_path: Path) -> None:
    exported = tmp_path / "rich.csv"
    _run(data_dir, "export", "--scheme", "rich", "--format", "csv", "-o", str(exported))
    other_vocab = tmp_path / "other"
    other_vocab.mkdir()
    (other_vocab / "tiny.ttl").write_text((data_dir.parent / "vocab" / "tiny.ttl").read_text())
    other = tmp_path / "other-var"
    build_store(other_vocab, other)
    result = _run(other, "import-csv", str(exported), "--scheme", "rich")
    assert result.exit_code == 0, result.output
    assert _concepts(other, "rich") == _concepts(data_dir, "rich")
    assert (other / "imports" / "rich.ttl").is_file()


def test_csv_round_trip_in_place_and_edit(data_dir: Path, tmp_path: Path) -> None:
    exported = tmp_path / "rich.csv"
    _run(data_dir, "export", "--scheme", "rich", "--format", "csv", "-o", str(exported))
    before = _concepts(data_dir, "rich")
    result = _run(data_dir, "import-csv", str(exported), "--scheme", "rich")
    assert result.exit_code == 0, result.output
    assert "journalled: builds replay it over vocab/" in result.output
    assert _concepts(data_dir, "rich") == before
    # skos:related is not in the CSV and survives the round trip.
    store = open_current(data_dir, read_only=True)
    try:
        assert store.ask(
            "ASK { <https://w3id.org/pdv/rich/b> <http://www.w3.org/2004/02/skos/core#related> ?x }"
        )
    finally:
        store.close()
    edited = exported.read_text(encoding="utf-8").replace("Budget participatif", "Budget citoyen")
    exported.write_text(edited, encoding="utf-8")
    assert _run(data_dir, "import-csv", str(exported), "--scheme", "rich").exit_code == 0
    after = _concepts(data_dir, "rich")
    assert after["https://w3id.org/pdv/rich/c"]["prefLabel@fr"] == "Budget citoyen"
    # Journalled, the edit outlives a build from the unchanged vocab/.
    build_store(data_dir.parent / "vocab", data_dir)
    assert _concepts(data_dir, "rich") == after


def test_csv_missing_column_loads_nothing(data_dir: Path) -> None:
    before = _concepts(data_dir, "rich")
    result = _run(data_dir, "import-csv", str(DATA / "missing_column.csv"), "--scheme", "rich")
    assert result.exit_code == 1
    assert "missing column: uri" in result.output
    assert "nothing was loaded" in result.output
    assert _concepts(data_dir, "rich") == before


def test_csv_bad_broader_is_refused(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("uri;prefLabel@fr;broader\nhttps://w3id.org/pdv/rich/x;X;not an iri\n")
    before = _concepts(data_dir, "rich")
    result = _run(data_dir, "import-csv", str(bad), "--scheme", "rich")
    assert result.exit_code == 1, result.output
    assert "line 2: broader 'not an iri' is not an http(s) IRI" in result.output
    assert _concepts(data_dir, "rich") == before
