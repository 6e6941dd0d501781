"""The reconciliation service: version 0.2 at /reconcile (OpenRefine), the 1.0 draft at
/reconcile/v1 (POST .../match with JSON); manifests, batches, previews and suggest, CORS on all.

The matching is curate/reconcile.py's; the protocol's JSON is curate/reconcile_protocol.py's.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, nullcontext

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue

from graph_service.curate import reconcile_protocol as protocol
from graph_service.curate.reconcile import (
    SUGGEST_POOL,
    BadQuery,
    Candidate,
    Query,
    prepare,
    reconcile,
    suggest_entities,
)
from graph_service.curate.reconcile_facts import get_concept_facts
from graph_service.model.concept import definition_of
from graph_service.namespaces import vocab_id_of
from graph_service.query.fairness import ClientSlots
from graph_service.store import Store
from graph_service.store.limits import Deadline, TryLater
from graph_service.web.backend import get_store
from graph_service.web.cors import allow_any_origin, allow_preflight
from graph_service.web.params import BadParameter, json_value, jsonp_callback
from graph_service.web.paths import page_path, service_base

bp = Blueprint("reconcile", __name__)

MAX_QUERIES = 100
#: Suggestions per page (a cursor pages through at most SUGGEST_POOL of them).
SUGGEST_PAGE = 10
#: The reconciliation requests each client address has computing in this process.
RECONCILE_SLOTS = ClientSlots()


@bp.after_request
def _cors(response: Response) -> Response:
    """Every answer readable from any site (OpenRefine and the testbench run in browsers)."""
    if request.method == "OPTIONS":
        return allow_preflight(response, "GET, POST, OPTIONS", "Content-Type, Accept")
    return allow_any_origin(response)


def _reply(data: object, status: int = 200) -> Response:
    """JSON, or JSONP when a valid ?callback= is given (an empty one is no callback)."""
    body = json.dumps(data, ensure_ascii=False)
    callback = request.values.get("callback", "")
    if callback and not jsonp_callback(callback):
        body, status = json.dumps({"error": "invalid callback name"}), 400
    elif callback:
        return Response(
            f"/**/{callback}({body});", status, content_type="application/javascript; charset=utf-8"
        )
    return Response(body, status, content_type="application/json; charset=utf-8")


def _load_json(text: str, what: str) -> object:
    """JSON from a parameter or body, its depth checked before parsing (BadQuery if not)."""
    try:
        return json_value(text, what)
    except BadParameter as exc:
        raise BadQuery(str(exc)) from None


# --- 0.2 ------------------------------------------------------------------------------------


@bp.route("/reconcile", methods=["GET", "POST"])
def service() -> ResponseReturnValue:
    """Manifest (no query), one query (query=) or a batch (queries=), each answered alone."""
    store = get_store()
    raw_batch, raw_one = request.values.get("queries"), request.values.get("query")
    if raw_batch is None and raw_one is None:
        return _reply(protocol.manifest_v02(store, service_base()))
    try:
        with _client_slot():
            if raw_batch is not None:
                batch = protocol.batch_v02(_load_json(raw_batch, "queries"), _max_queries())
                answers = _answer_all(store, list(batch.values()))
                return _reply(
                    {
                        key: _v02_entry(found, late)
                        for key, (found, late) in zip(batch, answers, strict=True)
                    }
                )
            text = raw_one or ""  # there is no batch: a single query was given
            one = _load_json(text, "query") if text.lstrip().startswith("{") else {"query": text}
            if not isinstance(one, dict):
                raise BadQuery("query must be a string or a JSON object")
            query = protocol.query_v02(one)
            found = reconcile(store, query, _deadline(store, "this reconciliation query"))
            return _reply({"result": [protocol.candidate_v02(c) for c in found]})
    except BadQuery as exc:
        return _reply({"error": str(exc)}, 400)
    except TryLater as exc:
        return _later(exc)


def _later(exc: TryLater) -> Response:
    """A 503 past the time limit, or a 429 past the client's limit, with Retry-After."""
    response = _reply({"error": exc.message}, exc.status)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _client_slot() -> AbstractContextManager[None]:
    """Count this request against its client's limit (RECONCILE_PER_CLIENT; TooManyQueries,
    429, past it): a batch computes for seconds in a server thread, and one client sending
    many at once would take every thread from the others."""
    limit = int(current_app.config.get("RECONCILE_PER_CLIENT") or 0)
    if limit <= 0:
        return nullcontext()
    return RECONCILE_SLOTS.hold(
        request.remote_addr or "",
        limit,
        # A request running now ends within the time limit: a slot is free by then.
        retry_after=float(current_app.config.get("COMPUTE_TIME_LIMIT") or 1),
        what="reconciliation requests",
    )


def _deadline(store: Store, what: str) -> Deadline:
    """The time limit of a computation made in this process (GRAPH_SERVICE_COMPUTE_TIME_LIMIT),
    started once the data version's indexes are built (the build is not the query's work)."""
    prepare(store)
    return Deadline(float(current_app.config.get("COMPUTE_TIME_LIMIT") or 0), what)


def _max_queries() -> int:
    return int(current_app.config.get("RECONCILE_MAX_QUERIES") or MAX_QUERIES)


def _answer_all(store: Store, queries: list[Query]) -> list[tuple[list[Candidate], str]]:
    """Every query of a batch answered until the batch's time limit; the ones left then get no
    candidates and the reason (a batch runs in the serving process: 100 queries cost ~13 s of
    its CPU, and nothing outside could stop it)."""
    deadline = _deadline(store, "this reconciliation batch")
    answers: list[tuple[list[Candidate], str]] = []
    for query in queries:
        try:
            answers.append((reconcile(store, query, deadline), ""))
        except TryLater as exc:
            answers.append(([], f"not answered: {exc.message}; send fewer queries per batch"))
    return answers


def _v02_entry(found: list[Candidate], late: str) -> dict[str, object]:
    entry: dict[str, object] = {"result": [protocol.candidate_v02(c) for c in found]}
    if late:
        entry["error"] = late
    return entry


@bp.get("/reconcile/preview")
@bp.get("/reconcile/v1/preview")
def preview() -> ResponseReturnValue:
    """A small HTML card for one concept, made to fit the manifests' 400x120 frame."""
    iri = request.args.get("id", "").strip()
    store = get_store()
    facts = get_concept_facts(store)
    if iri not in facts.labels.labels:
        return Response("unknown concept", 404, content_type="text/plain; charset=utf-8")
    label = facts.labels.label_of(iri)
    definition = definition_of(store, iri)
    scheme = facts.labels.scheme.get(iri, "")
    return render_template(
        "curation/preview.html",
        iri=iri,
        label=str(label or iri),
        definition=str(definition or ""),
        description=facts.description(iri),
        vocab_id=vocab_id_of(scheme) if scheme else "",
        href=page_path(iri),
        size=protocol.PREVIEW_SIZE,
    )


def _cursor() -> int:
    raw = request.args.get("cursor", "").strip() or "0"
    if not raw.isdigit():
        raise BadQuery("cursor must be a whole number, 0 or more")
    return min(int(raw[:9]), SUGGEST_POOL)


@bp.get("/reconcile/suggest/entity")
@bp.get("/reconcile/v1/suggest/entity")
def suggest_entity() -> ResponseReturnValue:
    """Autocomplete: concepts whose label, IRI or code starts with ?prefix=, from ?cursor= on."""
    try:
        cursor = _cursor()
    except BadQuery as exc:
        return _reply({"error": str(exc)}, 400)
    prefix = request.args.get("prefix", "")
    found = suggest_entities(get_store(), prefix, cursor=cursor, limit=SUGGEST_PAGE)
    return _reply({"result": [protocol.suggestion(c) for c in found]})


@bp.get("/reconcile/suggest/property")
@bp.get("/reconcile/v1/suggest/property")
def suggest_property() -> ResponseReturnValue:
    """The properties a query may give (the code and the département)."""
    return _reply({"result": protocol.property_suggestions(request.args.get("prefix", ""))})


@bp.get("/reconcile/suggest/type")
@bp.get("/reconcile/v1/suggest/type")
def suggest_type() -> ResponseReturnValue:
    """The types a query may ask for: the vocabularies, or any concept."""
    prefix = request.args.get("prefix", "")
    return _reply({"result": protocol.type_suggestions(get_store(), prefix)})


# --- 1.0 draft --------------------------------------------------------------------------------


@bp.get("/reconcile/v1")
def manifest_v1() -> ResponseReturnValue:
    """The 1.0 draft manifest; its endpoints are below /reconcile/v1."""
    return _reply(protocol.manifest_v1(get_store(), service_base()))


@bp.post("/reconcile/v1/match")
@bp.post("/reconcile/match")
def match_v1() -> ResponseReturnValue:
    """A 1.0 batch, {"queries": [...]} as JSON (or a form's queries= field), answered in order."""
    store = get_store()
    try:
        if request.mimetype == "application/json":
            try:
                text = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError:
                raise BadQuery("the body is not valid UTF-8") from None
        else:
            text = request.form.get("queries", "")
            if not text:
                raise BadQuery("send the queries as an application/json body")
        queries = protocol.batch_v1(_load_json(text, "the body"), _max_queries())
        with _client_slot():
            # 1.0 has no place for a per-query error: a query left past the time limit has none.
            results = [
                {"candidates": [protocol.candidate_v1(c) for c in found]}
                for found, _ in _answer_all(store, queries)
            ]
    except BadQuery as exc:
        return _reply({"error": str(exc)}, 400)
    except TryLater as exc:
        return _later(exc)
    return _reply({"results": results})
