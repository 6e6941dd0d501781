"""Which IRIs have their pages rendered ahead (web/prerender): every scheme, then every concept."""

from __future__ import annotations

from graph_service.model.base import SPARQL_PREFIXES, Iri, rows
from graph_service.store import Store


def pages_to_render(store: Store) -> list[str]:
    """The IRIs of the store's schemes, then of its concepts (top concepts first: the most
    visited, and the first reached after a write), each once."""
    found = rows(
        store,
        SPARQL_PREFIXES
        + """SELECT ?s ?rank WHERE {
  { ?s a skos:ConceptScheme BIND(0 AS ?rank) }
  UNION { ?s a skos:Concept
          FILTER EXISTS { ?s skos:topConceptOf|^skos:hasTopConcept ?any } BIND(1 AS ?rank) }
  UNION { ?s a skos:Concept BIND(2 AS ?rank) }
}""",
    )
    ranked: dict[str, int] = {}
    for row in found:
        if isinstance(row["s"], Iri):  # blank nodes have no page
            iri, rank = str(row["s"]), int(str(row["rank"]))
            ranked[iri] = min(rank, ranked.get(iri, rank))
    return sorted(ranked, key=lambda iri: ranked[iri])
