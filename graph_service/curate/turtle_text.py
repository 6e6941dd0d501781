"""Turtle read as text: where each statement of a hand-written file starts and ends.

`publish` edits vocab/ files in place, so it needs what an RDF parser throws away: the
character positions of every subject, predicate, object, comma, semicolon, dot and comment.
This module tokenises a Turtle document and parses its statements into subject blocks
(`subject p o1 , o2 ; q o3 .`) with those positions. It does not interpret terms: the triple
each top-level statement means is asked of the engine (store.formats.document_rows), on a
document of one statement per line made from the file's own tokens, so prefixes, escapes,
numbers and language tags mean exactly what the build will make of them. Nested forms (blank
node property lists `[ ... ]`, collections `( ... )`) are parsed only to be skipped: they are
marked `nested` and are never edited in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph_service.store.base import StoreError
from graph_service.store.formats import document_rows

_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<comment>\#[^\r\n]*)
    |(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    |(?P<at>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<dt>\^\^)
    |(?P<bnode>_:[\w.\-]+)
    |(?P<number>[+-]?(?:\d+\.\d*[eE][+-]?\d+|\.\d+[eE][+-]?\d+|\d+[eE][+-]?\d+|\d*\.\d+|\d+))
    |(?P<pname>(?:[^\W\d_](?:[\w.\-]*[\w\-])?)?:(?:(?:[\w:]|%[0-9A-Fa-f]{2}|"""
    + _ESCAPE
    + r""")(?:[\w.:\-]|%[0-9A-Fa-f]{2}|"""
    + _ESCAPE
    + r""")*)?)
    |(?P<word>[A-Za-z]+)
    |(?P<punct>[.;,\[\]()])
    """,
    re.VERBOSE,
)


class Unsupported(Exception):
    """The text cannot be read (or edited) safely at the level of statements."""


#: The terms of an N-Quads row as the engine writes them (IRI, blank node, literal).
_ROW_TERM = re.compile(r'<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?')


def row_terms(row: str) -> list[str]:
    """The 3 or 4 terms of an N-Quads row (subject, predicate, object, graph if named)."""
    terms = _ROW_TERM.findall(row)
    if len(terms) not in (3, 4) or " ".join(terms) != row:
        raise Unsupported(f"a quad that cannot be written as Turtle: {row[:100]}")
    return terms


def has_blank(row: str) -> bool:
    """Whether a row names a blank node (its subject or object)."""
    return any(term.startswith("_:") for term in row_terms(row))


@dataclass(frozen=True)
class Token:
    """One token: its kind (iri, pname, string, punct, comment, ...), text and span."""

    kind: str
    text: str
    start: int
    end: int


@dataclass
class Term:
    """A subject, predicate or object as written: its span, and whether it is nested."""

    start: int
    end: int
    text: str
    nested: bool = False
    blank: bool = False


@dataclass
class Entry:
    """One `predicate object , object` part of a block, with its separators."""

    verb: Term
    objects: list[Term] = field(default_factory=list)
    #: The comma after each object but the last.
    commas: list[Token] = field(default_factory=list)
    #: The first `;` after the entry, if any.
    semi: Token | None = None


@dataclass
class Block:
    """One statement `subject predicate-object list .`."""

    subject: Term
    entries: list[Entry]
    dot: Token


@dataclass(frozen=True)
class Occurrence:
    """Where a triple is written: block, entry and object indexes."""

    block: int
    entry: int
    obj: int


@dataclass
class TurtleText:
    """A parsed Turtle document: tokens, blocks, prefixes, and the triple each simple
    (un-nested) statement means, as N-Triples text."""

    text: str
    tokens: list[Token]
    comments: list[Token]
    blocks: list[Block]
    prefixes: dict[str, str]
    #: N-Triples row of a triple -> where it is written (several places if repeated).
    rows: dict[str, list[Occurrence]]

    def line_start(self, pos: int) -> int:
        """The position where the line holding `pos` starts."""
        return self.text.rfind("\n", 0, pos) + 1

    def line_end(self, pos: int) -> int:
        """The position of the newline ending the line holding `pos` (or the text's end)."""
        end = self.text.find("\n", pos)
        return len(self.text) if end < 0 else end

    def starts_line(self, pos: int) -> bool:
        """Whether only blanks precede `pos` on its line."""
        return not self.text[self.line_start(pos) : pos].strip()

    def ends_line(self, pos: int) -> bool:
        """Whether only blanks or a comment follow `pos` on its line."""
        rest = self.text[pos : self.line_end(pos)].lstrip()
        return not rest or rest.startswith("#")

    def indent(self, pos: int) -> str:
        """The leading blanks of the line holding `pos`."""
        line = self.text[self.line_start(pos) : self.line_end(pos)]
        return line[: len(line) - len(line.lstrip())]

    def header_end(self) -> int:
        """Where the leading comment lines end (before the first directive or statement)."""
        first = next((t for t in self.tokens if t.kind != "comment"), None)
        return self.line_start(first.start) if first else len(self.text)


def tokenize(text: str) -> list[Token]:
    """The tokens of a Turtle text, blanks left out; Unsupported on anything unknown."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            line = text.count("\n", 0, pos) + 1
            raise Unsupported(f"unexpected text at line {line}: {text[pos : pos + 20]!r}")
        kind, end = match.lastgroup, match.end()
        if kind in ("pname", "bnode"):
            # A name never ends with a dot: that dot ends the statement.
            while text[end - 1] == "." and text[end - 2] != "\\":
                end -= 1
        if kind != "ws":
            tokens.append(Token(kind, text[pos:end], pos, end))
        pos = end
    return tokens


class _Parser:
    """A recursive-descent parser of Turtle statements over tokens (comments skipped)."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = [t for t in tokens if t.kind != "comment"]
        self.pos = 0
        self.blocks: list[Block] = []
        self.prefixes: dict[str, str] = {}
        #: Directives and simple statements in document order: the engine's input.
        self.lines: list[tuple[str, Occurrence | None]] = []

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise Unsupported("the document ends in the middle of a statement")
        self.pos += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.next()
        if token.text != text:
            line = self.text.count("\n", 0, token.start) + 1
            raise Unsupported(f"expected {text!r} at line {line}, found {token.text!r}")
        return token

    def document(self) -> None:
        while (token := self.peek()) is not None:
            if token.kind == "at" or token.text.upper() in ("PREFIX", "BASE"):
                self.directive()
            else:
                self.statement()

    def directive(self) -> None:
        keyword = self.next()
        sparql_style = keyword.kind == "word"
        if keyword.text.lower().lstrip("@") == "prefix":
            name, iri = self.next(), self.next()
            if name.kind != "pname" or not name.text.endswith(":") or iri.kind != "iri":
                raise Unsupported(f"a prefix directive that cannot be read: {name.text}")
            self.prefixes[name.text[:-1]] = iri.text[1:-1]
        elif keyword.text.lower().lstrip("@") == "base":
            iri = self.next()
            if iri.kind != "iri":
                raise Unsupported("a base directive that cannot be read")
        else:
            raise Unsupported(f"unknown directive {keyword.text}")
        end = iri.end if sparql_style else self.expect(".").end
        self.lines.append((self.text[keyword.start : end], None))

    def statement(self) -> None:
        subject = self.term(subject=True)
        entries: list[Entry] = []
        if not (subject.nested and self.peek() is not None and self.peek_text() == "."):
            entries = self.entries()
        dot = self.expect(".")
        block = Block(subject, entries, dot)
        index = len(self.blocks)
        self.blocks.append(block)
        if subject.nested:
            return
        for e, entry in enumerate(entries):
            for o, obj in enumerate(entry.objects):
                if not obj.nested:
                    line = f"{subject.text} {entry.verb.text} {obj.text} ."
                    self.lines.append((line, Occurrence(index, e, o)))

    def peek_text(self) -> str:
        token = self.peek()
        return token.text if token else ""

    def entries(self) -> list[Entry]:
        entries = [self.entry()]
        while self.peek_text() == ";":
            semi = self.next()
            if entries[-1].semi is None:
                entries[-1].semi = semi
            if self.peek_text() not in (";", ".", "]", ""):
                entries.append(self.entry())
        return entries

    def entry(self) -> Entry:
        verb = self.next()
        if verb.kind not in ("iri", "pname") and verb.text != "a":
            raise Unsupported(f"a predicate that cannot be read: {verb.text!r}")
        entry = Entry(Term(verb.start, verb.end, verb.text))
        entry.objects.append(self.term())
        while self.peek_text() == ",":
            entry.commas.append(self.next())
            entry.objects.append(self.term())
        return entry

    def term(self, *, subject: bool = False) -> Term:
        token = self.next()
        if token.text == "[":
            if self.peek_text() != "]":
                self.entries()
            close = self.expect("]")
            return Term(token.start, close.end, self.text[token.start : close.end], nested=True)
        if token.text == "(":
            while self.peek_text() != ")":
                self.term()
            close = self.expect(")")
            return Term(token.start, close.end, self.text[token.start : close.end], nested=True)
        if token.kind in ("iri", "pname"):
            return Term(token.start, token.end, token.text)
        if token.kind == "bnode":
            return Term(token.start, token.end, token.text, blank=True)
        if subject:
            raise Unsupported(f"a subject that cannot be read: {token.text!r}")
        if token.kind == "string":
            end = token.end
            following = self.peek()
            if following is not None and following.kind == "at":
                end = self.next().end
            elif self.peek_text() == "^^":
                self.next()
                datatype = self.next()
                if datatype.kind not in ("iri", "pname"):
                    raise Unsupported(f"a datatype that cannot be read: {datatype.text!r}")
                end = datatype.end
            return Term(token.start, end, self.text[token.start : end])
        if token.kind == "number" or token.text in ("true", "false"):
            return Term(token.start, token.end, token.text)
        raise Unsupported(f"an object that cannot be read: {token.text!r}")


def parse(text: str) -> TurtleText:
    """Parse a Turtle text into blocks and the triple of every simple statement; Unsupported
    when the text is not Turtle this module can follow (the engine's reading of the whole file
    is compared with the statements found, so a misreading cannot go unnoticed)."""
    tokens = tokenize(text)
    parser = _Parser(text, tokens)
    parser.document()
    statements = [occurrence for _, occurrence in parser.lines if occurrence is not None]
    try:
        rows = document_rows("\n".join(line for line, _ in parser.lines) + "\n", "turtle")
        whole = set(document_rows(text, "turtle"))
    except StoreError as exc:  # our reading of the statements was wrong somewhere
        raise Unsupported(f"the statements could not be read one by one: {exc}") from exc
    if len(rows) != len(statements):
        raise Unsupported("a statement did not read as one triple")
    found: dict[str, list[Occurrence]] = {}
    for row, occurrence in zip(rows, statements, strict=True):
        found.setdefault(row, []).append(occurrence)
    # Every triple of the file must be one of ours, or come from a nested form (blank nodes).
    missing = [row for row in whole - set(found) if not has_blank(row)]
    if missing or not set(found) <= whole:
        raise Unsupported("the statements found do not match the file's triples")
    comments = [t for t in tokens if t.kind == "comment"]
    return TurtleText(text, tokens, comments, parser.blocks, parser.prefixes, found)
