"""A write's patch, computed before anything is written: the quads it adds and removes.

A patch is the change's effect on the data, not its request: an update is run on a scratch
in-memory copy of the graphs it names (and the default graph), and the quads that differ
afterwards are the patch. INSERT DATA and DELETE DATA need no copy: their quads are read by
the engine on an empty scratch store and checked against the store, however large its graphs;
DROP and CLEAR neither: their patch is the graphs they name, counted by the engine first.
Replaying a patch over a store built from a newer vocab/ is therefore deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

import pyoxigraph as ox

from graph_service.store.base import Store, StoreError, engine_failure
from graph_service.store.default_graph import check_reads
from graph_service.store.federation import check_update, service_failure
from graph_service.store.formats import RDF_FORMATS
from graph_service.store.rdf_patch import parse_rows, quad_rows
from graph_service.store.sparql_text import GRAPH_SETS, data_operations, graph_removals, tokens
from graph_service.store.write_limits import NO_LIMITS, WriteLimits, check_size, counted

#: A blank node in an N-Quads row.
BLANK = re.compile(r"(^|\s)_:")


@dataclass(frozen=True)
class Patch:
    """The quads a write adds and removes (N-Quads rows, each sorted)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether applying the patch changes nothing."""
        return not self.added and not self.removed


def _graph_rows(store: Store, graph: str | None) -> list[str]:
    """The N-Quads rows of one graph of the store (None: the default graph)."""
    if graph is None:
        data = store.default_graph_nquads()
        return [row.removesuffix(" .") for row in data.decode("utf-8").splitlines() if row]
    text = store.dump("ntriples", graph).decode("utf-8")
    return [f"{row.removesuffix(' .')} <{graph}>" for row in text.splitlines() if row]


def quads_in(store: Store, graph: str | None) -> int:
    """How many quads one graph holds (None: the real default graph), counted by the engine
    (nothing read into Python)."""
    if graph is not None:
        return store.count(graph)
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union=False)
    return int(str(rows[0]["n"])) if rows else 0


def _named_in(update: str, base_iri: str | None) -> tuple[set[str], bool]:
    """Every IRI written in an update's text (prefixed names expanded), and whether it names
    graphs through a variable or a keyword (GRAPH ?g, CLEAR ALL, DROP NAMED...)."""
    prefixes: dict[str, str] = {}
    base = base_iri or ""
    iris: set[str] = set()
    every_graph = False
    previous: list[str] = ["", ""]
    for kind, text in tokens(update):
        word = text.upper()
        if kind == "iri":
            iri = urljoin(base, text[1:-1]) if base else text[1:-1]
            if previous[-1].upper() == "BASE":
                base = iri
            elif previous[-2].upper() == "PREFIX":
                prefixes[previous[-1].rstrip(":")] = iri
            iris.add(iri)
        elif kind == "word" and ":" in text and not text.endswith(":"):
            prefix, _, local = text.partition(":")
            if prefix in prefixes:
                iris.add(prefixes[prefix] + local)
        elif (kind == "var" and previous[-1].upper() == "GRAPH") or (
            word in {"ALL", "NAMED"} and previous[-1].upper() in {"CLEAR", "DROP", "SILENT"}
        ):
            every_graph = True
        previous = [previous[-1], text]
    return iris, every_graph


def patch_of_update(
    store: Store,
    update: str,
    base_iri: str | None = None,
    services: Collection[str] = (),
    limits: WriteLimits = NO_LIMITS,
) -> Patch:
    """The effect of a SPARQL Update on the store, computed on a scratch copy of what it names.

    An update can only touch graphs it names (by IRI, or all of them through a variable or
    ALL/NAMED) and the default graph, and only read those too: copying them, and nothing else,
    into an in-memory store gives its exact effect (the engine runs it there). LOAD, and a
    SERVICE outside `services` (the allowed endpoints), are refused before the engine runs.
    INSERT DATA and DELETE DATA past `limits` are refused as soon as their quads are read.
    """
    endpoints = check_update(update, services, base_iri)
    operations = data_operations(update)
    if operations is not None:
        return _patch_of_data(store, operations, base_iri, limits)
    removals = graph_removals(update)
    if removals is not None:
        removed = _graphs_removed(store, removals, base_iri)
        if removed is not None:
            return _patch_of_removal(store, removed, limits)
    return _patch_on_scratch(store, update, base_iri, endpoints, limits)


def _graphs_removed(
    store: Store, removals: list[tuple[str, str, bool]], base_iri: str | None
) -> set[str | None] | None:
    """The graphs DROP and CLEAR operations empty (None: the default graph), or None when the
    engine must say what they do: one names a graph the store lacks without SILENT (an error),
    or an IRI this reading cannot resolve."""
    existing = set(store.named_graphs())
    emptied: set[str | None] = set()
    for operation, target, silent in removals:
        if target in GRAPH_SETS:
            if target in ("DEFAULT", "ALL"):
                emptied.add(None)
            if target in ("NAMED", "ALL"):
                emptied.update(existing)
                if operation == "DROP":
                    existing.clear()
            continue
        iri = urljoin(base_iri, target[1:-1]) if base_iri else target[1:-1]
        if ":" not in iri:
            return None  # relative with no base: the engine's error
        if iri in existing:
            emptied.add(iri)
            if operation == "DROP":
                existing.discard(iri)
        elif not silent:
            return None
    return emptied


def _patch_of_removal(store: Store, graphs: set[str | None], limits: WriteLimits) -> Patch:
    """Every quad of these graphs, removed: counted by the engine first, so that a removal
    past `limits` is refused before a quad is read; then each graph read once (no scratch
    copy, no comparison of two copies)."""
    if limits.max_quads:
        check_size(limits, sum(quads_in(store, graph) for graph in graphs), "this update removes")
    removed = {row for graph in graphs for row in _graph_rows(store, graph)}
    return Patch(removed=tuple(sorted(removed)))


def _patch_on_scratch(
    store: Store,
    update: str,
    base_iri: str | None,
    endpoints: Collection[str] = (),
    limits: WriteLimits = NO_LIMITS,
) -> Patch:
    """The general case: the update run on a copy of every graph it names (refused past
    `limits` from the engine's count of those graphs, before any is copied)."""
    named, every_graph = _named_in(update, base_iri)
    graphs = store.named_graphs()
    chosen = graphs if every_graph else [g for g in graphs if g in named]
    if limits.max_quads:
        # The copy costs as much memory and time as a change of its size, under the lock.
        if every_graph:
            copied = store.count()
        else:
            copied = quads_in(store, None) + sum(quads_in(store, g) for g in chosen)
        check_size(limits, copied, "the graphs this update names (it runs on a copy) hold")
    before = [row for graph in [None, *chosen] for row in _graph_rows(store, graph)]
    scratch = ox.Store()
    scratch.extend(parse_rows(before))
    try:
        scratch.update(update, base_iri=base_iri)
    except Exception as exc:
        if endpoints and not (isinstance(exc, SyntaxError) and str(exc).startswith("error at")):
            # The engine's message may quote the endpoint's reply: never pass that on.
            raise service_failure(endpoints) from exc
        if isinstance(exc, (SyntaxError, ValueError, OSError, RuntimeError)):
            # RuntimeError: an answer the engine could not read (issue 19).
            raise engine_failure(exc, update) from exc
        raise
    after = {str(quad) for quad in scratch}
    previous = set(before)
    if after == previous:  # the scratch is as it was: its default graph can still be asked
        check_reads(store, scratch, update, base_iri)
    return Patch(added=tuple(sorted(after - previous)), removed=tuple(sorted(previous - after)))


def _patch_of_data(
    store: Store,
    operations: list[tuple[str, str, str]],
    base_iri: str | None,
    limits: WriteLimits = NO_LIMITS,
) -> Patch:
    """The effect of INSERT DATA / DELETE DATA operations: their quads, read by the engine on
    an empty scratch store, checked against the store (no graph copied, however large)."""
    named: list[tuple[str, list[str]]] = []
    read = 0
    for kind, prologue, block in operations:
        scratch = ox.Store()
        try:
            if kind == "DELETE":  # the engine checks it as written (no blank nodes, say)
                scratch.update(f"{prologue}\nDELETE DATA {block}", base_iri=base_iri)
            scratch.update(f"{prologue}\nINSERT DATA {block}", base_iri=base_iri)
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(str(exc)) from exc
        named.append((kind, [str(quad) for quad in scratch]))
        read += len(named[-1][1])
        check_size(limits, read, "this update's data holds")  # before any presence check
    # Blank nodes of INSERT DATA are new nodes (DELETE DATA may hold none): never present.
    named_rows = {row for _, rows in named for row in rows if not BLANK.search(row)}
    present = store.present_rows(sorted(named_rows))
    added: set[str] = set()
    removed: set[str] = set()
    for kind, rows in named:
        for row in rows:
            if kind == "INSERT" and row not in present:
                present.add(row)
                (removed.discard if row in removed else added.add)(row)
            elif kind == "DELETE" and row in present:
                present.discard(row)
                (added.discard if row in added else removed.add)(row)
    return Patch(added=tuple(sorted(added)), removed=tuple(sorted(removed)))


def patch_of_graph(store: Store, graph: str | None, rows: Iterable[str], *, replace: bool) -> Patch:
    """The effect of adding `rows` to a graph, or of replacing the graph with them."""
    current = set(_graph_rows(store, graph)) if graph is None or store.has_graph(graph) else set()
    new = set(rows)
    added = new - current
    removed = current - new if replace else set()
    return Patch(added=tuple(sorted(added)), removed=tuple(sorted(removed)))


def rows_in_graph(
    data: bytes | str,
    fmt: str,
    graph: str | None,
    base_iri: str | None = None,
    *,
    limits: WriteLimits = NO_LIMITS,
    already: int = 0,
) -> list[str]:
    """Parse RDF (any format the engine reads) into N-Quads rows of one target graph; blank
    nodes get new labels, as a load gives them. Parsing stops, refused, at the row past
    `limits` (`already`: the rows of the same change read before)."""
    target = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    try:
        quads = ox.parse(
            input=data, format=RDF_FORMATS[fmt], base_iri=base_iri, rename_blank_nodes=True
        )
        moved = (ox.Quad(q.subject, q.predicate, q.object, target) for q in quads)
        return list(quad_rows(counted(moved, limits, already)))
    except (SyntaxError, ValueError) as exc:
        raise StoreError(str(exc)) from exc


# --- applying and committing ------------------------------------------------------------------
