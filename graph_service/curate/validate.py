"""Validate vocabulary and resource files: SHACL shapes plus SKOS checks SHACL cannot express."""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from graph_service.namespaces import PREFIXES

from .graphs import strongly_connected

DEFAULT_SHAPES_DIR = Path(__file__).resolve().parents[2] / "shapes"

#: rdflib parser names by file extension; Turtle is the default for anything else.
FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".n3": "n3",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".trig": "trig",
    ".nq": "nquads",
}
_FORMAT_NAMES = {
    "turtle": "Turtle",
    "nt": "N-Triples",
    "n3": "N3",
    "xml": "RDF/XML",
    "json-ld": "JSON-LD",
    "trig": "TriG",
    "nquads": "N-Quads",
}
_QUAD_FORMATS = {"trig", "nquads"}
_LANG_ORDER = ("fr", "en")
_MAX_NAMED = 5


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
class _Source:
    """One parsed input: its display name, its triples, and whether its problems are reported."""

    name: str
    graph: Graph
    reported: bool


def vocab_files(vocab_dir: Path) -> list[Path]:
    """Return every Turtle file under vocab_dir (resources/ included), sorted."""
    return sorted(p for p in Path(vocab_dir).rglob("*.ttl") if p.is_file())


def validate_files(
    files: Sequence[Path],
    *,
    context: Sequence[Path] = (),
    shapes_dir: Path = DEFAULT_SHAPES_DIR,
) -> list[Problem]:
    """Validate the union of files (plus context files, whose own problems are not reported)."""
    problems: list[Problem] = []
    sources: list[_Source] = []
    seen: set[Path] = set()
    for path, reported in [(Path(f), True) for f in files] + [(Path(f), False) for f in context]:
        # A file given both ways is validated, not merely context (vocab_files() as context is
        # the normal way to check a few files against the rest of vocab/).
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        name = _display_name(path)
        graph, error = _parse(path)
        if error:
            problems.append(Problem(name, "", "", error, "error"))
        else:
            sources.append(_Source(name, graph, reported))
    return _sorted(problems + _validate_sources(sources, shapes_dir))


def validate_graph(
    graph: Graph,
    *,
    context: Graph | None = None,
    shapes_dir: Path = DEFAULT_SHAPES_DIR,
    file: str = "",
) -> list[Problem]:
    """Validate an in-memory graph; a Dataset's named graphs are reported under their IRIs."""
    sources: list[_Source] = []
    if isinstance(graph, Dataset):
        for named in graph.graphs():
            if len(named):
                default = named.identifier == DATASET_DEFAULT_GRAPH_ID
                sources.append(_Source(file if default else str(named.identifier), named, True))
    else:
        sources.append(_Source(file, graph, True))
    if context is not None:
        sources.append(_Source("", context, False))
    return _sorted(_validate_sources(sources, shapes_dir))


def format_report(problems: Sequence[Problem], *, max_warnings: int | None = None) -> str:
    """Return one line per problem and a summary line "N errors, M warnings in K files".

    Errors are always all listed; warnings beyond `max_warnings` are only counted, so that a
    build's output is not drowned by advice.
    """
    errors = sum(p.severity == "error" for p in problems)
    warns = len(problems) - errors
    lines, warnings_shown = [], 0
    for problem in problems:
        if problem.severity != "error":
            if max_warnings is not None and warnings_shown >= max_warnings:
                continue
            warnings_shown += 1
        lines.append(f"{problem.severity}: {problem}")
    if warnings_shown < warns:
        lines.append(f"... and {warns - warnings_shown} more warnings: `graph-service validate`")
    files = len({p.file for p in problems})
    lines.append(
        f"{errors} error{'s' * (errors != 1)}, {warns} warning{'s' * (warns != 1)} "
        f"in {files} file{'s' * (files != 1)}"
    )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- reading


def _display_name(path: Path) -> str:
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def _parse(path: Path) -> tuple[Graph, str]:
    """Parse one file; return (graph, "") or (empty graph, a curator's error message)."""
    fmt = FORMATS.get(path.suffix.lower(), "turtle")
    graph = Graph()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if fmt in _QUAD_FORMATS:
                dataset = Dataset()
                dataset.parse(path, format=fmt)
                for s, p, o, _ in dataset.quads((None, None, None, None)):
                    graph.add((s, p, o))
            else:
                graph.parse(path, format=fmt)
    except OSError as exc:
        return Graph(), f"cannot be read: {exc.strerror or exc}"
    except Exception as exc:  # any parser failure is the file's fault, not a crash of ours
        return Graph(), f"cannot be read as {_FORMAT_NAMES[fmt]}: {_parser_message(exc)}"
    return graph, ""


def _parser_message(exc: Exception) -> str:
    """Condense a parser exception to "line N: reason" (rdflib's Turtle text is multi-line)."""
    text = str(exc)
    match = re.search(r"at line (\d+) of <[^>]*>:\s*Bad syntax \((.*?)\) at \^ in:", text, re.S)
    if match:
        return f"line {match.group(1)}: {match.group(2)}"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first[:300]


def _load_shapes(shapes_dir: Path) -> Graph:
    shapes = Graph()
    for path in sorted(Path(shapes_dir).glob("*.ttl")):
        shapes.parse(path, format="turtle")
    if not len(shapes):
        raise FileNotFoundError(f"no SHACL shapes in {shapes_dir}")
    return shapes


# ----------------------------------------------------------------------------- checking


def _validate_sources(sources: list[_Source], shapes_dir: Path) -> list[Problem]:
    if not any(s.reported for s in sources):
        return []
    if len(sources) == 1:
        data = sources[0].graph  # copying 50k triples costs ~1 s for nothing
    else:
        data = Graph()
        for source in sources:
            data += source.graph
    checker = _Checker(data, sources)
    checker.run_shacl(_load_shapes(shapes_dir))
    checker.check_cycles()
    checker.check_shared_labels()
    return list(checker.problems)


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.file, p.focus, p.message, p.severity))


class _Checker:
    """Runs the checks over the union graph and files each problem under the right source."""

    def __init__(self, data: Graph, sources: list[_Source]) -> None:
        self.data = data
        self.sources = sources
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
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = "error" if report.value(result, SH.resultSeverity) == SH.Violation else "warning"
        messages = list(report.objects(result, SH.resultMessage))
        text = str(next((m for m in messages if getattr(m, "language", None) == "en"), "")) or (
            str(messages[0]) if messages else f"does not satisfy {_short(component)}"
        )
        prop = _path_name(path, report, shapes)
        triples = [(focus, path, value)] if isinstance(path, URIRef) and value is not None else []
        if component == SH.UniqueLangConstraintComponent and isinstance(path, URIRef):
            # pyshacl gives no value for this one: name the language and the clashing labels
            for lang, values in self._duplicate_langs(focus, path):
                shown = ", ".join(self.describe(v) for v in values)
                detail = f"{prop}: {text} (language '{lang}': {shown})"
                self.add(focus, detail, severity, [(focus, path, v) for v in values])
            return
        if value is not None and value != focus:
            shown = f"{prop} {self.describe(value)}" if prop else self.describe(value)
            message = f"{shown}: {text}"
        else:
            message = f"{prop}: {text}" if prop else text
        self.add(focus, message, severity, triples)

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
            message = f"broader cycle: {steps}"
            if len(component) > len(cycle) - 1:
                message += f" ({len(component)} concepts are caught in this loop)"
            nxt = cycle[1]
            triples = [(start, SKOS.broader, nxt), (nxt, SKOS.narrower, start)]
            self.add(start, message, "error", triples)

    def check_shared_labels(self) -> None:
        """Warn when two concepts of one scheme have the same preferred label in one language."""
        groups: dict[tuple, set[Node]] = defaultdict(set)
        for concept in set(self.data.subjects(RDF.type, SKOS.Concept)):
            schemes = set(self.data.objects(concept, SKOS.inScheme))
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
