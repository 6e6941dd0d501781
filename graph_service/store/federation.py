"""What queries and updates may fetch: SERVICE only to allowed endpoints, LOAD never.

The engine fetches whatever a SERVICE or LOAD names, from the server's own network: left open,
anyone could make it scan loopback and private addresses and read their answers back. So
federation is off unless the operator lists endpoints (GRAPH_SERVICE_FEDERATION_ALLOW), and
then only to those, checked before the text reaches the engine (embedded, or a remote store
that would fetch itself). LOAD is refused: imports fetch documents with every safety check.
"""

from __future__ import annotations

from collections.abc import Collection

from graph_service.exceptions import GraphServiceError
from graph_service.store.sparql_text import keyword_targets

SETTING = "GRAPH_SERVICE_FEDERATION_ALLOW"


class FederationRefused(GraphServiceError):
    """A SERVICE or LOAD this service does not run; the message says why and what to do."""

    status = 400


class ServiceFailed(GraphServiceError):
    """An allowed SERVICE endpoint failed; its answer is not passed on (it may hold anything)."""

    status = 502


def allowed_endpoints(setting: str) -> tuple[str, ...]:
    """The endpoint IRIs of the allow-list setting (separated by spaces or commas)."""
    return tuple(dict.fromkeys(part for part in setting.replace(",", " ").split() if part))


def check_services(
    text: str, allowed: Collection[str], base_iri: str | None = None
) -> tuple[str, ...]:
    """The SERVICE endpoints a query or update calls, every one allowed; else FederationRefused."""
    endpoints = keyword_targets(text, "SERVICE", base_iri)
    if not endpoints:
        return ()
    if not allowed:
        raise FederationRefused(
            "federation is disabled on this service: a query or update with SERVICE is "
            f"refused (the operator may allow endpoints with {SETTING})"
        )
    for endpoint in endpoints:
        if endpoint is None:
            raise FederationRefused(
                "SERVICE must name its endpoint with a full IRI <...> (or a declared prefix): "
                "a variable or an escaped IRI cannot be checked against the allowed endpoints"
            )
        if endpoint not in allowed:
            raise FederationRefused(
                f"SERVICE <{endpoint}> is not an allowed endpoint; this service may call "
                + ", ".join(f"<{e}>" for e in sorted(allowed))
            )
    return tuple(dict.fromkeys(e for e in endpoints if e is not None))


def calls_service(text: str, base_iri: str | None = None) -> bool:
    """Whether a query or update has a SERVICE: its answer depends on another server's data,
    which no local write versions (so it is never kept in a cache until the next write)."""
    return bool(keyword_targets(text, "SERVICE", base_iri))


def check_update(
    text: str, allowed: Collection[str], base_iri: str | None = None
) -> tuple[str, ...]:
    """Refuse LOAD, and SERVICE as check_services does; the SERVICE endpoints called."""
    if keyword_targets(text, "LOAD", base_iri):
        raise FederationRefused(
            "LOAD is refused: this service fetches no URL for an update. Import the document "
            "with /curation/import or `graph-service import`, which fetch it safely"
        )
    return check_services(text, allowed, base_iri)


def service_failure(endpoints: Collection[str]) -> ServiceFailed:
    """The error that replaces the engine's when a query with SERVICE fails while running:
    the engine's message may quote the remote endpoint's answer, which is never passed on."""
    names = ", ".join(f"<{e}>" for e in endpoints)
    return ServiceFailed(
        f"the query failed while calling SERVICE {names}: the endpoint did not give a usable "
        "SPARQL answer (its reply is not shown)"
    )
