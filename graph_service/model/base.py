"""The model's building blocks: query answers as light terms, a memo per data version, the
dataclasses every question shares (Label, Ref, Mapping, Property), and the SPARQL prefixes."""

from __future__ import annotations

import json
import threading
import weakref
from collections import abc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rdflib import URIRef
from rdflib.term import Node

from graph_service.labels import best_language
from graph_service.namespaces import SKOS_NS, sparql_prefixes
from graph_service.search.index import indexed_concept
from graph_service.store import Store
from graph_service.store.terms import bind
from graph_service.text import fold

T = TypeVar("T")

#: The prefix header of every query of the model: the namespaces its queries name.
SPARQL_PREFIXES = sparql_prefixes("skos", "dct", "dcat", "rdfs", "owl", "rdf", "pdvo")


# --- per-version memo: answers that only change when the data does ------------------------

_memo: weakref.WeakKeyDictionary[Store, tuple[str, dict]] = weakref.WeakKeyDictionary()
_memo_lock = threading.Lock()


def _current_answers(store: Store) -> dict:
    """The answers kept for the store's current data version (a new version starts empty)."""
    version = store.version
    with _memo_lock:
        entry = _memo.get(store)
        if entry is None or entry[0] != version:
            entry = (version, {})
            _memo[store] = entry
    return entry[1]


def memo(store: Store, key: tuple, compute: Callable[[], T]) -> T:
    """Compute once per data version of the store (forgotten as soon as the version changes)."""
    cache = _current_answers(store)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def remembered(store: Store, version: str, key: tuple) -> object | None:
    """What `memo` keeps under `key` for that data version of the store, if it still does."""
    with _memo_lock:
        entry = _memo.get(store)
    if entry is None or entry[0] != version:
        return None
    return entry[1].get(key)


def remember(store: Store, key: tuple, value: object) -> None:
    """Keep `value` under `key` for the store's current data version, as `memo` would."""
    _current_answers(store)[key] = value


# --- fast answers: engine-side JSON instead of one rdflib object per term ---------------------


class Iri(str):
    """An IRI in a query answer (a plain string that knows it is an IRI)."""


class Blank(str):
    """A blank node in a query answer."""


class Lit(str):
    """A literal in a query answer: its text, with `language` and `datatype` ("" when none)."""

    language: str
    datatype: str

    def __new__(cls, value: str, language: str = "", datatype: str = "") -> Lit:
        obj = super().__new__(cls, value)
        obj.language = language
        obj.datatype = datatype
        return obj

    def __eq__(self, other: object) -> bool:
        # "Gamma"@fr and "Gamma"@en are two labels, not one.
        if isinstance(other, Lit):
            same = str.__eq__(self, other)
            return same and (self.language, self.datatype) == (other.language, other.datatype)
        return str.__eq__(self, other)

    __hash__ = str.__hash__


Term = Iri | Lit | Blank


def _term(binding: dict[str, str]) -> Term:
    kind = binding["type"]
    if kind == "uri":
        return Iri(binding["value"])
    if kind in {"literal", "typed-literal"}:
        return Lit(binding["value"], binding.get("xml:lang", ""), binding.get("datatype", ""))
    return Blank(binding["value"])


def rows(
    store: Store, query: str, bindings: abc.Mapping[str, Node] | None = None
) -> list[dict[str, Term]]:
    """Run one of our SELECT queries; rows map variables to Iri, Lit or Blank (unbound absent).

    The engine serialises the answer to JSON and the standard library parses it: an order of
    magnitude faster than building rdflib terms, which matters on pages with many neighbours.
    """
    answer = store.query_serialized(bind(query, bindings), result_format="json")
    parsed = json.loads(answer.body)
    return [
        {name: _term(value) for name, value in solution.items()}
        for solution in parsed["results"]["bindings"]
    ]


def truthy(term: object) -> bool:
    """Whether an answer's boolean literal is true."""
    return term is not None and str(term).lower() in {"true", "1"}


def values_block(variable: str, iris: Sequence[str]) -> tuple[str, dict[str, Node]]:
    """`VALUES ?variable { $variable0 $variable1 ... }` and the bindings that fill it: each IRI
    is bound (escaped by the engine), never pasted into the query text."""
    names = [f"{variable}{n}" for n in range(len(iris))]
    placeholders = " ".join(f"${name}" for name in names)
    return f"VALUES ?{variable} {{ {placeholders} }}", {
        name: URIRef(iri) for name, iri in zip(names, iris, strict=True)
    }


def page_clause(limit: int, offset: int) -> str:
    """A LIMIT/OFFSET clause from integers (never from text), negative values taken as 0."""
    return f"LIMIT {max(0, int(limit))} OFFSET {max(0, int(offset))}"


def best_for_language(
    items: Iterable[T], language: Callable[[T], str], lang: str | None
) -> T | None:
    """The item in `lang`, then in the default languages, then untagged, then any (the first
    of each language wins): the one fallback rule of every label the model picks."""
    by_lang: dict[str, T] = {}
    for item in items:
        by_lang.setdefault(language(item).lower(), item)
    code = best_language(by_lang, lang)
    return None if code is None else by_lang[code]


def pick_lit(values: Iterable[object], lang: str | None = None) -> Lit | None:
    """The literal best fitting `lang` (the alphabetically first of its language)."""
    literals = sorted((v for v in values if isinstance(v, Lit)), key=str)
    return best_for_language(literals, lambda literal: literal.language, lang)


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


MAPPING_KINDS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
#: Labels of SKOS classes, which vocabularies do not label themselves.
SKOS_CLASS_LABELS = {
    SKOS_NS + "Concept": {"fr": "Concept", "en": "Concept"},
    SKOS_NS + "Collection": {"fr": "Collection", "en": "Collection"},
    SKOS_NS + "OrderedCollection": {"fr": "Collection ordonnée", "en": "Ordered collection"},
    SKOS_NS + "ConceptScheme": {"fr": "Schéma de concepts", "en": "Concept scheme"},
}
#: The properties a label is read from: preferred label, title, rdfs:label.
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
    return (fold(ref.label), ref.iri)


def kind_of(store: Store, iri: str) -> str | None:
    """What an IRI is in the store: concept, scheme, collection, resource, other; None if absent."""
    if indexed_concept(store, iri):
        # The search index of this very version knows its concepts: a lookup of microseconds
        # where the query took about 1 ms of each concept page at 100k concepts.
        return "concept"
    found = rows(
        store,
        SPARQL_PREFIXES
        + """SELECT ?t ?any ?res WHERE {
  OPTIONAL { $s a ?t }
  BIND(EXISTS { $s ?p ?o } AS ?any)
  BIND(EXISTS { $s dct:subject|dct:spatial|dct:isPartOf|dct:hasPart|dct:issued ?z } AS ?res)
}""",
        {"s": URIRef(iri)},
    )
    types = {str(r["t"]) for r in found if "t" in r}
    if SKOS_NS + "Concept" in types:
        return "concept"
    if SKOS_NS + "ConceptScheme" in types:
        return "scheme"
    if SKOS_NS + "Collection" in types or SKOS_NS + "OrderedCollection" in types:
        return "collection"
    if not found or not truthy(found[0].get("any")):
        return None
    return "resource" if truthy(found[0].get("res")) else "other"


def concept_exists(store: Store, iri: str) -> bool:
    """Whether the IRI is a skos:Concept in the store."""
    return store.ask(SPARQL_PREFIXES + "ASK { $c a skos:Concept }", {"c": URIRef(iri)})


def has_statements(store: Store) -> bool:
    """Whether the store holds any statement (asking it also proves that the store answers)."""
    return store.ask("ASK { ?s ?p ?o }")
