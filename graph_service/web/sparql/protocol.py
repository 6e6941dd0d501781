"""The SPARQL protocol's choices as pure functions: answer format, browser or client, query task."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from graph_service.exceptions import GraphServiceError
from graph_service.query.execute import QueryTask
from graph_service.store.federation import allowed_endpoints
from graph_service.store.sparql_text import query_form
from graph_service.web import conneg

HTML = "text/html"
RESULT_MEDIA = [m.media_type for m in conneg.RESULT_TYPES]
GRAPH_MEDIA = [m.media_type for m in conneg.RDF_TYPES]
#: `format=` names that conneg's tables lack (SPARQLWrapper sends json, n3, rdf+xml; "json"
#: means JSON-LD when the answer is a graph).
GRAPH_ALIASES = {"json": "jsonld", "n3": "turtle", "text/n3": "turtle", "rdf+xml": "rdfxml"}
BY_NAME = {m.name: m for m in (*conneg.RESULT_TYPES, *conneg.RDF_TYPES)}
#: Generic media types that hand-written clients send in Accept (fetch, requests, curl -H):
#: each stands for one of our formats and labels the answer, so the client gets the type it
#: asked for. They come after the registered types, so a tie goes to the registered one.
RESULT_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}
GRAPH_ALIASES_BY_MEDIA = {
    "application/json": "jsonld",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
_OFFERS = {
    "results": {
        **{m.media_type: m for m in conneg.RESULT_TYPES},
        **{
            media: replace(BY_NAME[name], media_type=media)
            for media, name in RESULT_ALIASES.items()
        },
    },
    "graph": {
        **{m.media_type: m for m in conneg.RDF_TYPES},
        **{
            media: replace(BY_NAME[name], media_type=media)
            for media, name in GRAPH_ALIASES_BY_MEDIA.items()
        },
    },
}


def answer_kind(text: str) -> str:
    """ "graph" for CONSTRUCT and DESCRIBE, "results" for SELECT and ASK (and unparsable text)."""
    return "graph" if query_form(text) in ("construct", "describe") else "results"


def choose_format(kind: str, fmt: str, accept: str | None) -> conneg.MediaType:
    """The serialisation of a "results" or "graph" answer: `format=` first, else Accept (406)."""
    fmt = fmt.strip().lower()
    if fmt:
        if kind == "results":
            chosen = conneg.result_type(fmt)
        else:
            chosen = conneg.rdf_type(fmt) or BY_NAME.get(GRAPH_ALIASES.get(fmt, ""))
        if chosen is not None:
            return chosen  # an unknown format= falls back to Accept
    offers = _OFFERS[kind]
    media = conneg.negotiate(accept, list(offers))
    if media is None:
        what = "SELECT and ASK" if kind == "results" else "CONSTRUCT and DESCRIBE"
        raise GraphServiceError(
            f"none of the Accept header's types fits: {what} answers come as " + ", ".join(offers),
            status=406,
        )
    return offers[media]


def wants_html(fmt: str, accept: str | None) -> bool:
    """Browsers (text/html preferred to every data format) get a page, never curl or clients."""
    if fmt:
        return False
    data_media = [*_OFFERS["results"], *_OFFERS["graph"]]
    return conneg.negotiate(accept, [*data_media, HTML]) == HTML


def check_length(text: str, limit: int) -> None:
    """413 when a query or update is longer than the endpoint's limit (0: no limit)."""
    if limit and len(text) > limit:
        raise GraphServiceError(
            f"the text is {len(text):,} characters long; this endpoint accepts {limit:,}",
            status=413,
        )


def federation(config: Mapping[str, object]) -> tuple[str, ...]:
    """The SERVICE endpoints an app's queries and updates may call (none unless configured)."""
    return allowed_endpoints(str(config.get("FEDERATION_ALLOW") or ""))


def query_task(
    text: str,
    chosen: conneg.MediaType,
    kind: str,
    *,
    default_graphs: list[str],
    named_graphs: list[str],
    base_iri: str,
    services: tuple[str, ...] = (),
) -> QueryTask:
    """The task for the query runner: the chosen format, the protocol's dataset if any, and the
    SERVICE endpoints it may call."""
    dataset = bool(default_graphs or named_graphs)
    return QueryTask(
        query=text,
        result_format=chosen.name if kind == "results" else "json",
        graph_format=chosen.name if kind == "graph" else "turtle",
        default_graphs=tuple(default_graphs) if dataset else None,
        named_graphs=tuple(named_graphs) if dataset else None,
        base_iri=base_iri,
        services=services,
    )


def answered_format(chosen: conneg.MediaType, task: QueryTask, answer_kind: str, kind: str):
    """The format the answer is in: the engine's kind wins when the form sniffing guessed wrong."""
    if (answer_kind == "graph") != (kind == "graph"):
        return BY_NAME[task.graph_format if answer_kind == "graph" else task.result_format]
    return chosen
