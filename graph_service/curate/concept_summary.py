"""One readable line per concept action, for the review queue of proposed changes.

« Nouveau concept « Budget participatif jeunesse » sous « Démocratie participative » »: the
concepts named by their labels in the reader's language as the store has them now, the new
concept by its draft's. A malformed action still gets a line (the queue must show it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rdflib import URIRef

from graph_service.curate.concept_draft import ConceptDraft, DraftError, draft_from_json
from graph_service.curate.concept_work import Workspace
from graph_service.namespaces import valid_iri
from graph_service.store import Store

#: Phrases by key: (French, English).
_PHRASES: dict[str, tuple[str, str]] = {
    "create": ("Nouveau concept {concept}", "New concept {concept}"),
    "under": (" sous {parents}", " under {parents}"),
    "update": ("Modification du concept {concept}", "Changes to concept {concept}"),
    "moved": (", déplacé sous {parents}", ", moved under {parents}"),
    "made_top": (", devient concept de tête", ", made a top concept"),
    "deprecate": ("Concept {concept} déclaré obsolète", "Concept {concept} deprecated"),
    "replaced": (", remplacé par {concept}", ", replaced by {concept}"),
    "merge": ("Fusion de {concept} dans {winner}", "Merge of {concept} into {winner}"),
    "unknown": ("Modification non reconnue ({kind})", "Unrecognised change ({kind})"),
    "and": (" et ", " and "),
}


def _say(key: str, lang: str, **values: str) -> str:
    french, english = _PHRASES[key]
    return (english if lang == "en" else french).format(**values)


def action_summary(store: Store, action: Mapping[str, object], lang: str = "fr") -> str:
    """One line saying what a concept action does, in `lang` (fr or en)."""
    ws = Workspace(store)
    kind = str(action.get("kind", "")) if isinstance(action, Mapping) else ""

    def name(iri: object) -> str:
        if not isinstance(iri, str) or not valid_iri(iri):
            return f"« {str(iri)[:80]} »"
        return f"« {ws.label(URIRef(iri), lang)} »"

    def names(iris: list[str]) -> str:
        return _say("and", lang).join(name(iri) for iri in iris)

    try:
        if kind in {"concept.create", "concept.update"}:
            draft = draft_from_json(action.get("draft"))
            return _draft_line(ws, kind, draft, lang, names)
        if kind == "concept.deprecate":
            line = _say("deprecate", lang, concept=name(action.get("uri")))
            if action.get("replacement"):
                line += _say("replaced", lang, concept=name(action.get("replacement")))
            return line
        if kind == "concept.merge":
            winner = name(action.get("winner"))
            return _say("merge", lang, concept=name(action.get("loser")), winner=winner)
    except DraftError:
        pass
    return _say("unknown", lang, kind=kind[:40] or "?")


def _draft_line(
    ws: Workspace,
    kind: str,
    draft: ConceptDraft,
    lang: str,
    names: Callable[[list[str]], str],
) -> str:
    """The line of a creation (where the concept goes) or of an update (and its move)."""
    if kind == "concept.create":
        line = _say("create", lang, concept=f"« {draft.label(lang)} »")
        return line + (_say("under", lang, parents=names(draft.broader)) if draft.broader else "")
    line = _say("update", lang, concept=f"« {draft.label(lang)} »")
    if draft.iri and valid_iri(draft.iri):
        before = {str(node) for node in ws.broader(URIRef(draft.iri))}
        if before != set(draft.broader):
            if draft.broader:
                line += _say("moved", lang, parents=names(draft.broader))
            else:
                line += _say("made_top", lang)
    return line
