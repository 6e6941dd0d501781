"""An edit's patch checked with the project's SHACL shapes and SKOS checks, on the nodes it touches.

The nodes checked are the subjects of the patch's statements (the edited concept, the concepts
whose back-links change, the scheme, re-pointed resources). They are checked against what the
shapes and checks need to see around them (_context): their own statements, their ancestors,
their values' types and schemes, and the graphs the patch changes when these are small (the
scheme's file, a resource's file; not the 40,000 statements of the territories). SHACL
targets are narrowed to the checked nodes (validate_focus), as `graph-service validate` does
for a few files against the rest of vocab/.

A problem the data had before the edit does not stop it: when the edited data has problems,
the same check runs on the data as it was, and the problems found both times are dropped (or,
about the edited concept itself, kept as a warning, so that the form still shows them).
Each problem is filed under the form field it is about, with the shapes' message in the
language asked for (shapes/skos.ttl says each in English and French).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from graph_service.curate.concept_draft import LABEL_FIELDS, MATCH_PROPERTIES, NOTE_FIELDS
from graph_service.curate.concept_messages import message, sentence
from graph_service.curate.concept_work import (
    Quad,
    read_about,
    read_pointing,
    without_union_echoes,
)
from graph_service.curate.edit_plan import WHOLE_FORM, FieldProblem
from graph_service.curate.validate import DEFAULT_SHAPES_DIR
from graph_service.curate.validate_checks import Checker, Source, checker_words
from graph_service.curate.validate_read import load_shapes
from graph_service.model.base import memo
from graph_service.namespaces import curie
from graph_service.store import Store
from graph_service.store.patches import Patch
from graph_service.store.rdf_patch import row_terms

#: Form fields by property: the labels and notes take a language ("prefLabel.fr").
_TEXT_FIELDS: dict[Node, str] = {SKOS[name]: name for name in (*LABEL_FIELDS, *NOTE_FIELDS)}
_LINK_FIELDS: dict[Node, str] = {
    SKOS.broader: "broader",
    SKOS.related: "related",
    SKOS.notation: "notation",
    SKOS.inScheme: "scheme",
    SKOS.topConceptOf: "scheme",
    **{SKOS[name]: name for name in MATCH_PROPERTIES},
}
#: A link seen from the other end: the same problem reported on both concepts is shown once.
_INVERSE: dict[Node, Node] = {
    SKOS.broader: SKOS.narrower,
    SKOS.narrower: SKOS.broader,
    SKOS.related: SKOS.related,
}
#: What the shapes ask of the values of the checked nodes (sh:class, the types' scheme),
#: and their labels for the messages.
_VALUE_FACTS = (RDF.type, SKOS.inScheme, SKOS.topConceptOf, SKOS.prefLabel)
_FACTS = """
SELECT ?s ?p ?o ?g WHERE {
  VALUES ?s { %s } VALUES ?p { $p0 $p1 $p2 $p3 }
  { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }
}
"""
_HIERARCHY = (SKOS.broader, SKOS.narrower, SKOS.related, SKOS.hasTopConcept, SKOS.topConceptOf)
_ANCESTORS = """
SELECT DISTINCT ?a WHERE {
  VALUES ?n { %s } ?n (<http://www.w3.org/2004/02/skos/core#broader>
                       |^<http://www.w3.org/2004/02/skos/core#narrower>)+ ?a
}
"""
#: Graphs of more statements are not read whole (the territories' 40,000): the focus nodes'
#: neighbourhood is enough for the shapes and checks, and building rdflib graphs of them
#: would take seconds.
WHOLE_GRAPH_LIMIT = 5_000
_BATCH = 200


@dataclass(frozen=True)
class Finding:
    """One problem of a check run, with the statements it is about."""

    focus: Node
    message: str
    severity: str
    triples: tuple[tuple[Node, Node, Node], ...]


class _Recorder(Checker):
    """A Checker that keeps, for each problem it reports, the statements it names."""

    def __init__(self, data: Graph, sources: list[Source], focus: set[Node], lang: str) -> None:
        super().__init__(data, sources, focus, lang=lang)
        self.findings: list[Finding] = []

    def add(self, focus: Node, message: str, severity: str, triples: Iterable[tuple] = ()) -> None:
        """Record a problem as Checker does, and what it is about."""
        triples = tuple(triples)
        count = len(self.problems)
        super().add(focus, message, severity, triples)
        if len(self.problems) > count:
            self.findings.append(Finding(focus, message, severity, triples))


@functools.cache
def _shapes(directory: Path) -> Graph:
    return load_shapes(directory)


def validate_patch(
    store: Store,
    patch: Patch,
    target: str,
    *,
    covered: Collection[tuple[str, str]] = (),
    shapes_dir: Path = DEFAULT_SHAPES_DIR,
    lang: str = "en",
) -> list[FieldProblem]:
    """The problems the patch would bring, each under its field (those of the concept
    `target`; a neighbour's are named by its label), said in `lang` ("fr" or English).
    `covered`: (field, value) pairs that an earlier check already reports, so that the same
    fault is not listed twice."""
    added = {(s, p, o, g) for s, p, o, g in row_terms(patch.added)}
    removed = {(s, p, o, g) for s, p, o, g in row_terms(patch.removed)}
    focus: set[Node] = {q[0] for q in added | removed if isinstance(q[0], URIRef)}
    if not focus:
        return []
    before = _context(store, added | removed, focus)
    after = (before - removed) | added
    found = _run(after, focus, shapes_dir, lang)
    if not found:
        return []
    old = {(f.focus, f.message) for f in _run(before, focus, shapes_dir, lang)}
    data = _graph(after)
    labels = Checker(data, [], None)
    subject = URIRef(target)
    on_target = {
        (f.triples[0][2], f.triples[0][1]) for f in found if f.triples and f.focus == subject
    }
    problems: list[FieldProblem] = []
    for finding in found:
        if _shown_from_target(finding, subject, on_target):
            continue
        severity = finding.severity
        field, text = _placed(finding, subject, data, labels, lang)
        if (finding.focus, finding.message) in old:
            if finding.focus != subject:
                continue
            severity, text = "warning", text + message("already_before", lang)
        value = str(finding.triples[0][2]) if finding.triples else ""
        if (field, value) in covered:
            continue
        problems.append(FieldProblem(field, sentence(text, lang), severity))
    return sorted(set(problems), key=lambda p: (p.severity != "error", p.field, p.message))


# --- the data --------------------------------------------------------------------------------


def _graph_quads(store: Store, graph: str) -> frozenset[Quad]:
    """A small graph's statements, read once per version of the data (a form's preview and
    its save read the same); empty for a large one (see _context)."""

    def read() -> frozenset[Quad]:
        if store.count(graph) > WHOLE_GRAPH_LIMIT:
            return frozenset()
        return frozenset((s, p, o, graph) for s, p, o, _ in store.quads(graph))

    return memo(store, ("concept-edit-graph", graph), read)


def _context(store: Store, changed: set[Quad], focus: set[Node]) -> set[Quad]:
    """The data before the edit that checking the touched nodes needs (module docstring):

    - every statement about the focus nodes, and the hierarchy statements pointing at them
      (a concept may be in its scheme through the scheme's hasTopConcept only);
    - the ancestors of the focus nodes and of their linked concepts, with what they state:
      a cycle the edit makes, or a related link it puts on a broader chain, runs through them;
    - the types, schemes and labels of the values of the focus nodes (sh:class, messages);
    - the graphs the patch changes, when small: a shape needing more than the above still
      finds it for our own vocabularies.
    """
    quads: set[Quad] = set()
    for graph in sorted({q[3] for q in changed if q[3] is not None}):
        if store.has_graph(graph):
            quads |= _graph_quads(store, graph)
    quads.update(read_about(store, focus))
    quads.update(q for q in read_pointing(store, focus) if q[1] in _HIERARCHY)
    linked = {q[2] for q in quads | changed if q[0] in focus and q[1] in _HIERARCHY}
    ancestors = _ancestors(store, focus | linked)
    quads.update(read_about(store, ancestors - focus))
    values: set[Node] = {
        q[2] for q in quads | changed if q[0] in focus and isinstance(q[2], URIRef)
    }
    quads.update(_facts(store, values - focus - ancestors))
    return quads


def _ancestors(store: Store, nodes: set[Node]) -> set[Node]:
    """Every concept above these nodes (broader, or narrower stated on the parent), any graph."""
    found: set[Node] = set()
    wanted = sorted((n for n in nodes if isinstance(n, URIRef)), key=str)
    for start in range(0, len(wanted), _BATCH):
        placeholders, bindings = _placeholders(wanted[start : start + _BATCH])
        for row in store.select(_ANCESTORS % placeholders, bindings):
            found.add(row["a"])
    return found


def _facts(store: Store, nodes: set[Node]) -> Iterator[Quad]:
    """The types, schemes and labels of these nodes."""
    wanted = sorted((n for n in nodes if isinstance(n, URIRef)), key=str)
    for start in range(0, len(wanted), _BATCH):
        placeholders, bindings = _placeholders(wanted[start : start + _BATCH])
        bindings.update(zip(("p0", "p1", "p2", "p3"), _VALUE_FACTS, strict=True))
        rows = store.select(_FACTS % placeholders, bindings, union=False)
        yield from without_union_echoes(
            [(r["s"], r["p"], r["o"], None if r.get("g") is None else str(r["g"])) for r in rows]
        )


def _placeholders(nodes: Sequence[Node]) -> tuple[str, dict[str, Node]]:
    names = [f"v{n}" for n in range(len(nodes))]
    return " ".join(f"${name}" for name in names), dict(zip(names, nodes, strict=True))


def _graph(quads: Iterable[Quad]) -> Graph:
    graph = Graph()
    for s, p, o, _ in quads:
        graph.add((s, p, o))
    return graph


def _run(quads: set[Quad], focus: set[Node], shapes_dir: Path, lang: str) -> list[Finding]:
    """Shapes and cycles on the focus nodes of this data, their messages in `lang`."""
    data = _graph(quads)
    described = _graph(q for q in quads if q[0] in focus)
    sources = [Source("edit", described, True), Source("", data, False)]
    checker = _Recorder(data, sources, focus, lang)
    checker.run_shacl(_shapes(shapes_dir))
    checker.check_cycles()
    return checker.findings


# --- each problem under its field ------------------------------------------------------------


def _shown_from_target(finding: Finding, target: Node, on_target: set[tuple[Node, Node]]) -> bool:
    """Whether a neighbour's problem with its link to the target is the target's own problem
    seen from the other end (a related link on a broader chain is reported on both)."""
    if not finding.triples or finding.focus == target:
        return False
    _, predicate, value = finding.triples[0]
    if value != target:
        return False
    return any((finding.focus, p) in on_target for p in (predicate, _INVERSE.get(predicate)))


def _placed(
    finding: Finding, target: Node, data: Graph, labels: Checker, lang: str
) -> tuple[str, str]:
    """(field, message) of a finding, the message fit for the form: in English the value (or
    the neighbour) named before the shapes' phrase, as ever; in French a sentence whose subject
    is the value, this concept or the neighbour."""
    if finding.message.startswith(checker_words("cycle", lang, steps="")):
        return "broader", finding.message
    if not finding.triples:
        leading = _leading_property(finding.message)
        text = finding.message
        if leading is not None and text.startswith(curie(str(leading)) + ": "):
            text = text[len(curie(str(leading))) + 2 :]
        field = WHOLE_FORM
        if finding.focus == target and leading is not None:
            field = _field(leading, None, target, data)
        return field, _said_of(finding, target, labels, text, lang, clause=False)
    subject, predicate, value = finding.triples[0]
    text = finding.message
    clause = False  # whether the text names its subject (the value) already
    shown = f"{curie(str(predicate))} {labels.describe(value)}"
    if text.startswith(shown + ": "):
        text = f"{_quoted(value, labels)} {text[len(shown) + 2 :]}"
        clause = True
    elif text.startswith(curie(str(predicate)) + ": "):
        text = text[len(curie(str(predicate))) + 2 :]
    field = WHOLE_FORM
    if subject == target:
        field = _field(predicate, value, target, data)
    elif value == target and predicate in (SKOS.narrower, SKOS.related):
        field = "broader" if predicate == SKOS.narrower else "related"
    return field, _said_of(finding, target, labels, text, lang, clause=clause)


def _field(predicate: Node, value: Node | None, target: Node, data: Graph) -> str:
    """The form field of one of the target's own statements."""
    if predicate in _TEXT_FIELDS:
        name = _TEXT_FIELDS[predicate]
        if isinstance(value, Literal):
            # A label both preferred and alternative (or hidden): the second one is the slip.
            for other in (SKOS.altLabel, SKOS.hiddenLabel):
                if predicate != other and (target, other, value) in data:
                    name = _TEXT_FIELDS[other]
                    if predicate == SKOS.prefLabel:
                        break
            return f"{name}.{value.language}" if value.language else name
        return f"{name}.fr" if predicate == SKOS.prefLabel else name
    return _LINK_FIELDS.get(predicate, WHOLE_FORM)


def _leading_property(message: str) -> URIRef | None:
    """The property a message without statements starts with ("skos:prefLabel: has no ...")."""
    head = message.split(":", 2)
    if len(head) == 3 and head[0] == "skos":
        return SKOS[head[1]]
    return None


def _quoted(value: Node, labels: Checker) -> str:
    if isinstance(value, Literal):
        return f"« {value} »"
    label = labels.label(value)
    return f"« {label} »" if label else f"<{value}>"


def _said_of(
    finding: Finding, target: Node, labels: Checker, text: str, lang: str, *, clause: bool
) -> str:
    """A problem's text with whom it is about. In English a neighbour's is prefixed with its
    label ("« label »: text"); in French a phrase without subject (`clause` False) gets this
    concept or the neighbour as its subject."""
    own = finding.focus == target
    name = f"« {labels.label(finding.focus) or finding.focus} »"
    if lang != "fr":
        return text if own else f"{name}: {text}"
    if clause:
        return text if own else f"{name} : {text}"
    return f"{message('this_concept', lang) if own else name} {text}"
