"""Label search in a side index (SQLite FTS5), rebuilt whenever the store's data version changes."""

from __future__ import annotations

import difflib
import logging
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from graph_service.exceptions import ServedByWriter
from graph_service.labels import best_language
from graph_service.namespaces import BASE
from graph_service.search import shared
from graph_service.search.alphabetical import AlphabeticalIndex, IndexEntry
from graph_service.search.build import Concept, build_database, build_database_apart, update
from graph_service.search.guarded import GuardedDatabase
from graph_service.search.resources import ResourceHit, search_resources
from graph_service.search.under import (
    children_rows,
    closure,
    newest_resources,
    own_resources,
    resources_under,
)
from graph_service.store import Store, StoreError
from graph_service.store.limits import Deadline, TryLater
from graph_service.store.rdf_patch import Change
from graph_service.text import fold

log = logging.getLogger(__name__)

__all__ = [
    "IndexEntry",
    "ResourceHit",
    "RetiredHit",
    "SearchHit",
    "SearchIndex",
    "fold",
    "get_index",
    "ready_index",
]

_TOKEN = re.compile(r"[\w*]+")
_IN_VOCAB = "EXISTS (SELECT 1 FROM schemes s WHERE s.concept = l.concept AND s.vocab = ?)"
_OF_TYPE = "EXISTS (SELECT 1 FROM types t WHERE t.concept = l.concept AND t.type = ?)"
_COLUMNS = "l.concept, l.kind, l.lang, l.label, l.folded"
#: The languages of some concepts' labels: one index probe per concept (labels_concept), where
#: the join without that index read the whole labels table per chunk (1.5 s a search at 100k).
LANGUAGES_OF = (
    "SELECT DISTINCT l.lang FROM labels l JOIN concepts c ON c.number = l.concept "
    "WHERE c.iri IN ({marks})"
)
#: Every preferred label of some concepts, with its language tag.
_PREF_LABELS = "SELECT concept, lang, label FROM labels WHERE kind = 'pref' AND concept IN ({})"
#: Between equally good matches: preferred labels, then French, then English.
_KIND_ORDER = {"pref": 0, "alt": 1, "hidden": 2}
_LANG_ORDER = {"fr": 0, "en": 1}
#: Score of each tier (higher is better); bm25 adds a little within the last one.
EXACT_PREF, EXACT_OTHER, PREFIX, WORDS = 300.0, 200.0, 100.0, 0.0
#: From how many concepts (in the index being replaced) a rebuild runs in a child process.
APART_FROM_CONCEPTS = 20_000
#: The `lang` of labels without a language tag (a facet value).
UNTAGGED = "-"


@dataclass(frozen=True)
class SearchHit:
    """One concept found by a search, with the label that matched and the one to show."""

    iri: str
    pref_label: str
    pref_lang: str
    matched_label: str
    matched_lang: str
    matched_kind: str  # "pref" | "alt" | "hidden"
    vocab_id: str
    score: float  # higher is better
    types: tuple[str, ...]
    notation: str | None


@dataclass(frozen=True)
class RetiredHit:
    """A label of a deprecated concept, and the concept that replaces it ("" when none)."""

    iri: str
    label: str
    lang: str
    replaced_by: str


Row = tuple[int, str, str, str, str]  # concept number, kind, lang, label, folded


def _tie_break(row: Row) -> tuple:
    return (_KIND_ORDER.get(row[1], 3), _LANG_ORDER.get(row[2], 2), len(row[3]), row[4])


class SearchIndex(GuardedDatabase, AlphabeticalIndex):
    """The labels of every concept of one data version: exact, prefix, word and pattern search."""

    #: Concepts kept decoded between requests (the most asked ones stay; a full memo is reset).
    MEMO_CONCEPTS = 4096

    def __init__(self, version: str, db: sqlite3.Connection) -> None:
        super().__init__(db)
        self.version = version
        self._size = db.execute("SELECT count(*) FROM concepts").fetchone()[0]
        self._decoded: dict[int, Concept] = {}
        #: Preferred labels by folded text (for "did you mean"), read on first use.
        self._prefs: dict[str, str] | None = None
        #: First letters of the alphabetical index, by (vocabulary, language).
        self._letters: dict[tuple[str, str], list[str]] = {}

    @classmethod
    def build(cls, store: Store, previous_size: int | None = None) -> SearchIndex:
        """Read every concept label of the store into a new index.

        The index of a persistent or remote store is built by a child process (see
        search/build.py), unless the index it replaces was small: starting the child (0.3-0.4 s)
        would then double the wait of the first search after a write (the committed
        vocabulary: 0.35 s here, 0.7 s apart). An in-memory store is indexed here.
        """
        version = store.version  # the version before reading: a write meanwhile rebuilds
        small = previous_size is not None and previous_size < APART_FROM_CONCEPTS
        db = build_database(store) if small else build_database_apart(store)
        if shared.sharing():  # beside reader processes: in a file they read too
            db = shared.to_file(db, version)
        return cls(version, db)

    def __len__(self) -> int:
        return self._size

    def refresh(self, store: Store, iris: list[str], version: str) -> None:
        """Read some concepts again (a write touched them) and take the store's new version:
        milliseconds, where a rebuild takes seconds at 100,000 concepts."""
        with self._lock:
            before = self._vocabularies_of(iris)
            update(self._db, store, iris)
            shared.committed(self._db, version)  # readers of a shared index see it now
            self._size = self._db.execute("SELECT count(*) FROM concepts").fetchone()[0]
            # Index letters come from the labels of a vocabulary's concepts: those of the
            # vocabularies no re-read concept belonged to, before or after, stand (a scheme
            # page after a write elsewhere read UNESCO's letters again: 0.26 s at 2M triples).
            touched = before | self._vocabularies_of(iris)
            self._letters = {key: v for key, v in self._letters.items() if key[0] not in touched}
            self._decoded, self._prefs = {}, None
            self.version = version

    def _vocabularies_of(self, iris: list[str]) -> set[str]:
        """The vocabularies the index has any of these concepts in (the caller holds the lock)."""
        found: set[str] = set()
        for start in range(0, len(iris), 500):  # under SQLite's limit of bound parameters
            chunk = iris[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                vocab
                for (vocab,) in self._db.execute(
                    "SELECT DISTINCT s.vocab FROM concepts c JOIN schemes s ON s.concept = "
                    f"c.number WHERE c.iri IN ({marks})",
                    chunk,
                )
            )
        return found

    def _concept(self, number: int) -> Concept:
        concept = self._decoded.get(number)
        if concept is None:
            (row,) = self._rows(
                "SELECT iri, vocab, types, notation, prefs FROM concepts WHERE number = ?",
                [number],
            )
            concept = Concept.from_row(row)
            if len(self._decoded) >= self.MEMO_CONCEPTS:
                self._decoded = {}
            self._decoded[number] = concept
        return concept

    def _by_iri(self, iri: str) -> tuple[int, Concept] | None:
        rows = self._rows(
            "SELECT number, iri, vocab, types, notation, prefs FROM concepts WHERE iri = ?", [iri]
        )
        return (rows[0][0], Concept.from_row(rows[0][1:])) if rows else None

    def holds_concept(self, iri: str) -> bool:
        """Whether `iri` is a concept of the index (typed skos:Concept, not replaced)."""
        return bool(self._rows("SELECT 1 FROM concepts WHERE iri = ?", [iri]))

    def pref_label(self, iri: str, lang: str | None = None) -> tuple[str, str] | None:
        """The preferred label of a concept in `lang` (with fallbacks) and its language."""
        found = self._by_iri(iri)
        return None if found is None else _pick(found[1].prefs, lang)

    def concept_hit(self, iri: str, lang: str | None = None) -> SearchHit | None:
        """A concept as a hit on its own preferred label (for lists that are not searches)."""
        found = self._by_iri(iri)
        if found is None:
            return None
        number, concept = found
        label, label_lang = _pick(concept.prefs, lang) or (iri, "")
        return self._hit((number, "pref", label_lang, label, fold(label)), EXACT_PREF, lang)

    def _own_first(self, rows: Iterable[Row]) -> list[Row]:
        """Rows in tie-break order, the concepts of our own namespace before imported ones."""
        return sorted(rows, key=lambda row: (not self._concept(row[0]).iri.startswith(BASE),
                                             *_tie_break(row)))  # fmt: skip

    # -- search --------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        lang: str | None = None,
        vocab_id: str | None = None,
        type_iri: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[SearchHit]:
        """Concepts whose labels match `query`, best first, one hit per concept.

        Words match whole words ("democratie participative"), `word*` any word starting so,
        a leading or inner `*` the whole label as a pattern ("*ville", "con*tion"), `*` alone
        everything. Accents, case and ligatures are ignored. Ranking: exact preferred label,
        exact other label, labels starting with the query, then the other matches by bm25.
        """
        folded = fold(query)
        plain = " ".join(folded.replace("*", " ").split())
        tokens = [t for t in _TOKEN.findall(folded) if t.strip("*")]
        where, params = _filters(lang, vocab_id, type_iri)
        wanted = max(0, offset) + max(0, limit)
        if not tokens:
            tiers = [self._all(where, params)]
        elif any("*" in t.rstrip("*") for t in tokens) or folded.startswith("*"):
            tiers = [self._pattern(folded, where, params)]
        else:
            whole_words = not tokens[-1].endswith("*")
            tiers = [
                self._exact(plain, where, params),
                self._prefix(plain, whole_words, where, params, wanted),
                self._words(tokens, where, params, wanted),
            ]
        hits: list[SearchHit] = []
        seen: set[int] = set()
        for tier in tiers:
            for row, score in tier:
                if row[0] in seen:
                    continue
                seen.add(row[0])
                if len(seen) > offset:
                    hits.append(self._hit(row, score, lang))
                if len(seen) >= wanted:
                    return hits
        return hits

    def _all(self, where: list[str], params: list) -> Iterator[tuple[Row, float]]:
        sql = f"SELECT {_COLUMNS} FROM labels l WHERE {' AND '.join(where)} ORDER BY l.folded"
        for row in self._stream(sql, params):
            yield row, WORDS

    def _pattern(self, folded: str, where: list[str], params: list) -> Iterator[tuple[Row, float]]:
        # FTS5 cannot do leading or inner wildcards: match the whole folded label instead.
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        sql = (
            f"SELECT {_COLUMNS} FROM labels l WHERE {' AND '.join(where)} "
            "AND l.folded LIKE ? ESCAPE '\\' ORDER BY l.folded"
        )
        for row in self._stream(sql, [*params, escaped.replace("*", "%")]):
            yield row, WORDS

    def _exact(self, plain: str, where: list[str], params: list) -> Iterator[tuple[Row, float]]:
        sql = f"SELECT {_COLUMNS} FROM labels l WHERE {' AND '.join(where)} AND l.folded = ?"
        for row in self._own_first(self._rows(sql, [*params, plain])):
            yield row, EXACT_PREF if row[1] == "pref" else EXACT_OTHER

    def _prefix(
        self, plain: str, whole_words: bool, where: list[str], params: list, wanted: int
    ) -> Iterator[tuple[Row, float]]:
        """Labels starting with the query (at a word boundary unless the query ends with *)."""
        sql = (
            f"SELECT {_COLUMNS} FROM labels l WHERE {' AND '.join(where)} "
            "AND l.folded > ? AND l.folded < ? ORDER BY l.folded"
        )
        found: list[Row] = []
        for row in self._stream(sql, [*params, plain, plain + "\U0010ffff"]):
            if whole_words and row[4][len(plain)].isalnum():
                continue  # "ville" does not start "villeneuve"
            found.append(row)
            if len(found) >= max(wanted * 4, 50):
                break
        for row in self._own_first(found):
            yield row, PREFIX

    def _words(
        self, tokens: list[str], where: list[str], params: list, wanted: int
    ) -> Iterator[tuple[Row, float]]:
        """Labels holding every word (or word prefix), by bm25; quoted, so never FTS syntax."""
        match = " ".join(f'"{t.rstrip("*")}"' + ("*" if t.endswith("*") else "") for t in tokens)
        sql = (
            f"SELECT {_COLUMNS}, f.rank FROM labels_fts f JOIN labels l ON l.id = f.rowid "
            f"WHERE labels_fts MATCH ? AND {' AND '.join(where)} ORDER BY f.rank"
        )
        for found in self._stream(sql, [match, *params], batch=max(64, wanted * 2)):
            yield found[:5], WORDS - float(found[5])

    def _hit(self, row: Row, score: float, lang: str | None) -> SearchHit:
        number, kind, label_lang, label, _ = row
        concept = self._concept(number)
        pref, pref_lang = _pick(concept.prefs, lang or label_lang) or (label, label_lang)
        return SearchHit(
            concept.iri, pref, pref_lang, label, label_lang, kind, concept.vocab_id,
            round(score, 4), concept.types, concept.notation,
        )  # fmt: skip

    def lookup(
        self, label: str, *, lang: str | None = None, vocab_id: str | None = None
    ) -> list[SearchHit]:
        """Concepts with this label, in Skosmos's order: exact preferred label, then the same
        ignoring case and accents, then exact alternative label, then folded alternative label."""
        where, params = _filters(lang, vocab_id)
        rows = [row for row, _ in self._exact(fold(label), where, params)]
        for kind, exact in (("pref", True), ("pref", False), ("alt", True), ("alt", False)):
            found: dict[str, SearchHit] = {}
            for row in rows:
                if row[1] == kind and (not exact or row[3] == label):
                    hit = self._hit(row, EXACT_PREF if exact else EXACT_OTHER, lang or row[2])
                    found.setdefault(hit.iri, hit)
            if found:
                return list(found.values())
        return []

    def retired(self, query: str, limit: int = 5) -> list[RetiredHit]:
        """Labels of deprecated concepts equal to the query, or starting with it at a word
        boundary, exact ones first: old terms lead to the concepts that replace them."""
        plain = " ".join(fold(query).replace("*", " ").split())
        if not plain:
            return []
        rows = self._rows(
            "SELECT iri, label, lang, replaced_by, folded FROM retired "
            "WHERE folded = ? OR (folded > ? AND folded < ?) ORDER BY folded LIMIT 200",
            [plain, plain + " ", plain + "\U0010ffff"],
        )
        found: dict[str, RetiredHit] = {}
        for iri, label, lang, by, folded in sorted(rows, key=lambda r: (r[4] != plain, len(r[4]))):
            if folded == plain or not folded[len(plain)].isalnum():
                found.setdefault(iri, RetiredHit(iri, label, lang, by))
        return list(found.values())[:limit]

    def retired_pref(self, iri: str, lang: str | None = None) -> tuple[str, str] | None:
        """The preferred label of a deprecated concept (for "X → replaced by Y")."""
        rows = self._rows("SELECT lang, label FROM retired WHERE iri = ? AND kind = 'pref'", [iri])
        return _pick(dict(rows), lang)

    def languages_of(self, iris: list[str]) -> list[str]:
        """The languages of the labels of some concepts ("" for untagged labels)."""
        found: set[str] = set()
        for start in range(0, len(iris), 500):
            chunk = iris[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(lang for (lang,) in self._rows(LANGUAGES_OF.format(marks=marks), chunk))
        return sorted(found)

    def resources(
        self, query: str, *, lang: str | None = None, limit: int = 100
    ) -> list[ResourceHit]:
        """Resources whose title, summary, attachments' titles or subjects' labels hold every
        word of the query (`word*`: a prefix), best first, on the scale of concept scores."""
        folded = fold(query)
        plain = " ".join(folded.replace("*", " ").split())
        tokens = [t for t in _TOKEN.findall(folded) if t.strip("*")]
        return search_resources(self._rows, tokens, plain, lang, limit)

    def resources_under(self, concept: str, limit: int, offset: int) -> tuple[int, list[str]]:
        """(number of resources of a concept or of any concept under it, a page of their IRIs),
        newest first: the answer of find_resources with narrower concepts, from the index."""
        return resources_under(self._rows, concept, limit, offset)

    def own_resources(self, concept: str, limit: int, offset: int) -> tuple[int, list[str]]:
        """(number of resources indexed with the concept itself, a page of their IRIs), newest
        first: the answer of find_resources without narrower concepts, from the index."""
        return own_resources(self._rows, concept, limit, offset)

    def newest_resources(self, limit: int) -> list[str]:
        """The resources of the newest dct:issued statements, newest first by the dates'
        lexical forms, equal dates by IRI (a resource may come more than once; only IRIs are
        indexed)."""
        return newest_resources(self._rows, limit)

    def children_rows(self, concept: str) -> list[tuple[str, int | None, str | None, int]]:
        """(IRI, concept number or None, notation, has children) of each child of a concept;
        the number is None for a child the index holds as no concept."""
        return children_rows(self._rows, concept)

    def pref_labels_of(self, numbers: list[int]) -> list[tuple[int, str, str]]:
        """(concept number, language, text) of every preferred label of some concepts (a
        concept row keeps one per language; this reads all of them)."""
        found: list[tuple[int, str, str]] = []
        for start in range(0, len(numbers), 500):  # under SQLite's limit on parameters
            chunk = numbers[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.extend(self._rows(_PREF_LABELS.format(marks), chunk))
        return found

    def narrower_closure(self, concept: str, include_self: bool = True) -> list[str]:
        """The concepts under a concept (and the concept itself if asked), from the index."""
        return closure(self._rows, concept, include_self)

    def suggest_did_you_mean(self, query: str, limit: int = 3) -> list[str]:
        """Preferred labels close to a query that found nothing (typos), best first."""
        choices = self._prefs
        if choices is None:
            choices = {}
            for text, folded in self._rows(
                "SELECT label, folded FROM labels WHERE kind = 'pref' ORDER BY id", []
            ):
                choices.setdefault(folded, text)
            self._prefs = choices
        close = difflib.get_close_matches(fold(query), list(choices), n=limit, cutoff=0.75)
        return [choices[c] for c in close]


def _pick(prefs: dict[str, str], lang: str | None) -> tuple[str, str] | None:
    """The label for `lang` with the service's fallbacks (asked, fr, en, untagged, any)."""
    code = best_language(prefs, lang)
    return None if code is None else (prefs[code], code)


_indexes: weakref.WeakKeyDictionary[Store, SearchIndex] = weakref.WeakKeyDictionary()
_build_lock = threading.Lock()
#: After a failed build the next one waits this long, doubling up to RETRY_MAX: a remote store
#: that is down is not asked again each second by the warm-up thread and by every search.
RETRY_FIRST = 5.0
RETRY_MAX = 300.0


@dataclass
class _Failure:
    """The last failed build of a store's index: its error, and when to try again."""

    error: StoreError
    wait: float
    retry_at: float


_failures: weakref.WeakKeyDictionary[Store, _Failure] = weakref.WeakKeyDictionary()


def _filters(
    lang: str | None, vocab_id: str | None, type_iri: str | None = None
) -> tuple[list[str], list[str]]:
    """SQL conditions (and their parameters) restricting labels by language, vocabulary, type."""
    where, params = ["1"], []
    if lang:
        where.append("l.lang = ?")
        params.append("" if lang == UNTAGGED else lang.lower())
    if vocab_id:
        where.append(_IN_VOCAB)
        params.append(vocab_id)
    if type_iri:
        where.append(_OF_TYPE)
        params.append(type_iri)
    return where, params


def index_ready(store: Store) -> bool:
    """Whether the store's search index is built for its current data version."""
    return current_index(store) is not None


def current_index(store: Store) -> SearchIndex | None:
    """The store's index if it is built for its current data version, else None: never waits
    for a build nor starts one (for readers that have another way to answer)."""
    if getattr(store, "replica", False):
        return _shared_index(store)
    index = _indexes.get(store)
    return index if index is not None and index.version == store.version else None


#: A reader process's view of the writer's shared index file, by data directory.
_shared_files: dict[str, shared.SharedFile] = {}
#: The index object of the shared file at the version last found current.
_shared_current: dict[str, SearchIndex] = {}


def _shared_index(store: Store) -> SearchIndex | None:
    """In a reader process: the writer's shared index, when it holds the store's version."""
    data_dir = getattr(store, "data_dir", None)
    if data_dir is None:
        return None
    key = str(data_dir)
    view = _shared_files.get(key)
    if view is None:
        view = _shared_files.setdefault(key, shared.SharedFile(data_dir))
    db = view.current()
    if db is None:
        return None
    index = _shared_current.get(key)
    if index is not None and index.version == store.version and index.same_database(db):
        return index
    if shared.version_of(db) != store.version:
        return None  # the writer has not followed the last write yet: ask the store
    try:
        index = SearchIndex(store.version, db)
    except sqlite3.Error:
        return None
    _shared_current[key] = index
    return index


def indexed_concept(store: Store, iri: str) -> bool:
    """Whether the store's search index, built for its current data version, holds `iri` as a
    concept; False without such an index (never waits for one): then ask the store."""
    index = current_index(store)
    return index is not None and index.holds_concept(iri)


#: Past this many touched subjects a write is a bulk one: the next search rebuilds instead.
MAX_FOLLOWED = 2000


def follow_change(store: Store, iris: Iterable[str], version_before: str) -> bool:
    """Bring the index of `version_before` up to the store's version by re-reading only the
    subjects a write touched; False when there is no such index or the write is a bulk one
    (the next search then rebuilds the whole index)."""
    touched = sorted(set(iris))
    with _build_lock:
        index = _indexes.get(store)
        if index is None or index.version != version_before or len(touched) > MAX_FOLLOWED:
            return False
        index.refresh(store, touched, store.version)
    return True


def follow(store: Store, change: Change, version_before: str) -> None:
    """A write path's followup (store.changes): the index follows the change's subjects."""
    follow_change(store, change.subjects(), version_before)


def ready_index(store: Store, deadline: Deadline | None) -> tuple[SearchIndex, Deadline | None]:
    """The store's index, waiting for another thread's rebuild until `deadline`, and a
    deadline of the same length for the search itself, from when the index is ready: a
    request that had to build the index is not refused for the time the build took."""
    index = get_index(store, deadline)
    return index, None if deadline is None else Deadline(deadline.seconds, deadline.what)


def get_index(store: Store, deadline: Deadline | None = None) -> SearchIndex:
    """The search index of a store, rebuilt on the first call after its data version changed.

    Under a deadline, waiting for another thread's rebuild stops at it (TryLater): the
    rebuild goes on and serves the next request."""
    index = _indexes.get(store)
    if index is not None and index.version == store.version:
        return index
    if getattr(store, "replica", False):
        # A reader process builds no index (each would rebuild one per write): it reads the
        # writer's shared one when current, else the writer answers.
        index = _shared_index(store)
        if index is None:
            raise ServedByWriter("the search index is kept by the writing process")
        return index
    wait = -1.0 if deadline is None else max(0.0, deadline.end - time.monotonic())
    if not _build_lock.acquire(timeout=min(wait, threading.TIMEOUT_MAX)):
        assert deadline is not None
        raise TryLater(deadline.message(), retry_after=deadline.seconds)
    try:
        index = _indexes.get(store)
        if index is None or index.version != store.version:
            index = _build(store, None if index is None else len(index))
            _indexes[store] = index
    finally:
        _build_lock.release()
    return index


def _build(store: Store, previous_size: int | None) -> SearchIndex:
    """A new index of the store, or the last build's error again until its retry time."""
    failure = _failures.get(store)
    if failure is not None and time.monotonic() < failure.retry_at:
        raise failure.error
    try:
        index = SearchIndex.build(store, previous_size)
    except StoreError as exc:
        wait = RETRY_FIRST if failure is None else min(failure.wait * 2, RETRY_MAX)
        _failures[store] = _Failure(exc, wait, time.monotonic() + wait)
        log.warning("the search index could not be built (next try in %g s): %s", wait, exc)
        raise
    _failures.pop(store, None)
    return index
