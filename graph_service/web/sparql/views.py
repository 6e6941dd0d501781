"""The SPARQL 1.1 Protocol at /sparql: queries, updates, service description and the query page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests, abort, default_exceptions

from graph_service.exceptions import GraphServiceError
from graph_service.model.stamps import stamp_concepts
from graph_service.namespaces import valid_iri
from graph_service.query.runner import federated, run_query
from graph_service.store.base import StoreError
from graph_service.store.changes import write_update
from graph_service.store.nesting import check_sparql
from graph_service.store.sparql_text import add_using
from graph_service.web import conneg
from graph_service.web.auth import change_author, change_message, require_update_token
from graph_service.web.backend import get_journal, get_store, write_limits
from graph_service.web.cors import allow_any_origin, allow_preflight
from graph_service.web.followups import follow_write
from graph_service.web.params import max_nesting
from graph_service.web.paths import absolute_url
from graph_service.web.sparql import protocol
from graph_service.web.sparql.fast import FAST_PATH_FAILURE
from graph_service.web.sparql.page import render_page
from graph_service.web.sparql.page import service_description as description_body

bp = Blueprint("sparql", __name__)


def init_app(app: Flask) -> None:
    """Register /sparql and the Graph Store Protocol at /store."""
    from graph_service.web.sparql.graph_store import bp as graph_store_bp

    app.register_blueprint(bp)
    app.register_blueprint(graph_store_bp)


QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"
#: The syntaxes of the service description (a graph: no dataset syntax).
DESCRIPTION_MEDIA = protocol.GRAPH_MEDIA[:4]


def http_errors(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Raise our errors as HTTP errors, which web/errors.py answers with the status's title."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        try:
            return view(*args, **kwargs)
        except GraphServiceError as exc:
            # web/errors.py titles these already; werkzeug has no 507 to abort with.
            if exc.status in (401, 403, 404) or exc.status not in default_exceptions:
                raise
            retry_after = getattr(exc, "retry_after", None)
            if retry_after and exc.status in (429, 503):
                late = TooManyRequests if exc.status == 429 else ServiceUnavailable
                raise late(description=exc.message, retry_after=retry_after) from exc
            abort(exc.status, description=exc.message)

    return wrapper


@bp.after_request
def _headers(response: Response) -> Response:
    """CORS on every answer (the token, not the origin, guards writes); errors never cached."""
    if request.method == "OPTIONS":
        allow_preflight(response, "GET, POST, OPTIONS", "Content-Type, Accept, Authorization")
    else:
        allow_any_origin(response)
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
            # A dataset without a query is pointless, but a malformed one is still an error.
            _graphs(request.args, "default-graph-uri")
            _graphs(request.args, "named-graph-uri")
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
    protocol.check_length(text, current_app.config["MAX_QUERY_LENGTH"])
    check_sparql(text, max_nesting())  # before the parser, which deep nesting crashed


def _graphs(params: MultiDict, name: str) -> list[str]:
    graphs = params.getlist(name)
    for graph in graphs:
        if not valid_iri(graph):
            raise GraphServiceError(f"{name} must be an absolute IRI, not {graph!r}")
    return graphs


def _base_iri() -> str:
    """The endpoint's own IRI: relative IRIs in queries and updates resolve against it."""
    return absolute_url(request.path)


def _query(text: str, params: MultiDict) -> ResponseReturnValue:
    _check_length(text)
    default_graphs = _graphs(params, "default-graph-uri")
    named_graphs = _graphs(params, "named-graph-uri")
    fmt = params.get("format", "")
    accept = request.headers.get("Accept")
    kind = protocol.answer_kind(text)
    html = protocol.wants_html(fmt, accept)
    chosen = (
        protocol.BY_NAME["json" if kind == "results" else "turtle"]
        if html
        else protocol.choose_format(kind, fmt, accept)
    )
    task = protocol.query_task(
        text,
        chosen,
        kind,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        base_iri=_base_iri(),
        services=protocol.federation(current_app.config),
    )
    config = current_app.config
    try:
        failed = request.environ.pop(FAST_PATH_FAILURE, None)
        if failed is not None:
            raise failed  # the fast path ran this very query already: do not run it twice
        answer = run_query(
            get_store(),
            task,
            timeout=config["QUERY_TIMEOUT"],
            max_rows=config["MAX_RESULT_ROWS"],
            workers=config.get("QUERY_WORKERS", 2),
            client=request.remote_addr or "",
            per_client=config.get("QUERIES_PER_CLIENT", 0),
        )
    except GraphServiceError as exc:
        if html:
            return render_page(_base_iri(), text, error=exc.message, status=exc.status)
        raise
    if html:
        return render_page(_base_iri(), text, answer=answer)
    chosen = protocol.answered_format(chosen, task, answer.kind, kind)
    headers = {"Vary": "Accept"}
    if federated(task):
        # Another endpoint's data, which no write of ours versions: neither the response
        # cache nor any HTTP cache may keep it (web/caching.py leaves a chosen policy alone).
        headers["Cache-Control"] = "no-store"
    return Response(
        answer.body, content_type=conneg.content_type(chosen.media_type), headers=headers
    )


def _update(text: str, params: MultiDict) -> ResponseReturnValue:
    require_update_token()
    _check_length(text)
    using = _graphs(params, "using-graph-uri")
    using_named = _graphs(params, "using-named-graph-uri")
    if using or using_named:
        text = add_using(text, using, using_named)
    try:
        # Journalled (fsync) before it is applied: a 204 is a write no build or crash loses.
        write_update(
            get_store(),
            get_journal(),
            text,
            base_iri=_base_iri(),
            author=change_author(),
            message=change_message("SPARQL Update"),
            amend=stamp_concepts,
            followup=follow_write,
            services=protocol.federation(current_app.config),
            limits=write_limits(),
        )
    except StoreError as exc:  # the client's (400), or the server's (502, 503, 507)
        raise GraphServiceError(str(exc), status=exc.status) from exc
    return no_content()


def service_description() -> ResponseReturnValue:
    """The SPARQL 1.1 Service Description (an RDF format by Accept), or the page for browsers."""
    media = conneg.negotiate(request.headers.get("Accept"), [*DESCRIPTION_MEDIA, protocol.HTML])
    if media == protocol.HTML:
        return render_page(_base_iri())
    chosen = conneg.rdf_type(media or "text/turtle")
    assert chosen is not None
    updates = bool(current_app.config.get("UPDATE_TOKEN"))
    body = description_body(_base_iri(), chosen.name, get_store(), updates)
    return Response(body, content_type=conneg.content_type(chosen.media_type))


def no_content() -> Response:
    """A 204 answer, without the Content-Type Flask would give it."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response
