"""The label to show of a territory: a namesake commune is qualified by its département
("Dury (Somme)": 113 communes of the region share their name with another one)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from graph_service.model.base import SPARQL_PREFIXES, Ref, Term, memo, pick_lit, rows
from graph_service.store import Store

#: Communes that share a preferred label with another commune, with the labels of their
#: département (a commune is directly under its département, skos:broader). A join on the
#: label, not FILTER EXISTS: for a département's 784 children, 0.05 s instead of 5.5 s.
_NAMESAKES = """SELECT DISTINCT ?c ?l ?dl WHERE {
  ?c a pdvo:Commune ; skos:prefLabel ?l .
  ?other skos:prefLabel ?l .
  FILTER(?other != ?c)
  ?other a pdvo:Commune .
  ?c skos:broader ?d .
  ?d a pdvo:Departement ; skos:prefLabel ?dl .
  FILTER(LANG(?dl) = LANG(?l))
}"""


def qualified(label: str, departement: str) -> str:
    """A namesake's label with its département: qualified("Dury", "Somme") == "Dury (Somme)"."""
    return f"{label} ({departement})"


def _namesakes(store: Store) -> dict[str, list[tuple[Term, str]]]:
    """Every namesake commune of the store with its labels and their département's label in
    the same language, remembered per data version: one query for the whole store (113
    communes in the committed territories) instead of one per list shown, three on every
    concept page."""

    def compute() -> dict[str, list[tuple[Term, str]]]:
        found: dict[str, list[tuple[Term, str]]] = defaultdict(list)
        for row in rows(store, SPARQL_PREFIXES + _NAMESAKES):
            found[str(row["c"])].append((row["l"], str(row["dl"])))
        return dict(found)

    return memo(store, ("namesakes",), compute)


def display_labels(store: Store, iris: Iterable[str], lang: str | None) -> dict[str, str]:
    """The qualified label, in `lang` (fr, en as fallbacks), of each namesake commune among
    the IRIs; other IRIs are absent: their preferred label is their display label."""
    namesakes = _namesakes(store)
    labels = {}
    for iri in dict.fromkeys(iris):
        pairs = namesakes.get(iri)
        if not pairs:
            continue
        # The last département label of a language wins, as it did when each list had its
        # own query (a commune has one département: one label per language in practice).
        departements = {getattr(label, "language", ""): dl for label, dl in pairs}  # Lit
        best = pick_lit(dict.fromkeys(label for label, _ in pairs), lang)
        if best is not None:
            labels[iri] = qualified(str(best), departements[best.language])
    return labels


def display_label(store: Store, iri: str, label: str, lang: str | None) -> str:
    """The label to show of one concept: `label`, or its qualified form for a namesake."""
    return display_labels(store, [iri], lang).get(iri, label)


def qualify_refs(store: Store, refs: Iterable[Ref], lang: str | None) -> tuple[Ref, ...]:
    """The refs with a namesake commune's label qualified by its département."""
    found = tuple(refs)
    shown = display_labels(store, (r.iri for r in found), lang)
    return tuple(replace(r, label=shown[r.iri]) if r.iri in shown else r for r in found)
