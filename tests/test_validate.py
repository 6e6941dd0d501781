"""Tests for graph_service.curate.validate: the SHACL shapes, the Python checks and the report."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from graph_service.curate.validate import (
    DEFAULT_SHAPES_DIR,
    Problem,
    format_report,
    validate_files,
    validate_graph,
    vocab_files,
)

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
VOCAB = TESTS.parent / "vocab"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SKOSMOS_TESTS = SHARED_DATA / "vocab" / "skosmos-tests"

EX = "http://example.org/"
CYCLE = "http://www.skosmos.skos/cycle/"
DUP = "http://www.skosmos.skos/dup/"
NOLANG = "http://www.skosmos.skos/nolang/"

# (file in tests/data, offending focus node, distinctive substring of the one error it holds)
INVALID = [
    (
        "two_preflabels_same_lang",
        "concertation",
        "skos:prefLabel: has more than one preferred label in the same language (language 'fr'",
    ),
    (
        "pref_alt_overlap",
        "concertation",
        'skos:prefLabel "Concertation"@fr: is both a preferred and an alternative label',
    ),
    (
        "pref_hidden_overlap",
        "concertation",
        'skos:prefLabel "Concertation"@fr: is both a preferred and a hidden label',
    ),
    (
        "alt_hidden_overlap",
        "concertation",
        'skos:altLabel "Consultation"@fr: is both an alternative and a hidden label',
    ),
    ("label_no_lang", "concertation", 'skos:altLabel "Consultation": has no language tag'),
    ("notation_integer", "concertation", 'skos:notation "42"^^xsd:integer: must be a plain string'),
    (
        "broader_not_concept",
        "concertation",
        f"skos:broader <{EX}dialogue> (Dialogue): is not a skos:Concept",
    ),
    (
        "narrower_not_concept",
        "concertation",
        f"skos:narrower <{EX}atelier> (Atelier): is not a skos:Concept",
    ),
    (
        "related_not_concept",
        "concertation",
        f"skos:related <{EX}dialogue> (Dialogue): is not a skos:Concept",
    ),
    (
        "related_on_broader_chain",
        "concertation",
        f"skos:related <{EX}participation> (Participation): is on its own broader chain",
    ),
    ("concept_without_scheme", "concertation", "is not in any concept scheme"),
    (
        "collection_member_not_concept",
        "instances",
        f"skos:member <{EX}dialogue> (Dialogue): is not a skos:Concept or a skos:Collection",
    ),
    ("scheme_without_title", "scheme", "has no language-tagged title"),
    ("scheme_without_top_concept", "scheme", "has no top concept"),
    ("mapping_literal", "concertation", 'skos:exactMatch "http://vocabularies.unesco.org/'),
    ("broader_cycle", "concertation", "broader cycle: Concertation > Consultation > Concertation"),
    ("missing_preflabel", "concertation", "skos:prefLabel: has no preferred label"),
    ("resource_without_title", "article", "dct:title: has no title"),
    ("resource_without_issued", "article", "dct:issued: has no issue date"),
    (
        "resource_issued_not_date",
        "article",
        'dct:issued "2023-05-30T16:30:00"^^xsd:dateTime: must be a date typed xsd:date',
    ),
    ("resource_modified_not_date", "article", 'dct:modified "30/05/2023": must be a date'),
    ("resource_subject_not_concept", "article", "is not indexed with any concept"),
    ("resource_without_type", "article", "dct:type: has no type"),
    (
        "resource_type_not_in_types_scheme",
        "article",
        f"dct:type <{EX}participation> (Participation): is not a concept of the types scheme",
    ),
    (
        "resource_spatial_not_territory",
        "article",
        f"dct:spatial <{EX}participation> (Participation): is not a concept of the territories",
    ),
    ("resource_bytesize_negative", "article", 'dcat:byteSize "-1"^^xsd:integer: must be a non-neg'),
]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


@pytest.mark.parametrize(("name", "focus", "expected"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_file_reports_its_error(name: str, focus: str, expected: str) -> None:
    problems = validate_files([DATA / f"{name}.ttl"])
    found = errors(problems)
    # Each fixture is valid except for its one broken rule, so exactly one error is expected.
    assert len(found) == 1, format_report(problems)
    (error,) = found
    assert error.focus == EX + focus, str(error)
    assert expected in error.message, str(error)
    assert f"{name}.ttl: {EX}{focus}" in str(error)


def test_valid_minimal_has_no_problem() -> None:
    assert validate_files([DATA / "valid_minimal.ttl"]) == []


def test_a_deprecated_concept_may_lack_a_preferred_label() -> None:
    assert validate_files([DATA / "valid_deprecated_without_preflabel.ttl"]) == []


def test_a_scheme_with_a_subject_is_not_taken_for_a_resource() -> None:
    # STW's scheme carries dct:subject: the resource rules must not apply to it.
    assert validate_files([DATA / "valid_scheme_with_subject.ttl"]) == []


def test_every_fixture_is_covered() -> None:
    fixtures = {p.stem for p in DATA.glob("*.ttl")}
    assert fixtures == {name for name, _, _ in INVALID} | {
        "valid_minimal",
        "valid_scheme_with_subject",
        "valid_deprecated_without_preflabel",
    }


def test_subject_that_is_no_concept_is_also_a_warning() -> None:
    problems = validate_files([DATA / "resource_subject_not_concept.ttl"])
    warns = [p for p in problems if p.severity == "warning"]
    assert [p.message for p in warns] == [
        f"dct:subject <{EX}dialogue> (Dialogue): is not a concept of the vocabulary"
    ]


# ----------------------------------------------------------------------------- Skosmos test data


def test_skosmos_cycles_are_each_reported_once() -> None:
    problems = validate_files([SKOSMOS_TESTS / "cycle.ttl"])
    cycles = {p.focus: p.message for p in problems if "broader cycle" in p.message}
    assert cycles == {
        # ta2 skos:narrower ta2: a self-loop
        CYCLE + "ta2": "broader cycle: Concept 2 > Concept 2",
        # ta3 and ta4 are each other's broader and narrower
        CYCLE + "ta3": "broader cycle: Concept 3 > Concept 4 > Concept 3",
    }
    assert all(p.severity == "error" and "cycle.ttl" in str(p) for p in problems)


def test_skosmos_dup_reports_shared_labels_and_missing_schemes() -> None:
    problems = validate_files([SKOSMOS_TESTS / "dup.ttl"])
    shared = {(p.focus, p.message) for p in problems if p.severity == "warning"}
    prefix = "skos:prefLabel: shares its preferred label"
    assert shared == {
        (DUP + "d1", f"{prefix} 'Identical label'@en with <{DUP}d2>"),
        (DUP + "d2", f"{prefix} 'Identical label'@en with <{DUP}d1>"),
        (DUP + "d3", f"{prefix} 'A label'@en with <{DUP}d6>"),
        (DUP + "d6", f"{prefix} 'A label'@en with <{DUP}d3>"),
    }
    # None of its seven concepts says which scheme it belongs to.
    no_scheme = {p.focus for p in errors(problems) if "not in any concept scheme" in p.message}
    assert no_scheme == {f"{DUP}d{i}" for i in range(1, 8)}


def test_skosmos_nolang_reports_labels_without_language() -> None:
    problems = validate_files([SKOSMOS_TESTS / "nolang.ttl"])
    untagged = {p.focus for p in errors(problems) if "has no language tag" in p.message}
    assert untagged == {NOLANG + "no1", NOLANG + "no2", NOLANG + "no3"}
    line = next(str(p) for p in problems if p.focus == NOLANG + "no1")
    assert line.endswith(
        f'nolang.ttl: {NOLANG}no1 (No language code): skos:prefLabel "No language code": '
        "has no language tag"
    )


# ----------------------------------------------------------------------------- files and context

VOCAB_TTL = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:scheme a skos:ConceptScheme ; dct:title "Notions"@fr ; skos:hasTopConcept ex:concertation .
ex:concertation a skos:Concept ; skos:inScheme ex:scheme ; skos:topConceptOf ex:scheme ;
    skos:prefLabel "Concertation"@fr .
ex:unlabelled a skos:Concept ; skos:inScheme ex:scheme .
<https://w3id.org/pdv/types> a skos:ConceptScheme ; dct:title "Types"@fr ;
    skos:hasTopConcept <https://w3id.org/pdv/types/guide-pratique> .
<https://w3id.org/pdv/types/guide-pratique> a skos:Concept ;
    skos:topConceptOf <https://w3id.org/pdv/types> ; skos:prefLabel "Guide pratique"@fr .
"""
RESOURCE_TTL = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:guide a schema:DigitalDocument ; dct:title "Les conseils citoyens"@fr ;
    dct:issued "2021-10-01"^^xsd:date ; dct:subject ex:concertation ;
    dct:type <https://w3id.org/pdv/types/guide-pratique> .
"""


@pytest.fixture
def vocab_and_resource(tmp_path: Path) -> tuple[Path, Path]:
    vocab = tmp_path / "notions.ttl"
    vocab.write_text(VOCAB_TTL, encoding="utf-8")
    resource = tmp_path / "resources" / "guide.ttl"
    resource.parent.mkdir()
    resource.write_text(RESOURCE_TTL, encoding="utf-8")
    return vocab, resource


def test_context_gives_concepts_but_its_problems_are_not_reported(vocab_and_resource) -> None:
    vocab, resource = vocab_and_resource
    assert validate_files([resource], context=[vocab]) == []
    # Alone, the resource cannot know its subject and type are concepts.
    alone = errors(validate_files([resource]))
    assert {p.message.split(" ")[0] for p in alone} == {"dct:subject:", "dct:type"}
    # Given as a file (even if also in context), the vocabulary's own problem is reported.
    both = validate_files([resource, vocab], context=[vocab, resource])
    assert [(Path(p.file).name, p.focus, p.message) for p in both] == [
        ("notions.ttl", EX + "unlabelled", "skos:prefLabel: has no preferred label")
    ]


def test_problem_is_filed_under_the_file_stating_the_triple(tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "<http://example.org/concertation> <http://www.w3.org/2004/02/skos/core#notation> 7 .\n",
        encoding="utf-8",
    )
    (problem,) = validate_files([DATA / "valid_minimal.ttl", extra])
    assert Path(problem.file).name == "extra.ttl"
    assert problem.focus == EX + "concertation"
    assert problem.label == "Concertation"  # labels come from the union, not from extra.ttl


def test_unreadable_files_are_problems_not_exceptions(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c\nex:d ex:e ex:f .\n", encoding="utf-8"
    )
    missing = tmp_path / "missing.ttl"
    problems = validate_files([broken, missing, DATA / "valid_minimal.ttl"])
    assert [(Path(p.file).name, p.focus, p.severity) for p in problems] == [
        ("broken.ttl", "", "error"),
        ("missing.ttl", "", "error"),
    ]
    assert problems[0].message.startswith("cannot be read as Turtle: line 3: expected '.'")
    assert problems[1].message.startswith("cannot be read: ")
    assert str(problems[0]).startswith(f"{problems[0].file}: cannot be read as Turtle")


def test_format_is_chosen_by_extension(tmp_path: Path) -> None:
    nt = tmp_path / "concept.nt"
    nt.write_text(
        "<http://example.org/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://www.w3.org/2004/02/skos/core#Concept> .\n",
        encoding="utf-8",
    )
    messages = {p.message for p in validate_files([nt])}
    assert "skos:prefLabel: has no preferred label" in messages
    rdf = tmp_path / "bad.rdf"
    rdf.write_text("not xml", encoding="utf-8")
    (problem,) = validate_files([rdf])
    assert problem.message.startswith("cannot be read as RDF/XML: ")


def test_no_warning_escapes_even_when_warnings_are_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert validate_files([DATA / "valid_minimal.ttl"]) == []


# ----------------------------------------------------------------------------- in memory


def test_validate_graph_in_memory() -> None:
    graph = Graph().parse(DATA / "missing_preflabel.ttl")
    size = len(graph)
    (problem,) = validate_graph(graph, file="import")
    assert len(graph) == size  # pyshacl runs in place: the caller's graph must come back intact
    assert problem == Problem(
        "import", EX + "concertation", "", "skos:prefLabel: has no preferred label", "error"
    )
    assert str(problem) == f"import: {EX}concertation: skos:prefLabel: has no preferred label"


def test_validate_graph_reports_named_graphs_by_iri() -> None:
    dataset = Dataset()
    good = dataset.graph(URIRef("https://w3id.org/pdv/graph/good"))
    good.parse(DATA / "valid_minimal.ttl")
    bad = dataset.graph(URIRef("https://w3id.org/pdv/graph/bad"))
    bad.parse(
        data="<http://example.org/concertation> <http://www.w3.org/2004/02/skos/core#notation> 3 .",
        format="turtle",
    )
    (problem,) = validate_graph(dataset)
    assert problem.file == "https://w3id.org/pdv/graph/bad"
    assert problem.label == "Concertation"


def test_validate_graph_with_context(vocab_and_resource) -> None:
    vocab, resource = vocab_and_resource
    assert validate_graph(Graph().parse(resource), context=Graph().parse(vocab)) == []


# ----------------------------------------------------------------------------- report and helpers


def test_format_report_summary() -> None:
    problems = validate_files([DATA / "resource_subject_not_concept.ttl"])
    report = format_report(problems)
    assert report.splitlines()[-1] == "1 error, 1 warning in 1 file"
    assert report.splitlines()[0].startswith("error: ") or report.splitlines()[0].startswith(
        "warning: "
    )
    assert format_report([]) == "0 errors, 0 warnings in 0 files"


def test_problems_are_deduplicated_and_sorted() -> None:
    files = [DATA / "pref_alt_overlap.ttl", DATA / "broader_cycle.ttl"]
    problems = validate_files(files)
    keys = [(p.file, p.focus, p.message) for p in problems]
    assert keys == sorted(keys)
    assert len(set(problems)) == len(problems)


def test_vocab_files_lists_turtle_recursively(tmp_path: Path) -> None:
    (tmp_path / "resources").mkdir()
    for name in ("types.ttl", "notions.ttl", "resources/b.ttl", "generate.py"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert vocab_files(tmp_path) == [
        tmp_path / "notions.ttl",
        tmp_path / "resources" / "b.ttl",
        tmp_path / "types.ttl",
    ]


def test_default_shapes_dir_is_the_repository_shapes() -> None:
    assert TESTS.parent / "shapes" == DEFAULT_SHAPES_DIR
    assert {p.name for p in DEFAULT_SHAPES_DIR.glob("*.ttl")} >= {"skos.ttl", "resources.ttl"}


@pytest.mark.slow  # SHACL over the whole committed vocabulary (~13 s on a loaded machine)
def test_committed_vocab_is_valid() -> None:
    files = vocab_files(VOCAB)
    if not files:
        pytest.skip("vocab/ has no Turtle file yet")
    problems = validate_files(files)
    print(format_report(problems))
    assert errors(problems) == [], format_report(errors(problems))


# ----------------------------------------------------------------------------- vocab/ as context

PDV = "https://w3id.org/pdv/"
NOTIONS = PDV + "notions/"
TURTLE_PREFIXES = """\
@prefix pdv: <https://w3id.org/pdv/> .
@prefix notions: <https://w3id.org/pdv/notions/> .
@prefix types: <https://w3id.org/pdv/types/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
# Each problem of this file involves a node or a triple of another file of vocab/.
FAULTY_TTL = (
    TURTLE_PREFIXES
    + """\
# Related to a concept of its broader chain, which runs through notions.ttl (information >
# participation-citoyenne); "Concertation"@en is notions:concertation's English label.
notions:atelier-participatif a skos:Concept ; skos:inScheme pdv:notions ;
    skos:prefLabel "Atelier participatif"@fr , "Concertation"@en ;
    skos:broader notions:information ; skos:related notions:participation-citoyenne .
# A cycle closed by notions.ttl's concertation-prealable > concertation.
notions:boucle a skos:Concept ; skos:inScheme pdv:notions ; skos:prefLabel "Boucle"@fr ;
    skos:broader notions:concertation-prealable .
notions:concertation skos:broader notions:boucle .
# Its type is a concept of notions.ttl, not of types.ttl; its size is no integer (a value that
# sits under sh:or, which pyshacl's own focus_nodes option would skip).
<https://w3id.org/pdv/resources/guide-test> a schema:DigitalDocument ; dct:title "Guide"@fr ;
    dct:issued "2024-01-15"^^xsd:date ; dct:subject notions:concertation ;
    dct:type notions:information ; dcat:byteSize "12"^^xsd:decimal .
"""
)
FAULTY_PROBLEMS = {
    (
        NOTIONS + "atelier-participatif",
        f"skos:related <{NOTIONS}participation-citoyenne> (Participation citoyenne): "
        "is on its own broader chain: related and broader at once",
        "error",
    ),
    (
        NOTIONS + "atelier-participatif",
        "skos:prefLabel: shares its preferred label 'Concertation'@en "
        f"with <{NOTIONS}concertation>",
        "warning",
    ),
    (
        NOTIONS + "boucle",
        "broader cycle: Boucle > Concertation préalable > Concertation > Boucle",
        "error",
    ),
    (
        PDV + "resources/guide-test",
        f"dct:type <{NOTIONS}information> (Information): "
        "is not a concept of the types scheme <https://w3id.org/pdv/types>",
        "error",
    ),
    (
        PDV + "resources/guide-test",
        'dcat:byteSize "12"^^xsd:decimal: must be a non-negative integer (a number of bytes)',
        "error",
    ),
}


@pytest.fixture(scope="module")
def faulty_in_vocab(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """A copy of vocab/ with FAULTY_TTL added: (the faulty file, every file of the copy)."""
    vocab = tmp_path_factory.mktemp("faulty") / "vocab"
    shutil.copytree(VOCAB, vocab)
    faulty = vocab / "ajout.ttl"
    faulty.write_text(FAULTY_TTL, encoding="utf-8")
    return faulty, vocab_files(vocab)


def keys(problems: list[Problem]) -> set[tuple[str, str, str]]:
    return {(p.focus, p.message, p.severity) for p in problems}


def test_one_file_is_checked_against_the_other_files(faulty_in_vocab) -> None:
    faulty, everything = faulty_in_vocab
    problems = validate_files([faulty], context=[p for p in everything if p != faulty])
    assert keys(problems) == FAULTY_PROBLEMS, format_report(problems)
    # Only the file's own problems: not territoires.ttl's namesake communes, nor the warning
    # notions:concertation gets for sharing its label with the new concept (notions.ttl's).
    assert {p.file for p in problems} == {str(faulty)}


def test_one_file_gets_the_problems_a_whole_run_files_under_it(faulty_in_vocab) -> None:
    faulty, everything = faulty_in_vocab
    whole = validate_files(everything)
    alone = validate_files([faulty], context=[p for p in everything if p != faulty])
    assert alone == [p for p in whole if p.file == str(faulty)]
    # The whole run does see the other side, filed under the other file.
    assert any(
        p.focus == NOTIONS + "concertation" and "atelier-participatif" in p.message
        for p in whole
        if p.file.endswith("notions.ttl")
    )
    assert any(p.file.endswith("territoires.ttl") for p in whole)


def test_a_clean_file_is_clean_against_vocab(tmp_path: Path) -> None:
    clean = tmp_path / "ajout.ttl"
    clean.write_text(
        TURTLE_PREFIXES
        + """\
notions:atelier-participatif a skos:Concept ; skos:inScheme pdv:notions ;
    skos:prefLabel "Atelier participatif"@fr , "Participatory workshop"@en ;
    skos:broader notions:concertation ; skos:related notions:co-construction .
<https://w3id.org/pdv/resources/guide-test> a schema:DigitalDocument ; dct:title "Guide"@fr ;
    dct:issued "2024-01-15"^^xsd:date ; dct:subject notions:atelier-participatif ;
    dct:type types:guide-pratique ; dct:spatial <https://w3id.org/pdv/territoires/commune/59350> ;
    dcat:byteSize 1024 .
""",
        encoding="utf-8",
    )
    assert validate_files([clean], context=vocab_files(VOCAB)) == []
    # Alone, its links point to nothing known: the context is what makes it valid.
    assert errors(validate_files([clean]))


def test_blank_nodes_of_a_file_are_checked_against_context(tmp_path: Path) -> None:
    resource = tmp_path / "ressource.ttl"
    resource.write_text(
        TURTLE_PREFIXES + '[] a schema:DigitalDocument ; dct:title "Guide"@fr ;\n'
        "    dct:subject notions:concertation ; dct:type types:guide-pratique .\n",
        encoding="utf-8",
    )
    context = [VOCAB / "notions.ttl", VOCAB / "types.ttl"]
    (problem,) = validate_files([resource], context=context)
    assert problem.focus.startswith("_:")
    assert problem.message == "dct:issued: has no issue date"
