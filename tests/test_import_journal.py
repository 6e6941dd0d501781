"""An import's file and graph change in one journalled step, whatever moment a kill picks."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph_service import create_app
from graph_service.cli import main
from graph_service.config import PROJECT_ROOT
from graph_service.curate.imports import import_graph_iri
from graph_service.store.build import build_store, open_current
from graph_service.store.changes import write_update
from graph_service.store.graph_sizes import load_sizes
from graph_service.store.journal import Journal
from graph_service.store.opening import open_store
from graph_service.web.curation.import_jobs import job_runner

DATA = Path(__file__).resolve().parent / "data" / "curation"
TOKEN = "import-token"
BULK = import_graph_iri("bulk")
SKOS = "http://www.w3.org/2004/02/skos/core#"


def _vocabulary(path: Path, concepts: int, blank_every: int = 50) -> int:
    """Write a SKOS vocabulary (some concepts with a blank-node detail); its triple count."""
    ex = "http://example.org/bulk/"
    rows = [f"<{ex}scheme> a <{SKOS}ConceptScheme> ."]
    for n in range(concepts):
        rows.append(
            f"<{ex}c{n}> a <{SKOS}Concept> ; <{SKOS}inScheme> <{ex}scheme> ; "
            f'<{SKOS}prefLabel> "Concept {n}"@fr .'
        )
        if n % blank_every == 0:
            rows.append(f'<{ex}c{n}> <{ex}detail> [ <{ex}value> "{n}" ] .')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return 1 + 3 * concepts + 2 * len(range(0, concepts, blank_every))


@pytest.fixture
def data_dir(tiny_vocab: Path, tmp_path: Path) -> Path:
    target = tmp_path / "var"
    build_store(tiny_vocab, target)
    return target


def _count(data_dir: Path, graph: str) -> int:
    store = open_current(data_dir, read_only=True)
    try:
        return store.count(graph) if store.has_graph(graph) else 0
    finally:
        store.close()


def _imports(data_dir: Path) -> list[str]:
    folder = data_dir / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_an_import_is_one_journalled_change_that_builds_do_not_apply_twice(
    data_dir: Path, tiny_vocab: Path, tmp_path: Path
) -> None:
    source = tmp_path / "bulk.ttl"
    triples = _vocabulary(source, 200)
    env = {"GRAPH_SERVICE_DATA_DIR": str(data_dir), "USER": "alice"}
    args = ["import", "--id", "bulk", "--no-skosify", "--no-validate", str(source)]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    [change] = Journal(data_dir).changes()
    saved = data_dir / "imports" / "bulk.ttl"
    assert (change.author, change.message) == ("alice", f"import bulk from {source}")
    assert change.file == "imports/bulk.ttl"
    assert change.file_sha256 == hashlib.sha256(saved.read_bytes()).hexdigest()
    assert len(change.added) == triples == _count(data_dir, BULK)
    # The graph sizes of the new content are saved for the server's first VoID description.
    store = open_current(data_dir)
    try:
        assert load_sizes(store, Journal(data_dir), change.seq) == {
            g: store.count(g) for g in store.named_graphs()
        }
    finally:
        store.close()

    # A build loads the file and leaves the change out: the blank nodes are not doubled.
    report = build_store(tiny_vocab, data_dir)
    assert report.replayed == 1 and _count(data_dir, BULK) == triples
    # An edit made after the import is replayed over the file.
    store = open_store({"DATA_DIR": data_dir})
    edit = f'<http://example.org/bulk/c1> <{SKOS}altLabel> "Un"'
    write_update(store, Journal(data_dir), f"INSERT DATA {{ GRAPH <{BULK}> {{ {edit} }} }}")
    store.close()
    build_store(tiny_vocab, data_dir)
    assert _count(data_dir, BULK) == triples + 1
    # Re-imported, the file carries the edit's removal too.
    assert CliRunner().invoke(main, args, env=env).exit_code == 0
    assert _count(data_dir, BULK) == triples
    build_store(tiny_vocab, data_dir)
    assert _count(data_dir, BULK) == triples and _imports(data_dir) == ["bulk.ttl"]


def test_import_csv_and_the_web_import_are_journalled(data_dir: Path) -> None:
    store = open_current(data_dir)
    app = create_app(
        {
            "TESTING": True,
            "STORE": store,
            "JOURNAL": Journal(data_dir),
            "UPDATE_TOKEN": TOKEN,
            "DATA_DIR": data_dir,
        }
    )
    with (DATA / "import_ok.ttl").open("rb") as handle:
        response = app.test_client().post(
            "/curation/import",
            data={"file": (handle, "import_ok.ttl"), "token": TOKEN},
            headers={"Accept": "application/json"},
        )
    assert response.status_code == 202, response.get_data(as_text=True)
    job = job_runner(app).wait(response.get_json()["job"], 120)  # the import runs as a job
    store.close()
    assert job is not None and job.state == "done", job
    [change] = Journal(data_dir).changes()
    assert change.author == "anonymous token"
    assert change.message == "import greenvoc from import_ok.ttl"
    assert change.file == "imports/greenvoc.ttl"

    exported = data_dir / "green.csv"
    env = {"GRAPH_SERVICE_DATA_DIR": str(data_dir), "USER": "bob"}
    args = ["export", "--scheme", "greenvoc", "--format", "csv", "-o", str(exported)]
    assert CliRunner().invoke(main, args, env=env).exit_code == 0
    exported.write_text(exported.read_text(encoding="utf-8").replace("Nature", "Natur"))
    args = ["import-csv", str(exported), "--scheme", "greenvoc"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    csv_change = Journal(data_dir).changes()[-1]
    assert (csv_change.author, csv_change.message) == ("bob", "import-csv green.csv into greenvoc")
    saved = data_dir / "imports" / "greenvoc.ttl"
    assert csv_change.file_sha256 == hashlib.sha256(saved.read_bytes()).hexdigest()
    assert b'"Natur"@' in saved.read_bytes()


def _run_and_kill(data_dir: Path, args: list[str], when: Callable[[str], bool]) -> bool:
    """Run the command and SIGKILL it once `when(its output so far)` holds; whether it was
    killed (a command that ends first was not). Bounded by the command's own run."""
    log = data_dir.parent / "import.log"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "GRAPH_SERVICE_DATA_DIR": str(data_dir)}
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "graph_service.cli", *args], env=env, stderr=output
        )
        try:
            while process.poll() is None:
                if when(log.read_text()):
                    process.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.002)
        finally:
            process.wait(600)
    return process.returncode == -signal.SIGKILL


def _journal_grew(data_dir: Path) -> Callable[[str], bool]:
    path = Journal(data_dir).path
    return lambda output: path.exists() and path.stat().st_size > 0


def _journalled(data_dir: Path) -> Callable[[str], bool]:
    """The change is whole in the journal: its last row is written."""
    path = Journal(data_dir).path

    def seen(output: str) -> bool:
        try:
            with path.open("rb") as handle:
                handle.seek(-5, os.SEEK_END)
                return handle.read() == b"TC .\n"
        except OSError:
            return False

    return seen


def _staged(data_dir: Path) -> Callable[[str], bool]:
    return lambda output: any((data_dir / "imports").glob(".*.tmp"))


def _applied(data_dir: Path) -> Callable[[str], bool]:
    def seen(output: str) -> bool:
        for note in (data_dir / "journal" / "applied").glob("*.json"):
            try:
                if json.loads(note.read_text())["seq"] >= 1:
                    return True
            except (OSError, ValueError):
                pass  # being replaced
        return False

    return seen


def _parsed(output: str) -> bool:
    return "parsed" in output


# Each moment of the import: parsing done (nothing written), the file staged, the change being
# appended (torn), journalled whole (before or while it is applied), applied.
@pytest.mark.parametrize("moment", ["parsed", "staged", "appending", "journalled", "applied"])
def test_an_import_killed_at_any_moment_is_whole_or_absent_after_restart(
    data_dir: Path, tiny_vocab: Path, tmp_path: Path, moment: str
) -> None:
    source = tmp_path / "bulk.ttl"
    triples = _vocabulary(source, 10_000)
    when = {
        "parsed": _parsed,
        "staged": _staged(data_dir),
        "appending": _journal_grew(data_dir),
        "journalled": _journalled(data_dir),
        "applied": _applied(data_dir),
    }[moment]
    args = ["import", "--id", "bulk", "--no-skosify", "--no-validate", str(source)]
    _run_and_kill(data_dir, args, when)

    # What the server does when it starts: recover from the journal.
    open_store({"DATA_DIR": data_dir}).close()
    changes = Journal(data_dir).changes()
    if not changes:
        assert _imports(data_dir) == [] and _count(data_dir, BULK) == 0
    else:
        [change] = changes
        saved = data_dir / "imports" / "bulk.ttl"
        assert _imports(data_dir) == ["bulk.ttl"]  # no temporary file left either
        assert change.file_sha256 == hashlib.sha256(saved.read_bytes()).hexdigest()
        assert _count(data_dir, BULK) == triples
    build_store(tiny_vocab, data_dir)
    assert _count(data_dir, BULK) == (triples if changes else 0)
    if moment in ("journalled", "applied"):
        assert changes, "the kill came after the commit point: the import must be complete"


def test_stale_temporary_files_are_removed_by_the_next_build(
    data_dir: Path, tiny_vocab: Path
) -> None:
    folder = data_dir / "imports"
    folder.mkdir()
    (folder / ".old.ttl.4242.tmp").write_bytes(b"left by a killed import")
    (folder / ".bulk.ttl.0123456789abcdef.77-1a2b3c4d.tmp").write_bytes(b"another")
    build_store(tiny_vocab, data_dir)
    assert _imports(data_dir) == []
