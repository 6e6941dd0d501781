"""Whole-graph reads for dumps and the Graph Store Protocol: which graphs a dump is made of,
and their triples serialised by the engine, graph after graph."""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import URIRef

from graph_service.model.base import SPARQL_PREFIXES, memo, rows, values_block
from graph_service.model.schemes import scheme_for_vocab
from graph_service.namespaces import GRAPH, LD_PREFIXES
from graph_service.store import Store
from graph_service.store.formats import reserialize

#: Dump names besides vocabulary ids: every graph, and the graphs of the resources.
ALL = "all"
RESOURCES = "resources"
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


def graph_counts(store: Store) -> dict[str, int]:
    """The size in triples of every named graph (remembered per data version): one scan per
    graph, which the VoID description paid for on its first request after each write (1.3 s
    at 100,000 concepts) until the warm-up computed it ahead."""
    return memo(store, ("graph-counts",), lambda: {g: store.count(g) for g in store.named_graphs()})


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
