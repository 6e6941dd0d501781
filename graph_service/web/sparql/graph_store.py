"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: read and replace whole graphs over HTTP.

`/store?default` is the store's real default graph (not the union /sparql queries by default),
`/store?graph=IRI` a named graph, `/store/<path>` the graph named by the request's own URL
(direct identification), and `/store` alone the whole dataset (GET as TriG or N-Quads; POST
makes a new graph and answers 201 with its IRI in Location). GET and HEAD are open; PUT, POST
and DELETE need the update token.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue
from rdflib import URIRef

from graph_service.exceptions import GraphServiceError, NotFound
from graph_service.model.dumps import default_graph
from graph_service.model.stamps import stamp_concepts
from graph_service.namespaces import valid_iri
from graph_service.store.base import StoreError, write_failure
from graph_service.store.changes import write_documents, write_drop
from graph_service.store.nesting import check_document
from graph_service.store.terms import to_engine
from graph_service.web import conneg
from graph_service.web.auth import change_author, change_message, require_update_token
from graph_service.web.backend import get_journal, get_store, write_limits
from graph_service.web.cors import allow_any_origin, allow_preflight
from graph_service.web.followups import follow_write
from graph_service.web.params import max_nesting
from graph_service.web.paths import absolute_url
from graph_service.web.sparql.views import http_errors, no_content

bp = Blueprint("graph_store", __name__)

GRAPH_MEDIA = [m.media_type for m in conneg.RDF_TYPES]
DATASET_MEDIA = [m.media_type for m in conneg.RDF_TYPES if m.name in ("trig", "nquads")]
#: Formats a graph can be sent in (datasets are refused: a graph holds no graphs).
WRITABLE = {"turtle", "ntriples", "rdfxml", "jsonld"}
METHODS = ["GET", "PUT", "POST", "DELETE"]
_STORE = "store"  # marks a request addressed to the whole dataset


@bp.after_request
def _headers(response: Response) -> Response:
    """CORS for reads; writes and errors are never cached."""
    if request.method == "OPTIONS":
        allow_preflight(response, "GET, HEAD, OPTIONS", "Accept")
    elif request.method in ("GET", "HEAD"):
        allow_any_origin(response)
    if response.status_code >= 400 or request.method not in ("GET", "HEAD", "OPTIONS"):
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/store", methods=METHODS)
@bp.route("/store/<path:subpath>", methods=METHODS)
@http_errors
def graph_store(subpath: str | None = None) -> ResponseReturnValue:
    """One Graph Store Protocol request on the graph the URL names."""
    graph = _target(subpath)
    if request.method in ("GET", "HEAD"):
        return _get(graph)
    require_update_token()
    if request.method == "DELETE":
        return _delete(graph)
    parts = _payload()
    if request.method == "POST" and graph == _STORE:
        created = absolute_url(f"/store/{uuid.uuid4().hex}")
        _load(parts, created, replace=False)
        return Response(status=201, headers={"Location": created})
    if graph == _STORE:
        raise GraphServiceError("PUT needs a graph: add ?default or ?graph=IRI", status=405)
    existed = graph is None or get_store().has_graph(graph)
    _load(parts, graph, replace=request.method == "PUT")
    return no_content() if existed else Response(status=201)


def _target(subpath: str | None) -> str | None:
    """The graph IRI, None for the default graph, or _STORE for the whole dataset."""
    has_default, graph = "default" in request.args, request.args.get("graph")
    if subpath is not None:
        if has_default or graph is not None:
            raise GraphServiceError("a graph named by its URL takes no ?default or ?graph=")
        return _checked(absolute_url(request.path))
    if has_default and graph is not None:
        raise GraphServiceError("use ?default or ?graph=IRI, not both")
    if has_default:
        return None
    if graph is None:
        return _STORE
    return _checked(graph)


def _checked(graph: str) -> str:
    """The graph IRI if the engine accepts it (400 otherwise)."""
    try:
        if not valid_iri(graph):
            raise StoreError("not an absolute IRI")
        to_engine(URIRef(graph))
    except StoreError:
        raise GraphServiceError(f"the graph name must be an absolute IRI, not {graph!r}") from None
    return graph


def _get(graph: str | None) -> ResponseReturnValue:
    store = get_store()
    offered = DATASET_MEDIA if graph == _STORE else GRAPH_MEDIA
    media = conneg.negotiate(request.headers.get("Accept"), offered)
    if media is None:
        raise GraphServiceError(f"this resource is available as {', '.join(offered)}", status=406)
    entry = conneg.rdf_type(media)
    assert entry is not None  # negotiated among the RDF types
    fmt = entry.name
    try:
        if graph == _STORE:
            body = store.dump(fmt)
        elif graph is None:
            body = default_graph(store, fmt)  # the store's own default graph, not the union
        elif not store.has_graph(graph):
            raise NotFound(f"there is no graph <{graph}> in the store")
        else:
            body = store.dump(fmt, graph)
    except StoreError as exc:
        raise GraphServiceError(str(exc), status=503) from exc
    return Response(body, content_type=conneg.content_type(media), headers={"Vary": "Accept"})


def _delete(graph: str | None) -> ResponseReturnValue:
    if graph == _STORE:
        raise GraphServiceError("DELETE needs a graph: add ?default or ?graph=IRI", status=405)
    store = get_store()
    if graph is not None and not store.has_graph(graph):
        raise NotFound(f"there is no graph <{graph}> in the store")
    try:
        change = write_drop(
            store,
            get_journal(),
            graph,
            author=change_author(),
            message=change_message(f"Graph Store DELETE {_name(graph)}"),
            followup=follow_write,
            limits=write_limits(),
        )
        if change is None:
            # An empty graph: no data to journal, only its name to remove (a change that empties
            # a graph removes the name itself, store/changes.py).
            store.drop_graph(graph)
    except StoreError as exc:  # no client error is left by now: the server's (503, 507)
        status = exc.status if exc.status >= 500 else 503
        raise GraphServiceError(f"the graph could not be removed: {exc}", status=status) from exc
    return no_content()


def _name(graph: str | None) -> str:
    return "the default graph" if graph is None else f"<{graph}>"


def _format(media_type: str, params: dict[str, str]) -> str:
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise GraphServiceError(f"only UTF-8 is accepted, not {charset}", status=415)
    found = conneg.rdf_type(media_type) if media_type else None
    if found is None or found.name not in WRITABLE:
        accepted = ", ".join(m.media_type for m in conneg.RDF_TYPES if m.name in WRITABLE)
        raise GraphServiceError(
            f"unsupported Content-Type {media_type or '(none)'}: send a graph as {accepted}",
            status=415,
        )
    return found.name


def _payload() -> list[tuple[bytes, str]]:
    """The RDF documents of a PUT or POST: the body, or each file of a multipart form."""
    if request.mimetype == "multipart/form-data":
        parts = [
            (part.read(), _format(part.mimetype, part.mimetype_params))
            for part in request.files.values()
        ]
        if not parts:
            raise GraphServiceError("the multipart form holds no file")
        return parts
    return [(request.get_data(cache=False), _format(request.mimetype, request.mimetype_params))]


def _load(parts: list[tuple[bytes, str]], graph: str | None, *, replace: bool) -> None:
    if replace and len(parts) > 1:
        raise GraphServiceError("PUT takes one document; POST adds several")
    for data, fmt in parts:  # before the parser, which a deep document crashed (TooDeep)
        check_document(data, fmt, max_nesting())
    try:
        # Every document is parsed first, then the patch is journalled (fsync), then applied.
        write_documents(
            get_store(),
            get_journal(),
            list(parts),
            graph,
            replace=replace,
            base_iri=graph or request.base_url,
            author=change_author(),
            message=change_message(f"Graph Store {request.method} {_name(graph)}"),
            amend=stamp_concepts,
            followup=follow_write,
            limits=write_limits(),
        )
    except StoreError as exc:  # the client's (400), or the server's (503, 507)
        raise GraphServiceError(f"the data could not be loaded: {exc}", status=exc.status) from exc
    except OSError as exc:  # the engine's own I/O error (a read-only store, a full disk)
        failure = write_failure(exc, "the data")
        raise GraphServiceError(str(failure), status=failure.status) from exc
