"""Text folding: the one comparison key of labels and queries (case, accents, ligatures, quotes)."""

from __future__ import annotations

import re
import unicodedata

#: The apostrophes people paste from word processors, made plain.
APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}
#: Ligatures spelled out, and apostrophes made plain.
_FOLDED_CHARS = str.maketrans({"œ": "oe", "æ": "ae", **APOSTROPHES})
#: Combining marks left by NFKD (Latin, Greek and Cyrillic accents and their extensions).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Fold case, accents, ligatures, apostrophes and runs of spaces: ' Démocratie  l’Œuvre'
    -> 'democratie l'oeuvre'. Search, suggest, reconcile and validation all compare with it."""
    text = text.casefold()
    if not text.isascii():
        # Quotes first: NFKD would turn an acute accent used as an apostrophe into a space.
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_FOLDED_CHARS)))
        if not text.isascii():
            text = "".join(ch for ch in text if not unicodedata.combining(ch))
    elif "`" in text:
        text = text.translate(_FOLDED_CHARS)
    return " ".join(text.split())


def fold_char(ch: str) -> str:
    """One character folded as `fold` folds it (possibly to two, or none), for highlighting."""
    decomposed = unicodedata.normalize("NFKD", ch.casefold().translate(_FOLDED_CHARS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
