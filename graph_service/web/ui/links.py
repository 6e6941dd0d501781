"""Language choices, links and query parameters of the browsing pages (request helpers).

The interface language (`lang`, French by default) and the content language (`clang`, the
language labels are shown in, with fallbacks) come from the query string only, and every link
of the pages carries them on: the answers are cached by URL (web/caching.py), so a cookie must
not change what a URL shows.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from flask import g, has_request_context, request

from graph_service.namespaces import vocab_id_of
from graph_service.web import i18n
from graph_service.web.conneg import RDF_TYPES
from graph_service.web.params import language_tag
from graph_service.web.paths import local_path, page_path

UI_LANGUAGES = i18n.LANGUAGES
#: Content languages offered in the selector (any other valid tag is accepted from the URL).
CONTENT_LANGUAGES = ("fr", "en")
#: The last page number of a paged list (a larger ?page= shows that one).
MAX_PAGE = 100_000
_SAFE_SCHEME = re.compile(r"^(https?|ftp)://[^\s]+$|^mailto:[^\s]+$", re.IGNORECASE)


def ui_language() -> str:
    """The interface language: ?lang= if supported, else French."""
    if not has_request_context():
        return i18n.DEFAULT
    lang = request.args.get("lang", i18n.DEFAULT)
    return lang if lang in UI_LANGUAGES else i18n.DEFAULT


def explicit_content_language() -> str | None:
    """The content language asked with ?clang=, if it is a well-formed language tag."""
    if not has_request_context():
        return None
    return language_tag(request.args.get("clang"))


def content_language() -> str:
    """The language labels are shown in: ?clang=, else the interface language."""
    if not has_request_context():
        return i18n.DEFAULT
    if "ui_clang" not in g:  # asked for by every label of a page
        g.ui_clang = explicit_content_language() or ui_language()
    return str(g.ui_clang)


def carried_params() -> dict[str, str]:
    """The language parameters every link of a page carries on (only when not the default)."""
    if "ui_carried" in g:
        return dict(g.ui_carried)
    params = {}
    if ui_language() != i18n.DEFAULT:
        params["lang"] = ui_language()
    explicit = explicit_content_language()
    if explicit and explicit != ui_language():
        params["clang"] = explicit
    g.ui_carried = params  # asked for by every link of a page
    return dict(params)


def with_params(url: str, **params: object) -> str:
    """`url` with the carried language parameters and `params` (None drops one) appended."""
    merged: dict[str, object] = {**carried_params(), **params}
    pairs = [(k, v) for k, v in merged.items() if v is not None and v != ""]
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(pairs, doseq=True)


def here(**changes: object) -> str:
    """The current page's URL with some query parameters changed (None removes one)."""
    args: dict[str, object] = {k: request.args.getlist(k) for k in request.args}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    pairs = [(k, v) for k, v in args.items() if v not in (None, "", [])]
    query = urlencode(pairs, doseq=True)
    return request.script_root + request.path + (f"?{query}" if query else "")


def page_href(iri: str) -> str:
    """The page of an IRI described in the store: its own path, else /page?uri=, with languages."""
    return with_params(page_path(iri))


def vocab_href(vocab_id: str, scheme_iri: str) -> str:
    """The page of a vocabulary: the scheme IRI's path for ours, else /vocab/<id>."""
    path = local_path(scheme_iri) or f"{request.script_root}/vocab/{quote(vocab_id, safe='')}"
    return with_params(path)


def language_switch() -> list[dict[str, object]]:
    """Links to this page in each interface language."""
    current = ui_language()
    links = []
    for code in UI_LANGUAGES:
        url = here(lang=None if code == i18n.DEFAULT else code)
        links.append({"code": code, "name": i18n.LANGUAGE_NAMES[code], "url": url,
                      "current": code == current})  # fmt: skip
    return links


def scheme_href(scheme_iri: str) -> str:
    """The page of a scheme by its IRI."""
    return vocab_href(vocab_id_of(scheme_iri), scheme_iri)


def safe_href(iri: str) -> str | None:
    """An external IRI fit for href (http, https, ftp, mailto), else None: an IRI in the data
    such as javascript:... is shown as text, never made a link."""
    return iri if _SAFE_SCHEME.match(iri or "") else None


#: The RDF serialisations linked from every page (graph formats: a page is one graph).
DATA_FORMATS = ("turtle", "jsonld", "rdfxml", "ntriples")


def data_links(iri: str) -> list[tuple[str, str, str]]:
    """(label, media type, link) of each RDF serialisation of an IRI's description."""
    path = local_path(iri)
    page = page_path(iri)
    links = []
    for entry in RDF_TYPES:
        if entry.name in DATA_FORMATS:
            href = f"{path}.{entry.extension}" if path else f"{page}&format={entry.extension}"
            links.append((entry.label, entry.media_type, href))
    return links


#: Names of content languages in their own language, beyond the interface's (web/i18n.py).
MORE_LANGUAGE_NAMES = {"ar": "العربية", "ru": "Русский", "zh": "中文", "fi": "Suomi",
                       "sv": "Svenska", "pl": "Polski", "he": "עברית", "fa": "فارسی",
                       "ja": "日本語", "el": "Ελληνικά", "ca": "Català", "eu": "Euskara",
                       "br": "Brezhoneg", "oc": "Occitan"}  # fmt: skip
#: Languages written right to left (primary subtags).
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"})


def language_name(code: str) -> str:
    """A language's own name ("Français", "العربية"), else its code."""
    if not code:
        return i18n.language_name(code)
    primary = code.lower().split("-", 1)[0]
    return MORE_LANGUAGE_NAMES.get(primary) or i18n.language_name(code)


def text_direction(code: str | None) -> str:
    """ "rtl" for a language written right to left, else "ltr"."""
    primary = (code or "").lower().split("-", 1)[0]
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


def offered_content_languages(languages: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The content languages the selector offers on a page: French and English, the languages
    of the page's vocabulary, and the one asked for with ?clang= (so that it shows selected)."""
    offered = list(CONTENT_LANGUAGES)
    for code in (*languages, content_language()):
        if code and code not in offered:
            offered.append(code)
    return tuple(offered)
