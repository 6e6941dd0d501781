"""Choosing the label to show in a language, with fallbacks (asked language, fr, en, any)."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal
from rdflib.term import Node

DEFAULT_LANGUAGES = ("fr", "en")


def language_order(lang: str | None) -> tuple[str, ...]:
    """The languages to try, best first, for a wanted language."""
    order = [lang] if lang else []
    order += [code for code in DEFAULT_LANGUAGES if code != lang]
    return tuple(order)


def pick(values: Iterable[Node], lang: str | None = None) -> Literal | None:
    """The literal best fitting `lang`, then fr, then en, then untagged, then any; None if none."""
    literals = [v for v in values if isinstance(v, Literal)]
    if not literals:
        return None
    by_lang: dict[str, Literal] = {}
    for literal in sorted(literals, key=str):
        by_lang.setdefault((literal.language or "").lower(), literal)
    for code in (*language_order(lang), ""):
        if code in by_lang:
            return by_lang[code]
    return by_lang[min(by_lang)]
