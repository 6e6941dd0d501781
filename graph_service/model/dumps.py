"""Whole-graph reads for dumps and the Graph Store Protocol: which graphs a dump is made of,
and their triples serialised by the engine, graph after graph."""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import URIRef

from graph_service.model.base import (
    SPARQL_PREFIXES,
    memo,
    remember,
    remembered,
    rows,
    values_block,
)
from graph_service.model.schemes import scheme_for_vocab
from graph_service.namespaces import GRAPH, LD_PREFIXES
from graph_service.store import Store
from graph_service.store.changes import applied_seq, write_lock
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.formats import reserialize
from graph_service.store.graph_sizes import load_sizes, save_sizes, sizes_kept, writer_sizes
from graph_service.store.journal import Journal
from graph_service.store.rdf_patch import Change, row_graphs

#: Dump names besides vocabulary ids: every graph, and the graphs of the resources.
ALL = "all"
RESOURCES = "resources"
#: The memo key of the graph sizes.
_COUNTS = ("graph-counts",)
#: Changes with more rows than this are not carried into the sizes (counted again instead).
MAX_CARRIED_ROWS = 50_000
#: Seconds a count waits for a write under way before counting without saving.
LOCK_WAIT = 1.0
_TURTLE_PREFIXES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(LD_PREFIXES.items()))


def dump_graphs(store: Store, name: str) -> list[str | None] | None:
    """The graphs a dump is made of: all of them (None = default graph), those holding a
    scheme, or those of the resources; None when the name is unknown."""
    if name == ALL:
        default: list[str | None] = [None] if default_graph_used(store) else []
        return default + list(store.named_graphs())
    if name == RESOURCES:
        return [g for g in store.named_graphs() if g.startswith(f"{GRAPH}resources/")] or None
    scheme = scheme_for_vocab(store, name)
    if scheme is None:
        return None
    found = rows(
        store,
        SPARQL_PREFIXES + "SELECT DISTINCT ?g WHERE { GRAPH ?g { $s a skos:ConceptScheme } }",
        {"s": URIRef(scheme.iri)},
    )
    graphs: list[str | None] = list(sorted(str(r["g"]) for r in found))
    return graphs or None


def graph_counts(store: Store, journal: Journal | None = None) -> dict[str, int]:
    """The size in triples of every named graph (remembered per data version): one scan per
    graph, which the VoID description paid for on its first request after each write (1.3 s
    at 100,000 concepts) until the warm-up computed it ahead. A write through the journal
    carries the sizes over instead (follow_counts), and with the journal they are kept on
    disk for the next process (store/graph_sizes.py)."""
    return memo(store, _COUNTS, lambda: _sizes(store, journal))


def _count(store: Store) -> dict[str, int]:
    return {g: store.count(g) for g in store.named_graphs()}


def _sizes(store: Store, journal: Journal | None) -> dict[str, int]:
    """The sizes saved for the store's content, else counted (and saved)."""
    if journal is None:
        return _count(store)
    if not sizes_kept(store, journal):
        # A reader process: its writer's sizes of the version it serves, if saved already.
        return writer_sizes(store, journal) or _count(store)
    # The data version and the last applied change, read as one pair: a write changes both
    # under this lock (a write under way: counted, not saved).
    lock = write_lock(journal)
    if not lock.acquire(timeout=LOCK_WAIT):
        return _count(store)
    try:
        version, seq = store.version, applied_seq(store, journal)
    finally:
        lock.release()
    saved = load_sizes(store, journal, seq)
    if saved is not None:
        return saved
    counts = _count(store)
    if store.version == version:  # no write during the count: these are the sizes at seq
        save_sizes(store, journal, seq, counts)
    return counts


def follow_counts(
    store: Store, change: Change, version_before: str, journal: Journal | None = None
) -> None:
    """A write path's followup (store/changes.py): the graph sizes remembered for
    `version_before` (or saved on disk for the change before), brought to the store's new
    version by the change's rows, so that the first VoID description after a write does not
    count every graph again (0.8 s at 2 million triples, for a one-triple write). A change is
    the write's effect on this very store: each added quad was absent and each removed one
    present, so sizes move by one per row. Saved on disk again when `journal` is given.

    Only for the embedded store, whose version moves with its own writes alone (a remote
    store may be written by others); not for changes too large to be worth reading again."""
    if not isinstance(store, EmbeddedStore) or (
        len(change.added) + len(change.removed) > MAX_CARRIED_ROWS
    ):
        return
    before = remembered(store, version_before, _COUNTS)
    if not isinstance(before, dict) and journal is not None:
        # Under the write lock, the store had applied exactly the change before this one.
        before = load_sizes(store, journal, change.seq - 1)
    if not isinstance(before, dict):
        return  # not counted for that version: the next reader counts
    counts: dict[str, int] = dict(before)
    touched: set[str] = set()
    for changed, step in ((change.added, 1), (change.removed, -1)):
        for graph in row_graphs(changed):
            if graph is not None:  # the default graph has no size in the description
                counts[graph] = counts.get(graph, 0) + step
                touched.add(graph)
    # A write that empties a graph also forgets its name (store/changes.py), as DROP does.
    named = set(store.named_graphs()) if touched else set()
    for graph in touched:
        if graph not in named:
            counts.pop(graph, None)
    remember(store, _COUNTS, counts)
    if journal is not None:
        save_sizes(store, journal, change.seq, counts)


def default_graph_used(store: Store) -> bool:
    """Whether the store's own default graph (not the union of all graphs) holds a statement."""
    return bool(store.default_graph_nquads().strip())


def default_graph(store: Store, fmt: str) -> bytes:
    """The store's own default graph (not the union of all graphs), serialised by the engine."""
    # Read through the store's own method: a remote server queries the union of its graphs.
    return reserialize(store.default_graph_nquads(), fmt)


def graph_chunks(store: Store, graphs: list[str | None], fmt: str) -> Iterator[bytes]:
    """A dump in a format that concatenates (Turtle, N-Triples, N-Quads, TriG), one graph at a
    time, so that only one graph is in memory at once."""
    if fmt == "trig":
        yield _TURTLE_PREFIXES.encode()
    for graph in graphs:
        line_format = "ntriples" if fmt in {"ntriples", "nquads"} else "turtle"
        if graph is None:
            body = default_graph(store, line_format)
        else:
            prefixes = LD_PREFIXES if fmt == "turtle" else None
            body = store.dump(line_format, graph, prefixes=prefixes)
        if fmt == "nquads" and graph is not None:
            # Each N-Triples line ends with " ." (a literal never ends a line): name the graph.
            suffix = f" <{graph}> .\n".encode()
            body = b"".join(
                line.rstrip()[:-1].rstrip() + suffix for line in body.splitlines() if line.strip()
            )
        elif fmt == "trig":
            head = b"{\n" if graph is None else f"<{graph}> {{\n".encode()
            body = head + body + b"}\n"
        yield body


def merged(store: Store, graphs: list[str | None], fmt: str) -> bytes:
    """A dump as one document, for formats that cannot be concatenated (RDF/XML, JSON-LD)."""
    named = [g for g in graphs if g is not None]
    values, bindings = values_block("g", named)
    # GRAPH ?g reads the named graphs alone, whatever the default graph is taken to be.
    where = f"{{ GRAPH ?g {{ ?s ?p ?o }} {values} }}" if named else "FILTER(false)"
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"
    if None not in graphs:
        return store.construct_serialized(query, bindings, fmt, prefixes=LD_PREFIXES)
    triples = store.construct_serialized(query, bindings, "ntriples")
    return reserialize(triples + store.default_graph_nquads(), fmt, prefixes=LD_PREFIXES)
