"""The list of every resource (/resources): filtered by type, theme, territory and year, paged,
with the counts of each facet over the filtered set (answered without Flask).

A resource is anything indexed with a concept (dct:subject) or given a type (dct:type) that is
not itself a concept or a concept scheme: an imported scheme states dct:subject and dct:type
too, and is a vocabulary, not a resource. Attachments (dct:isPartOf) are resources of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph_service.model.base import SPARQL_PREFIXES, Ref, memo
from graph_service.model.base import rows as select_rows
from graph_service.model.browse import Counted, labels_for
from graph_service.model.resources import ResourcePage, summaries
from graph_service.model.tree import UP
from graph_service.namespaces import BASE
from graph_service.store import Store

#: The scheme whose concepts are the themes of the theme facet.
THEMES_SCHEME = BASE + "thematiques"
#: Values shown per facet (the most frequent first); the years are all shown.
FACET_SIZE = 12
#: The resources (see the module's docstring), as a sub-select the filters are joined to.
RESOURCES = """{ SELECT DISTINCT ?r WHERE {
    ?r dct:subject|dct:type ?any
    FILTER NOT EXISTS { ?r a skos:ConceptScheme } FILTER NOT EXISTS { ?r a skos:Concept }
  } }"""


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


def _where(filters: ResourceFilters) -> tuple[str, dict[str, Node]]:
    """The graph pattern binding ?r to the resources the filters keep, and its bindings."""
    clauses = [RESOURCES]
    bindings: dict[str, Node] = {}
    if filters.type:
        # A type keeps its narrower types' resources ("Publication" lists the guides).
        clauses.append(f"?r dct:type ?ft . ?ft {UP}* $type .")
        bindings["type"] = URIRef(filters.type)
    if filters.theme:
        clauses.append("?r dct:subject $theme .")
        bindings["theme"] = URIRef(filters.theme)
    if filters.territory:
        # About that territory or any territory under it (a commune of the département...).
        clauses.append(f"?r dct:spatial ?fsp . ?fsp {UP}* $territory .")
        bindings["territory"] = URIRef(filters.territory)
    if filters.year:
        clauses.append("?r dct:issued ?fd . FILTER(SUBSTR(STR(?fd), 1, 4) = $year)")
        bindings["year"] = Literal(filters.year)
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
    (the counts are remembered per data version: the list's first page is asked often)."""
    where, bindings = _where(filters)

    def ordered() -> list[str]:
        found = select_rows(
            store,
            SPARQL_PREFIXES
            + f"""SELECT ?r (MAX(STR(?d)) AS ?date) WHERE {{
  {where}
  OPTIONAL {{ ?r dct:issued ?d }}
}} GROUP BY ?r ORDER BY DESC(?date) ?r""",
            bindings,
        )
        return [str(r["r"]) for r in found]

    def facets() -> ResourceFacets:
        years = select_rows(
            store,
            SPARQL_PREFIXES
            + f"""SELECT ?y (COUNT(DISTINCT ?r) AS ?n) WHERE {{
  {where}
  ?r dct:issued ?d BIND(SUBSTR(STR(?d), 1, 4) AS ?y)
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
    all_iris = memo(store, ("resource-list", key), ordered)
    counts = memo(store, ("resource-facets", key), facets)
    start = max(0, offset)
    items = summaries(store, all_iris[start : start + max(0, limit)], lang)
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
        ResourcePage(len(all_iris), start, limit, tuple(items)),
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
    closure = f"?r dct:type ?t . ?t {UP}* $type ." if include_narrower else "?r dct:type $type ."
    found = select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT ?r (MAX(STR(?d)) AS ?date) WHERE {{
  {closure}
  OPTIONAL {{ ?r dct:issued ?d }}
}} GROUP BY ?r ORDER BY DESC(?date) ?r""",
        {"type": URIRef(type_iri)},
    )
    iris = [str(r["r"]) for r in found]
    page = iris[max(0, offset) : max(0, offset) + max(0, limit)]
    return ResourcePage(len(iris), offset, limit, tuple(summaries(store, page, lang)))


def is_type_concept(store: Store, iri: str) -> bool:
    """Whether resources point at this concept with dct:type (a resource type), or it is in
    our scheme of resource types."""
    return store.ask(
        SPARQL_PREFIXES + "ASK { { ?r dct:type $c } UNION { $c skos:inScheme $types } }",
        {"c": URIRef(iri), "types": URIRef(BASE + "types")},
    )
