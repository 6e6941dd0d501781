"""Counting and listing a vocabulary: classes, statistics, label counts, concepts page by page,
changes by date."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib.term import Node

from graph_service.model.base import (
    SPARQL_PREFIXES,
    Ref,
    Term,
    make_ref,
    memo,
    page_clause,
    text_of,
    values_block,
)
from graph_service.model.base import rows as select_rows
from graph_service.model.schemes import concept_count, deprecated_count, scheme_concepts
from graph_service.model.vocab import COLLECTIONS, IN_SCHEME, scheme_node
from graph_service.namespaces import SKOS_NS
from graph_service.store import Store


@dataclass(frozen=True)
class Change:
    """A concept created or modified at a date, newest first in lists."""

    iri: str
    label: str
    lang: str
    date: str
    deprecated: bool
    replaced_by: tuple[Ref, ...]


@dataclass(frozen=True)
class TypeInfo:
    """A class of the concepts or collections of a vocabulary."""

    iri: str
    label: str
    lang: str
    superclass: str | None


@dataclass(frozen=True)
class TypeCount:
    """How many resources of a class a vocabulary holds, deprecated ones apart."""

    iri: str
    label: str
    count: int
    deprecated_count: int


@dataclass(frozen=True)
class LabelCount:
    """How many labels of each kind a vocabulary has in one language."""

    lang: str
    pref: int
    alt: int
    hidden: int


@dataclass(frozen=True)
class ConceptListing:
    """A concept in a harvesting list: preferred labels by language and last modification."""

    iri: str
    pref_labels: dict[str, str]
    modified: str | None


@dataclass(frozen=True)
class ConceptPage:
    """One page of the concepts of a vocabulary, with the total."""

    total: int
    items: tuple[ConceptListing, ...]


def types(
    store: Store, vocab_id: str | None = None, lang: str | None = None
) -> list[TypeInfo] | None:
    """Classes of the concepts and collections (of one vocabulary, or of all), with labels."""
    if vocab_id is None:
        where = "{ ?c a skos:Concept } UNION { ?c a skos:Collection }"
        bindings: dict[str, Node] = {}
    else:
        scheme = scheme_node(store, vocab_id)
        if scheme is None:
            return None
        where = f"{{ {IN_SCHEME} }} UNION {{ {COLLECTIONS} }}"
        bindings = {"s": scheme}
    query = (
        SPARQL_PREFIXES
        + f"""SELECT DISTINCT ?t ?l ?sup WHERE {{
  {{ SELECT DISTINCT ?t WHERE {{ {where} ?c a ?t }} }}
  OPTIONAL {{ ?t rdfs:label|skos:prefLabel ?l }} OPTIONAL {{ ?t rdfs:subClassOf ?sup }}
}}"""
    )
    # Remembered per version (labels picked per language below): a scan of every member.
    rows = memo(store, ("types", vocab_id), lambda: select_rows(store, query, bindings))
    labels: dict[str, list[Term]] = defaultdict(list)
    supers: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        t = str(row["t"])
        labels.setdefault(t, [])
        if "l" in row:
            labels[t].append(row["l"])
        if "sup" in row:
            supers[t].add(str(row["sup"]))
    for builtin in (SKOS_NS + "Concept", SKOS_NS + "Collection"):
        labels.setdefault(builtin, [])
    result = []
    for t, values in labels.items():
        ref = make_ref(t, values, lang)
        result.append(TypeInfo(t, ref.label, ref.lang, min(supers[t]) if supers[t] else None))
    order = {SKOS_NS + "Concept": 0, SKOS_NS + "Collection": 1}
    return sorted(result, key=lambda t: (order.get(t.iri, 2), t.iri))


def statistics(store: Store, vocab_id: str, lang: str | None = None) -> list[TypeCount] | None:
    """Counts of concepts, collections and each other class of a vocabulary (deprecated apart)."""
    scheme = scheme_node(store, vocab_id)
    if scheme is None:
        return None

    def compute() -> list[tuple[str, int, int]]:
        rows = select_rows(
            store,
            SPARQL_PREFIXES
            + f"""SELECT ?t (COUNT(DISTINCT ?c) AS ?n) (COUNT(DISTINCT ?d) AS ?dn) WHERE {{
  {{ {IN_SCHEME} }} UNION {{ {COLLECTIONS} }}
  ?c a ?t .
  OPTIONAL {{ ?c owl:deprecated true BIND(?c AS ?d) }}
}} GROUP BY ?t""",
            {"s": scheme},
        )
        return [(str(r["t"]), int(r["n"]), int(r["dn"])) for r in rows]

    counts = memo(store, ("statistics", str(scheme)), compute)
    # The concepts row is the one count of a scheme's concepts (the home page's, VoID's...),
    # not the members typed skos:Concept: STW types its deprecated concepts with subclasses.
    total, deprecated = concept_count(store, str(scheme)), deprecated_count(store, str(scheme))
    counts = [(t, n, dn) for t, n, dn in counts if t != SKOS_NS + "Concept"]
    counts.append((SKOS_NS + "Concept", total, deprecated))
    infos = {t.iri: t for t in types(store, vocab_id, lang) or []}
    result = [TypeCount(t, infos[t].label if t in infos else t, n, dn) for t, n, dn in counts]
    order = {SKOS_NS + "Concept": 0, SKOS_NS + "Collection": 1}
    return sorted(result, key=lambda c: (order.get(c.iri, 2), c.iri))


def label_statistics(store: Store, vocab_id: str) -> list[LabelCount] | None:
    """Preferred, alternative and hidden labels of a vocabulary's concepts, per language."""
    scheme = scheme_node(store, vocab_id)
    if scheme is None:
        return None

    def compute() -> list[LabelCount]:
        # One branch per predicate: with `?c ?p ?l VALUES ?p {...}` the engine read every
        # statement of each member (1.8 s for STW beside 2 million triples, 0.8 s this way).
        rows = select_rows(
            store,
            SPARQL_PREFIXES
            + f"""SELECT ?lang ?p (COUNT(?l) AS ?n) WHERE {{
  {IN_SCHEME}
  {{ ?c skos:prefLabel ?l BIND(skos:prefLabel AS ?p) }}
  UNION {{ ?c skos:altLabel ?l BIND(skos:altLabel AS ?p) }}
  UNION {{ ?c skos:hiddenLabel ?l BIND(skos:hiddenLabel AS ?p) }}
  BIND(LANG(?l) AS ?lang)
}} GROUP BY ?lang ?p""",
            {"s": scheme},
        )
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for row in rows:
            counts[str(row["lang"])][str(row["p"])[len(SKOS_NS) :]] = int(row["n"])
        return [
            LabelCount(lang, c.get("prefLabel", 0), c.get("altLabel", 0), c.get("hiddenLabel", 0))
            for lang, c in sorted(counts.items())
        ]

    return memo(store, ("label-statistics", str(scheme)), compute)


def list_concepts(
    store: Store, vocab_id: str, *, limit: int = 100, offset: int = 0
) -> ConceptPage | None:
    """One page of a vocabulary's concepts in IRI order, for harvesting, with the total."""
    scheme = scheme_node(store, vocab_id)
    if scheme is None:
        return None
    # A slice of the sorted list of the scheme's concepts, labelled by one bound query: the
    # engine's ORDER BY ... OFFSET sorted every IRI of the scheme for each page.
    members = scheme_concepts(store, str(scheme))
    chosen = list(members[max(0, offset) : max(0, offset) + max(0, limit)])
    if not chosen:
        return ConceptPage(len(members), ())
    values, bindings = values_block("c", chosen)
    rows = select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT ?c ?l ?m WHERE {{
  {values}
  OPTIONAL {{ ?c skos:prefLabel ?l }} OPTIONAL {{ ?c dct:modified ?m }}
}}""",
        bindings,
    )
    labels: dict[str, dict[str, str]] = {}
    modified: dict[str, str] = {}
    for row in rows:
        iri = str(row["c"])
        entry = labels.setdefault(iri, {})
        if "l" in row:
            entry.setdefault(getattr(row["l"], "language", None) or "", str(row["l"]))
        if "m" in row:
            modified[iri] = max(modified.get(iri, ""), str(row["m"]))
    for iri in chosen:
        labels.setdefault(iri, {})
    items = tuple(ConceptListing(iri, labels[iri], modified.get(iri)) for iri in chosen)
    return ConceptPage(len(members), items)


def changes(
    store: Store,
    vocab_id: str,
    which: str,
    lang: str | None = None,
    *,
    offset: int = 0,
    limit: int = 200,
) -> list[Change] | None:
    """Concepts by date of creation (`which`="created") or modification, newest first."""
    scheme = scheme_node(store, vocab_id)
    if scheme is None:
        return None
    rows = select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT ?c (MAX(STR(?d)) AS ?date) (SAMPLE(?dep) AS ?deprecated) WHERE {{
  {IN_SCHEME} ?c dct:{"created" if which == "created" else "modified"} ?d .
  OPTIONAL {{ ?c owl:deprecated ?dep }}
}} GROUP BY ?c ORDER BY DESC(?date) ?c {page_clause(limit, offset)}""",
        {"s": scheme},
    )
    if not rows:
        return []
    details = _labels_of(store, [str(r["c"]) for r in rows], lang, with_replacements=True)
    result = []
    for row in rows:
        iri = str(row["c"])
        labels, replaced = details.get(iri, ([], []))
        text, text_lang = text_of(labels, lang) or (iri, "")
        deprecated = str(row.get("deprecated", "")).lower() in {"true", "1"}
        result.append(Change(iri, text, text_lang, str(row["date"]), deprecated, tuple(replaced)))
    return result


def _labels_of(
    store: Store, iris: list[str], lang: str | None, *, with_replacements: bool = False
) -> dict[str, tuple[list[Term], list[Ref]]]:
    """Preferred labels (and replacements) of a few IRIs in one query, bound one by one."""
    if not iris:
        return {}
    values, bindings = values_block("c", iris)
    extra = (
        "UNION { ?c dct:isReplacedBy ?r OPTIONAL { ?r skos:prefLabel ?rl } }"
        if with_replacements
        else ""
    )
    rows = select_rows(
        store,
        SPARQL_PREFIXES
        + f"SELECT ?c ?l ?r ?rl WHERE {{ {values} {{ ?c skos:prefLabel ?l }} {extra} }}",
        bindings,
    )
    labels: dict[str, list[Term]] = defaultdict(list)
    repl: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if "l" in row:
            labels[str(row["c"])].append(row["l"])
        if "r" in row:
            bucket = repl[str(row["c"])][str(row["r"])]
            if "rl" in row:
                bucket.append(row["rl"])
    return {
        iri: (labels.get(iri, []), [make_ref(r, v, lang) for r, v in repl.get(iri, {}).items()])
        for iri in iris
    }


@dataclass(frozen=True)
class DatedChange:
    """A concept in the changes page: created (`is_new`) or modified on its date."""

    change: Change
    is_new: bool


@dataclass(frozen=True)
class MonthOfChanges:
    """The concepts created or modified in one month ("2024-05"), newest first."""

    month: str
    items: tuple[DatedChange, ...]


def changes_by_month(
    store: Store, vocab_id: str, lang: str | None = None, *, limit: int = 200
) -> list[MonthOfChanges] | None:
    """New and modified concepts of a vocabulary grouped by month, newest first (a concept
    modified the day it was created is listed once, as new); None for an unknown id."""
    created = changes(store, vocab_id, "created", lang, limit=limit)
    modified = changes(store, vocab_id, "modified", lang, limit=limit)
    if created is None or modified is None:
        return None
    new_on = {(c.iri, c.date[:10]) for c in created}
    items = [DatedChange(c, True) for c in created] + [
        DatedChange(c, False) for c in modified if (c.iri, c.date[:10]) not in new_on
    ]
    items.sort(key=lambda item: (item.change.date, item.is_new, item.change.iri), reverse=True)
    months: dict[str, list[DatedChange]] = {}
    for item in items[:limit]:
        months.setdefault(item.change.date[:7], []).append(item)
    return [MonthOfChanges(month, tuple(found)) for month, found in months.items()]
