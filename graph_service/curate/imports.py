"""Import an outside vocabulary (file or URL): parse, clean up with skosify, validate, load."""

from __future__ import annotations

import logging
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from graph_service.config import DEFAULT_MAX_NESTING
from graph_service.curate.diff import diff_triples
from graph_service.curate.fetch import fetch, is_url
from graph_service.curate.import_guard import describe_triples, intruding_triples, joined_context
from graph_service.curate.validate import Problem, validate_graph
from graph_service.exceptions import GraphServiceError
from graph_service.namespaces import (
    BASE,
    GRAPH,
    PREFIXES,
    SCHEME_IDS,
    assign_vocab_ids,
    sparql_prefixes,
    vocab_id_of,
)
from graph_service.store import Store
from graph_service.store.base import StoreError
from graph_service.store.carried import IMPORTS, Staged
from graph_service.store.changes import write_documents
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.formats import RDF_FORMATS, format_for_path
from graph_service.store.journal import Journal, MemoryJournal
from graph_service.store.nesting import TooDeep, check_document
from graph_service.store.write_limits import NO_LIMITS, WriteLimits

Progress = Callable[[str], None]
#: Told a step's name and how far the import is (0-100) as each step starts: a job's progress.
Stage = Callable[[str, int], None]
_VOCAB_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: Content-Type -> format name, for URLs whose extension says nothing.
MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "ntriples",
    "application/trig": "trig",
    "application/n-quads": "nquads",
    "text/n3": "n3",
}
ACCEPT = (
    "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, "
    "application/n-triples;q=0.8, application/trig;q=0.7, */*;q=0.1"
)


class ImportFailed(GraphServiceError):
    """An import that stopped; nothing was loaded or saved."""


@dataclass
class ImportReport:
    """What an import did, step by step."""

    source: str
    vocab_id: str = ""
    graph: str = ""
    schemes: list[str] = field(default_factory=list)
    format: str = ""
    triples_parsed: int = 0
    triples_loaded: int = 0
    skosify_added: int = 0
    skosify_removed: int = 0
    #: Triples skosify inferred about our own concepts (inverses of mappings): left out.
    skosify_left_out: int = 0
    warnings: list[Problem] = field(default_factory=list)
    saved_to: str = ""
    dry_run: bool = False
    seconds: float = 0.0
    steps: list[str] = field(default_factory=list)


def import_graph_iri(vocab_id: str) -> str:
    """The named graph an imported vocabulary lives in."""
    return f"{GRAPH}{IMPORTS}/{vocab_id}"


def read_source(
    source: str,
    *,
    fmt: str | None = None,
    allow_private: bool = False,
    max_bytes: int | None = None,
    local_files: bool = False,
) -> tuple[bytes, str]:
    """The bytes and RDF format of a URL, or of a file path where `local_files` allows it (the
    operator's command line, never a web client: it would read the server's files); the format
    from --format, the media type or the extension."""
    if not is_url(source) and not local_files:
        raise ImportFailed(
            f"only http and https URLs (or an uploaded file) can be imported, not {source!r}"
        )
    if is_url(source):
        fetched = fetch(source, allow_private=allow_private, accept=ACCEPT, max_bytes=max_bytes)
        chosen = fmt or MEDIA_TYPES.get(fetched.media_type) or _format_of_name(fetched.url)
        return fetched.content, chosen
    path = Path(source)
    if not path.is_file():
        raise ImportFailed(f"{source}: no such file")
    return path.read_bytes(), fmt or _format_of_name(str(path))


def format_of_name(name: str, fmt: str | None = None) -> str:
    """The RDF format asked for, else the one a file name's extension says (ImportFailed)."""
    if fmt:
        if fmt not in RDF_FORMATS:
            raise ImportFailed(f"unknown format {fmt!r}; use one of {', '.join(RDF_FORMATS)}")
        return fmt
    return _format_of_name(name)


def _format_of_name(name: str) -> str:
    try:
        return format_for_path(name.split("?", 1)[0])
    except StoreError as exc:
        raise ImportFailed(f"{exc}; say which with --format ({', '.join(RDF_FORMATS)})") from exc


def parse_rdf(data: bytes, fmt: str, name: str, *, max_nesting: int = DEFAULT_MAX_NESTING) -> Graph:
    """Parse with the engine (fast) and return one rdflib graph (named graphs merged); a
    document nested deeper than `max_nesting` is refused before the parser could crash."""
    if fmt not in RDF_FORMATS:
        raise ImportFailed(f"unknown format {fmt!r}; use one of {', '.join(RDF_FORMATS)}")
    scratch = EmbeddedStore()
    try:
        check_document(data, fmt, max_nesting)
        scratch.load(data, fmt)
    except (StoreError, TooDeep) as exc:
        raise ImportFailed(f"{name} is not valid {fmt}: {exc}") from exc
    graph = Graph()
    for s, p, o, _ in scratch.quads():
        graph.add((s, p, o))
    return graph


def run_skosify(graph: Graph) -> Graph:
    """Clean a graph with skosify's defaults; its sys.exit() and chatter are contained."""
    import skosify

    copy = Graph()
    for triple in graph:
        copy.add(triple)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # skosify logs every fix at WARNING on the root logger
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return skosify.skosify(copy)
    except SystemExit as exc:  # skosify exits on input it cannot read
        raise ImportFailed("skosify could not process the vocabulary") from exc
    except Exception as exc:  # a third-party crash is a failed import, not ours
        raise ImportFailed(f"skosify failed: {exc}") from exc
    finally:
        root.setLevel(level)


def schemes_of(graph: Graph) -> list[str]:
    """The concept schemes a graph declares, sorted."""
    return sorted(str(s) for s in set(graph.subjects(RDF.type, SKOS.ConceptScheme)))


def choose_vocab_id(graph: Graph, wanted: str | None) -> str:
    """The vocabulary id: --id if given, else the id of the graph's only scheme."""
    if wanted:
        vocab_id = wanted
    else:
        schemes = schemes_of(graph)
        if len(schemes) != 1:
            found = "no concept scheme" if not schemes else f"{len(schemes)} concept schemes"
            raise ImportFailed(f"the vocabulary has {found}: name it with --id VOCID")
        vocab_id = default_vocab_id(schemes[0])
    check_vocab_id(vocab_id)
    return vocab_id


#: Last segments of scheme IRIs that say what a vocabulary is, not which one: as an id,
#: "thesaurus" would name UNESCO's, and the next thesaurus imported would clash with it.
GENERIC_IDS = frozenset({
    "thesaurus", "vocabulary", "vocabularies", "vocab", "scheme", "conceptscheme", "concepts",
    "concept", "skos", "taxonomy", "ontology", "terms", "index", "data", "dataset", "void",
    "glossary", "keywords", "classification", "authority", "subjects", "",
})  # fmt: skip
#: Host labels that say nothing of the publisher (vocabularies.unesco.org: "unesco").
_HOST_NOISE = frozenset({
    "www", "vocabularies", "vocabulary", "vocab", "vocabs", "data", "id", "lod", "skos", "purl",
    "w3id", "thesaurus", "terms", "linkeddata",
})  # fmt: skip
_SLUG = re.compile(r"[^a-z0-9_-]+")


def default_vocab_id(scheme_iri: str) -> str:
    """The id an import gets without --id: the last segment of its scheme IRI, prefixed with the
    publisher's part of the IRI's host when that segment is generic (UNESCO's
    http://vocabularies.unesco.org/thesaurus: "unesco-thesaurus", not "thesaurus")."""
    tail = _SLUG.sub("-", vocab_id_of(scheme_iri).lower()).strip("-")
    if tail not in GENERIC_IDS and not tail.isdigit():
        return tail[:64]
    host = urlsplit(scheme_iri).hostname or ""
    labels = [p for p in host.lower().split(".")[:-1] if p not in _HOST_NOISE]  # no TLD
    publisher = _SLUG.sub("-", labels[-1] if labels else "").strip("-")
    if not publisher:
        raise ImportFailed(
            f"the scheme <{scheme_iri}> gives no telling vocabulary id: name it with --id VOCID"
        )
    return f"{publisher}-{tail}".strip("-")[:64] if tail else publisher[:64]


def check_vocab_id(vocab_id: str) -> None:
    """Refuse a vocabulary id that is not a safe file and graph name, or one of ours."""
    if not _VOCAB_ID.match(vocab_id):
        raise ImportFailed(f"vocabulary id {vocab_id!r}: use lower-case letters, digits, - and _")
    if vocab_id in SCHEME_IDS:
        raise ImportFailed(f"vocabulary id {vocab_id!r} is one of ours: choose another with --id")


def turtle_of(graph: Graph) -> bytes:
    """Serialise through the engine (much faster than rdflib on large graphs)."""
    scratch = EmbeddedStore()
    target = "urn:x-graph-service:import"
    scratch.add_triples(graph, target)
    prefixes = {**PREFIXES, **{p: str(n) for p, n in graph.namespaces() if p}}
    return scratch.dump("turtle", target, prefixes=prefixes)


def prepare_import(
    source: str,
    *,
    vocab_id: str | None = None,
    fmt: str | None = None,
    skosify: bool = True,
    validate: bool = True,
    allow_private: bool = False,
    local_files: bool = False,
    progress: Progress = lambda message: None,
    data: bytes | None = None,
    stage: Stage = lambda name, percent: None,
    store: Store | None = None,
    max_nesting: int = DEFAULT_MAX_NESTING,
) -> tuple[ImportReport, bytes]:
    """Every step short of loading: read, parse, clean, validate; returns the Turtle to load.

    `progress` gets a line per finished step (the command prints them), `stage` the name and
    share done of each step as it starts (a job's progress page shows them); the shares are
    rough weights of each step in a large import, loading and indexing coming last. Triples
    about our own IRIs refuse the import (curate/import_guard.py); with `store`, the import is
    validated together with the concepts of ours it points at."""
    started = time.perf_counter()
    report = ImportReport(source=source)

    def step(message: str) -> None:
        line = f"[{time.perf_counter() - started:6.1f} s] {message}"
        report.steps.append(line)
        progress(line)

    if data is None:
        stage("fetching" if is_url(source) else "reading", 0)
        data, fmt = read_source(
            source, fmt=fmt, allow_private=allow_private, local_files=local_files
        )
    elif fmt is None:
        fmt = _format_of_name(source)
    report.format = fmt or ""
    step(f"read {len(data):,} bytes of {fmt} from {source}")
    stage("parsing", 10)
    graph = parse_rdf(data, report.format, source, max_nesting=max_nesting)
    report.triples_parsed = len(graph)
    if not len(graph):
        raise ImportFailed(f"{source} holds no triples")
    step(f"parsed {len(graph):,} triples")
    refuse_intruders(graph, source)
    report.vocab_id = choose_vocab_id(graph, vocab_id)
    report.graph = import_graph_iri(report.vocab_id)
    if skosify:
        stage("cleaning", 25)
        cleaned = run_skosify(graph)
        changes = diff_triples(graph, cleaned)
        report.skosify_added, report.skosify_removed = (
            changes.triples_added,
            changes.triples_removed,
        )
        graph = cleaned
        step(
            f"skosify: {changes.triples_added:,} triples added, {changes.triples_removed:,} removed"
        )
        # Its inverses of mappings (ours skos:narrowMatch theirs, theirs skos:broader ours)
        # would rewrite our concepts as surely as the file's own triples: left out.
        inferred = intruding_triples(graph)
        for triple in inferred:
            graph.remove(triple)
        report.skosify_left_out = len(inferred)
        if inferred:
            step(f"skosify: {len(inferred):,} inferred triples about our concepts left out")
    report.schemes = schemes_of(graph)
    if validate:
        stage("validating", 50)
    context = joined_context(store, graph) if validate and store is not None else None
    problems = validate_graph(graph, file=source, context=context) if validate else []
    errors = [p for p in problems if p.severity == "error"]
    report.warnings = [p for p in problems if p.severity != "error"]
    if validate:
        step(f"validated: {len(errors)} errors, {len(report.warnings)} warnings")
    if errors:
        shown = "\n".join(f"  {p}" for p in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise ImportFailed(f"{source} is not valid, nothing was imported:\n{shown}{more}")
    turtle = turtle_of(graph)
    report.triples_loaded = len(graph)
    report.seconds = round(time.perf_counter() - started, 2)
    return report, turtle


def refuse_intruders(graph: Graph, source: str) -> None:
    """ImportFailed, listing them, when a graph holds triples about our IRIs or claiming them."""
    intruders = intruding_triples(graph)
    if intruders:
        raise ImportFailed(
            f"{source} has {len(intruders):,} triples about the service's own concepts ({BASE}"
            "...): an import may map its concepts to ours (skos:exactMatch, closeMatch, "
            "broadMatch, narrowMatch, relatedMatch) but neither describe ours nor put its "
            "concepts in our schemes or hierarchy; nothing was imported:\n"
            + describe_triples(intruders)
        )


def import_file(graph: str) -> str:
    """The file under DATA_DIR that keeps an import graph for every build: imports/<id>.ttl."""
    return f"{IMPORTS}/{graph.removeprefix(import_graph_iri(''))}.ttl"


def write_graph_file(
    store: Store,
    journal: Journal,
    graph: str,
    turtle: bytes,
    data_dir: Path | None,
    *,
    author: str,
    message: str,
    limits: WriteLimits = NO_LIMITS,
) -> Path | None:
    """Replace an import graph and its file as one journalled change (see store/carried.py:
    the file is staged durably, the change naming it is the commit point); the file's path.
    `limits`: a write through HTTP's (nothing journalled nor kept past them)."""
    staged = Staged(Path(data_dir), import_file(graph), turtle) if data_dir is not None else None
    try:
        write_documents(
            store,
            journal,
            [(turtle, "turtle")],
            graph,
            replace=True,
            author=author,
            message=message,
            carry=staged,
            limits=limits,
        )
    finally:
        if staged is not None:
            staged.close()
    return None if staged is None else staged.target


def load_import(
    store: Store,
    report: ImportReport,
    turtle: bytes,
    data_dir: Path | None,
    *,
    journal: Journal | None = None,
    author: str = "",
    progress: Progress = lambda message: None,
    stage: Stage = lambda name, percent: None,
    limits: WriteLimits = NO_LIMITS,
) -> ImportReport:
    """Load prepared Turtle into its graph and keep a copy for rebuilds, both in one journalled
    change (the journal of DATA_DIR unless one is given; in memory without a DATA_DIR).
    `limits`: a web import's (ChangeTooLarge, TryLater past them, nothing loaded)."""
    started = time.perf_counter()
    stage("loading", 75)
    for scheme in report.schemes:
        owner = _graph_holding(store, scheme, report.graph)
        if owner:
            raise ImportFailed(f"scheme <{scheme}> is already in the store (graph <{owner}>)")
    if len(report.schemes) == 1:  # named by the import's id before anything reads it
        assign_vocab_ids({report.schemes[0]: report.vocab_id})
    if journal is None:
        journal = Journal(Path(data_dir)) if data_dir is not None else MemoryJournal()
    before = journal.last_seq()
    try:
        saved = write_graph_file(
            store,
            journal,
            report.graph,
            turtle,
            data_dir,
            author=author,
            message=f"import {report.vocab_id} from {report.source}",
            limits=limits,
        )
    except (StoreError, OSError) as exc:
        if journal.last_seq() == before:
            raise ImportFailed(f"loading failed, nothing was imported: {exc}") from exc
        raise ImportFailed(
            f"the import is journalled but was not applied whole ({exc}): "
            "the next start of the server (or the next build) completes it"
        ) from exc
    if saved is not None:
        report.saved_to = str(saved)
    report.seconds = round(report.seconds + time.perf_counter() - started, 2)
    progress(
        f"loaded {report.triples_loaded:,} triples into <{report.graph}> "
        f"(vocabulary id {report.vocab_id}) in {report.seconds:.1f} s in all"
    )
    return report


def imported_vocab_ids(store: Store) -> dict[str, str]:
    """{scheme IRI: vocabulary id} of the imports in the store whose graph declares one scheme
    (an import of several schemes leaves each its own id: one id cannot name them all)."""
    prefix = import_graph_iri("")
    found = store.select(
        sparql_prefixes("skos")
        + "SELECT ?g ?s WHERE { GRAPH ?g { ?s a skos:ConceptScheme } "
        + "FILTER(STRSTARTS(STR(?g), $prefix)) }",
        {"prefix": Literal(prefix)},
    )
    schemes: dict[str, list[str]] = {}
    for row in found:
        schemes.setdefault(str(row["g"]), []).append(str(row["s"]))
    return {
        held[0]: graph[len(prefix) :]
        for graph, held in schemes.items()
        if len(held) == 1 and graph[len(prefix) :]
    }


def learn_imported_vocab_ids(store: Store) -> dict[str, str]:
    """Make every page, API and dump call an imported scheme by its import's id."""
    ids = imported_vocab_ids(store)
    assign_vocab_ids(ids)
    return ids


def _graph_holding(store: Store, scheme: str, own_graph: str) -> str | None:
    """Another graph that already declares this scheme (re-importing one's own is allowed)."""
    rows = store.select(
        sparql_prefixes("skos")
        + "SELECT ?g WHERE { GRAPH ?g { $s a skos:ConceptScheme } FILTER(?g != $own) } LIMIT 1",
        {"s": URIRef(scheme), "own": URIRef(own_graph)},
    )
    return str(rows[0]["g"]) if rows else None
