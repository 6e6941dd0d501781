"""Every write as one change: its patch computed first, journalled durably, then applied.

The order is a write-ahead log's: a change is appended to the journal (fsync) before the store
sees it, and once the store has it the journal notes, per store, the last change applied. On
start, and after every build, the journal's changes past that number are applied again;
applying is idempotent (quads are a set), so a crash anywhere leaves the store either with the
change or without it, and the next start completes it. The note lives beside the journal, not
in the data: a triple of ours in the dataset would show in every query over all graphs.

A patch is the change's effect on the data, not its request: an update is first run on a
scratch in-memory copy of the graphs it names (and the default graph), and the quads that
differ afterwards are the patch. Replaying a patch on a store built from a newer vocab/ is
therefore deterministic; a patch whose quads are already there (or already gone) is reported.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph_service.namespaces import graph_iri_for
from graph_service.store.base import Store
from graph_service.store.carried import Staged
from graph_service.store.journal import Journal
from graph_service.store.patches import BLANK, Patch, patch_of_graph, patch_of_update, rows_in_graph
from graph_service.store.rdf_patch import Change, data_block, parse_rows
from graph_service.store.write_limits import NO_LIMITS, WriteLimits, check_size, holding

#: Patches larger than this are applied quad by quad instead of as one update's text.
MAX_UPDATE_ROWS = 20_000

_write_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


@dataclass
class ReplayReport:
    """What a replay did: changes applied, and the ones that no longer applied cleanly."""

    applied: list[int] = field(default_factory=list)
    #: (sequence number, what did not apply: quads already present or already gone).
    notes: list[tuple[int, str]] = field(default_factory=list)


# --- the store's replay state -----------------------------------------------------------------


def store_key(store: Store) -> str:
    """What names a store in the journal's notes: its build directory, or its endpoint."""
    if store.path is not None:
        return store.path.name
    settings = store.reopen_settings() or {}
    return str(settings.get("query_endpoint", "memory"))


def applied_seq(store: Store, journal: Journal) -> int:
    """The sequence number of the last journalled change this store has applied (0: none)."""
    return journal.applied_seq(store_key(store))


def apply_change(store: Store, change: Change, journal: Journal, *, check: bool = True) -> str:
    """Apply a journalled change to the store, then note it as applied in the journal; returns
    a note when some of it was already there (or already gone), else "". `check` is off for a
    patch just computed against this very store: it applies cleanly by construction."""
    note = _check(store, change) if check else ""
    added, removed = change.added, change.removed
    if any(BLANK.search(row) for row in (*added, *removed)) or (
        len(added) + len(removed) > MAX_UPDATE_ROWS
    ):
        # Blank nodes keep their identity only through the engine's quads (an update's text
        # would make new ones), and very large patches load faster that way too.
        store.apply_rows(added, removed)
    else:
        operations = []
        if removed:
            operations.append(f"DELETE DATA {{\n{data_block(removed)}\n}}")
        if added:
            operations.append(f"INSERT DATA {{\n{data_block(added)}\n}}")
        if operations:  # a replayed change may have nothing left outside carried graphs
            store.update(" ;\n".join(operations))
    _forget_emptied_graphs(store, removed)
    journal.record_applied(store_key(store), change.seq)
    return note


def _forget_emptied_graphs(store: Store, removed: Sequence[str]) -> None:
    """Remove the names of graphs a change emptied, as DROP and the Graph Store's DELETE do:
    removing quads one by one leaves an empty graph behind.

    The graphs are read from the rows' text, not parsed (parsing a 200,000-quad DROP's rows
    again cost 1.5 s): every row of a named graph ends with ` <graph>`. What else ends so (a
    default-graph row's IRI object, a datatype after a literal holding " <") is only a
    candidate, left out unless the store has a graph of that name, which is then counted."""
    candidates = {row[row.rfind(" <") + 2 : -1] for row in removed if row.endswith(">")}
    if not candidates:
        return
    graphs = candidates.intersection(store.named_graphs())
    for graph in sorted(graphs):
        if store.has_graph(graph) and store.count(graph) == 0:
            store.drop_graph(graph)


def _check(store: Store, change: Change) -> str:
    """What of a change no longer applies cleanly (its additions present, removals gone)."""
    if len(change.added) + len(change.removed) > MAX_UPDATE_ROWS:
        return ""  # an import-sized patch: checking quad by quad costs more than it tells
    present = len(store.present_rows(change.added)) if change.added else 0
    gone = len(change.removed) - len(store.present_rows(change.removed)) if change.removed else 0
    notes = []
    if present:
        notes.append(f"{present} of {len(change.added)} added quads were already present")
    if gone:
        notes.append(f"{gone} of {len(change.removed)} removed quads were already gone")
    return "; ".join(notes)


def write_lock(journal: Journal) -> threading.Lock:
    """The lock that keeps a process's writes in journal order (one per journal)."""
    key = str(journal.path)
    with _locks_guard:
        return _write_locks.setdefault(key, threading.Lock())


def commit(
    store: Store,
    journal: Journal,
    patch: Patch,
    *,
    author: str,
    message: str,
    carry: Staged | None = None,
    reviewer: str = "",
) -> Change | None:
    """Journal a patch (fsync), then apply it; None when it changes nothing (not journalled).

    `carry` is a file staged with the graph's new content (an import's): the change names it,
    and it is put in place between journalling and applying (store/carried.py says why).
    """
    if patch.is_empty:
        return None
    change = journal.append(
        author=author,
        message=message,
        added=patch.added,
        removed=patch.removed,
        file=carry.header if carry is not None else ("", ""),
        reviewer=reviewer,
    )
    try:
        if carry is not None:
            carry.promote()
    finally:
        # Journalled: the store must have it too. Computed on this store: no presence check.
        apply_change(store, change, journal, check=False)
    return change


#: What a write path may add to a patch before it is journalled (the model's dates, say).
Amend = Callable[[Store, Patch], Patch]


#: What a write path does once a change is in the store, still under the write lock, with
#: the data version from before the change (the search index follows the change, say).
Followup = Callable[[Store, Change, str], None]


def keep_patch(store: Store, patch: Patch) -> Patch:
    """The Amend that adds nothing (a write path's default)."""
    return patch


def no_followup(store: Store, change: Change, version_before: str) -> None:
    """The Followup that does nothing (a write path's default)."""
    return None


def _commit_and_follow(
    store: Store,
    journal: Journal,
    patch: Patch,
    author: str,
    message: str,
    followup: Followup,
    carry: Staged | None = None,
) -> Change | None:
    version_before = store.version
    change = commit(store, journal, patch, author=author, message=message, carry=carry)
    if change is not None:
        followup(store, change, version_before)
    return change


def write_update(
    store: Store,
    journal: Journal,
    update: str,
    *,
    base_iri: str | None = None,
    author: str = "",
    message: str = "SPARQL Update",
    amend: Amend = keep_patch,
    followup: Followup = no_followup,
    services: Collection[str] = (),
    limits: WriteLimits = NO_LIMITS,
) -> Change | None:
    """Accept a SPARQL Update: its patch journalled, then applied (None: it changed nothing).
    `services`: the endpoints a SERVICE may call (none by default; LOAD is always refused).
    `limits`: a write through HTTP's (a patch past them is refused before it is journalled)."""
    with holding(write_lock(journal), limits):
        patch = patch_of_update(store, update, base_iri, services, limits)
        check_size(limits, len(patch.added) + len(patch.removed))
        patch = amend(store, patch)
        return _commit_and_follow(store, journal, patch, author, message, followup)


def write_documents(
    store: Store,
    journal: Journal,
    documents: Sequence[tuple[bytes | str, str]],
    graph: str | None,
    *,
    replace: bool,
    base_iri: str | None = None,
    author: str = "",
    message: str = "",
    amend: Amend = keep_patch,
    followup: Followup = no_followup,
    carry: Staged | None = None,
    limits: WriteLimits = NO_LIMITS,
) -> Change | None:
    """Accept RDF documents (data, format) added to a graph, or replacing it; every document is
    parsed before anything is written, so a bad one changes nothing. `carry`: the file that
    keeps the graph's new content (an import's), see `commit`. `limits`: parsing stops at
    the quad past them; a replacement removing more is refused before the graph is read."""
    rows: list[str] = []
    for data, fmt in documents:
        rows += rows_in_graph(data, fmt, graph, base_iri, limits=limits, already=len(rows))
    with holding(write_lock(journal), limits):
        if replace and graph is not None and limits.max_quads and store.has_graph(graph):
            # At least this many quads go: known from a count, without reading the graph.
            check_size(limits, store.count(graph) - len(rows))
        patch = patch_of_graph(store, graph, rows, replace=replace)
        check_size(limits, len(patch.added) + len(patch.removed))
        patch = amend(store, patch)
        return _commit_and_follow(store, journal, patch, author, message, followup, carry)


def write_patch(
    store: Store,
    journal: Journal,
    make_patch: Callable[[Store], tuple[Patch, str]],
    *,
    author: str,
    reviewer: str = "",
    amend: Amend = keep_patch,
    followup: Followup = no_followup,
    limits: WriteLimits = NO_LIMITS,
) -> Change | None:
    """Accept a patch and its message computed by `make_patch` under the write lock, so that
    what it read of the store (an edited concept's state, checked against the form's) is
    what it changes."""
    with holding(write_lock(journal), limits):
        patch, message = make_patch(store)
        check_size(limits, len(patch.added) + len(patch.removed))
        patch = amend(store, patch)
        version_before = store.version
        change = commit(store, journal, patch, author=author, message=message, reviewer=reviewer)
        if change is not None:
            followup(store, change, version_before)
        return change


def write_drop(
    store: Store,
    journal: Journal,
    graph: str | None,
    *,
    author: str = "",
    message: str = "",
    followup: Followup = no_followup,
    limits: WriteLimits = NO_LIMITS,
) -> Change | None:
    """Accept the removal of a whole graph (None: empty the default graph); one larger than
    `limits` is refused from its count, before it is read."""
    with holding(write_lock(journal), limits):
        if graph is not None and limits.max_quads and store.has_graph(graph):
            check_size(limits, store.count(graph), "this graph holds")
        patch = patch_of_graph(store, graph, [], replace=True)
        check_size(limits, len(patch.removed))
        return _commit_and_follow(store, journal, patch, author, message, followup)


def replay(
    store: Store,
    journal: Journal,
    changes: Iterable[Change],
    carried: Mapping[str, int] | None = None,
) -> ReplayReport:
    """Apply changes in order (a build's pending changes, or a restart's unapplied ones).

    `carried` maps a graph the build loaded from a file to the last change that file holds
    (store/carried.py): that graph is left out of that change and the ones before it.
    """
    report = ReplayReport()
    for change in changes:
        note = apply_change(store, _without_carried(change, carried or {}), journal)
        report.applied.append(change.seq)
        if note:
            report.notes.append((change.seq, note))
    return report


def _without_carried(change: Change, carried: Mapping[str, int]) -> Change:
    """The change less its rows in graphs whose file, loaded by the build, holds them."""
    graphs = {graph for graph, seq in carried.items() if change.seq <= seq}
    if not graphs:
        return change
    if change.file and graph_iri_for(change.file) in graphs:
        # A file's own change replaced that one graph only: all of it is in the file.
        return dataclasses.replace(change, added=(), removed=())
    return dataclasses.replace(
        change, added=_outside(change.added, graphs), removed=_outside(change.removed, graphs)
    )


def _outside(rows: tuple[str, ...], graphs: set[str]) -> tuple[str, ...]:
    """The rows not in these graphs (parsed only when a row may be: its text ends with one)."""
    endings = tuple(f" <{graph}>" for graph in graphs)
    if not any(row.endswith(endings) for row in rows):
        return rows
    kept = []
    for row, quad in zip(rows, parse_rows(rows), strict=True):
        name = quad.graph_name
        if not (isinstance(name, ox.NamedNode) and name.value in graphs):
            kept.append(row)
    return tuple(kept)


def replay_pending(
    store: Store, journal: Journal, carried: Mapping[str, int] | None = None
) -> ReplayReport:
    """A new build's step after loading vocab/ and imports: apply the changes not yet
    published, less what the loaded import files carry, and record the journal's last change
    as applied (published ones are in vocab/ already)."""
    report = replay(store, journal, journal.pending(), carried)
    journal.record_applied(store_key(store), journal.last_seq())
    return report


def recover(store: Store, journal: Journal) -> ReplayReport:
    """Bring a store up to date with its journal after a start or a crash: cut a torn tail,
    then apply every change past the one the store recorded."""
    journal.recover()
    return replay(store, journal, journal.changes(after=applied_seq(store, journal)))
