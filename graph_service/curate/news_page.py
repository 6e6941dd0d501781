"""Read a news page's text export into a Page: metadata, French dates, body, attachments."""

# The text export has no title line: the title comes from the first heading when there is one
# (HTML pages, "# ..." lines), else from the slug of the page URL ("URL de la source" line or
# --url); the Turtle then says so in an editorial note for the reviewer.

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
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
