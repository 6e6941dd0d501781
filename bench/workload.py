"""What the benchmark asks: five SPARQL queries and four page endpoints over the synthetic data."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from .synth import CONCEPT_NS, VOCAB_ID, SynthSummary

SPARQL_PREFIXES = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
)
SPARQL_HEADERS = {"Accept": "application/sparql-results+json"}


@dataclass(frozen=True)
class Query:
    """A SPARQL query template; {c} is a concept IRI, {label} a French preferred label."""

    name: str
    title: str
    template: str
    pool: str  # which SynthSummary pool varies it: concepts, with_children, small_subtrees, labels


QUERIES = (
    Query(
        "concept",
        "one concept's properties by IRI",
        "SELECT ?p ?o WHERE {{ <{c}> ?p ?o }}",
        "concepts",
    ),
    Query(
        "children",
        "children with labels, ORDER BY",
        "SELECT ?c ?l WHERE {{ ?c skos:broader <{c}> ; skos:prefLabel ?l "
        'FILTER(LANG(?l) = "fr") }} ORDER BY ?l',
        "with_children",
    ),
    Query(
        "ancestors",
        "ancestors (broader+) with labels",
        "SELECT ?a ?l WHERE {{ <{c}> skos:broader+ ?a . ?a skos:prefLabel ?l "
        'FILTER(LANG(?l) = "fr") }}',
        "concepts",
    ),
    Query(
        "resources",
        "resources about a concept or its narrower (broader*)",
        "SELECT ?r ?t WHERE {{ ?c skos:broader* <{c}> . ?r dct:subject ?c ; dct:title ?t }} "
        "LIMIT 100",
        "small_subtrees",
    ),
    Query(
        "label",
        "exact prefLabel lookup + COUNT of its resources",
        'SELECT ?c (COUNT(?r) AS ?n) WHERE {{ ?c skos:prefLabel "{label}"@fr . '
        "OPTIONAL {{ ?r dct:subject ?c }} }} GROUP BY ?c",
        "labels",
    ),
)


class Paths(Sequence[str]):
    """A lazy sequence of request paths: path n is made when a client thread asks for it."""

    def __init__(self, make: Callable[[int], str], length: int) -> None:
        self._make, self._length = make, max(1, length)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, n):  # type: ignore[override]
        if isinstance(n, slice):
            return [self._make(i) for i in range(*n.indices(self._length))]
        return self._make(n % self._length)


class Pools:
    """Shuffled, seeded orderings of the dataset's concepts and labels to vary requests over."""

    def __init__(self, summary: SynthSummary, seed: int) -> None:
        self.summary = summary
        rng = random.Random(seed)
        self.lists: dict[str, list[int]] = {
            "concepts": list(range(summary.concepts)),
            "with_children": list(summary.with_children),
            "small_subtrees": list(summary.small_subtrees),
            "labels": list(range(summary.concepts)),
        }
        for values in self.lists.values():
            rng.shuffle(values)

    def fixed(self, pool: str) -> int:
        """The one concept the repeated mode asks about: a middle one of the pool."""
        values = sorted(self.lists[pool])
        return values[len(values) // 2]

    def sparql_text(self, query: Query, number: int) -> str:
        """The query text about concept `number`."""
        iri = f"{CONCEPT_NS}c{number}"
        label = self.summary.fr_labels[number].replace("\\", "\\\\").replace('"', '\\"')
        return SPARQL_PREFIXES + query.template.format(c=iri, label=label)


def sparql_paths(
    pools: Pools, query: Query, route: str, mode: str, offset: int, count: int, tag: str = ""
) -> Paths:
    """Paths for one cell. repeated: always the same text. unique: the next `count` concepts
    of the pool from `offset`; once the pool is used up, a distinct comment keeps every text
    new (no text-keyed cache can answer it)."""
    if mode == "repeated":
        text = pools.sparql_text(query, pools.fixed(query.pool))
        path = f"{route}?query={quote(text)}"
        return Paths(lambda n: path, 1)
    values = pools.lists[query.pool]

    def make(n: int) -> str:
        k = offset + n
        text = pools.sparql_text(query, values[k % len(values)])
        if k >= len(values) or tag:
            text += f"\n# {tag}{k}"
        return f"{route}?query={quote(text)}"

    return Paths(make, count)


@dataclass(frozen=True)
class Page:
    """One page or API endpoint of ours, measured on its own (no peer has it)."""

    name: str
    title: str
    headers: dict[str, str]
    make: Callable[[Pools, int], str]


def _concept_number(pools: Pools, n: int) -> int:
    values = pools.lists["concepts"]
    return values[n % len(values)]


def _search_prefix(pools: Pools, n: int) -> str:
    label = pools.summary.fr_labels[pools.lists["labels"][n % pools.summary.concepts]]
    return label[:5].rstrip()


def _index_letter(pools: Pools, n: int) -> str:
    """The index letter of a concept's French label (accents folded, as the index does)."""
    first = unicodedata.normalize("NFKD", _search_prefix(pools, n)[:1])[:1].upper()
    return first if first.isalpha() else "0-9"


PAGES = (
    Page(
        "concept page",
        "concept page /synth/c<N> (text/html)",
        {"Accept": "text/html"},
        lambda p, n: f"/{VOCAB_ID}/c{_concept_number(p, n)}",
    ),
    # The English interface's page is not rendered ahead (web/prerender: the default
    # interface only): what a page costs when it is rendered per request.
    Page(
        "concept page (en)",
        "concept page /synth/c<N>?lang=en (text/html), rendered per request",
        {"Accept": "text/html"},
        lambda p, n: f"/{VOCAB_ID}/c{_concept_number(p, n)}?lang=en",
    ),
    Page(
        "REST data",
        "/rest/v1/synth/data?uri=...&format=application/ld+json",
        {"Accept": "application/ld+json"},
        lambda p, n: (
            f"/rest/v1/{VOCAB_ID}/data?uri="
            f"{quote(CONCEPT_NS + 'c' + str(_concept_number(p, n)), safe='')}"
            "&format=application/ld%2Bjson"  # a bare "+" would read as a space
        ),
    ),
    Page(
        "card",
        "concept card /card/synth/c<N>",
        {"Accept": "text/html,*/*;q=0.8"},
        lambda p, n: f"/card/{VOCAB_ID}/c{_concept_number(p, n)}",
    ),
    Page(
        "index page",
        "alphabetical index /vocab/synth/index?letter=<L>&page=<k> (text/html)",
        {"Accept": "text/html"},
        lambda p, n: (
            f"/vocab/{VOCAB_ID}/index?letter={quote(_index_letter(p, n))}&page={1 + n % 5}"
        ),
    ),
    Page(
        "search page",
        "search page /search?q=<prefix> (text/html)",
        {"Accept": "text/html"},
        lambda p, n: f"/search?q={quote(_search_prefix(p, n))}",
    ),
    Page(
        "search",
        "/rest/v1/search?query=<prefix>*&lang=fr",
        {"Accept": "application/json"},
        lambda p, n: f"/rest/v1/search?query={quote(_search_prefix(p, n) + '*')}&lang=fr",
    ),
)


def page_paths(pools: Pools, page: Page, offset: int, count: int) -> Paths:
    """A different concept (or search prefix) for each request of a cell."""
    return Paths(lambda n: page.make(pools, offset + n), count)
