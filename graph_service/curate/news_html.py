"""Reduce a news page's HTML to the site's text export, the layout the page parser reads."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import ClassVar
from urllib.parse import urljoin


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
        """Open a skipped block, a link, emphasis, a paragraph or the first heading."""
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
        """Close what handle_starttag opened; a link is written as "[text](#) [n]"."""
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
        """Keep text outside skipped blocks (head, scripts, navigation, forms...)."""
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
