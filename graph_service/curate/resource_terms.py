"""The concepts a resource's form names: labels resolved to IRIs, schemes checked, choices listed.

A form's subjects and territories may be typed as IRIs or as exact labels (without JavaScript
there is no autocomplete to pick from). Labels are looked up in the search index the
autocomplete uses (accents and case ignored, whole label only), within the field's scheme; a
label naming several concepts is refused rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from graph_service.curate.edit_plan import FieldProblem
from graph_service.curate.resource_draft import ResourceDraft
from graph_service.curate.resource_messages import message
from graph_service.labels import best_language
from graph_service.model.base import SPARQL_PREFIXES, rows, truthy, values_block
from graph_service.model.stats import list_concepts
from graph_service.namespaces import scheme_iri, valid_iri
from graph_service.search.index import get_index
from graph_service.store import Store
from graph_service.text import fold

#: Where each field's labels are looked up (in order), and the scheme its IRIs must be in
#: (None: any concept of the store).
FIELD_VOCABS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "type": (("types",), "types"),
    "themes": (("thematiques",), "thematiques"),
    "territories": (("territoires",), "territoires"),
    "subjects": (("notions", "thematiques"), None),
}
_IRI_START = re.compile(r"^https?://", re.IGNORECASE)
_SEARCH_HITS = 20


@dataclass(frozen=True)
class Choice:
    """A concept offered in a form (a select's option, a checkbox): IRI and label."""

    iri: str
    label: str
    lang: str = ""


def scheme_choices(store: Store, vocab_id: str, lang: str) -> list[Choice]:
    """Every concept of a small scheme (types, thematiques) with its label, by label."""
    page = list_concepts(store, vocab_id, limit=1000)
    if page is None:
        return []
    choices = []
    for item in page.items:
        code = best_language(item.pref_labels, lang)
        label = item.pref_labels[code] if code is not None else item.iri
        choices.append(Choice(item.iri, label, code or ""))
    return sorted(choices, key=lambda c: (fold(c.label), c.iri))


def is_iri_value(value: str) -> bool:
    """Whether a typed value is meant as an IRI (http or https) rather than a label."""
    return bool(_IRI_START.match(value))


def find_by_label(store: Store, text: str, vocab_id: str) -> list[str]:
    """The concepts of a vocabulary with exactly this label (accents and case ignored)."""
    wanted = fold(text)
    query = " ".join(wanted.replace("*", " ").split())
    if not query:
        return []
    hits = get_index(store).search(query, vocab_id=vocab_id, limit=_SEARCH_HITS)
    return sorted({h.iri for h in hits if fold(h.matched_label) == wanted})


def _resolve_value(
    store: Store, name: str, value: str, lang: str
) -> tuple[str, FieldProblem | None]:
    """The IRI a typed value stands for, or the value and why it stands for none."""
    if is_iri_value(value):
        if not valid_iri(value):
            return value, FieldProblem(name, message("bad_iri", lang, value=value))
        return value, None
    vocabs, _ = FIELD_VOCABS[name]
    for vocab_id in vocabs:
        found = find_by_label(store, value, vocab_id)
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            some = ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")
            text = message("ambiguous", lang, value=value, count=len(found), some=some)
            return value, FieldProblem(name, text)
    return value, FieldProblem(name, message("no_label", lang, value=value))


def resolve_terms(
    store: Store, draft: ResourceDraft, lang: str = "en"
) -> tuple[ResourceDraft, list[FieldProblem]]:
    """The draft with labels replaced by the IRIs they name, and the values that name none
    (said in `lang`, French or English)."""
    problems: list[FieldProblem] = []
    resolved: dict[str, list[str]] = {}
    for name in ("themes", "territories", "subjects"):
        iris = []
        for value in getattr(draft, name):
            iri, problem = _resolve_value(store, name, value, lang)
            iris.append(iri)
            if problem:
                problems.append(problem)
        resolved[name] = list(dict.fromkeys(iris))
    kind = draft.type
    if kind:
        kind, problem = _resolve_value(store, "type", kind, lang)
        if problem:
            problems.append(problem)
    resolved_draft = replace(
        draft,
        type=kind,
        themes=resolved["themes"],
        territories=resolved["territories"],
        subjects=resolved["subjects"],
    )
    return resolved_draft, problems


@dataclass(frozen=True)
class Membership:
    """What the store says of an IRI: whether it is a concept, and its schemes."""

    concept: bool
    schemes: frozenset[str]


def memberships(store: Store, iris: list[str]) -> dict[str, Membership]:
    """Concept-ness and schemes of a few IRIs in one query (absent IRIs: no concept, no scheme)."""
    unique = [i for i in dict.fromkeys(iris) if valid_iri(i)]
    found: dict[str, Membership] = {i: Membership(False, frozenset()) for i in iris}
    if not unique:
        return found
    values, bindings = values_block("c", unique)
    answer = rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT ?c ?s ?concept WHERE {{ {values}
  OPTIONAL {{ ?c skos:inScheme|skos:topConceptOf ?s }}
  BIND(EXISTS {{ ?c a skos:Concept }} AS ?concept)
}}""",
        bindings,
    )
    schemes: dict[str, set[str]] = {i: set() for i in unique}
    concept: dict[str, bool] = dict.fromkeys(unique, False)
    for row in answer:
        iri = str(row["c"])
        concept[iri] = concept[iri] or truthy(row.get("concept"))
        if "s" in row:
            schemes[iri].add(str(row["s"]))
    for iri in unique:
        found[iri] = Membership(concept[iri], frozenset(schemes[iri]))
    return found


def check_terms(store: Store, draft: ResourceDraft, lang: str = "en") -> list[FieldProblem]:
    """Problems of the draft's resolved IRIs: a type, theme or territory outside its scheme, a
    subject that is no concept of the store. Values still labels were reported already."""
    fields = {name: list(getattr(draft, name)) for name in ("themes", "territories", "subjects")}
    fields["type"] = [draft.type] if draft.type else []
    iris = [v for values in fields.values() for v in values if is_iri_value(v) and valid_iri(v)]
    known = memberships(store, iris)
    problems = []
    for name, values in fields.items():
        _, vocab_id = FIELD_VOCABS[name]
        for value in values:
            if value not in known:
                continue
            member = known[value]
            if vocab_id is None:
                if not member.concept:
                    problems.append(FieldProblem(name, message("not_concept", lang, value=value)))
            elif not member.concept or scheme_iri(vocab_id) not in member.schemes:
                text = message("not_in_scheme", lang, value=value, vocab=vocab_id)
                problems.append(FieldProblem(name, text))
    return problems


def themes_among(store: Store, iris: list[str]) -> set[str]:
    """Those of the IRIs that are concepts of the thematiques scheme (themes, not subjects)."""
    themes = scheme_iri("thematiques")
    return {iri for iri, m in memberships(store, iris).items() if themes in m.schemes}
