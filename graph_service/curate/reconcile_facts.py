"""What reconciliation tells concepts apart by, besides labels: notations (INSEE codes), the
département a territory lies in, and a short description naming it; built once per store version.
"""

from __future__ import annotations

import bisect
import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass

from graph_service.curate.suggest import LabelIndex, get_label_index
from graph_service.curate.textmatch import fold
from graph_service.labels import notation_key
from graph_service.model.schemes import list_schemes
from graph_service.namespaces import PDVO_NS, sparql_prefixes, vocab_id_of
from graph_service.store import Store

DEPARTEMENT = PDVO_NS + "Departement"
COMMUNE = PDVO_NS + "Commune"


@dataclass(frozen=True)
class Departement:
    """A département: its IRI, INSEE code and name."""

    iri: str
    code: str
    name: str

    def keys(self) -> set[str]:
        """Every way a query may name it, folded: IRI, code, name."""
        return {self.iri, fold(self.code), " ".join(fold(self.name).split())}


class ConceptFacts:
    """Notations, départements, class names and scheme titles of every concept of a store."""

    def __init__(self, store: Store, labels: LabelIndex) -> None:
        self.version = store.version
        self.labels = labels
        self.notations: dict[str, list[str]] = defaultdict(list)
        self.by_notation: dict[str, list[str]] = defaultdict(list)
        self.class_names: dict[str, str] = {}
        self.departements: dict[str, Departement] = {}  # by IRI
        self.scheme_titles = {s.iri: s.title for s in list_schemes(store)}
        prefix = sparql_prefixes("skos", "rdfs")
        # The notation shown first is the plain one (a commune's INSEE code before its SIREN),
        # whatever order the engine answers in (Virtuoso's differs from Oxigraph's).
        rows = store.select(prefix + "SELECT ?c ?n WHERE { ?c a skos:Concept ; skos:notation ?n }")
        for row in sorted(rows, key=lambda row: notation_key(row["n"])):
            concept, notation = str(row["c"]), str(row["n"])
            self.notations[concept].append(notation)
            self.by_notation[notation].append(concept)
        for row in store.select(
            prefix + "SELECT DISTINCT ?t ?l WHERE { ?c a skos:Concept, ?t . ?t rdfs:label ?l "
            'FILTER(LANGMATCHES(LANG(?l), "fr")) }'
        ):
            self.class_names[str(row["t"])] = str(row["l"])
        for concept, types in labels.types.items():
            if DEPARTEMENT in types and self.notations.get(concept):
                name = labels.label_of(concept, "fr")
                code = self.notations[concept][0]
                self.departements[concept] = Departement(concept, code, str(name or code))
        self._by_code = {d.code: d for d in self.departements.values()}
        # Sorted keys for prefix look-ups (suggest): IRIs and notations as typed.
        self.sorted_iris = sorted(labels.labels)
        self.sorted_notations = sorted(self.by_notation)

    def departement_of(self, concept: str) -> Departement | None:
        """The département a territory lies in (itself for a département), else None."""
        if concept in self.departements:
            return self.departements[concept]
        if COMMUNE in self.labels.types.get(concept, []):
            # An INSEE commune code starts with its département's code (2 digits, or 3 overseas);
            # an EPCI may straddle two départements, so the code beats the broader chain.
            for notation in self.notations.get(concept, []):
                found = self._by_code.get(notation[:3]) or self._by_code.get(notation[:2])
                if found:
                    return found
        seen, frontier = {concept}, [concept]
        while frontier:  # the nearest broader département, breadth first
            following = []
            for node in frontier:
                for parent in sorted(self.labels.broader.get(node, ())):
                    if parent in self.departements:
                        return self.departements[parent]
                    if parent not in seen:
                        seen.add(parent)
                        following.append(parent)
            frontier = following
        return None

    def description(self, concept: str) -> str:
        """A short French description telling namesakes apart: class, département, code."""
        types = self.labels.types.get(concept, [])
        kinds = [self.class_names[t] for t in types if t in self.class_names]
        parts = kinds[:1]
        departement = self.departement_of(concept)
        if departement and departement.iri != concept:
            parts.append(f"{departement.name} ({departement.code})")
        notations = self.notations.get(concept, [])
        if notations:
            parts.append(("INSEE " if COMMUNE in types else "code ") + notations[0])
        if not parts:
            scheme = self.labels.scheme.get(concept, "")
            title = self.scheme_titles.get(scheme) or (vocab_id_of(scheme) if scheme else "")
            if title:
                parts.append(title)
        return " · ".join(parts)

    def iris_starting(self, prefix: str, limit: int) -> list[str]:
        """Concept IRIs that start with `prefix`, in order (at most `limit`)."""
        return _starting(self.sorted_iris, prefix, limit)

    def notations_starting(self, prefix: str, limit: int) -> list[str]:
        """Concepts whose notation starts with `prefix`, by notation (at most `limit`)."""
        found: list[str] = []
        for notation in _starting(self.sorted_notations, prefix, limit):
            found.extend(c for c in self.by_notation[notation] if c not in found)
        return found[:limit]


def _starting(keys: list[str], prefix: str, limit: int) -> list[str]:
    start = bisect.bisect_left(keys, prefix)
    found: list[str] = []
    for key in keys[start:]:
        if not key.startswith(prefix) or len(found) >= limit:
            break
        found.append(key)
    return found


_facts: weakref.WeakKeyDictionary[Store, ConceptFacts] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def get_concept_facts(store: Store) -> ConceptFacts:
    """The facts of a store, rebuilt when the store has changed since."""
    labels = get_label_index(store)
    with _lock:
        facts = _facts.get(store)
        if facts is None or facts.version != store.version or facts.labels is not labels:
            facts = ConceptFacts(store, labels)
            _facts[store] = facts
        return facts
