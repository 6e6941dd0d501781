"""RDF serialisations the engine reads and writes: names, extensions, parsing, conversion."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from graph_service.store.base import StoreError
from graph_service.store.terms import graph_node

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


def parse_to_ntriples(
    data: bytes | str | Path, fmt: str, graph: str | None = None, base_iri: str | None = None
) -> dict[str | None, str]:
    """Parse RDF (validating it fully) and return N-Triples text per target graph.

    Triples of the document's default graph go to `graph`; named graphs of a dataset keep
    their names. Blank nodes are renamed so that two documents cannot share one by accident.
    """
    kwargs: dict[str, object] = {
        "format": RDF_FORMATS[fmt],
        "base_iri": base_iri,
        "rename_blank_nodes": True,
    }
    if isinstance(data, Path):
        kwargs["path"] = str(data)
    else:
        kwargs["input"] = data
    by_graph: dict[str | None, list[ox.Triple]] = {}
    try:
        for quad in ox.parse(**kwargs):
            name = quad.graph_name
            target = name.value if isinstance(name, ox.NamedNode) else graph
            by_graph.setdefault(target, []).append(
                ox.Triple(quad.subject, quad.predicate, quad.object)
            )
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(str(exc)) from exc
    return {
        name: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
        for name, triples in by_graph.items()
    }


def reserialize(
    ntriples: bytes,
    fmt: str,
    *,
    graph: str | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> bytes:
    """Turn N-Triples into another serialisation (into `graph` for dataset formats)."""
    rdf_format = RDF_FORMATS[fmt]
    try:
        triples = list(ox.parse(input=ntriples, format=ox.RdfFormat.N_TRIPLES))
        items: list[object]
        if rdf_format.supports_datasets:
            target = graph_node(graph)
            items = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
        else:
            items = [ox.Triple(t.subject, t.predicate, t.object) for t in triples]
        kwargs: dict[str, object] = {"format": rdf_format}
        if prefixes and fmt in {"turtle", "trig", "rdfxml", "jsonld", "n3"}:
            kwargs["prefixes"] = dict(prefixes)
        return ox.serialize(items, **kwargs)  # type: ignore[return-value]
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(str(exc)) from exc
