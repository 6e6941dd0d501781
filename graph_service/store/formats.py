"""RDF serialisations the engine reads and writes: names, extensions, parsing, conversion."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib.term import Node

from graph_service.store.base import StoreError
from graph_service.store.terms import graph_node, to_engine_triple, to_rdflib

#: Media types the engine reads and writes, by the short names used across the code.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: The serialisations that write prefixes (the others ignore them, or list every one unused).
PREFIXED_FORMATS = frozenset({"turtle", "trig", "rdfxml", "jsonld", "n3"})
_EXTENSIONS = {
    ".ttl": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".n3": "n3",
}


def format_for_path(path: str | Path) -> str:
    """Return the short RDF format name for a file name, by its extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise StoreError(f"unknown RDF file extension {suffix!r} for {path}")
    return _EXTENSIONS[suffix]


def format_is_dataset(fmt: str) -> bool:
    """Whether a serialisation holds named graphs (TriG, N-Quads)."""
    return RDF_FORMATS[fmt].supports_datasets


def written(data: bytes | None) -> bytes:
    """The bytes an engine serialiser returned: it returns None only when given a file to write."""
    if data is None:
        raise StoreError("the engine wrote nothing")
    return data


def serialize(
    items: Iterable[ox.Triple] | Iterable[ox.Quad],
    fmt: str,
    *,
    prefixes: Mapping[str, str] | None = None,
) -> bytes:
    """Engine triples (or quads, for dataset formats) serialised in `fmt`, with our prefixes
    where the format writes them."""
    chosen = dict(prefixes) if prefixes and fmt in PREFIXED_FORMATS else None
    return written(ox.serialize(items, format=RDF_FORMATS[fmt], prefixes=chosen))


def parse_quads(data: bytes | str | Path, fmt: str, base_iri: str | None = None) -> ox.QuadParser:
    """The engine's parser over a document (bytes, text or a file), blank nodes renamed so that
    two documents cannot share one by accident. Raises the engine's errors while iterated."""
    if isinstance(data, Path):
        return ox.parse(
            path=str(data), format=RDF_FORMATS[fmt], base_iri=base_iri, rename_blank_nodes=True
        )
    return ox.parse(data, format=RDF_FORMATS[fmt], base_iri=base_iri, rename_blank_nodes=True)


def document_rows(data: bytes | str, fmt: str) -> list[str]:
    """The N-Quads rows of a document (as the journal writes them: no final dot, no graph term
    for the default graph) in document order, blank node labels kept as written."""
    try:
        return [str(quad) for quad in ox.parse(data, format=RDF_FORMATS[fmt])]
    except (SyntaxError, ValueError) as exc:
        raise StoreError(str(exc)) from exc


def count_quads(path: Path, fmt: str) -> int:
    """The number of quads (triples, for triple formats) a file holds."""
    try:
        return sum(1 for _ in parse_quads(path, fmt))
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(f"{path.name}: {exc}") from exc


def parse_to_ntriples(
    data: bytes | str | Path, fmt: str, graph: str | None = None, base_iri: str | None = None
) -> dict[str | None, str]:
    """Parse RDF (validating it fully) and return N-Triples text per target graph.

    Triples of the document's default graph go to `graph`; named graphs of a dataset keep
    their names.
    """
    by_graph: dict[str | None, list[ox.Triple]] = {}
    try:
        for quad in parse_quads(data, fmt, base_iri):
            name = quad.graph_name
            target = name.value if isinstance(name, ox.NamedNode) else graph
            by_graph.setdefault(target, []).append(quad.triple)
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(str(exc)) from exc
    return {name: serialize(triples, "ntriples").decode() for name, triples in by_graph.items()}


def reserialize(
    ntriples: bytes,
    fmt: str,
    *,
    graph: str | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> bytes:
    """Turn N-Triples into another serialisation (into `graph` for dataset formats)."""
    try:
        triples = [quad.triple for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]
        if format_is_dataset(fmt):
            target = graph_node(graph)
            quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
            return serialize(quads, fmt, prefixes=prefixes)
        return serialize(triples, fmt, prefixes=prefixes)
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(str(exc)) from exc


def ntriples_to_rdflib(ntriples: bytes) -> list[tuple[Node, Node, Node]]:
    """Parse N-Triples into rdflib triples (fast, in the engine)."""
    try:
        return [
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
        ]
    except (SyntaxError, ValueError) as exc:
        raise StoreError(str(exc)) from exc


def triples_to_ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    """Serialise rdflib triples as N-Triples text (escaping done by the engine)."""
    return serialize([to_engine_triple(t) for t in triples], "ntriples").decode()
