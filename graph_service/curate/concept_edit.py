"""The concept editor's operations: each turns a request into an EditPlan computed on the store.

create, update, deprecate and merge (concept_retire.py) read what they need, compute the patch
(statements written into the graph where their subject lives, symmetric links kept in step),
and check the result: the drafts' own checks (concept_checks.py), then the project's shapes on
the nodes the patch touches (concept_validate.py). A plan with errors still carries its patch,
for the preview; the caller refuses it. Forms and the JSON API call the plan_* functions;
proposals store an action dict and replay it at approval through PLANNERS.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from graph_service.curate.concept_checks import (
    Findings,
    check_links,
    check_main_label,
    check_mappings,
    check_shared_labels,
    is_our_scheme,
)
from graph_service.curate.concept_draft import (
    LABEL_FIELDS,
    MATCH_PROPERTIES,
    NOTE_FIELDS,
    ConceptDraft,
    DraftError,
    draft_from_json,
)
from graph_service.curate.concept_messages import message as said
from graph_service.curate.concept_retire import finish, plan_deprecate, plan_merge, scheme_of
from graph_service.curate.concept_summary import action_summary
from graph_service.curate.concept_work import Workspace
from graph_service.curate.edit_plan import WHOLE_FORM, EditPlan, FieldProblem, Planner
from graph_service.curate.textmatch import slugify
from graph_service.exceptions import Conflict, NotFound
from graph_service.namespaces import valid_iri
from graph_service.store import Store

__all__ = [
    "PLANNERS",
    "Planner",
    "action_summary",
    "plan_action",
    "plan_create",
    "plan_deprecate",
    "plan_merge",
    "plan_update",
    "read_draft",
]

#: Properties with one text per language, and with several, by draft attribute.
_ONE_TEXT: dict[Node, str] = {
    SKOS.prefLabel: "pref_label",
    **{SKOS[key]: attribute for key, attribute in NOTE_FIELDS.items()},
}
_TEXTS: dict[Node, str] = {
    SKOS[key]: attribute for key, (attribute, several) in LABEL_FIELDS.items() if several
}
_MAPPINGS: dict[Node, str] = {SKOS[name]: name for name in MATCH_PROPERTIES}

_IN_USE = "ASK { { $s ?p ?o } UNION { ?x ?y $s } }"


# --- reading ---------------------------------------------------------------------------------


def read_draft(store: Store, iri: str, *, lang: str = "en") -> tuple[ConceptDraft, str]:
    """A concept as the editor shows it, and its state token (both from one read); NotFound
    (said in `lang`) when the IRI is not a skos:Concept of the store."""
    node = _concept_node(iri, lang)
    ws = Workspace(store)
    ws.load(subjects=[node], objects=[node])
    if not ws.is_concept(node):
        raise NotFound(said("not_concept", lang, iri=iri))
    return draft_of(ws, node), ws.token(node)


def draft_of(ws: Workspace, node: URIRef) -> ConceptDraft:
    """The editable part of a concept as the workspace holds it: one text per language where
    one is expected (the first in order when the data has several), links stated either way."""
    one: dict[str, dict[str, str]] = {attribute: {} for attribute in _ONE_TEXT.values()}
    several: dict[str, dict[str, list[str]]] = {attribute: {} for attribute in _TEXTS.values()}
    mappings: dict[str, list[str]] = {}
    notations: list[str] = []
    for _, predicate, value, _ in ws.about(node):
        lang = value.language if isinstance(value, Literal) else None
        if predicate in _ONE_TEXT and lang:
            texts = one[_ONE_TEXT[predicate]]
            texts[lang] = min(texts.get(lang, str(value)), str(value))
        elif predicate in _TEXTS and lang:
            several[_TEXTS[predicate]].setdefault(lang, []).append(str(value))
        elif predicate in _MAPPINGS and isinstance(value, URIRef):
            mappings.setdefault(_MAPPINGS[predicate], []).append(str(value))
        elif predicate == SKOS.notation and _plain(value):
            notations.append(str(value))
    scheme = scheme_of(ws, node)
    return ConceptDraft(
        iri=str(node),
        scheme="" if scheme is None else str(scheme),
        notation=min(notations, default=""),
        broader=[str(n) for n in ws.broader(node) if isinstance(n, URIRef)],
        related=[str(n) for n in ws.related(node) if isinstance(n, URIRef)],
        mappings=mappings,
        **one,  # type: ignore[arg-type]
        **several,  # type: ignore[arg-type]
    )


def _tagged(value: Node) -> bool:
    return isinstance(value, Literal) and bool(value.language)


def _plain(value: Node) -> bool:
    return isinstance(value, Literal) and not value.language and value.datatype is None


def _concept_node(iri: str, lang: str) -> URIRef:
    if not isinstance(iri, str) or not valid_iri(iri):
        raise NotFound(said("not_concept_iri", lang, value=str(iri)[:80]))
    return URIRef(iri)


# --- create and update -----------------------------------------------------------------------


def plan_create(store: Store, draft: ConceptDraft, *, lang: str = "en") -> EditPlan:
    """A new concept in one of our schemes: its IRI minted from the French label, written into
    the scheme's graph, with the back-links on its broader and related concepts (a concept
    without broader becomes a top concept of the scheme). DraftError when the scheme is not
    one of ours. Problems are said in `lang` ("fr" or English)."""
    if not draft.scheme or not valid_iri(draft.scheme):
        raise DraftError([FieldProblem("scheme", said("choose_scheme", lang))])
    scheme = URIRef(draft.scheme)
    ws = Workspace(store)
    if not (ws.is_scheme(scheme) and is_our_scheme(str(scheme))):
        key = "scheme_not_ours" if ws.is_scheme(scheme) else "scheme_unknown"
        raise DraftError([FieldProblem("scheme", said(key, lang, iri=scheme))])
    graph = ws.home(scheme)
    if graph is None:
        raise DraftError([FieldProblem("scheme", said("scheme_no_graph", lang, iri=scheme))])
    found = Findings(lang)
    if draft.iri:
        node = URIRef(draft.iri)
        if not draft.iri.startswith(f"{scheme}/"):
            found.error("uri", found.said("iri_prefix", scheme=scheme))
        if store.ask(_IN_USE, {"s": node}):
            found.error("uri", found.said("iri_in_use", iri=node))
    else:
        node = URIRef(mint_iri(store, str(scheme), draft.pref_label.get("fr") or draft.label()))
    ws.set_home(node, graph)
    ws.add(node, RDF.type, SKOS.Concept)
    ws.add(node, SKOS.inScheme, scheme)
    _write_fields(ws, node, draft)
    _write_links(ws, node, scheme, ConceptDraft(), draft, deprecated=False)
    _check_draft(store, ws, node, scheme, draft, ConceptDraft(), found)
    message = f"Create concept « {draft.label()} »"
    return finish(store, ws, "concept.create", node, "", message, found)


def mint_iri(store: Store, scheme: str, label: str) -> str:
    """<scheme>/<slug of the label>, made unique with -2, -3... (CONVENTIONS.md)."""
    stem = f"{scheme}/{slugify(label or 'concept')}"
    candidate, number = stem, 1
    while store.ask(_IN_USE, {"s": URIRef(candidate)}):
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def plan_update(store: Store, draft: ConceptDraft, base: str, *, lang: str = "en") -> EditPlan:
    """The draft's labels, notes, notation, links and mappings written over the concept's
    (nothing else of it changes); Conflict when the concept changed since `base` was read.
    Problems are said in `lang` ("fr" or English)."""
    if not draft.iri:
        raise DraftError([FieldProblem("uri", said("not_named", lang))])
    node = _concept_node(draft.iri, lang)
    ws = Workspace(store)
    ws.load(subjects=[node], objects=[node])
    if not ws.is_concept(node):
        raise NotFound(said("not_concept", lang, iri=node))
    if ws.token(node) != base:
        raise Conflict(said("stale", lang, label=ws.label(node)))
    current = draft_of(ws, node)
    found = Findings(lang)
    if draft.scheme and draft.scheme != current.scheme:
        found.error("scheme", found.said("scheme_fixed"))
    if not is_our_scheme(current.scheme):
        found.error("scheme", found.said("not_curated"))
    scheme = URIRef(current.scheme) if current.scheme else None
    links = [*current.broader, *draft.broader, *current.related, *draft.related]
    ws.load(subjects=[URIRef(iri) for iri in links] + ([scheme] if scheme is not None else []))
    deprecated = ws.is_deprecated(node)
    for field, old, new in (
        ("broader", current.broader, draft.broader),
        ("related", current.related, draft.related),
    ):
        if deprecated and set(new) - set(old):
            found.error(field, found.said("deprecated_out"))
    _write_fields(ws, node, draft)
    _write_links(ws, node, scheme, current, draft, deprecated=deprecated)
    _check_draft(store, ws, node, scheme, draft, current, found)
    message = f"Update concept « {draft.label()} »"
    return finish(store, ws, "concept.update", node, base, message, found)


def _check_draft(
    store: Store,
    ws: Workspace,
    node: URIRef,
    scheme: URIRef | None,
    draft: ConceptDraft,
    current: ConceptDraft,
    found: Findings,
) -> None:
    """The draft's own checks, on what it changes (a fault the concept had before is the
    shapes' to report, as such)."""
    check_main_label(draft, found)
    new_broader = sorted(set(draft.broader) - set(current.broader))
    new_related = sorted(set(draft.related) - set(current.related))
    check_links(ws, node, scheme, "broader", new_broader, found, same_scheme=True)
    check_links(ws, node, scheme, "related", new_related, found)
    check_mappings(node, draft, found)
    changed = {k: v for k, v in draft.pref_label.items() if current.pref_label.get(k) != v}
    if scheme is not None:
        check_shared_labels(store, str(scheme), str(node), changed, found)


def _statements(draft: ConceptDraft) -> set[tuple[Node, Node]]:
    """The editable statements a draft makes about its concept (links aside)."""
    wanted: set[tuple[Node, Node]] = set()
    for predicate, attribute in _ONE_TEXT.items():
        for lang, text in getattr(draft, attribute).items():
            wanted.add((predicate, Literal(text, lang=lang)))
    for predicate, attribute in _TEXTS.items():
        for lang, texts in getattr(draft, attribute).items():
            wanted.update((predicate, Literal(text, lang=lang)) for text in texts)
    if draft.notation:
        wanted.add((SKOS.notation, Literal(draft.notation)))
    for predicate, name in _MAPPINGS.items():
        wanted.update((predicate, URIRef(iri)) for iri in draft.mappings.get(name, []))
    return wanted


def _editable_now(ws: Workspace, node: URIRef) -> set[tuple[Node, Node]]:
    """The concept's statements a draft can say (what it cannot, an untagged label say,
    is left as it is)."""
    found: set[tuple[Node, Node]] = set()
    for _, predicate, value, _ in ws.about(node):
        text = (predicate in _ONE_TEXT or predicate in _TEXTS) and _tagged(value)
        notation = predicate == SKOS.notation and _plain(value)
        if text or notation or (predicate in _MAPPINGS and isinstance(value, URIRef)):
            found.add((predicate, value))
    return found


def _write_fields(ws: Workspace, node: URIRef, draft: ConceptDraft) -> None:
    """Labels, notes, notation and mappings: the draft's replace the concept's."""
    now, wanted = _editable_now(ws, node), _statements(draft)
    for predicate, value in sorted(now - wanted, key=str):
        ws.remove(node, predicate, value)
    for predicate, value in sorted(wanted - now, key=str):
        ws.add(node, predicate, value)


def _write_links(
    ws: Workspace,
    node: URIRef,
    scheme: URIRef | None,
    current: ConceptDraft,
    draft: ConceptDraft,
    *,
    deprecated: bool,
) -> None:
    """Broader and related links changed both ways; a concept left without broader (or given
    one) gains (or loses) its place among the scheme's top concepts."""
    for name, forth, back in (
        ("broader", SKOS.broader, SKOS.narrower),
        ("related", SKOS.related, SKOS.related),
    ):
        old = {URIRef(iri) for iri in getattr(current, name)}
        new = {URIRef(iri) for iri in getattr(draft, name)}
        for other in sorted(old - new, key=str):
            ws.remove(node, forth, other)
            ws.remove(other, back, node)
        for other in sorted(new - old, key=str):
            ws.add(node, forth, other)
            if other != node:
                ws.add(other, back, node)
    creating = not current.iri
    if scheme is None or (not creating and set(current.broader) == set(draft.broader)):
        return
    if draft.broader or deprecated:
        ws.remove(node, SKOS.topConceptOf)
        for holder in ws.subjects(SKOS.hasTopConcept, node):
            ws.remove(holder, SKOS.hasTopConcept, node)
    else:
        ws.add(node, SKOS.topConceptOf, scheme)
        ws.add(scheme, SKOS.hasTopConcept, node)


# --- actions ---------------------------------------------------------------------------------


def _text(action: Mapping[str, object], key: str, lang: str, *, optional: bool = False) -> str:
    value = action.get(key, "" if optional else None)
    if not isinstance(value, str) or not (value or optional):
        raise DraftError([FieldProblem(key, said("expected_text", lang))])
    return value


def _draft(action: Mapping[str, object], lang: str) -> ConceptDraft:
    return draft_from_json(action.get("draft"), lang=lang)


def _create(store: Store, action: Mapping[str, object], *, lang: str = "en") -> EditPlan:
    """{"kind": "concept.create", "draft": {...}}"""
    return plan_create(store, _draft(action, lang), lang=lang)


def _update(store: Store, action: Mapping[str, object], *, lang: str = "en") -> EditPlan:
    """{"kind": "concept.update", "draft": {..., "uri": IRI}, "base": token}"""
    return plan_update(store, _draft(action, lang), _text(action, "base", lang), lang=lang)


def _deprecate(store: Store, action: Mapping[str, object], *, lang: str = "en") -> EditPlan:
    """{"kind": "concept.deprecate", "uri": IRI, "replacement": IRI or "", "base": token}"""
    return plan_deprecate(
        store,
        _text(action, "uri", lang),
        _text(action, "replacement", lang, optional=True),
        _text(action, "base", lang),
        lang=lang,
    )


def _merge(store: Store, action: Mapping[str, object], *, lang: str = "en") -> EditPlan:
    """{"kind": "concept.merge", "loser": IRI, "winner": IRI, "base": token}"""
    loser, winner = _text(action, "loser", lang), _text(action, "winner", lang)
    return plan_merge(store, loser, winner, _text(action, "base", lang), lang=lang)


#: The planner of each kind of action (JSON-able dicts, stored in proposals and replayed).
PLANNERS: dict[str, Planner] = {
    "concept.create": _create,
    "concept.update": _update,
    "concept.deprecate": _deprecate,
    "concept.merge": _merge,
}


def plan_action(store: Store, action: Mapping[str, object], *, lang: str = "en") -> EditPlan:
    """The plan of an action dict, by its kind; DraftError for an unknown kind."""
    kind = action.get("kind") if isinstance(action, Mapping) else None
    if not isinstance(kind, str) or kind not in PLANNERS:
        unknown = said("unknown_kind", lang, kind=str(kind)[:40])
        raise DraftError([FieldProblem(WHOLE_FORM, unknown)])
    return PLANNERS[kind](store, action, lang=lang)
