"""Export a scheme (or everything) in every RDF format and as CSV; bring such a CSV back."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node

from graph_service.exceptions import GraphServiceError, NotFound
from graph_service.model.schemes import list_schemes
from graph_service.namespaces import BUILD_GRAPH, PREFIXES, scheme_iri, sparql_prefixes
from graph_service.store import Store
from graph_service.store.changes import write_documents
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import Journal, MemoryJournal
from graph_service.store.write_limits import NO_LIMITS, WriteLimits

EXPORT_FORMATS = ("turtle", "ntriples", "rdfxml", "jsonld", "trig", "nquads", "csv")
SEPARATOR = " | "
_Q = sparql_prefixes("skos")
_CSV_LANG_FIELDS = {
    "prefLabel": SKOS.prefLabel,
    "altLabel": SKOS.altLabel,
    "definition": SKOS.definition,
}


class CsvError(GraphServiceError):
    """A CSV that cannot be brought back (missing columns, bad IRIs); nothing was loaded."""


@dataclass(frozen=True)
class SchemeRef:
    """A scheme chosen for export or CSV import: its IRI, vocabulary id and graph."""

    iri: str
    vocab_id: str
    graph: str | None


def resolve_scheme(store: Store, wanted: str) -> SchemeRef:
    """Find a scheme by vocabulary id or IRI; NotFound lists the ids there are."""
    schemes = list_schemes(store)
    for scheme in schemes:
        if wanted in (scheme.vocab_id, scheme.iri):
            return SchemeRef(scheme.iri, scheme.vocab_id, _graph_of(store, scheme.iri))
    known = ", ".join(s.vocab_id for s in schemes) or "none"
    raise NotFound(f"no concept scheme {wanted!r} in the store (vocabulary ids: {known})")


def _graph_of(store: Store, iri: str) -> str | None:
    rows = store.select(
        _Q + "SELECT ?g WHERE { GRAPH ?g { $s a skos:ConceptScheme } } LIMIT 1", {"s": URIRef(iri)}
    )
    return str(rows[0]["g"]) if rows else None


def scheme_triples(store: Store, scheme: SchemeRef) -> list[tuple[Node, Node, Node]]:
    """The scheme's own triples and those of every concept in it."""
    return store.construct(
        _Q
        + """CONSTRUCT { ?s ?p ?o } WHERE {
  { BIND($scheme AS ?s) ?s ?p ?o }
  UNION { ?s skos:inScheme|skos:topConceptOf $scheme . ?s ?p ?o }
  UNION { $scheme skos:hasTopConcept ?s . ?s ?p ?o } }""",
        {"scheme": URIRef(scheme.iri)},
    )


def export_rdf(store: Store, fmt: str, scheme: SchemeRef | None = None) -> bytes:
    """Serialise one scheme, or every graph but the build metadata, in an RDF format."""
    if fmt not in EXPORT_FORMATS or fmt == "csv":
        raise GraphServiceError(f"unknown RDF format {fmt!r}: use {', '.join(EXPORT_FORMATS)}")
    scratch = EmbeddedStore()
    if scheme is None:
        for graph in store.named_graphs():
            if graph != str(BUILD_GRAPH):
                scratch.add_triples(((s, p, o) for s, p, o, _ in store.quads(graph)), graph)
    else:
        graph = scheme.graph or scheme.iri
        scratch.add_triples(scheme_triples(store, scheme), graph)
    graphs = scratch.named_graphs()
    if fmt in {"trig", "nquads"}:
        return scratch.dump(fmt, prefixes=PREFIXES)
    merged = EmbeddedStore()
    target = "urn:x-graph-service:export"
    for graph in graphs:
        merged.add_triples(((s, p, o) for s, p, o, _ in scratch.quads(graph)), target)
    return merged.dump(fmt, target, prefixes=PREFIXES)


def export_csv(store: Store, scheme: SchemeRef | None = None) -> str:
    """One row per concept: uri, labels and definitions per language, broader, notation."""
    bindings = {"scheme": URIRef(scheme.iri)} if scheme else None
    where = "?c skos:inScheme|skos:topConceptOf $scheme ." if scheme else "?c a skos:Concept ."
    rows = store.select(
        _Q
        + f"""SELECT DISTINCT ?c ?p ?o WHERE {{ {where}
  VALUES ?p {{ skos:prefLabel skos:altLabel skos:definition skos:broader skos:notation }}
  ?c ?p ?o }}""",
        bindings,
    )
    concepts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    languages: set[str] = set()
    for row in rows:
        concept, prop, value = str(row["c"]), str(row["p"]).rsplit("#", 1)[-1], row["o"]
        if prop in _CSV_LANG_FIELDS:
            lang = getattr(value, "language", None) or ""
            languages.add(lang)
            concepts[concept][f"{prop}@{lang}" if lang else prop].append(str(value))
        else:
            concepts[concept][prop].append(str(value))
    langs = sorted(languages, key=lambda code: (code not in ("fr", "en"), code != "fr", code))
    header = ["uri"]
    for prop in ("prefLabel", "altLabel", "definition"):
        header += [f"{prop}@{lang}" if lang else prop for lang in langs]
    header += ["broader", "notation"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for concept in sorted(concepts):
        values = concepts[concept]
        writer.writerow(
            [concept] + [SEPARATOR.join(sorted(values.get(col, []))) for col in header[1:]]
        )
    return out.getvalue()


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Parse a CSV (comma, semicolon or tab separated; a BOM is tolerated); check its columns."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CsvError("the CSV file is empty")
    first = text.splitlines()[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [] if "uri" in header else ["uri"]
    if not any(h.startswith("prefLabel") for h in header):
        missing.append("prefLabel@<lang> (e.g. prefLabel@fr)")
    if missing:
        raise CsvError(
            f"missing column{'s' * (len(missing) > 1)}: {', '.join(missing)} "
            f"(found: {', '.join(header) or 'none'}); nothing was loaded"
        )
    rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    return header, rows


def csv_to_graph(text: str, scheme_iri_: str) -> Graph:
    """The triples a CSV states: labels, definitions, broader (and narrower back), notation."""
    _, rows = read_csv(text)
    graph = Graph()
    scheme = URIRef(scheme_iri_)
    for number, row in enumerate(rows, start=2):
        uri = row.get("uri", "")
        if not uri.startswith(("http://", "https://")):
            raise CsvError(f"line {number}: uri {uri!r} is not an http(s) IRI; nothing was loaded")
        concept = URIRef(uri)
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.inScheme, scheme))
        for column, value in row.items():
            name, _, lang = column.partition("@")
            if name in _CSV_LANG_FIELDS:
                for part in _split(value):
                    graph.add((concept, _CSV_LANG_FIELDS[name], Literal(part, lang=lang or None)))
            elif name == "broader":
                for part in _split(value):
                    if not part.startswith(("http://", "https://")) or " " in part:
                        raise CsvError(
                            f"line {number}: broader {part!r} is not an http(s) IRI; "
                            "nothing was loaded"
                        )
                    graph.add((concept, SKOS.broader, URIRef(part)))
                    graph.add((URIRef(part), SKOS.narrower, concept))
            elif name == "notation":
                for part in _split(value):
                    graph.add((concept, SKOS.notation, Literal(part)))
    return graph


def _split(value: str) -> Iterable[str]:
    return [part.strip() for part in value.split(SEPARATOR.strip()) if part.strip()]


#: What a CSV row replaces on a concept; other statements (related, mappings...) are kept.
REPLACED = (SKOS.prefLabel, SKOS.altLabel, SKOS.definition, SKOS.broader, SKOS.notation)


def merge_csv(store: Store, text: str, wanted: str) -> tuple[SchemeRef, Graph, int]:
    """The scheme's new content: its current triples with the CSV's concepts rewritten."""
    try:
        scheme = resolve_scheme(store, wanted)
        # The whole graph, not only the scheme's concepts: it is replaced as a whole on load.
        if scheme.graph:
            current = [(s, p, o) for s, p, o, _ in store.quads(scheme.graph)]
        else:
            current = scheme_triples(store, scheme)
    except NotFound:
        scheme = SchemeRef(scheme_iri(wanted), wanted, None)
        current = []
    incoming = csv_to_graph(text, scheme.iri)
    rewritten = set(incoming.subjects(RDF.type, SKOS.Concept))
    graph = Graph()
    for s, p, o in current:
        if s in rewritten and p in REPLACED:
            continue
        if p == SKOS.narrower and o in rewritten:
            continue  # the CSV's broader column restates it
        graph.add((s, p, o))
    graph += incoming
    node = URIRef(scheme.iri)
    if not current:
        graph.add((node, RDF.type, SKOS.ConceptScheme))
        graph.add((node, DCTERMS.title, Literal(wanted, lang="fr")))
    if not any(graph.objects(node, SKOS.hasTopConcept)):
        for concept in rewritten:
            if not any(graph.objects(concept, SKOS.broader)):
                graph.add((node, SKOS.hasTopConcept, concept))
                graph.add((concept, SKOS.topConceptOf, node))
    return scheme, graph, len(rewritten)


def apply_csv(
    store: Store,
    text: str,
    wanted: str,
    *,
    data_dir: Path | None = None,
    journal: Journal | None = None,
    author: str = "",
    message: str = "import-csv",
    output: Path | None = None,
    dry_run: bool = False,
    limits: WriteLimits = NO_LIMITS,
) -> str:
    """Validate the merged scheme, then replace its graph as one journalled change (the journal
    of DATA_DIR unless one is given; in memory without a DATA_DIR); returns a summary line.
    `limits`: those of a write through HTTP, for a caller that has them (the CLI has none)."""
    from graph_service.curate.imports import import_graph_iri, turtle_of, write_graph_file
    from graph_service.curate.validate import validate_graph

    scheme, graph, count = merge_csv(store, text, wanted)
    errors = [p for p in validate_graph(graph, file="csv") if p.severity == "error"]
    if errors:
        shown = "\n".join(f"  {p}" for p in errors[:20])
        raise CsvError(f"the CSV would make the scheme invalid, nothing was loaded:\n{shown}")
    turtle = turtle_of(graph)
    if output is not None:
        output.write_bytes(turtle)
    if dry_run:
        return f"dry run: {count} concepts checked for <{scheme.iri}>; nothing was loaded"
    target = scheme.graph or import_graph_iri(scheme.vocab_id)
    if journal is None:
        journal = Journal(Path(data_dir)) if data_dir is not None else MemoryJournal()
    note = ""
    if target.startswith(import_graph_iri("")):
        # An imported vocabulary: its file in DATA_DIR/imports changes with it, in one step.
        write_graph_file(
            store,
            journal,
            target,
            turtle,
            data_dir,
            author=author,
            message=message,
            limits=limits,
        )
    else:
        write_documents(
            store,
            journal,
            [(turtle, "turtle")],
            target,
            replace=True,
            author=author,
            message=message,
            limits=limits,
        )
        note = (
            " (journalled: builds replay it over vocab/ until it is published there; "
            "--output writes the Turtle to commit)"
        )
    return f"loaded {count} concepts into <{target}>{note}"
