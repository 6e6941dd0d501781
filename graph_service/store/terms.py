"""Terms between rdflib and the engine: conversion, and the engine's escaping of bound values."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph_service.namespaces import XSD
from graph_service.store.base import StoreError

#: Plain literals' datatype: rdflib leaves it out, the engine writes it.
XSD_STRING = str(XSD.string)


def to_rdflib(term: object) -> Node:
    """Convert a pyoxigraph term to the equivalent rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def to_engine(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to the engine's term; IRIs are validated by the engine."""
    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
    except ValueError as exc:
        raise StoreError(f"invalid RDF term {term!r}: {exc}") from exc
    raise TypeError(f"unsupported term {term!r}")


def to_engine_triple(triple: tuple[Node, Node, Node]) -> ox.Triple:
    """Convert an rdflib triple to the engine's; TypeError (as the engine raises) for a literal
    subject or a predicate that is not an IRI."""
    s, p, o = (to_engine(term) for term in triple)
    if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
        raise TypeError(f"not a valid RDF triple: {triple!r}")
    return ox.Triple(s, p, o)


_PLACEHOLDER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def bind(query: str, bindings: Mapping[str, Node] | None) -> str:
    """Replace `$name` placeholders by the engine's own N-Triples escaping of each bound term.

    pyoxigraph's `substitutions` only accepts variables of the SELECT projection, so bound
    values go in as terms escaped by the engine (IRIs validated, literals escaped); user text
    can never close a string or an IRI. `?name` variables are left alone.
    """
    if not bindings:
        return query
    rendered: dict[str, str] = {}
    for name, value in bindings.items():
        if isinstance(value, BNode):
            raise StoreError("blank nodes cannot be bound into a query")
        rendered[name] = str(to_engine(value))

    def replace(match: re.Match[str]) -> str:
        return rendered.get(match.group(1), match.group(0))

    return _PLACEHOLDER.sub(replace, query)


def graph_node(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    """The engine's graph name: a named graph, or the default graph for None."""
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


def term_text(term: Node) -> str:
    """A term as SPARQL/N-Triples text, escaped by the engine (blank nodes refused)."""
    if isinstance(term, BNode):
        raise StoreError("blank nodes cannot be written into query text")
    return str(to_engine(term))
