"""One protocol query as a task, and running it in this process under the row limit."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from graph_service.exceptions import GraphServiceError
from graph_service.store import Store
from graph_service.store.base import QueryAnswer, StoreError
from graph_service.store.federation import check_services, service_failure
from graph_service.store.limits import TryLater
from graph_service.store.remote import RemoteUnavailable

#: The smallest number of bytes one row takes in each results format: an answer shorter than
#: limit x this cannot hold too many rows, so most answers are never counted.
_MIN_ROW_BYTES = {"json": 3, "xml": 17, "csv": 2, "tsv": 1}
#: How the engine words a syntax error of the query itself (safe to show: it is the client's).
_QUERY_SYNTAX_ERROR = re.compile(r"error at \d+:\d+")


class QueryTimeout(TryLater):
    """The query ran past the time limit and was stopped, or found no free worker in time
    (503 with Retry-After: the server was too busy or the query too heavy for now)."""


class TooManyRows(GraphServiceError):
    """The answer holds more rows than the configured limit (never cut short silently)."""

    status = 422


@dataclass(frozen=True)
class QueryTask:
    """One protocol query: its text, the formats to answer in, and its RDF dataset."""

    query: str
    result_format: str = "json"
    graph_format: str = "turtle"
    #: None: the service's dataset (default graph = union of all graphs); a tuple: exactly
    #: these graphs, as default-graph-uri / named-graph-uri ask (an empty tuple = no graph).
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    #: The SERVICE endpoints the query may call (the federation allow-list; empty: none).
    services: tuple[str, ...] = ()


def count_rows(body: bytes, fmt: str) -> int:
    """Count the solutions of a serialised SELECT answer."""
    if fmt == "xml":
        return body.count(b"<result>")  # markup in values is escaped as &lt;
    if fmt == "tsv":
        return body.count(b"\n") - 1  # newlines in values are escaped as \n
    if fmt == "csv":
        import csv
        import io

        return sum(1 for _ in csv.reader(io.StringIO(body.decode()))) - 1
    return len(json.loads(body)["results"]["bindings"])


def execute(store: Store, task: QueryTask, max_rows: int) -> QueryAnswer:
    """Run a task in this process and check the row limit; raises GraphServiceError.

    A query with a SERVICE outside the task's allowed endpoints is refused before the store
    sees it (a remote store would fetch it too).
    """
    endpoints = check_services(task.query, task.services, task.base_iri)
    service_failed = False
    try:
        answer = store.query_serialized(
            task.query,
            result_format=task.result_format,
            graph_format=task.graph_format,
            default_graphs=task.default_graphs,
            named_graphs=task.named_graphs,
            base_iri=task.base_iri,
        )
    except Exception as exc:
        # With SERVICE, the engine's message may quote the endpoint's reply: never pass that
        # on. Raised below, out of this block: the error holds the answer being serialised,
        # to be dropped in this thread (pyoxigraph's objects cannot change threads).
        service_failed = bool(endpoints) and not _syntax_error(exc)
        if service_failed:
            pass
        elif isinstance(exc, RemoteUnavailable):
            raise GraphServiceError(str(exc), status=503) from exc
        elif isinstance(exc, StoreError):
            # the client's (400), or the server's (502, 503, 507)
            raise GraphServiceError(str(exc), status=exc.status) from exc
        else:
            raise
    if service_failed:
        raise service_failure(endpoints)
    if (
        answer.kind == "select"
        and max_rows > 0
        and len(answer.body) > max_rows * _MIN_ROW_BYTES[task.result_format]
        and count_rows(answer.body, task.result_format) > max_rows
    ):
        raise TooManyRows(
            f"the answer has more than {max_rows:,} rows, the limit of this endpoint: "
            "add a LIMIT (and page with OFFSET) or aggregate"
        )
    return answer


def _syntax_error(exc: Exception) -> bool:
    """Whether the engine refused the query's own syntax (not a remote endpoint's reply)."""
    return isinstance(exc.__cause__, SyntaxError) and bool(_QUERY_SYNTAX_ERROR.match(str(exc)))


def timeout_message(seconds: float) -> str:
    """The error message of a query stopped at the time limit."""
    return f"query exceeded the {seconds:g} s time limit and was stopped"
