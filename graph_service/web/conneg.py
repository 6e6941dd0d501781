"""Media types of RDF and SPARQL results, and Accept-header negotiation as pure functions."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaType:
    """One serialisation: the store's short name, its media type, extension, aliases, the name
    people know it by, and rdflib's name for it (RDF only)."""

    name: str  # short name, as store/formats.py names formats ("turtle", "json", ...)
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()
    label: str = ""
    rdflib: str = ""


#: RDF graph and dataset serialisations, preferred first.
RDF_TYPES: tuple[MediaType, ...] = (
    MediaType("turtle", "text/turtle", "ttl", ("application/x-turtle", "turtle", "ttl"),
              "Turtle", "turtle"),
    MediaType("jsonld", "application/ld+json", "jsonld", ("json-ld", "jsonld"),
              "JSON-LD", "json-ld"),
    MediaType("rdfxml", "application/rdf+xml", "rdf", ("rdf/xml", "xml", "rdfxml", "rdf"),
              "RDF/XML", "xml"),
    MediaType("ntriples", "application/n-triples", "nt",
              ("text/plain", "ntriples", "nt", "n-triples"), "N-Triples", "nt"),
    MediaType("trig", "application/trig", "trig", ("trig",), "TriG", "trig"),
    MediaType("nquads", "application/n-quads", "nq", ("nquads", "nq", "n-quads"),
              "N-Quads", "nquads"),
)  # fmt: skip
#: SPARQL SELECT/ASK result formats, preferred first.
RESULT_TYPES: tuple[MediaType, ...] = (
    MediaType("json", "application/sparql-results+json", "srj", ("json", "application/json"),
              "JSON"),
    MediaType("xml", "application/sparql-results+xml", "srx",
              ("xml", "application/xml", "text/xml"), "XML"),
    MediaType("csv", "text/csv", "csv", ("csv",), "CSV"),
    MediaType("tsv", "text/tab-separated-values", "tsv", ("tsv",), "TSV"),
)  # fmt: skip


@dataclass(frozen=True)
class AcceptItem:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    def matches(self, media_type: str) -> int:
        """How specifically this entry matches a media type: 3 exact, 2 type/*, 1 */*, 0 none."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[AcceptItem]:
    """Parse an Accept header; a missing or empty header accepts anything (*/*)."""
    if not header or not header.strip():
        return [AcceptItem("*", "*", 1.0)]
    items: list[AcceptItem] = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        main, _, sub = media.partition("/")
        q = 1.0
        params = []
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif key:
                params.append((key, value))
        items.append(AcceptItem(main, sub or "*", q, tuple(params)))
    return items


def quality(items: Sequence[AcceptItem], media_type: str) -> float:
    """The q-value the client gives a media type (most specific matching entry wins)."""
    best_specificity, best_q = 0, 0.0
    for item in items:
        specificity = item.matches(media_type)
        if specificity > best_specificity:
            best_specificity, best_q = specificity, item.q
    return best_q


#: Accept headers longer than this are negotiated afresh each time (the memo stays small).
_MEMO_HEADER_LENGTH = 512


def negotiate(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers; ties go to the server's order; None if none."""
    offers = tuple(offered)
    if header is not None and len(header) > _MEMO_HEADER_LENGTH:
        return _negotiate(header, offers)
    return _remembered(header, offers)


@functools.lru_cache(maxsize=1024)
def _remembered(header: str | None, offered: tuple[str, ...]) -> str | None:
    # A client sends the same Accept on every request: parsing it and scoring ~25 offers
    # again cost a fifth of the Python time of a small SPARQL query (twice per query).
    return _negotiate(header, offered)


def _negotiate(header: str | None, offered: tuple[str, ...]) -> str | None:
    items = parse_accept(header)
    best, best_q = None, 0.0
    for media_type in offered:
        q = quality(items, media_type)
        if q > best_q:
            best, best_q = media_type, q
    return best


def _lookup(table: Sequence[MediaType], value: str) -> MediaType | None:
    value = value.strip().lower()
    for entry in table:
        if value in (entry.name, entry.media_type, entry.extension, *entry.aliases):
            return entry
    return None


def rdf_type(value: str) -> MediaType | None:
    """The RDF serialisation named by a media type, short name, extension or alias."""
    return _lookup(RDF_TYPES, value.split(";")[0])


def result_type(value: str) -> MediaType | None:
    """The SPARQL results format named by a media type, short name, extension or alias."""
    return _lookup(RESULT_TYPES, value.split(";")[0])


def content_type(media_type: str) -> str:
    """The Content-Type header of an answer in a media type: UTF-8 said wherever the type has a
    charset parameter (text, Turtle, N-Triples, TriG, N-Quads); JSON has a single encoding and
    XML states its own."""
    if media_type.endswith(("json", "+xml", "/xml")):
        return media_type
    return f"{media_type}; charset=utf-8"


def rdf_content_type(name: str) -> str:
    """The Content-Type header of an answer in an RDF format given by its short name."""
    entry = rdf_type(name)
    assert entry is not None, name
    return content_type(entry.media_type)


def format_names(names: Sequence[str] | None = None) -> list[str]:
    """Every word naming these RDF formats (all when None), as written: short name, media
    type, extension and aliases; the exact values a `format=` parameter accepts."""
    found: list[str] = []
    for entry in RDF_TYPES:
        if names is None or entry.name in names:
            for value in (entry.name, entry.media_type, entry.extension, *entry.aliases):
                if value not in found:
                    found.append(value)
    return found


def rdf_by_extension(extension: str) -> MediaType | None:
    """The RDF serialisation for a file extension without the dot ("ttl", "jsonld")."""
    for entry in RDF_TYPES:
        if entry.extension == extension.lower():
            return entry
    return None
