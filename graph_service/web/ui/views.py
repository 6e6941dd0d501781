"""HTML pages for people: the blueprint, its template helpers, the home and vocabulary list.

The other pages add their routes to this blueprint (web/ui/scheme.py, web/ui/search.py); the
pages of dereferenced IRIs are rendered by web/ui/pages.py for web/linked_data. Languages and
links: web/ui/links.py.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from flask import Blueprint, current_app, has_request_context, render_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from graph_service.curate.imports import learn_imported_vocab_ids
from graph_service.model.base import Label, Ref
from graph_service.model.schemes import schemes
from graph_service.model.vocab import licence_of
from graph_service.namespaces import SKOS_NS, XSD_NS, curie
from graph_service.store import Store
from graph_service.store.base import StoreError
from graph_service.store.build import BuildError
from graph_service.web import i18n
from graph_service.web.backend import get_store
from graph_service.web.paths import local_path
from graph_service.web.ui import text as ui_text
from graph_service.web.ui.links import (
    carried_params,
    content_language,
    here,
    language_name,
    language_switch,
    offered_content_languages,
    page_href,
    safe_href,
    scheme_href,
    text_direction,
    ui_language,
    vocab_href,
    with_params,
)

__all__ = ["bp", "content_language", "ui_language"]

bp = Blueprint("ui", __name__)
#: The data version of each store whose imports' vocabulary ids were last learned.
_ids_learned: weakref.WeakKeyDictionary[Store, str] = weakref.WeakKeyDictionary()


@bp.before_app_request
def _learn_vocabulary_ids() -> None:
    """Before a request on new data: the ids imports gave their schemes ("unesco-thesaurus"),
    so that pages, REST, dumps, VoID and search facets all say the same id."""
    try:
        store = get_store()
        version = store.version
        if _ids_learned.get(store) != version:
            learn_imported_vocab_ids(store)
            _ids_learned[store] = version
    except (BuildError, StoreError):
        return  # nothing built, or the store is down: the request's own handling says so


def lang_attr(lang: str) -> Markup:
    """` lang="xx"` for an element showing text in `lang`, with `data-fallback` when that is not
    the content language asked for (a template helper; the values are escaped here)."""
    if not lang:
        return Markup("")
    attributes = Markup(f' lang="{escape(lang)}"') + dir_attr(lang)
    if lang != content_language():
        attributes += Markup(f' data-fallback="{escape(lang)}"')
    return attributes


def dir_attr(lang: str | None) -> Markup:
    """` dir="rtl"` for text in a language written right to left (Arabic...), else nothing."""
    return Markup(' dir="rtl"') if text_direction(lang) == "rtl" else Markup("")


def site_name(lang: str) -> str:
    """The site's name as configured (SITE_NAME, SITE_NAME_EN for the English interface)."""
    config = current_app.config
    name = str(config.get("SITE_NAME") or "Glossaire de la politique de la ville")
    if lang == "en":
        return str(config.get("SITE_NAME_EN") or name)
    return name


def ref_link(ref: Ref) -> Markup:
    """A link to the page of a labelled IRI, with its notation (label and notation escaped)."""
    html = f'<a href="{escape(page_href(ref.iri))}"{lang_attr(ref.lang)}>{escape(ref.label)}</a>'
    if ref.notation:
        html += f' <span class="notation">{escape(ref.notation)}</span>'
    return Markup(html)


@bp.app_template_filter("content_first")
def content_first(labels: Iterable[Label]) -> list[Label]:
    """Labels or notes with those in the content language first (then as they were)."""
    wanted = content_language()
    return sorted(labels, key=lambda label: label.lang != wanted)


#: Datatypes whose values the pages write out as dates ("31 mai 2023") or numbers ("238 246").
DATE_TYPES = frozenset(
    XSD_NS + t for t in ("date", "dateTime", "dateTimeStamp", "gYearMonth", "gYear")
)
NUMBER_TYPES = frozenset(
    XSD_NS + t
    for t in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long", "short",
              "unsignedInt", "unsignedLong")
)  # fmt: skip


def translate_or(key: str, fallback: str, lang: str, /, **values: object) -> str:
    """The interface string `key`, or `fallback`'s when the catalogue has no `key` (wording
    that depends on the data: "3 924 territoires" where other schemes say "concepts")."""
    chosen = key if key in i18n.CATALOGUE else fallback
    return i18n.translate(chosen, lang, **values)


def value_label(predicate: str, value: str, lang: str) -> str:
    """A coded value in words ("METRO" of pdvo:epciType: "Métropole"), else the value."""
    key = f"value.{curie(predicate)}.{value}"
    return i18n.translate(key, lang) if key in i18n.CATALOGUE else value


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    """Helpers for every template (the base layout uses them on every page, error pages too)."""
    if not has_request_context():
        return {}
    ui = ui_language()
    return {
        "ui_lang": ui,
        "clang": content_language(),
        "content_languages": offered_content_languages(),
        "site_name": site_name(ui),
        "site_logo": str(current_app.config.get("SITE_LOGO") or ""),
        "dir_attr": dir_attr,
        "text_direction": text_direction,
        "_": lambda key, /, **values: i18n.translate(key, ui, **values),
        "_or": lambda key, fallback, /, **values: translate_or(key, fallback, ui, **values),
        "value_label": lambda predicate, value: value_label(predicate, value, ui),
        "date_types": DATE_TYPES,
        "number_types": NUMBER_TYPES,
        "link": with_params,
        "here": here,
        "carried": carried_params,
        "page_href": page_href,
        "lang_attr": lang_attr,
        "ref_link": ref_link,
        "vocab_href": vocab_href,
        "scheme_href": scheme_href,
        "is_local": lambda iri: local_path(iri) is not None,
        "safe_href": safe_href,
        "language_switch": language_switch,
        "language_name": language_name,
        "number": ui_text.number,
        "human_size": ui_text.human_size,
        "format_date": ui_text.format_date,
        "iso_date": ui_text.iso_date,
        "highlight": ui_text.highlight,
        "skos_concept": SKOS_NS + "Concept",  # the class pages need not name, being the default
    }


@bp.get("/")
def home() -> ResponseReturnValue:
    """What the service is: schemes with counts, search, recent changes and resources."""
    from graph_service.model.browse import latest_resources, recent_concepts

    store = get_store()
    lang = ui_language()
    clang = content_language()
    return render_template(
        "home.html",
        schemes=schemes(store, clang),
        recent=recent_concepts(store, clang),
        resources=latest_resources(store, clang),
        lang=lang,
        licence=licence_of(store, None, clang),
    )


@bp.get("/vocab")
def vocabularies() -> ResponseReturnValue:
    """Every vocabulary of the service with its concept count."""
    store = get_store()
    clang = content_language()
    return render_template(
        "ui/vocabularies.html",
        schemes=schemes(store, clang),
        lang=ui_language(),
        licence=licence_of(store, None, clang),
    )


# Templates show prefixed names (skos:prefLabel) wherever a known prefix fits.
bp.add_app_template_filter(curie, "curie")
