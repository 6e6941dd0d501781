"""One protocol query as a task, and running it in this process under the row limit."""

from __future__ import annotations

import json
from dataclasses import dataclass

from graph_service.exceptions import GraphServiceError
from graph_service.store import Store
from graph_service.store.base import QueryAnswer, StoreError

#: The smallest number of bytes one row takes in each results format: an answer shorter than
#: limit x this cannot hold too many rows, so most answers are never counted.
_MIN_ROW_BYTES = {"json": 3, "xml": 17, "csv": 2, "tsv": 1}


class QueryTimeout(GraphServiceError):
    """The query ran past the time limit and was stopped."""

    status = 503


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
    """Run a task in this process and check the row limit; raises GraphServiceError."""
    try:
        answer = store.query_serialized(
            task.query,
            result_format=task.result_format,
            graph_format=task.graph_format,
            default_graphs=task.default_graphs,
            named_graphs=task.named_graphs,
            base_iri=task.base_iri,
        )
    except StoreError as exc:  # the client's (400), or the server's (502, 503, 507)
        raise GraphServiceError(str(exc), status=exc.status) from exc
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


def timeout_message(seconds: float) -> str:
    """The error message of a query stopped at the time limit."""
    return f"query exceeded the {seconds:g} s time limit and was stopped"
