"""The search page (/search?q=) with facets and "did you mean", and /api/autocomplete for ui.js.

Facet parameters: `vocab` (vocabulary id), `labellang` (language of the matched label; `lang`
is the interface language), `type` (class IRI); `page` pages through 20 hits at a time.
"""

from __future__ import annotations

import difflib
import re

from flask import jsonify, render_template, request
from flask.typing import ResponseReturnValue

from graph_service.model.browse import facets, labels_for
from graph_service.model.schemes import schemes
from graph_service.search.index import SearchHit, SearchIndex, get_index
from graph_service.text import fold
from graph_service.web.backend import get_store
from graph_service.web.params import int_arg, iri_arg, language_tag
from graph_service.web.ui.links import MAX_PAGE, content_language, page_href, ui_language
from graph_service.web.ui.views import bp

PER_PAGE = 20
#: Hits read for the facet counts; beyond, counts say "at least".
FACET_CAP = 1000
AUTOCOMPLETE_HITS = 10
MAX_QUERY = 200
#: Up to this many concepts, "did you mean" compares the query with every preferred label.
FULL_SCAN_CONCEPTS = 20_000
SUGGEST_CANDIDATES = 300
_TOKENS = re.compile(r"[\w*]+")


def search_query(text: str) -> str:
    """The index query for what people type: words, the last one as a prefix ("democratie
    partic" finds "Démocratie participative"); explicit `*` patterns are kept as they are."""
    tokens = _TOKENS.findall(text)
    if not tokens:
        return ""
    if "*" not in text:
        tokens[-1] += "*"
    return " ".join(tokens)


def did_you_mean(index: SearchIndex, text: str, limit: int = 3) -> list[str]:
    """Preferred labels close to `text` (typos). A small index is compared whole (search's own
    suggest_did_you_mean); a large one only with the labels sharing each word's first three
    letters, found through the index: comparing 100,000 labels costs half a second."""
    if len(index) <= FULL_SCAN_CONCEPTS:
        return index.suggest_did_you_mean(text, limit)
    words = [w for w in fold(text).split() if len(w) >= 3][:4]
    candidates: dict[str, str] = {}
    for query in [" ".join(w[:3] + "*" for w in words), *(w[:3] + "*" for w in words)]:
        for hit in index.search(query, limit=SUGGEST_CANDIDATES) if query else []:
            candidates.setdefault(fold(hit.pref_label), hit.pref_label)
    close = difflib.get_close_matches(fold(text), list(candidates), n=limit, cutoff=0.75)
    return [candidates[c] for c in close]


def _facet_value(name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    return value or None


@bp.get("/search")
def search_page() -> ResponseReturnValue:
    """Concepts whose labels match, ranked, with facets and suggestions for near misses."""
    store = get_store()
    lang, clang = ui_language(), content_language()
    text = (request.args.get("q") or "").strip()[:MAX_QUERY]
    vocab = _facet_value("vocab")
    labellang = language_tag(request.args.get("labellang"))
    type_iri = iri_arg("type")
    page = int_arg("page", 1, minimum=1, maximum=MAX_PAGE)
    index = get_index(store)
    hits: list[SearchHit] = []
    query = search_query(text)
    if query:
        hits = index.search(
            query, lang=labellang, vocab_id=vocab, type_iri=type_iri, limit=FACET_CAP
        )
    shown = hits[(page - 1) * PER_PAGE : page * PER_PAGE]
    suggestions: list[str] = []
    if text and not hits:  # only for queries that found nothing: near misses, typos
        found = {h.pref_label for h in hits}
        suggestions = [s for s in did_you_mean(index, text) if s not in found]
    titles = {s.vocab_id: s for s in schemes(store, clang)}
    return render_template(
        "ui/search.html",
        lang=lang,
        q=text,
        hits=[(h, index.pref_label(h.iri, clang) or (h.pref_label, h.pref_lang)) for h in shown],
        total=len(hits),
        capped=len(hits) >= FACET_CAP,
        page=page,
        pages=max(1, -(-len(hits) // PER_PAGE)),
        facets=facets(hits),
        selected={"vocab": vocab, "labellang": labellang, "type": type_iri},
        vocab_titles=titles,
        # Labels of the classes on show only: listing every class reads every concept.
        classes=labels_for(store, {t for h in hits for t in h.types}, clang),
        suggestions=suggestions,
    )


@bp.get("/api/autocomplete")
def autocomplete() -> ResponseReturnValue:
    """Up to 10 concepts for what is being typed: label in the content language and link."""
    store = get_store()
    clang = content_language()
    text = (request.args.get("q") or "").strip()[:MAX_QUERY]
    vocab = _facet_value("vocab")
    query = search_query(text)
    if not query:
        return jsonify({"query": text, "results": []})
    index = get_index(store)
    results = []
    for hit in index.search(query, vocab_id=vocab, limit=AUTOCOMPLETE_HITS):
        label, label_lang = index.pref_label(hit.iri, clang) or (hit.pref_label, hit.pref_lang)
        item = {"uri": hit.iri, "label": label, "lang": label_lang, "vocab": hit.vocab_id,
                "href": page_href(hit.iri)}  # fmt: skip
        if hit.matched_kind == "alt" and hit.matched_label != label:
            item["matched"] = hit.matched_label
        results.append(item)
    return jsonify({"query": text, "results": results})
