"""Text normalisation shared by suggest, ingest and reconcile: folding, elision, plurals, tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph_service.text import APOSTROPHES, fold

#: Made plain before tokenizing, so that "l’empowerment" is one token with its elision.
_APOSTROPHES = str.maketrans(APOSTROPHES)
#: French elided articles and pronouns: "l'empowerment" -> "empowerment".
ELISIONS = ("l", "d", "qu", "j", "m", "n", "s", "t", "c", "jusqu", "lorsqu", "puisqu", "quoiqu")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
#: Plural endings whose singular is not the word minus its final s (French then English).
_IRREGULAR_PLURALS = (
    ("eaux", "eau"),
    ("aux", "al"),  # locaux -> local, territoriaux -> territorial
    ("ies", "y"),  # cities -> city
)
#: Words that end in s (or x) in the singular and must not be stripped.
_INVARIABLE = frozenset(
    [
        "bus",
        "cas",
        "choix",
        "corps",
        "dos",
        "fois",
        "gens",
        "mois",
        "pays",
        "poids",
        "prix",
        "processus",
        "temps",
        "vers",
        "virus",
    ]
)


#: Words that add nothing to a label's specificity ("politique de la ville" has two content
#: words); folded keys, as tokenize makes them.
FUNCTION_WORDS = frozenset(
    {"a", "au", "aux", "d", "de", "du", "des", "en", "et", "l", "la", "le", "les", "ou", "par"}
    | {"pour", "sur", "un", "une", "and", "for", "in", "of", "on", "the", "to"}
)


def content_words(key: tuple[str, ...]) -> int:
    """How many words of a label key are not function words (at least 1)."""
    return max(1, sum(1 for word in key if word not in FUNCTION_WORDS))


@dataclass(frozen=True)
class Token:
    """One word of a text: its folded, elision-free, singular key and where it was found."""

    key: str
    surface: str
    start: int
    end: int


def singular(word: str) -> str:
    """A simple French/English singular of a folded word ('conseils' -> 'conseil')."""
    if len(word) <= 3 or word in _INVARIABLE:
        return word
    for plural, single in _IRREGULAR_PLURALS:
        if word.endswith(plural) and len(word) > len(plural) + 2:
            return word[: -len(plural)] + single
    if word.endswith(("s", "x")) and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def strip_elision(word: str) -> str:
    """Drop a leading elided article: "l'empowerment" -> "empowerment" (word already folded)."""
    head, sep, tail = word.partition("'")
    if sep and head in ELISIONS and tail:
        return tail
    return word.replace("'", "")


def tokenize(text: str) -> list[Token]:
    """Split text into tokens with folded, singular keys; hyphens separate words."""
    normalised = text.translate(_APOSTROPHES)
    tokens = []
    for match in _TOKEN.finditer(normalised):
        surface = match.group(0)
        folded = fold(surface)
        start = match.start()
        if "'" in folded:
            head = folded.partition("'")[0]
            if head in ELISIONS:
                start += len(head) + 1
                surface = surface[len(head) + 1 :]
        key = singular(strip_elision(folded))
        if key:
            tokens.append(Token(key, surface, start, match.end()))
    return tokens


def label_key(label: str) -> tuple[str, ...]:
    """The token keys of a label, the unit labels are compared by ('Conseils citoyens')."""
    return tuple(t.key for t in tokenize(label))


def normalise(text: str) -> str:
    """A label's comparison key as one string ('L’Empowerment' -> 'empowerment')."""
    return " ".join(label_key(text))


def within_one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def is_capitalised(surface: str) -> bool:
    """Whether a word is written with a capital first letter ('Lille', 'EPCI')."""
    return bool(surface) and surface[0].isupper()


def slugify(text: str, max_length: int = 80) -> str:
    """An ASCII, lower-case, hyphenated slug ('Démocratie participative' -> 'democratie-...')."""
    folded = fold(text)
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return slug[:max_length].rstrip("-") or "item"
