"""SKOS questions asked of the store (schemes, concepts, labels), answered with dataclasses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from .labels import pick
from .namespaces import BASE, SCHEME_IDS
from .skos_base import Blank, Iri, Lit, Term, memo, pick_lit, rows, truthy
from .store import EmbeddedStore

PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
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
    # Counted in two separate groupings: counting concepts and top concepts in one pattern made
    # every (concept, top concept) pair first: 2 million rows and 3.5 s for a scheme of
    # 100,000 concepts and 20 top ones, against 0.07 s this way.
    counts = store.select(
        PREFIXES
        + """SELECT ?scheme ?n ?tops WHERE {
  ?scheme a skos:ConceptScheme .
  OPTIONAL { SELECT ?scheme (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c skos:inScheme ?scheme }
             GROUP BY ?scheme }
  OPTIONAL { SELECT ?scheme (COUNT(DISTINCT ?top) AS ?tops) WHERE {
    { ?scheme skos:hasTopConcept ?top } UNION { ?top skos:topConceptOf ?scheme } }
             GROUP BY ?scheme }
}"""
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
                concept_count=int(row.get("n", 0)),
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


def scheme_exists(store: EmbeddedStore, scheme_iri: str) -> bool:
    """Whether a concept scheme with this IRI is in the store."""
    return store.ask(PREFIXES + "ASK { $s a skos:ConceptScheme }", {"s": URIRef(scheme_iri)})


def schemes(store: EmbeddedStore, lang: str | None = None) -> list[SchemeSummary]:
    """list_schemes, remembered per data version."""
    return memo(store, ("schemes", lang), lambda: list_schemes(store, lang))


def scheme_for_vocab(store: EmbeddedStore, vocab_id: str) -> SchemeSummary | None:
    """The concept scheme with this vocabulary id, or None."""
    return next((s for s in schemes(store) if s.vocab_id == vocab_id), None)


# --- building blocks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """A literal with its language tag ("" when untagged)."""

    value: str
    lang: str


@dataclass(frozen=True)
class Ref:
    """An IRI with the label to show for it in the asked language (the IRI when it has none)."""

    iri: str
    label: str
    lang: str = ""
    notation: str | None = None


@dataclass(frozen=True)
class Mapping:
    """A SKOS mapping from a concept to a concept of another vocabulary."""

    kind: str  # exactMatch, closeMatch, broadMatch, narrowMatch, relatedMatch
    target: Ref


@dataclass(frozen=True)
class Property:
    """Any other statement about a resource: predicate, value and the label of an IRI value."""

    predicate: str
    value: str
    is_iri: bool
    lang: str = ""
    datatype: str = ""
    label: str | None = None


SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MAPPING_KINDS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
#: Labels of SKOS classes, which vocabularies do not label themselves.
SKOS_CLASS_LABELS = {
    SKOS + "Concept": {"fr": "Concept", "en": "Concept"},
    SKOS + "Collection": {"fr": "Collection", "en": "Collection"},
    SKOS + "OrderedCollection": {"fr": "Collection ordonnée", "en": "Ordered collection"},
    SKOS + "ConceptScheme": {"fr": "Schéma de concepts", "en": "Concept scheme"},
}
LABEL_PATH = "skos:prefLabel|dct:title|rdfs:label"


def text_of(values: Iterable[object], lang: str | None) -> tuple[str, str] | None:
    """The best literal for `lang` (with the service's fallbacks) as (text, language)."""
    chosen = pick_lit(values, lang)
    return None if chosen is None else (str(chosen), chosen.language)


def make_ref(
    iri: str, labels: Iterable[object], lang: str | None, notation: str | None = None
) -> Ref:
    """A Ref whose label is the best of `labels`, else a known class label, else the IRI."""
    found = text_of(labels, lang)
    if found is None and iri in SKOS_CLASS_LABELS:
        found = text_of([Lit(v, k) for k, v in SKOS_CLASS_LABELS[iri].items()], lang)
    text, text_lang = found or (iri, "")
    return Ref(iri, text, text_lang, notation)


def label_key(ref: Ref) -> tuple[str, str]:
    """Sort key of refs: by label, ignoring case and accents, then by IRI."""
    from .search import fold

    return (fold(ref.label), ref.iri)


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


def kind_of(store: EmbeddedStore, iri: str) -> str | None:
    """What an IRI is in the store: concept, scheme, collection, resource, other; None if absent."""
    found = rows(
        store,
        PREFIXES
        + """SELECT ?t ?any ?res WHERE {
  OPTIONAL { $s a ?t }
  BIND(EXISTS { $s ?p ?o } AS ?any)
  BIND(EXISTS { $s dct:subject|dct:spatial|dct:isPartOf|dct:hasPart|dct:issued ?z } AS ?res)
}""",
        {"s": URIRef(iri)},
    )
    types = {str(r["t"]) for r in found if "t" in r}
    if SKOS + "Concept" in types:
        return "concept"
    if SKOS + "ConceptScheme" in types:
        return "scheme"
    if SKOS + "Collection" in types or SKOS + "OrderedCollection" in types:
        return "collection"
    if not found or not truthy(found[0].get("any")):
        return None
    return "resource" if truthy(found[0].get("res")) else "other"


def concept_exists(store: EmbeddedStore, iri: str) -> bool:
    """Whether the IRI is a skos:Concept in the store."""
    return store.ask(PREFIXES + "ASK { $c a skos:Concept }", {"c": URIRef(iri)})


# The model is split in modules of readable size; everything is importable from here.
from .skos_concept import Concept, Description, concept_details, describe  # noqa: E402
from .skos_stats import changes, label_statistics, list_concepts, statistics, types  # noqa: E402
from .skos_tree import (  # noqa: E402
    Child,
    HierarchyNode,
    TopConcept,
    TransitiveEntry,
    broader,
    children,
    hierarchy,
    narrower,
    related,
    top_concepts,
    transitive,
)
from .skos_vocab import (  # noqa: E402
    Change,
    ConceptListing,
    ConceptPage,
    Group,
    LabelCount,
    Member,
    TypeCount,
    TypeInfo,
    VocabularyInfo,
    group_members,
    groups,
    languages,
    vocabulary_info,
)

# fmt: off
__all__ = [
    "Blank",
    "Change",
    "Child",
    "Concept",
    "ConceptListing",
    "ConceptPage",
    "Description",
    "Group",
    "HierarchyNode",
    "Iri",
    "Label",
    "LabelCount",
    "Lit",
    "Mapping",
    "Member",
    "Property",
    "Ref",
    "SchemeSummary",
    "Term",
    "TopConcept",
    "TransitiveEntry",
    "TypeCount",
    "TypeInfo",
    "VocabularyInfo",
    "broader",
    "changes",
    "children",
    "concept_details",
    "concept_exists",
    "describe",
    "group_members",
    "groups",
    "hierarchy",
    "kind_of",
    "label_statistics",
    "languages",
    "list_concepts",
    "list_schemes",
    "memo",
    "narrower",
    "pick_lit",
    "related",
    "rows",
    "scheme_exists",
    "scheme_for_vocab",
    "schemes",
    "statistics",
    "top_concepts",
    "transitive",
    "truthy",
    "types",
    "vocab_id_of",
    "vocabulary_info",
]
# fmt: on
