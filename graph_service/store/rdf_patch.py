"""RDF Patch text: one change (headers, then A and D rows of N-Quads between TX and TC), and
N-Quads rows as the engine writes them (the unit patches, journals and replays share)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.term import Node

from graph_service.store.base import StoreUnavailable
from graph_service.store.terms import to_engine_triple, to_rdflib


class JournalError(StoreUnavailable):
    """The journal cannot be read or written (a damaged file, a full disk)."""


@dataclass(frozen=True)
class Change:
    """One accepted write: who, when, why, and the quads it added and removed (N-Quads rows)."""

    id: str
    seq: int
    time: str
    author: str
    message: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    prev: str = ""
    #: A file under DATA_DIR (imports/<id>.ttl) that holds the graph this change replaced, as
    #: the change left it, and the SHA-256 of its bytes: a build that loads that very file has
    #: no need to replay the change (store/carried.py).
    file: str = ""
    file_sha256: str = ""
    #: Who approved the change when its author only proposed it ("" when no review took place).
    reviewer: str = ""

    @property
    def is_empty(self) -> bool:
        """Whether the change adds and removes nothing (a write that changed no data)."""
        return not self.added and not self.removed

    def subjects(self) -> list[str]:
        """The IRIs the change says something about (subjects of its rows), sorted."""
        rows = (*self.added, *self.removed)
        return sorted({s[1:-1] for s, *_ in split_rows(rows) if s.startswith("<")})

    def inverse(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(added, removed) of the change that undoes this one."""
        return self.removed, self.added


def quad_rows(quads: Iterable[ox.Quad]) -> tuple[str, ...]:
    """N-Quads rows (without the final dot) of engine quads, sorted so a patch is deterministic."""
    rows = {str(quad) for quad in quads}
    return tuple(sorted(rows))


def row_of(subject: Node, predicate: Node, obj: Node, graph: str | None) -> str:
    """The N-Quads row of rdflib terms in a graph (None: the default graph), engine-escaped."""
    target = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    triple = to_engine_triple((subject, predicate, obj))
    return str(ox.Quad(triple.subject, triple.predicate, triple.object, target))


def split_rows(rows: Iterable[str]) -> list[tuple[str, str, str, str | None]]:
    """Each row's subject, predicate and object as N-Triples text (`<iri>`, `_:b`, literals)
    and its graph IRI (None: the default graph), for code that reads patches as text."""
    found = []
    for quad in parse_rows(rows):
        graph = quad.graph_name
        name = graph.value if isinstance(graph, ox.NamedNode) else None
        found.append((str(quad.subject), str(quad.predicate), str(quad.object), name))
    return found


def parse_rows(rows: Iterable[str]) -> list[ox.Quad]:
    """Engine quads of N-Quads rows (as stored in a Change)."""
    text = "".join(f"{row} .\n" for row in rows)
    if not text:
        return []
    try:
        return list(ox.parse(input=text, format=ox.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError) as exc:
        raise JournalError(f"bad quad in the journal: {exc}") from exc


def row_graphs(rows: Iterable[str]) -> list[str | None]:
    """The graph of each N-Quads row (its IRI, None for the default graph), in order."""
    return [
        None if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name.value)
        for quad in parse_rows(rows)
    ]


def row_terms(rows: Iterable[str]) -> list[tuple[Node, Node, Node, str | None]]:
    """rdflib terms of N-Quads rows (subject, predicate, object, graph IRI or None for the
    default graph), as Store.quads gives them: for reading a change above the store layer."""
    return [
        (
            to_rdflib(quad.subject),
            to_rdflib(quad.predicate),
            to_rdflib(quad.object),
            None if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name.value),
        )
        for quad in parse_rows(rows)
    ]


def data_block(rows: Iterable[str]) -> str:
    """The body of an INSERT DATA / DELETE DATA block for N-Quads rows, grouped by graph."""
    by_graph: dict[str, list[str]] = {}
    for quad in parse_rows(rows):
        name = quad.graph_name
        key = "" if isinstance(name, ox.DefaultGraph) else str(name)
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        by_graph.setdefault(key, []).append(str(triple))
    parts = []
    for graph, triples in by_graph.items():
        body = " .\n".join(triples) + " ."
        parts.append(body if not graph else f"GRAPH {graph} {{\n{body}\n}}")
    return "\n".join(parts)


def _literal(value: str) -> str:
    # JSON string escaping is also valid N-Triples/Turtle string escaping for what we write.
    return json.dumps(value, ensure_ascii=False)


def _unliteral(text: str) -> str:
    return str(json.loads(text))


def format_change(change: Change) -> str:
    """The RDF Patch text of one change, ending with `TC .` and a newline."""
    lines = [
        f"H id <urn:uuid:{change.id}> .",
        *([f"H prev <urn:uuid:{change.prev}> ."] if change.prev else []),
        f'H seq "{change.seq}" .',
        f"H time {_literal(change.time)} .",
        f"H author {_literal(change.author)} .",
        *([f"H reviewer {_literal(change.reviewer)} ."] if change.reviewer else []),
        f"H message {_literal(change.message)} .",
        *([f"H file {_literal(change.file)} ."] if change.file else []),
        *([f"H fileSha256 {_literal(change.file_sha256)} ."] if change.file_sha256 else []),
        "TX .",
        *(f"D {row} ." for row in change.removed),
        *(f"A {row} ." for row in change.added),
        "TC .",
    ]
    return "\n".join(lines) + "\n"


def parse_block(lines: list[str]) -> Change:
    headers: dict[str, str] = {}
    added: list[str] = []
    removed: list[str] = []
    for line in lines:
        kind, _, rest = line.partition(" ")
        body = rest.removesuffix(" .").removesuffix(".").rstrip()
        if kind == "H":
            key, _, value = body.partition(" ")
            headers[key] = value
        elif kind == "A":
            added.append(body)
        elif kind == "D":
            removed.append(body)
        elif kind not in ("TX", "TC"):
            raise JournalError(f"unknown row in the journal: {line[:80]!r}")
    try:
        return Change(
            id=headers["id"].removeprefix("<urn:uuid:").removesuffix(">"),
            prev=headers.get("prev", "").removeprefix("<urn:uuid:").removesuffix(">"),
            seq=int(_unliteral(headers["seq"])),
            time=_unliteral(headers["time"]),
            author=_unliteral(headers["author"]),
            reviewer=_unliteral(headers["reviewer"]) if "reviewer" in headers else "",
            message=_unliteral(headers["message"]),
            file=_unliteral(headers["file"]) if "file" in headers else "",
            file_sha256=_unliteral(headers["fileSha256"]) if "fileSha256" in headers else "",
            added=tuple(added),
            removed=tuple(removed),
        )
    except (KeyError, ValueError) as exc:
        raise JournalError(f"a change in the journal lacks a header: {exc}") from exc


def blocks(data: bytes) -> Iterator[tuple[list[str], int]]:
    """Each complete patch's lines and the byte offset just after its `TC .` row."""
    lines: list[str] = []
    offset = 0
    for raw in data.splitlines(keepends=True):
        offset += len(raw)
        if not raw.endswith(b"\n"):
            return  # a torn last line
        line = raw.decode("utf-8").rstrip("\n")
        if not line:
            continue
        lines.append(line)
        if line == "TC .":
            yield lines, offset
            lines = []
