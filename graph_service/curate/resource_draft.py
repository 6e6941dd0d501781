"""A resource as its edit form holds it (ResourceDraft), read from a form or JSON, and back.

The draft keeps what was typed, unchecked: the planner (curate/resource_edit.py) checks it
against the store and files each problem under its field, so that a refused form shows the
values as the librarian typed them. Only input no form can send (JSON of the wrong shape,
values past the size limits) is refused here, with ResourceDraftError.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from graph_service.curate.edit_plan import WHOLE_FORM, FieldProblem
from graph_service.exceptions import GraphServiceError
from graph_service.namespaces import MAX_IRI_LENGTH

#: Lengths past which a value is refused outright (no title or summary comes close).
MAX_TITLE = 1000
MAX_DESCRIPTION = 20_000
MAX_TERMS = 200  # subjects, themes or territories of one resource
MAX_LANGUAGES = 20
#: The list fields of a draft, and the text fields holding one value.
LIST_FIELDS = ("themes", "territories", "subjects")
TEXT_FIELDS = ("date", "url", "type", "language")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


class ResourceDraftError(GraphServiceError):
    """A draft that cannot even be read (422), with its problems by field."""

    status = 422

    def __init__(self, problems: list[FieldProblem] | tuple[FieldProblem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field or 'form'}: {p.message}" for p in self.problems))


@dataclass(frozen=True)
class ResourceDraft:
    """The editable properties of a resource: titles and descriptions by language, issue
    date, URL (dct:source), type, themes and subjects (dct:subject), territories
    (dct:spatial) and language. Terms are IRIs, or exact labels still to be resolved."""

    iri: str = ""  # "" for a new resource
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    date: str = ""
    url: str = ""
    type: str = ""
    themes: list[str] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    language: str = "fr"


def _unique(values: list[str]) -> list[str]:
    """Values stripped, blanks dropped, each kept once in its first place."""
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


def _lines(values: list[str]) -> list[str]:
    """Every line of every value (a textarea gives many, checkboxes one each)."""
    return _unique([line for value in values for line in value.splitlines()])


def _check_sizes(draft: ResourceDraft) -> ResourceDraft:
    """The draft, or ResourceDraftError when a value is past its limit."""
    problems = []
    for kind, texts, limit in (
        ("title", draft.title, MAX_TITLE),
        ("description", draft.description, MAX_DESCRIPTION),
    ):
        if len(texts) > MAX_LANGUAGES:
            problems.append(FieldProblem(WHOLE_FORM, f"at most {MAX_LANGUAGES} languages"))
        for lang, text in texts.items():
            if not _LANG.match(lang):
                problems.append(FieldProblem(f"{kind}.{lang}", "not a language tag"))
            elif len(text) > limit:
                problems.append(FieldProblem(f"{kind}.{lang}", f"at most {limit:,} characters"))
    for name in TEXT_FIELDS:
        if len(getattr(draft, name)) > MAX_IRI_LENGTH:
            problems.append(FieldProblem(name, f"at most {MAX_IRI_LENGTH:,} characters"))
    for name in LIST_FIELDS:
        values: list[str] = getattr(draft, name)
        if len(values) > MAX_TERMS:
            problems.append(FieldProblem(name, f"at most {MAX_TERMS} values"))
        elif any(len(v) > MAX_IRI_LENGTH for v in values):
            problems.append(FieldProblem(name, f"at most {MAX_IRI_LENGTH:,} characters a value"))
    if len(draft.iri) > MAX_IRI_LENGTH:
        problems.append(FieldProblem(WHOLE_FORM, "the resource's IRI is too long"))
    if problems:
        raise ResourceDraftError(problems)
    return draft


def _texts_of_form(form: Mapping[str, list[str]], kind: str) -> dict[str, str]:
    """`title.fr`, `title.en`... fields as {lang: text}, blanks dropped."""
    texts = {}
    for key, values in form.items():
        if key.startswith(kind + ".") and values and values[0].strip():
            texts[key[len(kind) + 1 :]] = " ".join(values[0].split())
    return texts


def resource_draft_from_form(form: Mapping[str, list[str]]) -> ResourceDraft:
    """The draft of a posted form (every field's list of values, as werkzeug's
    `form.to_dict(flat=False)` gives it); ResourceDraftError past the size limits."""

    def one(name: str, default: str = "") -> str:
        values = form.get(name) or [default]
        return values[0].strip()

    description = {}
    for key, values in form.items():
        # Paragraphs are kept (a summary may have some); only the ends are trimmed.
        if key.startswith("description.") and values and values[0].strip():
            description[key[len("description.") :]] = values[0].strip().replace("\r\n", "\n")
    draft = ResourceDraft(
        iri=one("iri"),
        title=_texts_of_form(form, "title"),
        description=description,
        date=one("date"),
        url=one("url"),
        type=one("type"),
        themes=_lines(form.get("themes", [])),
        territories=_lines(form.get("territories", [])),
        subjects=_lines(form.get("subjects", [])),
        language=one("language", "fr") or "fr",
    )
    return _check_sizes(draft)


def _json_texts(data: Mapping[str, object], name: str, problems: list[FieldProblem]) -> dict:
    value = data.get(name, {})
    if isinstance(value, str):  # a bare string is a French text
        value = {"fr": value}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        problems.append(FieldProblem(name, 'must be an object of texts by language: {"fr": "..."}'))
        return {}
    return {k: v.strip() for k, v in value.items() if v.strip()}


def _json_text(data: Mapping[str, object], name: str, problems: list[FieldProblem]) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(FieldProblem(name, "must be a string"))
        return ""
    return value.strip()


def _json_list(data: Mapping[str, object], name: str, problems: list[FieldProblem]) -> list:
    value = data.get(name, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(FieldProblem(name, "must be a list of IRIs"))
        return []
    return _unique(value)


def resource_draft_from_json(data: object, *, iri: str = "") -> ResourceDraft:
    """The draft of a JSON object (the API's body, an action's "draft"); `iri` overrides its
    "iri" key. ResourceDraftError when a key has the wrong type or a value is too large."""
    if not isinstance(data, Mapping):
        raise ResourceDraftError([FieldProblem(WHOLE_FORM, "the draft must be a JSON object")])
    problems: list[FieldProblem] = []
    draft = ResourceDraft(
        iri=iri or _json_text(data, "iri", problems),
        title=_json_texts(data, "title", problems),
        description=_json_texts(data, "description", problems),
        date=_json_text(data, "date", problems),
        url=_json_text(data, "url", problems),
        type=_json_text(data, "type", problems),
        themes=_json_list(data, "themes", problems),
        territories=_json_list(data, "territories", problems),
        subjects=_json_list(data, "subjects", problems),
        language=_json_text(data, "language", problems) or "fr",
    )
    if problems:
        raise ResourceDraftError(problems)
    return _check_sizes(draft)


def resource_draft_as_json(draft: ResourceDraft) -> dict[str, object]:
    """The draft as JSON (what resource_draft_from_json reads back)."""
    return {
        "iri": draft.iri,
        "title": dict(draft.title),
        "description": dict(draft.description),
        "date": draft.date,
        "url": draft.url,
        "type": draft.type,
        "themes": list(draft.themes),
        "territories": list(draft.territories),
        "subjects": list(draft.subjects),
        "language": draft.language,
    }
