"""The Atom 1.0 feed of changes (RFC 4287), built with ElementTree: every value goes in as text
or an attribute, escaped by the serializer, never pasted into markup."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from graph_service.model.history import Entry, statement_text

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
ET.register_namespace("", ATOM)
#: Characters XML 1.0 cannot hold at all (a literal may: N-Triples escapes them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class FeedHead:
    """What describes the feed itself: its permanent id, title, own URL and HTML page."""

    id: str
    title: str
    self_url: str
    page_url: str


def _add(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        element.text = _NOT_XML.sub("\ufffd", text)
    return element


def summary(entry: Entry, more: Callable[[int], str]) -> str:
    """The triples of a change as lines of text: `+` added, `-` removed, then how many more."""
    lines = [f"- {statement_text(s)}" for s in entry.removed]
    lines += [f"+ {statement_text(s)}" for s in entry.added]
    hidden = entry.added_count + entry.removed_count - len(entry.added) - len(entry.removed)
    if hidden:
        lines.append(more(hidden))
    return "\n".join(lines)


def feed_xml(
    head: FeedHead,
    entries: Sequence[Entry],
    entry_url: Callable[[Entry], str],
    more: Callable[[int], str],
) -> bytes:
    """The feed document: the head's elements (updated: the newest change, else now), then one
    entry per change with its id (urn:uuid), title (its message), time, author (and reviewer as
    a contributor), link, summary."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", head.id)
    _add(feed, "title", head.title)
    newest = entries[0].stamp.time if entries else datetime.now(UTC).isoformat()
    _add(feed, "updated", newest)
    _add(feed, "link", rel="self", type=MEDIA_TYPE, href=head.self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=head.page_url)
    _add(feed, "generator", "graph-service")
    for entry in entries:
        stamp = entry.stamp
        item = _add(feed, "entry")
        _add(item, "id", f"urn:uuid:{stamp.id}")
        _add(item, "title", stamp.message or f"#{stamp.seq}")
        _add(item, "updated", stamp.time)
        author = _add(item, "author")
        _add(author, "name", stamp.author)
        if stamp.reviewer:
            # Who approved a proposed change: RFC 4287's contributor, beside its author.
            contributor = _add(item, "contributor")
            _add(contributor, "name", stamp.reviewer)
        _add(item, "link", rel="alternate", type="text/html", href=entry_url(entry))
        _add(item, "summary", summary(entry, more), type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
