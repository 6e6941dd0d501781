"""Territory pages' questions (no Flask): resources about a territory or under it, and the
contrats de ville piloted in it (region > département > EPCI > commune)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from graph_service.model.base import SPARQL_PREFIXES, Ref, page_clause, values_block
from graph_service.model.base import rows as select_rows
from graph_service.model.browse import labels_for
from graph_service.model.place_names import display_label, display_labels, qualified
from graph_service.model.resources import ResourcePage, summaries
from graph_service.model.tree import DOWN, UP
from graph_service.namespaces import PDVO_NS
from graph_service.store import Store

#: Classes that make a concept a territory page (region > département > EPCI > commune).
TERRITORY_CLASSES = tuple(PDVO_NS + c for c in ("Pays", "Region", "Departement", "EPCI", "Commune"))
CONTRAT_CLASS = PDVO_NS + "ContratDeVille"
#: Priority neighbourhoods (QPV 2024), under their communes, once a public list is at hand.
QPV_CLASS = PDVO_NS + "QuartierPrioritaire"
#: The display labels of territories live in model/place_names.py (concept.py needs them too).
__all__ = [
    "CONTRAT_CLASS",
    "QPV_CLASS",
    "TERRITORY_CLASSES",
    "Contrat",
    "TerritoryGroup",
    "contrats_de_ville",
    "display_label",
    "display_labels",
    "group_by_class",
    "qualified",
    "territory_resources",
]


#: The order of the groups of a territory's children: a département has its EPCI and its
#: communes (a commune is directly under its département and under its EPCI), a commune its QPV.
GROUP_ORDER = (*TERRITORY_CLASSES[1:], QPV_CLASS, CONTRAT_CLASS)


@dataclass(frozen=True)
class TerritoryGroup:
    """The children of a territory of one class (its local name: "EPCI", "Commune"...; "" for
    children of no territory class), in the order they came."""

    kind: str
    refs: tuple[Ref, ...]


@dataclass(frozen=True)
class Contrat:
    """A contrat de ville and the EPCI that pilots it; `how` says how it concerns the territory."""

    ref: Ref
    pilots: tuple[Ref, ...]
    how: str  # "in": piloted in or by the territory; "epci": by the commune's EPCI


def territory_resources(
    store: Store, territory_iri: str, lang: str | None, *, limit: int = 10, offset: int = 0
) -> ResourcePage:
    """Resources about a territory or any territory under it, newest first, one page of them."""
    bindings: dict[str, Node] = {"t": URIRef(territory_iri)}
    # Walked down from the bound territory: about twice as fast as up from every place.
    where = f"$t {DOWN}* ?sp . ?r dct:spatial ?sp ."
    total = select_rows(
        store, SPARQL_PREFIXES + f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ {where} }}", bindings
    )
    page = select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT ?r (MAX(STR(?d)) AS ?date) WHERE {{
  {where} OPTIONAL {{ ?r dct:issued ?d }}
}} GROUP BY ?r ORDER BY DESC(?date) ?r {page_clause(limit, offset)}""",
        bindings,
    )
    items = summaries(store, [str(r["r"]) for r in page], lang)
    return ResourcePage(int(total[0]["n"]) if total else 0, offset, limit, tuple(items))


def contrats_de_ville(store: Store, territory_iri: str, lang: str | None) -> list[Contrat]:
    """Contrats de ville of a territory: piloted by it (EPCI) or by an EPCI in it (région,
    département), or, for a commune, by its EPCI."""
    found = select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT DISTINCT ?cv ?e ?how WHERE {{
  {{ ?cv a pdvo:ContratDeVille ; pdvo:pilote|skos:related ?e . ?e {UP}* $t BIND("in" AS ?how) }}
  UNION {{ $t {UP} ?e . ?cv pdvo:pilote|skos:related ?e ; a pdvo:ContratDeVille
           BIND("epci" AS ?how) }}
}}""",
        {"t": URIRef(territory_iri)},
    )
    found = [r for r in found if str(r["e"]) != str(r["cv"])]
    refs = labels_for(store, [str(r[k]) for r in found for k in ("cv", "e")], lang)
    pilots: dict[str, set[str]] = defaultdict(set)
    how: dict[str, str] = {}
    for row in found:
        pilots[str(row["cv"])].add(str(row["e"]))
        if how.get(str(row["cv"])) != "in":
            how[str(row["cv"])] = str(row["how"])
    contrats = [
        Contrat(refs[cv], tuple(sorted((refs[e] for e in es), key=lambda r: r.label)), how[cv])
        for cv, es in pilots.items()
    ]
    return sorted(contrats, key=lambda c: (c.ref.notation or "", c.ref.label, c.ref.iri))


def group_by_class(store: Store, refs: tuple[Ref, ...]) -> list[TerritoryGroup]:
    """A territory's children grouped by territory class, in GROUP_ORDER (one query)."""
    if not refs:
        return []
    values, bindings = values_block("c", [r.iri for r in refs])
    classes = ", ".join(f"<{c}>" for c in GROUP_ORDER)
    found = select_rows(
        store,
        SPARQL_PREFIXES + f"SELECT ?c ?t WHERE {{ {values} ?c a ?t FILTER(?t IN ({classes})) }}",
        bindings,
    )
    rank = {c: n for n, c in enumerate(GROUP_ORDER)}
    kind_of: dict[str, str] = {}
    for row in found:  # a child of two classes goes with the first in GROUP_ORDER
        iri, cls = str(row["c"]), str(row["t"])
        if iri not in kind_of or rank[cls] < rank[kind_of[iri]]:
            kind_of[iri] = cls
    groups: dict[str, list[Ref]] = defaultdict(list)
    for ref in refs:
        groups[kind_of.get(ref.iri, "")].append(ref)
    ordered = sorted(groups, key=lambda c: rank.get(c, len(rank)))
    return [TerritoryGroup(c.rsplit("#", 1)[-1], tuple(groups[c])) for c in ordered]
