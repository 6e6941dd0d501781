"""The alphabetical index of a vocabulary (first letters, pages of labels), on the search index."""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.labels import best_language
from graph_service.search.build import Concept
from graph_service.text import fold

_IN_VOCAB = "EXISTS (SELECT 1 FROM schemes s WHERE s.concept = l.concept AND s.vocab = ?)"


def letters_of(firsts: set[str]) -> list[str]:
    """The index's letters for a set of folded first characters: A-Z, then "0-9", "!*"."""
    letters = sorted(c.upper() for c in firsts if c.isalpha())
    if any(c.isdigit() for c in firsts):
        letters.append("0-9")
    if any(not c.isalnum() for c in firsts):
        letters.append("!*")
    return letters


@dataclass(frozen=True)
class IndexEntry:
    """A line of the alphabetical index: a preferred label, or an alternative one leading to it."""

    iri: str
    pref_label: str
    lang: str
    alt_label: str | None


class AlphabeticalIndex:
    """Methods of SearchIndex reading its labels in alphabetical order."""

    _letters: dict[tuple[str, str], list[str]]

    def _rows(self, sql: str, params: list[object]) -> list[tuple]:  # SearchIndex's
        raise NotImplementedError

    def _concept(self, number: int) -> Concept:  # SearchIndex's
        raise NotImplementedError

    def index_letters(self, vocab_id: str, lang: str) -> list[str]:
        """First letters of a vocabulary's preferred labels in a language (A-Z, "0-9", "!*")."""
        key = (vocab_id, lang)
        known = self._letters  # a refresh replaces it: what is read now goes in this one
        if key not in known:
            rows = self._rows(
                f"SELECT DISTINCT substr(l.folded, 1, 1) FROM labels l WHERE l.lang = ? "
                f"AND l.kind = 'pref' AND {_IN_VOCAB}",
                [lang.lower(), vocab_id],
            )
            known[key] = letters_of({r[0] for r in rows if r[0]})
        return list(known[key])

    def index_page(
        self, vocab_id: str, letter: str, lang: str, *, limit: int = 0, offset: int = 0
    ) -> list[IndexEntry]:
        """Preferred and alternative labels starting with `letter` ("0-9", "!*", "*" = all),
        in alphabetical order, read along the (lang, folded) index."""
        where = ["l.lang = ?", "l.kind IN ('pref', 'alt')", _IN_VOCAB]
        params: list[object] = [lang.lower(), vocab_id]
        first = fold(letter)[:1]
        if letter == "0-9":
            where.append("l.folded >= '0' AND l.folded < ':'")
        elif letter == "!*":
            where.append("NOT (l.folded >= 'a' AND l.folded < '{' OR l.folded >= '0' "
                         "AND l.folded < ':')")  # fmt: skip
        elif letter != "*" and first:
            where.append("l.folded >= ? AND l.folded < ?")
            params += [first, chr(ord(first) + 1)]
        sql = (
            f"SELECT l.concept, l.kind, l.label FROM labels l WHERE {' AND '.join(where)} "
            "ORDER BY l.folded LIMIT ? OFFSET ?"
        )
        rows = self._rows(sql, [*params, limit if limit > 0 else -1, max(0, offset)])
        entries = []
        for number, kind, label in rows:
            concept = self._concept(number)
            code = best_language(concept.prefs, lang)
            pref, pref_lang = (concept.prefs[code], code) if code is not None else (label, lang)
            alt = label if kind == "alt" else None
            entries.append(IndexEntry(concept.iri, pref, pref_lang, alt))
        return entries
