"""Concept cards for other sites: the short form of a concept (card, summary, frame size)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from graph_service.model.base import Label, Ref, best_for_language
from graph_service.model.concept import Concept, concept_details
from graph_service.namespaces import BASE, valid_iri, vocab_id_of
from graph_service.search.index import get_index
from graph_service.store import Store

#: Longest definition shown on a card, in characters (cut at a word boundary).
DEFINITION_LIMIT = 240
#: Longest label shown on a card; labels are short, this only bounds the card's size.
LABEL_LIMIT = 120
#: Related concepts shown on a card.
RELATED_LIMIT = 3
#: Frame width offered by oEmbed when the consumer sets no maximum (the card is fluid).
DEFAULT_WIDTH = 400
MIN_HEIGHT = 120


@dataclass(frozen=True)
class CardLink:
    """A concept named on a card (broader, related): its IRI and label in the card's language."""

    iri: str
    label: str
    lang: str


@dataclass(frozen=True)
class Card:
    """What a card shows of a concept, in one language, with the texts already shortened."""

    iri: str
    label: str
    label_lang: str
    scheme_iri: str
    scheme_title: str
    scheme_lang: str
    definition: str
    definition_lang: str
    broader: CardLink | None
    related: tuple[CardLink, ...]
    deprecated: bool
    lang: str
    #: The label to show: `label`, qualified for a namesake commune ("Dury (Somme)").
    display_label: str = ""


def shorten(text: str, limit: int = DEFINITION_LIMIT) -> str:
    """The text cut at a word boundary before `limit` characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    # A word longer than 40% of the limit is cut inside rather than leaving a stub.
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—(") + "…"


def pick_label(labels: Iterable[Label], lang: str | None) -> Label | None:
    """The label in `lang`, then French, then English, then untagged, then any."""
    return best_for_language(labels, lambda label: label.lang, lang)


def _link(ref: Ref) -> CardLink:
    return CardLink(ref.iri, shorten(ref.label, LABEL_LIMIT), ref.lang)


def _scheme(concept: Concept) -> Ref | None:
    """The scheme the concept is filed under (its vocabulary), else its first scheme."""
    schemes = (*concept.schemes, *concept.top_concept_of)
    for ref in schemes:
        if vocab_id_of(ref.iri) == concept.vocab_id:
            return ref
    return schemes[0] if schemes else None


def card_of(concept: Concept, lang: str) -> Card:
    """The card of a concept already read from the store (labels picked for `lang`)."""
    definition = pick_label(concept.definitions, lang) or pick_label(concept.scope_notes, lang)
    scheme = _scheme(concept)
    return Card(
        iri=concept.iri,
        label=shorten(concept.pref_label, LABEL_LIMIT),
        label_lang=concept.pref_lang,
        scheme_iri=scheme.iri if scheme else "",
        scheme_title=shorten(scheme.label, LABEL_LIMIT) if scheme else "",
        scheme_lang=scheme.lang if scheme else "",
        definition=shorten(definition.value) if definition else "",
        definition_lang=definition.lang if definition else "",
        broader=_link(concept.broader[0]) if concept.broader else None,
        related=tuple(_link(ref) for ref in concept.related[:RELATED_LIMIT]),
        deprecated=concept.deprecated,
        lang=lang,
        display_label=shorten(concept.display_label or concept.pref_label, LABEL_LIMIT),
    )


def build_card(store: Store, iri: str, lang: str) -> Card | None:
    """The card of the concept `iri` in `lang`, or None if the store has no such concept (nor
    can have: a path or URL may spell no IRI at all, like `a b`)."""
    if not valid_iri(iri):
        return None
    concept = concept_details(store, iri, lang)
    return None if concept is None else card_of(concept, lang)


def find_by_label(
    store: Store, label: str, lang: str | None = None, vocab_id: str | None = None
) -> tuple[str, str] | None:
    """(IRI, language of the matched label) of the concept best matching a label: exact, then
    ignoring case and accents; preferred before alternative labels; a concept of our own
    schemes before an imported vocabulary's (an import must not change what other sites'
    cards show), unless `vocab_id` names the vocabulary; a label in `lang` first."""
    if not label.strip():
        return None
    hits = get_index(store).lookup(label.strip(), vocab_id=vocab_id)
    if not hits:
        return None
    best = min(
        hits,
        key=lambda hit: (not hit.iri.startswith(BASE), not (lang and hit.matched_lang == lang)),
    )
    return best.iri, best.matched_lang


def summary_of(card: Card, page_url: str, card_url: str) -> dict[str, object]:
    """The summary JSON of a card (the hover cards of /embed.js read it)."""
    return {
        "uri": card.iri,
        "label": card.label,
        "lang": card.label_lang,
        "definition": card.definition,
        "definitionLang": card.definition_lang,
        "scheme": card.scheme_title,
        "schemeUri": card.scheme_iri,
        "url": page_url,
        "card_url": card_url,
    }


def _wrapped_lines(text: str, char_px: float, width: float) -> int:
    """Lines a text takes at `width` pixels, wrapping words greedily (long words are broken)."""
    lines, line = 0, 0.0
    for word in text.split():
        size = len(word) * char_px
        if lines and line + char_px + size <= width:
            line += char_px + size
            continue
        lines += 1
        line = size
        while line > width:
            lines += 1
            line -= width
    return lines


#: Per part of the card: average character width and line height, in pixels, measured in
#: chromium on every card of the vocabulary at 200 to 400 pixels (widths rounded up).
_METRICS = {
    "scheme": (7.8, 16.0),
    "label": (11.4, 23.4),
    "definition": (8.4, 21.3),
    "relation": (7.3, 18.6),
    "notice": (7.0, 19.0),
}


def frame_size(card: Card, maxwidth: int | None, maxheight: int | None) -> tuple[int, int]:
    """Width and height of an iframe holding the card, within the consumer's maxima.

    The height is estimated from the texts at the card's font sizes (see _METRICS); when the
    frame is shorter (maxheight), the card shrinks its definition to fit.
    """
    width = DEFAULT_WIDTH if maxwidth is None else min(DEFAULT_WIDTH, maxwidth)
    inner = max(width - 34, 40)  # padding and border of the card
    parts = [
        ("scheme", card.scheme_title),
        ("label", card.label),
        ("notice", "Concept obsolète" if card.deprecated else ""),
        ("definition", card.definition or "Pas de définition."),
        ("relation", f"Générique : {card.broader.label}" if card.broader else ""),
        ("relation", "Associés : " + " · ".join(r.label for r in card.related)),
        ("notice", "Voir la fiche complète ↗"),
    ]
    shown = [(kind, text) for kind, text in parts if text and text != "Associés : "]
    height = 32.0 + 6 * (len(shown) - 1)  # padding, border and gaps between parts
    for kind, text in shown:
        char_px, line_px = _METRICS[kind]
        height += _wrapped_lines(text, char_px, inner) * line_px
    height = max(MIN_HEIGHT, math.ceil(height) + 4)
    if maxheight is not None:
        height = min(height, maxheight)
    return width, height
