"""Validate a few files' nodes against a bigger graph: the SHACL targets narrowed to those nodes."""

from __future__ import annotations

from collections.abc import Iterable

from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def nodes_of(graphs: Iterable[Graph]) -> set[Node]:
    """Every IRI and blank node the graphs name as subject or object.

    A problem is only ever filed under a file that names its focus node (Checker._locate), so
    these are the only nodes whose validation can report anything about those files.
    """
    nodes: set[Node] = set()
    for graph in graphs:
        for s, _, o in graph:
            nodes.add(s)
            if not isinstance(o, Literal):
                nodes.add(o)
    return nodes


def narrow_shapes(shapes: Graph, data: Graph, focus: set[Node]) -> Graph | None:
    """Return a copy of shapes that targets only the focus nodes each shape targets in data.

    Why not pyshacl's own `focus_nodes` option: pyshacl (0.40) applies that filter to every shape
    evaluation, nested ones included, so the value nodes checked by sh:or, sh:node or
    sh:qualifiedValueShape are dropped when they are literals or not in the list, and count as
    conforming: `dcat:byteSize "12"^^xsd:decimal` passes. Here each shape's targets are first
    computed on the whole data graph by pyshacl itself (class targets with subclasses, SPARQL
    targets), then replaced with sh:targetNode for the focus nodes among them: the run is plain
    SHACL on the same data graph, so each focus node gets exactly the results a full run gives
    it. None when a shape uses a target this rewrite does not know (an implicit class target, a
    SHACL-AF target type): the caller then validates every node.
    """
    narrowed = Graph()
    narrowed += shapes
    targets: dict[Node, set[Node]] = {}
    for shape in ShapesGraph(narrowed).shapes:
        node = shape.node
        if shape.implicit_class_targets():
            return None
        custom = list(narrowed.objects(node, SH.target))
        if any((target, SH.select, None) not in narrowed for target in custom):
            return None
        if not any((node, predicate, None) in narrowed for predicate in _TARGETS):
            continue  # only reached through another shape (sh:node, sh:property...)
        shape.set_advanced(True)  # so that focus_nodes() runs the SPARQL targets too
        targets[node] = set(shape.focus_nodes(data)) & focus
    for node, chosen in targets.items():
        for predicate in _TARGETS:
            narrowed.remove((node, predicate, None))
        for target in chosen:
            narrowed.add((node, SH.targetNode, target))
    return narrowed
