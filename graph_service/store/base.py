"""The engine boundary's interface: the Store protocol every backend implements, and its errors."""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from rdflib.term import Node


class StoreError(Exception):
    """A query, update or load the engine refused; the message is the engine's, fit for users."""

    #: The HTTP status it stands for: the client's input (400) unless a subclass says the
    #: failure is the server's.
    status = 400


class StoreUnavailable(StoreError):
    """The store cannot do its part now: it cannot be opened, read or written (503)."""

    status = 503


class StorageFull(StoreUnavailable):
    """A write failed for want of disk space or quota (507 Insufficient Storage)."""

    status = 507


class RemoteCallFailed(StoreError):
    """A SERVICE (or LOAD) call of a query or update to another server failed (502): told in
    our words, never the other server's, whose answer may be anything (a private page)."""

    status = 502


#: A full disk, a full quota, and a file-size limit (RLIMIT_FSIZE): no room to write, alike.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
#: The same, as RocksDB words them in the engine's errors (which carry no errno).
_DISK_FULL_TEXT = re.compile(r"No space left on device|Disk quota exceeded|File too large", re.I)
#: A query or update that calls other servers: its engine errors may be theirs.
_REMOTE_CALL = re.compile(r"\b(SERVICE|LOAD)\b", re.IGNORECASE)


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error says that the disk (or the quota, or the file-size limit) is full."""
    if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
        return True
    return bool(_DISK_FULL_TEXT.search(str(exc)))


def write_failure(exc: BaseException, what: str) -> StoreUnavailable:
    """The error for an I/O failure while writing `what`: StorageFull (507) for a full disk,
    else StoreUnavailable (503)."""
    if is_disk_full(exc):
        return StorageFull(f"the server's disk is full: {what} could not be written")
    return StoreUnavailable(f"{what} could not be written: {exc}")


def calls_other_servers(text: str) -> bool:
    """Whether a query or update names SERVICE or LOAD (its failures may be another server's)."""
    return _REMOTE_CALL.search(text) is not None


def engine_failure(exc: Exception, text: str = "") -> StoreError:
    """Our error for one the engine raised running a query or update `text`: the client's
    (400, the engine's message) for syntax and values; a remote call's (502) when the text
    calls another server; the server's (503, 507) for the rest, in our own words."""
    if isinstance(exc, SyntaxError | ValueError | TypeError):
        return StoreError(str(exc))
    if is_disk_full(exc):
        return StorageFull("the server's disk is full: the change could not be written")
    if calls_other_servers(text):
        return RemoteCallFailed(
            "a SERVICE or LOAD call to another server failed: it did not answer with data "
            "this service could read"
        )
    return StoreUnavailable("the store failed to run this request; retry later")


@dataclass(frozen=True)
class QueryAnswer:
    """A SPARQL answer serialised by the engine: its kind and the bytes in the asked format."""

    kind: str  # "select", "ask" or "graph"
    body: bytes


@runtime_checkable
class Store(Protocol):
    """What the model, search, query and curation layers may ask of a store, embedded or remote.

    Bound values (`bindings`) are written into query text by the engine's own escaping, never
    by string formatting: user input cannot change a query's shape.
    """

    @property
    def path(self) -> Path | None:
        """The local directory of the data, or None (in memory, or remote)."""
        ...

    @property
    def read_only(self) -> bool:
        """Whether this handle refuses writes."""
        ...

    @property
    def version(self) -> str:
        """An opaque id of the data's current version (changes after every write)."""
        ...

    @property
    def durable(self) -> bool:
        """Whether the data outlives the process (a local directory or a remote server): its
        changes then go to the journal on disk."""
        ...

    @property
    def is_persistent(self) -> bool:
        """Whether worker processes can open this store from its directory (read-only)."""
        ...

    def reopen_settings(self) -> Mapping[str, object] | None:
        """How another process reopens this store, or None when it cannot (in memory)."""
        ...

    def select(
        self, query: str, bindings: Mapping[str, Node] | None = None, *, union: bool = True
    ) -> list[dict[str, Node]]:
        """Run a SELECT query; each row maps variable names to rdflib terms."""
        ...

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        """Run an ASK query."""
        ...

    def construct(
        self, query: str, bindings: Mapping[str, Node] | None = None
    ) -> list[tuple[Node, Node, Node]]:
        """Run a CONSTRUCT or DESCRIBE query; the triples as rdflib terms."""
        ...

    def construct_serialized(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        fmt: str = "turtle",
        *,
        prefixes: Mapping[str, str] | None = None,
    ) -> bytes:
        """Run a CONSTRUCT or DESCRIBE query and serialise its triples in `fmt`."""
        ...

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
        """Run any protocol query and serialise its answer as the engine writes it."""
        ...

    def named_graphs(self) -> list[str]:
        """The IRIs of every named graph."""
        ...

    def count(self, graph: str | None = None) -> int:
        """The number of triples in one graph, or quads in the whole store."""
        ...

    def dump(
        self, fmt: str, graph: str | None = None, *, prefixes: Mapping[str, str] | None = None
    ) -> bytes:
        """One graph (or the whole dataset for dataset formats) serialised in `fmt`."""
        ...

    def quads(self, graph: str | None = None) -> Iterator[tuple[Node, Node, Node, str | None]]:
        """Every quad of one graph, or of the store, as rdflib terms."""
        ...

    def has_graph(self, graph: str) -> bool:
        """Whether a named graph exists."""
        ...

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update, all or nothing."""
        ...

    def load(
        self,
        data: bytes | str | Path,
        fmt: str,
        *,
        graph: str | None = None,
        replace: bool = False,
        base_iri: str | None = None,
    ) -> int:
        """Parse RDF into a graph (replacing it when asked), all or nothing; the triple count."""
        ...

    def load_parts(
        self,
        parts: Iterable[tuple[bytes, str]],
        *,
        graph: str | None = None,
        base_iri: str | None = None,
    ) -> int:
        """Load several documents (data, format) into one graph in one all-or-nothing step."""
        ...

    def bulk_load_file(self, path: Path, fmt: str, graph: str | None) -> None:
        """Load a large file fast (builds only: not atomic with readers)."""
        ...

    def add_triples(self, triples: Iterable[tuple[Node, Node, Node]], graph: str | None) -> None:
        """Add rdflib triples to a graph."""
        ...

    def drop_graph(self, graph: str | None) -> bool:
        """Remove a graph's triples; whether it held any."""
        ...

    def default_graph_nquads(self) -> bytes:
        """The store's real default graph (not the union of graphs) as N-Quads."""
        ...

    def apply_rows(self, added: Sequence[str], removed: Sequence[str]) -> None:
        """Add and remove N-Quads rows quad by quad, blank nodes keeping their labels."""
        ...

    def present_rows(self, rows: Sequence[str]) -> set[str]:
        """Those of these N-Quads rows the store holds."""
        ...

    def flush(self) -> None:
        """Make every write durable."""
        ...

    def close(self) -> None:
        """Release the store (its files, or its HTTP session)."""
        ...
