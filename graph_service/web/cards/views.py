"""Concept cards for other sites: the card page, oEmbed, the summary JSON and /embed.js."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import urlencode
from xml.sax.saxutils import escape as xml_escape

from flask import Blueprint, Response, current_app, g, render_template, request
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
from graph_service.web.caching import etag_for, last_modified
from graph_service.web.cards.urls import (
    DEFAULT_LANG,
    card_url,
    iframe_html,
    oembed_url,
    page_url,
    resolve_url,
)
from graph_service.web.cors import allow_any_origin
from graph_service.web.params import BadParameter, int_arg, iri_arg, lang_arg, language_tag
from graph_service.web.paths import namespace, service_base

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
#: The card's one script, inline: in a frame shorter than the card, the definition gets as
#: many lines as the height leaves, ending with an ellipsis (CSS line-clamp); without it, the
#: CSS steps by frame height (card.html) give a close count.
FIT_SCRIPT = """(function () {
  var card = document.querySelector(".card"), def = card && card.querySelector(".def");
  if (!def) return;
  var root = document.documentElement;
  function fit() {
    root.style.setProperty("--lines", "none");
    def.style.display = "none";
    var rest = card.getBoundingClientRect().height;
    def.style.display = "";
    var line = parseFloat(getComputedStyle(def).lineHeight) || 21;
    var room = Math.floor((window.innerHeight - rest - 6) / line);
    var need = Math.round(def.scrollHeight / line);
    root.style.setProperty("--lines", need <= room ? "none" : String(Math.max(1, room)));
  }
  fit();
  window.addEventListener("resize", fit);
})();"""
_FIT_HASH = base64.b64encode(hashlib.sha256(FIT_SCRIPT.encode()).digest()).decode()
#: The card may be framed by any site, but loads nothing itself; its only script is FIT_SCRIPT.
CARD_CSP = (
    f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_FIT_HASH}'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors *"
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


# --- headers -------------------------------------------------------------------------------
# A bad parameter (BadParameter) is answered in each route's own format: a card, JSON or text.


def _ui(lang: str | None) -> dict[str, str]:
    return UI_TEXT["fr" if (lang or DEFAULT_LANG).startswith("fr") else "en"]


def _cached(response: Response, max_age: int = CARD_MAX_AGE) -> Response:
    """ETag and Last-Modified from the data version, our Cache-Control, and 304 on a match."""
    store = get_store()
    response.set_etag(etag_for(store), weak=True)
    response.last_modified = last_modified(store)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    if not current_app.config.get("PUBLIC_BASE"):
        response.vary.add("Host")  # its absolute links name the host the request came to
    response.make_conditional(request)  # turns the response into a 304 in place
    return response


def _json_error(status: int, message: str) -> Response:
    body = json.dumps({"error": status, "message": message}, ensure_ascii=False)
    return allow_any_origin(Response(body, status, content_type="application/json; charset=utf-8"))


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
        fit_script=FIT_SCRIPT,
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
        lang = lang_arg() or DEFAULT_LANG
        if theme not in THEMES:
            raise BadParameter(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
        iri = namespace() + local if local else iri_arg("uri")
        if not iri:
            raise BadParameter("give a concept: /card/<path> or /card?uri=<IRI>")
    except BadParameter as exc:
        theme = theme if theme in THEMES else "auto"
        return _card_response(None, DEFAULT_LANG, theme, 400, message=str(exc))
    found = build_card(get_store(), iri, lang)
    if found is None:
        return _card_response(None, lang, theme, 404, missing=iri)
    return _card_response(found, lang, theme)


# --- summary JSON ---------------------------------------------------------------------------


def _summary(iri: str | None, label: str | None) -> Response:
    try:
        lang = lang_arg()
        iri = iri or iri_arg("uri")
    except BadParameter as exc:
        return _json_error(400, str(exc))
    store = get_store()
    if not iri and label:
        found = find_by_label(store, label, lang, (request.args.get("vocab") or "").strip() or None)
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
    return _cached(allow_any_origin(response))


@bp.get("/api/summary")
def summary() -> ResponseReturnValue:
    """A concept's label, short definition and links, by IRI (uri=) or by label (label=)."""
    return _summary(None, request.args.get("label"))


@bp.get("/summary/<path:local>")
def summary_by_path(local: str) -> ResponseReturnValue:
    """The summary of a concept of the namespace, by its local path."""
    return _summary(namespace() + local, None)


# --- oEmbed ---------------------------------------------------------------------------------


def _text_error(status: int, message: str) -> Response:
    return allow_any_origin(
        Response(message + "\n", status, content_type="text/plain; charset=utf-8")
    )


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
        maxwidth = int_arg("maxwidth", None, minimum=1)
        maxheight = int_arg("maxheight", None, minimum=1)
    except BadParameter as exc:
        return _text_error(400, str(exc))
    target = resolve_url(url)
    lang = (language_tag(target[1]) if target else None) or DEFAULT_LANG
    found = build_card(get_store(), target[0], lang) if target else None
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
    return _cached(allow_any_origin(response))


# --- /embed.js ------------------------------------------------------------------------------


@bp.get("/embed.js")
def embed_script() -> ResponseReturnValue:
    """The hover-card and <concept-card> script, loadable from any site."""
    source = SCRIPT.read_bytes()
    response = Response(source, content_type="text/javascript; charset=utf-8")
    response.set_etag(hashlib.blake2b(source, digest_size=12).hexdigest())
    response.headers["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE}"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return allow_any_origin(response).make_conditional(request)


# --- template helpers for the concept page's partials -----------------------------------------


@bp.app_template_global("concept_embed")
def concept_embed(concept: Concept, lang: str | None = None) -> dict[str, object]:
    """URLs and copy-paste snippets to embed a concept elsewhere (the "Embed" panel)."""
    lang = lang or DEFAULT_LANG
    # The page's head (oEmbed links) and its panel both ask: made once per request.
    made: dict[tuple[str, str], dict[str, object]] = g.setdefault("concept_embeds", {})
    key = (concept.iri, lang)
    if key not in made:
        made[key] = _embed(concept, lang)
    return made[key]


def _embed(concept: Concept, lang: str) -> dict[str, object]:
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
