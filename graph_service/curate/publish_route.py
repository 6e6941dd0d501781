"""Where published quads go, and what each file gets: the net effect of the pending changes.

Which file a quad goes to is decided by its graph (CONVENTIONS.md: one graph per source file):

* `.../graph/<path>` goes to `vocab/<path>.ttl`, which is created (canonical layout) when the
  graph is new; a vocab/ source in another syntax is refused (only Turtle is edited);
* `.../graph/imports/<id>` goes to the import's own copy, DATA_DIR/imports/<id>.ttl, which every
  build loads again (curate/imports.py): an imported vocabulary is not ours to put in vocab/;
* the default graph and graphs outside our namespace (or with names no file could have) go to
  `vocab/graphs.trig`, which names them; the build loads a TriG file's named graphs as named and
  its default graph into the store's default graph (store/build.py);
* quads of the build's own graphs (`.../graph/build`, `.../graph/journal`) are left out with a
  note: every build rewrites those graphs.

What a file gets is the net effect of the changes on its triples: the file's triples as the
engine reads them (as the build does: rdflib would normalise literals such as "01"^^xsd:integer
and the journal's rows would no longer match), then each change's removals and additions in
order, so a label added then removed again changes nothing. Removing a triple of a blank node
read from a file is refused: the journal names blank nodes by the labels the build gave them,
which the file's text does not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graph_service.curate.turtle_text import has_blank, row_terms
from graph_service.namespaces import BUILD_GRAPH, GRAPH, graph_iri_for
from graph_service.store.base import StoreError
from graph_service.store.build import source_files
from graph_service.store.formats import document_rows
from graph_service.store.rdf_patch import Change

GRAPHS_FILE = "graphs.trig"
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_RDF_SUFFIXES = (".ttl", ".trig", ".nt", ".nq", ".rdf", ".jsonld")
_DATASET_SUFFIXES = (".trig", ".nq")


class PublishError(Exception):
    """A publish that cannot be done; no file was changed and nothing was marked."""


@dataclass(frozen=True)
class Target:
    """A file quads are published into."""

    path: Path
    label: str  # as the report names it: vocab/notions.ttl, DATA_DIR/imports/x.ttl
    graph: str | None = None  # a Turtle file's graph; None for vocab/graphs.trig
    dataset: bool = False


class Router:
    """The file each graph's quads go to."""

    def __init__(self, vocab_dir: Path, data_dir: Path) -> None:
        self.vocab_dir, self.data_dir = vocab_dir, data_dir
        self.graphs = Target(vocab_dir / GRAPHS_FILE, f"vocab/{GRAPHS_FILE}", dataset=True)
        # The graph each existing source is loaded into (store/build.py), vocab/ first.
        self.sources: dict[str, Path] = {}
        for path in sorted((data_dir / "imports").glob("*.ttl")):
            self.sources[graph_iri_for(f"imports/{path.name}")] = path
        for path in source_files(vocab_dir):
            if path.suffix not in _DATASET_SUFFIXES:  # those name their graphs themselves
                self.sources[graph_iri_for(path.relative_to(vocab_dir).as_posix())] = path

    def route(self, graph: str | None) -> Target | None:
        """The target of a graph's quads (None: a build metadata graph, left out)."""
        if graph == str(BUILD_GRAPH):
            return None
        if graph in self.sources:
            return self._existing(graph, self.sources[graph])
        if graph is None or not graph.startswith(str(GRAPH)):
            return self.graphs
        relative = graph[len(str(GRAPH)) :]
        segments = relative.split("/")
        if not all(_SEGMENT.fullmatch(s) for s in segments) or relative.endswith(_RDF_SUFFIXES):
            return self.graphs  # no file of vocab/ could be loaded into this graph
        if segments[0] == "imports" and len(segments) == 2:
            path = self.data_dir / "imports" / f"{segments[1]}.ttl"
            return Target(path, f"DATA_DIR/imports/{path.name}", graph)
        return Target(self.vocab_dir / f"{relative}.ttl", f"vocab/{relative}.ttl", graph)

    def _existing(self, graph: str, path: Path) -> Target:
        if path.is_relative_to(self.data_dir):
            return Target(path, f"DATA_DIR/imports/{path.name}", graph)
        label = f"vocab/{path.relative_to(self.vocab_dir).as_posix()}"
        if path.suffix != ".ttl":
            raise PublishError(
                f"changes to <{graph}> belong to {label}, which is not Turtle: publish edits "
                "Turtle files only; write them into that file by hand"
            )
        return Target(path, label, graph)


def read_target(target: Target) -> str | None:
    """The file's text (None: it does not exist yet)."""
    return target.path.read_text(encoding="utf-8") if target.path.is_file() else None


def file_rows(text: str | None, dataset: bool) -> set[str]:
    """The quads (TriG) or triples (Turtle) of a file, as the engine reads them."""
    if text is None:
        return set()
    return set(document_rows(text, "trig" if dataset else "turtle"))


class Fold:
    """The net effect of changes, file by file: the file's rows, then each change in order."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.texts: dict[Target, str | None] = {}
        self.before: dict[Target, set[str]] = {}
        self.after: dict[Target, set[str]] = {}
        self.touched_by: dict[Target, list[int]] = {}
        self.notes: list[str] = []

    def state(self, target: Target) -> set[str]:
        """The rows the target holds so far (its file's, the first time)."""
        if target not in self.after:
            text = read_target(target)
            try:
                rows = file_rows(text, target.dataset)
            except StoreError as exc:
                raise PublishError(f"{target.label} cannot be read: {exc}") from exc
            self.texts[target], self.before[target] = text, rows
            self.after[target] = set(rows)
        return self.after[target]

    def apply(self, change: Change) -> None:
        """Fold one change in: its removals, then its additions (the order a replay uses)."""
        present = gone = dropped = 0
        for rows, adding in ((change.removed, False), (change.added, True)):
            for row in rows:
                terms = row_terms(row)
                target = self.router.route(terms[3][1:-1] if len(terms) == 4 else None)
                if target is None:
                    dropped += 1
                    continue
                key = row if target.dataset else " ".join(terms[:3])
                state = self.state(target)
                seqs = self.touched_by.setdefault(target, [])
                if not seqs or seqs[-1] != change.seq:
                    seqs.append(change.seq)
                if adding:
                    present += key in state
                    state.add(key)
                elif key in state:
                    state.discard(key)
                elif has_blank(key):
                    raise PublishError(
                        f"change {change.seq} removes a triple of a blank node of "
                        f"{target.label}, which cannot be found in the file's text: write "
                        "that change into the file by hand, or publish up to the change "
                        f"before it (--until {change.seq - 1})"
                    )
                else:
                    gone += 1
        if present or gone:
            self.notes.append(
                f"change {change.seq}: {present} added triples were already in the files, "
                f"{gone} removed ones were already gone"
            )
        if dropped:
            self.notes.append(
                f"change {change.seq}: {dropped} quads in the build's own graphs were left out "
                "(every build rewrites those graphs)"
            )
