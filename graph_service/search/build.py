"""Filling the search index: folding, engine queries read as TSV, SQLite tables and FTS5.

Everything the index knows lives in one SQLite database, concepts included, so that it can be
built in a child process (which opens the same store, persistent or remote, on its own) and
handed over whole (`serialize`): the serving process then holds the finished tables only
(71 MB at 100,000 concepts), never the Python temporaries of
the build (measured: 400 MB of resident memory kept after an in-process build), and its
threads keep serving while the child works, instead of sharing the GIL with it for seconds.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.term import Node

from graph_service.namespaces import (
    SKOS,
    assign_vocab_ids,
    assigned_vocab_ids,
    sparql_prefixes,
    vocab_id_of,
)
from graph_service.search import resources, under
from graph_service.store import RemoteUnavailable, Store, StoreError
from graph_service.store.opening import reopen_store
from graph_service.store.terms import bind
from graph_service.text import fold

log = logging.getLogger(__name__)

KINDS = ("pref", "alt", "hidden")
SCHEMA = """
CREATE TABLE labels(id INTEGER PRIMARY KEY, concept INTEGER, kind TEXT, lang TEXT,
                    label TEXT, folded TEXT);
CREATE TABLE schemes(concept INTEGER, vocab TEXT);
CREATE TABLE types(concept INTEGER, type TEXT);
CREATE TABLE concepts(number INTEGER PRIMARY KEY, iri TEXT, vocab TEXT, types TEXT,
                      notation TEXT, prefs TEXT);
CREATE TABLE retired(iri TEXT, kind TEXT, lang TEXT, label TEXT, folded TEXT, replaced_by TEXT);
CREATE VIRTUAL TABLE labels_fts USING fts5(folded, content='labels', content_rowid='id',
                                           tokenize='unicode61 remove_diacritics 2');
"""
#: Made once the rows are in: faster than keeping them up to date row by row.
INDEXES = """
CREATE INDEX labels_folded ON labels(folded);
CREATE INDEX labels_browse ON labels(lang, folded);
CREATE INDEX labels_concept ON labels(concept, lang);
CREATE INDEX schemes_concept ON schemes(concept, vocab);
CREATE INDEX types_concept ON types(concept, type);
CREATE UNIQUE INDEX concepts_iri ON concepts(iri);
CREATE INDEX retired_folded ON retired(folded);
INSERT INTO labels_fts(labels_fts) VALUES ('rebuild');
"""

#: Label-like facts of every subject, one per row (no join: the engine streams one index).
FACTS_QUERY = (
    sparql_prefixes("skos")
    + """SELECT ?c ?p ?v WHERE { ?c ?p ?v VALUES ?p {
  skos:prefLabel skos:altLabel skos:hiddenLabel skos:inScheme skos:topConceptOf skos:notation
} }"""
)
#: The concepts, with all their classes, and the deprecated ones.
TYPES_QUERY = sparql_prefixes("skos") + "SELECT ?c ?v WHERE { ?c a skos:Concept ; a ?v }"
DEPRECATED_QUERY = (
    sparql_prefixes("owl", "dct")
    + "SELECT ?c ?r WHERE { ?c owl:deprecated true OPTIONAL { ?c dct:isReplacedBy ?r } }"
)
#: What each predicate of FACTS_QUERY is, by its TSV cell (the engine writes whole IRIs).
_KIND_OF = {
    f"<{SKOS.prefLabel}>": "pref",
    f"<{SKOS.altLabel}>": "alt",
    f"<{SKOS.hiddenLabel}>": "hidden",
    f"<{SKOS.inScheme}>": "s",
    f"<{SKOS.topConceptOf}>": "s",
    f"<{SKOS.notation}>": "notation",
}

_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uU" and len(code) > 1:
        return chr(int(code[1:], 16))
    return _ESCAPES.get(code, code)


def term(cell: str) -> tuple[str, str]:
    """A TSV cell (an N-Triples term) as (value, language): IRIs and literals alike."""
    if cell.startswith("<"):
        return cell[1:-1], ""
    if cell.startswith('"'):
        end = cell.rindex('"')
        text = cell[1:end]
        if "\\" in text:
            text = _ESCAPE.sub(_unescape, text)
        rest = cell[end + 1 :]
        return text, rest[1:].lower() if rest.startswith("@") else ""
    return cell, ""  # numbers and booleans are written bare


@dataclass(frozen=True)
class Concept:
    """What the index remembers of a concept to answer with it."""

    iri: str
    vocab_id: str
    types: tuple[str, ...]
    notation: str | None
    prefs: dict[str, str]

    @classmethod
    def from_row(cls, row: tuple[str, str, str, str | None, str]) -> Concept:
        """A concept from its row of the `concepts` table (iri, vocab, types, notation, prefs)."""
        iri, vocab, types, notation, prefs = row
        classes = tuple(types.split("\t")) if types else ()
        return cls(iri, vocab, classes, notation, json.loads(prefs))


def _tsv(store: Store, query: str) -> Iterator[list[str]]:
    """The rows of a SELECT as lists of N-Triples cells (engine-side TSV: compact and fast)."""
    body = store.query_serialized(query, result_format="tsv").body.decode("utf-8")
    for line in body.split("\n")[1:]:
        if line:
            yield line.split("\t")


def _database(content: bytes | None = None) -> sqlite3.Connection:
    """An in-memory index database shareable between threads: empty with its tables, or
    holding `content` (a serialised index)."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    if content is None:
        db.executescript(SCHEMA + resources.SCHEMA + under.SCHEMA)
    else:
        db.deserialize(content)
    return db


def build_database(store: Store) -> sqlite3.Connection:
    """A filled index database for the store's current data (in this process)."""
    db = _database()
    load(db, store)
    return db


def build_database_apart(store: Store, timeout: float = 600.0) -> sqlite3.Connection:
    """The same database, built by a child process that opens the same store on its own.

    A persistent store is opened read-only; a remote one is reached with the same endpoints,
    whose settings (credentials included) go to the child on its standard input, never on its
    command line. The child's remote reads may take up to `timeout` each, not the interactive
    query limit: it reads every label of the store in a few whole queries, which take longer
    than a visitor's query on a big remote store (Virtuoso: over 10 s at 100,000 concepts).
    A remote store's failure in the child ends here (503, not retried in-process under the
    shorter limit); any other failure falls back to building here (it is logged): search must
    not be lost to, say, a missing interpreter.
    """
    settings = store.reopen_settings()
    if settings is None:
        return build_database(store)
    remote = "timeout" in settings
    if remote:
        # Whole reads rather than pages: one consistent view of the data (no write slips
        # between two pages), no OFFSET re-scan per page, and the child's own deadline
        # (`timeout`) still bounds the build, so a dead store cannot hold it for ever.
        settings = {**settings, "timeout": max(float(str(settings["timeout"])), timeout)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD],
            # The child names imported vocabularies by their imports' ids, as this process does.
            input=json.dumps(
                {**settings, _VOCAB_IDS: assigned_vocab_ids(), _PARENT: os.getpid()}
            ).encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode == 0 and done.stdout:
            return _database(done.stdout)
        if remote and done.returncode == _STORE_FAILED:
            reason = done.stderr.decode("utf-8", "replace").strip()[-2000:]
            raise RemoteUnavailable(f"the search index could not be read from the store: {reason}")
        log.warning(
            "the search index child failed (exit %s): %s",
            done.returncode,
            done.stderr.decode("utf-8", "replace")[-2000:],
        )
    except subprocess.TimeoutExpired as exc:
        if remote:  # the same reads here, under the shorter limit, would fail as well
            raise RemoteUnavailable(
                f"the search index could not be read from the store within {timeout:g} s"
            ) from exc
        log.warning("the search index child failed: %s", exc)
    except (OSError, sqlite3.Error) as exc:
        log.warning("the search index child failed: %s", exc)
    return build_database(store)


def end_with_parent() -> None:
    """Have Linux kill this process when its parent ends: a server stopped or killed during
    a build left its child reading the whole store for tens of seconds (one per restart),
    taking a core from the server that replaced it. Elsewhere, nothing is done. (Linux sends
    it when the thread that started the child ends: here the thread that waits for it.)"""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the child ends when its build does


_CHILD = "from graph_service.search.build import child_main; child_main()"
#: prctl's option that asks for a signal when the parent process ends (linux/prctl.h).
_PR_SET_PDEATHSIG = 1
#: The key of the settings sent to the child that carries its parent's process id.
_PARENT = "graph_service_parent"
#: The key of the settings sent to the child that carries the imports' vocabulary ids.
_VOCAB_IDS = "graph_service_vocab_ids"
#: The child's exit status when the store failed it (any other failure is the child's own).
_STORE_FAILED = 3


def child_main() -> None:
    """In the child: open the store its stdin describes, write the built index to stdout."""
    end_with_parent()
    settings = json.loads(sys.stdin.buffer.read())
    if os.getppid() != settings.pop(_PARENT, os.getppid()):
        raise SystemExit(1)  # the server ended before the signal was asked for: nobody waits
    assign_vocab_ids(settings.pop(_VOCAB_IDS, {}))
    try:
        data = build_database(reopen_store(settings)).serialize()
    except StoreError as exc:  # the remote store's errors are StoreErrors too
        sys.stderr.write(f"{exc}\n")
        raise SystemExit(_STORE_FAILED) from None
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _facts(
    store: Store, values: str = "", bindings: dict[str, Node] | None = None
) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """Labels, schemes, notations and classes of the concepts (those of `values`, a VALUES
    clause on ?c, or all). A deprecated concept's entry has a "replaced_by" list (maybe empty):
    as in Skosmos, search does not offer it, but its labels lead to its replacement."""
    facts: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for c, v in _tsv(store, _with(TYPES_QUERY, values, bindings)):
        facts.setdefault(c, {}).setdefault("type", []).append(term(v))
    for c, *replacement in _tsv(store, _with(DEPRECATED_QUERY, values, bindings)):
        entry = facts.get(c)
        if entry is not None:  # a deprecated property or class is no concept: not searched
            by = entry.setdefault("replaced_by", [])
            if replacement and replacement[0].startswith("<"):
                by.append(term(replacement[0]))
    for c, p, v in _tsv(store, _with(FACTS_QUERY, values, bindings)):
        entry = facts.get(c)
        if entry is not None:
            value = term(v)
            if _KIND_OF[p] == "notation" and '"^^' in v and not v.endswith(_XSD_STRING):
                value = (value[0], TYPED)  # a second, typed code (a SIREN): shown after the plain
            entry.setdefault(_KIND_OF[p], []).append(value)
    return facts


#: Marks a typed notation among a concept's notations; the plain one is the one shown.
TYPED = "^^"
_XSD_STRING = "<http://www.w3.org/2001/XMLSchema#string>"


def _plain_first(notation: tuple[str, str]) -> tuple[bool, str]:
    return (notation[1] == TYPED, notation[0])


def _with(query: str, values: str, bindings: dict[str, Node] | None) -> str:
    """A query of this module restricted by a VALUES clause (bound by the engine)."""
    if not values:
        return query
    head, _, tail = query.rpartition("}")
    return bind(f"{head} {values} }}{tail}", bindings)


@dataclass
class Rows:
    """The index rows of some concepts, ready for the tables."""

    labels: list[tuple] = field(default_factory=list)
    schemes: list[tuple] = field(default_factory=list)
    types: list[tuple] = field(default_factory=list)
    concepts: list[tuple] = field(default_factory=list)
    retired: list[tuple] = field(default_factory=list)


def rows_of(facts: dict[str, dict[str, list[tuple[str, str]]]], numbers: dict[str, int]) -> Rows:
    """The rows of the concepts of `facts`, numbered by `numbers` (IRI cell -> number)."""
    rows = Rows()
    for iri_cell, entry in sorted(facts.items()):
        if "replaced_by" in entry:
            rows.retired += _retired_rows(iri_cell, entry)
            continue
        number = numbers[iri_cell]
        prefs: dict[str, str] = {}
        for kind in KINDS:
            for text, lang in dict.fromkeys(entry.get(kind, ())):  # a label in two graphs: once
                if kind == "pref":
                    prefs.setdefault(lang, text)
                rows.labels.append((number, kind, lang, text, fold(text)))
        vocabs = sorted({vocab_id_of(v) for v, _ in entry.get("s", ())})
        types = tuple(sorted({v for v, _ in entry.get("type", ())}))
        notations = [v for v, _ in sorted(entry.get("notation", ()), key=_plain_first)]
        rows.schemes += [(number, vocab) for vocab in vocabs]
        rows.types += [(number, t) for t in types]
        rows.concepts.append(
            (
                number,
                term(iri_cell)[0],
                vocabs[0] if vocabs else "",
                "\t".join(types),
                notations[0] if notations else None,
                json.dumps(prefs, ensure_ascii=False),
            )
        )
    return rows


def _retired_rows(iri_cell: str, entry: dict[str, list[tuple[str, str]]]) -> list[tuple]:
    """The labels of a deprecated concept, each with the concept that replaces it (or "")."""
    replacements = sorted(v for v, _ in entry.get("replaced_by", ()))
    by = replacements[0] if replacements else ""
    iri = term(iri_cell)[0]
    return [
        (iri, kind, lang, text, fold(text), by)
        for kind in KINDS
        for text, lang in dict.fromkeys(entry.get(kind, ()))
    ]


def insert(db: sqlite3.Connection, rows: Rows) -> list[int]:
    """Insert rows into the tables; the ids of the new label rows (for the FTS index)."""
    first = db.execute("SELECT coalesce(max(id), 0) FROM labels").fetchone()[0] + 1
    db.executemany(
        "INSERT INTO labels(concept, kind, lang, label, folded) VALUES (?,?,?,?,?)", rows.labels
    )
    db.executemany("INSERT INTO schemes VALUES (?,?)", rows.schemes)
    db.executemany("INSERT INTO types VALUES (?,?)", rows.types)
    db.executemany("INSERT INTO concepts VALUES (?,?,?,?,?,?)", rows.concepts)
    db.executemany("INSERT INTO retired VALUES (?,?,?,?,?,?)", rows.retired)
    return list(range(first, first + len(rows.labels)))


def load(db: sqlite3.Connection, store: Store) -> int:
    """Fill the tables from the store; returns the number of concepts (numbered from 0)."""
    facts = _facts(store)
    live = sorted(cell for cell, entry in facts.items() if "replaced_by" not in entry)
    numbers = {cell: number for number, cell in enumerate(live)}
    rows = rows_of(facts, numbers)
    insert(db, rows)
    db.executescript(INDEXES)

    def labels_of(iri: str) -> list[str]:
        entry = facts.get(f"<{iri}>", {})
        return [text for text, _ in entry.get("pref", ())]

    _load_resources(db, store, labels_of)
    _load_under(db, store)
    db.executescript(under.INDEXES)
    db.commit()
    return len(rows.concepts)


def _resource_facts(
    store: Store, iris: list[str] | None
) -> tuple[list[tuple[str, str, tuple[str, str]]], set[str]]:
    """The searched facts of resources (of `iris`, or all) and which subjects are concepts,
    schemes or collections (never resources)."""
    values = ""
    bindings: dict[str, Node] | None = None
    if iris is not None:
        values = "VALUES ?r { " + " ".join(f"$r{n}" for n in range(len(iris))) + " }"
        bindings = {f"r{n}": URIRef(iri) for n, iri in enumerate(iris)}
    facts: list[tuple[str, str, tuple[str, str]]] = []
    for name in resources.PROPERTIES:
        found = _tsv(store, _with(resources.property_query(name), values, bindings))
        if name in resources.LINKS:
            facts += [(r[1:-1], name, (v[1:-1], "")) for r, v in found if v.startswith("<")]
        else:
            facts += [(r[1:-1], name, term(v)) for r, v in found if r.startswith("<")]
    others = {
        term(r)[0] for (r,) in _tsv(store, _with(resources.NOT_RESOURCES_QUERY, values, bindings))
    }
    return facts, others


def _load_resources(
    db: sqlite3.Connection,
    store: Store,
    labels_of: Callable[[str], list[str]],
    iris: list[str] | None = None,
) -> None:
    """Index the resources of the store (or those of `iris` and the resources they are part
    of, with all their attachments, after a write)."""
    facts, others = _resource_facts(store, iris)
    wanted: set[str] | None = None
    if iris is not None:
        wholes = {v for _, p, (v, _) in facts if p == "isPartOf"}
        wanted = set(iris) | wholes
        facts, others = _resource_facts(store, sorted(wanted))
        parts = {v for _, p, (v, _) in facts if p == "hasPart"} - wanted
        if parts:
            more, more_others = _resource_facts(store, sorted(parts))
            facts, others = facts + more, others | more_others
        resources.forget_resources(db, sorted(wanted))
    resources.insert_resources(db, resources.resource_rows(facts, others, labels_of, wanted))


def _load_under(db: sqlite3.Connection, store: Store, iris: list[str] | None = None) -> None:
    """Read the hierarchy, subject and date rows of the store (or those `iris` own, after a
    write: their old rows go first) for the resources under a concept (search/under.py)."""
    values = ""
    bindings: dict[str, Node] | None = None
    if iris is not None:
        values = "VALUES ?o { " + " ".join(f"$o{n}" for n in range(len(iris))) + " }"
        bindings = {f"o{n}": URIRef(iri) for n, iri in enumerate(iris)}
        under.forget(db, iris)
    read: under.Read = {}
    for name, query in under.QUERIES.items():
        rows = _tsv(store, _with(query, values, bindings))
        if name in under.LINKS:
            read[name] = [(o, v) for o, v in rows if o[0] == "<" and v[0] == "<"]
        else:  # STR() of a blank node is an error in SPARQL: no date
            read[name] = [(o, term(v)[0]) for o, v in rows if o[0] == "<" and v[:2] != "_:"]
    under.insert(db, read)


def update(db: sqlite3.Connection, store: Store, iris: list[str]) -> None:
    """Read the concepts `iris` again from the store into a built index (labels edited, a
    concept added, deprecated or removed), keeping the external-content FTS table in step."""
    values = "VALUES ?c { " + " ".join(f"$c{n}" for n in range(len(iris))) + " }"
    bindings: dict[str, Node] = {f"c{n}": URIRef(iri) for n, iri in enumerate(iris)}
    facts = _facts(store, values, bindings)
    numbers: dict[str, int] = {}
    next_number = db.execute("SELECT coalesce(max(number), -1) FROM concepts").fetchone()[0] + 1
    for iri in iris:
        db.execute("DELETE FROM retired WHERE iri = ?", [iri])
        found = db.execute("SELECT number FROM concepts WHERE iri = ?", [iri]).fetchone()
        if found is not None:
            _forget(db, found[0])
        cell = f"<{iri}>"
        if cell in facts and "replaced_by" not in facts[cell]:
            numbers[cell] = found[0] if found is not None else next_number
            next_number += found is None
    rows = rows_of(facts, numbers)
    ids = insert(db, rows)
    db.executemany(
        "INSERT INTO labels_fts(rowid, folded) VALUES (?, ?)",
        [(row_id, row[4]) for row_id, row in zip(ids, rows.labels, strict=True)],
    )

    def labels_of(iri: str) -> list[str]:
        found = db.execute(
            "SELECT l.label FROM labels l JOIN concepts c ON c.number = l.concept "
            "WHERE c.iri = ? AND l.kind = 'pref'",
            [iri],
        )
        return [label for (label,) in found]

    _load_resources(db, store, labels_of, iris)
    _load_under(db, store, iris)
    db.commit()


def _forget(db: sqlite3.Connection, number: int) -> None:
    """Remove a concept's rows (its labels from the FTS index first: it holds copies)."""
    labels = db.execute("SELECT id, folded FROM labels WHERE concept = ?", [number]).fetchall()
    db.executemany(
        "INSERT INTO labels_fts(labels_fts, rowid, folded) VALUES ('delete', ?, ?)", labels
    )
    for table in ("labels", "schemes", "types"):
        db.execute(f"DELETE FROM {table} WHERE concept = ?", [number])
    db.execute("DELETE FROM concepts WHERE number = ?", [number])
