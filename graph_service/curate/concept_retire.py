"""Retiring concepts: deprecation (with an optional replacement) and merging one into another.

A deprecated concept stays resolvable with its labels and notes (pages and older resources
still show it) but leaves the hierarchy: its broader, narrower, related and top-concept links
go, both ways, and its narrower concepts move up to its broader ones (or become top concepts).
A merge moves the loser's labels, links and mappings to the winner, points every statement
about the loser (resources' subjects, other concepts' links) at the winner, then deprecates
the loser, replaced by the winner.
"""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS, XSD
from rdflib.term import Node

from graph_service.curate.concept_checks import Findings, check_links, is_our_scheme, named
from graph_service.curate.concept_draft import MATCH_PROPERTIES
from graph_service.curate.concept_messages import message as said
from graph_service.curate.concept_validate import validate_patch
from graph_service.curate.concept_work import Workspace
from graph_service.curate.edit_plan import WHOLE_FORM, EditPlan
from graph_service.exceptions import Conflict, NotFound
from graph_service.model.base import SPARQL_PREFIXES
from graph_service.namespaces import valid_iri
from graph_service.store import Store
from graph_service.text import fold

TRUE = Literal("true", datatype=XSD.boolean)
#: The links a deprecated concept no longer has (its own, and the ones pointing at it).
_HIERARCHY = (SKOS.broader, SKOS.narrower, SKOS.related, SKOS.topConceptOf, SKOS.hasTopConcept)

_LINEAGE = (
    SPARQL_PREFIXES
    + """SELECT ?up ?down WHERE {
  { $c (skos:broader|^skos:narrower)+ ?up } UNION { ?down (skos:broader|^skos:narrower)+ $c }
}"""
)


def scheme_of(ws: Workspace, node: Node) -> URIRef | None:
    """A concept's scheme: one of ours if it is in one, else the first; None when in none."""
    schemes = [s for s in ws.schemes(node) if isinstance(s, URIRef)]
    ours = [s for s in schemes if is_our_scheme(str(s))]
    return ours[0] if ours else (schemes[0] if schemes else None)


def finish(
    store: Store,
    ws: Workspace,
    kind: str,
    target: URIRef,
    base: str,
    message: str,
    found: Findings,
) -> EditPlan:
    """The plan of what the workspace changed, with the problems found and the shapes' (said
    in the findings' language)."""
    patch = ws.patch()
    shapes = validate_patch(store, patch, str(target), covered=found.covered, lang=found.lang)
    problems = [*found.problems, *shapes]
    return EditPlan(kind, str(target), patch, base, message, tuple(problems))


def _open(
    store: Store, iri: str, base: str, *others: str, lang: str = "en"
) -> tuple[Workspace, URIRef]:
    """The workspace of an edit of an existing concept, checked against its state token."""
    if not valid_iri(iri):
        raise NotFound(said("not_concept_iri", lang, value=iri[:80]))
    node = URIRef(iri)
    ws = Workspace(store)
    extra = [URIRef(o) for o in others if o and valid_iri(o)]
    ws.load(subjects=[node, *extra], objects=[node, *extra])
    if not ws.is_concept(node):
        raise NotFound(said("not_concept", lang, iri=iri))
    if ws.token(node) != base:
        raise Conflict(said("stale", lang, label=ws.label(node)))
    return ws, node


def _check_ours(ws: Workspace, node: URIRef, field: str, found: Findings) -> URIRef | None:
    scheme = scheme_of(ws, node)
    if scheme is None or not is_our_scheme(str(scheme)):
        found.error(field, found.said("named_not_curated", name=named(ws, node)), str(node))
    return scheme


# --- deprecation ------------------------------------------------------------------------------


def plan_deprecate(
    store: Store, iri: str, replacement: str, base: str, *, lang: str = "en"
) -> EditPlan:
    """The concept deprecated, replaced by `replacement` ("" for none: a concept of ours);
    its problems said in `lang` ("fr" or English)."""
    ws, node = _open(store, iri, base, replacement, lang=lang)
    found = Findings(lang)
    scheme = _check_ours(ws, node, WHOLE_FORM, found)
    already = ws.is_deprecated(node)
    if already:
        found.error(WHOLE_FORM, found.said("deprecated_already", name=named(ws, node)))
    instead = None
    if replacement:
        if not valid_iri(replacement):
            bad = found.said("bad_iri", value=replacement[:80])
            found.error("replacement", bad, replacement)
        else:
            instead = URIRef(replacement)
            check_links(ws, node, None, "replacement", [replacement], found)
            if ws.is_concept(instead):
                _check_ours(ws, instead, "replacement", found)
    if not already:
        retire(ws, node, instead, scheme)
    message = f"Deprecate concept « {ws.label(node)} »"
    if instead is not None:
        message += f", replaced by « {ws.label(instead)} »"
    return finish(store, ws, "concept.deprecate", node, base, message, found)


def retire(ws: Workspace, node: URIRef, replacement: URIRef | None, scheme: URIRef | None) -> None:
    """Deprecate a concept in the workspace (module docstring)."""
    ws.add(node, OWL.deprecated, TRUE)
    for old in ws.objects(node, DCTERMS.isReplacedBy):
        if old != replacement:
            ws.remove(node, DCTERMS.isReplacedBy, old)
            ws.remove(old, DCTERMS.replaces, node)
    if replacement is not None and replacement != node:
        ws.add(node, DCTERMS.isReplacedBy, replacement)
        ws.add(replacement, DCTERMS.replaces, node)
    parents = [p for p in ws.broader(node) if p != node]
    children = [c for c in ws.narrower(node) if c != node]
    ws.load(subjects=[*parents, *children, *ws.related(node)], objects=children)
    for predicate in _HIERARCHY:
        ws.remove(node, predicate)
        for holder in ws.subjects(predicate, node):
            ws.remove(holder, predicate, node)
    for child in children:
        for parent in parents:
            if parent != child:
                ws.add(child, SKOS.broader, parent)
                ws.add(parent, SKOS.narrower, child)
        if not ws.broader(child):
            home = scheme if scheme in ws.schemes(child) else scheme_of(ws, child)
            if home is not None:
                ws.add(child, SKOS.topConceptOf, home)
                ws.add(home, SKOS.hasTopConcept, child)


# --- merge ------------------------------------------------------------------------------------


def plan_merge(store: Store, loser: str, winner: str, base: str, *, lang: str = "en") -> EditPlan:
    """`loser` merged into `winner` (both concepts of one scheme of ours), then deprecated;
    the problems said in `lang` ("fr" or English)."""
    ws, node = _open(store, loser, base, winner, lang=lang)
    found = Findings(lang)
    message = f"Merge concept « {ws.label(node)} »"
    scheme = _check_ours(ws, node, "loser", found)
    if ws.is_deprecated(node):
        found.error("loser", found.said("deprecated_already", name=named(ws, node)))
    if not valid_iri(winner):
        found.error("winner", found.said("bad_iri", value=winner[:80]), winner)
        return finish(store, ws, "concept.merge", node, base, message, found)
    into = URIRef(winner)
    if into == node:
        found.error("winner", found.said("merged_into_itself"), winner)
    elif not ws.is_concept(into):
        found.error("winner", found.said("not_concept", iri=into), winner)
    else:
        if ws.is_deprecated(into):
            found.error("winner", found.said("deprecated", name=named(ws, into)), winner)
        if scheme_of(ws, into) != scheme:
            found.error("winner", found.said("other_scheme", name=named(ws, into)), winner)
        _merge_labels(ws, node, into)
        _point_at(ws, node, into, found)
        _move_links(ws, node, into, found)
        retire(ws, node, into, scheme)
        message += f" into « {ws.label(into)} »"
    return finish(store, ws, "concept.merge", node, base, message, found)


def _merge_labels(ws: Workspace, loser: URIRef, winner: URIRef) -> None:
    """The loser's preferred labels become the winner's alternative ones, its alternative and
    hidden labels move; a label the winner has already (folded), in any role, is not added."""

    def keys(predicate: Node) -> set[tuple[str, str]]:
        return {_key(v) for v in ws.objects(winner, predicate) if isinstance(v, Literal)}

    taken = keys(SKOS.prefLabel) | keys(SKOS.altLabel) | keys(SKOS.hiddenLabel)
    for source, moved, target in (
        (SKOS.prefLabel, False, SKOS.altLabel),
        (SKOS.altLabel, True, SKOS.altLabel),
        (SKOS.hiddenLabel, True, SKOS.hiddenLabel),
    ):
        for value in ws.objects(loser, source):
            if not isinstance(value, Literal):
                continue
            if moved:
                ws.remove(loser, source, value)
            if _key(value) not in taken:
                ws.add(winner, target, value)
                taken.add(_key(value))


def _key(value: Literal) -> tuple[str, str]:
    return (value.language or "", fold(str(value)))


def _point_at(ws: Workspace, loser: URIRef, winner: URIRef, found: Findings) -> None:
    """Every statement with the loser as value (a resource's subject, a mapping, a collection's
    member...) made about the winner instead, in the same graph; links that would point the
    winner at itself are dropped. The hierarchy is _move_links's."""
    skipped = 0
    for quad in ws.pointing(loser):
        subject, predicate, _, graph = quad
        if subject == loser or predicate in _HIERARCHY:
            continue
        if isinstance(subject, BNode):
            skipped += 1
            continue
        ws.remove_quad(quad)
        if subject != winner:
            ws.add(subject, predicate, winner, graph)
    if skipped:
        found.warning(WHOLE_FORM, found.said("blank_nodes_left", count=skipped))


def _move_links(ws: Workspace, loser: URIRef, winner: URIRef, found: Findings) -> None:
    """The loser's broader, narrower, related links and mappings moved to the winner, except
    those that would make a cycle or a related link along the winner's broader chain (each
    named in a warning)."""
    up: set[Node] = set()
    down: set[Node] = set()
    for row in ws.store.select(_LINEAGE, {"c": winner}):
        up.update(v for k, v in row.items() if k == "up")
        down.update(v for k, v in row.items() if k == "down")
    parents = [p for p in ws.broader(loser) if p not in (loser, winner)]
    children = [c for c in ws.narrower(loser) if c not in (loser, winner)]
    related = [r for r in ws.related(loser) if r not in (loser, winner)]
    ws.load(subjects=[*parents, *children, *related])
    for predicate in _HIERARCHY:
        ws.remove(loser, predicate)
        for holder in ws.subjects(predicate, loser):
            ws.remove(holder, predicate, loser)
    moved_up = False
    for parent in parents:
        if parent in down:
            found.warning("winner", found.said("broader_not_moved", name=named(ws, parent)))
            continue
        ws.add(winner, SKOS.broader, parent)
        ws.add(parent, SKOS.narrower, winner)
        up.add(parent)
        moved_up = True
    if moved_up:  # a concept with a broader one is no top concept
        ws.remove(winner, SKOS.topConceptOf)
        for holder in ws.subjects(SKOS.hasTopConcept, winner):
            ws.remove(holder, SKOS.hasTopConcept, winner)
    for child in children:
        if child in up:
            found.warning("winner", found.said("narrower_not_moved", name=named(ws, child)))
            continue
        ws.add(child, SKOS.broader, winner)
        ws.add(winner, SKOS.narrower, child)
        down.add(child)
    for other in related:
        if other in up or other in down:
            found.warning("winner", found.said("related_not_moved", name=named(ws, other)))
            continue
        ws.add(winner, SKOS.related, other)
        ws.add(other, SKOS.related, winner)
    for name in MATCH_PROPERTIES:
        for value in ws.objects(loser, SKOS[name]):
            if isinstance(value, URIRef):
                ws.remove(loser, SKOS[name], value)
                if value not in (loser, winner):
                    ws.add(winner, SKOS[name], value)
