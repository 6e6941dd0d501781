"""The embedded store: pyoxigraph in memory or in a RocksDB directory, behind the Store API."""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from graph_service.store.base import (
    QueryAnswer,
    StoreError,
    StoreUnavailable,
    engine_failure,
    write_failure,
)
from graph_service.store.build_dirs import hold
from graph_service.store.formats import (
    RDF_FORMATS,
    RESULT_FORMATS,
    format_is_dataset,
    parse_quads,
    serialize,
    written,
)
from graph_service.store.rdf_patch import parse_rows
from graph_service.store.terms import bind, graph_node, to_engine_triple, to_rdflib

#: What the engine answers a query with: solutions, a boolean, or triples.
EngineAnswer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
#: Writes of at least this many quads (or update text of this many bytes) are flushed at once.
BULK_QUADS = 10_000
BULK_UPDATE_BYTES = 1_000_000


class EmbeddedStore:
    """A pyoxigraph store, in memory or in a RocksDB directory, with one writer at a time."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        # Held while the store is open, so that no build removes its directory meanwhile
        # (store/build_dirs.py); released by close(), or when the store is collected.
        self._hold = None if path is None else hold(path, create=not read_only)
        self._release = weakref.finalize(self, self._hold.release if self._hold else lambda: None)
        try:
            self._store = ox.Store() if path is None else _open(path, read_only)
        except (OSError, RuntimeError) as exc:
            self._release()
            raise StoreUnavailable(f"cannot open the store at {path}: {exc}") from exc
        # pyoxigraph does not detect every write-write conflict: serialise writers here.
        self._write_lock = threading.Lock()
        self.read_only = read_only
        self._session = uuid.uuid4().hex[:8]
        self._writes = 0
        #: Called after every write with the store (the serving primary publishes its version
        #: there for the reader processes: web/replicas.py).
        self.on_write: Callable[[EmbeddedStore], None] | None = None

    # -- identity ------------------------------------------------------------------------------

    @property
    def version(self) -> str:
        """An opaque data version that changes on every write (and on every reopen)."""
        return f"{self._session}-{self._writes}"

    @property
    def durable(self) -> bool:
        """Whether the data lives in a directory (and outlives the process)."""
        return self.path is not None

    @property
    def is_persistent(self) -> bool:
        """Whether the data lives in a directory (and can be opened by other processes)."""
        return self.path is not None

    def reopen_settings(self) -> dict[str, str] | None:
        """How another process can open this store read-only (None: it cannot, in memory)."""
        return None if self.path is None else {"path": str(self.path)}

    def _wrote(self) -> None:
        """Count a write (a new data version) and tell the listener, if any."""
        self._writes += 1
        if self.on_write is not None:
            self.on_write(self)

    # -- reads ---------------------------------------------------------------------------------

    def _run(
        self, query: str, bindings: Mapping[str, Node] | None, union: bool = True
    ) -> EngineAnswer:
        """Run one of our own queries; `$name` placeholders take the bound values."""
        try:
            return self._store.query(bind(query, bindings), use_default_graph_as_union=union)
        except (SyntaxError, OSError, ValueError, TypeError, RuntimeError) as exc:
            raise engine_failure(exc, query) from exc

    def _triples(
        self, query: str, bindings: Mapping[str, Node] | None, union: bool = True
    ) -> ox.QueryTriples:
        """Run one of our CONSTRUCT or DESCRIBE queries."""
        answer = self._run(query, bindings, union)
        if not isinstance(answer, ox.QueryTriples):
            raise StoreError("not a CONSTRUCT or DESCRIBE query")
        return answer

    def select(
        self, query: str, bindings: Mapping[str, Node] | None = None, *, union: bool = True
    ) -> list[dict[str, Node]]:
        """Run a SELECT and return its rows as dicts of rdflib terms (unbound variables absent)."""
        solutions = self._run(query, bindings, union)
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreError("not a SELECT query")
        names = [v.value for v in solutions.variables]
        rows: list[dict[str, Node]] = []
        for solution in solutions:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = to_rdflib(value)
            rows.append(row)
        return rows

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        """Run an ASK query."""
        return bool(self._run(query, bindings))

    def construct(
        self, query: str, bindings: Mapping[str, Node] | None = None
    ) -> list[tuple[Node, Node, Node]]:
        """Run a CONSTRUCT or DESCRIBE and return its triples as rdflib terms."""
        return [
            (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
            for t in self._triples(query, bindings)
        ]

    def construct_serialized(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        fmt: str = "turtle",
        *,
        prefixes: Mapping[str, str] | None = None,
        union: bool = True,
    ) -> bytes:
        """Run one of our CONSTRUCT queries and serialise its triples in the engine (fast path)."""
        triples = self._triples(query, bindings, union)
        try:
            return serialize(triples, fmt, prefixes=prefixes)
        except (ValueError, TypeError, OSError) as exc:
            raise StoreError(str(exc)) from exc

    def query_serialized(
        self,
        query: str,
        *,
        result_format: str = "json",
        graph_format: str = "turtle",
        union_default_graph: bool = True,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryAnswer:
        """Run any query as the SPARQL protocol asks and serialise the answer in the engine."""
        answer: EngineAnswer | None = None
        try:
            if default_graphs is not None or named_graphs is not None:
                # A protocol dataset is exactly the graphs named (none where a list is empty).
                answer = self._store.query(
                    query,
                    base_iri=base_iri,
                    default_graph=[ox.NamedNode(g) for g in default_graphs or ()],
                    named_graphs=[ox.NamedNode(g) for g in named_graphs or ()],
                )
            else:
                answer = self._store.query(
                    query, base_iri=base_iri, use_default_graph_as_union=union_default_graph
                )
            if isinstance(answer, ox.QuerySolutions):
                body = answer.serialize(format=RESULT_FORMATS[result_format])
                return QueryAnswer("select", written(body))
            if isinstance(answer, ox.QueryBoolean):
                body = answer.serialize(format=RESULT_FORMATS[result_format])
                return QueryAnswer("ask", written(body))
            return QueryAnswer("graph", written(answer.serialize(format=RDF_FORMATS[graph_format])))
        except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
            # RuntimeError: a SERVICE endpoint's answer the engine could not read (issue 19).
            # The engine's answer may only be dropped in this thread: not with the traceback.
            answer = None
            raise engine_failure(exc, query) from exc

    def named_graphs(self) -> list[str]:
        """Return the IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        """Count the triples of one named graph, or of the whole dataset when graph is None."""
        if graph is None:
            query = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
            rows = self.select(query, union=False)
        else:
            rows = self.select(
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH $g { ?s ?p ?o } }", {"g": URIRef(graph)}
            )
        return int(str(rows[0]["n"])) if rows else 0

    def dump(
        self, fmt: str, graph: str | None = None, *, prefixes: Mapping[str, str] | None = None
    ) -> bytes:
        """Serialise one graph (any format) or the whole dataset (TriG or N-Quads)."""
        if graph is None and not format_is_dataset(fmt):
            raise StoreError(f"{fmt} holds one graph: name the graph to dump")
        # Only Turtle and TriG dumps are given our prefixes (RDF/XML would declare them all).
        chosen = dict(prefixes) if prefixes and fmt in {"turtle", "trig"} else None
        return written(
            self._store.dump(
                format=RDF_FORMATS[fmt],
                from_graph=None if graph is None else ox.NamedNode(graph),
                prefixes=chosen,
            )
        )

    def quads(self, graph: str | None = None) -> Iterator[tuple[Node, Node, Node, str | None]]:
        """Iterate over the quads of one named graph or of all graphs (graph IRI or None)."""
        graph_filter = None if graph is None else ox.NamedNode(graph)
        for quad in self._store.quads_for_pattern(None, None, None, graph_filter):
            g = quad.graph_name
            yield (
                to_rdflib(quad.subject),
                to_rdflib(quad.predicate),
                to_rdflib(quad.object),
                g.value if isinstance(g, ox.NamedNode) else None,
            )

    # -- writes --------------------------------------------------------------------------------

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Apply a SPARQL Update atomically (all or nothing)."""
        with self._write_lock:
            try:
                self._store.update(update, base_iri=base_iri)
            except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
                raise engine_failure(exc, update) from exc
            self._wrote()
            self._flush_if_bulk(BULK_QUADS if len(update) >= BULK_UPDATE_BYTES else 0)

    def load(
        self,
        data: bytes | str | Path,
        fmt: str,
        *,
        graph: str | None = None,
        replace: bool = False,
        base_iri: str | None = None,
    ) -> int:
        """Parse data and add it to a graph (replacing it if asked) in one transaction.

        The whole document is parsed before anything is written, so a syntax error in the
        middle of a file leaves the store unchanged. Returns the number of quads added.
        """
        quads = self._parse(data, fmt, graph, base_iri)
        replaced = self.count(graph) if replace and graph is not None else 0
        with self._write_lock:
            try:
                if replace:
                    # One update: the old graph disappears and the new triples appear together.
                    self._replace_graph(graph, quads)
                else:
                    self._store.extend(quads)
            except OSError as exc:
                raise write_failure(exc, "the data") from exc
            self._wrote()
            self._flush_if_bulk(len(quads) + replaced)
        return len(quads)

    def load_parts(
        self,
        parts: Iterable[tuple[bytes, str]],
        *,
        graph: str | None = None,
        base_iri: str | None = None,
    ) -> int:
        """Parse several documents (data, format) and add them all in one transaction."""
        quads = [q for data, fmt in parts for q in self._parse(data, fmt, graph, base_iri)]
        with self._write_lock:
            try:
                self._store.extend(quads)
            except OSError as exc:
                raise write_failure(exc, "the data") from exc
            self._wrote()
            self._flush_if_bulk(len(quads))
        return len(quads)

    def _flush_if_bulk(self, quads: int) -> None:
        """Move a large write out of RocksDB's write-ahead log into its tables: a read-only open
        (every query worker, after each write) replays the log's unflushed part, seconds long
        after an import; the flush costs about half a second, once."""
        if quads >= BULK_QUADS and self.path is not None and not self.read_only:
            try:
                self._store.flush()
            except OSError as exc:  # the write is done, in RocksDB's log: not its tables
                raise write_failure(exc, "the store's tables") from exc

    def _replace_graph(self, graph: str | None, quads: list[ox.Quad]) -> None:
        """Swap a graph's content in one SPARQL update, so readers never see it half-written."""
        triples = serialize([q.triple for q in quads], "ntriples").decode()
        if graph is None:
            text = f"DROP SILENT DEFAULT ; INSERT DATA {{ {triples} }}"
        else:
            target = str(ox.NamedNode(graph))
            text = f"DROP SILENT GRAPH {target} ; INSERT DATA {{ GRAPH {target} {{ {triples} }} }}"
        self._store.update(text)
        if graph is not None and not quads:
            self._store.add_graph(ox.NamedNode(graph))

    def _parse(
        self, data: bytes | str | Path, fmt: str, graph: str | None, base_iri: str | None
    ) -> list[ox.Quad]:
        """Parse a whole document into quads, its default graph's triples going to `graph`."""
        target = graph_node(graph)
        try:
            return [
                ox.Quad(q.subject, q.predicate, q.object, target)
                if isinstance(q.graph_name, ox.DefaultGraph)
                else q
                for q in parse_quads(data, fmt, base_iri)
            ]
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(str(exc)) from exc

    def bulk_load_file(self, path: Path, fmt: str, graph: str | None) -> None:
        """Load a large file fast, outside any transaction: only for stores being built."""
        try:
            self._store.bulk_load(
                path=str(path), format=RDF_FORMATS[fmt], to_graph=graph_node(graph)
            )
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(f"{path.name}: {exc}") from exc
        self._wrote()

    def bulk_load_files(self, files: Sequence[tuple[Path, str, str | None]]) -> list[int]:
        """Load many small files (path, format, graph) in one bulk step; each file's quad count.

        One bulk load per file costs ~0.1 s whatever its size (RocksDB writes and ingests a
        table each time): 101 resource records took 12.6 s that way, 0.15 s parsed here and
        inserted at once. Blank nodes get fresh ids per file, as loading files one by one does.
        """
        quads: list[ox.Quad] = []
        counts: list[int] = []
        for path, fmt, graph in files:
            target = None if graph is None else graph_node(graph)
            try:
                parsed = ox.parse(path=str(path), format=RDF_FORMATS[fmt], rename_blank_nodes=True)
                # Distinct quads, as the store counts them (a file may state a triple twice).
                file_quads = {
                    q if target is None else ox.Quad(q.subject, q.predicate, q.object, target)
                    for q in parsed
                }
            except (SyntaxError, ValueError, OSError) as exc:
                raise StoreError(f"{path.name}: {exc}") from exc
            quads.extend(file_quads)
            counts.append(len(file_quads))
        try:
            self._store.bulk_extend(quads)
        except (ValueError, OSError) as exc:
            raise StoreError(f"bulk load failed: {exc}") from exc
        self._wrote()
        return counts

    def add_triples(self, triples: Iterable[tuple[Node, Node, Node]], graph: str | None) -> None:
        """Add rdflib triples to a graph in one transaction."""
        target = graph_node(graph)
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, target)
            for t in map(to_engine_triple, triples)
        ]
        with self._write_lock:
            self._store.extend(quads)
            self._wrote()

    def drop_graph(self, graph: str | None) -> bool:
        """Remove a named graph (or empty the default graph); False if it did not exist."""
        target = graph_node(graph)
        with self._write_lock:
            if graph is not None and not self._store.contains_named_graph(target):
                return False
            if graph is None:
                self._store.clear_graph(target)
            else:
                self._store.remove_graph(target)
            self._wrote()
        return True

    def has_graph(self, graph: str) -> bool:
        """Whether a named graph exists."""
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def default_graph_nquads(self) -> bytes:
        """The real default graph as N-Quads (its rows have no graph term)."""
        data = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        return data or b""

    def apply_rows(self, added: Sequence[str], removed: Sequence[str]) -> None:
        """Add then remove N-Quads rows through the engine's quads (blank nodes keep their
        labels, which an update's text would renew). Not atomic for readers: the change
        journal makes it complete after a crash."""
        additions, removals = parse_rows(added), parse_rows(removed)
        with self._write_lock:
            try:
                self._store.extend(additions)
                for quad in removals:
                    self._store.remove(quad)
            except OSError as exc:
                raise write_failure(exc, "the change") from exc
            self._wrote()
            self._flush_if_bulk(len(additions) + len(removals))

    def present_rows(self, rows: Sequence[str]) -> set[str]:
        """Those of these N-Quads rows the store holds."""
        return {
            row for row, quad in zip(rows, parse_rows(rows), strict=True) if quad in self._store
        }

    def flush(self) -> None:
        """Make sure every write is on disk (persistent stores only)."""
        if self.path is not None and not self.read_only:
            self._store.flush()
            self._store.optimize()

    def close(self) -> None:
        """Release the engine (and its directory locks)."""
        if self.path is not None and not self.read_only:
            self._store.flush()
        del self._store
        self._release()


def _open(path: Path, read_only: bool, attempts: int = 5) -> ox.Store:
    """Open a store directory; a read-only open is retried when the writer's compaction removed
    a table between its listing and its opening (after a write, 3 worker reopens in 4)."""
    if not read_only:
        return ox.Store(str(path))
    for attempt in range(1, attempts):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            if "No such file" not in str(exc):
                raise
        time.sleep(0.02 * attempt)
    return ox.Store.read_only(str(path))
