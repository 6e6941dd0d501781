"""Removing whole graphs: DROP and CLEAR computed from the graphs themselves (counted by the
engine, refused past the limit before a quad is read), other updates refused from the count of
what they would copy, and emptied graphs found without parsing the rows again."""

from __future__ import annotations

import pytest

from graph_service.store.base import StoreError
from graph_service.store.changes import write_documents, write_update
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import MemoryJournal
from graph_service.store.patches import _patch_on_scratch, patch_of_update
from graph_service.store.sparql_text import graph_removals
from graph_service.store.write_limits import ChangeTooLarge, WriteLimits

A = "http://example.org/graph/a"
B = "http://example.org/graph/b"
LIMIT = WriteLimits(max_quads=5)


class ReadCountingStore(EmbeddedStore):
    """The real store, noting which graphs were read whole (dumped) into Python."""

    def __init__(self) -> None:
        super().__init__()
        self.dumped: list[str | None] = []

    def dump(self, fmt, graph=None, *, prefixes=None):  # type: ignore[no-untyped-def]
        self.dumped.append(graph)
        return super().dump(fmt, graph, prefixes=prefixes)

    def default_graph_nquads(self) -> bytes:
        self.dumped.append(None)
        return super().default_graph_nquads()


def triples(count: int, start: int = 0) -> str:
    rows = (f'<http://example.org/s{i}> <http://example.org/p> "v{i}" .\n' for i in range(count))
    return "".join(rows)


@pytest.fixture
def store() -> ReadCountingStore:
    """Graph A with 10 quads, graph B with 3 (one with an IRI object naming A)."""
    store = ReadCountingStore()
    journal = MemoryJournal()
    write_documents(store, journal, [(triples(10), "ntriples")], A, replace=True)
    more = triples(2) + f"<http://example.org/x> <http://example.org/see> <{A}> .\n"
    write_documents(store, journal, [(more, "ntriples")], B, replace=True)
    store.dumped.clear()
    return store


@pytest.mark.parametrize(
    "update",
    [
        f"DROP GRAPH <{A}>",
        f"CLEAR GRAPH <{A}>",
        f"drop silent graph <{A}> ; clear graph <{B}>",
        "DROP SILENT GRAPH <http://example.org/graph/none>",
        "DROP ALL",
        "CLEAR NAMED",
        "DROP DEFAULT",
        f"CLEAR DEFAULT ; DROP GRAPH <{B}> ;",
        "DROP GRAPH <a>",  # relative: resolved against the base
    ],
)
def test_removals_give_the_patch_the_general_path_gives(store, update: str) -> None:
    base = "http://example.org/graph/"
    fast = patch_of_update(store, update, base)
    assert fast == _patch_on_scratch(store, update, base)


@pytest.mark.parametrize(
    "update",
    [
        "DROP GRAPH <http://example.org/graph/none>",  # no such graph: the engine's error
        f"DROP GRAPH <{A}> ; CLEAR GRAPH <{A}>",  # dropped, then cleared: it is gone
    ],
)
def test_removals_of_missing_graphs_are_the_engines_errors(store, update: str) -> None:
    with pytest.raises(StoreError):
        _patch_on_scratch(store, update, None)
    with pytest.raises(StoreError):
        patch_of_update(store, update)


def test_a_drop_past_the_limit_is_refused_before_the_graph_is_read(store) -> None:
    with pytest.raises(ChangeTooLarge, match="this update removes more than 5 quads"):
        write_update(store, MemoryJournal(), f"DROP GRAPH <{A}>", limits=LIMIT)
    assert store.dumped == [] and store.count(A) == 10
    # Within the limit, one graph is read, once.
    write_update(store, MemoryJournal(), f"DROP GRAPH <{B}>", limits=LIMIT)
    assert store.dumped == [B] and not store.has_graph(B) and store.count(A) == 10


def test_an_update_copying_more_than_the_limit_is_refused_before_the_copy(store) -> None:
    update = f"DELETE WHERE {{ GRAPH <{A}> {{ ?s ?p ?o }} }}"
    with pytest.raises(ChangeTooLarge, match=r"the graphs this update names .* hold more than 5"):
        write_update(store, MemoryJournal(), update, limits=LIMIT)
    assert store.dumped == [] and store.count(A) == 10
    every = "DELETE WHERE { GRAPH ?g { <http://example.org/s1> ?p ?o } }"
    with pytest.raises(ChangeTooLarge):
        write_update(store, MemoryJournal(), every, limits=LIMIT)
    # The command line has no limit: the same update is made.
    write_update(store, MemoryJournal(), update)
    assert store.count(A) == 0


def test_an_emptied_graph_is_forgotten_and_a_graph_named_by_an_object_is_not(store) -> None:
    # DELETE DATA empties B quad by quad; its last row ends with A's IRI as an object (in B).
    rows = triples(2) + f"<http://example.org/x> <http://example.org/see> <{A}> .\n"
    write_update(store, MemoryJournal(), f"DELETE DATA {{ GRAPH <{B}> {{ {rows} }} }}")
    assert not store.has_graph(B)
    assert store.has_graph(A) and store.count(A) == 10
    # In the default graph, a row whose object names graph A leaves A alone too.
    fact = f"<http://example.org/x> <http://example.org/see> <{A}> ."
    write_update(store, MemoryJournal(), f"INSERT DATA {{ {fact} }}")
    write_update(store, MemoryJournal(), f"DELETE DATA {{ {fact} }}")
    assert store.has_graph(A) and store.count(A) == 10


@pytest.mark.parametrize(
    ("update", "read"),
    [
        (f"DROP GRAPH <{A}>", [("DROP", f"<{A}>", False)]),
        ("clear silent all;", [("CLEAR", "ALL", True)]),
        ("DROP GRAPH ex:a", None),  # a prefixed name: the engine resolves it
        ("PREFIX ex: <http://example.org/> DROP GRAPH ex:a", None),
        ("\\u0044ROP GRAPH <http://example.org/a>", None),  # an escape: the engine reads it
        (f"DROP GRAPH <{A}> ; INSERT DATA {{ <x:s> <x:p> <x:o> }}", None),
        ("DROP", None),
        ("# a comment\nDROP NAMED", [("DROP", "NAMED", False)]),
    ],
)
def test_graph_removals_reads_only_what_it_is_sure_of(update: str, read) -> None:
    assert graph_removals(update) == read
