"""Concept cards for other sites: the card page, oEmbed, the summary JSON and /embed.js."""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urlencode
from xml.sax.saxutils import escape as xml_escape

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import escape

from graph_service.config import PACKAGE_DIR
from graph_service.model.cards import (
    Card,
    build_card,
    card_of,
    find_by_label,
    frame_size,
    summary_of,
)
from graph_service.model.concept import Concept
from graph_service.web.backend import get_store
from graph_service.web.cards.urls import (
    DEFAULT_LANG,
    card_url,
    iframe_html,
    namespace,
    oembed_url,
    page_url,
    resolve_url,
    service_base,
)

bp = Blueprint("cards", __name__)

PROVIDER_NAME = "Vocabulaire de la politique de la ville"
#: Freshness of cards, summaries and oEmbed answers: they follow the data, validated by ETag.
CARD_MAX_AGE = 300
#: How long an oEmbed consumer may keep the embed HTML (it only names the card's URL).
OEMBED_CACHE_AGE = 86400
SCRIPT_MAX_AGE = 3600
SCRIPT = PACKAGE_DIR / "static" / "embed.js"
THEMES = ("auto", "light", "dark")
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>'
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
#: The card may be framed by any site, but loads nothing itself.
CARD_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors *"
)
UI_TEXT = {
    "fr": {
        "more": "Voir la fiche complète",
        "broader": "Générique\u00a0:",
        "related": "Associés\u00a0:",
        "none": "Pas de définition.",
        "deprecated": "Concept obsolète",
        "unknown": "Concept inconnu",
        "unknown_text": "Ce concept n’est pas dans le vocabulaire.",
        "bad": "Requête invalide",
    },
    "en": {
        "more": "See the full page",
        "broader": "Broader:",
        "related": "Related:",
        "none": "No definition.",
        "deprecated": "Deprecated concept",
        "unknown": "Unknown concept",
        "unknown_text": "This concept is not in the vocabulary.",
        "bad": "Bad request",
    },
}


class BadInput(ValueError):
    """A parameter this blueprint cannot use; answered with a 400 in the route's own format."""


# --- parameters and headers -----------------------------------------------------------------


def _lang(default: str | None = DEFAULT_LANG) -> str | None:
    value = (request.args.get("lang") or "").strip()
    if not value:
        return default
    if not _LANG.match(value):
        raise BadInput(f"lang must be a language tag such as fr or en, not {value!r}")
    return value.lower()


def _ui(lang: str | None) -> dict[str, str]:
    return UI_TEXT["fr" if (lang or DEFAULT_LANG).startswith("fr") else "en"]


def _cached(response: Response, max_age: int = CARD_MAX_AGE) -> Response:
    """ETag and Last-Modified from the data version, our Cache-Control, and 304 on a match."""
    from graph_service.web.caching import etag_for, last_modified

    store = get_store()
    response.set_etag(etag_for(store), weak=True)
    response.last_modified = last_modified(store)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    if not current_app.config.get("PUBLIC_BASE"):
        response.vary.add("Host")  # its absolute links name the host the request came to
    return response.make_conditional(request)


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _json_error(status: int, message: str) -> Response:
    body = json.dumps({"error": status, "message": message}, ensure_ascii=False)
    return _cors(Response(body, status, content_type="application/json; charset=utf-8"))


# --- card page ------------------------------------------------------------------------------


def _card_response(
    card: Card | None, lang: str, theme: str, status: int = 200, **extra: str
) -> Response:
    body = render_template(
        "card.html",
        card=card,
        lang=lang,
        ui_lang="fr" if lang.startswith("fr") else "en",
        t=_ui(lang),
        theme=theme,
        page_url=page_url(card.iri, lang) if card else service_base(),
        page_for=page_url,
        **extra,
    )
    response = Response(body, status, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = CARD_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return _cached(response) if status == 200 else response


@bp.get("/card", defaults={"local": None})
@bp.get("/card/<path:local>")
def card(local: str | None) -> ResponseReturnValue:
    """A compact card of one concept, meant to be framed by other sites."""
    theme = request.args.get("theme") or "auto"
    try:
        lang = _lang() or DEFAULT_LANG
        if theme not in THEMES:
            raise BadInput(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
        iri = namespace() + local if local else (request.args.get("uri") or "").strip()
        if not iri:
            raise BadInput("give a concept: /card/<path> or /card?uri=<IRI>")
    except BadInput as exc:
        theme = theme if theme in THEMES else "auto"
        return _card_response(None, DEFAULT_LANG, theme, 400, message=str(exc))
    found = build_card(get_store(), iri, lang)
    if found is None:
        return _card_response(None, lang, theme, 404, missing=iri)
    return _card_response(found, lang, theme)


# --- summary JSON ---------------------------------------------------------------------------


def _summary(iri: str | None, label: str | None) -> Response:
    try:
        lang = _lang(None)
    except BadInput as exc:
        return _json_error(400, str(exc))
    store = get_store()
    if not iri and label:
        found = find_by_label(store, label, lang)
        if found is None:
            return _json_error(404, f"no concept has the label {label!r}")
        iri, matched_lang = found
        lang = lang or matched_lang
    if not iri:
        return _json_error(400, "give a concept: uri=<IRI> or label=<text>")
    result = build_card(store, iri, lang or DEFAULT_LANG)
    if result is None:
        return _json_error(404, f"no concept <{iri}> in the vocabulary")
    body = summary_of(result, page_url(iri, lang), card_url(iri, lang))
    response = Response(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    return _cached(_cors(response))


@bp.get("/api/summary")
def summary() -> ResponseReturnValue:
    """A concept's label, short definition and links, by IRI (uri=) or by label (label=)."""
    iri = (request.args.get("uri") or "").strip()
    return _summary(iri or None, request.args.get("label"))


@bp.get("/summary/<path:local>")
def summary_by_path(local: str) -> ResponseReturnValue:
    """The summary of a concept of the namespace, by its local path."""
    return _summary(namespace() + local, None)


# --- oEmbed ---------------------------------------------------------------------------------


def _dimension(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise BadInput(f"{name} must be a positive whole number of pixels, not {raw!r}")
    return int(raw)


def _text_error(status: int, message: str) -> Response:
    return _cors(Response(message + "\n", status, content_type="text/plain; charset=utf-8"))


@bp.get("/oembed")
def oembed() -> ResponseReturnValue:
    """oEmbed 1.0 for concept pages: a "rich" answer whose HTML frames the concept's card."""
    fmt = (request.args.get("format") or "json").strip().lower()
    if fmt not in {"json", "xml"}:
        return _text_error(501, f"format {fmt!r} is not implemented; use json or xml")
    url = (request.args.get("url") or "").strip()
    if not url:
        return _text_error(400, "url parameter missing: the URL of a concept page")
    try:
        maxwidth, maxheight = _dimension("maxwidth"), _dimension("maxheight")
    except BadInput as exc:
        return _text_error(400, str(exc))
    target = resolve_url(url)
    lang = target[1] if target and target[1] and _LANG.match(target[1]) else DEFAULT_LANG
    found = build_card(get_store(), target[0], lang.lower()) if target else None
    if found is None:
        return _text_error(404, f"no concept page of this service at {url}")
    width, height = frame_size(found, maxwidth, maxheight)
    answer: dict[str, object] = {
        "type": "rich",
        "version": "1.0",
        "title": found.label,
        "provider_name": PROVIDER_NAME,
        "provider_url": service_base(),
        "cache_age": OEMBED_CACHE_AGE,
        "html": iframe_html(found, width, height),
        "width": width,
        "height": height,
    }
    if fmt == "json":
        body, media_type = json.dumps(answer, ensure_ascii=False), "application/json"
    else:
        fields = "".join(f"<{k}>{xml_escape(str(v))}</{k}>" for k, v in answer.items())
        body = f"{XML_DECLARATION}\n<oembed>{fields}</oembed>\n"
        media_type = "text/xml"
    response = Response(body, content_type=f"{media_type}; charset=utf-8")
    return _cached(_cors(response))


# --- /embed.js ------------------------------------------------------------------------------


@bp.get("/embed.js")
def embed_script() -> ResponseReturnValue:
    """The hover-card and <concept-card> script, loadable from any site."""
    source = SCRIPT.read_bytes()
    response = Response(source, content_type="text/javascript; charset=utf-8")
    response.set_etag(hashlib.blake2b(source, digest_size=12).hexdigest())
    response.headers["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE}"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return _cors(response).make_conditional(request)


# --- template helpers for the concept page's partials -----------------------------------------


@bp.app_template_global("concept_embed")
def concept_embed(concept: Concept, lang: str | None = None) -> dict[str, object]:
    """URLs and copy-paste snippets to embed a concept elsewhere (the "Embed" panel)."""
    lang = lang or DEFAULT_LANG
    shown = card_of(concept, lang)
    width, height = frame_size(shown, None, None)
    script = service_base() + "embed.js"
    term_lang = f' data-lang="{escape(lang)}"' if lang != DEFAULT_LANG else ""
    return {
        "page": page_url(concept.iri, lang),
        "card": card_url(concept.iri, lang),
        "oembed_json": oembed_url(concept.iri, lang, "json"),
        "oembed_xml": oembed_url(concept.iri, lang, "xml"),
        "summary": service_base() + "api/summary?" + urlencode({"uri": concept.iri, "lang": lang}),
        "script_url": script,
        "iframe": iframe_html(shown, width, height),
        "script": (
            f'<script src="{escape(script)}" defer></script>\n'
            f'<span data-concept="{escape(concept.iri)}"{term_lang}>{escape(shown.label)}</span>\n'
            f'<concept-card concept="{escape(concept.iri)}" lang="{escape(lang)}"></concept-card>'
        ),
        "label": shown.label,
    }
