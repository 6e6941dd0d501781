"""Turn a news page (IREV-style HTML, or its text export) into a resource in Turtle for review.

The text export has no title line: the title comes from the first heading when there is one
(HTML pages, "# ..." lines), else from the slug of the page URL ("URL de la source" line or
--url); the Turtle then says so in an editorial note for the reviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from rdflib import Graph, Literal, URIRef

from ..exceptions import GraphServiceError
from ..namespaces import BASE
from ..store import EmbeddedStore
from .fetch import fetch, is_url
from .suggest import Suggestion, get_label_index, suggest
from .textmatch import normalise, slugify
from .validate import Problem, validate_graph

PARIS = ZoneInfo("Europe/Paris")
SCHEMES = {k: f"{BASE}{k}" for k in ("notions", "thematiques", "territoires", "types")}
SUBJECT_THRESHOLD = 0.1  # a suggested subject needs this score (best hit = 1.0)
MAX_SUBJECTS = 16
MONTH_ONLY_NOTE = "Only the month of publication is known; the first day of the month is used."
MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        start=1,
    )
}
MONTHS.update({"fevrier": 2, "aout": 8, "decembre": 12})
UNITS = {"o": 1, "octets": 1, "ko": 1024, "mo": 1024**2, "go": 1024**3}
_REF = re.compile(r"\[([^\]]*)\]\(#\)([\"”»]?)\s*\[(\d+)\]")  # [text](#) [n], maybe quoted
_LINK_LINE = re.compile(r"^\s*-\s*\[(\d+)\]\s*<?([^>\s]+)>?\s*$")
_SIZE = re.compile(r"^Poids\s*:\s*([\d.,]+)\s*([KMG]?o|octets)\b", re.I)
_MONTH_DATE = re.compile(r"(?:^|,\s*)(" + "|".join(MONTHS) + r")\s+(\d{4})\s*$", re.I)
_DAY_DATE = re.compile(r"(\d{1,2})(?:er)?\s+(" + "|".join(MONTHS) + r")\s+(\d{4})", re.I)
_NUM_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s*-\s*(\d{1,2}):(\d{2}))?")
_META = {
    "type": re.compile(r"^Types? d'actualit\w*\s*:\s*(.*)$", re.I),
    "dates": re.compile(r"^Dates?\s*:\s*(.*)$", re.I),
    "themes": re.compile(r"^Th[ée]matiques?\s*:\s*(.*)$", re.I),
    "territories": re.compile(r"^Territoires?\s*:\s*(.*)$", re.I),
    "published": re.compile(r"^Publi[ée] le\s+(.*)$", re.I),
    "source": re.compile(
        r"^URL de la source\s*\(modifi[ée] le ([^)]*)\)\s*:\s*<?([^>\s]+)>?", re.I
    ),
}


class IngestError(GraphServiceError):
    """A page that cannot be turned into a resource."""


# ----------------------------------------------------------------------------- HTML


class _TextExport(HTMLParser):
    """HTML -> the site's text export: paragraphs, "[text](#) [n]" links, a "Liens" list."""

    BLOCKS: ClassVar[set[str]] = {
        "p",
        "div",
        "section",
        "article",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "br",
        "dl",
        "dt",
        "dd",
        "aside",
        "main",
        "figure",
    }
    SKIP: ClassVar[set[str]] = {
        "head",
        "title",
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "noscript",
        "template",
        "form",
    }

    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.parts: list[str] = []
        self.links: list[str] = []
        self.skip = 0
        self.href: str | None = None
        self.anchor: list[str] = []
        self.heading: list[str] | None = None
        self.title = ""
        self.canonical = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "link" and values.get("rel") == "canonical":
            self.canonical = values.get("href") or ""
        elif self.skip:
            return
        elif tag == "a":
            self.href, self.anchor = values.get("href") or "", []
        elif tag in {"em", "i"}:
            self._write("*")
        elif tag in self.BLOCKS:
            self._write("\n\n" if tag != "br" else "\n")
            if tag == "h1" and not self.title:
                self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif tag == "a" and self.href is not None:
            text = " ".join("".join(self.anchor).split())
            href = urljoin(self.base_url, self.href) if self.base_url else self.href
            self.links.append(href)
            self.href = None
            self._write(f"[{text}](#) [{len(self.links)}]")
        elif tag in {"em", "i"}:
            self._write("*")
        elif tag == "h1" and self.heading is not None:
            self.title = " ".join("".join(self.heading).split())
            self.heading = None
        elif tag in self.BLOCKS:
            self._write("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._write(data)

    def _write(self, text: str) -> None:
        if self.heading is not None:
            self.heading.append(text)  # the title goes first, as "# title", not in the body
        elif self.href is not None:
            self.anchor.append(text)
        else:
            self.parts.append(text)


def html_to_text(html: str, base_url: str = "") -> str:
    """Reduce an HTML page to the text-export layout the page parser reads."""
    parser = _TextExport(base_url)
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    head = f"# {parser.title}\n\n" if parser.title else ""
    source = f"\n\nURL canonique : <{parser.canonical}>" if parser.canonical else ""
    links = "\n".join(f"- [{n}] <{href}>" for n, href in enumerate(parser.links, start=1))
    return f"{head}{body}{source}\n\nLiens\n\n{links}\n"


# ----------------------------------------------------------------------------- page model


@dataclass
class Attachment:
    """A file attached to the page."""

    title: str
    type_hint: str = ""
    issued: date | None = None
    month_only: bool = False
    size: int | None = None
    size_text: str = ""
    url: str = ""
    toc: list[str] = field(default_factory=list)


@dataclass
class Page:
    """What the page says about itself."""

    title: str = ""
    title_from_url: bool = False
    body: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    taxonomy: dict[str, list[str]] = field(default_factory=dict)
    issued: date | None = None
    modified: date | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    source: str = ""


def parse_size(number: str, unit: str) -> int:
    """'1.19', 'Mo' -> bytes (binary multiples, as the site's CMS computes them)."""
    return int(float(number.replace(",", ".")) * UNITS[unit.lower()])


def _french_date(text: str) -> date | None:
    if m := _DAY_DATE.search(text):
        return date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    if m := _NUM_DATE.search(text):
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return None


def _french_datetime(text: str) -> datetime | None:
    day = _french_date(text)
    clock = re.search(r"(\d{1,2})[:h](\d{2})", text)
    if day is None or clock is None:
        return None
    return datetime(day.year, day.month, day.day, int(clock[1]), int(clock[2]), tzinfo=PARIS)


def parse_page(text: str, url: str = "") -> Page:
    """Read the text export (or html_to_text's output) of a news page."""
    lines = text.replace("\r\n", "\n").split("\n")
    links: dict[str, str] = {}
    if "Liens" in [line.strip() for line in lines]:
        cut = [line.strip() for line in lines].index("Liens")
        for line in lines[cut + 1 :]:
            if m := _LINK_LINE.match(line):
                links[m.group(1)] = m.group(2)
        lines = lines[:cut]
    page = Page(source=url)
    content, last_key = [], ""
    for line in lines:
        stripped = line.strip()
        key, match = next(
            ((k, m) for k, r in _META.items() if (m := r.match(stripped))), ("", None)
        )
        if match is not None:
            last_key = key
            _read_meta(page, key, match, links)
        elif last_key and stripped and _REF.fullmatch(stripped):
            page.taxonomy.setdefault(last_key, []).extend(t for t, _, _ in _REF.findall(stripped))
        elif stripped.startswith("URL canonique"):
            page.source = page.source or stripped.split("<", 1)[-1].rstrip(">")
        elif not last_key:
            content.append(line)
    paragraphs = [p.strip() for p in "\n".join(content).split("\n\n") if p.strip()]
    if paragraphs and paragraphs[0].startswith("# "):
        page.title = paragraphs.pop(0)[2:].strip()
    _split_body_and_attachments(page, paragraphs, links)
    if not page.title and page.source:
        page.title, page.title_from_url = _title_from_url(page.source), True
    return page


def _read_meta(page: Page, key: str, match: re.Match[str], links: dict[str, str]) -> None:
    if key in {"type", "themes", "territories"}:
        page.taxonomy.setdefault(key, []).extend(t for t, _, _ in _REF.findall(match.group(1)))
    elif key == "dates":
        page.published_at = _french_datetime(match.group(1))
    elif key == "published":
        page.issued = _french_date(match.group(1))
    elif key == "source":
        page.modified = _french_date(match.group(1))
        page.modified_at = _french_datetime(match.group(1))
        page.source = page.source or match.group(2)


def _split_body_and_attachments(page: Page, paragraphs: list[str], links: dict[str, str]) -> None:
    """Prose first; then each attachment: title lines, optional contents, size, download link."""
    sizes = [i for i, p in enumerate(paragraphs) if _SIZE.match(p)]
    first_region = sizes[0] if sizes else len(paragraphs)
    begin = next((i for i in range(first_region) if _is_prose(paragraphs[i])), first_region)
    end = begin  # links and captions before the prose (skip links, breadcrumbs) are not body
    while end < first_region and _is_prose(paragraphs[end]):
        end += 1
    page.body = [_REF.sub(r"\1\2", p) for p in paragraphs[begin:end]]
    for paragraph in paragraphs[begin:end]:
        for _, _, number in _REF.findall(paragraph):
            link = links.get(number, "")
            if link.startswith("http") and "javascript" not in link:
                page.references.append(link)
    start = end
    for index in sizes:
        attachment = _attachment(paragraphs[start:index], paragraphs[index])
        after = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
        for text, _, number in _REF.findall(after):
            if text.lower().startswith("téléchargement") or text.lower().startswith(
                "telechargement"
            ):
                attachment.url = links.get(number, "")
        page.attachments.append(attachment)
        start = index + 2


def _is_prose(paragraph: str) -> bool:
    return len(paragraph) >= 60 and paragraph.rstrip().endswith((".", ":", "!", "?", "»"))


def _attachment(region: list[str], size_line: str) -> Attachment:
    toc: list[str] = []
    titles: list[str] = []
    in_toc = False
    month: tuple[int, int] | None = None
    for paragraph in region:
        if "table des matières" in paragraph.lower():
            in_toc = True
            continue
        if in_toc and re.search(r"\.{3,}\s*\d+\s*$", paragraph.splitlines()[0]):
            toc += [
                re.sub(r"\.{3,}\s*(\d+)\s*$", r" (p. \1)", line.strip())
                for line in paragraph.splitlines()
                if line.strip()
            ]
            in_toc = False
            continue
        if m := _MONTH_DATE.search(paragraph):
            month = (int(m.group(2)), MONTHS[m.group(1).lower()])
            paragraph = paragraph[: m.start()].strip(" ,")
        if paragraph:
            titles.append(paragraph)
    raw = titles[-1] if titles else "Pièce jointe"
    hint = ""
    if m := re.match(r"^(.*?)\*(.+?)\*(.*)$", raw, re.S):  # 'Guide pratique *title*, date'
        hint, raw = m.group(1).strip(), m.group(2).strip()
    title = re.sub(r"(\w)- (\w)", r"\1 \2", " : ".join(line.strip() for line in raw.splitlines()))
    title = title[:1].upper() + title[1:]
    size = _SIZE.match(size_line)
    assert size is not None
    return Attachment(
        title=title,
        type_hint=hint or title,
        issued=date(month[0], month[1], 1) if month else None,
        month_only=month is not None,
        size=parse_size(size.group(1), size.group(2)),
        size_text=f"{size.group(1)} {size.group(2)}",
        toc=toc,
    )


def _title_from_url(url: str) -> str:
    slug = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    words = re.sub(r"-\d+$", "", slug).replace("-", " ").strip()
    return words[:1].upper() + words[1:]


# ----------------------------------------------------------------------------- to RDF


@dataclass
class IngestResult:
    """The resource as Turtle, where it should go, and what validation said."""

    slug: str
    iri: str
    turtle: str
    page: Page
    problems: list[Problem] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def map_term(store: EmbeddedStore, label: str, vocab_id: str) -> str | None:
    """The concept of a scheme (else of any scheme) with this label, folded."""
    index = get_label_index(store)
    key = tuple(normalise(label).split())
    concepts = sorted({e.concept for e in index.entries.get(key, [])})
    preferred = [c for c in concepts if index.scheme.get(c) == SCHEMES[vocab_id]]
    return (preferred or concepts or [None])[0]


def _short_slug(title: str, year: int | None, limit: int = 50) -> str:
    slug = slugify(title, max_length=200)
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return f"{slug}-{year}" if year else slug


def _n3(value: object, lang: str | None = None, datatype: str | None = None) -> str:
    if isinstance(value, URIRef):
        return value.n3()
    dt = URIRef(f"http://www.w3.org/2001/XMLSchema#{datatype}") if datatype else None
    return Literal(str(value), lang=lang, datatype=dt).n3()


def _objects(values: list[tuple[str, str]]) -> str:
    """'<a> ,  # why' lines for a multi-valued property (comments for the reviewer)."""
    lines = []
    for number, (iri, why) in enumerate(values):
        end = " ;" if number == len(values) - 1 else " ,"
        lines.append(f"        {URIRef(iri).n3()}{end}" + (f"  # {why}" if why else ""))
    return "\n" + "\n".join(lines)


def _picked(
    hits: list[Suggestion], vocabs: set[str], limit: int, threshold: float = SUBJECT_THRESHOLD
) -> list[tuple[str, str]]:
    chosen = [h for h in hits if h.vocab_id in vocabs and h.score >= threshold][:limit]
    return [(h.iri, f'suggested {h.score:.2f}: "{h.matched}" ({h.matched_kind})') for h in chosen]


def _merge(*groups: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for group in groups:
        for iri, why in group:
            seen.setdefault(iri, why)
    return list(seen.items())


def build_turtle(store: EmbeddedStore, page: Page) -> IngestResult:
    """The resource and its attachments as commented Turtle, ready for review."""
    if not page.title:
        raise IngestError("no title found: give the page URL with --url (its slug makes the title)")
    if page.issued is None:
        raise IngestError("no publication date found ('Publié le ...')")
    slug = _short_slug(page.title, page.issued.year)
    iri = f"{BASE}resources/{slug}"
    unmapped: list[str] = []

    def mapped(key: str, vocab_id: str, why: str) -> list[tuple[str, str]]:
        found = []
        for label in page.taxonomy.get(key, []):
            concept = map_term(store, label, vocab_id)
            if concept:
                found.append((concept, f'{why}: "{label}"'))
            else:
                unmapped.append(f'{why} "{label}"')
        return found

    text = "\n\n".join(page.body + [a.title for a in page.attachments])
    hits = suggest(store, text, title=page.title, limit=60)
    types = mapped("type", "types", "page type") or [(SCHEMES["types"] + "/actualite", "default")]
    subjects = _merge(
        mapped("themes", "thematiques", "page theme"),
        _picked(hits, {"notions", "thematiques"}, MAX_SUBJECTS),
    )
    spatial = _merge(
        mapped("territories", "territoires", "page territory"),
        _picked(hits, {"territoires"}, 5, 0.0),
    )
    out = [
        f"# Resource ingested by `graph-service ingest` from {page.source or 'a file'}.",
        "# REVIEW before committing: subjects marked 'suggested' come from label matching.",
        "",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix schema: <https://schema.org/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"<{iri}>",
        "    a schema:NewsArticle ;",
        f"    dct:title {_n3(page.title, 'fr')} ;",
    ]
    if page.body:
        out.append(f"    dct:description {_n3(page.body[0], 'fr')} ;")
    out.append(f"    dct:issued {_n3(page.issued.isoformat(), datatype='date')} ;")
    if page.modified:
        out.append(f"    dct:modified {_n3(page.modified.isoformat(), datatype='date')} ;")
    for prop, moment in (("datePublished", page.published_at), ("dateModified", page.modified_at)):
        if moment:
            out.append(f"    schema:{prop} {_n3(moment.isoformat(), datatype='dateTime')} ;")
    if page.source:
        out.append(f"    dct:source {URIRef(page.source).n3()} ;")
    out.append('    dct:language "fr" ;')
    out.append("    dct:type" + _objects(types))
    if subjects:
        out.append("    dct:subject" + _objects(subjects))
    if spatial:
        out.append("    dct:spatial" + _objects(spatial))
    parts = [(f"{iri}/{_short_slug(a.title, None, 60)}", a) for a in page.attachments]
    if parts:
        out.append("    dct:hasPart" + _objects([(p, "") for p, _ in parts]))
    if page.references:
        out.append("    dct:references" + _objects([(r, "") for r in page.references]))
    notes = []
    if page.title_from_url:
        notes.append("Title derived from the page URL (the text export has no title): check it.")
    notes += [f"Not found in the vocabulary: {u}." for u in unmapped]
    for note in notes:
        out.append(f"    skos:editorialNote {_n3(note, 'en')} ;")
    out[-1] = out[-1][: -len(" ;")] + " ." if out[-1].endswith(" ;") else out[-1]
    for part_iri, attachment in parts:
        out += _attachment_turtle(store, part_iri, iri, attachment, subjects)
    turtle = "\n".join(out) + "\n"
    return IngestResult(slug, iri, turtle, page, unmapped=unmapped)


def _attachment_turtle(
    store: EmbeddedStore,
    iri: str,
    whole: str,
    attachment: Attachment,
    fallback: list[tuple[str, str]],
) -> list[str]:
    kinds = [h for h in suggest(store, attachment.type_hint, limit=10) if h.vocab_id == "types"]
    kind = (
        (kinds[0].iri, f'suggested: "{kinds[0].matched}"')
        if kinds
        else (SCHEMES["types"] + "/document", "default")
    )
    hits = suggest(store, " ".join([attachment.title, *attachment.toc]), limit=30)
    subjects = _picked(hits, {"notions", "thematiques"}, 6) or fallback[:3]
    lines = [
        "",
        f"<{iri}>",
        "    a schema:DigitalDocument ;",
        f"    dct:title {_n3(attachment.title, 'fr')} ;",
    ]
    if attachment.issued:
        lines.append(f"    dct:issued {_n3(attachment.issued.isoformat(), datatype='date')} ;")
        if attachment.month_only:
            lines.append(f"    skos:note {_n3(MONTH_ONLY_NOTE, 'en')} ;")
    lines.append("    dct:type" + _objects([kind]))
    if attachment.url:
        suffix = Path(urlsplit(attachment.url).path).suffix.lower()
        if suffix == ".pdf":
            lines.append('    dct:format "application/pdf" ;')
        lines.append(f"    dcat:downloadURL {URIRef(attachment.url).n3()} ;")
    if attachment.size is not None:
        lines.append(
            f"    dcat:byteSize {_n3(attachment.size, datatype='nonNegativeInteger')} ;"
            f"  # page: {attachment.size_text}"
        )
    if attachment.toc:
        lines.append(f"    dct:tableOfContents {_n3(chr(10).join(attachment.toc), 'fr')} ;")
    lines.append("    dct:subject" + _objects(subjects))
    lines.append(f"    dct:isPartOf <{whole}> .")
    return lines


def validate_resource(store: EmbeddedStore, result: IngestResult) -> list[Problem]:
    """Check the Turtle against the shapes, with the concepts it cites as context."""
    graph = Graph().parse(data=result.turtle, format="turtle")
    context = Graph()
    cited = {o for o in graph.objects() if isinstance(o, URIRef) and str(o).startswith(BASE)}
    for concept in sorted(cited):
        context += store.construct(
            "CONSTRUCT { $c a ?t ; ?p ?o } WHERE { $c a ?t . OPTIONAL { VALUES ?p { "
            "<http://www.w3.org/2004/02/skos/core#inScheme> "
            "<http://www.w3.org/2004/02/skos/core#topConceptOf> "
            "<http://www.w3.org/2004/02/skos/core#prefLabel> } $c ?p ?o } }",
            {"c": concept},
        )
    return validate_graph(graph, context=context, file=f"{result.slug}.ttl")


def ingest_text(
    store: EmbeddedStore, text: str, *, source_url: str = "", html: bool = False
) -> IngestResult:
    """Parse a page (HTML or text export), build its Turtle and validate it."""
    if html:
        text = html_to_text(text, source_url)
    page = parse_page(text, source_url)
    result = build_turtle(store, page)
    result.problems = validate_resource(store, result)
    return result


def ingest_source(
    store: EmbeddedStore, source: str, *, source_url: str | None = None, allow_private: bool = False
) -> IngestResult:
    """Ingest a FILE (.html or text export) or a URL."""
    if is_url(source):
        fetched = fetch(source, allow_private=allow_private, accept="text/html, text/plain;q=0.8")
        html = "html" in fetched.media_type
        return ingest_text(store, fetched.text(), source_url=source_url or fetched.url, html=html)
    path = Path(source)
    if not path.is_file():
        raise IngestError(f"{source}: no such file")
    html = path.suffix.lower() in {".html", ".htm"}
    text = path.read_text(encoding="utf-8", errors="replace")
    return ingest_text(store, text, source_url=source_url or "", html=html)
