"""The checks behind validate: SHACL results and SKOS checks SHACL cannot express, as Problems."""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from graph_service.curate.graphs import strongly_connected
from graph_service.curate.validate_focus import narrow_shapes
from graph_service.namespaces import PREFIXES

_LANG_ORDER = ("fr", "en")
_MAX_NAMED = 5

#: The checker's own words, (French, English). `graph-service validate` reports in English
#: (the shapes' "..."@en messages); the concept editor's forms ask for French, with the
#: shapes' "..."@fr messages.
CHECKER_WORDS: dict[str, tuple[str, str]] = {
    "cycle": ("cycle de concepts génériques : {steps}", "broader cycle: {steps}"),
    "caught": (
        " ({count} concepts sont pris dans cette boucle)",
        " ({count} concepts are caught in this loop)",
    ),
    "languages": (
        "{prop}: {text} (langue « {tag} » : {shown})",
        "{prop}: {text} (language '{tag}': {shown})",
    ),
    "unsatisfied": ("ne respecte pas {component}", "does not satisfy {component}"),
}


def checker_words(key: str, lang: str = "en", **values: object) -> str:
    """One of the checker's sentences (CHECKER_WORDS) in French ("fr") or English."""
    french, english = CHECKER_WORDS[key]
    return (french if lang == "fr" else english).format(**values)


@dataclass(frozen=True)
class Problem:
    """One thing a curator has to fix (error) or should look at (warning)."""

    file: str
    focus: str
    label: str
    message: str
    severity: str

    def __str__(self) -> str:
        """Return "file: IRI (label): message"."""
        node = f"{self.focus} ({self.label})" if self.label else self.focus
        return ": ".join(part for part in (self.file, node, self.message) if part)


@dataclass
class Source:
    """One parsed input: its display name, its triples, and whether its problems are reported."""

    name: str
    graph: Graph
    reported: bool


class Checker:
    """Runs the checks over the union graph and files each problem under the right source.

    With `focus`, SHACL checks only those nodes, against the whole union, so that each gets the
    results a full run gives it. The Python checks cost ~0.2 s on all of vocab/ and need the
    union anyway (cycles and namesakes cross files): they run on everything, and _locate drops
    the problems of nodes that no reported file names.

    `lang` picks the shapes' messages in that language when they have one (else the English
    one), and the checker's own words (CHECKER_WORDS): English for the command line, French
    for the concept editor's forms.
    """

    def __init__(
        self,
        data: Graph,
        sources: list[Source],
        focus: set[Node] | None = None,
        *,
        lang: str = "en",
    ) -> None:
        self.data = data
        self.sources = sources
        self.focus = focus
        self.lang = lang
        self.problems: set[Problem] = set()

    def add(self, focus: Node, message: str, severity: str, triples: Sequence[tuple] = ()) -> None:
        """Record a problem unless its focus node lives only in context sources."""
        name = self._locate(focus, triples)
        if name is not None:
            self.problems.add(Problem(name, _node_id(focus), self.label(focus), message, severity))

    def _locate(self, focus: Node, triples: Sequence[tuple]) -> str | None:
        # The file stating the offending triple is where the fix goes; otherwise the first
        # file describing the focus node; a node known only from context is not ours to report.
        pools = [[s for s in self.sources if any(t in s.graph for t in triples)]]
        pools.append([s for s in self.sources if (focus, None, None) in s.graph])
        pools.append([s for s in self.sources if (None, None, focus) in s.graph])
        for pool in pools:
            if pool:
                return next((s.name for s in pool if s.reported), None)
        return None

    def label(self, node: Node) -> str:
        """Return the node's preferred label (fr, then en, then any); titles for resources."""
        for prop in (SKOS.prefLabel, DCTERMS.title, RDFS.label):
            values = [o for o in self.data.objects(node, prop) if isinstance(o, Literal)]
            if values:
                for lang in _LANG_ORDER:
                    for value in values:
                        if value.language == lang:
                            return str(value)
                return str(min(values, key=lambda v: (v.language or "", str(v))))
        return ""

    def describe(self, node: Node) -> str:
        """Show a value the way a curator reads Turtle: <iri> (Label), "text"@lang."""
        if isinstance(node, URIRef):
            label = self.label(node)
            return f"<{node}> ({label})" if label else f"<{node}>"
        if isinstance(node, Literal):
            text = '"' + str(node).replace('"', '\\"') + '"'
            if node.language:
                return f"{text}@{node.language}"
            if node.datatype is not None:
                return f"{text}^^{_short(node.datatype)}"
            return text
        return "a blank node"

    # ---- SHACL

    def run_shacl(self, shapes: Graph) -> None:
        """Run pyshacl and turn each sh:ValidationResult into a problem."""
        if self.focus is not None:
            # SHACL on every node of vocab/ (mostly territoires.ttl's communes) took 6 of a full
            # run's 10 s; checking the few focus nodes against the same union takes ~0.3 s.
            narrowed = narrow_shapes(shapes, self.data, self.focus)
            if narrowed is not None:  # else a target kind narrow_shapes cannot rewrite: all nodes
                shapes = narrowed
        with warnings.catch_warnings():
            # pyshacl triggers rdflib deprecation warnings that are none of the curator's business
            warnings.simplefilter("ignore", DeprecationWarning)
            _, report, _ = pyshacl.validate(
                self.data,
                shacl_graph=shapes,
                inference="none",
                advanced=True,
                allow_warnings=True,
                inplace=True,  # the union graph is ours and no rules run: skip the copy
            )
        # Only top-level results: pyshacl also types the sh:detail results nested under sh:node
        # as sh:ValidationResult, and those would blame the value instead of the resource.
        for report_node in report.subjects(RDF.type, SH.ValidationReport):
            for result in report.objects(report_node, SH.result):
                self._add_result(report, shapes, result)

    def _add_result(self, report: Graph, shapes: Graph, result: Node) -> None:
        focus = report.value(result, SH.focusNode)
        if focus is None:  # SHACL requires one on every result; this keeps the types honest
            return
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = "error" if report.value(result, SH.resultSeverity) == SH.Violation else "warning"
        messages = _tagged(list(report.objects(result, SH.resultMessage)), report, shapes, result)
        text = self._message(messages, component)
        prop = _path_name(path, report, shapes)
        triples = [(focus, path, value)] if isinstance(path, URIRef) and value is not None else []
        if component == SH.UniqueLangConstraintComponent and isinstance(path, URIRef):
            # pyshacl gives no value for this one: name the language and the clashing labels
            for lang, values in self._duplicate_langs(focus, path):
                shown = ", ".join(self.describe(v) for v in values)
                detail = checker_words(
                    "languages", self.lang, prop=prop, text=text, tag=lang, shown=shown
                )
                self.add(focus, detail, severity, [(focus, path, v) for v in values])
            return
        if value is not None and value != focus:
            shown = f"{prop} {self.describe(value)}" if prop else self.describe(value)
            message = f"{shown}: {text}"
        else:
            message = f"{prop}: {text}" if prop else text
        self.add(focus, message, severity, triples)

    def _message(self, messages: list[Node], component: Node | None) -> str:
        """The result's message in the checker's language, else in English, else the first."""
        for wanted in (self.lang, "en"):
            for message in messages:
                if getattr(message, "language", None) == wanted:
                    return str(message)
        if messages:
            return str(messages[0])
        return checker_words("unsatisfied", self.lang, component=_short(component))

    def _duplicate_langs(self, focus: Node, path: URIRef) -> Iterator[tuple[str, list[Literal]]]:
        by_lang: dict[str, list[Literal]] = defaultdict(list)
        for value in self.data.objects(focus, path):
            if isinstance(value, Literal) and value.language:
                by_lang[value.language.lower()].append(value)
        for lang, values in sorted(by_lang.items()):
            if len(values) > 1:
                yield lang, sorted(values, key=str)

    # ---- Python checks

    def check_cycles(self) -> None:
        """Report each broader cycle once (narrower counts as inverse broader)."""
        up: dict[Node, set[Node]] = defaultdict(set)
        for child, parent in self.data.subject_objects(SKOS.broader):
            up[child].add(parent)
        for parent, child in self.data.subject_objects(SKOS.narrower):
            up[child].add(parent)
        for component in strongly_connected(up):
            if len(component) == 1:
                (node,) = component
                if node not in up[node]:
                    continue
            start = min(component, key=lambda n: (self._locate(n, ()) is None, str(n)))
            cycle = _shortest_cycle(start, up, component)
            steps = " > ".join(self.label(n) or f"<{n}>" for n in cycle)
            message = checker_words("cycle", self.lang, steps=steps)
            if len(component) > len(cycle) - 1:
                message += checker_words("caught", self.lang, count=len(component))
            nxt = cycle[1]
            triples = [(start, SKOS.broader, nxt), (nxt, SKOS.narrower, start)]
            self.add(start, message, "error", triples)

    def check_shared_labels(self) -> None:
        """Warn when two concepts of one scheme have the same preferred label in one language."""
        groups: dict[tuple, set[Node]] = defaultdict(set)
        for concept in set(self.data.subjects(RDF.type, SKOS.Concept)):
            schemes: set[Node | None] = set(self.data.objects(concept, SKOS.inScheme))
            schemes |= set(self.data.objects(concept, SKOS.topConceptOf))
            schemes |= set(self.data.subjects(SKOS.hasTopConcept, concept))
            # Concepts without a scheme are compared with each other (already an error of their own)
            for scheme in schemes or {None}:
                for label in self.data.objects(concept, SKOS.prefLabel):
                    if isinstance(label, Literal):
                        groups[(scheme, label.language or "", str(label))].add(concept)
        # One warning per concept and set of namesakes, so "Brie"@fr and "Brie"@en make one line
        shared: dict[tuple[Node, frozenset[Node]], list[Literal]] = defaultdict(list)
        for (_, lang, text), concepts in groups.items():
            if len(concepts) > 1:
                members = frozenset(concepts)
                for concept in concepts:
                    shared[(concept, members)].append(Literal(text, lang=lang or None))
        # Sorted once per group: a label shared by thousands of concepts must stay linear
        ordered: dict[frozenset[Node], list[str]] = {}
        for (concept, members), labels in shared.items():
            if members not in ordered:
                ordered[members] = sorted(str(m) for m in members)
            names = [n for n in ordered[members][: _MAX_NAMED + 1] if n != str(concept)]
            named = ", ".join(f"<{n}>" for n in names[:_MAX_NAMED])
            if len(members) - 1 > _MAX_NAMED:
                named += f" and {len(members) - 1 - _MAX_NAMED} more"
            labels = sorted(set(labels), key=lambda v: (_lang_rank(v.language), str(v)))
            shown = ", ".join(f"'{v}'@{v.language}" if v.language else f"'{v}'" for v in labels)
            noun = "preferred label" if len(labels) == 1 else "preferred labels"
            message = f"skos:prefLabel: shares its {noun} {shown} with {named}"
            self.add(concept, message, "warning", [(concept, SKOS.prefLabel, v) for v in labels])


# ----------------------------------------------------------------------------- helpers


def _lang_rank(lang: str | None) -> tuple[int, str]:
    return (_LANG_ORDER.index(lang) if lang in _LANG_ORDER else len(_LANG_ORDER), lang or "")


def _node_id(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _short(iri: Node | None) -> str:
    """Return prefix:name for known namespaces, else <iri>."""
    if iri is None:
        return ""
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return f"<{text}>"


def _tagged(messages: list[Node], report: Graph, shapes: Graph, result: Node) -> list[Node]:
    """The result's messages with their language: pyshacl writes a SPARQL constraint's
    sh:message without its tag, so each is matched by its text to the constraint's own."""
    source = report.value(result, SH.sourceConstraint)
    if source is None:
        return messages
    declared = {str(m): m for m in shapes.objects(source, SH.message) if isinstance(m, Literal)}
    return [
        declared.get(str(m), m) if isinstance(m, Literal) and not m.language else m
        for m in messages
    ]


def _path_name(path: Node | None, report: Graph, shapes: Graph) -> str:
    if isinstance(path, URIRef):
        return _short(path)
    if isinstance(path, BNode):
        for graph in (report, shapes):
            inverse = graph.value(path, SH.inversePath)
            if isinstance(inverse, URIRef):
                return f"^{_short(inverse)}"
    return ""


def _shortest_cycle(start: Node, edges: dict[Node, set[Node]], within: set[Node]) -> list[Node]:
    """Return start > ... > start by breadth-first search inside one strongly connected set."""
    previous: dict[Node, Node] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(edges.get(node, ()), key=str):
                if child not in within:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return [start, start]
