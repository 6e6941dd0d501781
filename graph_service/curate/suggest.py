"""Suggest concepts for indexing a text: label matching with folding, elision, plurals, typos.

Rules, in the order they apply:

* every pref, alt and hidden label of every concept (all schemes) is cut into tokens the same
  way as the text (accents and case folded, French elision dropped, simple plurals made
  singular), and matched as token n-grams, longest first: "démocratie participative" wins
  over "démocratie" at the same place;
* a word of 8 letters or more that matches nothing may match a one-word label at one edit
  ("empowerement" -> empowerment), with a lower weight; never for territories;
* noise: territory names (communes such as "Y", "Champs" or "Somme") must be written with a
  capital letter in the text and be at least 3 letters long; other one-word labels must be at
  least 3 letters long, and labels written in capitals (acronyms: "DSU", "QPV") must be written
  in capitals in the text;
* places: a territory match must also be a place by its context (curate/places.py: "à Lille"
  is, "avec la Ville", "France Travail", "Somme toute" are not); its weight is multiplied by
  that confidence, reported as `place_confidence`;
* links: a link of the page to a URL that a concept cites as rdfs:seeAlso (DicoPart's
  Empowerment entry) is strong evidence for it (LINK_WEIGHT);
* score = label kind (pref 1, alt 0.9, hidden 0.7, typo x0.8) x specificity (1 + 0.5 per
  extra word that is not a function word) x position (x1.5 in the title) x discrimination (an
  idf-like weight: a label that the definitions of many other concepts and the catalogue's
  titles use, such as "habitants", weighs less), with diminishing returns over occurrences
  (1 + log n; one occurrence counts once however many labels of the concept it matches),
  +25 % when a broader or narrower concept also matched; scores are scaled so the best hit is
  1.0. Optionally the broader concepts of the hits are added at 0.4 x their score.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from rdflib import Literal

from graph_service.curate.places import PLACE_MIN, PlaceMatch, score_places
from graph_service.curate.suggest_weights import (
    discrimination_weights,
    display_labels,
    normalise_url,
)
from graph_service.curate.textmatch import (
    Token,
    content_words,
    is_capitalised,
    label_key,
    tokenize,
    within_one_edit,
)
from graph_service.labels import pick
from graph_service.namespaces import PDVO_NS, scheme_iri, sparql_prefixes, vocab_id_of
from graph_service.store import Store
from graph_service.store.limits import Deadline

KIND_WEIGHT = {"prefLabel": 1.0, "altLabel": 0.9, "hiddenLabel": 0.7}
FUZZY_WEIGHT = 0.8
FUZZY_MIN_LENGTH = 8
TITLE_WEIGHT = 1.5
HIERARCHY_BOOST = 1.25
BROADER_FACTOR = 0.4
MIN_LABEL_LENGTH = 3
LINK_WEIGHT = 2.0  # a link to the concept's own rdfs:seeAlso: as strong as a title match
TERRITORIES = scheme_iri("territoires")
COMMUNE = PDVO_NS + "Commune"


@dataclass
class Suggestion:
    """A concept proposed for a text, with why it was proposed."""

    iri: str
    label: str
    lang: str
    vocab_id: str
    score: float
    matched: str
    matched_kind: str
    count: int
    types: list[str] = field(default_factory=list)
    #: The label to show: the preferred label, qualified for namesakes ("Dury (Somme)").
    display_label: str = ""
    #: For a territory: how sure its context makes it that the text names the place (0.5-1).
    place_confidence: float | None = None

    def as_dict(self) -> dict:
        """A JSON-ready view."""
        return asdict(self)


@dataclass(frozen=True)
class _Entry:
    concept: str
    kind: str
    capitals: bool  # the text must write it with a capital (territories, acronyms)
    acronym: bool


class LabelIndex:
    """Every label of the store, keyed by its token tuple; built once per store version."""

    def __init__(self, store: Store) -> None:
        self.version = store.version
        self.entries: dict[tuple[str, ...], list[_Entry]] = defaultdict(list)
        self.by_length: dict[int, set[str]] = defaultdict(set)  # one-word keys, for typos
        self.pref: dict[str, list[Literal]] = defaultdict(list)
        self.labels: dict[str, list[tuple[str, str]]] = defaultdict(list)  # (kind, text)
        self.scheme: dict[str, str] = {}
        self.types: dict[str, list[str]] = defaultdict(list)
        self.broader: dict[str, set[str]] = defaultdict(set)
        self.narrower: dict[str, set[str]] = defaultdict(set)
        self.see_also: dict[str, set[str]] = defaultdict(set)  # normalised URL -> concepts
        self.longest = 1
        self._load(store)
        #: Label key -> how much it discriminates (1 = used nowhere else, less when common).
        self.key_weight = discrimination_weights(store, self)
        #: Qualified labels of namesake communes, by concept then language.
        self.display = display_labels(self)

    def _load(self, store: Store) -> None:
        prefix = sparql_prefixes("skos")
        for row in store.select(
            prefix + "SELECT ?c ?s WHERE { ?c a skos:Concept ; skos:inScheme|skos:topConceptOf ?s }"
        ):
            self.scheme.setdefault(str(row["c"]), str(row["s"]))
        for row in store.select(prefix + "SELECT ?c ?t WHERE { ?c a skos:Concept, ?t }"):
            self.types[str(row["c"])].append(str(row["t"]))
        for row in store.select(
            prefix + "SELECT ?c ?b WHERE { ?c a skos:Concept . ?c skos:broader|^skos:narrower ?b }"
        ):
            self.broader[str(row["c"])].add(str(row["b"]))
            self.narrower[str(row["b"])].add(str(row["c"]))
        rows = store.select(
            prefix + "SELECT ?c ?p ?l WHERE { ?c a skos:Concept . "
            "VALUES ?p { skos:prefLabel skos:altLabel skos:hiddenLabel } ?c ?p ?l }"
        )
        for row in rows:
            concept, kind, label = str(row["c"]), str(row["p"]).rsplit("#", 1)[-1], row["l"]
            if kind == "prefLabel" and isinstance(label, Literal):
                self.pref[concept].append(label)
            self.labels[concept].append((kind, str(label)))
            self._add(concept, kind, str(label))
        for row in store.select(
            sparql_prefixes("skos", "rdfs")
            + "SELECT ?c ?u WHERE { ?c a skos:Concept ; rdfs:seeAlso ?u }"
        ):
            self.see_also[normalise_url(str(row["u"]))].add(str(row["c"]))

    def _add(self, concept: str, kind: str, text: str) -> None:
        key = label_key(text)
        if not key or (len(key) == 1 and len(key[0]) < MIN_LABEL_LENGTH):
            return
        territory = self.scheme.get(concept) == TERRITORIES
        letters = [c for c in text if c.isalpha()]
        acronym = len(letters) > 1 and all(c.isupper() for c in letters) and len(key) == 1
        self.entries[key].append(_Entry(concept, kind, territory, acronym))
        self.longest = max(self.longest, len(key))
        if len(key) == 1 and len(key[0]) >= FUZZY_MIN_LENGTH and not territory:
            self.by_length[len(key[0])].add(key[0])

    def label_of(self, concept: str, lang: str | None = None) -> Literal | None:
        """The concept's preferred label in lang (fr, en, any as fallbacks)."""
        return pick(self.pref.get(concept, []), lang)

    def is_commune(self, concept: str) -> bool:
        """Whether the concept is a commune (the class pdvo:Commune)."""
        return COMMUNE in self.types.get(concept, ())

    def display_label(self, concept: str, lang: str | None = None) -> str:
        """The label to show: preferred label, qualified by the département for namesakes."""
        label = self.label_of(concept, lang)
        if label is None:
            return concept
        return self.display.get(concept, {}).get(label.language or "", str(label))


_indexes: weakref.WeakKeyDictionary[Store, LabelIndex] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def get_label_index(store: Store) -> LabelIndex:
    """The label index of a store, rebuilt when the store has changed since."""
    with _lock:
        index = _indexes.get(store)
        if index is None or index.version != store.version:
            index = LabelIndex(store)
            _indexes[store] = index
        return index


@dataclass
class _Hit:
    weight: float = 0.0
    count: int = 0
    best: tuple[float, str, str] = (0.0, "", "")  # weight, surface text, kind
    place: float | None = None  # the best place confidence of a territory's occurrences


def _allowed(entry: _Entry, surface: list[Token]) -> bool:
    if entry.acronym and not surface[0].surface.isupper():
        return False
    return not (entry.capitals and not is_capitalised(surface[0].surface))


def find_matches(
    index: LabelIndex,
    text: str,
    title: str = "",
    deadline: Deadline | None = None,
    links: Sequence[str] = (),
) -> dict[str, _Hit]:
    """Match labels in the title and the text, and the links against the concepts'
    rdfs:seeAlso; returns the weighted hits per concept. TryLater once the deadline has passed
    (checked as the work goes: a long text's fuzzy matching runs in the serving process, where
    nothing else could stop it)."""
    hits: dict[str, _Hit] = defaultdict(_Hit)
    check = deadline.check if deadline is not None else _no_check
    for part, factor in ((title, TITLE_WEIGHT), (text, 1.0)):
        tokens = tokenize(part)
        used = [False] * len(tokens)
        places: list[tuple[PlaceMatch, dict[str, _Entry], str, float]] = []
        for size in range(min(index.longest, len(tokens)), 0, -1):
            check()
            for start in range(len(tokens) - size + 1):
                if any(used[start : start + size]):
                    continue
                span = tokens[start : start + size]
                key = tuple(t.key for t in span)
                entries = index.entries.get(key)
                if not entries:
                    continue
                kept = _best_per_concept(e for e in entries if _allowed(e, span))
                if not kept:
                    continue
                surface = part[span[0].start : span[-1].end]
                specificity = 1 + 0.5 * (content_words(key) - 1)
                base = specificity * factor * index.key_weight.get(key, 1.0)
                territories = {c: e for c, e in kept.items() if e.capitals}
                for concept, entry in kept.items():
                    if concept not in territories:
                        _record(hits[concept], KIND_WEIGHT[entry.kind] * base, surface, entry.kind)
                if territories:
                    candidates = {c: index.is_commune(c) for c in territories}
                    acronym = all(e.acronym for e in territories.values())
                    match = PlaceMatch(start, start + size, candidates, acronym)
                    places.append((match, territories, surface, base))
                used[start : start + size] = [True] * size
        _record_places(index, part, tokens, places, hits)
        for position, token in enumerate(tokens):
            if used[position] or len(token.key) < FUZZY_MIN_LENGTH:
                continue
            check()
            for length in (len(token.key) - 1, len(token.key), len(token.key) + 1):
                for word in index.by_length.get(length, ()):
                    if within_one_edit(token.key, word):
                        fuzzy = _best_per_concept(
                            e for e in index.entries[(word,)] if not e.capitals
                        )
                        for concept, entry in fuzzy.items():
                            weight = KIND_WEIGHT[entry.kind] * FUZZY_WEIGHT * factor
                            weight *= index.key_weight.get((word,), 1.0)
                            _record(hits[concept], weight, token.surface, "fuzzy")
    for url in dict.fromkeys(normalise_url(link) for link in links):
        for concept in sorted(index.see_also.get(url, ())):
            _record(hits[concept], LINK_WEIGHT, url, "link")
    return hits


def _best_per_concept(entries: Iterable[_Entry]) -> dict[str, _Entry]:
    """One entry per concept, its strongest label kind: a concept whose labels repeat (the same
    text in fr and en) is matched once by one occurrence, not once per label."""
    best: dict[str, _Entry] = {}
    for entry in entries:
        current = best.get(entry.concept)
        if current is None or KIND_WEIGHT[entry.kind] > KIND_WEIGHT[current.kind]:
            best[entry.concept] = entry
    return best


def _record_places(
    index: LabelIndex,
    part: str,
    tokens: list[Token],
    places: list[tuple[PlaceMatch, dict[str, _Entry], str, float]],
    hits: dict[str, _Hit],
) -> None:
    """Record the territory matches that their context makes places, weighted by how sure."""
    if not places:
        return
    score_places(part, tokens, [m for m, *_ in places], lambda c: index.broader.get(c, set()))
    for match, entries, surface, base in places:
        for concept, entry in entries.items():
            confidence = match.confidence.get(concept, 0.0)
            if confidence < PLACE_MIN:
                continue
            hit = hits[concept]
            _record(hit, KIND_WEIGHT[entry.kind] * base * confidence, surface, entry.kind)
            hit.place = max(hit.place or 0.0, confidence)


def _no_check() -> None:
    return None


def _record(hit: _Hit, weight: float, surface: str, kind: str) -> None:
    hit.weight = max(hit.weight, weight)
    hit.count += 1
    if weight > hit.best[0]:
        hit.best = (weight, surface, kind)


def suggest(
    store: Store,
    text: str,
    *,
    title: str = "",
    limit: int = 20,
    lang: str | None = None,
    add_broader: bool = False,
    deadline: Deadline | None = None,
    links: Sequence[str] = (),
) -> list[Suggestion]:
    """Ranked concepts for a text (and an optional title, which weighs 1.5 times, and the
    page's links, evidence for the concepts that cite them); TryLater once the deadline has
    passed."""
    index = get_label_index(store)
    hits = find_matches(index, text, title, deadline, links)
    scores = {c: h.weight * (1 + math.log(h.count)) for c, h in hits.items()}
    for concept in scores:
        related = index.broader.get(concept, set()) | index.narrower.get(concept, set())
        if related & hits.keys():
            scores[concept] *= HIERARCHY_BOOST
    if add_broader:
        for concept, score in list(scores.items()):
            for parent in index.broader.get(concept, ()):
                if parent not in scores:
                    scores[parent] = score * BROADER_FACTOR
    if not scores:
        return []
    top = max(scores.values())
    ranked = sorted(scores, key=lambda c: (-scores[c], c))[: max(limit, 0)]
    return [_suggestion(index, c, scores[c] / top, hits.get(c), lang) for c in ranked]


def _suggestion(
    index: LabelIndex, concept: str, score: float, hit: _Hit | None, lang: str | None
) -> Suggestion:
    label = index.label_of(concept, lang)
    scheme = index.scheme.get(concept, "")
    return Suggestion(
        iri=concept,
        label=str(label) if label is not None else concept,
        lang=(label.language or "") if label is not None else "",
        vocab_id=vocab_id_of(scheme) if scheme else "",
        score=round(score, 3),
        matched=hit.best[1] if hit else "",
        matched_kind=hit.best[2] if hit else "broader",
        count=hit.count if hit else 0,
        types=sorted(index.types.get(concept, [])),
        display_label=index.display_label(concept, lang),
        place_confidence=round(hit.place, 2) if hit and hit.place is not None else None,
    )


def format_text(suggestions: list[Suggestion]) -> str:
    """One line per suggestion: score, label, vocabulary, what matched."""
    if not suggestions:
        return "no concept found in the text"
    lines = []
    for s in suggestions:
        matched = f'"{s.matched}" ({s.matched_kind}, x{s.count})' if s.matched else "(broader)"
        place = f" place {s.place_confidence:.2f}" if s.place_confidence is not None else ""
        label = s.display_label or s.label
        lines.append(f"{s.score:5.3f}  {label} [{s.vocab_id}] <{s.iri}>  {matched}{place}")
    return "\n".join(lines)
