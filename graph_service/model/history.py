"""The history of the data, read from the change journal: what changed an IRI, newest first,
the latest changes (of one vocabulary, or of all), and who changed an IRI last.

The journal is read once per growth: an index of which changes touch which IRI (as subject or
object of a quad they add or remove) is built once per journal object and extended with the
changes appended since, so a page asks nothing of a journal of thousands of changes but a
dictionary lookup. Only the changes shown are turned into readable statements.
"""

from __future__ import annotations

import json
import logging
import threading
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice

from rdflib import BNode, Literal

from graph_service.exceptions import GraphServiceError, NotFound
from graph_service.model.base import SPARQL_PREFIXES, memo, rows
from graph_service.model.browse import labels_for
from graph_service.model.vocab import IN_SCHEME, scheme_node
from graph_service.namespaces import curie
from graph_service.store import Store
from graph_service.store.journal import Journal
from graph_service.store.rdf_patch import Change, row_terms
from graph_service.store.terms import XSD_STRING

log = logging.getLogger(__name__)

#: Statements shown per direction (added, removed) of one change; an import adds thousands.
MAX_SHOWN = 50
#: IRIs labelled per page (one query binds them all).
MAX_LABELLED = 400
#: A change id prefix shorter than this names too many changes to be meant.
MIN_PREFIX = 4


@dataclass(frozen=True)
class Statement:
    """One added or removed quad, readable: terms as text, the object's kind, its language or
    datatype, the graph ("" for the default graph) and the labels of IRIs ("" when none)."""

    subject: str
    predicate: str
    object: str
    object_kind: str  # "iri", "blank" or "literal"
    language: str = ""
    datatype: str = ""
    graph: str = ""
    subject_label: str = ""
    object_label: str = ""


@dataclass(frozen=True)
class Stamp:
    """Who changed the data, when and why (a change without its quads); `reviewer` is who
    approved it when its author only proposed it ("" when no review took place)."""

    id: str
    seq: int
    time: str
    author: str
    message: str
    reviewer: str = ""


@dataclass(frozen=True)
class Entry:
    """One change as the history shows it: its stamp, the statements shown (at most MAX_SHOWN
    each way), how many it added and removed in all, and its main subject ("" if none)."""

    stamp: Stamp
    added: tuple[Statement, ...]
    removed: tuple[Statement, ...]
    added_count: int
    removed_count: int
    subject: str


@dataclass(frozen=True)
class History:
    """A page of changes, newest first: of one IRI (`uri`), or of everything (`uri` None)."""

    uri: str | None
    entries: tuple[Entry, ...]
    offset: int
    limit: int
    more: bool


# --- the index: which changes touch which IRI -------------------------------------------------


@dataclass
class _Index:
    changes: list[Change] = field(default_factory=list)
    #: Per change (same position), the IRIs its quads have as subject or object.
    touched: list[frozenset[str]] = field(default_factory=list)
    #: Per change, its main subject (the IRI most of its quads are about, "" if none).
    subjects: list[str] = field(default_factory=list)
    #: IRI -> positions of the changes touching it, oldest first.
    by_iri: dict[str, list[int]] = field(default_factory=dict)


_indexes: weakref.WeakKeyDictionary[Journal, _Index] = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()
#: Journals indexed to their end at least once in this process (an index being built is in
#: _indexes already, half full, under the lock).
_complete: weakref.WeakSet[Journal] = weakref.WeakSet()
#: Journals whose first index a background thread is building.
_building: weakref.WeakSet[Journal] = weakref.WeakSet()
_building_lock = threading.Lock()


def _row_iris(row: str) -> Iterator[str]:
    """The subject and object IRIs of an N-Quads row as the engine writes it. Terms are
    separated by single spaces and an IRI holds neither a space nor ">", so the row's text
    gives them without parsing its literals."""
    subject, _, rest = row.partition(" ")
    if subject.startswith("<") and not subject.startswith("<<"):
        yield subject[1:-1]
    obj = rest.partition(" ")[2]
    if obj.startswith("<") and not obj.startswith("<<"):
        yield obj[1 : obj.index(">")]


def _index(journal: Journal) -> _Index:
    """The journal's index, extended with the changes appended since it was last asked."""
    changes = journal.changes()
    with _indexes_lock:
        index = _indexes.get(journal)
        known = len(index.changes) if index is not None else 0
        if (
            index is None
            or known > len(changes)
            or (known and changes[known - 1].id != index.changes[-1].id)
        ):
            # A journal cut or replaced under us (recovery in another process): start over.
            index, known = _Index(), 0
            _indexes[journal] = index
        for position in range(known, len(changes)):
            change = changes[position]
            iris = frozenset(
                iri for row in (*change.added, *change.removed) for iri in _row_iris(row)
            )
            index.changes.append(change)
            index.touched.append(iris)
            index.subjects.append(_main_subject((*change.added, *change.removed)))
            for iri in iris:
                index.by_iri.setdefault(iri, []).append(position)
        _complete.add(journal)
        return index


# --- questions --------------------------------------------------------------------------------


def stamp_of(change: Change) -> Stamp:
    """The stamp of a journalled change."""
    return Stamp(change.id, change.seq, change.time, change.author, change.message, change.reviewer)


def find_change(journal: Journal, reference: str) -> Change:
    """The change a full id or a unique prefix of it names (`urn:uuid:` allowed); NotFound for
    none, 400 for a prefix too short or naming several."""
    wanted = reference.strip().lower().removeprefix("urn:uuid:")
    if len(wanted) < MIN_PREFIX:
        raise GraphServiceError(f"give at least {MIN_PREFIX} characters of the change id")
    found = [c for c in _index(journal).changes if c.id.startswith(wanted)]
    if not found:
        raise NotFound(f"no change {reference!r} in the journal")
    if len(found) > 1:
        raise GraphServiceError(
            f"{reference!r} names {len(found)} changes "
            f"({', '.join(c.id[:12] for c in found[:5])}...): give more of the id"
        )
    return found[0]


def read_journal(journal: Journal) -> int:
    """Bring the journal's index up to date, as the first question would (the warm-up's step:
    the first concept page of a process, asking who last changed it, read every change of the
    journal, 0.87 s after UNESCO's and STW's imports); the number of changes indexed."""
    return len(_index(journal).changes)


def last_change(journal: Journal, iri: str) -> Stamp | None:
    """The newest change touching an IRI (its "modified on ... by ..."), or None. Before the
    process has indexed the journal, the answer is searched in the journal's text while the
    index is built off the request path (the first concept page of a process without
    warm-up built it: 0.6 s after UNESCO's and STW's imports, 2 s with the journal's read)."""
    if journal not in _complete:
        _index_in_background(journal)
        for change, row in journal.rows_back(f"<{iri}>"):
            if iri in _row_iris(row):
                return stamp_of(change)
        return None
    index = _index(journal)
    positions = index.by_iri.get(iri)
    return stamp_of(index.changes[positions[-1]]) if positions else None


def _index_in_background(journal: Journal) -> None:
    """Start building the journal's index in a thread of its own, unless one already is."""
    with _building_lock:
        if journal in _building:
            return
        _building.add(journal)

    def build() -> None:
        try:
            read_journal(journal)
        except Exception:  # a damaged journal is reported by the pages that read it
            log.exception("indexing the journal failed")
        finally:
            with _building_lock:
                _building.discard(journal)

    threading.Thread(target=build, name="journal-index", daemon=True).start()


def history_of(
    journal: Journal,
    iri: str,
    *,
    store: Store | None = None,
    lang: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> History:
    """The changes touching an IRI, newest first, its statements first in each (labels of the
    IRIs from the store when one is given)."""
    index = _index(journal)
    positions = index.by_iri.get(iri, [])
    end = max(0, len(positions) - offset)
    chosen = reversed(positions[max(0, end - limit) : end])
    entries = _entries(index, chosen, store, lang, first=iri)
    return History(iri, entries, offset, limit, more=end - limit > 0)


def recent_changes(
    journal: Journal,
    *,
    store: Store | None = None,
    vocab_id: str | None = None,
    lang: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> History | None:
    """The latest changes, newest first: all of them, or (with `vocab_id` and a store) those
    touching the vocabulary's scheme or one of its concepts; None for an unknown vocabulary."""
    index = _index(journal)
    wanted: frozenset[str] | None = None
    if vocab_id is not None:
        if store is None:
            raise ValueError("filtering by vocabulary needs the store")
        wanted = vocabulary_iris(store, vocab_id)
        if wanted is None:
            return None
    chosen: list[int] = []
    skipped = 0
    more = False
    for position in range(len(index.changes) - 1, -1, -1):
        if wanted is not None and wanted.isdisjoint(index.touched[position]):
            continue
        if skipped < offset:
            skipped += 1
            continue
        if len(chosen) == limit:
            more = True
            break
        chosen.append(position)
    return History(None, _entries(index, chosen, store, lang), offset, limit, more)


def vocabulary_iris(store: Store, vocab_id: str) -> frozenset[str] | None:
    """A vocabulary's scheme and concepts (per data version), None for an unknown id. A change
    that removed a concept from it still counts through its removed `skos:inScheme` quad."""
    scheme = scheme_node(store, vocab_id)
    if scheme is None:
        return None

    def compute() -> frozenset[str]:
        found = rows(store, SPARQL_PREFIXES + f"SELECT ?c WHERE {{ {IN_SCHEME} }}", {"s": scheme})
        return frozenset({str(scheme), *(str(row["c"]) for row in found)})

    return memo(store, ("history-vocabulary", str(scheme)), compute)


# --- readable changes -------------------------------------------------------------------------


def _statements(rows_: Sequence[str], first: str | None) -> tuple[Statement, ...]:
    """Statements of at most MAX_SHOWN rows, those naming `first` before the others."""
    shown = list(rows_[:MAX_SHOWN])
    if first is not None and len(rows_) > MAX_SHOWN:
        marked = f"<{first}>"
        about = list(islice((row for row in rows_ if marked in row), MAX_SHOWN))
        chosen = set(about)
        shown = about + [row for row in shown if row not in chosen][: MAX_SHOWN - len(about)]
    elif first is not None:
        shown.sort(key=lambda row: f"<{first}>" not in row)
    out = []
    for subject, predicate, obj, graph in row_terms(shown):
        kind, language, datatype = "iri", "", ""
        if isinstance(obj, Literal):
            kind, language = "literal", obj.language or ""
            datatype = str(obj.datatype) if obj.datatype and not language else ""
            datatype = "" if datatype == XSD_STRING else datatype
        elif isinstance(obj, BNode):
            kind = "blank"
        subject_text = f"_:{subject}" if isinstance(subject, BNode) else str(subject)
        object_text = f"_:{obj}" if isinstance(obj, BNode) else str(obj)
        out.append(
            Statement(
                subject_text, str(predicate), object_text, kind, language, datatype, graph or ""
            )
        )
    return tuple(out)


def _main_subject(rows_: Iterable[str]) -> str:
    """The IRI most of a change's quads are about (the first in order among equals)."""
    counts = Counter(
        row[1 : row.index(">")] for row in rows_ if row.startswith("<") and not row.startswith("<<")
    )
    return min(counts, key=lambda iri: (-counts[iri], iri)) if counts else ""


def _entries(
    index: _Index,
    positions: Iterable[int],
    store: Store | None,
    lang: str | None,
    first: str | None = None,
) -> tuple[Entry, ...]:
    entries = []
    for position in positions:
        change = index.changes[position]
        added, removed = _statements(change.added, first), _statements(change.removed, first)
        entries.append(
            Entry(
                stamp_of(change),
                added,
                removed,
                len(change.added),
                len(change.removed),
                index.subjects[position],
            )
        )
    return tuple(_labelled(entries, store, lang)) if store is not None else tuple(entries)


def preview_entry(
    store: Store,
    added: Sequence[str],
    removed: Sequence[str],
    lang: str | None,
    first: str | None = None,
) -> Entry:
    """What a patch (N-Quads rows) would change, as the history would show it once committed:
    an Entry with a placeholder stamp (no id, time nor author), labelled from the store, the
    statements about `first` shown first (for an editor's "what will change" preview)."""
    placeholder = Stamp(id="", seq=0, time="", author="", message="")
    entry = Entry(
        placeholder,
        _statements(added, first),
        _statements(removed, first),
        len(added),
        len(removed),
        first or _main_subject((*added, *removed)),
    )
    return _labelled([entry], store, lang)[0]


def _labelled(entries: list[Entry], store: Store, lang: str | None) -> list[Entry]:
    """The entries with the labels the store gives their IRIs (one query for the page)."""
    iris: dict[str, None] = {}
    for entry in entries:
        for statement in (*entry.added, *entry.removed):
            iris[statement.subject] = None
            if statement.object_kind == "iri":
                iris[statement.object] = None
    wanted = [iri for iri in iris if not iri.startswith("_:")][:MAX_LABELLED]
    refs = labels_for(store, wanted, lang)
    names = {iri: ref.label for iri, ref in refs.items() if ref.label != iri}

    def named(s: Statement) -> Statement:
        object_label = names.get(s.object, "") if s.object_kind == "iri" else ""
        return replace(s, subject_label=names.get(s.subject, ""), object_label=object_label)

    return [
        replace(e, added=tuple(map(named, e.added)), removed=tuple(map(named, e.removed)))
        for e in entries
    ]


def statement_json(statement: Statement) -> dict[str, object]:
    """A statement as the JSON of /history and `graph-service history --json` write it."""
    data: dict[str, object] = {
        "subject": statement.subject,
        "predicate": statement.predicate,
        "object": statement.object,
        "object_type": {"iri": "uri", "blank": "bnode"}.get(statement.object_kind, "literal"),
    }
    if statement.language:
        data["language"] = statement.language
    if statement.datatype:
        data["datatype"] = statement.datatype
    data["graph"] = statement.graph or None
    return data


def entry_json(entry: Entry) -> dict[str, object]:
    """A change as JSON: its stamp, the statements shown, and the counts of all of them."""
    stamp = entry.stamp
    return {
        "id": stamp.id,
        "seq": stamp.seq,
        "time": stamp.time,
        "author": stamp.author,
        "reviewer": stamp.reviewer or None,
        "message": stamp.message,
        "subject": entry.subject or None,
        "added": [statement_json(s) for s in entry.added],
        "removed": [statement_json(s) for s in entry.removed],
        "added_count": entry.added_count,
        "removed_count": entry.removed_count,
    }


def statement_text(statement: Statement) -> str:
    """A statement as one line of N-Quads-like text, the predicate as a prefixed name (for the
    CLI and the feed's summaries)."""
    subject = statement.subject if statement.subject.startswith("_:") else f"<{statement.subject}>"
    if statement.object_kind == "iri":
        obj = f"<{statement.object}>"
    elif statement.object_kind == "blank":
        obj = statement.object
    else:
        # JSON string escaping is N-Triples string escaping for what a literal holds: one line.
        obj = json.dumps(statement.object, ensure_ascii=False)
        if statement.language:
            obj += f"@{statement.language}"
        elif statement.datatype:
            obj += f"^^{_name(statement.datatype)}"
    graph = f" <{statement.graph}>" if statement.graph else ""
    return f"{subject} {_name(statement.predicate)} {obj}{graph}"


def _name(iri: str) -> str:
    short = curie(iri)
    return short if short != iri else f"<{iri}>"
