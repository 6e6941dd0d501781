"""Questions of the browsing pages that the REST API does not ask (answered without Flask).

Recent concepts and latest resources for the home page, the territories of a concept's
resources, a resource's attachments, an alphabetical index page with a "next" flag, search
facets. Territories (resources under a territory, contrats de ville): model.territory.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from graph_service.model.base import (
    LABEL_PATH,
    SPARQL_PREFIXES,
    Iri,
    Ref,
    Term,
    make_ref,
    memo,
    values_block,
)
from graph_service.model.base import rows as select_rows
from graph_service.model.place_names import qualify_refs
from graph_service.model.resources import ResourceSummary, subject_pattern, summaries
from graph_service.model.schemes import SchemeSummary, vocab_of_concept
from graph_service.search.alphabetical import letters_of
from graph_service.search.index import IndexEntry, SearchHit, current_index, get_index
from graph_service.store import Store
from graph_service.text import fold

#: Resources examined for the territory facet of a concept page.
FACET_SAMPLE = 1000


@dataclass(frozen=True)
class Dated:
    """A concept with the date it was last created or modified."""

    ref: Ref
    date: str


@dataclass(frozen=True)
class Counted:
    """A linked thing and how many items point at it (a facet value)."""

    ref: Ref
    count: int


@dataclass(frozen=True)
class Part:
    """An attachment of a resource: title, format, size and download link."""

    iri: str
    title: str
    lang: str
    format: str | None
    byte_size: int | None
    download: str | None
    issued: str | None


@dataclass(frozen=True)
class IndexPage:
    """One page of a vocabulary's alphabetical index."""

    letters: tuple[str, ...]
    letter: str
    lang: str
    page: int
    size: int
    entries: tuple[IndexEntry, ...]
    has_next: bool


@dataclass(frozen=True)
class Facets:
    """Counts of the search hits by vocabulary, matched language and type."""

    vocabs: tuple[tuple[str, int], ...]
    languages: tuple[tuple[str, int], ...]
    types: tuple[tuple[str, int], ...]


def labels_for(store: Store, iris: Iterable[str], lang: str | None) -> dict[str, Ref]:
    """Refs (best label for `lang`) of a few IRIs in one query, each IRI bound, never pasted."""
    unique = list(dict.fromkeys(iris))
    if not unique:
        return {}
    values, bindings = values_block("x", unique)
    found = select_rows(
        store,
        SPARQL_PREFIXES + f"SELECT ?x ?l WHERE {{ {values} OPTIONAL {{ ?x {LABEL_PATH} ?l }} }}",
        bindings,
    )
    names: dict[str, list[Term]] = defaultdict(list)
    for row in found:
        if "l" in row:
            names[str(row["x"])].append(row["l"])
    return {iri: make_ref(iri, names.get(iri, []), lang) for iri in unique}


def recent_concepts(store: Store, lang: str | None, limit: int = 8) -> list[Dated]:
    """The concepts created or modified last, newest first (remembered per data version)."""

    def compute() -> list[Dated]:
        # Dated statements first, the class as a filter: joined the other way round, the
        # engine reads every concept (1 s at 100,000 concepts instead of under 1 ms).
        found = select_rows(
            store,
            SPARQL_PREFIXES
            + f"""SELECT ?c ?d WHERE {{
  ?c dct:modified|dct:created ?d
  FILTER EXISTS {{ ?c a skos:Concept }} FILTER NOT EXISTS {{ ?c owl:deprecated true }}
}} ORDER BY DESC(STR(?d)) LIMIT {int(limit) * 3}""",
        )
        newest: dict[str, str] = {}
        for row in found:
            newest.setdefault(str(row["c"]), str(row["d"]))
        chosen = list(newest.items())[:limit]
        refs = labels_for(store, [iri for iri, _ in chosen], lang)
        return [Dated(refs[iri], date) for iri, date in chosen]

    return memo(store, ("ui-recent", lang, limit), compute)


def latest_resources(store: Store, lang: str | None, limit: int = 5) -> list[ResourceSummary]:
    """The resources issued last (attachments apart), newest first. An imported concept
    scheme states dct:issued and dct:subject too: it is a vocabulary, not a resource."""

    def compute() -> list[ResourceSummary]:
        candidates = list(dict.fromkeys(_newest_issued(store, int(limit) * 12)))
        if not candidates:
            return []
        values, bindings = values_block("r", candidates)
        kept = {
            str(r["r"])
            for r in select_rows(
                store,
                SPARQL_PREFIXES
                + f"""SELECT ?r WHERE {{ {values}
  FILTER EXISTS {{ ?r dct:subject ?s }} FILTER NOT EXISTS {{ ?r dct:isPartOf ?whole }}
  FILTER NOT EXISTS {{ ?r a skos:ConceptScheme }} FILTER NOT EXISTS {{ ?r a skos:Concept }} }}""",
                bindings,
            )
        }
        return summaries(store, [iri for iri in candidates if iri in kept][:limit], lang)

    return memo(store, ("ui-latest", lang, limit), compute)


def _newest_issued(store: Store, count: int) -> list[str]:
    """The resources (IRIs) of the `count` newest dct:issued statements, newest first: from
    the search index's dates when it is current (by their text, as find_resources orders, equal
    dates by IRI; under a millisecond), else from the store (by the engine's order of dates).

    The newest dates alone; the caller checks those few: with the checks inside, the engine
    groups and filters every resource (6 s at 200,000 resources). Even alone, the store sorts
    every date: 0.4 s at 200,000 resources, on the first home page of each data version
    (ordering by the text, or by date then IRI, made it 0.8 s and 3-5 s).
    """
    index = current_index(store)
    if index is not None:
        return index.newest_resources(count)
    found = select_rows(
        store,
        SPARQL_PREFIXES
        + f"SELECT ?r WHERE {{ ?r dct:issued ?d }} ORDER BY DESC(?d) LIMIT {max(0, int(count))}",
    )
    return [str(r["r"]) for r in found if isinstance(r["r"], Iri)]


def resource_territories(
    store: Store,
    concept_iri: str,
    include_narrower: bool,
    lang: str | None,
    limit: int = 12,
) -> list[Counted]:
    """The territories of the resources indexed with a concept, most frequent first.

    Counted over at most FACET_SAMPLE resources: a top concept with its narrower ones can have
    tens of thousands, and the facet is a guide, not a census (the page says when it is partial).
    """
    pattern, bindings = subject_pattern(store, concept_iri, include_narrower)
    found = select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT ?t ?n ?l WHERE {{
  {{ SELECT ?t (COUNT(DISTINCT ?r) AS ?n) WHERE {{
    {{ SELECT DISTINCT ?r WHERE {{ {pattern} }} LIMIT {FACET_SAMPLE} }}
    ?r dct:spatial ?t
  }} GROUP BY ?t ORDER BY DESC(?n) ?t LIMIT {int(limit)} }}
  OPTIONAL {{ ?t {LABEL_PATH} ?l }}
}}""",
        bindings,
    )
    counts: dict[str, int] = {}
    names: dict[str, list[Term]] = defaultdict(list)
    for row in found:
        counts[str(row["t"])] = int(row["n"])
        if "l" in row:
            names[str(row["t"])].append(row["l"])
    refs = qualify_refs(store, (make_ref(t, names.get(t, []), lang) for t in counts), lang)
    facet = [Counted(ref, counts[ref.iri]) for ref in refs]
    return sorted(facet, key=lambda c: (-c.count, c.ref.label))


def parts(store: Store, iris: Iterable[str], lang: str | None) -> list[Part]:
    """Titles, formats, sizes and download links of a resource's attachments, in one query."""
    unique = list(dict.fromkeys(iris))
    if not unique:
        return []
    values, bindings = values_block("x", unique)
    found = select_rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT ?x ?k ?v WHERE {{ {values}
  {{ ?x dct:title ?v BIND("title" AS ?k) }} UNION {{ ?x dct:format ?v BIND("format" AS ?k) }}
  UNION {{ ?x dcat:byteSize ?v BIND("size" AS ?k) }}
  UNION {{ ?x dcat:downloadURL ?v BIND("download" AS ?k) }}
  UNION {{ ?x dct:issued ?v BIND("issued" AS ?k) }}
}}""",
        bindings,
    )
    facts: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for row in found:
        facts[str(row["x"])][str(row["k"])].append(row["v"])
    result = []
    for iri in unique:
        f = facts.get(iri, {})
        title = make_ref(iri, f.get("title", []), lang)
        sizes = [int(str(v)) for v in f.get("size", []) if str(v).isdigit()]
        result.append(
            Part(
                iri,
                title.label,
                title.lang,
                min((str(v) for v in f.get("format", [])), default=None),
                sizes[0] if sizes else None,
                min((str(v) for v in f.get("download", [])), default=None),
                min((str(v) for v in f.get("issued", [])), default=None),
            )
        )
    return result


def index_page(
    store: Store, vocab_id: str, letter: str | None, lang: str, page: int, size: int
) -> IndexPage:
    """One page of the alphabetical index (accents folded, "0-9" bucket), paged in SQLite.

    The labels are those of `lang`, else of the first language the vocabulary has letters in.
    """
    index = get_index(store)
    used = lang
    letters = index.index_letters(vocab_id, lang)
    if not letters:
        for other in ("fr", "en", ""):  # "": untagged labels
            letters = index.index_letters(vocab_id, other)
            if letters:
                used = other
                break
    chosen = letter if letter in letters else (letters[0] if letters else "")
    page = max(1, page)
    entries = (
        index.index_page(vocab_id, chosen, used, limit=size + 1, offset=(page - 1) * size)
        if chosen
        else []
    )
    return IndexPage(
        tuple(letters), chosen, used, page, size, tuple(entries[:size]), len(entries) > size
    )


def scheme_letters(store: Store, vocab_id: str, scheme_iri: str, lang: str) -> tuple[str, ...]:
    """The alphabetical index's letters for a scheme page: the search index's when it is
    current, else read from the store, so that the page never waits for an index build (a
    scheme page after an import of STW waited 3.5 s for it)."""
    if current_index(store) is not None:
        return index_page(store, vocab_id, None, lang, 1, 0).letters
    return letters_from_store(store, scheme_iri, lang)


def letters_from_store(store: Store, scheme_iri: str, lang: str) -> tuple[str, ...]:
    """The alphabetical index's letters of a scheme, computed from the store as the search
    index computes them (preferred labels of its listed concepts, folded, same fallbacks)."""
    firsts = memo(store, ("index-firsts", scheme_iri), lambda: _label_firsts(store, scheme_iri))
    for candidate in (lang.lower(), "fr", "en", ""):  # as index_page falls back
        if firsts.get(candidate):
            return tuple(letters_of(set(firsts[candidate])))
    return ()


def _label_firsts(store: Store, scheme_iri: str) -> dict[str, frozenset[str]]:
    """By language, the folded first characters of the preferred labels of a scheme's listed
    concepts (in it by skos:inScheme or skos:topConceptOf, not replaced)."""
    found = select_rows(
        store,
        SPARQL_PREFIXES
        + """SELECT DISTINCT (LANG(?l) AS ?lang) (SUBSTR(?l, 1, 4) AS ?start) WHERE {
  { ?c skos:inScheme $s } UNION { ?c skos:topConceptOf $s }
  ?c skos:prefLabel ?l
  FILTER NOT EXISTS { ?c dct:isReplacedBy ?newer }
}""",
        {"s": URIRef(scheme_iri)},
    )
    firsts: dict[str, set[str]] = defaultdict(set)
    for row in found:
        first = fold(str(row["start"]))[:1]
        if first:
            firsts[str(row.get("lang", "")).lower()].add(first)
    return {lang: frozenset(chars) for lang, chars in firsts.items()}


def group_by_vocabulary(
    refs: Iterable[Ref], summaries_: Iterable[SchemeSummary]
) -> list[tuple[SchemeSummary | None, tuple[Ref, ...]]]:
    """Refs grouped by the vocabulary their IRI belongs to (ours by path), in scheme order;
    refs of unknown vocabularies come last, in a group without a scheme."""
    by_id = {s.vocab_id: s for s in summaries_}
    groups: dict[str, list[Ref]] = defaultdict(list)
    for ref in refs:
        vocab = vocab_of_concept(ref.iri, [])
        groups[vocab if vocab in by_id else ""].append(ref)
    ordered: list[tuple[SchemeSummary | None, tuple[Ref, ...]]] = [
        (by_id[v], tuple(groups[v])) for v in by_id if v in groups
    ]
    if "" in groups:
        ordered.append((None, tuple(groups[""])))
    return ordered


def facets(hits: Iterable[SearchHit]) -> Facets:
    """How many hits each vocabulary, matched-label language and concept class has."""
    vocabs: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    for hit in hits:
        vocabs[hit.vocab_id] += 1
        languages[hit.matched_lang or "-"] += 1
        for t in hit.types:
            classes[t] += 1

    def ordered(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    return Facets(ordered(vocabs), ordered(languages), ordered(classes))
