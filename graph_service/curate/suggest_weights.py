"""What the label index of suggest derives once per store version: how much each label
discriminates (an idf-like weight), the qualified labels of namesake communes, and link keys."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from graph_service.curate.textmatch import label_key
from graph_service.model.place_names import qualified
from graph_service.namespaces import PDVO_NS, scheme_iri, sparql_prefixes
from graph_service.store import Store

if TYPE_CHECKING:  # the index is built by suggest, which imports this module
    from graph_service.curate.suggest import LabelIndex

#: A label used by every document still keeps this share of its weight.
MIN_DISCRIMINATION = 0.25
#: Longest label (in words) looked for in the documents; longer labels are specific anyway.
MAX_NGRAM = 4
DEPARTEMENT = PDVO_NS + "Departement"
COMMUNE = PDVO_NS + "Commune"
_TERRITORIES = scheme_iri("territoires")

#: The texts of the non-territory concepts (definitions, scope notes) and of the catalogue
#: (titles and descriptions of what is indexed with dct:subject).
_DOCUMENTS = (
    sparql_prefixes("skos", "dct")
    + """SELECT ?d ?t WHERE {
  { ?d a skos:Concept ; skos:definition|skos:scopeNote ?t }
  UNION { ?d dct:subject ?s ; dct:title|dct:description ?t FILTER NOT EXISTS { ?d a skos:Concept } }
}"""
)


def normalise_url(url: str) -> str:
    """A link's comparison key: no scheme, no "www.", no trailing slash, host lower-cased."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    key = host + parts.path.rstrip("/")
    return f"{key}?{parts.query}" if parts.query else key


def _ngrams(text: str) -> set[tuple[str, ...]]:
    keys = label_key(text)
    return {keys[i : i + n] for n in range(1, MAX_NGRAM + 1) for i in range(len(keys) - n + 1)}


def discrimination_weights(store: Store, index: LabelIndex) -> dict[tuple[str, ...], float]:
    """For each label key of a concept outside the territories, a weight in
    [MIN_DISCRIMINATION, 1]: 1 when no other concept's text nor the catalogue uses it, less the
    more documents do (log scale, as idf): "habitants" weighs less than "empowerment"."""
    texts: dict[str, list[str]] = defaultdict(list)
    for row in store.select(_DOCUMENTS):
        texts[str(row["d"])].append(str(row["t"]))
    for concept, labels in index.labels.items():
        if index.scheme.get(concept) != _TERRITORIES:
            texts[concept].extend(label for _kind, label in labels)
    documents = {doc: set().union(*(_ngrams(t) for t in parts)) for doc, parts in texts.items()}
    total = len(documents)
    if total < 2:
        return {}
    frequency: dict[tuple[str, ...], int] = defaultdict(int)
    for grams in documents.values():
        for gram in grams:
            frequency[gram] += 1
    weights = {}
    scale = math.log(total + 1)
    for key, entries in index.entries.items():
        if len(key) > MAX_NGRAM or any(e.capitals for e in entries):
            continue  # long labels are specific; territories are weighed by their context
        owners = {e.concept for e in entries}
        others = frequency.get(key, 0) - sum(1 for o in owners if key in documents.get(o, ()))
        idf = math.log((total + 1) / (max(others, 0) + 1)) / scale
        weights[key] = MIN_DISCRIMINATION + (1 - MIN_DISCRIMINATION) * idf
    return weights


def display_labels(index: LabelIndex) -> dict[str, dict[str, str]]:
    """The qualified labels of namesake communes, by concept and language: "Dury (Somme)"."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for concept, types in index.types.items():
        if COMMUNE in types:
            for label in index.pref.get(concept, []):
                if label.language == "fr":
                    by_name[str(label)].append(concept)
    found: dict[str, dict[str, str]] = {}
    for concepts in by_name.values():
        if len(concepts) < 2:
            continue
        for concept in concepts:
            departement = next(
                (
                    b
                    for b in sorted(index.broader.get(concept, ()))
                    if DEPARTEMENT in index.types[b]
                ),
                None,
            )
            if departement is None:
                continue
            found[concept] = {
                label.language or "": qualified(
                    str(label), _departement_name(index, departement, label.language)
                )
                for label in index.pref.get(concept, [])
            }
    return found


def _departement_name(index: LabelIndex, departement: str, lang: str | None) -> str:
    label = index.label_of(departement, lang)
    return str(label) if label is not None else departement.rsplit("/", 1)[-1]
