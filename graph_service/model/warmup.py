"""Warm-up of a data version: computes the answers the model remembers per version (scheme
list and counts, namesake communes, languages, statistics, groups, the home page's lists,
the graph sizes of the VoID description, the search index) so that the first visitor after a
start or a write does not pay for them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from graph_service.model.browse import index_page, latest_resources, recent_concepts
from graph_service.model.dumps import graph_counts
from graph_service.model.place_names import display_labels
from graph_service.model.schemes import concept_count, deprecated_count, scheme_concepts, schemes
from graph_service.model.stats import label_statistics, statistics, types
from graph_service.model.tree import top_concepts
from graph_service.model.vocab import groups, languages
from graph_service.search.index import get_index
from graph_service.store import Store
from graph_service.store.journal import Journal

#: Content languages whose scheme lists are computed ahead: none asked, then the defaults.
LANGUAGES: tuple[str | None, ...] = (None, "fr", "en")
#: Languages the pages are shown in (?clang= else the interface's): their home page lists and
#: index letters are computed ahead; a page in another language computes its own.
PAGE_LANGUAGES = ("fr", "en")
#: The query each /sparql worker answers once per data version, to start and open the store.
WORKER_PROBE = "ASK { ?s ?p ?o }"


@dataclass
class WarmUp:
    """What a warm-up did for one data version: its steps' seconds, and whether it finished."""

    version: str
    steps: dict[str, float] = field(default_factory=dict)
    done: bool = False

    @property
    def seconds(self) -> float:
        """The time of all steps so far."""
        return sum(self.steps.values())


def warm_up(
    store: Store,
    *,
    still_current: Callable[[], bool] | None = None,
    journal: Journal | None = None,
) -> WarmUp:
    """Compute the per-version answers of every scheme of the store; stops early (done=False)
    as soon as `still_current` says a newer version came (its own warm-up follows). With the
    store's journal, the graph sizes saved on disk are read rather than counted."""
    report = WarmUp(store.version)

    def step(name: str, work: Callable[[], object]) -> bool:
        if still_current is not None and not still_current():
            return False
        began = time.perf_counter()
        work()
        report.steps[name] = time.perf_counter() - began
        return True

    # The search index first: search, suggestions and the alphabetical index wait for it.
    if not step("search index", lambda: get_index(store)):
        return report
    # Every concept page and territory list qualifies namesake communes from this table.
    if not step("namesakes", lambda: display_labels(store, (), None)):
        return report
    for lang in LANGUAGES:
        if not step(f"schemes {lang or '-'}", partial(schemes, store, lang)):
            return report
    # The home page's lists: most of the first home page of each version (0.6 of 0.75 s).
    for lang in PAGE_LANGUAGES:
        if not step(f"home lists {lang}", partial(_home_lists, store, lang)):
            return report
    if not step("graph sizes", partial(graph_counts, store, journal)):
        return report
    for summary in schemes(store):
        for name, compute in _scheme_work(store, summary.iri, summary.vocab_id):
            if not step(f"{summary.vocab_id} {name}", compute):
                return report
    report.done = True
    return report


def _home_lists(store: Store, lang: str | None) -> None:
    """The recent concepts and the latest resources of the home page, in one language."""
    recent_concepts(store, lang)
    latest_resources(store, lang)


def _scheme_work(
    store: Store, iri: str, vocab_id: str
) -> tuple[tuple[str, Callable[[], object]], ...]:
    """The remembered answers of one scheme, as named steps."""
    return (
        ("concepts", lambda: (concept_count(store, iri), scheme_concepts(store, iri))),
        ("deprecated", lambda: deprecated_count(store, iri)),
        ("languages", lambda: languages(store, iri)),
        ("statistics", lambda: statistics(store, vocab_id)),
        ("label statistics", lambda: label_statistics(store, vocab_id)),
        ("types", lambda: types(store, vocab_id)),
        ("groups", lambda: groups(store, vocab_id)),
        # Read by the scheme page and each top concept's page (0.3-0.4 s for UNESCO's 585).
        ("top concepts", lambda: [top_concepts(store, iri, lg) for lg in PAGE_LANGUAGES]),
        # The index's letters, read on every scheme page: 0.2-0.4 s per scheme at 100k.
        ("letters", lambda: [index_page(store, vocab_id, None, lg, 1, 0) for lg in PAGE_LANGUAGES]),
    )
