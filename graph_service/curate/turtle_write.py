"""Turtle and TriG written the same way every time: one triple per line, in a fixed order.

The canonical layout is what `publish` writes for new files, new subjects, vocab/graphs.trig,
and the files it cannot edit in place: the file's header comment and prefixes, then one block
per subject (sorted), `rdf:type` first and the SKOS properties in a fixed order, one object
per line with its predicate repeated. Each triple being one line, a later edit of a file in
this layout is a one-line diff, and the same triples always give the same bytes.

Terms come as the engine writes them in N-Triples (a literal's quotes and escapes are valid
Turtle as they are); only IRIs are shortened with the file's prefixes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from graph_service.curate.turtle_text import row_terms
from graph_service.namespaces import RDF_TYPE, RDFS_NS, SKOS_NS

#: Predicates in the order a curator reads a concept; the others follow by IRI.
_SKOS_ORDER = (
    "inScheme topConceptOf prefLabel altLabel hiddenLabel notation definition scopeNote example "
    "note editorialNote changeNote historyNote broader narrower related exactMatch closeMatch "
    "broadMatch narrowMatch relatedMatch member hasTopConcept"
)
PREDICATE_ORDER = [RDF_TYPE, *(SKOS_NS + n for n in _SKOS_ORDER.split(" ")), RDFS_NS + "label"]
_RANK = {iri: rank for rank, iri in enumerate(PREDICATE_ORDER)}
#: Local names written as prefixed names (a conservative subset of Turtle's PN_LOCAL).
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_LANGUAGE_RANK = {"fr": 0, "en": 1}
INDENT = "    "


class TermWriter:
    """Terms written with a set of prefixes."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = dict(prefixes)
        # The longest namespace wins (notions: before pdv:), then the shortest name.
        self._by_length = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))

    def iri(self, iri: str) -> str:
        """An IRI as a prefixed name when a prefix fits, else `<iri>`."""
        for name, namespace in self._by_length:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and (not local or _LOCAL.fullmatch(local)):
                return f"{name}:{local}"
        return f"<{iri}>"

    def term(self, term: str, *, predicate: bool = False) -> str:
        """A term of an N-Triples row written for this file (`a` for rdf:type as predicate)."""
        if term.startswith("<"):
            iri = term[1:-1]
            return "a" if predicate and iri == RDF_TYPE else self.iri(iri)
        if term.startswith('"') and term.endswith(">") and '"^^<' in term:
            lexical, _, datatype = term.rpartition("^^<")
            return f"{lexical}^^{self.iri(datatype[:-1])}"
        return term  # a literal with or without language tag, or a blank node label

    def statement(self, predicate: str, obj: str) -> str:
        """`predicate object` of one triple, as written in a block."""
        return f"{self.term(predicate, predicate=True)} {self.term(obj)}"

    def block(self, subject: str, pairs: Iterable[tuple[str, str]]) -> str:
        """A subject's block in the canonical layout, ending with a newline."""
        lines = [f"{INDENT}{self.statement(p, o)}" for p, o in sorted(pairs, key=_pair_key)]
        return f"{self.term(subject)}\n" + " ;\n".join(lines) + " .\n"

    def blocks(self, triples: Iterable[tuple[str, str, str]]) -> str:
        """Blocks of triples grouped by subject, sorted, separated by blank lines."""
        by_subject: dict[str, list[tuple[str, str]]] = {}
        for s, p, o in triples:
            by_subject.setdefault(s, []).append((p, o))
        return "\n".join(self.block(s, pairs) for s, pairs in sorted(by_subject.items()))

    def directives(self) -> str:
        """The @prefix lines, sorted by name."""
        return "".join(f"@prefix {n}: <{ns}> .\n" for n, ns in sorted(self.prefixes.items()))


def _object_key(term: str) -> tuple[int, str]:
    if term.startswith('"') and "@" in term.rpartition('"')[2]:
        language = term.rpartition("@")[2]
        return _LANGUAGE_RANK.get(language, len(_LANGUAGE_RANK)), term
    return len(_LANGUAGE_RANK) + 1, term


def _pair_key(pair: tuple[str, str]) -> tuple[int, str, tuple[int, str]]:
    predicate = pair[0][1:-1]
    return _RANK.get(predicate, len(_RANK)), predicate, _object_key(pair[1])


def used_prefixes(rows: Iterable[str], candidates: Mapping[str, str]) -> dict[str, str]:
    """The prefixes of `candidates` that shorten at least one IRI of the rows."""
    iris = {term[1:-1] for row in rows for term in row_terms(row) if term.startswith("<")}
    iris |= {t.rpartition("^^<")[2][:-1] for row in rows for t in row_terms(row) if "^^<" in t}
    written = {TermWriter(candidates).iri(iri) for iri in iris}
    used = {name.partition(":")[0] for name in written if not name.startswith("<")}
    return {name: ns for name, ns in candidates.items() if name in used}


def _header(header: str) -> str:
    return header.rstrip("\n") + "\n\n" if header.strip() else ""


def canonical_turtle(rows: Iterable[str], prefixes: Mapping[str, str], header: str = "") -> str:
    """A Turtle file of triples (N-Triples rows) in the canonical layout."""
    writer = TermWriter(prefixes)
    triples = [_triple(row) for row in rows]
    body = writer.blocks(triples)
    directives = writer.directives()
    return _header(header) + directives + ("\n" if directives and body else "") + body


def canonical_trig(rows: Iterable[str], prefixes: Mapping[str, str], header: str = "") -> str:
    """A TriG file of quads (N-Quads rows): the default graph's triples first, then one
    `graph { ... }` per named graph, sorted."""
    writer = TermWriter(prefixes)
    by_graph: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        terms = row_terms(row)
        by_graph.setdefault(terms[3] if len(terms) == 4 else "", []).append(_triple(row))
    parts = [writer.directives()] if prefixes else []
    if "" in by_graph:
        parts.append(writer.blocks(by_graph.pop("")))
    for graph, triples in sorted(by_graph.items()):
        parts.append(f"{writer.term(graph)} {{\n{writer.blocks(triples)}}}\n")
    return _header(header) + "\n".join(parts)


def _triple(row: str) -> tuple[str, str, str]:
    s, p, o = row_terms(row)[:3]
    return s, p, o
