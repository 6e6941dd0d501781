"""The SPARQL 1.1 Protocol at /sparql: queries, updates, service description and the query page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import abort

from . import conneg
from .auth import require_update_token
from .backend import get_store
from .exceptions import GraphServiceError
from .query_runner import QueryTask, run_query
from .sparql_page import render_page
from .sparql_page import service_description as description_body
from .sparql_text import add_using, query_form, valid_iri
from .store import StoreError

bp = Blueprint("sparql", __name__)


def init_app(app: Flask) -> None:
    """Register /sparql and the Graph Store Protocol at /store."""
    from .graph_store import bp as graph_store_bp

    app.register_blueprint(bp)
    app.register_blueprint(graph_store_bp)


QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"
HTML = "text/html"
RESULT_MEDIA = [m.media_type for m in conneg.RESULT_TYPES]
GRAPH_MEDIA = [m.media_type for m in conneg.RDF_TYPES]
#: `format=` names that conneg's tables lack (SPARQLWrapper sends json, n3, rdf+xml; "json"
#: means JSON-LD when the answer is a graph).
GRAPH_ALIASES = {"json": "jsonld", "n3": "turtle", "text/n3": "turtle", "rdf+xml": "rdfxml"}
#: The syntaxes of the service description (a graph: no dataset syntax).
DESCRIPTION_MEDIA = GRAPH_MEDIA[:4]
BY_NAME = {m.name: m for m in (*conneg.RESULT_TYPES, *conneg.RDF_TYPES)}
CORS_PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization",
    "Access-Control-Max-Age": "86400",
}


def http_errors(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Raise our errors as HTTP errors, so that errors.py answers with the status's own title."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        try:
            return view(*args, **kwargs)
        except GraphServiceError as exc:
            if exc.status in (401, 403, 404):  # errors.py titles these already
                raise
            abort(exc.status, description=exc.message)

    return wrapper


@bp.after_request
def _headers(response: Response) -> Response:
    """CORS on every answer (the token, not the origin, guards writes); errors never cached."""
    if request.method == "OPTIONS":
        response.headers.update(CORS_PREFLIGHT)
    else:
        response.headers["Access-Control-Allow-Origin"] = "*"
    if response.status_code >= 400 or (request.method == "POST" and response.status_code == 204):
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sparql", methods=["GET", "POST"])
@http_errors
def endpoint() -> ResponseReturnValue:
    """Dispatch a protocol request: query, update, or (bare GET) the service description."""
    if request.method in ("GET", "HEAD"):
        if "update" in request.args:
            raise GraphServiceError("an update must be sent with POST, not GET")
        queries = request.args.getlist("query")
        if not queries:
            return service_description()
        return _query(_only(queries, "query"), request.args)
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise GraphServiceError(f"only UTF-8 is accepted, not {charset}", status=415)
    mimetype = request.mimetype
    if mimetype == FORM_TYPE:
        params = MultiDict([*request.args.items(multi=True), *request.form.items(multi=True)])
        queries, updates = params.getlist("query"), params.getlist("update")
        if queries and updates:
            raise GraphServiceError("send a query or an update, not both")
        if updates:
            return _update(_only(updates, "update"), params)
        if not queries:
            raise GraphServiceError("the form has no query= or update= field")
        return _query(_only(queries, "query"), params)
    if mimetype in (QUERY_TYPE, UPDATE_TYPE):
        if "query" in request.args or "update" in request.args:
            raise GraphServiceError("the body holds the request: do not add query= or update=")
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            raise GraphServiceError("the body is not valid UTF-8") from None
        if mimetype == QUERY_TYPE:
            return _query(text, request.args)
        return _update(text, request.args)
    raise GraphServiceError(
        f"unsupported Content-Type {mimetype or '(none)'}: use {QUERY_TYPE}, {UPDATE_TYPE} "
        f"or {FORM_TYPE}",
        status=415,
    )


def _only(values: list[str], name: str) -> str:
    if len(values) > 1:
        raise GraphServiceError(f"the request has {len(values)} {name} strings: send one")
    return values[0]


def _check_length(text: str) -> None:
    limit = current_app.config["MAX_QUERY_LENGTH"]
    if limit and len(text) > limit:
        raise GraphServiceError(
            f"the text is {len(text):,} characters long; this endpoint accepts {limit:,}",
            status=413,
        )


def _graphs(params: MultiDict, name: str) -> list[str]:
    graphs = params.getlist(name)
    for graph in graphs:
        if not valid_iri(graph):
            raise GraphServiceError(f"{name} must be an absolute IRI, not {graph!r}")
    return graphs


def _base_iri() -> str:
    """The endpoint's own IRI: relative IRIs in queries and updates resolve against it."""
    public = current_app.config.get("PUBLIC_BASE") or ""
    return public.rstrip("/") + request.path if public else request.base_url


def _pick(kind: str, params: MultiDict) -> conneg.MediaType:
    """The serialisation of a select/ask ("results") or graph answer: format=, else Accept."""
    fmt = params.get("format", "").strip().lower()
    if fmt:
        if kind == "results":
            chosen = conneg.result_type(fmt)
        else:
            chosen = conneg.rdf_type(fmt) or BY_NAME.get(GRAPH_ALIASES.get(fmt, ""))
        if chosen is not None:
            return chosen  # an unknown format= falls back to Accept
    offered = RESULT_MEDIA if kind == "results" else GRAPH_MEDIA
    media = conneg.negotiate(request.headers.get("Accept"), offered)
    if media is None:
        what = "SELECT and ASK" if kind == "results" else "CONSTRUCT and DESCRIBE"
        raise GraphServiceError(
            f"none of the Accept header's types fits: {what} answers come as " + ", ".join(offered),
            status=406,
        )
    lookup = conneg.result_type if kind == "results" else conneg.rdf_type
    return lookup(media)  # type: ignore[return-value]


def _wants_html(params: MultiDict) -> bool:
    """Browsers (text/html preferred to every data format) get a page, never curl or clients."""
    if params.get("format"):
        return False
    return (
        conneg.negotiate(request.headers.get("Accept"), [*RESULT_MEDIA, *GRAPH_MEDIA, HTML]) == HTML
    )


def _query(text: str, params: MultiDict) -> ResponseReturnValue:
    _check_length(text)
    default_graphs = _graphs(params, "default-graph-uri")
    named_graphs = _graphs(params, "named-graph-uri")
    dataset = bool(default_graphs or named_graphs)
    kind = "graph" if query_form(text) in ("construct", "describe") else "results"
    html = _wants_html(params)
    chosen = BY_NAME["json" if kind == "results" else "turtle"] if html else _pick(kind, params)
    task = QueryTask(
        query=text,
        result_format=chosen.name if kind == "results" else "json",
        graph_format=chosen.name if kind == "graph" else "turtle",
        default_graphs=tuple(default_graphs) if dataset else None,
        named_graphs=tuple(named_graphs) if dataset else None,
        base_iri=_base_iri(),
    )
    config = current_app.config
    try:
        answer = run_query(
            get_store(),
            task,
            timeout=config["QUERY_TIMEOUT"],
            max_rows=config["MAX_RESULT_ROWS"],
            workers=config.get("QUERY_WORKERS", 2),
        )
    except GraphServiceError as exc:
        if html:
            return render_page(_base_iri(), text, error=exc.message, status=exc.status)
        raise
    if html:
        return render_page(_base_iri(), text, answer=answer)
    if (answer.kind == "graph") != (kind == "graph"):  # the form sniffing guessed wrong
        chosen = BY_NAME[task.graph_format if answer.kind == "graph" else task.result_format]
    return Response(
        answer.body, content_type=content_type(chosen.media_type), headers={"Vary": "Accept"}
    )


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: text formats say they are UTF-8."""
    textual = media_type.startswith("text/") or media_type == "application/n-triples"
    return f"{media_type}; charset=utf-8" if textual else media_type


def _update(text: str, params: MultiDict) -> ResponseReturnValue:
    require_update_token()
    _check_length(text)
    using = _graphs(params, "using-graph-uri")
    using_named = _graphs(params, "using-named-graph-uri")
    if using or using_named:
        text = add_using(text, using, using_named)
    try:
        get_store().update(text, base_iri=_base_iri())
    except StoreError as exc:
        raise GraphServiceError(str(exc)) from exc
    return no_content()


def service_description() -> ResponseReturnValue:
    """The SPARQL 1.1 Service Description (an RDF format by Accept), or the page for browsers."""
    media = conneg.negotiate(request.headers.get("Accept"), [*DESCRIPTION_MEDIA, HTML])
    if media == HTML:
        return render_page(_base_iri())
    chosen = conneg.rdf_type(media or "text/turtle")
    assert chosen is not None
    updates = bool(current_app.config.get("UPDATE_TOKEN"))
    body = description_body(_base_iri(), chosen.name, get_store(), updates)
    return Response(body, content_type=content_type(chosen.media_type))


def no_content() -> Response:
    """A 204 answer, without the Content-Type Flask would give it."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response
