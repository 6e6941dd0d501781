"""The list of every resource (/resources): filtered by type, theme, territory and year, paged,
with the counts of each facet over the filtered set (answered without Flask).

A resource is what has an issue date (dct:issued: shapes/resources.ttl asks exactly one of every
resource) and is no concept scheme: an imported scheme states dct:issued, dct:subject and
dct:type too, and is a vocabulary, not a resource. Attachments (dct:isPartOf) are resources of
their own. Each question is one aggregate or one sorted page in the engine, the closures of a
type or a territory bound as VALUES (walked per resource, they cost seconds at 50,000).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph_service.model.base import SPARQL_PREFIXES, Ref, memo, page_clause, values_block
from graph_service.model.base import rows as select_rows
from graph_service.model.browse import Counted, labels_for
from graph_service.model.place_names import qualify_refs
from graph_service.model.resources import ResourcePage, summaries
from graph_service.model.schemes import schemes
from graph_service.model.tree import narrower_closure
from graph_service.namespaces import BASE
from graph_service.store import Store

#: The scheme whose concepts are the themes of the theme facet.
THEMES_SCHEME = BASE + "thematiques"
#: Values shown per facet (the most frequent first); the years are all shown.
FACET_SIZE = 12


@dataclass(frozen=True)
class ResourceFilters:
    """What the list is narrowed to (None: no filter of that kind)."""

    type: str | None = None
    theme: str | None = None
    territory: str | None = None
    year: str | None = None

    def active(self) -> bool:
        """Whether any filter is set."""
        return any((self.type, self.theme, self.territory, self.year))


@dataclass(frozen=True)
class ResourceFacets:
    """Counts of the filtered resources by type, theme, territory and year of issue."""

    types: tuple[Counted, ...]
    themes: tuple[Counted, ...]
    territories: tuple[Counted, ...]
    years: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ResourceListing:
    """One page of the resource list, its facets and the labels of the chosen filters."""

    page: ResourcePage
    facets: ResourceFacets
    chosen: dict[str, Ref]


def _where(store: Store, filters: ResourceFilters) -> tuple[str, dict[str, Node]]:
    """The graph pattern binding ?r to the resources the filters keep (?d: its issue date)."""
    clauses: list[str] = []
    bindings: dict[str, Node] = {}
    if filters.type:
        # A type keeps its narrower types' resources ("Publication" lists the guides).
        values, bound = values_block("ft", narrower_closure(store, filters.type))
        clauses.append(f"{values} ?r dct:type ?ft .")
        bindings.update(bound)
    if filters.theme:
        clauses.append("?r dct:subject $theme .")
        bindings["theme"] = URIRef(filters.theme)
    if filters.territory:
        # About that territory or any territory under it (a commune of the département...).
        values, bound = values_block("fsp", narrower_closure(store, filters.territory))
        clauses.append(f"{values} ?r dct:spatial ?fsp .")
        bindings.update(bound)
    clauses.append("?r dct:issued ?d .")
    if filters.year:
        clauses.append("FILTER(STRSTARTS(STR(?d), $year))")
        bindings["year"] = Literal(filters.year)
    scheme_iris = [s.iri for s in schemes(store)]
    if scheme_iris:
        # A filter on a handful of bound IRIs: a MINUS or NOT EXISTS made the sort 10x slower.
        names = [f"scheme{n}" for n in range(len(scheme_iris))]
        clauses.append(f"FILTER(?r NOT IN ({', '.join(f'${n}' for n in names)}))")
        bindings.update({n: URIRef(iri) for n, iri in zip(names, scheme_iris, strict=True)})
    return "\n  ".join(clauses), bindings


def _counted(
    store: Store, where: str, bindings: dict[str, Node], value: str, lang: str | None
) -> tuple[Counted, ...]:
    """The most frequent values of one facet (`value` binds ?v from ?r) with their labels."""
    found = select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT ?v (COUNT(DISTINCT ?r) AS ?n) WHERE {{
  {where}
  {value}
}} GROUP BY ?v ORDER BY DESC(?n) ?v LIMIT {FACET_SIZE}""",
        bindings,
    )
    counts = {str(r["v"]): int(r["n"]) for r in found}
    refs = labels_for(store, list(counts), lang)
    # Territories: a namesake commune with its département ("Dury (Somme)").
    refs.update((r.iri, r) for r in qualify_refs(store, refs.values(), lang))
    return tuple(
        sorted(
            (Counted(refs[v], n) for v, n in counts.items()), key=lambda c: (-c.count, c.ref.label)
        )
    )


def list_resources(
    store: Store,
    filters: ResourceFilters,
    lang: str | None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> ResourceListing:
    """One page of the resources the filters keep, newest first, and the facets of all of them
    (total and facets remembered per data version: the same lists are asked again and again)."""
    where, bindings = _where(store, filters)

    def total() -> int:
        found = select_rows(
            store,
            SPARQL_PREFIXES + f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{\n  {where}\n}}",
            bindings,
        )
        return int(found[0]["n"]) if found else 0

    def facets() -> ResourceFacets:
        years = select_rows(
            store,
            SPARQL_PREFIXES
            + f"""SELECT ?y (COUNT(DISTINCT ?r) AS ?n) WHERE {{
  {where}
  BIND(SUBSTR(STR(?d), 1, 4) AS ?y)
}} GROUP BY ?y ORDER BY DESC(?y)""",
            bindings,
        )
        theme_bindings = {**bindings, "themes": URIRef(THEMES_SCHEME)}
        return ResourceFacets(
            types=_counted(store, where, bindings, "?r dct:type ?v . FILTER(isIRI(?v))", lang),
            themes=_counted(
                store, where, theme_bindings, "?r dct:subject ?v . ?v skos:inScheme $themes", lang
            ),
            territories=_counted(store, where, bindings, "?r dct:spatial ?v", lang),
            years=tuple((str(r["y"]), int(r["n"])) for r in years if str(r["y"]).isdigit()),
        )

    key = (filters, lang)
    count = memo(store, ("resource-total", filters), total)
    counts = memo(store, ("resource-facets", key), facets)
    start = max(0, offset)
    page = select_rows(
        store,
        SPARQL_PREFIXES
        # By date alone: a second key (?r) made the engine sort every resource by IRI text,
        # 1.5 s instead of 0.3 s at 50,000; ties keep the store's order, the same from page to
        # page of one data version.
        + f"SELECT DISTINCT ?r ?d WHERE {{\n  {where}\n}} ORDER BY DESC(?d) "
        + page_clause(limit, start),
        bindings,
    )
    items = summaries(store, list(dict.fromkeys(str(r["r"]) for r in page)), lang)
    chosen_iris = {
        name: iri
        for name, iri in (
            ("type", filters.type),
            ("theme", filters.theme),
            ("territory", filters.territory),
        )
        if iri
    }
    refs = labels_for(store, list(chosen_iris.values()), lang)
    return ResourceListing(
        ResourcePage(count, start, limit, tuple(items)),
        counts,
        {name: refs[iri] for name, iri in chosen_iris.items()},
    )


def resources_by_type(
    store: Store,
    type_iri: str,
    lang: str | None,
    *,
    include_narrower: bool = True,
    limit: int = 10,
    offset: int = 0,
) -> ResourcePage:
    """The resources of one type (dct:type), and of its narrower types if asked, newest first:
    a type concept is the object of dct:type, not of dct:subject."""
    types = narrower_closure(store, type_iri) if include_narrower else [type_iri]
    values, bindings = values_block("t", types)
    where = f"{values} ?r dct:type ?t . OPTIONAL {{ ?r dct:issued ?d }}"
    found = select_rows(
        store, SPARQL_PREFIXES + f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ {where} }}", bindings
    )
    page = select_rows(
        store,
        SPARQL_PREFIXES
        # Undated resources last (unbound sorts lowest); ties in the store's order.
        + f"SELECT DISTINCT ?r ?d WHERE {{ {where} }} ORDER BY DESC(?d) "
        + page_clause(limit, offset),
        bindings,
    )
    total = int(found[0]["n"]) if found else 0
    items = summaries(store, list(dict.fromkeys(str(r["r"]) for r in page)), lang)
    return ResourcePage(total, offset, limit, tuple(items))


def is_type_concept(store: Store, iri: str, schemes: Collection[str] | None = None) -> bool:
    """Whether resources point at this concept with dct:type (a resource type), or it is in
    our scheme of resource types; `schemes`: its schemes when the caller has them (a concept
    page): one lookup less (the ASK with both branches cost 0.3 ms, the dct:type one 0.05)."""
    types = BASE + "types"
    if schemes is not None:
        if types in schemes:
            return True
        return store.ask(SPARQL_PREFIXES + "ASK { ?r dct:type $c }", {"c": URIRef(iri)})
    return store.ask(
        SPARQL_PREFIXES + "ASK { { ?r dct:type $c } UNION { $c skos:inScheme $types } }",
        {"c": URIRef(iri), "types": URIRef(types)},
    )
