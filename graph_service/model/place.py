"""Where a concept sits in its hierarchy, for the sidebar of its page: the path from its scheme
and top concept down to it, its siblings and its children (answered without Flask)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from graph_service.model.base import Ref
from graph_service.model.concept import Concept
from graph_service.model.indexed import indexed_children
from graph_service.model.place_names import display_labels
from graph_service.model.tree import Child, children, top_concepts
from graph_service.store import Store

#: Siblings listed at most (a commune has a hundred; a flat vocabulary's top level, thousands).
MAX_SIBLINGS = 200
#: Children listed at most under the concept (the rest: its page's list of narrower concepts).
MAX_CHILDREN = 30


@dataclass(frozen=True)
class Place:
    """A concept's place: scheme, path of broader concepts from the top (the nearest last), the
    other concepts at its level (children of the nearest broader, or the other top concepts),
    and its own children; the counts say how many there are beyond the lists."""

    scheme: Ref | None
    path: tuple[Ref, ...]
    siblings: tuple[Child, ...]
    more_siblings: int
    children: tuple[Ref, ...]
    more_children: int

    @property
    def has_hierarchy(self) -> bool:
        """Whether there is anything to show beyond the concept itself."""
        return bool(self.path or self.siblings or self.children)


def concept_place(store: Store, concept: Concept, lang: str | None) -> Place:
    """The place of a concept along its first path to the top (the breadcrumbs show the others).

    One query for the siblings (children of the nearest broader concept, or the scheme's top
    concepts) and one for the namesake communes among them; the path and the children come
    with the concept.
    """
    scheme = concept.schemes[0] if concept.schemes else None
    path = concept.broader_chains[0] if concept.broader_chains else ()
    if path:
        # From the search index when it is current: a tenth of the store's query.
        parent = path[-1].iri
        level = indexed_children(store, parent, lang)
        if level is None:
            level = children(store, parent, lang) or []
    elif scheme is not None and concept.top_concept_of:
        level = [
            Child(t.iri, t.label, t.lang, t.notation, t.has_children)
            for t in top_concepts(store, scheme.iri, lang)
        ]
    else:
        level = []
    others = [child for child in level if child.iri != concept.iri]
    # A commune's siblings: namesakes with their département, as everywhere else.
    shown = display_labels(store, (c.iri for c in others[:MAX_SIBLINGS]), lang)
    siblings = [replace(c, label=shown.get(c.iri, c.label)) for c in others[:MAX_SIBLINGS]]
    return Place(
        scheme=scheme,
        path=tuple(path),
        siblings=tuple(siblings),
        more_siblings=max(0, len(others) - MAX_SIBLINGS),
        children=concept.narrower[:MAX_CHILDREN],
        more_children=max(0, len(concept.narrower) - MAX_CHILDREN),
    )
