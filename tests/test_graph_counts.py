"""The VoID description's graph sizes, carried over writes by their changes (model/dumps.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.model.dumps import graph_counts
from graph_service.store import Store
from graph_service.store.changes import write_documents, write_drop, write_update
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import Journal
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
