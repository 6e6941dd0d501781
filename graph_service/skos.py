"""SKOS questions asked of the store (schemes, concepts, labels), answered with dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from .labels import pick
from .namespaces import BASE
from .store import EmbeddedStore

PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


@dataclass(frozen=True)
class SchemeSummary:
    """A concept scheme as listed on the home page and in /rest/v1/vocabularies."""

    iri: str
    vocab_id: str
    title: str
    title_lang: str
    description: str
    concept_count: int
    top_concept_count: int


def vocab_id_of(scheme_iri: str) -> str:
    """The vocabulary id of a scheme: its local name in our namespace, else a slug of its IRI."""
    if scheme_iri.startswith(BASE):
        return scheme_iri[len(BASE) :].strip("/").replace("/", "-")
    tail = scheme_iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return tail or "vocabulary"


def list_schemes(store: EmbeddedStore, lang: str | None = None) -> list[SchemeSummary]:
    """Every concept scheme with its title in `lang` (with fallbacks) and its concept counts."""
    counts = store.select(
        PREFIXES
        + """SELECT ?scheme (COUNT(DISTINCT ?c) AS ?n) (COUNT(DISTINCT ?top) AS ?tops) WHERE {
  ?scheme a skos:ConceptScheme .
  OPTIONAL { ?c skos:inScheme ?scheme }
  OPTIONAL { { ?scheme skos:hasTopConcept ?top } UNION { ?top skos:topConceptOf ?scheme } }
} GROUP BY ?scheme"""
    )
    texts = store.select(
        PREFIXES
        + """SELECT ?scheme ?kind ?text WHERE {
  ?scheme a skos:ConceptScheme .
  { ?scheme dct:title ?text BIND("title" AS ?kind) }
  UNION { ?scheme skos:prefLabel ?text BIND("title" AS ?kind) }
  UNION { ?scheme rdfs:label ?text BIND("title" AS ?kind) }
  UNION { ?scheme dct:description ?text BIND("description" AS ?kind) }
}"""
    )
    grouped: dict[tuple[str, str], list] = {}
    for row in texts:
        grouped.setdefault((str(row["scheme"]), str(row["kind"])), []).append(row["text"])
    schemes = []
    for row in counts:
        iri = str(row["scheme"])
        title = pick(grouped.get((iri, "title"), []), lang)
        description = pick(grouped.get((iri, "description"), []), lang)
        schemes.append(
            SchemeSummary(
                iri=iri,
                vocab_id=vocab_id_of(iri),
                title=str(title) if title is not None else vocab_id_of(iri),
                title_lang=(title.language or "") if title is not None else "",
                description=str(description) if description is not None else "",
                concept_count=int(row["n"]),
                top_concept_count=int(row["tops"]),
            )
        )
    return sorted(schemes, key=lambda s: _scheme_order(s.iri))


def _scheme_order(iri: str) -> tuple[int, str]:
    """Our own schemes first, in the order of the vocabulary, then others by IRI."""
    from .namespaces import SCHEME_IDS

    local = iri[len(BASE) :] if iri.startswith(BASE) else None
    if local in SCHEME_IDS:
        return (SCHEME_IDS.index(local), iri)
    return (len(SCHEME_IDS), iri)


def scheme_exists(store: EmbeddedStore, scheme_iri: str) -> bool:
    """Whether a concept scheme with this IRI is in the store."""
    return store.ask(
        PREFIXES + "ASK { $s a skos:ConceptScheme }", {"s": URIRef(scheme_iri)}
    )
