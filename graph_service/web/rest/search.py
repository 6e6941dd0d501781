"""REST search, lookup and label endpoints (global and per vocabulary), on the search index."""

from __future__ import annotations

from flask import current_app, request
from flask.typing import ResponseReturnValue

from graph_service.exceptions import NotFound
from graph_service.model.concept import concept_details
from graph_service.model.schemes import scheme_for_vocab
from graph_service.model.tree import narrower_closure
from graph_service.model.vocab import members_closure
from graph_service.namespaces import ISOTHES_NS, ONKI_NS, curie, expand
from graph_service.search.index import SearchHit, get_index, ready_index
from graph_service.store.limits import Deadline
from graph_service.text import fold
from graph_service.web.backend import get_store
from graph_service.web.params import BLANKS, BadParameter, int_arg, iri_arg, lang_arg
from graph_service.web.rest.base import bp, reply, vocab_or_404

MAX_HITS = 1000
#: Results when maxhits is not given (Skosmos has no limit: a cap keeps answers small).
DEFAULT_HITS = 100
SEARCH_CONTEXT = {
    "isothes": ISOTHES_NS,
    "onki": ONKI_NS,
    "results": {"@id": "onki:results", "@container": "@list"},
    "prefLabel": "skos:prefLabel",
    "altLabel": "skos:altLabel",
    "hiddenLabel": "skos:hiddenLabel",
}


def hit_json(hit: SearchHit, label_lang: str | None, *, localname: bool = True) -> dict:
    """A search hit as Skosmos lists it (the matched label under its kind's key)."""
    index = get_index(get_store())
    shown = index.pref_label(hit.iri, label_lang) if label_lang else None
    pref, pref_lang = shown or (hit.pref_label, hit.pref_lang)
    item: dict = {"uri": hit.iri, "type": [curie(t) for t in hit.types], "prefLabel": pref}
    item["lang"] = pref_lang
    if hit.matched_kind == "pref" and hit.matched_label != pref:
        item["matchedPrefLabel"] = hit.matched_label
        item["lang"] = hit.matched_lang
    elif hit.matched_kind in {"alt", "hidden"}:
        item[f"{hit.matched_kind}Label"] = hit.matched_label
        item["lang"] = hit.matched_lang
    item["vocab"] = hit.vocab_id
    scheme = scheme_for_vocab(get_store(), hit.vocab_id) if localname else None
    space = scheme.iri.rstrip("/") + "/" if scheme else None
    if space and hit.iri.startswith(space):
        item["localname"] = hit.iri[len(space) :]
    if hit.notation:
        item["notation"] = hit.notation
    return item


def _restriction(parent: str | None, group: str | None) -> set[str] | None:
    """Concepts under `parent` and/or members of `group`, or None when neither is asked."""
    store = get_store()
    allowed: set[str] | None = None
    if parent:
        allowed = set(narrower_closure(store, parent, include_self=False))
    if group:
        members = members_closure(store, group)
        allowed = members if allowed is None else allowed & members
    return allowed


def _extra_fields(item: dict, fields: list[str], lang: str | None) -> None:
    """Skosmos's `fields`: broader/narrower/related as [{uri, prefLabel}], prefLabel by language."""
    concept = concept_details(get_store(), item["uri"], lang)
    if concept is None:
        return
    for field in fields:
        if field in {"broader", "narrower", "related"}:
            item[field] = [{"uri": r.iri, "prefLabel": r.label} for r in getattr(concept, field)]
        elif field == "prefLabel":
            item["prefLabels"] = concept.pref_labels_by_lang
        elif field == "notation" and concept.notation:
            item["notation"] = concept.notation


def search_reply(vocid: str | None) -> ResponseReturnValue:
    """/search and /{vocid}/search: labels matching `query` (with `*` wildcards), under the
    compute time limit (COMPUTE_TIME_LIMIT: past it, 503 with Retry-After)."""
    limit = float(current_app.config.get("COMPUTE_TIME_LIMIT") or 0)
    index, deadline = ready_index(get_store(), Deadline(limit, "this search"))
    with index.under(deadline):
        return _search_reply(vocid)


def _search_reply(vocid: str | None) -> ResponseReturnValue:
    query = (request.args.get("query") or "").strip(BLANKS)
    parent, group = iri_arg("parent", blank=False), iri_arg("group", blank=False)
    if not query:  # as Skosmos; everything under a parent or in a group is query=*
        raise BadParameter("query parameter missing")
    maxhits = int_arg("maxhits", DEFAULT_HITS, minimum=1, maximum=MAX_HITS)
    offset = int_arg("offset", 0)
    lang = lang_arg()
    label_lang = lang_arg("labellang") or lang
    vocabs = [vocid] if vocid else (request.args.get("vocab") or "").split()
    for v in vocabs:
        vocab_or_404(v)
    type_param = (request.args.get("type") or "").replace("+", " ").split()
    type_iris: list[str | None] = [expand(t) for t in type_param] or [None]
    allowed = _restriction(parent, group)
    index = get_index(get_store())
    hits: dict[str, SearchHit] = {}
    if allowed is not None and not query.strip("* "):
        # Everything under a parent or in a group: list them, no need to search.
        for iri in allowed:
            hit = index.concept_hit(iri, lang)
            if hit is None or (vocabs and hit.vocab_id not in vocabs):
                continue
            if type_iris == [None] or set(type_iris) & set(hit.types):
                hits[iri] = hit
        ordered = sorted(hits.values(), key=lambda h: (fold(h.pref_label), h.iri))
    else:
        # Each (vocabulary, type) search gives its best maxhits+offset; merged by score.
        limit = 100_000 if allowed is not None else maxhits + offset
        searched: list[str | None] = [*vocabs] or [None]
        for vocab in searched:
            for type_iri in type_iris:
                found = index.search(
                    query or "*", lang=lang, vocab_id=vocab, type_iri=type_iri, limit=limit
                )
                for hit in found:
                    if (allowed is None or hit.iri in allowed) and hit.iri not in hits:
                        hits[hit.iri] = hit
        several = len(vocabs) > 1 or len(type_iris) > 1
        ordered = sorted(hits.values(), key=lambda h: -h.score) if several else list(hits.values())
    page = ordered[offset : offset + maxhits]
    fields = (request.args.get("fields") or "").split()
    results = []
    for hit in page:
        item = hit_json(hit, label_lang)
        if fields:
            _extra_fields(item, fields, label_lang)
        results.append(item)
    context = dict(SEARCH_CONTEXT)
    if label_lang:
        context["@language"] = label_lang
    return reply({"uri": "", "results": results}, context)


@bp.get("/search")
def global_search() -> ResponseReturnValue:
    """Search all vocabularies (or those listed in `vocab`, space separated)."""
    return search_reply(None)


@bp.get("/<vocid>/search")
def vocab_search(vocid: str) -> ResponseReturnValue:
    """Search one vocabulary."""
    vocab_or_404(vocid)
    return search_reply(vocid)


@bp.get("/<vocid>/lookup")
def lookup(vocid: str) -> ResponseReturnValue:
    """Concepts with exactly this label (Skosmos's order of preference); the key is `result`."""
    vocab_or_404(vocid)
    label = (request.args.get("label") or "").strip(BLANKS)
    if not label:
        raise BadParameter("label parameter missing")
    lang = lang_arg()
    hits = get_index(get_store()).lookup(label, lang=lang, vocab_id=vocid)
    if not hits:
        raise NotFound(f"Could not find label '{label}'")
    context = {
        "onki": ONKI_NS,
        "results": {"@id": "onki:results"},
        "prefLabel": "skos:prefLabel",
        "altLabel": "skos:altLabel",
        "hiddenLabel": "skos:hiddenLabel",
    }
    if lang:
        context["@language"] = lang
    return reply({"result": [hit_json(h, lang or h.matched_lang) for h in hits]}, context)


def label_reply(vocid: str | None) -> ResponseReturnValue:
    """/label: the preferred label of a concept in `lang` and its alternative and hidden ones."""
    uri = iri_arg("uri", required=True)
    assert uri is not None
    if vocid:
        vocab_or_404(vocid)
    lang = lang_arg()
    concept = concept_details(get_store(), uri, lang)
    if concept is None:
        raise NotFound(f"Could not find concept <{uri}>")
    data: dict = {"uri": uri}
    wanted = lang or concept.pref_lang
    labels = concept.pref_labels_by_lang
    data["prefLabel"] = labels.get(wanted, concept.pref_label)
    for key, values in (("altLabel", concept.alt_labels), ("hiddenLabel", concept.hidden_labels)):
        chosen = [v.value for v in values if v.lang == wanted]
        if chosen:
            data[key] = chosen
    context = {
        "prefLabel": "skos:prefLabel",
        "altLabel": "skos:altLabel",
        "hiddenLabel": "skos:hiddenLabel",
        "@language": wanted,
    }
    return reply(data, context)


@bp.get("/label")
def global_label() -> ResponseReturnValue:
    """Labels of a concept of any vocabulary."""
    return label_reply(None)


@bp.get("/<vocid>/label")
def vocab_label(vocid: str) -> ResponseReturnValue:
    """Labels of a concept of one vocabulary."""
    return label_reply(vocid)
