"""Dereferenceable IRIs: each IRI of the namespace is a page, in HTML or any RDF serialisation."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Flask, Response, redirect, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import HTTP_STATUS_CODES

from graph_service.exceptions import NotFound
from graph_service.model.base import kind_of
from graph_service.model.describe import serialize_description
from graph_service.namespaces import valid_iri
from graph_service.store.base import StoreError
from graph_service.web.backend import get_store
from graph_service.web.conneg import (
    RDF_TYPES,
    format_names,
    negotiate,
    rdf_by_extension,
    rdf_content_type,
    rdf_type,
)
from graph_service.web.linked_data.iri_path import IriPathConverter
from graph_service.web.params import iri_arg
from graph_service.web.paths import local_path, namespace
from graph_service.web.ui.pages import render_page

bp = Blueprint("linked_data", __name__)

#: What a page can be served as, preferred first (HTML for browsers and for */*).
PAGE_FORMATS = ("turtle", "jsonld", "rdfxml", "ntriples")
PAGE_TYPES = ("text/html", *(t.media_type for t in RDF_TYPES if t.name in PAGE_FORMATS))
FORMAT_WORDS = frozenset(format_names())


def choose(extension: str | None, offered: tuple[str, ...] = PAGE_TYPES) -> str:
    """The format asked by ?format=, then by the extension, then by Accept: "html" or an RDF
    short name. Raises 406 when nothing offered fits."""
    wanted = request.args.get("format") or extension
    if wanted:
        if wanted in {"html", "text/html"} and "text/html" in offered:
            return "html"
        if wanted not in FORMAT_WORDS:  # exactly as written, as /openapi.json's enum says
            raise NotAcceptable(
                f"format {wanted!r} is not offered; use one of: {', '.join(offered)}"
            )
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


def render(iri: str, fmt: str, kind: str) -> Response:
    """One IRI's page in the chosen format, with Vary: Accept."""
    store = get_store()
    if fmt == "html":
        response = Response(render_page(store, iri, kind), content_type="text/html; charset=utf-8")
    else:
        response = Response(
            serialize_description(store, iri, fmt), content_type=rdf_content_type(fmt)
        )
        path = local_path(iri)
        entry = rdf_type(fmt)
        if path and entry is not None:
            response.headers["Content-Location"] = f"{path}.{entry.extension}"
    response.headers["Vary"] = "Accept"
    return response


def _resolve(iri: str) -> str:
    kind = kind_of(get_store(), iri)
    if kind is None:
        raise NotFound(f"Could not find <{iri}> in the data")
    return kind


@bp.errorhandler(StoreError)
def _store_error(exc: StoreError) -> ResponseReturnValue:
    # Input the engine refused (an IRI it finds malformed): the client's error (400); or the
    # store failing (503, 507): ours.
    title = HTTP_STATUS_CODES.get(exc.status, "Error")
    return Response(
        f"{exc.status} {title} : {exc}", exc.status, content_type="text/plain; charset=utf-8"
    )


@bp.get("/page")
def page() -> ResponseReturnValue:
    """Any IRI of the store: ours redirect to their page, others are rendered here."""
    iri = iri_arg("uri", required=True)
    assert iri is not None
    kind = _resolve(iri)
    path = local_path(iri)
    if path is not None:
        query = f"?format={quote(request.args['format'])}" if "format" in request.args else ""
        return redirect(path + query, 303)
    return render(iri, choose(None), kind)


@bp.get("/<iri_path:local>")
def dereference(local: str) -> ResponseReturnValue:
    """An IRI of the namespace, by its path; a known extension picks the serialisation."""
    space = namespace()
    store = get_store()
    iri = space + local
    if not valid_iri(iri):
        raise NotFound(f"no IRI of this service has the path /{local}")
    kind = kind_of(store, iri)
    extension = None
    if kind is None and "." in local.rsplit("/", 1)[-1]:
        stem, _, extension = local.rpartition(".")
        if rdf_by_extension(extension) is not None or extension == "html":
            iri = space + stem
            kind = kind_of(store, iri)
    if kind is None:
        raise NotFound(f"Could not find <{iri}> in the data")
    return render(iri, choose(extension), kind)


def init_app(app: Flask) -> None:
    """Register the linked-data pages, dumps and VoID."""
    # Before the blueprint: its catch-all rule is compiled with the converter when registered.
    app.url_map.converters["iri_path"] = IriPathConverter
    app.register_blueprint(bp)
