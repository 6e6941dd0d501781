"""REST endpoints about a whole vocabulary: info, top concepts, A-Z index, groups, changes,
types and data (statistics and harvesting: web/rest/stats.py)."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from graph_service.exceptions import NotFound
from graph_service.model.stats import changes
from graph_service.model.tree import top_concepts as top_concepts_of
from graph_service.model.vocab import VocabularyInfo, vocabulary_info
from graph_service.model.vocab import group_members as members_of
from graph_service.model.vocab import groups as groups_of
from graph_service.namespaces import DCT_NS, ONKI_NS, RDFS_NS, XSD_NS, curie
from graph_service.search.index import get_index
from graph_service.web.backend import get_store
from graph_service.web.params import int_arg, iri_arg, lang_arg
from graph_service.web.rest.base import (
    bp,
    data_reply,
    reply,
    types_reply,
    vocab_or_404,
)


def _lang_or_default(info: VocabularyInfo) -> str:
    return lang_arg() or info.default_language


def _info(vocid: str) -> VocabularyInfo:
    info = vocabulary_info(get_store(), vocid, lang_arg())
    if info is None:
        raise NotFound(f"Vocabulary id '{vocid}' not found.")
    return info


@bp.get("/<vocid>/")
def vocabulary(vocid: str) -> ResponseReturnValue:
    """The vocabulary: title, languages and concept schemes."""
    info = _info(vocid)
    lang = lang_arg()
    scheme = {"uri": info.iri, "type": "skos:ConceptScheme", "prefLabel": info.title}
    context = {
        "rdfs": RDFS_NS,
        "onki": ONKI_NS,
        "dct": DCT_NS,
        "conceptschemes": "onki:hasConceptScheme",
        "id": "onki:vocabularyIdentifier",
        "defaultLanguage": "onki:defaultLanguage",
        "languages": "onki:language",
        "label": "rdfs:label",
        "prefLabel": "skos:prefLabel",
        "title": "dct:title",
        "@language": lang,
        "@base": f"{request.url_root}rest/v1/{vocid}/",
    }
    data = {
        "uri": "",
        "id": vocid,
        "title": info.title,
        "defaultLanguage": info.default_language,
        "languages": list(info.languages),
        "conceptschemes": [scheme],
    }
    return reply(data, context)


@bp.get("/<vocid>/topConcepts")
def top_concepts(vocid: str) -> ResponseReturnValue:
    """Top concepts of the vocabulary's scheme (or of `scheme`)."""
    summary = vocab_or_404(vocid)
    lang = lang_arg()
    scheme = iri_arg("scheme", blank=False) or summary.iri
    items = []
    for top in top_concepts_of(get_store(), scheme, lang):
        item: dict[str, object] = {
            "uri": top.iri,
            "label": top.label,
            "topConceptOf": top.top_concept_of,
        }
        if top.notation:
            item["notation"] = top.notation
        item["hasChildren"] = top.has_children
        items.append(item)
    context = {
        "onki": ONKI_NS,
        "topconcepts": "skos:hasTopConcept",
        "notation": "skos:notation",
        "label": "skos:prefLabel",
        "@language": lang,
    }
    return reply({"uri": scheme, "topconcepts": items}, context)


@bp.get("/<vocid>/index/")
def index_letters(vocid: str) -> ResponseReturnValue:
    """First letters of the preferred labels, for an alphabetical index."""
    info = _info(vocid)
    lang = _lang_or_default(info)
    letters = get_index(get_store()).index_letters(vocid, lang)
    context = {"indexLetters": {"@id": "skosmos:indexLetters", "@container": "@list",
                                "@language": lang}}  # fmt: skip
    return reply({"uri": "", "indexLetters": letters}, context)


@bp.get("/<vocid>/index/<path:letter>")
def index_concepts(vocid: str, letter: str) -> ResponseReturnValue:
    """Concepts whose preferred or alternative label starts with `letter` ("0-9", "!*", "*")."""
    info = _info(vocid)
    lang = _lang_or_default(info)
    limit = int_arg("limit", 0)
    offset = int_arg("offset", 0)
    space = info.iri.rstrip("/") + "/"
    entries = get_index(get_store()).index_page(vocid, letter, lang, limit=limit, offset=offset)
    items = []
    for entry in entries:
        item = {"uri": entry.iri, "localname": entry.iri.removeprefix(space)}
        item.update(prefLabel=entry.pref_label, lang=entry.lang)
        if entry.alt_label:
            item["altLabel"] = entry.alt_label
        items.append(item)
    context = {"indexConcepts": {"@id": "skosmos:indexConcepts", "@container": "@list"}}
    return reply({"uri": "", "indexConcepts": items}, context)


@bp.get("/<vocid>/groups")
def groups(vocid: str) -> ResponseReturnValue:
    """Collections (thematic groups) of the vocabulary."""
    vocab_or_404(vocid)
    lang = lang_arg()
    items = []
    for group in groups_of(get_store(), vocid, lang) or []:
        item: dict = {"uri": group.iri, "prefLabel": group.label}
        if group.child_groups:
            item["childGroups"] = list(group.child_groups)
        item["hasMembers"] = group.has_members
        if group.notation:
            item["notation"] = group.notation
        items.append(item)
    context = {
        "onki": ONKI_NS,
        "prefLabel": "skos:prefLabel",
        "groups": "onki:hasGroup",
        "childGroups": {"@id": "skos:member", "@type": "@id"},
        "hasMembers": "onki:hasMembers",
        "@language": lang,
    }
    return reply({"uri": "", "groups": items}, context)


@bp.get("/<vocid>/groupMembers")
def group_members(vocid: str) -> ResponseReturnValue:
    """Members of a group."""
    vocab_or_404(vocid)
    uri = iri_arg("uri", required=True)
    assert uri is not None
    lang = lang_arg()
    members = members_of(get_store(), uri, lang)
    if not members:
        raise NotFound(f"Could not find group <{uri}>")
    items = []
    for member in members:
        item: dict = {"uri": member.iri, "prefLabel": member.label}
        item["type"] = [curie(t) for t in member.types]
        item["isSuper"] = False
        item["hasMembers"] = member.has_members
        if member.notation:
            item["notation"] = member.notation
        items.append(item)
    context = {"prefLabel": "skos:prefLabel", "members": "skos:member", "@language": lang}
    return reply({"uri": uri, "members": items}, context)


def _changes(vocid: str, which: str) -> ResponseReturnValue:
    vocab_or_404(vocid)
    lang = lang_arg()
    offset = int_arg("offset", 0)
    limit = int_arg("limit", 200, maximum=10_000)
    items = []
    for change in changes(get_store(), vocid, which, lang, offset=offset, limit=limit) or []:
        item: dict = {
            "uri": change.iri,
            "prefLabel": change.label,
            "date": skosmos_date(change.date),
        }
        item["deprecated"] = change.deprecated
        if change.replaced_by:
            item["replacedBy"] = change.replaced_by[0].iri
            item["replacingLabel"] = change.replaced_by[0].label
        items.append(item)
    context = {
        "@language": lang,
        "prefLabel": "skos:prefLabel",
        "xsd": XSD_NS,
        "date": {
            "@id": DCT_NS + "date",
            "@type": XSD_NS + "dateTime",
        },
    }
    return reply({"changeList": items}, context)


def skosmos_date(value: str) -> str:
    """An xsd:date or xsd:dateTime as Skosmos prints dates: 2023-05-30T00:00:00+0000."""
    date, _, time = value.partition("T")
    if not time:
        return f"{date}T00:00:00+0000"
    for sign in ("+", "-"):
        if sign in time:
            clock, _, zone = time.partition(sign)
            return f"{date}T{clock[:8]}{sign}{zone.replace(':', '')}"
    return f"{date}T{time.rstrip('Z')[:8]}+0000"


@bp.get("/<vocid>/new")
def new_concepts(vocid: str) -> ResponseReturnValue:
    """Concepts by creation date, newest first."""
    return _changes(vocid, "created")


@bp.get("/<vocid>/modified")
def modified_concepts(vocid: str) -> ResponseReturnValue:
    """Concepts by modification date, newest first."""
    return _changes(vocid, "modified")


@bp.get("/<vocid>/types")
def vocab_types(vocid: str) -> ResponseReturnValue:
    """Classes of the vocabulary's concepts and collections."""
    vocab_or_404(vocid)
    return types_reply(vocid, lang_arg())


@bp.get("/<vocid>/data")
def vocab_data(vocid: str) -> ResponseReturnValue:
    """A concept's RDF, or (without uri) a redirect to the vocabulary's dump."""
    vocab_or_404(vocid)
    return data_reply(vocid)
