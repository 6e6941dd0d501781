"""An imported vocabulary may point at the service's own concepts, never rewrite them.

Our IRIs are those of our namespace (https://w3id.org/pdv/...): what the service publishes
about them comes from vocab/ and the editor, never from an outside file. An import may map its
concepts to ours (skos:exactMatch, closeMatch, broadMatch, narrowMatch, relatedMatch, seeAlso):
those triples are about its own concepts. It may not say anything about ours, nor put its
concepts in our schemes, collections or hierarchy: our pages read skos:broader, narrower,
related, inScheme, hasTopConcept and member backwards, so such a triple would show up on them.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from graph_service.namespaces import BASE, LD_PREFIXES
from graph_service.store import Store

Triple = tuple[Node, Node, Node]

#: Predicates that, with one of our IRIs as object, put the subject in our concept's hierarchy,
#: scheme or collection: what our pages and the REST API show of it would change.
CLAIMING = frozenset(
    {
        SKOS.broader,
        SKOS.narrower,
        SKOS.related,
        SKOS.broaderTransitive,
        SKOS.narrowerTransitive,
        SKOS.semanticRelation,
        SKOS.inScheme,
        SKOS.topConceptOf,
        SKOS.hasTopConcept,
        SKOS.member,
    }
)
#: Our IRIs looked up per query when the import is validated with what it points at.
_BATCH = 200


def is_ours(node: Node) -> bool:
    """Whether a term is an IRI of the service's own namespace."""
    return isinstance(node, URIRef) and str(node).startswith(BASE)


def intruding_triples(graph: Graph) -> list[Triple]:
    """The triples an import may not carry: about one of our IRIs, or claiming one (sorted)."""
    found = [(s, p, o) for s, p, o in graph if is_ours(s) or (is_ours(o) and p in CLAIMING)]
    return sorted(found, key=lambda t: tuple(str(term) for term in t))


def describe_triples(triples: Iterable[Triple], shown: int = 20) -> str:
    """One indented line per triple (the first `shown`), prefixed names where they fit."""
    listed = list(triples)
    lines = [f"  {_term(s)} {_term(p)} {_term(o)}" for s, p, o in listed[:shown]]
    if len(listed) > shown:
        lines.append(f"  ... and {len(listed) - shown} more")
    return "\n".join(lines)


#: Prefixes, the longest namespace first: notions:empowerment rather than pdv:notions/empowerment.
_SHORTEST_NAMES = sorted(LD_PREFIXES.items(), key=lambda item: -len(item[1]))


def _term(node: Node) -> str:
    """A term as Turtle writes it: a prefixed name where one fits, else <IRI> or the literal."""
    if isinstance(node, URIRef):
        iri = str(node)
        for prefix, namespace in _SHORTEST_NAMES:
            local = iri[len(namespace) :]
            if (
                iri.startswith(namespace)
                and local
                and all(c.isalnum() or c in "-_." for c in local)
            ):
                return f"{prefix}:{local}"
        return f"<{iri}>"
    return node.n3()


def our_iris_named(graph: Graph) -> list[URIRef]:
    """Our IRIs an import points at (as objects), sorted."""
    return sorted({o for o in graph.objects() if is_ours(o) and isinstance(o, URIRef)})


def joined_context(store: Store, graph: Graph) -> Graph:
    """What the store says about the concepts of ours an import points at: the data the import
    joins, validated with it (a clash with one of ours is then found, not only within the file)."""
    context = Graph()
    named = our_iris_named(graph)
    for start in range(0, len(named), _BATCH):
        # IRIs parsed by the engine, written with n3() (escaped): no text of the file's own.
        values = " ".join(iri.n3() for iri in named[start : start + _BATCH])
        for triple in store.construct(
            f"CONSTRUCT {{ ?c ?p ?o }} WHERE {{ VALUES ?c {{ {values} }} ?c ?p ?o }}"
        ):
            context.add(triple)
    return context
