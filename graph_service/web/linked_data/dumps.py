"""Whole-vocabulary dumps, streamed graph by graph, and their VoID description."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, current_app, request, stream_with_context
from flask.typing import ResponseReturnValue
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from graph_service.exceptions import NotFound
from graph_service.model.base import PREFIXES as SPARQL_PREFIXES
from graph_service.model.base import memo
from graph_service.model.schemes import scheme_for_vocab, schemes
from graph_service.namespaces import GRAPH, PREFIXES, VOID
from graph_service.store import Store
from graph_service.web.backend import get_store
from graph_service.web.caching import last_modified
from graph_service.web.conneg import RDF_TYPES, rdf_by_extension
from graph_service.web.linked_data.views import LD_PREFIXES, choose, media_type_of

bp = Blueprint("linked_data_dumps", __name__)

DUMP_FORMATS = tuple(entry.name for entry in RDF_TYPES)
ALL = "all"
RESOURCES = "resources"
#: Serialisations of the VoID description, by short name, with rdflib's names for them.
VOID_FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "rdfxml": "xml", "ntriples": "nt"}
_TURTLE_PREFIXES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(LD_PREFIXES.items()))


def dump_graphs(store: Store, name: str) -> list[str | None] | None:
    """The graphs a dump is made of: all of them (None = default graph), those holding a
    scheme, or those of the resources; None when the name is unknown."""
    if name == ALL:
        default: list[str | None] = [None] if _default_graph_used(store) else []
        return default + list(store.named_graphs())
    if name == RESOURCES:
        return [g for g in store.named_graphs() if g.startswith(f"{GRAPH}resources/")] or None
    scheme = scheme_for_vocab(store, name)
    if scheme is None:
        return None
    rows = store.select(
        SPARQL_PREFIXES + "SELECT DISTINCT ?g WHERE { GRAPH ?g { $s a skos:ConceptScheme } }",
        {"s": URIRef(scheme.iri)},
    )
    return sorted(str(r["g"]) for r in rows) or None


def _default_graph_used(store: Store) -> bool:
    return bool(store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", union=False))


def _graph_chunks(store: Store, graphs: list[str | None], fmt: str) -> Iterator[bytes]:
    """Serialise graph after graph, so that only one graph is in memory at a time."""
    default_query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    if fmt == "trig":
        yield _TURTLE_PREFIXES.encode()
    for graph in graphs:
        line_format = "ntriples" if fmt in {"ntriples", "nquads"} else "turtle"
        if graph is None:
            body = store.construct_serialized(default_query, None, line_format, union=False)
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


def _merged(store: Store, graphs: list[str | None], fmt: str) -> bytes:
    """One document for formats that cannot be concatenated (RDF/XML, JSON-LD)."""
    named = [g for g in graphs if g is not None]
    values = " ".join(f"$g{n}" for n in range(len(named)))
    parts = [f"{{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ {values} }} }}"] if named else []
    if None in graphs:
        parts.append("{ ?s ?p ?o }")
    query = "CONSTRUCT { ?s ?p ?o } WHERE { " + " UNION ".join(parts or ["FILTER(false)"]) + " }"
    return store.construct_serialized(
        query,
        {f"g{n}": URIRef(g) for n, g in enumerate(named)},
        fmt,
        prefixes=LD_PREFIXES,
        union=False,
    )


@bp.get("/dumps/<string:filename>")
def dump(filename: str) -> ResponseReturnValue:
    """/dumps/{vocid|all|resources}.{ttl,nt,nq,trig,rdf,jsonld}, streamed when the format allows."""
    name, _, extension = filename.rpartition(".")
    entry = rdf_by_extension(extension) if name else None
    if entry is None:
        raise NotFound(
            f"no dump named {filename}: use /dumps/<vocabulary>.<ttl|nt|nq|trig|rdf|jsonld>"
        )
    store = get_store()
    graphs = dump_graphs(store, name)
    if graphs is None:
        raise NotFound(f"no vocabulary named {name!r}")
    if entry.name in {"rdfxml", "jsonld"}:
        body: object = _merged(store, graphs, entry.name)
    else:
        body = stream_with_context(_graph_chunks(store, graphs, entry.name))
    response = Response(body, content_type=media_type_of(entry.name))
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{entry.extension}"'
    return response


def public_base() -> str:
    """The base URL links are made from: the configured public base, else this request's."""
    base = current_app.config.get("PUBLIC_BASE") or (
        request.host_url + request.script_root.lstrip("/")
    )
    return base.rstrip("/") + "/"


def void_graph(store: Store) -> Graph:
    """VoID: the dataset, one subset per vocabulary with its size, dumps and URI space."""
    base = public_base()
    namespace = current_app.config.get("NAMESPACE") or PREFIXES["pdv"]
    graph = Graph()
    for prefix in ("void", "dct", "xsd", "skos"):
        graph.bind(prefix, PREFIXES[prefix])
    dataset = URIRef(f"{base}.well-known/void#dataset")
    counts = memo(
        store, ("graph-counts",), lambda: {g: store.count(g) for g in store.named_graphs()}
    )
    modified = Literal(last_modified(store).isoformat(), datatype=XSD.dateTime)

    def describe(node: URIRef, name: str, title: str, graphs: list[str | None], space: str) -> None:
        graph.add((node, RDF.type, VOID.Dataset))
        graph.add((node, DCTERMS.title, Literal(title)))
        graph.add((node, VOID.triples, Literal(sum(counts.get(g, 0) for g in graphs if g))))
        graph.add((node, VOID.uriSpace, Literal(space)))
        graph.add((node, DCTERMS.modified, modified))
        for entry in RDF_TYPES:
            graph.add((node, VOID.dataDump, URIRef(f"{base}dumps/{name}.{entry.extension}")))

    describe(dataset, ALL, "graph-service", list(counts), namespace)
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    graph.add((dataset, VOID.rootResource, URIRef(namespace)))
    for summary in schemes(store, "en"):
        graphs = dump_graphs(store, summary.vocab_id) or []
        node = URIRef(f"{base}.well-known/void#{summary.vocab_id}")
        graph.add((dataset, VOID.subset, node))
        space = summary.iri.rstrip("/") + "/"
        describe(node, summary.vocab_id, summary.title, graphs, space)
        graph.add((node, VOID.rootResource, URIRef(summary.iri)))
        graph.add((node, VOID.entities, Literal(summary.concept_count)))
    return graph


@bp.get("/.well-known/void")
def void() -> ResponseReturnValue:
    """The VoID description of the service's data, in any RDF serialisation (Turtle first)."""
    fmt = choose(None, tuple(t.media_type for t in RDF_TYPES if t.name in VOID_FORMATS))
    graph = void_graph(get_store())
    rdflib_format = VOID_FORMATS[fmt]
    response = Response(graph.serialize(format=rdflib_format), content_type=media_type_of(fmt))
    response.headers["Vary"] = "Accept"
    return response
