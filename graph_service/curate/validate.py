"""Validate vocabulary and resource files: SHACL shapes plus SKOS checks SHACL cannot express."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from graph_service.config import PROJECT_ROOT
from graph_service.curate.validate_checks import Checker, Problem, Source
from graph_service.curate.validate_focus import nodes_of
from graph_service.curate.validate_read import FORMATS, display_name, load_shapes, parse_file

__all__ = [
    "DEFAULT_SHAPES_DIR",
    "FORMATS",
    "Problem",
    "format_report",
    "validate_files",
    "validate_graph",
    "vocab_files",
]

DEFAULT_SHAPES_DIR = PROJECT_ROOT / "shapes"


def vocab_files(vocab_dir: Path) -> list[Path]:
    """Return every Turtle file under vocab_dir (resources/ included), sorted."""
    return sorted(p for p in Path(vocab_dir).rglob("*.ttl") if p.is_file())


def validate_files(
    files: Sequence[Path],
    *,
    context: Sequence[Path] = (),
    shapes_dir: Path = DEFAULT_SHAPES_DIR,
) -> list[Problem]:
    """Validate files against their union with the context files, whose nodes are not checked.

    With context, only the nodes the files name are checked (against the whole union), so one
    file against the rest of vocab/ takes seconds rather than a full run.
    """
    problems: list[Problem] = []
    sources: list[Source] = []
    context_graphs: list[Graph] = []
    seen: set[Path] = set()
    for path, reported in [(Path(f), True) for f in files] + [(Path(f), False) for f in context]:
        # A file given both ways is validated, not merely context (vocab_files() as context is
        # the normal way to check a few files against the rest of vocab/).
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        name = display_name(path)
        graph, error = parse_file(path)
        if error:
            problems.append(Problem(name, "", "", error, "error"))
        elif reported:
            sources.append(Source(name, graph, True))
        else:
            context_graphs.append(graph)
    context_graph = _merge(context_graphs) if context_graphs else None
    return _sorted(problems + _validate_sources(sources, shapes_dir, context_graph))


def validate_graph(
    graph: Graph,
    *,
    context: Graph | None = None,
    shapes_dir: Path = DEFAULT_SHAPES_DIR,
    file: str = "",
) -> list[Problem]:
    """Validate an in-memory graph; a Dataset's named graphs are reported under their IRIs."""
    sources: list[Source] = []
    if isinstance(graph, Dataset):
        for named in graph.graphs():
            if len(named):
                default = named.identifier == DATASET_DEFAULT_GRAPH_ID
                sources.append(Source(file if default else str(named.identifier), named, True))
    else:
        sources.append(Source(file, graph, True))
    own_context = None
    if context is not None:
        # A copy: the union is built in the context graph, and the caller's must stay intact
        own_context = Graph()
        own_context += context
    return _sorted(_validate_sources(sources, shapes_dir, own_context))


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


def _merge(graphs: list[Graph]) -> Graph:
    """The largest of graphs, extended with the others: they are ours, and it saves a copy."""
    merged = max(graphs, key=len)
    for graph in graphs:
        if graph is not merged:
            merged += graph
    return merged


def _validate_sources(
    sources: list[Source], shapes_dir: Path, context: Graph | None = None
) -> list[Problem]:
    """Check the sources, against `context` if given (a graph of ours: the union is built in it)."""
    if not sources:
        return []
    focus = None
    if context is not None:
        # The context graph becomes the union: copying territoires.ttl's 40k triples into a new
        # graph costs ~1 s. As a source it stands for every context file at once: _locate only
        # asks whether a triple or node is in some reported source, else anywhere.
        data = context
        for source in sources:
            data += source.graph
        focus = nodes_of(source.graph for source in sources)
        sources = [*sources, Source("", data, False)]
    elif len(sources) == 1:
        data = sources[0].graph  # copying 50k triples costs ~1 s for nothing
    else:
        data = Graph()
        for source in sources:
            data += source.graph
    checker = Checker(data, sources, focus)
    checker.run_shacl(load_shapes(shapes_dir))
    checker.check_cycles()
    checker.check_shared_labels()
    return list(checker.problems)


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.file, p.focus, p.message, p.severity))
