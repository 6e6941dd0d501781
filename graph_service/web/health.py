"""Liveness and readiness: /healthz says whether the store answers, and which data it serves."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from graph_service.model.base import has_statements
from graph_service.search.index import index_ready
from graph_service.store.base import StoreError
from graph_service.store.build import BuildError
from graph_service.web.backend import get_store
from graph_service.web.prerender import renderer_of
from graph_service.web.warmup import warmer_of

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 with the data version when the store answers a query, 503 otherwise.

    `search_index` says whether search answers at once ("ready") or will wait for the index
    being built from the store ("building", for seconds at 100,000 concepts after a start or
    a write): a readiness probe may wait for "ready".

    `warm` says whether the expensive answers of the current data version (scheme counts,
    statistics, groups, search index) are computed ("ready"), being computed by the warm-up
    thread after a start or a write ("warming"), or left to the first visitor ("off": tests,
    GRAPH_SERVICE_WARM_UP=false). The status stays 200 while warming: the service answers
    correctly meanwhile, only slower, and a failing readiness after every write would take it
    out of a load balancer for seconds. A probe that must wait for speed waits for "ready".
    With reader processes (serve --readers N), `readers` says how many have warmed this
    version, and `warm` is "ready" only when they all have.
    """
    try:
        store = get_store()
        has_statements(store)  # the answer does not matter: that there is one does
    except (BuildError, StoreError) as exc:
        return jsonify(status="unavailable", error=str(exc)), 503
    body: dict[str, object] = {
        "status": "ok",
        "version": store.version,
        "search_index": "ready" if index_ready(store) else "building",
        "warm": warmer_of(current_app).status(store.version),
    }
    readers = warmer_of(current_app).readers_warmth(store.version)
    if readers.expected:
        # Beside reader processes, "warm" is "ready" once each of them is warm too.
        body["readers"] = {"warm": readers.warm, "expected": readers.expected}
    renderer = renderer_of(current_app)
    if renderer is not None:
        # Pages rendered ahead: a probe that must wait for the fastest pages waits for "ready".
        status = renderer.status(store.version)
        body["pages"] = status.pop("state")
        if status:
            body["pages_rendered"] = status
    if store.path is not None:
        body["store"] = store.path.name
    else:
        body["store"] = getattr(store, "query_endpoint", "memory")
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
