"""Concept schemes: the list with titles and counts, lookups by vocabulary id, and the
vocabulary a concept belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from graph_service.model.base import SPARQL_PREFIXES, Term, memo, pick_lit, rows
from graph_service.namespaces import BASE, SCHEME_IDS, vocab_id_of
from graph_service.store import Store


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


#: Stated members and top concepts of a scheme ($s), whatever they are. A sub-select, so that
#: the engine finds them first and joins what follows to them (joined unions can be planned
#: very badly).
SCHEME_MEMBERS = (
    "{ SELECT DISTINCT ?c WHERE { { ?c skos:inScheme $s } UNION { ?c skos:topConceptOf $s } "
    "UNION { $s skos:hasTopConcept ?c } } }"
)


def concepts_of(scheme: str) -> str:
    """The pattern binding ?c to THE concepts of `scheme` (a `$placeholder` or a `?variable`).

    The one definition every count and list uses (home page, scheme page, VoID, REST
    vocabularies, concepts and vocabularyStatistics): stated members and top concepts that are
    not collections, deprecated ones included (counted apart where that count is shown).
    Neither rdf:type nor inference is asked for: STW types its 1,150 deprecated concepts
    zbwext:Descriptor or zbwext:Thsys only (subclasses of skos:Concept), and counting
    `?c a skos:Concept` missed them. MINUS, not FILTER NOT EXISTS: a set difference computed
    once, not a lookup planned again for each of 100,000 rows.
    """
    return (
        f"{{ ?c skos:inScheme {scheme} }} UNION {{ ?c skos:topConceptOf {scheme} }} "
        f"UNION {{ {scheme} skos:hasTopConcept ?c }} "
        "MINUS { ?c a skos:Collection } MINUS { ?c a skos:OrderedCollection }"
    )


#: The concepts of the scheme bound to $s, as a sub-select the engine evaluates first.
SCHEME_CONCEPTS = "{ SELECT DISTINCT ?c WHERE { " + concepts_of("$s") + " } }"


def concept_count(store: Store, scheme_iri: str) -> int:
    """How many concepts a scheme has (concepts_of), remembered per data version; counted for
    every scheme in one grouped query (0.02 s for all of them with STW and UNESCO)."""

    def compute() -> dict[str, int]:
        found = rows(
            store,
            SPARQL_PREFIXES
            + f"""SELECT ?scheme (COUNT(DISTINCT ?c) AS ?n) WHERE {{
  ?scheme a skos:ConceptScheme . {concepts_of("?scheme")}
}} GROUP BY ?scheme""",
        )
        return {str(row["scheme"]): int(row["n"]) for row in found}

    return memo(store, ("concept-counts",), compute).get(scheme_iri, 0)


def deprecated_count(store: Store, scheme_iri: str) -> int:
    """How many of a scheme's concepts are deprecated (owl:deprecated true), per version."""

    def compute() -> int:
        found = rows(
            store,
            SPARQL_PREFIXES
            + f"""SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{
  {SCHEME_CONCEPTS} ?c owl:deprecated true
}}""",
            {"s": URIRef(scheme_iri)},
        )
        return int(found[0]["n"]) if found else 0

    return memo(store, ("deprecated-count", scheme_iri), compute)


def scheme_concepts(store: Store, scheme_iri: str) -> tuple[str, ...]:
    """The IRIs of a scheme's concepts (SCHEME_CONCEPTS) in code-point order, remembered per
    data version: pages of harvesting lists are slices of it (the engine's ORDER BY on IRIs
    took 1.3 s for STW's 7,394 concepts, sorting them here takes milliseconds)."""

    def compute() -> tuple[str, ...]:
        found = rows(
            store,
            SPARQL_PREFIXES + f"SELECT ?c WHERE {{ {SCHEME_CONCEPTS} }}",
            {"s": URIRef(scheme_iri)},
        )
        return tuple(sorted(str(row["c"]) for row in found))

    return memo(store, ("scheme-concepts", scheme_iri), compute)


def list_schemes(store: Store, lang: str | None = None) -> list[SchemeSummary]:
    """Every concept scheme with its title in `lang` (with fallbacks) and its concept counts."""
    # Top concepts counted in a grouping of their own: counting concepts and top concepts in one
    # pattern made every (concept, top concept) pair first: 2 million rows and 3.5 s for a
    # scheme of 100,000 concepts and 20 top ones. Concepts are counted by concept_count, the
    # one definition of a scheme's concepts.
    counts = rows(
        store,
        SPARQL_PREFIXES
        + """SELECT ?scheme ?tops WHERE {
  ?scheme a skos:ConceptScheme .
  OPTIONAL { SELECT ?scheme (COUNT(DISTINCT ?top) AS ?tops) WHERE {
    { ?scheme skos:hasTopConcept ?top } UNION { ?top skos:topConceptOf ?scheme } }
             GROUP BY ?scheme }
}""",
    )
    texts = rows(
        store,
        SPARQL_PREFIXES
        + """SELECT ?scheme ?kind ?text WHERE {
  ?scheme a skos:ConceptScheme .
  { ?scheme dct:title ?text BIND("title" AS ?kind) }
  UNION { ?scheme skos:prefLabel ?text BIND("title" AS ?kind) }
  UNION { ?scheme rdfs:label ?text BIND("title" AS ?kind) }
  UNION { ?scheme dct:description ?text BIND("description" AS ?kind) }
}""",
    )
    grouped: dict[tuple[str, str], list[Term]] = {}
    for row in texts:
        grouped.setdefault((str(row["scheme"]), str(row["kind"])), []).append(row["text"])
    schemes = []
    for row in counts:
        iri = str(row["scheme"])
        title = pick_lit(grouped.get((iri, "title"), []), lang)
        description = pick_lit(grouped.get((iri, "description"), []), lang)
        schemes.append(
            SchemeSummary(
                iri=iri,
                vocab_id=vocab_id_of(iri),
                title=str(title) if title is not None else vocab_id_of(iri),
                title_lang=title.language if title is not None else "",
                description=str(description) if description is not None else "",
                concept_count=concept_count(store, iri),
                top_concept_count=int(row.get("tops", 0)),
            )
        )
    return sorted(schemes, key=lambda s: _scheme_order(s.iri))


def _scheme_order(iri: str) -> tuple[int, str]:
    """Our own schemes first, in the order of the vocabulary, then others by IRI."""
    local = iri[len(BASE) :] if iri.startswith(BASE) else None
    if local in SCHEME_IDS:
        return (SCHEME_IDS.index(local), iri)
    return (len(SCHEME_IDS), iri)


def scheme_exists(store: Store, scheme_iri: str) -> bool:
    """Whether a concept scheme with this IRI is in the store."""
    return store.ask(SPARQL_PREFIXES + "ASK { $s a skos:ConceptScheme }", {"s": URIRef(scheme_iri)})


def schemes(store: Store, lang: str | None = None) -> list[SchemeSummary]:
    """list_schemes, remembered per data version."""
    return memo(store, ("schemes", lang), lambda: list_schemes(store, lang))


def scheme_for_vocab(store: Store, vocab_id: str) -> SchemeSummary | None:
    """The concept scheme with this vocabulary id, or None."""
    return next((s for s in schemes(store) if s.vocab_id == vocab_id), None)


def vocab_of_concept(iri: str, scheme_iris: Iterable[str]) -> str:
    """The vocabulary of a concept: its first scheme in the service's order, else its IRI path."""
    ordered = sorted(scheme_iris, key=_scheme_order)
    if ordered:
        return vocab_id_of(ordered[0])
    if iri.startswith(BASE):
        first = iri[len(BASE) :].split("/", 1)[0]
        if first in SCHEME_IDS:
            return first
    return ""
