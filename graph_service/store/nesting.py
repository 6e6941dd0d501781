"""How deep a query or a document nests, measured before any parser sees it.

The engine's parsers recurse: a few thousand `{` in a SPARQL query, `[`-`{` in JSON-LD or
`<<(` in Turtle overflow the stack of the thread parsing them, and the process dies with every
request in flight (a query worker, or the web process itself for updates and Graph Store
writes). RDF/XML does not crash but its cost grows with the square of the depth (50,000
nested elements: 12 s of CPU). Real data nests a dozen levels; a limit of a few hundred is
never met by it, and is refused here with a message, by a scan that only counts brackets
outside strings, IRIs and comments (the parser reads the text for real afterwards).
"""

from __future__ import annotations

import re
from itertools import accumulate

from graph_service.exceptions import GraphServiceError

#: Strings, IRIs and comments of SPARQL, Turtle, TriG, N-Triples, N-Quads and N3: dropped
#: before brackets are counted (`<<`, never an IRI, opens an RDF 1.2 triple term).
_TURTLE_SKIPPED = re.compile(
    rb"'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    rb'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    rb"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
    rb'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    rb"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*",
    re.DOTALL,
)
_JSON_SKIPPED = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
#: XML comments, CDATA sections, declarations, processing instructions and empty elements.
_TAG = rb"[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*"
_XML_SKIPPED = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*>|<" + _TAG + rb"(?<=/)>", re.DOTALL
)
_XML_END = re.compile(rb"</[^>]*>")
_XML_START = re.compile(rb"<" + _TAG + rb">")
#: After the skipped parts are gone, each opening mark becomes \x01 and each closing \xff.
_OPEN, _CLOSE = b"\x01", b"\xff"
_BRACKETS = bytes.maketrans(b"[({])}", _OPEN * 3 + _CLOSE * 3)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[({])}\x01\xff"))
#: Which scan reads which RDF format (short names of store/formats.py).
_SCAN_OF_FORMAT = {
    "turtle": "turtle",
    "trig": "turtle",
    "n3": "turtle",
    "ntriples": "turtle",
    "nquads": "turtle",
    "jsonld": "json",
    "rdfxml": "xml",
}
#: The marks that may open a level, per scan: fewer of them in all than the limit, no scan.
_OPENERS = {"turtle": (b"<<", b"[", b"(", b"{"), "json": (b"[", b"{"), "xml": (b"<",)}


class TooDeep(GraphServiceError):
    """A query or document nested deeper than the service's limit (400)."""


def _marks(scan: str, data: bytes) -> bytes:
    """The text's opening and closing marks in order, as \x01 and \xff (regular expressions
    and translate() run in C: a megabyte of Turtle is read in a few milliseconds)."""
    data = data.translate(None, _OPEN + _CLOSE)  # never in valid UTF-8 text: none to forge
    if scan == "xml":
        data = _XML_SKIPPED.sub(b"", data)
        data = _XML_START.sub(_OPEN, _XML_END.sub(_CLOSE, data))
        return data.translate(None, bytes(set(range(256)) - {1, 255}))
    if scan == "json":
        data = _JSON_SKIPPED.sub(b"", data)
    else:
        data = _TURTLE_SKIPPED.sub(b"", data).replace(b"<<", _OPEN).replace(b">>", _CLOSE)
    return data.translate(_BRACKETS, _NOT_BRACKETS)


def deeper_than(scan: str, text: str | bytes, limit: int) -> bool:
    """Whether the text nests more than `limit` levels deep (scan: turtle, json or xml)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if limit <= 0 or sum(data.count(mark) for mark in _OPENERS[scan]) <= limit:
        return False  # fewer opening marks in all than the limit (most texts): no scan
    # As signed bytes, \x01 is +1 and \xff is -1: their running sum is the depth (never
    # below zero, so that a stray closing mark cannot hide the levels that follow it).
    steps = memoryview(_marks(scan, data)).cast("b")
    return any(depth > limit for depth in accumulate(steps, _step))


def _step(depth: int, step: int) -> int:
    return max(0, depth + step)


def check_sparql(text: str, limit: int) -> None:
    """Refuse (TooDeep, 400) a query or update nested more than `limit` levels deep: braces,
    parentheses, brackets and triple terms together."""
    if deeper_than("turtle", text, limit):
        raise TooDeep(
            f"the query nests brackets more than {limit} levels deep, the limit of this "
            "service: write it flatter"
        )


def check_json(text: str | bytes, limit: int, what: str = "the JSON") -> None:
    """Refuse (TooDeep, 400) JSON nested more than `limit` arrays and objects deep."""
    if deeper_than("json", text, limit):
        raise TooDeep(f"{what} nests more than {limit} levels deep, the limit of this service")


def check_document(data: str | bytes, fmt: str, limit: int) -> None:
    """Refuse (TooDeep, 400) an RDF document nested more than `limit` levels deep: brackets
    and triple terms in the Turtle family, objects and arrays in JSON-LD, elements in
    RDF/XML (fmt: a short format name of store/formats.py)."""
    scan = _SCAN_OF_FORMAT.get(fmt)
    if scan is not None and deeper_than(scan, data, limit):
        unit = {"turtle": "brackets", "json": "objects and arrays", "xml": "elements"}[scan]
        raise TooDeep(
            f"the {fmt} document nests {unit} more than {limit} levels deep, the limit of "
            "this service"
        )
