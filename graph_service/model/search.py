"""Site search: concepts and resources on one results page, old terms, typos and facets.

The search index (search/index.py) answers each part; this module puts them together the way a
visitor needs them: resources ranked among concepts, deprecated labels leading to their
replacement, a single obvious correction searched at once, and facet counts that say what
choosing them gives.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from graph_service.search.index import (
    UNTAGGED,
    ResourceHit,
    RetiredHit,
    SearchHit,
    SearchIndex,
    ready_index,
)
from graph_service.store import Store
from graph_service.store.limits import Deadline
from graph_service.text import fold

#: Hits read for the facet counts; beyond, counts say "at least".
FACET_CAP = 1000
#: Up to this many concepts, "did you mean" compares the query with every preferred label.
FULL_SCAN_CONCEPTS = 20_000
SUGGEST_CANDIDATES = 300
#: A correction is taken at once when it is this close to the query (difflib ratio) and the
#: next one is at least OBVIOUS_LEAD behind.
OBVIOUS_RATIO, OBVIOUS_LEAD = 0.85, 0.05
KINDS = ("concept", "resource")
_TOKENS = re.compile(r"[\w*]+")


@dataclass(frozen=True)
class Found:
    """One line of the results: a concept or a resource, with its score."""

    kind: str  # "concept" | "resource"
    iri: str
    score: float
    concept: SearchHit | None = None
    resource: ResourceHit | None = None


@dataclass(frozen=True)
class Replacement:
    """An old term: the deprecated concept's label that matched and what replaces it."""

    old: RetiredHit
    pref_label: str  # the deprecated concept's preferred label
    pref_lang: str
    new: SearchHit | None  # None when no live concept replaces it


@dataclass(frozen=True)
class Results:
    """What a search found, filtered by the chosen facets, with the counts of each facet."""

    text: str  # what was searched: the correction when one was taken
    corrected_from: str | None
    items: list[Found]
    replacements: list[Replacement]
    suggestions: list[str]
    kinds: list[tuple[str, int]] = field(default_factory=list)
    vocabs: list[tuple[str, int]] = field(default_factory=list)
    languages: list[tuple[str, int]] = field(default_factory=list)
    types: list[tuple[str, int]] = field(default_factory=list)

    @property
    def capped(self) -> bool:
        """Whether there were more hits than were read."""
        return len(self.items) >= FACET_CAP


def search_query(text: str) -> str:
    """The index query for what people type: words, the last one as a prefix ("democratie
    partic" finds "Démocratie participative"); explicit `*` patterns are kept as they are."""
    tokens = _TOKENS.findall(text)
    if not tokens:
        return ""
    if "*" not in text:
        tokens[-1] += "*"
    return " ".join(tokens)


def _close(text: str, choices: dict[str, str], limit: int) -> list[tuple[float, str]]:
    """(ratio, label) of the labels closest to a text, best first (difflib's 0.75 cut-off)."""
    folded = fold(text)
    close = difflib.get_close_matches(folded, list(choices), n=limit, cutoff=0.75)
    return [(difflib.SequenceMatcher(None, folded, c).ratio(), choices[c]) for c in close]


def _candidates(index: SearchIndex, text: str) -> dict[str, str]:
    """Preferred labels (by folded text) sharing each word's first three letters."""
    words = [w for w in fold(text).split() if len(w) >= 3][:4]
    candidates: dict[str, str] = {}
    for query in [" ".join(w[:3] + "*" for w in words), *(w[:3] + "*" for w in words)]:
        for hit in index.search(query, limit=SUGGEST_CANDIDATES) if query else []:
            candidates.setdefault(fold(hit.pref_label), hit.pref_label)
    return candidates


def corrections(index: SearchIndex, text: str, limit: int = 3) -> list[tuple[float, str]]:
    """(closeness 0-1, preferred label) of the labels close to `text` (typos), best first.

    A small index is compared whole; a large one only with the labels sharing each word's
    first three letters, found through the index: comparing 100,000 labels costs 0.5 s."""
    if len(index) <= FULL_SCAN_CONCEPTS:
        labels = index.suggest_did_you_mean(text, limit)
        return sorted(
            ((difflib.SequenceMatcher(None, fold(text), fold(s)).ratio(), s) for s in labels),
            key=lambda pair: -pair[0],
        )
    return _close(text, _candidates(index, text), limit)


def did_you_mean(index: SearchIndex, text: str, limit: int = 3) -> list[str]:
    """Preferred labels close to `text` (typos), best first."""
    return [label for _, label in corrections(index, text, limit)]


def obvious(found: list[tuple[float, str]]) -> str | None:
    """The one correction to take without asking: close, and clearly ahead of the next."""
    if not found or found[0][0] < OBVIOUS_RATIO:
        return None
    if len(found) > 1 and found[0][0] - found[1][0] < OBVIOUS_LEAD:
        return None
    return found[0][1]


def replacements(index: SearchIndex, text: str, lang: str | None) -> list[Replacement]:
    """Deprecated concepts whose labels match `text`, each with the concept replacing it."""
    found = []
    for old in index.retired(text):
        new = index.concept_hit(old.replaced_by, lang) if old.replaced_by else None
        pref = index.retired_pref(old.iri, lang) or (old.label, old.lang)
        found.append(Replacement(old, pref[0], pref[1], new))
    return found


def _ordered(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _concepts(
    index: SearchIndex, query: str, labellang: str | None, vocab: str | None, type_iri: str | None
) -> list[SearchHit]:
    return index.search(query, lang=labellang, vocab_id=vocab, type_iri=type_iri, limit=FACET_CAP)


def _languages(
    index: SearchIndex, query: str, hits: list[SearchHit], vocab: str | None, type_iri: str | None
) -> list[tuple[str, int]]:
    """Per language, how many concepts have a matching label in it: what choosing it gives
    (counting each hit's first matched label only made the facet seem to filter nothing)."""
    counts: Counter[str] = Counter()
    for code in index.languages_of([h.iri for h in hits]):
        found = _concepts(index, query, code or UNTAGGED, vocab, type_iri)
        if found:
            counts[code or UNTAGGED] = len(found)
    return _ordered(counts)


def site_search(
    store: Store,
    text: str,
    *,
    lang: str | None = None,
    kind: str | None = None,
    vocab: str | None = None,
    labellang: str | None = None,
    type_iri: str | None = None,
    deadline: Deadline | None = None,
) -> Results:
    """Concepts and resources matching `text`, best first (an exact preferred label, then an
    exact resource title, other exact labels, label or title prefixes, words), filtered by
    kind, vocabulary, label language ("-": untagged) and class; the facets count each choice.
    Vocabulary, language and class are facets of concepts: choosing one leaves resources out.
    When nothing matches, an obvious typo correction is searched instead."""
    index, deadline = ready_index(store, deadline)
    with index.under(deadline):
        results = _search(index, text, lang, kind, vocab, labellang, type_iri)
        if results.items or results.replacements or not text.strip():
            return results
        found = corrections(index, text)
        taken = obvious(found)
        if taken is not None:
            corrected = _search(index, taken, lang, kind, vocab, labellang, type_iri)
            if corrected.items:
                others = [s for _, s in found if s != taken]
                return Results(
                    corrected.text, text, corrected.items, corrected.replacements, others,
                    corrected.kinds, corrected.vocabs, corrected.languages, corrected.types,
                )  # fmt: skip
        return Results(text, None, [], [], [label for _, label in found])


def _search(
    index: SearchIndex,
    text: str,
    lang: str | None,
    kind: str | None,
    vocab: str | None,
    labellang: str | None,
    type_iri: str | None,
) -> Results:
    query = search_query(text)
    if not query:
        return Results(text, None, [], [], [])
    concept_facets = bool(vocab or labellang or type_iri)
    concepts = _concepts(index, query, labellang, vocab, type_iri)
    resources = [] if concept_facets else index.resources(query, lang=lang, limit=FACET_CAP)
    found = [Found("concept", h.iri, h.score, concept=h) for h in concepts]
    found += [Found("resource", r.iri, r.score, resource=r) for r in resources]
    # Stable: on equal scores concepts stay ahead of resources, as the index ranked them.
    found.sort(key=lambda f: -f.score)
    kinds = Counter(f.kind for f in found)
    items = [f for f in found if kind is None or f.kind == kind][:FACET_CAP]
    shown = concepts if kind in (None, "concept") else []
    # The language facet offers every language, whichever is chosen.
    everywhere = _concepts(index, query, None, vocab, type_iri) if labellang else shown
    return Results(
        text,
        None,
        items,
        replacements(index, text, lang) if not concept_facets else [],
        [],
        kinds=[(k, kinds[k]) for k in KINDS if kinds[k]],
        vocabs=_ordered(Counter(h.vocab_id for h in shown)),
        languages=_languages(index, query, everywhere, vocab, type_iri) if shown else [],
        types=_ordered(Counter(t for h in shown for t in h.types)),
    )
