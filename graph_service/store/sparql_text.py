"""Light reading of SPARQL text: the query form, the USING graphs of an update, SERVICE and LOAD.

Not a parser: a tokenizer that knows strings, IRIs, comments and braces well enough to find
the keywords outside every `{ }` block. The engine parses the text for real afterwards and
reports syntax errors with their line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from urllib.parse import urljoin

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


#: SPARQL's \u and \U escapes: an engine that decodes them before parsing (the standard asks
#: it) could read a keyword where the raw text shows none, so keywords are sought in both.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _decoded(text: str) -> str:
    """The text with its \\u and \\U escapes decoded (invalid code points left as written)."""

    def decode(match: re.Match[str]) -> str:
        value = int(match.group(1) or match.group(2), 16)
        return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else match[0]

    return _CODEPOINT.sub(decode, text)


def _is_keyword(kind: str, token: str, keyword: str) -> bool:
    """Whether a token is the keyword, also where the tokenizer glued it to a dot (`?o.SERVICE`
    is one word here, `?o . SERVICE` to the engine)."""
    return kind == "word" and keyword in token.upper().split(".")


def keyword_targets(text: str, keyword: str, base_iri: str | None = None) -> list[str | None]:
    """What follows each use of a keyword (SERVICE, LOAD) after an optional SILENT: its IRI,
    absolute (relative IRIs resolved, prefixed names expanded), or None where it is anything
    else (a variable, an escaped IRI...). Strings, IRIs and comments hide no keyword; escapes
    do not either: the text is read as written and with its escapes decoded."""
    keyword = keyword.upper()
    found: list[str | None] = []
    for version in dict.fromkeys((text, _decoded(text))):
        if keyword in version.upper():
            found.extend(_targets(version, keyword, base_iri))
    return found


def _targets(text: str, keyword: str, base_iri: str | None) -> Iterator[str | None]:
    """keyword_targets in one version of the text."""
    prefixes: dict[str, str] = {}
    base = base_iri or ""
    seen = list(tokens(text))
    for index, (kind, token) in enumerate(seen):
        before = seen[index - 1][1].upper() if index else ""
        if kind == "iri" and before == "BASE":
            base = urljoin(base, token[1:-1])
        elif kind == "iri" and index > 1 and seen[index - 2][1].upper() == "PREFIX":
            prefixes[seen[index - 1][1].rstrip(":")] = urljoin(base, token[1:-1])
        if not _is_keyword(kind, token, keyword):
            continue
        rest = seen[index + 1 : index + 3]
        if rest and rest[0][1].upper() == "SILENT":
            rest = rest[1:]
        yield _absolute(rest[0] if rest else ("", ""), prefixes, base)


def _absolute(token: tuple[str, str], prefixes: dict[str, str], base: str) -> str | None:
    """The absolute IRI an IRI token or prefixed name stands for, else None."""
    kind, text = token
    if kind == "iri":
        return urljoin(base, text[1:-1]) if base else text[1:-1]
    if kind == "word" and ":" in text and not text.startswith("_:"):
        prefix, _, local = text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def where_patterns(text: str) -> list[str] | None:
    """The WHERE patterns of an update's operations, each as an ASK query (with the PREFIX and
    BASE declarations before it); None when the update names its dataset with USING or WITH."""
    prologue: list[str] = []
    patterns: list[str] = []
    seen = list(_top_level(text))
    for index, (kind, token, start, _) in enumerate(seen):
        word = token.upper() if kind == "word" else ""
        if word in ("USING", "WITH"):
            return None
        if word == "BASE" and index + 1 < len(seen):
            prologue.append(text[start : seen[index + 1][3]])
        elif word == "PREFIX" and index + 2 < len(seen):
            prologue.append(text[start : seen[index + 2][3]])
        elif word == "WHERE" and index + 2 < len(seen) and seen[index + 1][0] == "open":
            block = text[seen[index + 1][2] : seen[index + 2][3]]
            patterns.append("\n".join([*prologue, f"ASK {block}"]))
    return patterns


#: What DROP and CLEAR may name besides one graph's IRI.
GRAPH_SETS = ("DEFAULT", "NAMED", "ALL")


def graph_removals(text: str) -> list[tuple[str, str, bool]] | None:
    """An update made only of DROP and CLEAR operations, as (DROP or CLEAR, the graph: `<iri>`
    as written, or DEFAULT, NAMED or ALL, whether SILENT) per operation; None for any other
    update, or one this light reading cannot be sure of (prefixed names, \\u escapes, a
    prologue). Such an update removes whole graphs: its effect is known from them alone."""
    if "\\" in text:  # an escape may spell a keyword or an IRI differently: the engine reads it
        return None
    words = list(tokens(text))
    removals: list[tuple[str, str, bool]] = []
    i = 0
    while i < len(words):
        operation = words[i][1].upper()
        if operation == ";":
            i += 1
            continue
        if operation not in ("DROP", "CLEAR"):
            return None
        i += 1
        silent = i < len(words) and words[i][1].upper() == "SILENT"
        i += silent
        if i < len(words) and words[i][1].upper() in GRAPH_SETS:
            removals.append((operation, words[i][1].upper(), silent))
            i += 1
        elif i + 1 < len(words) and words[i][1].upper() == "GRAPH" and words[i + 1][0] == "iri":
            removals.append((operation, words[i + 1][1], silent))
            i += 2
        else:
            return None
    return removals or None
