"""Light reading of SPARQL text: the query form, and the protocol's USING graphs in an update.

Not a parser: a tokenizer that knows strings, IRIs, comments and braces well enough to find
the keywords outside every `{ }` block. The engine parses the text for real afterwards and
reports syntax errors with their line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from graph_service.exceptions import GraphServiceError

_TOKENS = re.compile(
    r"""
      (?P<space>\s+|\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]*)
    | (?P<word>[\w\-.:%\\]+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """Every token of SPARQL text but spaces and comments, as (kind, text): kinds are iri,
    string, var, word, open, close and other."""
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "space":
            yield kind, match.group()


def _top_level(text: str) -> Iterator[tuple[str, str, int, int]]:
    """The tokens outside braces (and the braces of depth 1) as (kind, text, start, end)."""
    depth = 0
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "space":
            continue
        if kind == "open":
            depth += 1
            if depth == 1:
                yield kind, "{", match.start(), match.end()
        elif kind == "close":
            depth -= 1
            if depth == 0:
                yield kind, "}", match.start(), match.end()
        elif depth == 0:
            yield kind, match.group(), match.start(), match.end()


def data_operations(text: str) -> list[tuple[str, str, str]] | None:
    """An update made only of INSERT DATA and DELETE DATA operations, as (INSERT or DELETE,
    the PREFIX and BASE declarations before it, its `{ ... }` block); None for any other
    update. Such an update's effect depends on the quads it names alone."""
    prologue: list[str] = []
    operations: list[tuple[str, str, str]] = []
    tokens = list(_top_level(text))
    i = 0
    while i < len(tokens):
        _, token, start, _ = tokens[i]
        word = token.upper()
        if word in ("PREFIX", "BASE"):
            size = 3 if word == "PREFIX" else 2
            declaration = tokens[i : i + size]
            if len(declaration) < size or declaration[-1][0] != "iri":
                return None
            prologue.append(text[start : declaration[-1][3]])
            i += size
        elif word in ("INSERT", "DELETE") and i + 3 < len(tokens):
            data, opening, closing = tokens[i + 1], tokens[i + 2], tokens[i + 3]
            if data[1].upper() != "DATA" or opening[0] != "open" or closing[0] != "close":
                return None
            body = text[opening[2] : closing[3]]
            operations.append((word, "\n".join(prologue), body))
            i += 4
        elif token == ";":
            i += 1
        else:
            return None
    return operations or None


def query_form(text: str) -> str | None:
    """select, ask, construct or describe, read from the first keyword after the prologue."""
    for kind, token, _, _ in _top_level(text):
        if kind == "iri":
            continue
        if kind != "word":
            return None
        keyword = token.upper()
        if keyword in _FORMS:
            return _FORMS[keyword]
        if keyword not in ("PREFIX", "BASE") and not token.endswith(":"):
            return None
    return None


def add_using(text: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """Give every DELETE/INSERT ... WHERE of an update the protocol's USING graphs.

    `using-graph-uri` and `using-named-graph-uri` act as USING / USING NAMED clauses on each
    operation with a WHERE; the protocol forbids them beside USING or WITH in the text (400).
    """
    clauses = " ".join(
        [f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named]
    )
    tokens = list(_top_level(text))
    inserts: list[tuple[int, str]] = []
    for index, (kind, token, start, _) in enumerate(tokens):
        keyword = token.upper() if kind == "word" else ""
        if keyword in ("USING", "WITH"):
            raise GraphServiceError(
                f"the update names its dataset with {keyword}: it cannot also be given "
                "using-graph-uri or using-named-graph-uri"
            )
        if keyword != "WHERE":
            continue
        previous = tokens[index - 1][1].upper() if index else ""
        if previous == "DELETE":
            # DELETE WHERE {P} has no USING: spell it out as DELETE {P} USING ... WHERE {P}.
            pattern = _block_after(text, tokens, index)
            inserts.append((start, f"{pattern} {clauses} "))
        else:
            inserts.append((start, f"{clauses} "))
    for position, insert in reversed(inserts):
        text = text[:position] + insert + text[position:]
    return text


def _block_after(text: str, tokens: list[tuple[str, str, int, int]], index: int) -> str:
    """The `{ ... }` block that follows token `index`, as written."""
    opening = next((t for t in tokens[index + 1 :] if t[0] == "open"), None)
    closing = next((t for t in tokens[index + 1 :] if t[0] == "close"), None)
    if opening is None or closing is None:
        return "{}"  # unbalanced: the engine reports the syntax error
    return text[opening[2] : closing[3]]
