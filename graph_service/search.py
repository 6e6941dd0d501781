"""Label search in a side index (SQLite FTS5), rebuilt whenever the store's data version changes."""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
import threading
import unicodedata
import weakref
from dataclasses import dataclass

from .labels import language_order
from .store import EmbeddedStore

KINDS = ("pref", "alt", "hidden")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "’": "'", "ʼ": "'"})
_TOKEN = re.compile(r"[\w*]+")


def fold(text: str) -> str:
    """Fold accents, case and ligatures so that "Démocratie" and "democratie" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().translate(_LIGATURES).split())


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
class IndexEntry:
    """A line of the alphabetical index: a preferred label, or an alternative one leading to it."""

    iri: str
    pref_label: str
    lang: str
    alt_label: str | None


@dataclass(frozen=True)
class _Concept:
    iri: str
    vocab_id: str
    types: tuple[str, ...]
    notation: str | None
    prefs: dict[str, str]


_SCHEMA = """
CREATE TABLE labels(id INTEGER PRIMARY KEY, concept INTEGER, kind TEXT, lang TEXT,
                    label TEXT, folded TEXT);
CREATE TABLE schemes(concept INTEGER, vocab TEXT);
CREATE TABLE types(concept INTEGER, type TEXT);
CREATE INDEX labels_folded ON labels(folded);
CREATE INDEX labels_browse ON labels(kind, lang, folded);
CREATE INDEX schemes_concept ON schemes(concept, vocab);
CREATE INDEX types_concept ON types(concept, type);
CREATE VIRTUAL TABLE labels_fts USING fts5(folded, content='labels', content_rowid='id',
                                           tokenize='unicode61 remove_diacritics 2');
"""

_IN_VOCAB = "EXISTS (SELECT 1 FROM schemes s WHERE s.concept = {col} AND s.vocab = ?)"
_OF_TYPE = "EXISTS (SELECT 1 FROM types t WHERE t.concept = l.concept AND t.type = ?)"

# Between equally good matches, the service's languages come first (French, then English).
_LANG_ORDER = "CASE l.lang WHEN 'fr' THEN 0 WHEN 'en' THEN 1 ELSE 2 END"

_BUILD_QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?c ?k ?v WHERE {
  ?c a skos:Concept .
  { ?c skos:prefLabel ?v BIND("pref" AS ?k) } UNION { ?c skos:altLabel ?v BIND("alt" AS ?k) }
  UNION { ?c skos:hiddenLabel ?v BIND("hidden" AS ?k) }
  UNION { ?c skos:inScheme ?v BIND("s" AS ?k) }
  UNION { ?c skos:topConceptOf ?v BIND("s" AS ?k) } UNION { ?c a ?v BIND("type" AS ?k) }
  UNION { ?c skos:notation ?v BIND("notation" AS ?k) }
  UNION { ?c owl:deprecated true BIND("deprecated" AS ?k) BIND(true AS ?v) }
}"""


class SearchIndex:
    """The labels of every concept of one data version, searchable by word, prefix and pattern."""

    def __init__(self, version: str) -> None:
        self.version = version
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._concepts: list[_Concept] = []
        self._by_iri: dict[str, int] = {}
        self._memo: dict[tuple, object] = {}

    @classmethod
    def build(cls, store: EmbeddedStore) -> SearchIndex:
        """Read every concept label of the store into a new index (one query, engine-side JSON)."""
        from .skos import vocab_id_of

        index = cls(store.version)
        body = store.query_serialized(_BUILD_QUERY, result_format="json").body
        facts: dict[str, dict[str, list]] = {}
        for row in json.loads(body)["results"]["bindings"]:
            entry = facts.setdefault(row["c"]["value"], {})
            entry.setdefault(row["k"]["value"], []).append(row["v"])
        label_rows, scheme_rows, type_rows = [], [], []
        for iri, entry in sorted(facts.items()):
            if entry.get("deprecated"):
                continue  # as in Skosmos, deprecated concepts are not offered by search
            number = len(index._concepts)
            vocabs = sorted({vocab_id_of(v["value"]) for v in entry.get("s", [])})
            prefs: dict[str, str] = {}
            for kind in KINDS:
                for value in entry.get(kind, []):
                    lang = value.get("xml:lang", "").lower()
                    if kind == "pref":
                        prefs.setdefault(lang, value["value"])
                    label_rows.append((number, kind, lang, value["value"], fold(value["value"])))
            types = tuple(sorted(v["value"] for v in entry.get("type", [])))
            notations = sorted(v["value"] for v in entry.get("notation", []))
            scheme_rows += [(number, vocab) for vocab in vocabs]
            type_rows += [(number, t) for t in types]
            index._by_iri[iri] = number
            index._concepts.append(
                _Concept(
                    iri,
                    vocabs[0] if vocabs else "",
                    types,
                    notations[0] if notations else None,
                    prefs,
                )
            )
        db = index._db
        db.executemany(
            "INSERT INTO labels(concept, kind, lang, label, folded) VALUES (?,?,?,?,?)", label_rows
        )
        db.executemany("INSERT INTO schemes VALUES (?,?)", scheme_rows)
        db.executemany("INSERT INTO types VALUES (?,?)", type_rows)
        db.execute("INSERT INTO labels_fts(labels_fts) VALUES ('rebuild')")
        db.commit()
        return index

    # -- lookups -------------------------------------------------------------------------------

    def _concept(self, number: int) -> _Concept:
        return self._concepts[number]

    def pref_label(self, iri: str, lang: str | None = None) -> tuple[str, str] | None:
        """The preferred label of a concept in `lang` (with fallbacks) and its language."""
        number = self._by_iri.get(iri)
        return None if number is None else _pick(self._concepts[number].prefs, lang)

    def __len__(self) -> int:
        return len(self._by_iri)

    def _rows(self, sql: str, params: list) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

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
        """Concepts whose labels match `query` (words, `word*` prefixes, `*` patterns), best first.

        Ranking: exact preferred label, exact alternative label, labels starting with the query,
        then bm25. Accents, case and ligatures are ignored. One hit per concept.
        """
        folded = fold(query)
        plain = " ".join(folded.replace("*", " ").split())
        tokens = [t for t in _TOKEN.findall(folded) if t.strip("*")]
        where, params = ["1"], []
        if lang:
            where.append("l.lang = ?")
            params.append(lang.lower())
        if vocab_id:
            where.append(_IN_VOCAB.format(col="l.concept"))
            params.append(vocab_id)
        if type_iri:
            where.append(_OF_TYPE)
            params.append(type_iri)
        source, rank = "labels l", "0"
        if not tokens:
            order_params: list = []
            order = f"l.kind != 'pref', l.folded, {_LANG_ORDER}"
        else:
            if any("*" in t.rstrip("*") for t in tokens) or folded.startswith("*"):
                # Leading or inner wildcard: FTS5 cannot, so match the whole folded label.
                pattern = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                where.append("l.folded LIKE ? ESCAPE '\\'")
                params.append(pattern.replace("*", "%"))
            else:
                source = "labels_fts f JOIN labels l ON l.id = f.rowid"
                rank = "bm25(labels_fts)"
                where.append("labels_fts MATCH ?")
                params.append(
                    " ".join(
                        f'"{t.rstrip("*")}"' + ("*" if t.endswith("*") else "") for t in tokens
                    )
                )
            order = (
                "CASE WHEN l.folded = ? AND l.kind = 'pref' THEN 0 WHEN l.folded = ? THEN 1 "
                "WHEN substr(l.folded, 1, ?) = ? THEN 2 ELSE 3 END, l.kind != 'pref', "
                f"{_LANG_ORDER}, rank, "
                "length(l.label)"
            )
            order_params = [plain, plain, len(plain), plain]
        sql = (
            f"SELECT l.concept, l.kind, l.lang, l.label, {rank} AS rank FROM {source} "
            f"WHERE {' AND '.join(where)} ORDER BY {order}"
        )
        hits: list[SearchHit] = []
        seen: set[int] = set()
        wanted = max(0, offset) + max(0, limit)
        with self._lock:
            for number, kind, label_lang, label, score in self._db.execute(
                sql, [*params, *order_params]
            ):
                if number in seen:
                    continue
                seen.add(number)
                if len(seen) <= offset:
                    continue
                hits.append(self._hit(number, kind, label_lang, label, score, plain, lang))
                if len(seen) >= wanted:
                    break
        return hits

    def _hit(
        self,
        number: int,
        kind: str,
        label_lang: str,
        label: str,
        rank: float,
        plain: str,
        lang: str | None,
    ) -> SearchHit:
        concept = self._concepts[number]
        pref, pref_lang = _pick(concept.prefs, lang or label_lang) or (label, label_lang)
        folded_label = fold(label)
        tier = (
            3
            if folded_label == plain and kind == "pref"
            else 2
            if folded_label == plain
            else (1 if plain and folded_label.startswith(plain) else 0)
        )
        return SearchHit(
            concept.iri,
            pref,
            pref_lang,
            label,
            label_lang,
            kind,
            concept.vocab_id,
            round(tier * 100 - float(rank or 0), 4),
            concept.types,
            concept.notation,
        )

    def lookup(
        self, label: str, *, lang: str | None = None, vocab_id: str | None = None
    ) -> list[SearchHit]:
        """Concepts with this label, in Skosmos's order: exact preferred label, then the same
        ignoring case and accents, then exact alternative label, then folded alternative label."""
        rows = [h for h in self._exact(fold(label), vocab_id) if not lang or h.matched_lang == lang]
        for kind, exact in (("pref", True), ("pref", False), ("alt", True), ("alt", False)):
            found: dict[str, SearchHit] = {}
            for hit in rows:
                if hit.matched_kind == kind and (not exact or hit.matched_label == label):
                    found.setdefault(hit.iri, hit)
            if found:
                return list(found.values())
        return []

    def _exact(self, folded: str, vocab_id: str | None) -> list[SearchHit]:
        sql = "SELECT concept, kind, lang, label FROM labels l WHERE folded = ?"
        params: list = [folded]
        if vocab_id:
            sql += " AND " + _IN_VOCAB.format(col="l.concept")
            params.append(vocab_id)
        sql += f" ORDER BY {_LANG_ORDER}"
        rows = self._rows(sql, params)
        return [self._hit(n, k, lg, lb, 0.0, folded, lg) for n, k, lg, lb in rows]

    def suggest_did_you_mean(self, query: str, limit: int = 3) -> list[str]:
        """Preferred labels close to a query that found nothing (typos), best first."""
        choices = self._memo.get(("prefs",))
        if choices is None:
            choices = {}
            for concept in self._concepts:
                for label in concept.prefs.values():
                    choices.setdefault(fold(label), label)
            self._memo[("prefs",)] = choices
        assert isinstance(choices, dict)
        close = difflib.get_close_matches(fold(query), list(choices), n=limit, cutoff=0.75)
        return [choices[c] for c in close]

    # -- alphabetical index --------------------------------------------------------------------

    def index_letters(self, vocab_id: str, lang: str) -> list[str]:
        """First letters of a vocabulary's preferred labels in a language (A-Z, "0-9", "!*")."""
        key = ("letters", vocab_id, lang)
        if key not in self._memo:
            rows = self._rows(
                "SELECT DISTINCT substr(l.folded, 1, 1) FROM labels l JOIN schemes s "
                "ON s.concept = l.concept WHERE s.vocab = ? AND l.lang = ? AND l.kind = 'pref'",
                [vocab_id, lang.lower()],
            )
            firsts = {r[0] for r in rows if r[0]}
            letters = sorted(c.upper() for c in firsts if c.isalpha())
            if any(c.isdigit() for c in firsts):
                letters.append("0-9")
            if any(not c.isalnum() for c in firsts):
                letters.append("!*")
            self._memo[key] = letters
        return list(self._memo[key])  # type: ignore[call-overload]

    def index_page(
        self, vocab_id: str, letter: str, lang: str, *, limit: int = 0, offset: int = 0
    ) -> list[IndexEntry]:
        """Preferred and alternative labels starting with `letter` ("0-9", "!*", "*" = all)."""
        where, params = (
            ["s.vocab = ?", "l.lang = ?", "l.kind IN ('pref', 'alt')"],
            [vocab_id, lang.lower()],
        )
        first = fold(letter)[:1]
        if letter == "0-9":
            where.append("substr(l.folded, 1, 1) BETWEEN '0' AND '9'")
        elif letter == "!*":
            where.append(
                "NOT (unicode(substr(l.folded, 1, 1)) BETWEEN 97 AND 122 "
                "OR substr(l.folded, 1, 1) BETWEEN '0' AND '9')"
            )
        elif letter != "*" and first:
            where.append("substr(l.folded, 1, 1) = ?")
            params.append(first)
        sql = (
            f"SELECT l.concept, l.kind, l.label FROM labels l JOIN schemes s ON s.concept = "
            f"l.concept WHERE {' AND '.join(where)} ORDER BY l.folded, l.label LIMIT ? OFFSET ?"
        )
        rows = self._rows(sql, [*params, limit if limit > 0 else -1, max(0, offset)])
        entries = []
        for number, kind, label in rows:
            concept = self._concepts[number]
            pref, pref_lang = _pick(concept.prefs, lang) or (label, lang)
            alt = label if kind == "alt" else None
            entries.append(IndexEntry(concept.iri, pref, pref_lang, alt))
        return entries


def _pick(prefs: dict[str, str], lang: str | None) -> tuple[str, str] | None:
    """The label for `lang` with the service's fallbacks (asked, fr, en, untagged, any)."""
    if not prefs:
        return None
    for code in (*language_order(lang), ""):
        if code in prefs:
            return prefs[code], code
    code = min(prefs)
    return prefs[code], code


_indexes: weakref.WeakKeyDictionary[EmbeddedStore, SearchIndex] = weakref.WeakKeyDictionary()
_build_lock = threading.Lock()


def get_index(store: EmbeddedStore) -> SearchIndex:
    """The search index of a store, rebuilt on the first call after its data version changed."""
    index = _indexes.get(store)
    if index is not None and index.version == store.version:
        return index
    with _build_lock:
        index = _indexes.get(store)
        if index is None or index.version != store.version:
            index = SearchIndex.build(store)
            _indexes[store] = index
    return index
