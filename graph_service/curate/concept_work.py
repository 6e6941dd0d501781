"""The quads a concept edit reads and changes, held in memory until they become its patch.

An edit loads what it needs from the store (the statements of a few resources, the ones that
point at a concept), adds and removes statements in memory, and its patch is the difference.
Operations compose (a merge re-points links, then deprecates), each seeing the others' effect.
Where a statement goes: into the graph where its subject lives (the graph stating its type);
a removal takes the statement out of every graph holding it. Nothing is written to the default
graph, and statements on blank nodes are left alone (a query's blank node labels are not the
store's, so they could not be removed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS
from rdflib.term import Node

from graph_service.curate.edit_plan import token_of
from graph_service.store import Store
from graph_service.store.patches import Patch
from graph_service.store.rdf_patch import row_of

#: (subject, predicate, object, graph IRI or None for the default graph)
Quad = tuple[Node, Node, Node, str | None]

_ABOUT = """
SELECT ?s ?p ?o ?g WHERE { VALUES ?s { %s } { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }
"""
_POINTING = """
SELECT ?s ?p ?o ?g WHERE { VALUES ?o { %s } { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }
"""
#: IRIs per query: VALUES blocks of bound placeholders stay short.
_BATCH = 200


def _values(iris: list[URIRef]) -> tuple[str, dict[str, Node]]:
    names = [f"v{n}" for n in range(len(iris))]
    return " ".join(f"${name}" for name in names), dict(zip(names, iris, strict=True))


def _read(store: Store, query: str, nodes: Iterable[Node]) -> Iterator[Quad]:
    wanted = sorted({n for n in nodes if isinstance(n, URIRef)}, key=str)
    for start in range(0, len(wanted), _BATCH):
        placeholders, bindings = _values(wanted[start : start + _BATCH])
        rows = store.select(query % placeholders, bindings, union=False)
        quads = [
            (row["s"], row["p"], row["o"], None if row.get("g") is None else str(row["g"]))
            for row in rows
        ]
        yield from without_union_echoes(quads)


def without_union_echoes(quads: list[Quad]) -> list[Quad]:
    """The quads less the default graph's copies of named graphs' statements: a remote store's
    default graph is the union of its graphs (store/remote.py), so every statement comes back
    twice; a statement in a named graph is never also looked for in the default one here."""
    named = {q[:3] for q in quads if q[3] is not None}
    return [q for q in quads if q[3] is not None or q[:3] not in named]


def read_about(store: Store, subjects: Iterable[Node]) -> Iterator[Quad]:
    """Every statement about these subjects, in every graph (the default graph's too)."""
    return _read(store, _ABOUT, subjects)


def read_pointing(store: Store, objects: Iterable[Node]) -> Iterator[Quad]:
    """Every statement whose value is one of these nodes, in every graph."""
    return _read(store, _POINTING, objects)


class Workspace:
    """Statements loaded from the store, changed in memory; `patch()` is what changed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._initial: set[Quad] = set()
        self._quads: set[Quad] = set()
        self._by_subject: dict[Node, set[Quad]] = defaultdict(set)
        self._by_object: dict[Node, set[Quad]] = defaultdict(set)
        self._subjects: set[Node] = set()
        self._objects: set[Node] = set()
        self._homes: dict[Node, str] = {}

    # --- loading ---------------------------------------------------------------------------------

    def load(self, subjects: Iterable[Node] = (), objects: Iterable[Node] = ()) -> None:
        """Read every statement about these subjects, and every one pointing at these objects
        (each once: later loads leave what was changed in memory as it is)."""
        for nodes, seen, read in (
            (subjects, self._subjects, read_about),
            (objects, self._objects, read_pointing),
        ):
            wanted = {n for n in nodes if isinstance(n, URIRef) and n not in seen}
            seen.update(wanted)
            for quad in read(self.store, wanted):
                if quad not in self._initial:
                    self._initial.add(quad)
                    self._put(quad)

    def _put(self, quad: Quad) -> None:
        self._quads.add(quad)
        self._by_subject[quad[0]].add(quad)
        self._by_object[quad[2]].add(quad)

    def _drop(self, quad: Quad) -> None:
        self._quads.discard(quad)
        self._by_subject[quad[0]].discard(quad)
        self._by_object[quad[2]].discard(quad)

    # --- reading ---------------------------------------------------------------------------------

    def about(self, subject: Node) -> list[Quad]:
        """The statements about a subject (loaded first if need be), as they are now."""
        self.load(subjects=[subject])
        return sorted(self._by_subject.get(subject, ()), key=str)

    def pointing(self, obj: Node) -> list[Quad]:
        """The statements pointing at a node (loaded first if need be), as they are now."""
        self.load(objects=[obj])
        return sorted(self._by_object.get(obj, ()), key=str)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        """The values of one property of a subject, each once, sorted."""
        found = {q[2] for q in self.about(subject) if q[1] == predicate}
        return sorted(found, key=str)

    def subjects(self, predicate: Node, obj: Node) -> list[Node]:
        """The subjects stating one property with this value, each once, sorted."""
        found = {q[0] for q in self.pointing(obj) if q[1] == predicate}
        return sorted(found, key=str)

    def has(self, subject: Node, predicate: Node, obj: Node) -> bool:
        """Whether the statement is there, in any graph."""
        return any(q[1] == predicate and q[2] == obj for q in self.about(subject))

    def exists(self, node: Node) -> bool:
        """Whether the store says anything about the node."""
        return bool(self.about(node))

    def is_concept(self, node: Node) -> bool:
        return self.has(node, RDF.type, SKOS.Concept)

    def is_scheme(self, node: Node) -> bool:
        return self.has(node, RDF.type, SKOS.ConceptScheme)

    def is_deprecated(self, node: Node) -> bool:
        return any(
            isinstance(value, Literal) and str(value).lower() in {"true", "1"}
            for value in self.objects(node, OWL.deprecated)
        )

    def schemes(self, node: Node) -> list[Node]:
        """The schemes a concept is in (skos:inScheme, skos:topConceptOf)."""
        found = {*self.objects(node, SKOS.inScheme), *self.objects(node, SKOS.topConceptOf)}
        return sorted(found, key=str)

    def broader(self, node: Node) -> list[Node]:
        """A concept's broader concepts, stated either way (broader, or narrower on the parent)."""
        return sorted(
            {*self.objects(node, SKOS.broader), *self.subjects(SKOS.narrower, node)}, key=str
        )

    def narrower(self, node: Node) -> list[Node]:
        """A concept's narrower concepts, stated either way."""
        return sorted(
            {*self.objects(node, SKOS.narrower), *self.subjects(SKOS.broader, node)}, key=str
        )

    def related(self, node: Node) -> list[Node]:
        """A concept's related concepts, stated either way."""
        return sorted(
            {*self.objects(node, SKOS.related), *self.subjects(SKOS.related, node)}, key=str
        )

    def is_top(self, node: Node) -> bool:
        return bool(
            self.objects(node, SKOS.topConceptOf) or self.subjects(SKOS.hasTopConcept, node)
        )

    def label(self, node: Node, lang: str = "fr") -> str:
        """The node's preferred label in `lang` (then fr, en, any), else its IRI."""
        labels = [v for v in self.objects(node, SKOS.prefLabel) if isinstance(v, Literal)]
        for code in (lang, "fr", "en"):
            for value in labels:
                if value.language == code:
                    return str(value)
        return str(labels[0]) if labels else str(node)

    def token(self, node: Node) -> str:
        """The node's state token (edit_plan.state_token), from the statements loaded first."""
        self.load(subjects=[node])
        initial = [q for q in self._initial if q[0] == node]
        return token_of((p, o, None if g is None else URIRef(g)) for _, p, o, g in initial)

    def home(self, node: Node) -> str | None:
        """The named graph where statements about a node go: where its type is stated (a
        concept described in two files lives in the one that makes it a concept), else where
        anything about it is; None for a node the store does not describe."""
        if node in self._homes:
            return self._homes[node]
        graphs = [q[3] for q in self.about(node) if q[3] is not None]
        typed = [q[3] for q in self.about(node) if q[1] == RDF.type and q[3] is not None]
        return min(typed or graphs) if (typed or graphs) else None

    def set_home(self, node: Node, graph: str) -> None:
        """Where a new node's statements go (a new concept: its scheme's graph)."""
        self._homes[node] = graph

    # --- changing --------------------------------------------------------------------------------

    def add(self, subject: Node, predicate: Node, obj: Node, graph: str | None = None) -> bool:
        """State something in the subject's home graph (or `graph`), unless it is stated
        already in some graph; False when it has no home (an IRI the store does not know)."""
        if (
            isinstance(subject, BNode)
            or isinstance(obj, BNode)
            or self.has(subject, predicate, obj)
        ):
            return False
        target = graph or self.home(subject)
        if target is None:
            return False
        self._put((subject, predicate, obj, target))
        return True

    def remove(self, subject: Node, predicate: Node | None = None, obj: Node | None = None) -> int:
        """Remove matching statements from every graph; how many."""
        matching = [
            q
            for q in self.about(subject)
            if (predicate is None or q[1] == predicate)
            and (obj is None or q[2] == obj)
            and not isinstance(q[2], BNode)
        ]
        for quad in matching:
            self._drop(quad)
        return len(matching)

    def remove_quad(self, quad: Quad) -> bool:
        """Remove one statement of one graph (never a blank node's: see the module's note)."""
        if quad not in self._quads or isinstance(quad[0], BNode) or isinstance(quad[2], BNode):
            return False
        self._drop(quad)
        return True

    # --- the result ------------------------------------------------------------------------------

    def changes(self) -> tuple[set[Quad], set[Quad]]:
        """(added, removed) statements so far."""
        return self._quads - self._initial, self._initial - self._quads

    def patch(self) -> Patch:
        """The store's patch for what changed in memory."""
        added, removed = self.changes()
        return Patch(added=_rows(added), removed=_rows(removed))


def _rows(quads: Iterable[Quad]) -> tuple[str, ...]:
    return tuple(sorted(row_of(s, p, o, g) for s, p, o, g in quads))
