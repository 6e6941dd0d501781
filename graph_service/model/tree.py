"""The hierarchy around a concept: neighbours, transitive closures, tree views, top concepts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef

from graph_service.labels import notation_key
from graph_service.model.base import (
    SPARQL_PREFIXES,
    Ref,
    Term,
    concept_exists,
    label_key,
    make_ref,
    memo,
    truthy,
    values_block,
)
from graph_service.model.base import rows as select_rows
from graph_service.model.schemes import schemes
from graph_service.search.index import current_index
from graph_service.store import Store

#: Hierarchy edges, whichever direction the data states them in.
UP = "(skos:broader|^skos:narrower)"
DOWN = "(skos:narrower|^skos:broader)"
_PATHS = {"broader": UP, "narrower": DOWN, "related": "(skos:related|^skos:related)"}


@dataclass(frozen=True)
class Child:
    """A concept in a tree view: label, notation and whether it has narrower concepts."""

    iri: str
    label: str
    lang: str
    notation: str | None
    has_children: bool


@dataclass(frozen=True)
class TransitiveEntry:
    """One concept of a transitive closure with its direct links inside the closure."""

    iri: str
    label: str
    lang: str
    direct: tuple[str, ...]


@dataclass(frozen=True)
class HierarchyNode:
    """A concept on the way from a concept up to the top, with its children and schemes."""

    iri: str
    label: str
    lang: str
    notation: str | None
    broader: tuple[str, ...]
    narrower: tuple[Child, ...]
    tops: tuple[str, ...]


@dataclass(frozen=True)
class TopConcept:
    """A top concept of a scheme."""

    iri: str
    label: str
    lang: str
    notation: str | None
    has_children: bool
    top_concept_of: str


def row_refs(found: list[dict[str, Term]], lang: str | None, key: str = "x") -> list[Ref]:
    """Refs of the IRIs in column `key` of an answer, labelled from ?l and noted from ?n."""
    labels: dict[str, list[Term]] = defaultdict(list)
    notations: dict[str, set[Term]] = defaultdict(set)
    for row in found:
        iri = str(row[key])
        labels.setdefault(iri, [])
        if "l" in row:
            labels[iri].append(row["l"])
        if "n" in row:
            notations[iri].add(row["n"])
    refs = [
        make_ref(
            iri,
            values,
            lang,
            str(min(notations[iri], key=notation_key)) if notations[iri] else None,
        )
        for iri, values in labels.items()
    ]
    return sorted(refs, key=label_key)


def neighbours(store: Store, iri: str, relation: str, lang: str | None) -> list[Ref] | None:
    """Direct broader, narrower or related concepts with labels; None if no such concept."""
    rows = select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT DISTINCT ?x ?l ?n WHERE {{
  $c {_PATHS[relation]} ?x .
  OPTIONAL {{ ?x skos:prefLabel ?l }} OPTIONAL {{ ?x skos:notation ?n }}
}}""",
        {"c": URIRef(iri)},
    )
    if not rows and not concept_exists(store, iri):
        return None
    return row_refs(rows, lang)


def narrower_closure(store: Store, iri: str, *, include_self: bool = True) -> list[str]:
    """Every concept under a concept (stated either way), and the concept itself if asked.

    From the search index when it is current (a recursive walk of its edges: milliseconds,
    where the engine's path takes 0.5 s under a top concept of 12,728 at 100,000 concepts).
    """
    index = current_index(store)
    if index is not None:
        return index.narrower_closure(iri, include_self)
    path = f"{DOWN}*" if include_self else f"{DOWN}+"
    query = SPARQL_PREFIXES + f"SELECT DISTINCT ?s WHERE {{ $c {path} ?s }}"
    return [str(r["s"]) for r in select_rows(store, query, {"c": URIRef(iri)})]


def broader(store: Store, iri: str, lang: str | None = None) -> list[Ref] | None:
    """Direct broader concepts (stated as broader or as the inverse narrower)."""
    return neighbours(store, iri, "broader", lang)


def narrower(store: Store, iri: str, lang: str | None = None) -> list[Ref] | None:
    """Direct narrower concepts (stated as narrower or as the inverse broader)."""
    return neighbours(store, iri, "narrower", lang)


def related(store: Store, iri: str, lang: str | None = None) -> list[Ref] | None:
    """Related concepts (in either direction)."""
    return neighbours(store, iri, "related", lang)


def transitive(
    store: Store, iri: str, relation: str, lang: str | None = None, limit: int = 1000
) -> list[TransitiveEntry] | None:
    """The concept and its broader (or narrower) closure, nearest first, at most `limit` entries."""
    if not concept_exists(store, iri):
        return None
    path = UP if relation == "broader" else DOWN
    rows = select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT DISTINCT ?x ?y ?l WHERE {{
  $c {path}* ?x .
  OPTIONAL {{ ?x {path} ?y }}
  OPTIONAL {{ ?x skos:prefLabel ?l }}
}}""",
        {"c": URIRef(iri)},
    )
    links: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, list[Term]] = defaultdict(list)
    for row in rows:
        x = str(row["x"])
        labels.setdefault(x, [])
        if "y" in row:
            links[x].add(str(row["y"]))
        if "l" in row:
            labels[x].append(row["l"])
    # Breadth first from the concept, so a limit keeps the nearest ones.
    order: list[str] = []
    queue, seen = [iri], {iri}
    while queue and len(order) < limit:
        node = queue.pop(0)
        order.append(node)
        for nxt in sorted(links.get(node, ())):
            if nxt not in seen and nxt in labels:
                seen.add(nxt)
                queue.append(nxt)
    entries = []
    for node in order:
        ref = make_ref(node, labels.get(node, []), lang)
        entries.append(
            TransitiveEntry(node, ref.label, ref.lang, tuple(sorted(links.get(node, ()))))
        )
    return entries


def _children_of(store: Store, parents: list[str]) -> list[dict[str, Term]]:
    """Rows ?p ?x ?l ?n ?gc: the narrower concepts ?x of each parent ?p, labels, notations and
    whether ?x has narrower concepts of its own."""
    # The EXISTS before the OPTIONALs: after them it ran once per label and notation (four
    # rows for a commune) instead of once per child.
    values, bindings = values_block("p", parents)
    return select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT DISTINCT ?p ?x ?l ?n ?gc WHERE {{
  {values}
  ?p {DOWN} ?x .
  BIND(EXISTS {{ ?x {DOWN} ?g }} AS ?gc)
  OPTIONAL {{ ?x skos:prefLabel ?l }} OPTIONAL {{ ?x skos:notation ?n }}
}}""",
        bindings,
    )


def _children_rows(rows: list[dict[str, Term]], lang: str | None) -> dict[str, list[Child]]:
    """Children grouped by parent, sorted by label."""
    by_parent: dict[str, list[dict[str, Term]]] = defaultdict(list)
    has: dict[str, bool] = {}
    for row in rows:
        by_parent[str(row["p"])].append(row)
        has[str(row["x"])] = truthy(row["gc"])
    grouped = {}
    for parent, parent_rows in by_parent.items():
        grouped[parent] = [
            Child(r.iri, r.label, r.lang, r.notation, has[r.iri])
            for r in row_refs(parent_rows, lang)
        ]
    return grouped


def children(store: Store, iri: str, lang: str | None = None) -> list[Child] | None:
    """Narrower concepts for a tree view, each saying whether it has children of its own."""
    rows = _children_of(store, [iri])
    if not rows:
        return [] if concept_exists(store, iri) else None
    return _children_rows(rows, lang).get(iri, [])


def hierarchy(store: Store, iri: str, lang: str | None = None) -> list[HierarchyNode] | None:
    """The concept and all its ancestors, each with its parents, children and schemes it tops."""
    if not concept_exists(store, iri):
        return None
    term = {"c": URIRef(iri)}
    rows = select_rows(
        store,
        SPARQL_PREFIXES
        # The path in a sub-SELECT: Virtuoso 7.2.5 otherwise plans it after the OPTIONALs and
        # ran > 60 s on the committed vocab/ (0.02 s this way); pyoxigraph answers both alike.
        + f"""SELECT DISTINCT ?x ?y ?l ?n ?top WHERE {{
  {{ SELECT DISTINCT ?x WHERE {{ $c {UP}* ?x }} }}
  OPTIONAL {{ ?x {UP} ?y }}
  OPTIONAL {{ ?x skos:prefLabel ?l }} OPTIONAL {{ ?x skos:notation ?n }}
  OPTIONAL {{ ?x skos:topConceptOf|^skos:hasTopConcept ?top }}
}}""",
        term,
    )
    # The children of the ancestors the walk up found, bound as VALUES: no second walk up in
    # the children's query, whose plan Virtuoso got wrong. What that query still costs is its
    # answer's size (commune/59350: ~770 children x 2 labels x 2 notations, 3,022 rows).
    ancestors = sorted({str(row["x"]) for row in rows})
    kids = _children_rows(_children_of(store, ancestors), lang)
    parents: dict[str, set[str]] = defaultdict(set)
    tops: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if "y" in row:
            parents[str(row["x"])].add(str(row["y"]))
        if "top" in row:
            tops[str(row["x"])].add(str(row["top"]))
    return [
        HierarchyNode(
            ref.iri,
            ref.label,
            ref.lang,
            ref.notation,
            tuple(sorted(parents[ref.iri])),
            tuple(kids.get(ref.iri, [])),
            tuple(sorted(tops[ref.iri])),
        )
        for ref in row_refs(rows, lang)
    ]


def top_concepts(store: Store, scheme_iri: str, lang: str | None = None) -> tuple[TopConcept, ...]:
    """The top concepts of a scheme (stated either way), sorted by label.

    Remembered per data version: a scheme with many top concepts (UNESCO's 585, labelled in
    five languages) took 0.3-0.4 s on every scheme page and every top concept's page. Kept
    for the store's schemes only (the REST API takes any IRI), the store's answer once per
    scheme and the labelled list per language the scheme has; other language tags (any a
    visitor asks for with ?clang=) are labelled from the kept answer on each call.
    """
    from graph_service.model.vocab import languages  # vocab.py imports this module

    if not any(summary.iri == scheme_iri for summary in schemes(store)):
        return _labelled(_top_rows(store, scheme_iri), scheme_iri, lang)
    found = memo(store, ("top-concept-rows", scheme_iri), lambda: _top_rows(store, scheme_iri))
    if lang is None or lang in languages(store, scheme_iri):
        key = ("top-concepts", scheme_iri, lang)
        return memo(store, key, lambda: _labelled(found, scheme_iri, lang))
    return _labelled(found, scheme_iri, lang)


def _labelled(
    found: list[dict[str, Term]], scheme_iri: str, lang: str | None
) -> tuple[TopConcept, ...]:
    has = {str(r["x"]): truthy(r["gc"]) for r in found}
    return tuple(
        TopConcept(r.iri, r.label, r.lang, r.notation, has[r.iri], scheme_iri)
        for r in row_refs(found, lang)
    )


def _top_rows(store: Store, scheme_iri: str) -> list[dict[str, Term]]:
    # The top concepts first, then their labels: EXISTS runs once per top concept, not once
    # per label row (half the time on UNESCO).
    return select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT DISTINCT ?x ?l ?n ?gc WHERE {{
  {{ SELECT DISTINCT ?x ?gc WHERE {{
    {{ ?x skos:topConceptOf $s }} UNION {{ $s skos:hasTopConcept ?x }}
    BIND(EXISTS {{ ?x {DOWN} ?g }} AS ?gc)
  }} }}
  OPTIONAL {{ ?x skos:prefLabel ?l }} OPTIONAL {{ ?x skos:notation ?n }}
}}""",
        {"s": URIRef(scheme_iri)},
    )
