"""Where the service serves things: the IRI namespace, the local path and page of an IRI, and
the absolute base URL (GRAPH_SERVICE_PUBLIC_BASE, else the request's own)."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, request

from graph_service.namespaces import BASE


def namespace() -> str:
    """The IRI namespace whose IRIs have local paths here (NAMESPACE, else the vocabulary's)."""
    return str(current_app.config.get("NAMESPACE") or BASE)


def local_part(iri: str) -> str | None:
    """The part of an IRI after the namespace (its path here), or None for other IRIs."""
    space = namespace()
    return iri[len(space) :] if iri.startswith(space) and len(iri) > len(space) else None


def _page_of(iri: str) -> str:
    """The page of an IRI relative to the service root: its local path, else page?uri=."""
    local = local_part(iri)
    # Encoded, so that a path holding "%", "?" or "#" comes back as the same IRI.
    return quote(local) if local is not None else f"page?uri={quote(iri, safe='')}"


def local_path(iri: str) -> str | None:
    """The path at which an IRI of the namespace is served, or None for other IRIs."""
    local = local_part(iri)
    return None if local is None else f"{request.script_root}/{quote(local)}"


def page_path(iri: str) -> str:
    """The path of an IRI's page: its local path for ours, else /page?uri=."""
    return f"{request.script_root}/{_page_of(iri)}"


def service_base() -> str:
    """The absolute base URL of the service, ending with "/" (PUBLIC_BASE, else this host)."""
    base = current_app.config.get("PUBLIC_BASE") or (
        request.host_url + request.script_root.lstrip("/")
    )
    return str(base).rstrip("/") + "/"


def absolute_url(path: str) -> str:
    """The absolute URL of a path of the service ("/sparql", "store/x": from its root)."""
    return service_base() + path.lstrip("/")


def page_url(iri: str) -> str:
    """The absolute URL of an IRI's page (for JSON-LD "url", oEmbed and the cards)."""
    return service_base() + _page_of(iri)


def page_target(iri: str) -> tuple[str, str]:
    """The path (from the service's root) and query string of an IRI's page, as a request for
    it carries them (an app context is enough: no request needed)."""
    path, _, query = _page_of(iri).partition("?")
    return f"/{path}", query
