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

#: The children of a concept (edges of either direction, search/under.py), each with its
#: concept row (NULL when the index holds it as no concept) and whether it has children.
_CHILDREN = """
SELECT DISTINCT k.iri, c.number, c.notation,
       EXISTS (SELECT 1 FROM edges g WHERE g.parent = e.child) AS has_children
FROM iris p JOIN edges e ON e.parent = p.id JOIN iris k ON k.id = e.child
LEFT JOIN concepts c ON c.iri = k.iri
WHERE p.iri = ?
"""
#: The resources with the concept as dct:subject, newest first by their greatest dct:issued,
#: undated last, then by IRI: the order of find_resources' `GROUP BY ?r ORDER BY DESC(?date) ?r`
#: (search/under.py's UNDER without the walk down).
_RESOURCES = """
SELECT i.iri, (SELECT max(d.date) FROM issued d WHERE d.resource = s.resource) AS newest
FROM iris c JOIN subjects s ON s.concept = c.id JOIN iris i ON i.id = s.resource
WHERE c.iri = ?
ORDER BY newest DESC, i.iri
"""
#: Every preferred label of some concepts (the index's `prefs` keeps one per language; the
#: store's answer picks among all of them).
_PREF_LABELS = "SELECT concept, lang, label FROM labels WHERE kind = 'pref' AND concept IN ({})"


def indexed_children(store: Store, iri: str, lang: str | None) -> list[Child] | None:
    """The children of a concept as model.tree.children answers them (same labels, order,
    notations); None without a current index or when the index lacks one of them."""
    index = current_index(store)
    if index is None:
        return None
    return _children(index, iri, lang)


def _children(index: SearchIndex, iri: str, lang: str | None) -> list[Child] | None:
    # GuardedDatabase._rows: the index's own reader (its lock and the request's deadline); the
    # index has no public method for these tables yet.
    found = index._rows(_CHILDREN, [iri])
    if any(number is None for _, number, _, _ in found):
        return None
    labels: dict[int, list[Term]] = defaultdict(list)
    numbers = [number for _, number, _, _ in found]
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for number, label_lang, text in index._rows(_PREF_LABELS.format(marks), chunk):
            labels[number].append(Lit(text, label_lang))
    refs = []
    for child, number, notation, has_children in found:
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
    found = index._rows(_RESOURCES, [iri])
    start = max(0, offset)
    return len(found), [resource for resource, _ in found[start : start + max(0, limit)]]
