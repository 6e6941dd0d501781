"""Dereferenceable IRIs: each IRI of the namespace is a page, in HTML or any RDF serialisation."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Flask, Response, current_app, redirect, request
from flask.typing import ResponseReturnValue
from rdflib import Graph, URIRef
from werkzeug.exceptions import NotAcceptable

from graph_service.exceptions import GraphServiceError, NotFound
from graph_service.model.base import PREFIXES as SPARQL_PREFIXES
from graph_service.namespaces import PREFIXES, SCHEME_IDS, valid_iri
from graph_service.store import Store
from graph_service.store.base import StoreError
from graph_service.web.backend import get_store
from graph_service.web.conneg import RDF_TYPES, negotiate, rdf_by_extension, rdf_type
from graph_service.web.ui.pages import render_page

bp = Blueprint("linked_data", __name__)

#: Prefixes of Turtle, TriG and RDF/XML output: the namespaces plus one per scheme and kind of
#: territory, so that IRIs read `notions:empowerment` and `commune:59350`.
LD_PREFIXES = {
    **{k: v for k, v in PREFIXES.items() if k != "sh"},
    **{name: f"{PREFIXES['pdv']}{name}/" for name in (*SCHEME_IDS, "resources")},
    **{
        name: f"{PREFIXES['pdv']}territoires/{path}/"
        for name, path in (
            ("pays", "pays"),
            ("region", "region"),
            ("departement", "departement"),
            ("epci", "epci"),
            ("commune", "commune"),
            ("cv", "contrat-de-ville"),
        )
    },
}
#: What a page can be served as, preferred first (HTML for browsers and for */*).
PAGE_FORMATS = ("turtle", "jsonld", "rdfxml", "ntriples")
PAGE_TYPES = ("text/html", *(t.media_type for t in RDF_TYPES if t.name in PAGE_FORMATS))
#: Compact JSON-LD keys, the ones Skosmos uses for its /data answers.
JSONLD_CONTEXT = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "isothes": "http://purl.org/iso25964/skos-thes#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "schema": "https://schema.org/",
    "pdvo": "https://w3id.org/pdv/ontology#",
    "uri": "@id",
    "type": "@type",
    "lang": "@language",
    "value": "@value",
    "graph": "@graph",
    "label": "rdfs:label",
    "prefLabel": "skos:prefLabel",
    "altLabel": "skos:altLabel",
    "hiddenLabel": "skos:hiddenLabel",
    "broader": "skos:broader",
    "narrower": "skos:narrower",
    "related": "skos:related",
    "inScheme": "skos:inScheme",
    "exactMatch": "skos:exactMatch",
    "closeMatch": "skos:closeMatch",
    "broadMatch": "skos:broadMatch",
    "narrowMatch": "skos:narrowMatch",
    "relatedMatch": "skos:relatedMatch",
}

#: An IRI's own statements (one level into blank nodes), the labels of what it points to,
#: and the concepts that point at it as broader or narrower, with their labels.
DESCRIBE = (
    SPARQL_PREFIXES
    + """CONSTRUCT { $s ?p ?o . ?o ?lp ?ol . ?o ?bp ?bo . ?x ?ip $s . ?x ?xp ?xl . }
WHERE {
  { $s ?p ?o .
    OPTIONAL { { ?o skos:prefLabel ?ol BIND(skos:prefLabel AS ?lp) }
               UNION { ?o dct:title ?ol BIND(dct:title AS ?lp) }
               UNION { ?o rdfs:label ?ol BIND(rdfs:label AS ?lp) } }
    OPTIONAL { FILTER(isBlank(?o)) ?o ?bp ?bo } }
  UNION
  { { ?x skos:broader $s BIND(skos:broader AS ?ip) }
    UNION { ?x skos:narrower $s BIND(skos:narrower AS ?ip) }
    OPTIONAL { ?x skos:prefLabel ?xl BIND(skos:prefLabel AS ?xp) } }
}"""
)
#: One UNION branch per property everywhere above: with `VALUES ?p {...}` the engine scans every
#: statement pointing at the IRI (all the concepts of a scheme) instead of looking two up.


def serialize_description(store: Store, iri: str, fmt: str) -> bytes:
    """The RDF about an IRI in one format; JSON-LD is compacted with the Skosmos context."""
    bindings = {"s": URIRef(iri)}
    if fmt == "jsonld":
        graph = Graph()
        for triple in store.construct(DESCRIBE, bindings):
            graph.add(triple)
        return graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True).encode()
    return store.construct_serialized(DESCRIBE, bindings, fmt, prefixes=LD_PREFIXES)


def media_type_of(fmt: str) -> str:
    """The media type (with charset for text types) of an RDF format short name."""
    entry = rdf_type(fmt)
    assert entry is not None
    return entry.media_type + ("; charset=utf-8" if entry.name != "rdfxml" else "")


def choose(extension: str | None, offered: tuple[str, ...] = PAGE_TYPES) -> str:
    """The format asked by ?format=, then by the extension, then by Accept: "html" or an RDF
    short name. Raises 406 when nothing offered fits."""
    wanted = request.args.get("format") or extension
    if wanted:
        if wanted.lower() in {"html", "text/html"} and "text/html" in offered:
            return "html"
        entry = rdf_type(wanted) or rdf_by_extension(wanted)
        if entry is not None and entry.media_type in offered:
            return entry.name
        raise NotAcceptable(f"format {wanted!r} is not offered; use one of: {', '.join(offered)}")
    accept = request.headers.get("Accept")
    chosen = negotiate(accept, [*offered, "application/json"])
    if chosen is None:
        raise NotAcceptable(
            f"none of the accepted media types is offered; use one of: {', '.join(offered)}"
        )
    if chosen == "text/html":
        return "html"
    entry = rdf_type("jsonld" if chosen == "application/json" else chosen)
    assert entry is not None
    return entry.name


def local_path(iri: str) -> str | None:
    """The path at which an IRI of the namespace is served, or None for other IRIs."""
    namespace = current_app.config.get("NAMESPACE") or PREFIXES["pdv"]
    if iri.startswith(namespace) and len(iri) > len(namespace):
        return request.script_root + "/" + iri[len(namespace) :]
    return None


def page_link(iri: str) -> str:
    """Where a page links for an IRI: its local path, else /page?uri=."""
    return local_path(iri) or f"{request.script_root}/page?uri={quote(iri, safe='')}"


@bp.app_template_global("ld_link")
def ld_link(iri: str) -> str:
    """Template helper: the link for an IRI (local path for ours, the IRI itself otherwise)."""
    return local_path(iri) or iri


def render(iri: str, fmt: str, kind: str) -> Response:
    """One IRI's page in the chosen format, with Vary: Accept."""
    store = get_store()
    if fmt == "html":
        response = Response(render_page(store, iri, kind), content_type="text/html; charset=utf-8")
    else:
        response = Response(serialize_description(store, iri, fmt), content_type=media_type_of(fmt))
        path = local_path(iri)
        entry = rdf_type(fmt)
        if path and entry is not None:
            response.headers["Content-Location"] = f"{path}.{entry.extension}"
    response.headers["Vary"] = "Accept"
    return response


def _resolve(iri: str) -> str:
    from graph_service.model.base import kind_of

    kind = kind_of(get_store(), iri)
    if kind is None:
        raise NotFound(f"Could not find <{iri}> in the data")
    return kind


@bp.errorhandler(StoreError)
def _store_error(exc: StoreError) -> ResponseReturnValue:
    # Input the engine refused (an IRI it finds malformed): the client's error, not ours.
    return Response(f"400 Bad Request : {exc}", 400, content_type="text/plain; charset=utf-8")


@bp.get("/page")
def page() -> ResponseReturnValue:
    """Any IRI of the store: ours redirect to their page, others are rendered here."""
    iri = (request.args.get("uri") or "").strip()
    if not iri:
        raise GraphServiceError("uri parameter missing")
    if not valid_iri(iri):
        raise GraphServiceError(f"uri parameter is not a valid IRI: {iri!r}")
    kind = _resolve(iri)
    path = local_path(iri)
    if path is not None:
        query = f"?format={quote(request.args['format'])}" if "format" in request.args else ""
        return redirect(path + query, 303)
    return render(iri, choose(None), kind)


@bp.get("/<path:local>")
def dereference(local: str) -> ResponseReturnValue:
    """An IRI of the namespace, by its path; a known extension picks the serialisation."""
    namespace = current_app.config.get("NAMESPACE") or PREFIXES["pdv"]
    store = get_store()
    from graph_service.model.base import kind_of

    iri = namespace + local
    if not valid_iri(iri):
        raise NotFound(f"no IRI of this service has the path /{local}")
    kind = kind_of(store, iri)
    extension = None
    if kind is None and "." in local.rsplit("/", 1)[-1]:
        stem, _, extension = local.rpartition(".")
        if rdf_by_extension(extension) is not None or extension == "html":
            iri = namespace + stem
            kind = kind_of(store, iri)
    if kind is None:
        raise NotFound(f"Could not find <{iri}> in the data")
    return render(iri, choose(extension), kind)


def init_app(app: Flask) -> None:
    """Register the linked-data pages, dumps and VoID."""
    app.register_blueprint(bp)
