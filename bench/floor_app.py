"""The floor of a CPython SPARQL front: a bare app that runs each query in-process.

Used by `python -m bench.floor` only, as a reference, never served by graph-service: it has
no time limit, no row limit, no cache, no log and no content negotiation, so what it costs
per query is the least any Python front on this engine can cost. `app` is a WSGI app,
`rsgi_app` the same for Granian's own interface (RSGI: no WSGI environ, no thread hand-off
to a blocking pool; the query runs in the event loop, which a real service could not do).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph

_store: pyoxigraph.Store | None = None


def _opened() -> pyoxigraph.Store:
    global _store
    if _store is None:  # opened in the worker process, never before Granian forks
        _store = pyoxigraph.Store.read_only(os.environ["BENCH_FLOOR_STORE"])
    return _store


def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
    """Answer GET ?query= with SPARQL JSON results, over the union of the store's graphs."""
    store = _opened()
    text = parse_qs(environ.get("QUERY_STRING", "")).get("query", [""])[0]
    try:
        answer = store.query(text, use_default_graph_as_union=True)
        body = answer.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
    except (SyntaxError, OSError, ValueError) as exc:
        body = str(exc).encode()
        start_response("400 Bad Request", [("Content-Type", "text/plain")])
        return [body]
    start_response(
        "200 OK",
        [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(body)))],
    )
    return [body]


class _RsgiFloor:
    """The same answers through RSGI."""

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        text = parse_qs(scope.query_string).get("query", [""])[0]
        try:
            body = (
                _opened()
                .query(text, use_default_graph_as_union=True)
                .serialize(format=pyoxigraph.QueryResultsFormat.JSON)
            )
        except (SyntaxError, OSError, ValueError) as exc:
            protocol.response_str(400, [("content-type", "text/plain")], str(exc))
            return
        protocol.response_bytes(200, [("content-type", "application/sparql-results+json")], body)


rsgi_app = _RsgiFloor()
