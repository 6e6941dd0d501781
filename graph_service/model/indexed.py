"""Answers the concept page reads from the search index of the current data version instead of
the store: the children of a concept (labels, notations, whether they have children) and the
resources indexed with it, newest first.

At 100,000 concepts each of those store queries costs 0.3-1 ms of every concept page (cold
blocks), the index's tables a fraction of that. Each answer is the store's, or None when the
index cannot give it (no current index, a child the index does not hold as a concept:
deprecated, untyped...): the caller then asks the store.
"""

from __future__ import annotations

from collections import defaultdict

from graph_service.model.base import Lit, Term, label_key, make_ref
from graph_service.model.tree import Child
from graph_service.search.index import SearchIndex, current_index
from graph_service.store import Store


def indexed_children(store: Store, iri: str, lang: str | None) -> list[Child] | None:
    """The children of a concept as model.tree.children answers them (same labels, order,
    notations); None without a current index or when the index lacks one of them."""
    index = current_index(store)
    if index is None:
        return None
    return _children(index, iri, lang)


def _children(index: SearchIndex, iri: str, lang: str | None) -> list[Child] | None:
    found = index.children_rows(iri)
    numbers = [number for _, number, _, _ in found if number is not None]
    if len(numbers) < len(found):  # a child the index holds as no concept: the store answers
        return None
    labels: dict[int, list[Term]] = defaultdict(list)
    for number, label_lang, text in index.pref_labels_of(numbers):
        labels[number].append(Lit(text, label_lang))
    refs = []
    for (child, _, notation, has_children), number in zip(found, numbers, strict=True):
        ref = make_ref(child, labels.get(number, []), lang, notation)
        refs.append((ref, bool(has_children)))
    refs.sort(key=lambda pair: label_key(pair[0]))
    return [Child(r.iri, r.label, r.lang, r.notation, has) for r, has in refs]


def indexed_resources(
    store: Store, iri: str, limit: int, offset: int
) -> tuple[int, list[str]] | None:
    """(number of resources indexed with a concept, the IRIs of one page), newest first; None
    without a current index. As the index keeps only IRIs, a blank-node resource is left out
    (it has no page to link to either), as with the narrower concepts' resources."""
    index = current_index(store)
    if index is None:
        return None
    return index.own_resources(iri, limit, offset)
