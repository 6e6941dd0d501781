"""Choosing the label to show in a language, with fallbacks (asked language, fr, en, any)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from rdflib import Literal
from rdflib.term import Node

DEFAULT_LANGUAGES = ("fr", "en")


def language_order(lang: str | None) -> tuple[str, ...]:
    """The languages to try, best first, for a wanted language."""
    order = [lang] if lang else []
    order += [code for code in DEFAULT_LANGUAGES if code != lang]
    return tuple(order)


def best_language(available: Collection[str], lang: str | None = None) -> str | None:
    """Of the language codes at hand ("" for untagged), the one to show for `lang`: it, then fr,
    then en, then untagged, then the first in order; None when there is none."""
    if not available:
        return None
    for code in (*language_order(lang), ""):
        if code in available:
            return code
    return min(available)


def pick(values: Iterable[Node], lang: str | None = None) -> Literal | None:
    """The literal best fitting `lang`, then fr, then en, then untagged, then any; None if none."""
    by_lang: dict[str, Literal] = {}
    for literal in sorted((v for v in values if isinstance(v, Literal)), key=str):
        by_lang.setdefault((literal.language or "").lower(), literal)
    code = best_language(by_lang, lang)
    return None if code is None else by_lang[code]


def notation_key(value: object) -> tuple[bool, str]:
    """Sort key of notations, the one to show first: plain strings before typed ones (a commune's
    INSEE code "59350" before its SIREN "215903501"^^pdvo:SIREN), then by text."""
    datatype = getattr(value, "datatype", None)  # rdflib and pyoxigraph literals both have it
    return (bool(datatype) and str(datatype) not in _PLAIN, str(value))


#: The datatype of a plain string literal, as rdflib (None) and pyoxigraph (xsd:string) say.
_PLAIN = {"http://www.w3.org/2001/XMLSchema#string", "<http://www.w3.org/2001/XMLSchema#string>"}
