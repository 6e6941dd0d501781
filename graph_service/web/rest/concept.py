"""REST endpoints about one concept: relations, closures, tree views, mappings, resources."""

from __future__ import annotations

import json
import re

from flask import request
from flask.typing import ResponseReturnValue

from graph_service.exceptions import NotFound
from graph_service.model.base import concept_exists
from graph_service.model.concept import concept_details
from graph_service.model.describe import serialize_description
from graph_service.model.resources import find_resources
from graph_service.model.tree import Child, neighbours, transitive
from graph_service.model.tree import children as children_of
from graph_service.model.tree import hierarchy as hierarchy_of
from graph_service.model.tree import top_concepts as top_concepts_of
from graph_service.namespaces import DCT_NS, ONKI_NS
from graph_service.web.backend import get_store
from graph_service.web.params import BLANKS, BadParameter, int_arg, iri_arg, lang_arg
from graph_service.web.rest.base import bp, next_page, reply, vocab_or_404

TRANSITIVE_LIMIT = 1000
_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")  # ASCII digits, as /openapi.json says


def _concept_uri(vocid: str) -> str:
    vocab_or_404(vocid)
    uri = iri_arg("uri", required=True)
    assert uri is not None
    return uri


def _missing(uri: str) -> ResponseReturnValue:
    raise NotFound(f"Could not find concept <{uri}>")


def _relation(vocid: str, relation: str) -> ResponseReturnValue:
    uri = _concept_uri(vocid)
    lang = lang_arg()
    found = neighbours(get_store(), uri, relation, lang)
    if found is None:
        return _missing(uri)
    items = [{"uri": r.iri, "prefLabel": r.label} for r in found]
    context = {"prefLabel": "skos:prefLabel", relation: f"skos:{relation}", "@language": lang}
    return reply({"uri": uri, relation: items}, context)


@bp.get("/<vocid>/broader")
def broader(vocid: str) -> ResponseReturnValue:
    """Direct broader concepts."""
    return _relation(vocid, "broader")


@bp.get("/<vocid>/narrower")
def narrower(vocid: str) -> ResponseReturnValue:
    """Direct narrower concepts."""
    return _relation(vocid, "narrower")


@bp.get("/<vocid>/related")
def related(vocid: str) -> ResponseReturnValue:
    """Related concepts."""
    return _relation(vocid, "related")


def _transitive(vocid: str, relation: str) -> ResponseReturnValue:
    uri = _concept_uri(vocid)
    lang = lang_arg()
    limit = int_arg("limit", TRANSITIVE_LIMIT, minimum=1)
    entries = transitive(get_store(), uri, relation, lang, limit)
    if not entries:
        return _missing(uri)
    closure = {}
    for entry in entries:
        item: dict = {"uri": entry.iri, "prefLabel": entry.label}
        if entry.direct:
            item[relation] = list(entry.direct)
        closure[entry.iri] = item
    key = f"{relation}Transitive"
    context = {
        "prefLabel": "skos:prefLabel",
        relation: {"@id": f"skos:{relation}", "@type": "@id"},
        key: {"@id": f"skos:{key}", "@container": "@index"},
        "@language": lang,
    }
    return reply({"uri": uri, key: closure}, context)


@bp.get("/<vocid>/broaderTransitive")
def broader_transitive(vocid: str) -> ResponseReturnValue:
    """The concept and all its broader concepts, keyed by IRI."""
    return _transitive(vocid, "broader")


@bp.get("/<vocid>/narrowerTransitive")
def narrower_transitive(vocid: str) -> ResponseReturnValue:
    """The concept and all its narrower concepts, keyed by IRI."""
    return _transitive(vocid, "narrower")


def _child(child: Child, key: str = "prefLabel") -> dict:
    item = {"uri": child.iri, key: child.label, "hasChildren": child.has_children}
    if child.notation:
        item["notation"] = child.notation
    return item


@bp.get("/<vocid>/hierarchy")
def hierarchy(vocid: str) -> ResponseReturnValue:
    """The path to the top with the children of each step, plus the vocabulary's top concepts."""
    summary = vocab_or_404(vocid)
    uri = _concept_uri(vocid)
    lang = lang_arg()
    store = get_store()
    nodes = hierarchy_of(store, uri, lang)
    if nodes is None:
        return _missing(uri)
    result: dict[str, dict] = {}
    for node in nodes:
        item: dict = {"uri": node.iri, "prefLabel": node.label}
        if node.notation:
            item["notation"] = node.notation
        if node.broader:
            item["broader"] = list(node.broader)
        item["narrower"] = [_child(c, "label") for c in node.narrower]
        if node.tops:
            item["tops"] = list(node.tops)
            item["top"] = summary.iri if summary.iri in node.tops else node.tops[0]
        result[node.iri] = item
    for top in top_concepts_of(store, summary.iri, lang):
        if top.iri not in result:
            item = {"uri": top.iri, "top": summary.iri, "tops": [summary.iri]}
            item.update(prefLabel=top.label, hasChildren=top.has_children)
            if top.notation:
                item["notation"] = top.notation
            result[top.iri] = item
    context = {
        "onki": ONKI_NS,
        "prefLabel": "skos:prefLabel",
        "notation": "skos:notation",
        "narrower": {"@id": "skos:narrower", "@type": "@id"},
        "broader": {"@id": "skos:broader", "@type": "@id"},
        "broaderTransitive": {"@id": "skos:broaderTransitive", "@container": "@index"},
        "top": {"@id": "skos:topConceptOf", "@type": "@id"},
        "tops": {"@id": "skos:topConceptOf", "@type": "@id"},
        "hasChildren": "onki:hasChildren",
        "@language": lang,
    }
    return reply({"uri": uri, "broaderTransitive": result}, context)


@bp.get("/<vocid>/children")
def children(vocid: str) -> ResponseReturnValue:
    """Narrower concepts for a tree view, each saying whether it has children."""
    uri = _concept_uri(vocid)
    lang = lang_arg()
    found = children_of(get_store(), uri, lang)
    if found is None:
        return _missing(uri)
    context = {
        "prefLabel": "skos:prefLabel",
        "narrower": "skos:narrower",
        "notation": "skos:notation",
        "hasChildren": "onki:hasChildren",
        "onki": ONKI_NS,
        "@language": lang,
    }
    return reply({"uri": uri, "narrower": [_child(c) for c in found]}, context)


@bp.get("/<vocid>/mappings")
def mappings(vocid: str) -> ResponseReturnValue:
    """The concept's mappings to other vocabularies, as JSKOS mappings."""
    summary = vocab_or_404(vocid)
    uri = _concept_uri(vocid)
    lang = lang_arg()
    store = get_store()
    concept = concept_details(store, uri, lang)
    if concept is None:
        return _missing(uri)
    items = []
    for mapping in concept.mappings:
        target = mapping.target
        member: dict = {"uri": target.iri}
        if target.label != target.iri:
            member["prefLabel"] = {target.lang or "-": target.label}
        if target.notation:
            member["notation"] = target.notation
        items.append({
            "uri": uri,
            "notation": concept.notation,
            "type": [f"skos:{mapping.kind}"],
            "prefLabel": concept.pref_label,
            "from": {"memberSet": [{"uri": uri}]},
            "to": {"memberSet": [member]},
            "fromScheme": {"uri": summary.iri},
            "hrefLink": target.iri,
            "lang": lang or concept.pref_lang,
            "vocabName": summary.title,
            "typeLabel": mapping.kind,
        })  # fmt: skip
    graph = json.loads(serialize_description(store, uri, "jsonld"))
    return reply({"mappings": items, "graph": graph})


def _date_param(name: str) -> str | None:
    value = (request.args.get(name) or "").strip(BLANKS)
    if value and not _DATE.match(value):
        raise BadParameter(f"{name} must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
    return value or None


@bp.get("/<vocid>/resources")
def resources(vocid: str) -> ResponseReturnValue:
    """Resources indexed with a concept (narrower=true adds its narrower concepts), filtered by
    territory (with sub-territories), type and date range, page by page with the total."""
    uri = _concept_uri(vocid)
    lang = lang_arg()
    store = get_store()
    if not concept_exists(store, uri):
        return _missing(uri)
    limit = int_arg("limit", 20, minimum=1, maximum=1000)
    offset = int_arg("offset", 0)
    narrower_too = (request.args.get("narrower") or "").lower() in {"1", "true", "yes", "on"}
    page = find_resources(
        store, uri, include_narrower=narrower_too,
        territory=iri_arg("territory", blank=False), type_iri=iri_arg("type", blank=False),
        date_from=_date_param("from"), date_to=_date_param("to"),
        limit=limit, offset=offset, lang=lang,
    )  # fmt: skip
    items = []
    for item in page.items:
        entry: dict = {"uri": item.iri, "title": item.title, "lang": item.lang}
        if item.issued:
            entry["issued"] = item.issued
        entry["types"] = [{"uri": t.iri, "prefLabel": t.label} for t in item.types]
        entry["classes"] = list(item.classes)
        items.append(entry)
    data: dict = {"uri": uri, "total": page.total, "offset": offset, "limit": limit}
    following = next_page(offset, limit, page.total)
    if following:
        data["next"] = following
    data["resources"] = items
    context = {"dct": DCT_NS, "title": "dct:title", "issued": "dct:issued",
               "resources": {"@reverse": "dct:subject"}}  # fmt: skip
    return reply(data, context)
