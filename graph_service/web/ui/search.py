"""The search page (/search?q=) with facets and "did you mean", and /api/autocomplete for ui.js.

Facet parameters: `kind` (concept or resource), `vocab` (vocabulary id), `labellang` (language
of the matched label, "-" for untagged labels; `lang` is the interface language), `type`
(class IRI); `page` pages through 20 hits at a time. Both run under the compute time limit
(COMPUTE_TIME_LIMIT): past it, 503 with Retry-After.
"""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from graph_service.model.browse import labels_for
from graph_service.model.place_names import display_labels
from graph_service.model.schemes import schemes
from graph_service.model.search import (
    KINDS,
    UNTAGGED,
    corrections,
    did_you_mean,
    obvious,
    replacements,
    search_query,
    site_search,
)
from graph_service.search.index import SearchIndex, get_index, ready_index
from graph_service.store.limits import Deadline
from graph_service.web.backend import get_store
from graph_service.web.i18n import translate
from graph_service.web.params import int_arg, iri_arg, language_tag
from graph_service.web.ui.links import MAX_PAGE, content_language, page_href, ui_language
from graph_service.web.ui.views import bp

__all__ = ["autocomplete", "did_you_mean", "search_page", "search_query"]

PER_PAGE = 20
AUTOCOMPLETE_HITS = 10
MAX_QUERY = 200


def _facet_value(name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    return value or None


def _deadline() -> Deadline:
    """The time limit of a search (GRAPH_SERVICE_COMPUTE_TIME_LIMIT; 0: none)."""
    return Deadline(float(current_app.config.get("COMPUTE_TIME_LIMIT") or 0), "this search")


@bp.get("/search")
def search_page() -> ResponseReturnValue:
    """Concepts and resources matching, ranked, with facets, old terms and typo corrections."""
    store = get_store()
    lang, clang = ui_language(), content_language()
    text = (request.args.get("q") or "").strip()[:MAX_QUERY]
    kind = _facet_value("kind")
    kind = kind if kind in KINDS else None
    vocab = _facet_value("vocab")
    raw_lang = (request.args.get("labellang") or "").strip()
    labellang = UNTAGGED if raw_lang == UNTAGGED else language_tag(raw_lang)
    type_iri = iri_arg("type")
    page = int_arg("page", 1, minimum=1, maximum=MAX_PAGE)
    found = site_search(store, text, lang=clang, kind=kind, vocab=vocab, labellang=labellang,
                        type_iri=type_iri, deadline=_deadline())  # fmt: skip
    index = get_index(store)
    shown = found.items[(page - 1) * PER_PAGE : page * PER_PAGE]
    prefs = {
        f.iri: index.pref_label(f.iri, clang) or (f.concept.pref_label, f.concept.pref_lang)
        for f in shown
        if f.concept is not None
    }
    # A namesake commune is shown with its département ("Dury (Somme)").
    for iri, label in display_labels(store, prefs, clang).items():
        prefs[iri] = (label, prefs[iri][1])
    titles = {s.vocab_id: s for s in schemes(store, clang)}
    classes = {t for f in shown if f.concept for t in f.concept.types}
    return render_template(
        "ui/search.html",
        lang=lang,
        q=text,
        searched=found.text,
        corrected_from=found.corrected_from,
        items=shown,
        prefs=prefs,
        replacements=found.replacements,
        total=len(found.items),
        capped=found.capped,
        page=page,
        pages=max(1, -(-len(found.items) // PER_PAGE)),
        facets={
            "kind": found.kinds,
            "vocab": found.vocabs,
            "labellang": found.languages,
            "type": found.types,
        },
        selected={"kind": kind, "vocab": vocab, "labellang": labellang, "type": type_iri},
        vocab_titles=titles,
        # Labels of the classes on show only: listing every class reads every concept.
        classes=labels_for(store, classes | {t for t, _ in found.types}, clang),
        suggestions=found.suggestions,
        untagged=UNTAGGED,
    )


@bp.get("/api/autocomplete")
def autocomplete() -> ResponseReturnValue:
    """Up to 10 concepts for what is being typed: the label that matched when it is in another
    language, the vocabulary, old terms leading to their replacement, typo corrections."""
    store = get_store()
    lang, clang = ui_language(), content_language()
    text = (request.args.get("q") or "").strip()[:MAX_QUERY]
    vocab = _facet_value("vocab")
    query = search_query(text)
    if not query:
        return jsonify({"query": text, "results": []})
    index, deadline = ready_index(store, _deadline())
    titles = {s.vocab_id: s.title for s in schemes(store, clang)}
    results: list[dict] = []
    with index.under(deadline):
        hits = index.search(query, vocab_id=vocab, limit=AUTOCOMPLETE_HITS)
        for old in [] if vocab else replacements(index, text, clang):
            if old.new is not None:
                label, label_lang = index.pref_label(old.new.iri, clang) or ("", "")
                before = f"{old.old.label} → {translate('search.replaced_by', lang)} "
                results.append(_item(old.new.iri, label, label_lang, old.new.vocab_id, titles,
                                     kind="replacement", before=before))  # fmt: skip
        for hit in hits:
            label, label_lang = index.pref_label(hit.iri, clang) or (hit.pref_label, hit.pref_lang)
            item = _item(hit.iri, label, label_lang, hit.vocab_id, titles)
            if (
                hit.matched_kind == "pref"
                and label_lang != clang
                and hit.matched_lang != label_lang
            ):
                # No label in the content language: "Außen..." matched a German label of STW,
                # show it rather than the English fallback.
                item["label"], item["lang"] = hit.matched_label, hit.matched_lang
            elif hit.matched_kind in {"pref", "alt"} and hit.matched_label != label:
                item["matched"] = hit.matched_label
            results.append(item)
        if not hits and not results:
            results += _corrections(index, text, vocab, titles, lang, clang)
    unique: dict[str, dict] = {}
    for item in results:  # a replacement may also be found by its own labels: once
        unique.setdefault(item["uri"], item)
    for iri, label in display_labels(store, unique, clang).items():
        unique[iri]["label"] = label  # a namesake commune with its département
    return jsonify({"query": text, "results": list(unique.values())[:AUTOCOMPLETE_HITS]})


def _corrections(
    index: SearchIndex, text: str, vocab: str | None, titles: dict[str, str], lang: str, clang: str
) -> list[dict]:
    """The concepts a typo most likely meant, the obvious one marked."""
    found = corrections(index, text)
    taken = obvious(found)
    items = []
    for _, label in found:
        for hit in index.lookup(label, vocab_id=vocab)[:1]:
            shown, shown_lang = index.pref_label(hit.iri, clang) or (label, hit.pref_lang)
            item = _item(hit.iri, shown, shown_lang, hit.vocab_id, titles, kind="correction",
                         note=translate("search.correction", lang))  # fmt: skip
            item["obvious"] = label == taken
            items.append(item)
    return items


def _item(
    iri: str, label: str, lang: str, vocab_id: str, titles: dict[str, str], **extra: object
) -> dict:
    """One suggestion of the autocomplete (ui.js shows `before`, label, `matched`, `note`)."""
    item: dict = {"uri": iri, "label": label, "lang": lang, "vocab": vocab_id,
                  "vocabTitle": titles.get(vocab_id, vocab_id), "href": page_href(iri),
                  "kind": "concept"}  # fmt: skip
    item.update(extra)
    return item
