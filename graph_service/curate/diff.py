"""Compare two versions of a vocabulary: concepts added, removed, deprecated, and what changed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS
from rdflib.term import Node

from graph_service.labels import pick
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.formats import format_for_path

Triple = tuple[Node, Node, Node]

#: The properties compared per concept, by the name shown to curators.
FIELDS: dict[str, URIRef] = {
    "prefLabel": SKOS.prefLabel,
    "altLabel": SKOS.altLabel,
    "hiddenLabel": SKOS.hiddenLabel,
    "definition": SKOS.definition,
    "scopeNote": SKOS.scopeNote,
    "note": SKOS.note,
    "example": SKOS.example,
    "notation": SKOS.notation,
    "broader": SKOS.broader,
    "narrower": SKOS.narrower,
    "related": SKOS.related,
    "inScheme": SKOS.inScheme,
    "topConceptOf": SKOS.topConceptOf,
    "exactMatch": SKOS.exactMatch,
    "closeMatch": SKOS.closeMatch,
    "broadMatch": SKOS.broadMatch,
    "narrowMatch": SKOS.narrowMatch,
    "relatedMatch": SKOS.relatedMatch,
}
_BY_PREDICATE: dict[Node, str] = {iri: name for name, iri in FIELDS.items()}


@dataclass
class ConceptRef:
    """A concept named in a diff, with its preferred label."""

    iri: str
    label: str


@dataclass
class FieldChange:
    """One property of one concept: the values before and after (only the differing ones)."""

    field: str
    removed: list[str]
    added: list[str]


@dataclass
class ConceptChange:
    """Every changed property of a concept present in both versions."""

    iri: str
    label: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class VocabDiff:
    """What changed between two versions of a vocabulary."""

    added: list[ConceptRef] = field(default_factory=list)
    removed: list[ConceptRef] = field(default_factory=list)
    deprecated: list[ConceptRef] = field(default_factory=list)
    changed: list[ConceptChange] = field(default_factory=list)
    triples_added: int = 0
    triples_removed: int = 0

    @property
    def is_empty(self) -> bool:
        """Whether the two versions hold the same triples."""
        return not (self.triples_added or self.triples_removed)

    def as_dict(self) -> dict:
        """A JSON-ready view."""
        return asdict(self)


def _show(node: Node) -> str:
    if isinstance(node, Literal):
        text = str(node)
        if node.language:
            return f'"{text}"@{node.language}'
        return f'"{text}"'
    if isinstance(node, BNode):
        return "_:blank"
    return str(node)


def _ground(triples: Iterable[Triple]) -> set[Triple]:
    """Triples without blank nodes: blank node ids differ between parses, so they cannot match."""
    return {t for t in triples if not any(isinstance(n, BNode) for n in t)}


class _Index:
    """Concepts of one version and their compared property values."""

    def __init__(self, triples: set[Triple]) -> None:
        self.triples = triples
        self.concepts: set[Node] = set()
        self.deprecated: set[Node] = set()
        self.values: dict[Node, dict[str, set[Node]]] = defaultdict(lambda: defaultdict(set))
        for s, p, o in triples:
            if p == RDF.type and o == SKOS.Concept:
                self.concepts.add(s)
            elif p == OWL.deprecated and str(o).lower() in {"true", "1"}:
                self.deprecated.add(s)
            name = _BY_PREDICATE.get(p)
            if name is not None:
                self.values[s][name].add(o)

    def label(self, concept: Node) -> str:
        """The concept's preferred label in this version (fr, en, any), or ""."""
        chosen = pick(self.values.get(concept, {}).get("prefLabel", ()))
        return str(chosen) if chosen is not None else ""


def diff_triples(old: Iterable[Triple], new: Iterable[Triple]) -> VocabDiff:
    """Compare two sets of triples concept by concept."""
    before, after = _Index(_ground(old)), _Index(_ground(new))
    result = VocabDiff(
        triples_added=len(after.triples - before.triples),
        triples_removed=len(before.triples - after.triples),
    )
    result.added = [
        ConceptRef(str(c), after.label(c)) for c in _sorted(after.concepts - before.concepts)
    ]
    result.removed = [
        ConceptRef(str(c), before.label(c)) for c in _sorted(before.concepts - after.concepts)
    ]
    newly = (after.deprecated - before.deprecated) & after.concepts
    result.deprecated = [ConceptRef(str(c), after.label(c)) for c in _sorted(newly)]
    for concept in _sorted(before.concepts & after.concepts):
        old_values, new_values = before.values.get(concept, {}), after.values.get(concept, {})
        change = ConceptChange(str(concept), after.label(concept) or before.label(concept))
        for name in FIELDS:
            was, now = old_values.get(name, set()), new_values.get(name, set())
            if was != now:
                change.changes.append(
                    FieldChange(
                        name,
                        sorted(_show(v) for v in was - now),
                        sorted(_show(v) for v in now - was),
                    )
                )
        if change.changes:
            result.changed.append(change)
    return result


def _sorted(nodes: Iterable[Node]) -> list[Node]:
    return sorted(nodes, key=str)


def triples_of_file(path: Path, fmt: str | None = None) -> list[Triple]:
    """All triples of an RDF file (every graph of a TriG/N-Quads file merged)."""
    store = EmbeddedStore()
    store.load(Path(path), fmt or format_for_path(path))
    return [(s, p, o) for s, p, o, _ in store.quads()]


def diff_files(old: Path, new: Path) -> VocabDiff:
    """Compare two RDF files."""
    return diff_triples(triples_of_file(old), triples_of_file(new))


def format_text(diff: VocabDiff) -> str:
    """The diff for people: sections of added, removed, deprecated and changed concepts."""
    lines = [
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.deprecated)} deprecated, "
        f"{len(diff.changed)} changed concepts ({diff.triples_added} triples added, "
        f"{diff.triples_removed} removed)"
    ]
    for title, refs, mark in (
        ("Added", diff.added, "+"),
        ("Removed", diff.removed, "-"),
        ("Deprecated", diff.deprecated, "!"),
    ):
        if refs:
            lines.append(f"\n{title}:")
            lines += [f"  {mark} <{r.iri}> {r.label}".rstrip() for r in refs]
    if diff.changed:
        lines.append("\nChanged:")
        for change in diff.changed:
            lines.append(f"  * <{change.iri}> {change.label}".rstrip())
            for item in change.changes:
                for value in item.removed:
                    lines.append(f"      {item.field}: - {value}")
                for value in item.added:
                    lines.append(f"      {item.field}: + {value}")
    return "\n".join(lines)
