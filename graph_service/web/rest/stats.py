"""REST endpoints that count and list a whole vocabulary: statistics and harvesting."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from graph_service.model.stats import label_statistics as count_labels
from graph_service.model.stats import list_concepts, statistics
from graph_service.namespaces import DCT_NS, ONKI_NS, RDFS_NS, SKOS_NS, VOID_EXT_NS, VOID_NS
from graph_service.web.backend import get_store
from graph_service.web.params import int_arg, lang_arg
from graph_service.web.rest.base import bp, next_page, reply, vocab_or_404
from graph_service.web.rest.vocab import _info

LANGUAGE_NAMES = {
    "fr": {"fr": "français", "en": "anglais", "es": "espagnol", "de": "allemand"},
    "en": {"fr": "French", "en": "English", "es": "Spanish", "de": "German"},
}


@bp.get("/<vocid>/vocabularyStatistics")
def vocabulary_statistics(vocid: str) -> ResponseReturnValue:
    """Numbers of concepts, collections and of each other class (VoID terms)."""
    info = _info(vocid)
    counts = statistics(get_store(), vocid, lang_arg()) or []
    by_class = {c.iri: c for c in counts}
    concept = by_class.get(SKOS_NS + "Concept")
    data: dict = {
        "uri": "",
        "id": vocid,
        "title": info.title,
        "concepts": {
            "class": SKOS_NS + "Concept",
            "label": concept.label if concept else "Concept",
            "count": concept.count if concept else 0,
            "deprecatedCount": concept.deprecated_count if concept else 0,
        },
        "subTypes": [
            {
                "type": c.iri,
                "label": c.label,
                "count": c.count,
                "deprecatedCount": c.deprecated_count,
            }
            for c in counts
            if c.iri not in {SKOS_NS + "Concept", SKOS_NS + "Collection"}
        ],
    }
    collection = by_class.get(SKOS_NS + "Collection")
    if collection:
        data["conceptGroups"] = {
            "class": collection.iri,
            "label": collection.label,
            "count": collection.count,
            "deprecatedCount": collection.deprecated_count,
        }
    context = {
        "rdfs": RDFS_NS,
        "void": VOID_NS,
        "onki": ONKI_NS,
        "id": "onki:vocabularyIdentifier",
        "concepts": "void:classPartition",
        "label": "rdfs:label",
        "class": {"@id": "void:class", "@type": "@id"},
        "subTypes": {"@id": "void:class", "@type": "@id"},
        "count": "void:entities",
        "@language": lang_arg(),
        "@base": f"{request.url_root}rest/v1/{vocid}/",
    }
    return reply(data, context)


@bp.get("/<vocid>/labelStatistics")
def label_statistics(vocid: str) -> ResponseReturnValue:
    """Numbers of preferred, alternative and hidden labels per language."""
    info = _info(vocid)
    lang = lang_arg()
    languages = []
    for count in count_labels(get_store(), vocid) or []:
        entry: dict = {"language": count.lang}
        if lang:
            entry["literal"] = LANGUAGE_NAMES.get(lang, {}).get(count.lang, count.lang)
        entry["properties"] = [
            {"property": "skos:prefLabel", "labels": count.pref},
            {"property": "skos:altLabel", "labels": count.alt},
            {"property": "skos:hiddenLabel", "labels": count.hidden},
        ]
        languages.append(entry)
    context: dict[str, object] = {
        "rdfs": RDFS_NS,
        "void": VOID_NS,
        "void-ext": VOID_EXT_NS,
        "onki": ONKI_NS,
        "id": "onki:vocabularyIdentifier",
        "languages": "void-ext:languagePartition",
        "language": "void-ext:language",
        "properties": "void:propertyPartition",
        "labels": "void:triples",
        "@base": f"{request.url_root}rest/v1/{vocid}/",
    }
    if lang:
        context["literal"] = {"@id": "rdfs:label", "@language": lang}
    return reply({"uri": "", "id": vocid, "title": info.title, "languages": languages}, context)


@bp.get("/<vocid>/concepts")
def concepts(vocid: str) -> ResponseReturnValue:
    """Every concept of the vocabulary, page by page (IRI order), for harvesting."""
    vocab_or_404(vocid)
    limit = int_arg("limit", 100, minimum=1, maximum=1000)
    offset = int_arg("offset", 0)
    page = list_concepts(get_store(), vocid, limit=limit, offset=offset)
    assert page is not None
    items = []
    for item in page.items:
        entry: dict = {"uri": item.iri, "prefLabel": item.pref_labels}
        if item.modified:
            entry["modified"] = item.modified
        items.append(entry)
    data: dict = {"uri": "", "total": page.total, "offset": offset, "limit": limit}
    following = next_page(offset, limit, page.total)
    if following:
        data["next"] = following
    data["concepts"] = items
    context = {
        "dct": DCT_NS,
        "prefLabel": {"@id": "skos:prefLabel", "@container": "@language"},
        "modified": "dct:modified",
        "concepts": {"@reverse": "skos:inScheme"},
    }
    return reply(data, context)
