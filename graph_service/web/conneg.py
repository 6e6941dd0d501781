"""Media types of RDF and SPARQL results, and Accept-header negotiation as pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaType:
    """One serialisation: the store's short name, its media type, extension and aliases."""

    name: str  # short name used by store.py ("turtle", "json", ...)
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()


#: RDF graph and dataset serialisations, preferred first.
RDF_TYPES: tuple[MediaType, ...] = (
    MediaType("turtle", "text/turtle", "ttl", ("application/x-turtle", "turtle", "ttl")),
    MediaType("jsonld", "application/ld+json", "jsonld", ("json-ld", "jsonld")),
    MediaType("rdfxml", "application/rdf+xml", "rdf", ("rdf/xml", "xml", "rdfxml", "rdf")),
    MediaType(
        "ntriples", "application/n-triples", "nt", ("text/plain", "ntriples", "nt", "n-triples")
    ),
    MediaType("trig", "application/trig", "trig", ("trig",)),
    MediaType("nquads", "application/n-quads", "nq", ("nquads", "nq", "n-quads")),
)
#: SPARQL SELECT/ASK result formats, preferred first.
RESULT_TYPES: tuple[MediaType, ...] = (
    MediaType("json", "application/sparql-results+json", "srj", ("json", "application/json")),
    MediaType(
        "xml", "application/sparql-results+xml", "srx", ("xml", "application/xml", "text/xml")
    ),
    MediaType("csv", "text/csv", "csv", ("csv",)),
    MediaType("tsv", "text/tab-separated-values", "tsv", ("tsv",)),
)


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


def negotiate(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers; ties go to the server's order; None if none."""
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


def rdf_by_extension(extension: str) -> MediaType | None:
    """The RDF serialisation for a file extension without the dot ("ttl", "jsonld")."""
    for entry in RDF_TYPES:
        if entry.extension == extension.lower():
            return entry
    return None
