"""Build a persistent store from vocab/: a new directory per build, switched to atomically."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from graph_service.namespaces import BUILD_GRAPH, PDVO, PROV, VOID, graph_iri_for
from graph_service.store.base import Store, StoreError
from graph_service.store.build_dirs import hold, is_complete, mark_complete, remove_unless_in_use
from graph_service.store.carried import IMPORTS, carried_graphs, complete_files
from graph_service.store.changes import replay_pending
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.formats import (
    count_quads,
    format_for_path,
    format_is_dataset,
    parse_to_ntriples,
)
from graph_service.store.journal import Journal
from graph_service.store.remote import VERSION_GRAPH, RemoteStore

Progress = Callable[[str], None]

BUILDS = "builds"
CURRENT = "current"
#: Builds kept besides the current one, so a bad switch can be undone by hand.
KEEP_PREVIOUS = 1


class BuildError(Exception):
    """A build that could not complete; the previous store is left as it was."""


@dataclass(frozen=True)
class SourceFile:
    """One file loaded by a build, with what identifies its content."""

    path: str  # relative to the vocabulary directory
    graph: str
    sha256: str
    triples: int = 0


@dataclass
class BuildReport:
    """What a build did: where the store is, what went in, and how long it took."""

    store_dir: Path
    sources: list[SourceFile] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0
    skipped: bool = False
    #: Changes of the journal applied over vocab/, and those that no longer applied cleanly.
    replayed: int = 0
    replay_notes: list[str] = field(default_factory=list)


def source_files(vocab_dir: Path) -> list[Path]:
    """Every RDF source under vocab/ (resources/ included), in a stable order."""
    suffixes = {".ttl", ".trig", ".nt", ".nq", ".rdf", ".jsonld"}
    return sorted(p for p in vocab_dir.rglob("*") if p.is_file() and p.suffix in suffixes)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def current_store_dir(data_dir: Path) -> Path | None:
    """The directory the `current` pointer names, or None before the first build."""
    pointer = data_dir / CURRENT
    if not pointer.is_symlink():
        return None
    target = pointer.resolve()
    return target if target.is_dir() else None


def open_current(data_dir: Path, *, read_only: bool = False) -> EmbeddedStore:
    """Open the store of the last complete build."""
    target = current_store_dir(data_dir)
    if target is None:
        raise BuildError(f"no store has been built in {data_dir}: run `graph-service build` first")
    return EmbeddedStore(target, read_only=read_only)


def fingerprint(paths: Sequence[Path]) -> str:
    """One hash over the sources (and shapes), to tell whether a rebuild would change anything."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(sha256_of(path).encode())
    return digest.hexdigest()


def stored_fingerprint(store: Store) -> str | None:
    """The source fingerprint recorded by the build that made this store."""
    rows = store.select(
        "SELECT ?f WHERE { GRAPH $g { ?b $p ?f } }",
        {"g": URIRef(BUILD_GRAPH), "p": PDVO.sourceFingerprint},
    )
    return str(rows[0]["f"]) if rows else None


def is_up_to_date(vocab_dir: Path, data_dir: Path, fingerprint_extra: Sequence[Path] = ()) -> bool:
    """Whether the current store was built from exactly these sources (and shapes)."""
    previous = current_store_dir(data_dir)
    if previous is None:
        return False
    files = source_files(vocab_dir)
    return _fingerprint_of_dir(previous) == fingerprint([*files, *fingerprint_extra])


def build_store(
    vocab_dir: Path,
    data_dir: Path,
    *,
    files: Sequence[Path] | None = None,
    fingerprint_extra: Sequence[Path] = (),
    force: bool = True,
    progress: Progress = lambda message: None,
) -> BuildReport:
    """Load every source into a new store, record build metadata, then switch `current` to it.

    A failure at any point removes the new directory and leaves `current` (and whatever
    process is serving it) untouched.
    """
    started = time.perf_counter()
    files = list(files) if files is not None else source_files(vocab_dir)
    if not files:
        raise BuildError(f"no RDF files found in {vocab_dir}")
    fp = fingerprint([*files, *fingerprint_extra])
    previous = current_store_dir(data_dir)
    if not force and previous is not None and _fingerprint_of_dir(previous) == fp:
        progress(f"store is up to date with {vocab_dir} ({previous.name})")
        return BuildReport(store_dir=previous, skipped=True)

    builds = data_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC)
    target = builds / f"{stamp:%Y%m%dT%H%M%S%f}-{os.getpid()}"
    report = BuildReport(store_dir=target)
    store: EmbeddedStore | None = None
    # Held from its creation until `current` names it: no other build removes it meanwhile.
    building = hold(target, create=True)
    try:
        store = EmbeddedStore(target)
        sources = _sources(files, vocab_dir, data_dir)
        _load_sources(store, sources, report, target, progress)
        report.triples = sum(s.triples for s in report.sources)
        _replay_journal(store, data_dir, report, progress)
        report.seconds = time.perf_counter() - started
        _record_metadata(store, report, stamp, fp)
        store.flush()
        store.close()
        store = None
        mark_complete(target, f"{stamp.isoformat()} {fp}")
        _switch_current(data_dir, target)
    except (StoreError, OSError) as exc:
        _discard(store, target)
        raise BuildError(f"build failed, previous store kept: {exc}") from exc
    except BaseException:
        # Interrupted (Ctrl-C): never leave a half-built directory behind.
        _discard(store, target)
        raise
    finally:
        building.release()
    _remove_old_builds(data_dir)
    report.seconds = time.perf_counter() - started
    progress(
        f"built {report.triples:,} triples from {len(files)} files "
        f"in {report.seconds:.1f} s -> {target}"
    )
    return report


#: Files up to this size are parsed and inserted together (see EmbeddedStore.bulk_load_files);
#: larger ones get a bulk load of their own, which streams instead of holding them in memory.
SMALL_FILE_BYTES = 4_000_000


def _load_sources(
    store: EmbeddedStore,
    sources: Sequence[tuple[Path, str]],
    report: BuildReport,
    target: Path,
    progress: Progress,
) -> None:
    """Load every source into its graph, small triple files in one batch, in the given order."""
    small: list[tuple[Path, str]] = []
    large: list[tuple[Path, str]] = []
    for path, relative in sources:
        fmt = format_for_path(path)
        is_small = not format_is_dataset(fmt) and path.stat().st_size <= SMALL_FILE_BYTES
        (small if is_small else large).append((path, relative))
    if small:
        progress(f"loading {len(small)} files in one batch")
        batch = [(path, format_for_path(path), graph_iri_for(rel)) for path, rel in small]
        with _heartbeat(progress, f"{len(small)} files", target):
            counts = store.bulk_load_files(batch)
        for (path, relative), count in zip(small, counts, strict=True):
            graph = graph_iri_for(relative)
            report.sources.append(SourceFile(relative, graph, sha256_of(path), count))
            progress(f"{relative}: {count:,} triples")
    for number, (path, relative) in enumerate(large, start=1):
        graph = graph_iri_for(relative)
        fmt = format_for_path(path)
        dataset = format_is_dataset(fmt)
        progress(f"[{number}/{len(large)}] loading {relative}")
        with _heartbeat(progress, relative, target):
            # A dataset file (vocab/graphs.trig) names its graphs itself, and its default
            # graph is the store's default graph (see _load_target).
            store.bulk_load_file(path, fmt, _load_target(fmt, graph))
        count = count_quads(path, fmt) if dataset else store.count(graph)
        report.sources.append(SourceFile(relative, graph, sha256_of(path), count))
        progress(f"[{number}/{len(large)}] {relative}: {count:,} triples")
    # The report lists sources in their given order, whichever way each was loaded.
    order = {relative: index for index, (_, relative) in enumerate(sources)}
    report.sources.sort(key=lambda source: order[source.path])


def _load_target(fmt: str, graph: str) -> str | None:
    """The graph a source's default-graph triples go to: the file's own graph for Turtle and
    the other triple formats; for TriG and N-Quads, whose graphs are written in the file, the
    store's default graph, so that what `publish` writes into vocab/graphs.trig (the default
    graph and graphs outside our namespace) comes back where it was."""
    return None if format_is_dataset(fmt) else graph


def _sources(files: Sequence[Path], vocab_dir: Path, data_dir: Path) -> list[tuple[Path, str]]:
    """The files to load with their paths relative to vocab/, then the imported vocabularies.

    Vocabularies brought in by `graph-service import` (kept in DATA_DIR/imports/) come back in
    every build, each in its graph .../graph/imports/<id> (see curate/imports.py).
    """
    sources = [(path, path.relative_to(vocab_dir).as_posix()) for path in files]
    complete_files(Journal(data_dir))  # an import's file whose change was journalled first
    imported = sorted((data_dir / IMPORTS).glob("*.ttl"))
    return sources + [(path, f"{IMPORTS}/{path.name}") for path in imported]


#: Largest update request a remote build sends at once; bigger vocabularies go graph by graph.
REMOTE_REQUEST_BYTES = 32_000_000


def build_remote(
    vocab_dir: Path,
    data_dir: Path,
    store: RemoteStore,
    *,
    fingerprint_extra: Sequence[Path] = (),
    force: bool = True,
    progress: Progress = lambda message: None,
) -> BuildReport:
    """Replace the remote store's graphs with vocab/ (and imports), then record the build.

    Every file is parsed before anything is sent, so a bad file changes nothing. Graphs are
    replaced in as few update requests as fit REMOTE_REQUEST_BYTES; each request is atomic on
    the remote (a vocabulary of this project's size goes in one request).
    """
    started = time.perf_counter()
    files = source_files(vocab_dir)
    if not files:
        raise BuildError(f"no RDF files found in {vocab_dir}")
    fp = fingerprint([*files, *fingerprint_extra])
    try:
        if not force and stored_fingerprint(store) == fp:
            progress(f"remote store {store.query_endpoint} is up to date with {vocab_dir}")
            return BuildReport(store_dir=Path(store.query_endpoint), skipped=True)
        sources = _sources(files, vocab_dir, data_dir)
        parsed: dict[str, str] = {}
        default_graph = ""  # what dataset files (vocab/graphs.trig) hold in the default graph
        dataset_counts: dict[str, int] = {}
        for number, (path, relative) in enumerate(sources, start=1):
            progress(f"[{number}/{len(sources)}] parsing {relative}")
            graph, fmt = graph_iri_for(relative), format_for_path(path)
            by_graph = parse_to_ntriples(path, fmt, _load_target(fmt, graph))
            if not format_is_dataset(fmt):
                parsed[graph] = parsed.get(graph, "") + by_graph.get(graph, "")
                continue
            for name, text in by_graph.items():
                if name is None:
                    default_graph += text
                else:
                    parsed[name] = parsed.get(name, "") + text
            dataset_counts[relative] = sum(text.count("\n") for text in by_graph.values())
        # A build is vocab/ + imports + the journal: every other graph goes (the journal's
        # pending changes bring back what was written since the last publish).
        kept = {str(BUILD_GRAPH), VERSION_GRAPH}
        stale = [g for g in store.named_graphs() if g not in parsed and g not in kept]
        store.drop_graph(None)
        batch: dict[str, str] = dict.fromkeys(stale, "")
        for graph, text in parsed.items():
            if batch and sum(map(len, batch.values())) + len(text) > REMOTE_REQUEST_BYTES:
                store.replace_graphs(batch)
                batch = {}
            batch[graph] = text
        progress(f"sending {len(parsed)} graphs to {store.update_endpoint}")
        store.replace_graphs(batch)
        if default_graph:
            store.load(default_graph, "ntriples")
        report = BuildReport(store_dir=Path(store.query_endpoint))
        for path, relative in sources:
            graph = graph_iri_for(relative)
            count = dataset_counts.get(relative)
            triples = store.count(graph) if count is None else count
            report.sources.append(SourceFile(relative, graph, sha256_of(path), triples))
        report.triples = sum(s.triples for s in report.sources)
        _replay_journal(store, data_dir, report, progress)
        store.drop_graph(str(BUILD_GRAPH))
        _record_metadata(store, report, datetime.now(UTC), fp)
    except StoreError as exc:
        raise BuildError(f"remote build failed: {exc}") from exc
    report.seconds = time.perf_counter() - started
    progress(
        f"built {report.triples:,} triples into {store.query_endpoint} in {report.seconds:.1f} s"
    )
    return report


def _replay_journal(store: Store, data_dir: Path, report: BuildReport, progress: Progress) -> None:
    """Apply the journal's changes not yet published into vocab/: no accepted write is lost.
    An import's change is already in the file it names, when the build loaded that very file."""
    journal = Journal(data_dir)
    loaded = {
        s.path: (s.graph, s.sha256) for s in report.sources if s.path.startswith(f"{IMPORTS}/")
    }
    replayed = replay_pending(store, journal, carried_graphs(journal.pending(), loaded))
    report.replayed = len(replayed.applied)
    for seq, note in replayed.notes:
        report.replay_notes.append(f"change {seq}: {note}")
        progress(f"    change {seq} did not apply cleanly: {note}")
    if replayed.applied:
        progress(f"replayed {len(replayed.applied)} changes of the journal")


def _discard(store: EmbeddedStore | None, target: Path) -> None:
    """Remove a failed build's directory, closing its store first: the engine's background
    threads could otherwise write a file into it while it is being removed, and leave it."""
    if store is not None:
        with contextlib.suppress(Exception):
            store.close()
    shutil.rmtree(target, ignore_errors=True)


def _fingerprint_of_dir(store_dir: Path) -> str | None:
    try:
        store = EmbeddedStore(store_dir, read_only=True)
    except StoreError:
        return None
    try:
        return stored_fingerprint(store)
    finally:
        store.close()


def _record_metadata(store: Store, report: BuildReport, stamp: datetime, fp: str) -> None:
    """Describe the build (time, per-file hash and size) in its own named graph."""
    build = URIRef(f"{BUILD_GRAPH}/{report.store_dir.name}")
    timestamp = Literal(stamp.isoformat(), datatype=XSD.dateTime)
    triples = [
        (build, RDF.type, PROV.Activity),
        (build, PROV.startedAtTime, timestamp),
        (build, PROV.endedAtTime, Literal(datetime.now(UTC).isoformat(), datatype=XSD.dateTime)),
        (build, VOID.triples, Literal(report.triples)),
        (build, PDVO.sourceFingerprint, Literal(fp)),
    ]
    for source in report.sources:
        graph = URIRef(source.graph)
        triples += [
            (build, PROV.generated, graph),
            (graph, RDF.type, VOID.Dataset),
            (graph, DCTERMS.source, Literal(f"vocab/{source.path}")),
            (graph, PDVO.sha256, Literal(source.sha256)),
            (graph, VOID.triples, Literal(source.triples)),
            (graph, DCTERMS.modified, timestamp),
        ]
    store.add_triples(triples, str(BUILD_GRAPH))


def _switch_current(data_dir: Path, target: Path) -> None:
    """Point `current` at the new build with one rename, which is atomic on POSIX."""
    pointer = data_dir / CURRENT
    temporary = data_dir / f".{CURRENT}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(Path(BUILDS) / target.name)
    os.replace(temporary, pointer)


def _remove_old_builds(data_dir: Path) -> None:
    """Keep the current build and the last KEEP_PREVIOUS complete ones before it; remove the
    others, and the leftovers of killed builds, unless a live process has them open (a server
    not yet told to reopen, its query workers, a command reading it): a later build removes
    those once they are let go."""
    current = current_store_dir(data_dir)
    if current is None:
        return
    if not is_complete(current):
        mark_complete(current, "switched to before builds were marked complete")
    builds = sorted(p for p in (data_dir / BUILDS).iterdir() if p.is_dir())
    older = [b for b in builds if b.name < current.name and is_complete(b)]
    keep = set(older[-KEEP_PREVIOUS:]) | {current}
    for build in builds:
        if build in keep:
            continue
        if build.name > current.name and is_complete(build):
            continue  # a build finishing now, about to be switched to
        # Incomplete ones still being built are held by their builder and stay.
        remove_unless_in_use(build)


class _heartbeat:
    """Report elapsed time and bytes written every few seconds during a long load."""

    def __init__(self, progress: Progress, name: str, directory: Path, every: float = 3.0):
        self.progress, self.name, self.directory, self.every = progress, name, directory, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        started = time.perf_counter()
        while not self._stop.wait(self.every):
            size = sum(f.stat().st_size for f in self.directory.rglob("*") if f.is_file())
            elapsed = time.perf_counter() - started
            self.progress(f"    ... {self.name}: {elapsed:.0f} s, {size / 1e6:.0f} MB written")

    def __enter__(self) -> _heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
