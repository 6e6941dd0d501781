"""Resources under a top concept, SPARQL path against the search index, on the bench store.

    PYTHONPATH=. .venv/bin/python -m bench.under [store dir] [concept local names...]

In process: the store opened read-only, the index built here (not in a child: the store is
read-only and the build's time is measured), each answer the median of 5. Also checks that
both paths give the same whole ordered list.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from graph_service.model.base import SPARQL_PREFIXES
from graph_service.model.base import rows as select_rows
from graph_service.model.resources import find_resources, subject_pattern
from graph_service.model.tree import narrower_closure
from graph_service.search import index as search_index
from graph_service.search.build import build_database
from graph_service.store import EmbeddedStore

from .synth import CONCEPT_NS

T = TypeVar("T")
STORE = Path("bench/out/data/current")


def _median(call: Callable[[], T], n: int = 5) -> tuple[float, T]:
    """The median time of n calls in ms, and the last answer."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        answer = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, answer


def _sparql_list(store: EmbeddedStore, iri: str) -> list[str]:
    """Every resource under a concept in find_resources's SPARQL order (without summaries)."""
    pattern, bindings = subject_pattern(store, iri, True)
    query = (
        SPARQL_PREFIXES
        + f"SELECT ?r (MAX(STR(?d)) AS ?date) WHERE {{ {pattern} OPTIONAL {{ ?r dct:issued ?d }} }}"
        + " GROUP BY ?r ORDER BY DESC(?date) ?r"
    )
    return [str(row["r"]) for row in select_rows(store, query, bindings)]


def main(argv: list[str]) -> None:
    """Time both paths for each concept and print the figures."""
    store = EmbeddedStore(Path(argv[0]) if argv else STORE, read_only=True)
    concepts = [CONCEPT_NS + name for name in (argv[1:] or ["c8", "c12"])]
    whole: dict[str, list[str]] = {}
    for iri in concepts:
        ms, page = _median(lambda: find_resources(store, iri, include_narrower=True))  # noqa: B023
        whole[iri] = _sparql_list(store, iri)
        print(f"SPARQL  {iri}: {ms:.0f} ms, {page.total} resources")
        ms, found = _median(lambda: narrower_closure(store, iri))  # noqa: B023
        print(f"SPARQL  closure: {ms:.0f} ms, {len(found)} concepts")
    start = time.perf_counter()
    db = build_database(store)
    built = time.perf_counter() - start
    size = (
        db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
    )
    print(f"index build: {built:.1f} s, {size / 1e6:.1f} MB")
    index = search_index.SearchIndex(store.version, db)
    search_index._indexes[store] = index  # what get_index would keep
    for iri in concepts:
        ms, page = _median(lambda: find_resources(store, iri, include_narrower=True))  # noqa: B023
        total, listed = index.resources_under(iri, 10**7, 0)
        same = total == len(whole[iri]) and listed == whole[iri]
        print(f"index   {iri}: {ms:.0f} ms, {page.total} resources, same list: {same}")
        ms, found = _median(lambda: narrower_closure(store, iri))  # noqa: B023
        print(f"index   closure: {ms:.0f} ms, {len(found)} concepts")


if __name__ == "__main__":
    main(sys.argv[1:])
