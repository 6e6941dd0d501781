"""Skosmos REST API v1 at /rest/v1: shared plumbing (JSON-LD, JSONP, CORS, errors) and the
global endpoints; the others live next to it (vocab.py, concept.py, search.py, stats.py)."""

from __future__ import annotations

import json
import logging
import threading
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, redirect, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from graph_service.exceptions import GraphServiceError, NotFound
from graph_service.model.base import kind_of
from graph_service.model.describe import serialize_description
from graph_service.model.schemes import SchemeSummary, scheme_for_vocab, schemes
from graph_service.model.stats import types
from graph_service.namespaces import ONKI_NS, RDFS_NS, SKOS_NS
from graph_service.store.base import StoreError
from graph_service.web.backend import get_store
from graph_service.web.conneg import negotiate, rdf_content_type, rdf_type
from graph_service.web.cors import open_to_any_origin
from graph_service.web.params import iri_arg, jsonp_callback, lang_arg

bp = Blueprint("rest", __name__, url_prefix="/rest/v1")
open_to_any_origin(bp)
log = logging.getLogger(__name__)

BASE_CONTEXT = {"skos": SKOS_NS, "uri": "@id", "type": "@type"}
#: /data formats, in Skosmos's order of preference (RDF/XML for */*).
DATA_TYPES = ("application/rdf+xml", "text/turtle", "application/ld+json", "application/json",
              "application/n-triples")  # fmt: skip


def _plain(status: int, title: str, message: str) -> Response:
    """An error answered the Skosmos way: the status line's words and a message, as plain text."""
    return Response(
        f"{status} {title} : {message}", status, content_type="text/plain; charset=utf-8"
    )


@bp.errorhandler(GraphServiceError)
def _service_error(exc: GraphServiceError) -> Response:
    response = _plain(exc.status, HTTP_STATUS_CODES.get(exc.status, "Error"), exc.message)
    retry_after = getattr(exc, "retry_after", None)  # store/limits.py TryLater (a search)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.errorhandler(StoreError)
def _store_error(exc: StoreError) -> Response:
    # Input the engine refused (400), or the store failing (503, 507): the error says which.
    return _plain(exc.status, HTTP_STATUS_CODES.get(exc.status, "Error"), str(exc))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    return _plain(exc.code or 500, exc.name, exc.description or exc.name)


@bp.before_request
def _check_callback() -> None:
    for name in request.args:
        if len(request.args.getlist(name)) > 1:  # which one would count? say so rather than pick
            raise GraphServiceError(f"the {name} parameter is given more than once: give it once")
    callback = request.args.get("callback")
    if callback and not jsonp_callback(callback):  # an empty callback= is no callback
        raise GraphServiceError("callback must be a JavaScript identifier")


def reply(data: dict, context: dict | None = None) -> Response:
    """A JSON-LD answer with its inline @context, as JSON, JSON-LD or JSONP."""
    merged = {**BASE_CONTEXT, **(context or {})}
    body = {"@context": {k: v for k, v in merged.items() if v is not None}, **data}
    text = json.dumps(body, ensure_ascii=False)
    callback = request.args.get("callback")
    if callback:
        return Response(
            f"{callback}({text});", content_type="application/javascript; charset=utf-8"
        )
    accept = request.headers.get("Accept")
    chosen = negotiate(accept, ["application/json", "application/ld+json"]) or "application/json"
    response = Response(text, content_type=f"{chosen}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


def next_page(offset: int, limit: int, total: int) -> str | None:
    """The URL of the next page of a paged answer (this request's, with the offset moved on),
    or None on the last page."""
    if offset + limit >= total:
        return None
    args = request.args.to_dict()
    args["offset"] = str(offset + limit)
    return f"{request.base_url}?{urlencode(args)}"


def vocab_or_404(vocid: str) -> SchemeSummary:
    """The scheme of a vocabulary id, or a 404."""
    summary = scheme_for_vocab(get_store(), vocid)
    if summary is None:
        raise NotFound(f"Vocabulary id '{vocid}' not found.")
    return summary


# --- global endpoints -----------------------------------------------------------------------


@bp.get("/vocabularies")
def vocabularies() -> ResponseReturnValue:
    """Every vocabulary (concept scheme) with its title in `lang` (required)."""
    lang = lang_arg(required=True)
    found = sorted(schemes(get_store(), lang), key=lambda s: s.vocab_id)
    context = {
        "rdfs": RDFS_NS,
        "onki": ONKI_NS,
        "title": {"@id": "rdfs:label", "@language": lang},
        "vocabularies": "onki:hasVocabulary",
        "id": "onki:vocabularyIdentifier",
        "@base": request.url_root + "rest/v1/vocabularies",
    }
    items = [{"uri": s.vocab_id, "id": s.vocab_id, "title": s.title} for s in found]
    return reply({"uri": "", "vocabularies": items}, context)


@bp.get("/types")
def global_types() -> ResponseReturnValue:
    """Classes of the concepts and collections of all vocabularies (lang required)."""
    return types_reply(None, lang_arg(required=True))


def types_reply(vocab_id: str | None, lang: str | None) -> Response:
    """The /types answer for one vocabulary or for all."""
    found = types(get_store(), vocab_id, lang) or []
    items = []
    for t in found:
        item = {"uri": t.iri, "label": t.label}
        if t.superclass:
            item["superclass"] = t.superclass
        items.append(item)
    context = {
        "rdfs": RDFS_NS,
        "onki": ONKI_NS,
        "label": "rdfs:label",
        "superclass": {"@id": "rdfs:subClassOf", "@type": "@id"},
        "types": "onki:hasType",
        "@language": lang,
    }
    return reply({"uri": "", "types": items}, context)


def data_reply(vocid: str | None) -> ResponseReturnValue:
    """/data: the RDF of a concept (or any IRI of the store) in the negotiated format."""
    uri = iri_arg("uri", required=vocid is None, blank=False)
    # A "+" left unencoded in a query string arrives as a space: "application/rdf xml".
    wanted = (request.args.get("format") or "").strip().replace(" ", "+")
    if wanted:
        chosen = wanted if wanted in DATA_TYPES else None
    else:
        chosen = negotiate(request.headers.get("Accept"), DATA_TYPES)
    if chosen is None:
        raise GraphServiceError(
            "Unsupported format. Supported MIME types are: " + " ".join(DATA_TYPES), status=406
        )
    # Plain JSON is JSON-LD here, as in Skosmos.
    entry = rdf_type("jsonld" if chosen == "application/json" else chosen)
    assert entry is not None  # every /data type is an RDF type
    fmt = entry.name
    if uri is None:
        assert vocid is not None
        return redirect(f"{request.script_root}/dumps/{vocid}.{entry.extension}", 302)
    store = get_store()
    if kind_of(store, uri) is None:
        raise NotFound(f"Could not find concept <{uri}>")
    asked_rdfxml = fmt == "rdfxml"
    if asked_rdfxml and _legacy_skosmos_client():
        fmt, chosen = "turtle", "text/turtle"
    body = serialize_description(store, uri, fmt)
    content_type = (
        rdf_content_type(fmt) if chosen != "application/json" else "application/json; charset=utf-8"
    )
    response = Response(body, content_type=content_type)
    # The answer depends on Accept, and for RDF/XML on the client (see _legacy_skosmos_client).
    response.headers["Vary"] = "Accept, User-Agent" if asked_rdfxml else "Accept"
    return response


def _legacy_skosmos_client() -> bool:
    """Whether the request looks like skosmos-client 0.3's data() call.

    That client asks for format=application/rdf+xml, then parses the body with rdflib's
    default format, which is Turtle since rdflib 6 (it was RDF/XML before): the RDF/XML it
    asked for cannot be read, even from Skosmos itself. Its requests (python-requests with
    its default Accept: */*, only uri and format) get Turtle, labelled text/turtle, instead.
    Any other client, or one sending an Accept header, gets the RDF/XML it asked for.
    """
    return (
        request.headers.get("User-Agent", "").startswith("python-requests/")
        and request.headers.get("Accept") == "*/*"
        and set(request.args) == {"uri", "format"}
    )


@bp.get("/data")
def global_data() -> ResponseReturnValue:
    """The RDF of any IRI of the store."""
    return data_reply(None)


def init_app(app: Flask) -> None:
    """Register the REST blueprint with all its endpoints."""
    app.register_blueprint(bp)
    started = threading.Event()

    @app.before_request
    def _warm_search_index() -> None:
        # The first request starts building the search index in the background, so that the
        # first search does not wait for all of it (seconds at 100,000 concepts).
        if started.is_set() or app.testing:
            return
        started.set()
        threading.Thread(target=_build_index, args=(app,), daemon=True).start()


def _build_index(app: Flask) -> None:
    from graph_service.search.index import get_index
    from graph_service.store.build import BuildError

    with app.app_context():
        try:
            get_index(get_store())
        except (BuildError, StoreError):
            log.warning("search index not built in advance", exc_info=True)


__all__ = ["bp", "init_app", "reply"]
