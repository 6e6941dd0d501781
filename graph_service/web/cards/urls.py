"""URLs of the concept cards: where a concept's page, card and oEmbed live, and back again."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from flask import request
from markupsafe import escape

from graph_service.model.cards import Card
from graph_service.web import paths
from graph_service.web.paths import local_part, namespace, service_base

DEFAULT_LANG = "fr"


def _with_query(url: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{url}{'&' if '?' in url else '?'}{query}" if query else url


def page_url(iri: str, lang: str | None = None) -> str:
    """The absolute URL of a concept's full page (?lang= only when not the default)."""
    return _with_query(paths.page_url(iri), lang=lang if lang != DEFAULT_LANG else None)


def card_url(iri: str, lang: str | None = None, theme: str | None = None) -> str:
    """The absolute URL of a concept's card."""
    local = local_part(iri)
    url = service_base() + (f"card/{quote(local)}" if local else f"card?uri={quote(iri, safe='')}")
    return _with_query(url, lang=lang, theme=theme if theme != "auto" else None)


def oembed_url(iri: str, lang: str | None, fmt: str = "json") -> str:
    """The oEmbed URL of a concept's page."""
    return service_base() + "oembed?" + urlencode({"url": page_url(iri, lang), "format": fmt})


def resolve_url(url: str) -> tuple[str, str | None] | None:
    """(IRI, lang) named by a URL of this service (page, /page?uri=, card) or by the IRI itself."""
    parts = urlsplit(url.strip())
    query = parse_qs(parts.query)
    lang = query["lang"][0] if query.get("lang") else None
    path = unquote(parts.path)
    relative = None
    root = request.script_root
    if not parts.netloc and path.startswith("/"):
        relative = path[len(root) :] if path.startswith(root) else None
    else:
        for base in {service_base(), request.host_url + request.script_root.lstrip("/")}:
            own = urlsplit(base)
            prefix = unquote(own.path).rstrip("/") + "/"
            if parts.netloc.lower() == own.netloc.lower() and path.startswith(prefix):
                relative = "/" + path[len(prefix) :]
                break
    if relative is not None:
        relative = relative.lstrip("/")
        if relative in {"page", "card", "api/summary"}:
            uri = (query.get("uri") or [""])[0]
            return (uri, lang) if uri else None
        for prefix in ("card/", "summary/"):
            if relative.startswith(prefix):
                relative = relative[len(prefix) :]
        relative = relative.removesuffix(".html")
        return (namespace() + relative, lang) if relative else None
    bare = url.strip().split("#", 1)[0].split("?", 1)[0]
    if local_part(bare) is not None:
        return bare, lang
    return None


def iframe_html(card: Card, width: int, height: int, theme: str | None = None) -> str:
    """The <iframe> markup of a card (escaped, absolute URL, lazy, no scrolling)."""
    title = f"{card.label} — {card.scheme_title}" if card.scheme_title else card.label
    return (
        f'<iframe src="{escape(card_url(card.iri, card.lang, theme))}" width="{width}" '
        f'height="{height}" title="{escape(title)}" loading="lazy" scrolling="no" '
        f'frameborder="0" style="border:0;max-width:100%"></iframe>'
    )
