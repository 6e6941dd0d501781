"""Reconciliation as the protocol's versions share it (no Flask): a query, scored candidates.

Candidates come from the search index, the suggestion matcher (plurals, elision, typos), an IRI
or a notation (INSEE code) given as the text, and the notations given as properties. Each is
scored 0-100 against all its labels, folded: 100 for an exact preferred label (or its IRI or
notation), 95 alternative, 90 hidden, else string similarity (at most 85). Each property the
candidate does not satisfy takes PROPERTY_PENALTY off (a required one removes it); a property
this service does not know is ignored. `match` is true only for an exact label, IRI or
notation that satisfies every property, with a clear lead: no rival scoring 90 or more.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from graph_service.curate.reconcile_facts import ConceptFacts, get_concept_facts
from graph_service.curate.suggest import LabelIndex, get_label_index, suggest
from graph_service.curate.textmatch import fold, normalise
from graph_service.model.schemes import list_schemes
from graph_service.namespaces import BASE, SKOS_NS, vocab_id_of
from graph_service.store import Store
from graph_service.store.limits import Deadline

SKOS_CONCEPT = SKOS_NS + "Concept"
EXACT = {"prefLabel": 100.0, "altLabel": 95.0, "hiddenLabel": 90.0}
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
PROPERTY_PENALTY = 30.0
#: How many suggestions a prefix has at most (paged through with a cursor).
SUGGEST_POOL = 500
#: The properties a query may give, by id, with their other spellings (folded).
NOTATION = "skos:notation"
DEPARTEMENT = "departement"
PROPERTY_ALIASES = {
    NOTATION: {NOTATION, SKOS_NS + "notation", "notation", "insee", "code", "code insee",
               "code_insee", "codeinsee"},
    DEPARTEMENT: {DEPARTEMENT, "pdvo:departement", "https://w3id.org/pdv/ontology#departement",
                  "dept", "code departement"},
}  # fmt: skip
#: (id, name, description) of the properties, for suggest/property and the manifests.
PROPERTIES = (
    (NOTATION, "Code (skos:notation)", "INSEE code of a commune or département, SIREN of an EPCI"),
    (DEPARTEMENT, "Département", "The département a territory lies in: code, name or IRI"),
)


class BadQuery(ValueError):
    """A reconciliation query that cannot be answered; the message says why."""


@dataclass(frozen=True)
class Property:
    """A property condition: the values any of which the candidate must have."""

    pid: str  # one of PROPERTY_ALIASES' keys, or the client's id when unknown
    values: tuple[str, ...]
    required: bool = False
    quantifier: str = "any"  # any, all or none of the values (1.0's matchQuantifier)

    @property
    def known(self) -> bool:
        """Whether this service can check it (unknown properties are ignored)."""
        return self.pid in PROPERTY_ALIASES


@dataclass(frozen=True)
class Query:
    """One reconciliation query, whatever the protocol version that carried it."""

    text: str = ""
    types: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    properties: tuple[Property, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One candidate entity."""

    id: str
    name: str
    score: float
    match: bool
    types: tuple[tuple[str, str], ...]  # (id, name), the scheme first
    description: str = ""
    features: dict[str, float] = field(default_factory=dict, compare=False)


def property_id(pid: str) -> str:
    """Our id for a property the client names in any of the accepted spellings."""
    key = " ".join(fold(pid).split())
    for known, aliases in PROPERTY_ALIASES.items():
        if key in aliases or pid in aliases:
            return known
    return pid


def clamp_limit(value: object) -> int:
    """A query's `limit` (any number, as the schemas allow) within 1..MAX_LIMIT."""
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadQuery("'limit' must be a number")
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
        return MAX_LIMIT if value == float("inf") else DEFAULT_LIMIT
    return max(1, min(int(value), MAX_LIMIT))


def _restrictions(store: Store, types: tuple[str, ...]) -> list[tuple[str | None, str | None]]:
    """Each wanted type as (vocab id, rdf:type IRI); none when any concept will do."""
    schemes = {s.vocab_id: s.iri for s in list_schemes(store)}
    found: list[tuple[str | None, str | None]] = []
    for wanted in types:
        if wanted in {SKOS_CONCEPT, "skos:Concept", ""}:
            return []
        scheme = next((vid for vid, iri in schemes.items() if wanted in (vid, iri)), None)
        found.append((scheme, None) if scheme else (None, wanted))
    return found


def prepare(store: Store) -> None:
    """Build, once per data version, the indexes that reconciliation reads, before a query's
    time limit starts: the first batch after a start or a write otherwise spent 3-5 s of its
    5 s limit on them on a loaded machine and answered "not answered" for work it never did."""
    from graph_service.search.index import get_index

    get_label_index(store)
    get_concept_facts(store)
    with contextlib.suppress(ValueError):  # no search index: the label matcher answers alone
        get_index(store)


def reconcile(store: Store, query: Query, deadline: Deadline | None = None) -> list[Candidate]:
    """The candidates of one query, best first, at most query.limit of them (TryLater once
    `deadline` has passed: this runs in the serving process, which nothing can stop)."""
    if deadline is not None:
        deadline.check()
    text = query.text.strip()
    if not text and not any(p.known for p in query.properties):
        return []  # nothing to match on (an empty query, or only properties we cannot check)
    labels = get_label_index(store)
    facts = get_concept_facts(store)
    restrictions = _restrictions(store, query.types)
    pool = max(query.limit * 3, 10) if not query.properties else max(query.limit * 3, 60)
    found: dict[str, float] = {}  # candidate -> score of its text
    if text:
        for iri in _exact_ids(facts, text):
            found[iri] = 100.0
        one = restrictions[0] if len(restrictions) == 1 else (None, None)
        for iri in _text_candidates(store, text, one[0], one[1], pool, deadline):
            found.setdefault(iri, _text_score(labels.labels.get(iri, []), text))
    for condition in query.properties:
        if condition.pid == NOTATION:  # a code alone finds its concept, text or not
            for value in condition.values:
                for iri in facts.by_notation.get(value.strip(), []):
                    found.setdefault(iri, _text_score(labels.labels.get(iri, []), text))
    scored = []
    for iri, score in found.items():
        if restrictions and not any(
            _within(labels, iri, scheme, type_iri) for scheme, type_iri in restrictions
        ):
            continue
        checked = _check_properties(facts, iri, query.properties, base=100.0 if not text else score)
        if checked is None:
            continue  # a required property fails
        final, all_met = checked
        scored.append(_candidate(facts, iri, final, all_met, exact=score >= EXACT["altLabel"]))
    # Untyped, a concept of our own schemes comes before an imported one of the same score
    # (importing UNESCO must not turn "Démocratie" into its concept); a type names the scheme.
    own_first = not restrictions
    scored.sort(key=lambda c: (-c.score, own_first and not c.id.startswith(BASE), c.name, c.id))
    return _mark_match(scored, bool(text))[: query.limit]


def _exact_ids(facts: ConceptFacts, text: str) -> list[str]:
    """Concepts the text names by IRI or by notation (an INSEE code)."""
    found = [text] if text in facts.labels.labels else []
    found += facts.by_notation.get(text, [])
    return found


def _within(labels: LabelIndex, iri: str, scheme: str | None, type_iri: str | None) -> bool:
    if scheme is not None:
        return (
            vocab_id_of(labels.scheme.get(iri, "")) == scheme if labels.scheme.get(iri) else False
        )
    return type_iri in labels.types.get(iri, [])


def _check_properties(
    facts: ConceptFacts, iri: str, properties: tuple[Property, ...], base: float
) -> tuple[float, bool] | None:
    """(score after the properties' penalties, every known property met), None if a required
    property fails."""
    score, all_met = base, True
    for condition in properties:
        if not condition.known:
            continue
        if _satisfies(facts, iri, condition):
            continue
        if condition.required:
            return None
        score, all_met = max(0.0, score - PROPERTY_PENALTY), False
    return round(score, 1), all_met


def _satisfies(facts: ConceptFacts, iri: str, condition: Property) -> bool:
    hits = [_has_value(facts, iri, condition.pid, value) for value in condition.values]
    if condition.quantifier == "all":
        return all(hits)
    if condition.quantifier == "none":
        return not any(hits)
    return any(hits)


def _has_value(facts: ConceptFacts, iri: str, pid: str, value: str) -> bool:
    if pid == NOTATION:
        return value.strip() in {n.strip() for n in facts.notations.get(iri, [])}
    departement = facts.departement_of(iri)
    if departement is None:
        return False
    keys = departement.keys()
    return value.strip() in keys or " ".join(fold(value).split()) in keys


def _candidate(facts: ConceptFacts, iri: str, score: float, met: bool, exact: bool) -> Candidate:
    labels = facts.labels
    label = labels.label_of(iri)
    types: list[tuple[str, str]] = [(SKOS_CONCEPT, "Concept")]
    scheme = labels.scheme.get(iri)
    if scheme and scheme in facts.scheme_titles:
        types.insert(0, (scheme, facts.scheme_titles[scheme]))
    features = {"exact": 1.0 if exact else 0.0, "properties": 1.0 if met else 0.0}
    return Candidate(
        iri,
        # A namesake commune is named with its département: "Dury (Somme)", not one of four Dury.
        labels.display_label(iri) if label is not None else iri,
        score,
        exact and met,  # a provisional flag: _mark_match settles it
        tuple(types),
        facts.description(iri),
        features,
    )


def _mark_match(scored: list[Candidate], has_text: bool) -> list[Candidate]:
    """Only the first candidate may match: exact, every property met, and no rival at 90+."""
    if not scored:
        return scored
    top, rest = scored[0], scored[1:]
    if has_text:
        sure = top.match and top.score >= EXACT["altLabel"]
    else:
        sure = top.score >= EXACT["prefLabel"] and top.features.get("properties") == 1.0
    rivals = [c for c in rest if c.score >= EXACT["hiddenLabel"]]
    decided = [Candidate(c.id, c.name, c.score, False, c.types, c.description, c.features)
               for c in rest]  # fmt: skip
    first = Candidate(
        top.id, top.name, top.score, sure and not rivals, top.types, top.description, top.features
    )
    return [first, *decided]


def _text_candidates(
    store: Store,
    text: str,
    vocab_id: str | None,
    type_iri: str | None,
    pool: int,
    deadline: Deadline | None = None,
) -> list[str]:
    """Search-index hits first, then label matches (which know plurals, elision and typos)."""
    found: dict[str, None] = {}
    try:
        from graph_service.search.index import get_index

        index = get_index(store)
        # The words as typed, then as prefixes: "democratie participativ" finds the full label.
        prefixes = " ".join(w + "*" for w in text.replace("*", " ").split())
        for words in (text, prefixes):
            hits = index.search(words, vocab_id=vocab_id, type_iri=type_iri, limit=pool)
            found.update(dict.fromkeys(h.iri for h in hits))
    except (ImportError, ValueError):
        pass  # the matcher below still answers
    for hit in suggest(store, text, limit=pool, deadline=deadline):
        found.setdefault(hit.iri, None)
    return list(found)


def _text_score(labels: list[tuple[str, str]], text: str) -> float:
    """How well the text names a concept with these (kind, label) pairs: 0-100."""
    if not text:
        return 0.0
    key, folded = normalise(text), " ".join(fold(text).split())
    return max((_score(folded, key, kind, label) for kind, label in labels), default=0.0)


def _score(query: str, key: str, kind: str, label: str) -> float:
    if " ".join(fold(label).split()) == query:
        return EXACT.get(kind, 90.0)
    other = normalise(label)
    if other == key:  # equal once plurals and elisions are set aside: close, not exact
        return EXACT.get(kind, 90.0) - 8
    return round(SequenceMatcher(None, key, other).ratio() * 85, 1)


def suggest_entities(
    store: Store, prefix: str, *, cursor: int = 0, limit: int = 10
) -> list[Candidate]:
    """Autocomplete: concepts whose IRI, notation or labels start with `prefix`, from the
    `cursor`-th on (at most `limit`). The list is the same whatever the cursor (the search
    index orders ties differently for different limits), and ends at SUGGEST_POOL."""
    prefix = prefix.strip()
    if not prefix or cursor >= SUGGEST_POOL:
        return []
    facts = get_concept_facts(store)
    found: dict[str, None] = {}
    found.update(dict.fromkeys(facts.iris_starting(prefix, SUGGEST_POOL)))
    found.update(dict.fromkeys(facts.notations_starting(prefix, SUGGEST_POOL)))
    try:
        from graph_service.search.index import get_index

        words = " ".join(w + "*" for w in prefix.replace("*", " ").split())
        for hit in get_index(store).search(words, limit=SUGGEST_POOL):
            found.setdefault(hit.iri, None)
    except (ImportError, ValueError):
        pass
    if len(found) < MAX_LIMIT:  # few prefix hits: the matcher knows plurals and typos
        for candidate in reconcile(store, Query(prefix, limit=10)):
            found.setdefault(candidate.id, None)
    page = list(found)[:SUGGEST_POOL][cursor : cursor + limit]
    return [_candidate(facts, iri, 0.0, True, False) for iri in page]
