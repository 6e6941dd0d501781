"""`graph-service publish`: pending changes folded into vocab/ as minimal diffs, comments kept,
the store rebuilt from the files identical to the store before, and nothing half-done."""

from __future__ import annotations

import difflib
import random
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TINY_SCHEME
from flask.cli import ScriptInfo
from rdflib import BNode

from graph_service import create_app
from graph_service.cli import main
from graph_service.config import PROJECT_ROOT
from graph_service.curate import publish as publish_module
from graph_service.curate.publish import PublishError, publish
from graph_service.curate.turtle_edit import edit_turtle
from graph_service.curate.turtle_text import has_blank, tokenize
from graph_service.namespaces import BUILD_GRAPH
from graph_service.store import Store
from graph_service.store.build import build_remote, build_store, open_current
from graph_service.store.changes import write_update
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.formats import document_rows
from graph_service.store.journal import Journal

SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
NOTIONS = "https://w3id.org/pdv/graph/notions"
CONCERTATION = "https://w3id.org/pdv/notions/concertation"
NOTES = "http://example.org/notes"


class Vocab:
    """A copy of vocab/notions.ttl, built, with a journal to write changes through."""

    def __init__(self, root: Path, files: tuple[str, ...] = ("notions.ttl",)) -> None:
        self.vocab = root / "vocab"
        self.vocab.mkdir()
        for name in files:
            shutil.copy(PROJECT_ROOT / "vocab" / name, self.vocab / name)
        self.data = root / "data"
        build_store(self.vocab, self.data)
        self.store: EmbeddedStore = open_current(self.data)
        self.journal = Journal(self.data)

    def write(self, update: str, message: str = "test") -> None:
        change = write_update(self.store, self.journal, update, author="t", message=message)
        assert change is not None

    def insert(self, triples: str, graph: str | None = NOTIONS) -> None:
        body = triples if graph is None else f"GRAPH <{graph}> {{ {triples} }}"
        self.write(f"INSERT DATA {{ {body} }}")

    def text(self, name: str = "notions.ttl") -> str:
        return (self.vocab / name).read_text(encoding="utf-8")

    def rebuild(self) -> EmbeddedStore:
        self.store.close()
        build_store(self.vocab, self.data)
        self.store = open_current(self.data)
        return self.store


@pytest.fixture
def vocab(tmp_path: Path) -> Iterator[Vocab]:
    built = Vocab(tmp_path)
    yield built
    built.store.close()


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """(added, removed) lines of a diff, as `git diff` counts them."""
    rows = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0))[2:]
    added = [r[1:] for r in rows if r.startswith("+")]
    return added, [r[1:] for r in rows if r.startswith("-")]


def all_quads(store: Store) -> Counter[tuple[object, ...]]:
    """Every quad of the store but the build's own graphs; blank nodes (an ordered collection's
    rdf:List in notions.ttl) as one placeholder, since each load labels them anew."""
    own = {str(BUILD_GRAPH)}
    return Counter(
        tuple("_:blank" if isinstance(term, BNode) else term for term in q)
        for q in store.quads()
        if q[3] not in own
    )


@contextmanager
def reopened(data_dir: Path) -> Iterator[EmbeddedStore]:
    """The current build, read only, closed afterwards."""
    store = open_current(data_dir, read_only=True)
    try:
        yield store
    finally:
        store.close()


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]


def test_an_added_alternative_label_is_one_added_line_and_comments_stay(vocab: Vocab) -> None:
    before = vocab.text()
    vocab.insert(f'<{CONCERTATION}> <{SKOS}altLabel> "concertation préalable"@fr')
    report = publish(vocab.vocab, vocab.data)
    after = vocab.text()
    added, removed = changed_lines(before, after)
    assert removed == []
    assert added == ['    skos:altLabel "concertation préalable"@fr ;']
    assert comments(after) == comments(before) and len(comments(before)) > 10
    assert [f.how for f in report.files] == ["edited"]
    assert vocab.journal.published_seq() == vocab.journal.last_seq() == 1
    assert vocab.journal.pending() == []


def test_a_changed_label_is_one_line_replaced(vocab: Vocab) -> None:
    before = vocab.text()
    vocab.write(
        f"""PREFIX skos: <{SKOS}>
        DELETE DATA {{ GRAPH <{NOTIONS}> {{
            <{CONCERTATION}> skos:prefLabel "Concertation"@en }} }} ;
        INSERT DATA {{ GRAPH <{NOTIONS}> {{
            <{CONCERTATION}> skos:prefLabel "Consultation \\"in depth\\""@en }} }}"""
    )
    publish(vocab.vocab, vocab.data)
    added, removed = changed_lines(before, vocab.text())
    assert len(added) == len(removed) == 1
    assert '"Concertation"@en' in removed[0]
    assert added[0] == removed[0].replace('"Concertation"@en', '"Consultation \\"in depth\\""@en')


def test_a_new_concept_is_a_new_block_with_the_files_prefixes(vocab: Vocab) -> None:
    before = vocab.text()
    new = "https://w3id.org/pdv/notions/tiers-lieu"
    vocab.insert(
        f"""<{new}> a <{SKOS}Concept> ; <{SKOS}inScheme> <https://w3id.org/pdv/notions> ;
        <{SKOS}prefLabel> "Tiers-lieu"@fr, "Third place"@en ;
        <{SKOS}definition> "Un lieu\\nsur deux lignes"@fr ;
        <{SKOS}broader> <{CONCERTATION}> .
        <{CONCERTATION}> <{SKOS}narrower> <{new}> ."""
    )
    publish(vocab.vocab, vocab.data)
    added, removed = changed_lines(before, vocab.text())
    assert removed == []
    assert added == [
        "    skos:narrower notions:tiers-lieu ;",
        "",
        "notions:tiers-lieu",
        "    a skos:Concept ;",
        "    skos:inScheme pdv:notions ;",
        '    skos:prefLabel "Tiers-lieu"@fr ;',
        '    skos:prefLabel "Third place"@en ;',
        '    skos:definition "Un lieu\\nsur deux lignes"@fr ;',
        "    skos:broader notions:concertation .",
    ]


def test_publish_then_build_gives_the_same_store(vocab: Vocab) -> None:
    vocab.insert(f'<{CONCERTATION}> <{SKOS}altLabel> "concertation préalable"@fr')
    vocab.write(
        f"""PREFIX skos: <{SKOS}>
        DELETE WHERE {{ GRAPH <{NOTIONS}> {{ <{CONCERTATION}> skos:related ?r }} }}"""
    )
    vocab.insert(f'<{CONCERTATION}> <{SKOS}note> "dans le graphe par défaut"@fr', graph=None)
    vocab.insert(f'<{CONCERTATION}> <{NOTES}#status> "à revoir"', graph=NOTES)
    vocab.insert(
        f'<{CONCERTATION}> <{SKOS}editorialNote> "relu" ; <{NOTES}#n> 42 .',
        graph="https://w3id.org/pdv/graph/curation/notes",
    )
    vocab.insert(f"<{CONCERTATION}> <{NOTES}#gone> 1 .", graph=NOTES)
    vocab.write(f"DELETE DATA {{ GRAPH <{NOTES}> {{ <{CONCERTATION}> <{NOTES}#gone> 1 }} }}")
    expected = all_quads(vocab.store)

    report = publish(vocab.vocab, vocab.data)
    assert {f.label: f.how for f in report.files} == {
        "vocab/curation/notes.ttl": "created",
        "vocab/graphs.trig": "created",
        "vocab/notions.ttl": "edited",
    }
    store = vocab.rebuild()
    assert all_quads(store) == expected
    assert store.ask(f'ASK {{ <{CONCERTATION}> <{SKOS}note> "dans le graphe par défaut"@fr }}')
    assert store.ask(f"ASK {{ GRAPH <{NOTES}> {{ <{CONCERTATION}> <{NOTES}#status> ?s }} }}")
    assert "notions:concertation" in vocab.text("curation/notes.ttl")


def test_publishing_twice_changes_nothing_the_second_time(vocab: Vocab) -> None:
    vocab.insert(f'<{CONCERTATION}> <{SKOS}altLabel> "concertation préalable"@fr')
    publish(vocab.vocab, vocab.data)
    text, seq = vocab.text(), vocab.journal.published_seq()
    again = publish(vocab.vocab, vocab.data)
    assert again.changes == [] and again.files == []
    assert vocab.text() == text and vocab.journal.published_seq() == seq
    assert publish_module.format_report(again).startswith("nothing to publish")


def test_changes_that_cancel_out_change_no_file_but_are_marked(vocab: Vocab) -> None:
    before = vocab.text()
    row = f'<{CONCERTATION}> <{SKOS}altLabel> "provisoire"@fr'
    vocab.insert(row)
    vocab.write(f"DELETE DATA {{ GRAPH <{NOTIONS}> {{ {row} }} }}")
    report = publish(vocab.vocab, vocab.data)
    assert report.files == [] and vocab.text() == before
    assert vocab.journal.published_seq() == 2


def test_a_change_to_the_generated_territories_file_is_refused(tmp_path: Path) -> None:
    built = Vocab(tmp_path, ("notions.ttl", "territoires.ttl"))
    try:
        territories = built.text("territoires.ttl")
        built.insert(f'<{CONCERTATION}> <{SKOS}altLabel> "concertation préalable"@fr')
        built.insert(
            "<https://w3id.org/pdv/territoires/commune/59350> <http://www.w3.org/2004/02/skos/"
            'core#altLabel> "Lille la belle"@fr',
            graph="https://w3id.org/pdv/graph/territoires",
        )
        notions = built.text()
        with pytest.raises(PublishError, match=r"generated by vocab/generate_territories\.py"):
            publish(built.vocab, built.data)
        assert built.text("territoires.ttl") == territories and built.text() == notions
        assert built.journal.published_seq() == 0
        # The change before it can go; the message says how.
        with pytest.raises(PublishError, match="--until 1"):
            publish(built.vocab, built.data)
        publish(built.vocab, built.data, until=1)
        assert built.journal.published_seq() == 1 and built.text() != notions
    finally:
        built.store.close()


def test_a_failure_half_way_changes_no_file(vocab: Vocab, monkeypatch) -> None:
    (vocab.vocab / "graphs.trig").write_text("# hand-made\n")
    vocab.insert(f'<{CONCERTATION}> <{SKOS}altLabel> "concertation préalable"@fr')
    vocab.insert(f'<{CONCERTATION}> <{NOTES}#status> "à revoir"', graph=NOTES)
    before = {p: p.read_bytes() for p in vocab.vocab.rglob("*")}
    calls: list[Path] = []

    def failing_replace(source: Path, target: Path) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError("disk full")
        publish_module.os.replace(source, target)

    monkeypatch.setattr(publish_module, "_replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        publish(vocab.vocab, vocab.data)
    assert len(calls) == 2
    assert {p: p.read_bytes() for p in vocab.vocab.rglob("*")} == before
    assert vocab.journal.published_seq() == 0

    monkeypatch.undo()

    def failing_mark(self: Journal, seq: int, fingerprint: str) -> None:
        raise OSError("cannot mark")

    monkeypatch.setattr(Journal, "mark_published", failing_mark)
    with pytest.raises(OSError, match="cannot mark"):
        publish(vocab.vocab, vocab.data)
    assert {p: p.read_bytes() for p in vocab.vocab.rglob("*")} == before


def test_the_command_dry_run_then_publish(vocab: Vocab) -> None:
    vocab.insert(f'<{CONCERTATION}> <{SKOS}altLabel> "concertation préalable"@fr')
    before = vocab.text()
    app = create_app({"TESTING": True, "VOCAB_DIR": vocab.vocab, "DATA_DIR": vocab.data})
    vocab.store.close()  # the command needs no store, but a test must not hold two handles

    def run(*args: str):
        return CliRunner().invoke(
            main, list(args), obj=ScriptInfo(create_app=lambda: app), catch_exceptions=False
        )

    dry = run("publish", "--dry-run", "--diff")
    assert dry.exit_code == 0, dry.output
    assert "vocab/notions.ttl (edited): triples +1 -0, lines +1 -0" in dry.output
    assert '+    skos:altLabel "concertation préalable"@fr ;' in dry.output
    assert vocab.text() == before and vocab.journal.published_seq() == 0
    done = run("publish")
    assert done.exit_code == 0, done.output
    assert "marked changes up to 1 as published" in done.output
    assert vocab.text() != before
    vocab.store = open_current(vocab.data)


# --- editing text ---------------------------------------------------------------------------

EX = "http://example.org/"
HAND_WRITTEN = """\
# A hand-written file.
@prefix ex: <http://example.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:a a skos:Concept ; # the concept
    skos:prefLabel "A"@fr .

ex:b a skos:Concept .

ex:c skos:prefLabel "C"@fr, "C"@en ; skos:note "n" .
ex:c skos:note "n" .
"""


def expected_rows(text: str, removed: list[str], added: list[str]) -> set[str]:
    return (set(document_rows(text, "turtle")) - set(removed)) | set(added)


def test_edits_keep_comments_and_remove_emptied_blocks() -> None:
    removed = [
        f'<{EX}a> <{SKOS}prefLabel> "A"@fr',
        f"<{EX}b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SKOS}Concept>",
        f'<{EX}c> <{SKOS}note> "n"',  # written twice: both go
    ]
    new = edit_turtle(HAND_WRITTEN, removed, [])
    assert set(document_rows(new, "turtle")) == expected_rows(HAND_WRITTEN, removed, [])
    assert "# the concept" in new and "# A hand-written file." in new
    assert "ex:b" not in new and "\n\n\n" not in new


def test_new_lines_use_the_files_prefixes_and_turtle_escapes() -> None:
    # Rows as the journal has them: written by the engine (it lowercases language tags).
    added = document_rows(
        f"""<{EX}a> <{SKOS}altLabel> "dit \\"A\\"\\nsur deux lignes\\\\ \\t"@fr-CA .
        <{EX}a> <http://purl.org/dc/terms/created> "2026-12-01"^^<{XSD}date> .
        <{EX}a> <{SKOS}related> <http://other.example/x-y> .""",
        "turtle",
    )
    new = edit_turtle(HAND_WRITTEN, [], added)
    assert set(document_rows(new, "turtle")) == expected_rows(HAND_WRITTEN, [], added)
    assert '    skos:altLabel "dit \\"A\\"\\nsur deux lignes\\\\ \\t"@fr-ca ;' in new
    assert '<http://purl.org/dc/terms/created> "2026-12-01"^^xsd:date' in new
    assert "skos:related <http://other.example/x-y>" in new


def test_a_file_whose_prefixes_change_midway_is_normalised(tmp_path: Path) -> None:
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    (vocab / "odd.ttl").write_text(
        "# Odd but valid: ex: means two things.\n"
        "@prefix ex: <http://example.org/a/> .\nex:x ex:p ex:o .\n"
        "@prefix ex: <http://example.org/b/> .\nex:y ex:p ex:o .\n"
    )
    data = tmp_path / "data"
    build_store(vocab, data)
    store = open_current(data)
    try:
        graph = "https://w3id.org/pdv/graph/odd"
        triple = "<http://example.org/a/x> <http://example.org/b/q> <http://example.org/b/z>"
        write_update(store, Journal(data), f"INSERT DATA {{ GRAPH <{graph}> {{ {triple} }} }}")
        expected = all_quads(store)
    finally:
        store.close()
    report = publish(vocab, data)
    assert [f.how for f in report.files] == ["normalised"]
    assert "canonical layout" in report.files[0].reason
    assert "normalised vocab/odd.ttl" in publish_module.format_report(report)
    assert (vocab / "odd.ttl").read_text().startswith("# Odd but valid")
    build_store(vocab, data)
    with reopened(data) as rebuilt:
        assert all_quads(rebuilt) == expected


def test_an_imported_vocabulary_is_published_into_its_import_copy(tmp_path: Path) -> None:
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    (vocab / "tiny.ttl").write_text(TINY_SCHEME)
    data = tmp_path / "data"
    (data / "imports").mkdir(parents=True)
    (data / "imports" / "voc.ttl").write_text(f'<{EX}v> <{SKOS}prefLabel> "V"@fr .\n')
    build_store(vocab, data)
    store = open_current(data)
    try:
        graph = "https://w3id.org/pdv/graph/imports/voc"
        triple = f'<{EX}v> <{SKOS}altLabel> "vé"@fr'
        write_update(store, Journal(data), f"INSERT DATA {{ GRAPH <{graph}> {{ {triple} }} }}")
        expected = all_quads(store)
    finally:
        store.close()
    report = publish(vocab, data)
    assert [f.label for f in report.files] == ["DATA_DIR/imports/voc.ttl"]
    assert '"vé"@fr' in (data / "imports" / "voc.ttl").read_text()
    assert (vocab / "tiny.ttl").read_text() == TINY_SCHEME
    build_store(vocab, data)
    with reopened(data) as rebuilt:
        assert all_quads(rebuilt) == expected


def test_new_blank_nodes_are_published_but_a_files_own_cannot_be_removed(
    tmp_path: Path,
) -> None:
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    (vocab / "b.ttl").write_text(f"<{EX}s> <{EX}p> [ <{EX}q> 1 ] .\n")
    data = tmp_path / "data"
    build_store(vocab, data)
    store, journal = open_current(data), Journal(data)
    graph = "https://w3id.org/pdv/graph/b"
    try:
        write_update(
            store, journal, f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}s> <{EX}r> [ <{EX}q> 2 ] }} }}"
        )
        publish(vocab, data)
        write_update(store, journal, f"DELETE WHERE {{ GRAPH <{graph}> {{ ?b <{EX}q> 1 }} }}")
    finally:
        store.close()
    build_store(vocab, data)
    with reopened(data) as rebuilt:
        assert rebuilt.ask(f"ASK {{ GRAPH <{graph}> {{ <{EX}s> <{EX}r> [ <{EX}q> 2 ] }} }}")
    with pytest.raises(PublishError, match="blank node"):
        publish(vocab, data)
    assert Journal(data).published_seq() == 1


def test_a_remote_build_loads_graphs_trig_as_a_dataset(tmp_path: Path, oxigraph_server) -> None:
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    (vocab / "tiny.ttl").write_text(TINY_SCHEME)
    (vocab / "graphs.trig").write_text(
        f'<{EX}d> <{EX}p> "default" .\n<{NOTES}> {{ <{EX}n> <{EX}p> "named" . }}\n'
    )
    store = oxigraph_server.remote_store()
    report = build_remote(vocab, tmp_path / "data", store)
    assert b'"default"' in store.default_graph_nquads()
    assert store.ask(f'ASK {{ GRAPH <{NOTES}> {{ <{EX}n> <{EX}p> "named" }} }}')
    assert not store.has_graph("https://w3id.org/pdv/graph/graphs.trig")
    assert {s.path: s.triples for s in report.sources}["graphs.trig"] == 2


ODD_LAYOUT = """\
# header
@prefix ex: <http://example.org/> .
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
@base <http://example.org/base/> .

ex:a a skos:Concept ; # type comment
    skos:prefLabel "A"@fr , # fr
        "A"@en ; # en
    skos:altLabel \"\"\"long
label\"\"\"@fr, 'single'@fr ;
    ex:num 1, 2.5, -3e2, true ;
    ex:rel <rel> ; ;
    ex:nested [ ex:q "x" ; ex:r ( 1 2 ) ] ;
    ex:last ex:z .
ex:b ex:p ex:o . ex:c ex:p ex:o ; ex:q ex:o2 .
# between
ex:d
    # inside
    ex:p ex:o ;
    ex:q ex:o .
_:lab ex:p ex:o .
[ ex:p ex:anon ] ex:q ex:r .
( ex:l1 ex:l2 ) ex:p ex:list .
ex:e ex:p ex:o1,ex:o2,ex:o3.
"""


def comment_tokens(text: str) -> list[str]:
    return sorted(t.text for t in tokenize(text) if t.kind == "comment")


def test_any_edit_of_an_odd_layout_reads_back_exactly_and_keeps_every_comment() -> None:
    rows = sorted(r for r in document_rows(ODD_LAYOUT, "turtle") if "_:" not in r)
    rows += ["_:lab <http://example.org/p> <http://example.org/o>"]
    generator = random.Random(14)
    for step in range(80):
        removed = generator.sample(rows, generator.randint(0, 12))
        added = []
        for _ in range(generator.randint(0, 3)):
            subject, predicate, _ = generator.choice(rows).split(" ", 2)
            added.append(f'{subject} {predicate} "valeur {step}"@fr')
        new = edit_turtle(ODD_LAYOUT, removed, added)
        got = document_rows(new, "turtle")
        expected = expected_rows(ODD_LAYOUT, removed, added)
        assert {r for r in got if not has_blank(r)} == {r for r in expected if not has_blank(r)}
        assert len(set(got)) == len(expected)
        assert comment_tokens(new) == comment_tokens(ODD_LAYOUT)
