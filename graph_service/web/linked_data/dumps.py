"""Whole-vocabulary dumps, streamed graph by graph, and their VoID description."""

from __future__ import annotations

from flask import Blueprint, Response, stream_with_context
from flask.typing import ResponseReturnValue
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from graph_service.exceptions import NotFound
from graph_service.model.dumps import ALL, dump_graphs, graph_chunks, graph_counts, merged
from graph_service.model.schemes import schemes
from graph_service.model.vocab import licence_of, scheme_licences
from graph_service.namespaces import PREFIXES, VOID
from graph_service.store import Store
from graph_service.web.backend import get_journal, get_store
from graph_service.web.caching import last_modified
from graph_service.web.conneg import RDF_TYPES, rdf_by_extension, rdf_content_type
from graph_service.web.linked_data.views import choose
from graph_service.web.paths import namespace, service_base

bp = Blueprint("linked_data_dumps", __name__)

#: Serialisations of the VoID description (rdflib writes it: graph formats only).
VOID_FORMATS = ("turtle", "jsonld", "rdfxml", "ntriples")


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
    content_type = rdf_content_type(entry.name)
    if entry.name in {"rdfxml", "jsonld"}:
        response = Response(merged(store, graphs, entry.name), content_type=content_type)
    else:
        chunks = stream_with_context(graph_chunks(store, graphs, entry.name))
        response = Response(chunks, content_type=content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{entry.extension}"'
    return response


def void_graph(store: Store) -> Graph:
    """VoID: the dataset, one subset per vocabulary with its size, dumps and URI space."""
    base = service_base()
    space = namespace()
    graph = Graph()
    for prefix in ("void", "dct", "xsd", "skos"):
        graph.bind(prefix, PREFIXES[prefix])
    dataset = URIRef(f"{base}.well-known/void#dataset")
    counts = graph_counts(store, get_journal())
    modified = Literal(last_modified(store).isoformat(), datatype=XSD.dateTime)

    def describe(node: URIRef, name: str, title: str, graphs: list[str | None], space: str) -> None:
        graph.add((node, RDF.type, VOID.Dataset))
        graph.add((node, DCTERMS.title, Literal(title)))
        graph.add((node, VOID.triples, Literal(sum(counts.get(g, 0) for g in graphs if g))))
        graph.add((node, VOID.uriSpace, Literal(space)))
        graph.add((node, DCTERMS.modified, modified))
        for entry in RDF_TYPES:
            graph.add((node, VOID.dataDump, URIRef(f"{base}dumps/{name}.{entry.extension}")))

    describe(dataset, ALL, "graph-service", list(counts), space)
    licences = scheme_licences(store, "en")  # each vocabulary's own licence (dct:license)
    own = licence_of(store, None, "en")
    if own is not None and own.iri:
        graph.add((dataset, DCTERMS.license, URIRef(own.iri)))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    graph.add((dataset, VOID.rootResource, URIRef(space)))
    for summary in schemes(store, "en"):
        graphs = dump_graphs(store, summary.vocab_id) or []
        node = URIRef(f"{base}.well-known/void#{summary.vocab_id}")
        graph.add((dataset, VOID.subset, node))
        space = summary.iri.rstrip("/") + "/"
        describe(node, summary.vocab_id, summary.title, graphs, space)
        graph.add((node, VOID.rootResource, URIRef(summary.iri)))
        graph.add((node, VOID.entities, Literal(summary.concept_count)))
        licence = licences.get(summary.iri)
        if licence is not None and licence.iri:
            graph.add((node, DCTERMS.license, URIRef(licence.iri)))
    return graph


@bp.get("/.well-known/void")
def void() -> ResponseReturnValue:
    """The VoID description of the service's data, in any RDF serialisation (Turtle first)."""
    offered = [t for t in RDF_TYPES if t.name in VOID_FORMATS]
    fmt = choose(None, tuple(t.media_type for t in offered))
    rdflib_format = next(t.rdflib for t in offered if t.name == fmt)
    graph = void_graph(get_store())
    response = Response(graph.serialize(format=rdflib_format), content_type=rdf_content_type(fmt))
    response.headers["Vary"] = "Accept"
    return response
