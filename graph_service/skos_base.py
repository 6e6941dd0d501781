"""Low-level helpers of the model: fast query answers (JSON from the engine) and a memo per data
version. Everything here is re-exported by skos.py."""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import TypeVar

from rdflib.term import Node

from .labels import language_order
from .store import EmbeddedStore, bind

T = TypeVar("T")


# --- per-version memo: answers that only change when the data does ------------------------

_memo: weakref.WeakKeyDictionary[EmbeddedStore, tuple[str, dict]] = weakref.WeakKeyDictionary()
_memo_lock = threading.Lock()


def memo(store: EmbeddedStore, key: tuple, compute: Callable[[], T]) -> T:
    """Compute once per data version of the store (forgotten as soon as the version changes)."""
    version = store.version
    with _memo_lock:
        entry = _memo.get(store)
        if entry is None or entry[0] != version:
            entry = (version, {})
            _memo[store] = entry
    cache = entry[1]
    if key not in cache:
        cache[key] = compute()
    return cache[key]  # type: ignore[no-any-return]


# --- fast answers: engine-side JSON instead of one rdflib object per term ---------------------


class Iri(str):
    """An IRI in a query answer (a plain string that knows it is an IRI)."""


class Blank(str):
    """A blank node in a query answer."""


class Lit(str):
    """A literal in a query answer: its text, with `language` and `datatype` ("" when none)."""

    language: str
    datatype: str

    def __new__(cls, value: str, language: str = "", datatype: str = "") -> Lit:
        obj = super().__new__(cls, value)
        obj.language = language
        obj.datatype = datatype
        return obj

    def __eq__(self, other: object) -> bool:
        # "Gamma"@fr and "Gamma"@en are two labels, not one.
        if isinstance(other, Lit):
            same = str.__eq__(self, other)
            return same and (self.language, self.datatype) == (other.language, other.datatype)
        return str.__eq__(self, other)

    __hash__ = str.__hash__


Term = Iri | Lit | Blank


def _term(binding: dict[str, str]) -> Term:
    kind = binding["type"]
    if kind == "uri":
        return Iri(binding["value"])
    if kind in {"literal", "typed-literal"}:
        return Lit(binding["value"], binding.get("xml:lang", ""), binding.get("datatype", ""))
    return Blank(binding["value"])


def rows(
    store: EmbeddedStore, query: str, bindings: dict[str, Node] | None = None
) -> list[dict[str, Term]]:
    """Run one of our SELECT queries; rows map variables to Iri, Lit or Blank (unbound absent).

    The engine serialises the answer to JSON and the standard library parses it: an order of
    magnitude faster than building rdflib terms, which matters on pages with many neighbours.
    """
    answer = store.query_serialized(bind(query, bindings), result_format="json")
    parsed = json.loads(answer.body)
    return [
        {name: _term(value) for name, value in solution.items()}
        for solution in parsed["results"]["bindings"]
    ]


def truthy(term: Term | None) -> bool:
    """Whether an answer's boolean literal is true."""
    return term is not None and str(term).lower() in {"true", "1"}


def pick_lit(values: Iterable[object], lang: str | None = None) -> Lit | None:
    """The literal best fitting `lang`: then fr, en, untagged, any (labels.pick for Lit)."""
    by_lang: dict[str, Lit] = {}
    for literal in sorted((v for v in values if isinstance(v, Lit)), key=str):
        by_lang.setdefault(literal.language.lower(), literal)
    if not by_lang:
        return None
    for code in (*language_order(lang), ""):
        if code in by_lang:
            return by_lang[code]
    return by_lang[min(by_lang)]
