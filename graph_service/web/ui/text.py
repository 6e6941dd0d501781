"""Text helpers of the pages: safe highlighting, JSON-LD for a script element, sizes, dates."""

from __future__ import annotations

import json
import re

from markupsafe import Markup, escape

from graph_service.text import fold, fold_char

_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_WORD = re.compile(r"\w+")  # the words search matches on


def highlight(label: str, query: str) -> Markup:
    """`label` escaped, with the parts matching the query's words (accents and case folded)
    wrapped in <mark>. The label is escaped piece by piece: markup in it stays text."""
    words = [w for w in (fold(t) for t in _WORD.findall(query or "")) if w]
    folded_chars: list[str] = []
    origin: list[int] = []
    for position, ch in enumerate(label):
        for folded in fold_char(ch):
            folded_chars.append(folded)
            origin.append(position)
    folded = "".join(folded_chars)
    marked = [False] * len(label)
    for word in words:
        start = folded.find(word)
        while start >= 0:
            for k in range(start, start + len(word)):
                marked[origin[k]] = True
            start = folded.find(word, start + len(word))
    out: list[str] = []
    position = 0
    while position < len(label):
        end = position
        while end < len(label) and marked[end] == marked[position]:
            end += 1
        piece = str(escape(label[position:end]))
        out.append(f"<mark>{piece}</mark>" if marked[position] else piece)
        position = end
    return Markup("".join(out))  # every piece of data in it went through escape()


def json_ld(data: object) -> Markup:
    """JSON for a <script type="application/ld+json"> element that no value can break out of:
    "<", ">" and "&" are written as \\u escapes, so "</script>" and "<!--" never appear."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(raw, escaped)
    return Markup(text)  # built by json.dumps with markup characters escaped above


def number(value: int, lang: str) -> str:
    """An integer with the thousands separator of the language."""
    text = f"{value:,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def human_size(size: int | None, lang: str) -> str:
    """A byte size as people read it: "1,19 Mo" in French, "1.19 MB" in English (1024-based,
    as the source pages state them)."""
    if size is None:
        return ""
    units = ("o", "Ko", "Mo", "Go", "To") if lang == "fr" else ("B", "KB", "MB", "GB", "TB")
    value, unit = float(size), 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    text = f"{int(value)}" if unit == 0 else f"{value:.2f}"
    if lang == "fr":
        text = text.replace(".", ",")
    return f"{text}\u00a0{units[unit]}"


def format_date(value: str | None, lang: str) -> str:
    """An ISO date (or year-month, or year) written out: "30 mai 2023", "30 May 2023"."""
    if not value:
        return ""
    found = _DATE.match(value)
    if not found:
        return value
    year, month, day = found.groups()
    months = _MONTHS["fr" if lang == "fr" else "en"]
    if not month or not 1 <= int(month) <= 12:
        return year
    if not day:
        return f"{months[int(month) - 1]} {year}"
    day_text = "1er" if lang == "fr" and int(day) == 1 else str(int(day))
    return f"{day_text} {months[int(month) - 1]} {year}"


def iso_date(value: str | None) -> str:
    """The machine-readable date part of a value (for <time datetime>), "" if none."""
    found = _DATE.match(value or "")
    return found.group(0) if found else ""


def shorten(text: str, length: int) -> str:
    """`text` cut to `length` characters with an ellipsis (for the neighbourhood picture)."""
    return text if len(text) <= length else text[: max(1, length - 1)].rstrip() + "…"


def wrap(text: str, width: int, lines: int = 2) -> tuple[str, ...]:
    """`text` broken at spaces into at most `lines` lines of about `width` characters, the last
    one shortened with an ellipsis if the text does not fit (for the neighbourhood picture)."""
    out: list[str] = []
    rest = text.split()
    while rest and len(out) < lines:
        line = rest.pop(0)
        while rest and len(line) + 1 + len(rest[0]) <= width:
            line += " " + rest.pop(0)
        out.append(line)
    if rest or any(len(line) > width for line in out):
        out[-1] = shorten(" ".join([out[-1], *rest]), width)
        out[:-1] = [shorten(line, width) for line in out[:-1]]
    return tuple(out) or ("",)
