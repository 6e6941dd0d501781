"""Compare SPARQL answers with the expected ones: by value, blank nodes up to renaming."""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result
from rdflib.term import Node

from . import iri_of

RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
Row = dict[str, Node]


class Answer:
    """An answer of any form: a boolean, rows (with their variables), or a graph."""

    def __init__(
        self,
        *,
        boolean: bool | None = None,
        variables: Sequence[str] = (),
        rows: list[Row] | None = None,
        graph: Graph | None = None,
    ) -> None:
        self.boolean, self.variables, self.rows, self.graph = boolean, list(variables), rows, graph

    def __repr__(self) -> str:
        if self.boolean is not None:
            return f"<boolean {self.boolean}>"
        if self.graph is not None:
            return f"<graph of {len(self.graph)} triples>\n" + self.graph.serialize(format="nt")
        lines = [" ".join(f"?{k}={v.n3()}" for k, v in sorted(r.items())) for r in self.rows or []]
        return f"<{len(lines)} rows of {self.variables}>\n" + "\n".join(lines)


def from_result(result: Result) -> Answer:
    """An Answer from rdflib's parse of a results document."""
    if result.type == "ASK":
        return Answer(boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return Answer(graph=result.graph)
    rows = [{str(k): v for k, v in binding.items() if v is not None} for binding in result.bindings]
    return Answer(variables=[str(v) for v in result.vars or []], rows=rows)


def read_expected(path: Path) -> Answer:
    """The expected answer of a query test, from .srx, .srj or an RDF file (graph or rs:)."""
    data = path.read_bytes()
    if path.suffix in (".srx", ".srj"):
        fmt = "xml" if path.suffix == ".srx" else "json"
        return from_result(Result.parse(io.BytesIO(data), format=fmt))
    fmt = {".ttl": "turtle", ".rdf": "xml", ".nt": "nt"}[path.suffix]
    graph = Graph().parse(data=data, format=fmt, publicID=iri_of(path))
    result_set = graph.value(predicate=RDF.type, object=RS.ResultSet)
    if result_set is None:
        return Answer(graph=graph)
    return _result_set(graph)


def _result_set(graph: Graph) -> Answer:
    """The rs: vocabulary: a result set written as RDF."""
    rs = next(graph.subjects(RDF.type, RS.ResultSet))
    boolean = graph.value(rs, RS.boolean)
    if boolean is not None:
        return Answer(boolean=bool(boolean.toPython()))  # type: ignore[union-attr]
    variables = [str(v) for v in graph.objects(rs, RS.resultVariable)]
    indexed = []
    for solution in graph.objects(rs, RS.solution):
        row = {
            str(graph.value(b, RS.variable)): graph.value(b, RS.value)
            for b in graph.objects(solution, RS.binding)
        }
        index = graph.value(solution, RS.index)
        indexed.append((int(index) if index is not None else 0, row))  # type: ignore[call-overload]
    indexed.sort(key=lambda pair: pair[0])
    return Answer(variables=variables, rows=[row for _, row in indexed])  # type: ignore[misc]


def _key(term: Node) -> Hashable:
    """A term's identity by value: literals of one datatype compare by value ("01" = "1")."""
    if isinstance(term, Literal):
        value = term.value
        if value is None or (isinstance(value, float) and math.isnan(value)):
            value = str(term)
        try:
            hash(value)
        except TypeError:
            value = str(term)
        return ("L", (term.language or "").lower(), str(term.datatype or ""), value)
    return ("U" if isinstance(term, URIRef) else "B", str(term))


def _row_key(row: Mapping[str, Node]) -> Hashable:
    return tuple(sorted((k, _key(v)) for k, v in row.items()))


def _has_bnodes(rows: list[Row]) -> bool:
    return any(isinstance(v, BNode) for row in rows for v in row.values())


def _match(expected: Row, actual: Row, mapping: dict[str, str], reverse: dict[str, str]) -> bool:
    """Whether two rows are equal under the blank node mapping, extending it (undone by caller)."""
    if expected.keys() != actual.keys():
        return False
    added = []
    for name, term in expected.items():
        other = actual[name]
        if isinstance(term, BNode) and isinstance(other, BNode):
            known, back = mapping.get(str(term)), reverse.get(str(other))
            if known is None and back is None:
                mapping[str(term)], reverse[str(other)] = str(other), str(term)
                added.append(str(term))
            elif known != str(other):
                for key in added:
                    del reverse[mapping.pop(key)]
                return False
        elif isinstance(term, BNode) or isinstance(other, BNode) or _key(term) != _key(other):
            for key in added:
                del reverse[mapping.pop(key)]
            return False
    return True


def _search(expected: list[Row], actual: list[Row], ordered: bool) -> bool:
    """Backtracking match of rows with a consistent bijection between blank nodes."""
    mapping: dict[str, str] = {}
    reverse: dict[str, str] = {}
    used = [False] * len(actual)

    def solve(i: int) -> bool:
        if i == len(expected):
            return True
        candidates = [i] if ordered else range(len(actual))
        for j in candidates:
            if used[j]:
                continue
            before = dict(mapping)
            if _match(expected[i], actual[j], mapping, reverse):
                used[j] = True
                if solve(i + 1):
                    return True
                used[j] = False
            mapping.clear()
            mapping.update(before)
            reverse.clear()
            reverse.update({v: k for k, v in before.items()})
        return False

    return solve(0)


def same_answer(expected: Answer, actual: Answer, *, ordered: bool = False) -> bool:
    """Whether two answers are equal: same boolean, isomorphic graphs, or the same rows."""
    if expected.boolean is not None or actual.boolean is not None:
        return expected.boolean == actual.boolean
    if expected.graph is not None or actual.graph is not None:
        return (
            expected.graph is not None
            and actual.graph is not None
            and isomorphic(_canonical(expected.graph), _canonical(actual.graph))
        )
    exp_rows, act_rows = expected.rows or [], actual.rows or []
    if len(exp_rows) != len(act_rows):
        return False
    if not _has_bnodes(exp_rows) and not _has_bnodes(act_rows):
        if ordered:
            return [_row_key(r) for r in exp_rows] == [_row_key(r) for r in act_rows]
        return Counter(map(_row_key, exp_rows)) == Counter(map(_row_key, act_rows))
    return _search(exp_rows, act_rows, ordered)


def _canonical(graph: Graph) -> Graph:
    """The graph with typed literals in canonical form, so isomorphism compares values."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None and o.value is not None:
            o = Literal(o.value, datatype=o.datatype)
        out.add((s, p, o))
    return out
