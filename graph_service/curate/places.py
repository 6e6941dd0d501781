"""Is this capitalised word a place? Context rules that tell "à Lille" from "avec la Ville".

Suggest matches territory labels like any other label; these rules then say how sure it is
that each match names the place, from 0 (surely not) to 1 (surely):

* hard no (0): the word is joined by a hyphen to another word ("Croix-Rouge"), or stands next
  to another capitalised word that is not a function word, so it is part of a longer proper
  name the vocabulary lacks ("France Travail", "Amiens Nord" for the département Nord); a
  commune after a determiner is a common noun ("avec la Ville", "une Croix", "le Don"), and
  with no place cue before it, one after a number or before "de" and a capitalised word
  starts a longer name ("au 3 Rue de la Paix");
* sure (1): a qualified label ("Dury (Somme)"), or "commune de", "ville de", "village de"
  before the name;
* likely (0.95 after "à", 0.85 else): a place preposition before it ("à Lille", "de
  Roubaix", "d'Amiens", "dans le Nord", "en Somme"), an institution before it ("Région
  Hauts-de-France"), a name of several words written with capitals ("Saint-Omer"), or a
  coordination with a place just accepted ("à Roubaix et Tourcoing");
* possible (0.6): a capitalised word inside a sentence, with none of the above;
* weak (0.3): the first word of a sentence or title with no cue: its capital says nothing
  ("Somme toute", "Rue barrée").

A weak or possible commune gains 0.3 when its département or its EPCI is also accepted in the
text ("Merville ... dans le Nord"); when namesakes compete for one word, those with such
support win. A place already accepted gains 0.1 when a broader territory at any level is named
too ("à Lille ... la région Hauts-de-France"). A match below PLACE_MIN is not a place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from graph_service.curate.textmatch import Token, is_capitalised
from graph_service.text import fold

PLACE_MIN = 0.5
SURE, AT, LIKELY, POSSIBLE, WEAK = 1.0, 0.95, 0.85, 0.6, 0.3
COMENTION_BONUS = 0.3  # a doubtful commune whose département or EPCI is named
CONSISTENT_BONUS = 0.1  # a place whose broader territory (any level) is named too

#: Words before a name that make it a commune: "commune de Dury", "ville d'Amiens".
_PLACE_NOUNS = frozenset(
    ["commune", "communes", "ville", "villes", "village", "villages", "bourg", "municipalite"]
)
#: Prepositions that introduce a place (folded keys); "a" is checked on its surface "à".
_PREPOSITIONS = frozenset(
    ["a", "de", "d", "du", "en", "dans", "sur", "vers", "depuis", "entre", "pres", "autour"]
)
#: Institutions whose name is followed by their territory: "Région Hauts-de-France".
_INSTITUTIONS = frozenset(
    ["region", "departement", "commune", "ville", "metropole", "agglomeration", "prefecture"]
)
#: Function words are compared on their folded surface ("dans"), not on their token key,
#: which is made singular ("dan").
#: Determiners: a commune after one of them is a common noun.
_DETERMINERS = frozenset(
    [
        "le",
        "la",
        "les",
        "l",
        "un",
        "une",
        "ce",
        "cet",
        "cette",
        "ces",
        "mon",
        "ma",
        "mes",
        "ton",
        "ta",
        "son",
        "sa",
        "ses",
        "notre",
        "nos",
        "votre",
        "vos",
        "leur",
        "leurs",
        "au",
        "aux",
        "quel",
        "quelle",
        "chaque",
    ]
)
#: Function words that may stand capitalised next to a name without being part of it.
_FUNCTION_WORDS = _DETERMINERS | _PREPOSITIONS | frozenset(["et", "ou", "pour", "par", "avec"])
#: Words after a town that name a part of it ("Amiens Nord"): the town is still the place.
_QUARTER_WORDS = frozenset(["nord", "sud", "est", "ouest", "centre"])
_SENTENCE_BREAK = re.compile(r"[.!?…\n•;:]")


@dataclass
class PlaceMatch:
    """One occurrence of territory labels in a text: its token span and candidate concepts."""

    start: int  # index of the first token
    end: int  # index after the last token
    candidates: dict[str, bool]  # concept -> whether it is a commune
    acronym: bool = False
    confidence: dict[str, float] = field(default_factory=dict)


def _word(token: Token) -> str:
    """The folded surface of a token: "Dans" -> "dans"."""
    return fold(token.surface)


def _gap(text: str, tokens: Sequence[Token], index: int) -> str:
    """The text between token index-1 and token index (the start of the text for index 0)."""
    before = tokens[index - 1].end if index > 0 else 0
    return text[before : tokens[index].start]


def _sentence_initial(text: str, tokens: Sequence[Token], index: int) -> bool:
    return index == 0 or bool(_SENTENCE_BREAK.search(_gap(text, tokens, index)))


def _joined(gap: str) -> bool:
    """Whether two words are glued into one name ("Croix-Rouge")."""
    return gap in ("-", "‑", "–") or (gap.endswith("-") and not gap.strip(" -"))


def _only_space(gap: str) -> bool:
    return gap != "" and not gap.strip()


def _elided_de(gap: str) -> bool:
    return gap.rstrip().lower().endswith(("d'", "d’"))


def _part_of_longer_name(text: str, tokens: Sequence[Token], start: int, end: int) -> bool:
    """Glued to a word, or next to a capitalised word that is no function word: "Croix-Rouge",
    "France Travail", "Amiens Nord" (for Nord; Amiens stays a place before a quarter word)."""
    if (start > 0 and _joined(_gap(text, tokens, start))) or (
        end < len(tokens) and _joined(_gap(text, tokens, end))
    ):
        return True
    if start > 0 and not _sentence_initial(text, tokens, start):
        previous = tokens[start - 1]
        if (
            _only_space(_gap(text, tokens, start))
            and is_capitalised(previous.surface)
            and _word(previous) not in _FUNCTION_WORDS | _INSTITUTIONS
        ):
            return True
    if end < len(tokens) and _only_space(_gap(text, tokens, end)):
        following = tokens[end]
        return (
            is_capitalised(following.surface)
            and _word(following) not in _FUNCTION_WORDS
            and _word(following) not in _QUARTER_WORDS
        )
    return False


def _cue_before(text: str, tokens: Sequence[Token], start: int, commune: bool) -> float | None:
    """The confidence the words just before the name give, or None when they say nothing."""
    if start == 0:
        return None
    gap = _gap(text, tokens, start)
    previous = tokens[start - 1]
    two_back = _word(tokens[start - 2]) if start > 1 else ""
    if _elided_de(gap):  # "ville d'Amiens", "près d'Arras"
        return SURE if _word(previous) in _PLACE_NOUNS else LIKELY
    if not _only_space(gap):
        return None
    key = _word(previous)
    if commune and key in _DETERMINERS:
        return 0.0  # "avec la Ville", "le Baron"
    if key in _PREPOSITIONS and two_back in _PLACE_NOUNS:
        return SURE  # "commune de Dury"
    if key == "a":
        return AT if previous.surface in ("à", "À") else None  # not the verb "a"
    if key in _PREPOSITIONS or key in _INSTITUTIONS:
        return LIKELY  # "de Roubaix", "Région Hauts-de-France"
    if key in _DETERMINERS and two_back in _PREPOSITIONS:
        return LIKELY  # "dans le Nord", "de la Somme"
    return None


def _names_a_thing(text: str, tokens: Sequence[Token], start: int, end: int) -> bool:
    """A number before the word (an address), or "de"/"du"/"des" (and an article) then a
    capitalised word after it: the start of a longer name, a street or a title."""
    if start > 0 and tokens[start - 1].surface.isdigit():
        return True
    following = [_word(t) for t in tokens[end : end + 2]]
    if not following or following[0] not in ("de", "du", "des", "d"):
        return False
    name_at = end + 2 if len(following) > 1 and following[1] in ("la", "le", "l") else end + 1
    return name_at < len(tokens) and is_capitalised(tokens[name_at].surface)


def context_confidence(
    text: str, tokens: Sequence[Token], match: PlaceMatch, commune: bool
) -> float:
    """How sure the context makes it that the span names a place (rules in the module doc)."""
    start, end = match.start, match.end
    if match.acronym:
        return LIKELY
    if any("(" in _gap(text, tokens, i) for i in range(start + 1, end)):
        return SURE  # "Dury (Somme)": a label that carries its own qualifier
    if _part_of_longer_name(text, tokens, start, end):
        return 0.0
    cue = _cue_before(text, tokens, start, commune)
    if cue is not None:
        return cue
    if commune and _names_a_thing(text, tokens, start, end):
        return 0.0  # "au 3 Rue de la Paix", "Croix du Nord" with no place cue before
    if end - start > 1 and any(is_capitalised(t.surface) for t in tokens[start + 1 : end]):
        return LIKELY  # "Saint-Omer", "La Gorgue", "Pas-de-Calais"
    return WEAK if _sentence_initial(text, tokens, start) else POSSIBLE


def _coordinated(
    text: str, tokens: Sequence[Token], earlier: PlaceMatch, later: PlaceMatch
) -> bool:
    """Whether `later` follows `earlier` in a list: "Roubaix et Tourcoing", "Lille, Roubaix"."""
    if later.start == earlier.end:
        return _gap(text, tokens, later.start).strip() == ","
    if later.start == earlier.end + 1:
        link = tokens[earlier.end]
        return _word(link) in ("et", "ou") and not _gap(text, tokens, earlier.end).strip(" ,")
    return False


def score_places(
    text: str,
    tokens: Sequence[Token],
    matches: list[PlaceMatch],
    parents: Callable[[str], set[str]],
) -> None:
    """Fill each match's confidence per candidate concept (in place); see the module doc."""
    matches.sort(key=lambda m: m.start)
    for match in matches:
        for concept, commune in match.candidates.items():
            match.confidence[concept] = context_confidence(text, tokens, match, commune)
    # A list shares its context: "à Roubaix et Tourcoing", "Roubaix et Tourcoing signent".
    pairs = [
        (earlier, later)
        for earlier, later in pairwise(matches)
        if _coordinated(text, tokens, earlier, later)
    ]
    for earlier, later in [*pairs, *((b, a) for a, b in reversed(pairs))]:
        if max(earlier.confidence.values(), default=0.0) >= PLACE_MIN:
            for concept, value in later.confidence.items():
                if value > 0.0:
                    later.confidence[concept] = max(value, LIKELY)
    accepted = {
        concept
        for match in matches
        for concept, value in match.confidence.items()
        if value >= PLACE_MIN
    }
    for match in matches:
        supported = {
            concept
            for concept, commune in match.candidates.items()
            if commune and match.confidence[concept] > 0.0 and parents(concept) & accepted
        }
        for concept, value in match.confidence.items():
            if concept in supported:
                match.confidence[concept] = min(SURE, value + COMENTION_BONUS)
            elif value >= PLACE_MIN and _ancestors(concept, parents) & accepted:
                match.confidence[concept] = min(SURE, value + CONSISTENT_BONUS)
        if supported and len(match.candidates) > 1:
            for concept in match.candidates.keys() - supported:
                match.confidence[concept] = 0.0  # a namesake elsewhere


def _ancestors(concept: str, parents: Callable[[str], set[str]], depth: int = 6) -> set[str]:
    """The broader territories of a concept at any level (a few levels at most)."""
    found: set[str] = set()
    frontier = {concept}
    for _ in range(depth):
        frontier = {p for c in frontier for p in parents(c)} - found
        if not frontier:
            break
        found |= frontier
    return found
