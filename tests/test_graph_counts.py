"""The VoID description's graph sizes, carried over writes by their changes (model/dumps.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_service.model.dumps import follow_counts, graph_counts
from graph_service.store import Store
from graph_service.store.changes import write_documents, write_drop, write_update
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.graph_sizes import SIZES_DIR, sizes_kept
from graph_service.store.journal import Journal, MemoryJournal
from graph_service.store.replica import ReplicaStore
from graph_service.store.serving_stamp import ServingStamp
from graph_service.web.followups import follow_write

A, B, C = (f"https://example.org/graph/{name}" for name in "abc")
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _insert(graph: str, *names: str) -> str:
    rows = " ".join(f'<urn:x:{n}> <{LABEL}> "{n}" .' for n in names)
    return f"INSERT DATA {{ GRAPH <{graph}> {{ {rows} }} }}"


def _counted_now(store: Store) -> dict[str, int]:
    return {g: store.count(g) for g in store.named_graphs()}


@pytest.fixture
def store() -> EmbeddedStore:
    return EmbeddedStore()


def test_sizes_follow_every_kind_of_write_without_counting_again(
    store: EmbeddedStore, tmp_path: Path, monkeypatch
) -> None:
    journal = Journal(tmp_path)
    store.update(_insert(A, "a1", "a2", "a3") + " ; " + _insert(B, "b1"))
    assert graph_counts(store) == {A: 3, B: 1}

    def no_count(graph: str | None = None) -> int:
        raise AssertionError(f"counted {graph} again")

    writes = [
        # one more triple; one already there (the change holds only the new one)
        lambda: write_update(store, journal, _insert(A, "a3", "a4"), followup=follow_write),
        # a new graph, and a removal from another
        lambda: write_update(
            store,
            journal,
            _insert(C, "c1", "c2")
            + f' ; DELETE DATA {{ GRAPH <{A}> {{ <urn:x:a1> <{LABEL}> "a1" }} }}',
            followup=follow_write,
        ),
        # a graph replaced by a document
        lambda: write_documents(
            store,
            journal,
            [(f'<urn:x:n> <{LABEL}> "n" .', "turtle")],
            C,
            replace=True,
            followup=follow_write,
        ),
        # a graph dropped: its name goes too
        lambda: write_drop(store, journal, B, followup=follow_write),
    ]
    for write in writes:
        write()
        with monkeypatch.context() as patched:  # the sizes read after the write: none counted
            patched.setattr(store, "count", no_count)
            carried = graph_counts(store)
        assert carried == _counted_now(store)
    assert graph_counts(store) == {A: 3, C: 1}


def test_sizes_not_counted_for_the_previous_version_are_counted_afresh(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    store.update(_insert(A, "a1"))
    write_update(store, Journal(tmp_path), _insert(A, "a2"), followup=follow_write)
    assert graph_counts(store) == {A: 2}


# --- kept on disk for the next process (store/graph_sizes.py) ---------------------------------


def _follow_saving(journal: Journal):
    """The service's followup as it runs in the app: sizes carried and saved with the journal."""
    return lambda store, change, version_before: follow_counts(
        store, change, version_before, journal
    )


def _counted_on_disk(tmp_path: Path, *names: str) -> tuple[Path, Journal, EmbeddedStore]:
    """A store in a directory with one journalled write into graph A, its sizes counted (and
    so saved, with that write's change)."""
    path, journal = tmp_path / "builds" / "b1", Journal(tmp_path)
    store = EmbeddedStore(path)
    write_update(store, journal, _insert(A, *names))
    assert graph_counts(store, journal) == {A: len(names)}
    return path, journal, store


def _read_without_counting(store: EmbeddedStore, journal: Journal, monkeypatch) -> dict:
    """The sizes as the VoID description reads them, failing the test if any graph is counted."""
    with monkeypatch.context() as patched:
        patched.setattr(store, "count", lambda graph=None: pytest.fail(f"counted {graph}"))
        return graph_counts(store, journal)


def test_sizes_saved_on_disk_are_read_by_the_next_process(tmp_path: Path, monkeypatch) -> None:
    path, journal = tmp_path / "builds" / "b1", Journal(tmp_path)
    store = EmbeddedStore(path)
    write_update(store, journal, _insert(A, "a1", "a2") + " ; " + _insert(B, "b1"))
    assert graph_counts(store, journal) == {A: 2, B: 1}  # counted, and saved
    store.close()

    # A restart: read from disk, nothing counted; then a write carries them from the file.
    store = EmbeddedStore(path)
    assert _read_without_counting(store, journal, monkeypatch) == {A: 2, B: 1}
    store.close()
    store = EmbeddedStore(path)  # nothing remembered in memory
    write_update(store, journal, _insert(C, "c1"), followup=_follow_saving(journal))
    write_update(
        store,
        Journal(tmp_path),  # another journal object on the same directory: the same notes
        f'DELETE DATA {{ GRAPH <{A}> {{ <urn:x:a1> <{LABEL}> "a1" }} }}',
        followup=_follow_saving(journal),
    )
    assert _read_without_counting(store, journal, monkeypatch) == {A: 1, B: 1, C: 1}
    store.close()
    store = EmbeddedStore(path)
    assert _read_without_counting(store, journal, monkeypatch) == {A: 1, B: 1, C: 1}
    assert _counted_now(store) == {A: 1, B: 1, C: 1}
    store.close()


def test_sizes_saved_before_a_write_that_did_not_save_are_counted_again(tmp_path: Path) -> None:
    path, journal, store = _counted_on_disk(tmp_path, "a1")
    # A write whose followup saved nothing (a tool's): the saved sizes name an older change.
    write_update(store, journal, _insert(A, "a2") + " ; " + _insert(B, "b1"))
    store.close()
    store = EmbeddedStore(path)
    assert graph_counts(store, journal) == {A: 2, B: 1}
    # ...nor carried by the next write: it counts afresh on the next read.
    store.close()
    store = EmbeddedStore(path)
    write_update(store, journal, _insert(A, "a3"), followup=_follow_saving(journal))
    assert graph_counts(store, journal) == {A: 3, B: 1}
    store.close()


def test_damaged_sizes_are_counted_again_and_stores_that_keep_none(tmp_path: Path) -> None:
    path, journal, store = _counted_on_disk(tmp_path, "a1")
    (saved,) = (journal.directory / SIZES_DIR).glob("*.json")
    saved.write_text('{"store": "b1", "seq": 1, "sizes": {"x"')  # torn by a crash
    store.close()
    store = EmbeddedStore(path)
    assert graph_counts(store, journal) == {A: 1}
    assert json.loads(saved.read_text())["sizes"] == {A: 1}  # saved again, whole
    store.close()
    # In memory, or with a journal in memory: nothing is kept on disk.
    assert not sizes_kept(EmbeddedStore(), journal)
    assert not sizes_kept(EmbeddedStore(path), MemoryJournal())
    reader = EmbeddedStore(path, read_only=True)
    assert not sizes_kept(reader, journal)
    reader.close()


def test_a_reader_process_reads_its_writers_sizes_of_the_version_it_serves(
    tmp_path: Path, monkeypatch
) -> None:
    path, journal, writer = _counted_on_disk(tmp_path, "a1", "a2")
    reader = ReplicaStore(ServingStamp(path, writer.version), tmp_path)
    assert _read_without_counting(reader, journal, monkeypatch) == {A: 2}
    reader.close()
    # A write the writer's followup carried and saved: the reader of the new version reads it.
    write_update(writer, journal, _insert(B, "b1"), followup=_follow_saving(journal))
    reader = ReplicaStore(ServingStamp(path, writer.version), tmp_path)
    assert _read_without_counting(reader, journal, monkeypatch) == {A: 2, B: 1}
    reader.close()
    # A write whose sizes were not saved: a reader of that version counts its own.
    write_update(writer, journal, _insert(C, "c1"))
    reader = ReplicaStore(ServingStamp(path, writer.version), tmp_path)
    assert graph_counts(reader, journal) == {A: 2, B: 1, C: 1}
    reader.close()
    writer.close()
