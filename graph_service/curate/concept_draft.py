"""A concept as the editor's forms and JSON API hold it (a ConceptDraft), read from their input.

The draft holds the editable part of a SKOS concept only: labels, notes, notation, broader,
related and mappings, plus its IRI and scheme. Parsing checks the shape of the input (types,
language tags, IRIs, lengths) and reports every problem at once, each under the field the
form shows it next to ("prefLabel.fr", "altLabel.en", "broader", ...); whether the draft makes
sense in the vocabulary (cycles, shared labels, unknown concepts) is concept_edit's question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from graph_service.curate.concept_messages import count, message
from graph_service.curate.edit_plan import WHOLE_FORM, FieldProblem
from graph_service.exceptions import GraphServiceError
from graph_service.namespaces import valid_iri
from graph_service.text import fold

MATCH_PROPERTIES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")

#: Text fields by input name: (draft attribute, several values per language).
LABEL_FIELDS = {
    "prefLabel": ("pref_label", False),
    "altLabel": ("alt_label", True),
    "hiddenLabel": ("hidden_label", True),
}
NOTE_FIELDS = {
    "definition": "definition",
    "scopeNote": "scope_note",
    "editorialNote": "editorial_note",
}
LINK_FIELDS = ("broader", "related")
#: Every key of the JSON shape (draft_as_json writes them all).
JSON_KEYS = (
    "uri",
    "scheme",
    *LABEL_FIELDS,
    *NOTE_FIELDS,
    "notation",
    *LINK_FIELDS,
    *MATCH_PROPERTIES,
)

# Bounds on one draft: no vocabulary comes near them, and they bound a request's work.
MAX_LABEL_CHARS = 500
MAX_NOTE_CHARS = 10_000
MAX_NOTATION_CHARS = 100
MAX_VALUES = 200
MAX_LANGUAGES = 50
MAX_LANGUAGE_CHARS = 35

#: A BCP 47 language tag as RDF data uses them ("fr", "en", "pt-br", "sr-latn"), lower-cased
#: as the store writes them.
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")
_MAIN_LANGUAGES = ("fr", "en")


def _language_key(lang: str) -> tuple[int, str]:
    rank = _MAIN_LANGUAGES.index(lang) if lang in _MAIN_LANGUAGES else len(_MAIN_LANGUAGES)
    return (rank, lang)


def _label_key(text: str) -> tuple[str, str]:
    return (fold(text), text)


@dataclass(frozen=True)
class ConceptDraft:
    """The editable part of a concept. Built with any order of values, it keeps them sorted
    (languages fr, en, then the others; labels as folded text; IRIs as text): RDF keeps no
    order, and so a draft read back from the store equals the one that was written."""

    iri: str = ""
    scheme: str = ""
    pref_label: dict[str, str] = field(default_factory=dict)
    alt_label: dict[str, list[str]] = field(default_factory=dict)
    hidden_label: dict[str, list[str]] = field(default_factory=dict)
    definition: dict[str, str] = field(default_factory=dict)
    scope_note: dict[str, str] = field(default_factory=dict)
    editorial_note: dict[str, str] = field(default_factory=dict)
    notation: str = ""
    broader: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    mappings: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Own sorted copies: a caller's dict changed later cannot change a frozen draft.
        def texts(values: Mapping[str, str]) -> dict[str, str]:
            return {k: values[k] for k in sorted(values, key=_language_key) if values[k]}

        def lists(values: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
            sorted_values = {k: sorted(set(values[k]), key=_label_key) for k in values}
            return {k: sorted_values[k] for k in sorted(values, key=_language_key) if values[k]}

        unknown = set(self.mappings) - set(MATCH_PROPERTIES)
        if unknown:
            raise ValueError(f"not a mapping property: {', '.join(sorted(unknown))}")
        for name in ("pref_label", "definition", "scope_note", "editorial_note"):
            object.__setattr__(self, name, texts(getattr(self, name)))
        for name in ("alt_label", "hidden_label"):
            object.__setattr__(self, name, lists(getattr(self, name)))
        object.__setattr__(self, "broader", sorted(set(self.broader)))
        object.__setattr__(self, "related", sorted(set(self.related)))
        mappings = {
            k: sorted(set(self.mappings[k])) for k in MATCH_PROPERTIES if k in self.mappings
        }
        object.__setattr__(self, "mappings", {k: v for k, v in mappings.items() if v})

    def label(self, lang: str = "fr") -> str:
        """The preferred label to name the concept by: in `lang`, then fr, en, any; else ""."""
        for code in (lang, *_MAIN_LANGUAGES):
            if code in self.pref_label:
                return self.pref_label[code]
        return next(iter(self.pref_label.values()), "")


class DraftError(GraphServiceError):
    """A draft that cannot be read: every problem, each under its field (HTTP 422)."""

    status = 422

    def __init__(self, problems: Iterable[FieldProblem]) -> None:
        self.problems = tuple(problems)
        text = "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in self.problems)
        super().__init__(text or "the concept cannot be read")


# --- reading and writing the JSON shape ---------------------------------------------------------


def draft_from_json(data: object, *, iri: str = "", lang: str = "en") -> ConceptDraft:
    """Read the JSON API's concept (see JSON_KEYS); `iri` is the concept's address when the
    request names it (the URL of an update), and a "uri" in the body must then agree.
    Problems are said in `lang` ("fr" or English)."""
    if not isinstance(data, Mapping):
        raise DraftError([FieldProblem(WHOLE_FORM, message("expected_object", lang))])
    reader = _Reader(lang)
    for key in data:
        if key not in JSON_KEYS:
            reader.problem(_field_name(str(key)), reader.said("unknown_field"))
    uri = reader.one_iri("uri", data.get("uri", ""))
    if iri and uri and uri != iri:
        reader.problem("uri", reader.said("uri_mismatch", iri=iri))
    values: dict[str, object] = {
        "iri": iri or uri,
        "scheme": reader.one_iri("scheme", data.get("scheme", "")),
    }
    for key, (attribute, several) in LABEL_FIELDS.items():
        values[attribute] = reader.by_language(key, data.get(key, {}), several, MAX_LABEL_CHARS)
    for key, attribute in NOTE_FIELDS.items():
        values[attribute] = reader.by_language(key, data.get(key, {}), False, MAX_NOTE_CHARS)
    values["notation"] = reader.notation(data.get("notation", ""))
    for key in LINK_FIELDS:
        values[key] = reader.iris(key, data.get(key, []))
    values["mappings"] = {key: reader.iris(key, data.get(key, [])) for key in MATCH_PROPERTIES}
    return reader.draft(values)


def draft_as_json(draft: ConceptDraft) -> dict[str, object]:
    """The JSON API's concept: every key of JSON_KEYS, "uri" "" for a concept not yet made."""
    data: dict[str, object] = {"uri": draft.iri, "scheme": draft.scheme}
    for key, (attribute, _) in LABEL_FIELDS.items():
        data[key] = {lang: _copy(value) for lang, value in getattr(draft, attribute).items()}
    for key, attribute in NOTE_FIELDS.items():
        data[key] = dict(getattr(draft, attribute))
    data["notation"] = draft.notation
    data["broader"] = list(draft.broader)
    data["related"] = list(draft.related)
    for key in MATCH_PROPERTIES:
        data[key] = list(draft.mappings.get(key, []))
    return data


def _copy(value: str | list[str]) -> str | list[str]:
    return list(value) if isinstance(value, list) else value


# --- reading and writing an HTML form -----------------------------------------------------------


def draft_from_form(form: Mapping[str, Sequence[str]], *, lang: str = "en") -> ConceptDraft:
    """Read the editor's HTML form (a MultiDict's lists, `form.to_dict(flat=False)`): "uri",
    "scheme", "notation", "<label or note>.<lang>" (alternative and hidden labels one per
    line), and repeatable "broader", "related" and mapping fields (IRIs, also one per line).
    Empty values are ignored and whitespace trimmed; fields of other names (a CSRF token, the
    state token, buttons) are left to the caller. Problems are said in `lang`."""
    reader = _Reader(lang)
    given = {str(key): _values(value) for key, value in form.items()}
    values: dict[str, object] = {
        "iri": reader.one_iri("uri", reader.single("uri", given.get("uri", []))),
        "scheme": reader.one_iri("scheme", reader.single("scheme", given.get("scheme", []))),
        "notation": reader.notation(reader.single("notation", given.get("notation", []))),
    }
    texts: dict[str, dict[str, object]] = {key: {} for key in (*LABEL_FIELDS, *NOTE_FIELDS)}
    for key, raw in given.items():
        prefix, dot, lang = key.partition(".")
        if not dot or prefix not in texts:
            continue
        filled = [value for value in raw if value.strip()]
        if not filled:
            continue
        several = LABEL_FIELDS.get(prefix, ("", False))[1]
        if several:
            texts[prefix][lang] = [line for value in filled for line in value.splitlines()]
        else:
            texts[prefix][lang] = reader.single(key, filled)
    for key, (attribute, several) in LABEL_FIELDS.items():
        values[attribute] = reader.by_language(key, texts[key], several, MAX_LABEL_CHARS)
    for key, attribute in NOTE_FIELDS.items():
        values[attribute] = reader.by_language(key, texts[key], False, MAX_NOTE_CHARS)
    for key in LINK_FIELDS:
        values[key] = reader.iris(key, _split_iris(given.get(key, [])))
    values["mappings"] = {
        key: reader.iris(key, _split_iris(given.get(key, []))) for key in MATCH_PROPERTIES
    }
    return reader.draft(values)


def draft_as_form(draft: ConceptDraft) -> dict[str, list[str]]:
    """The form fields of a draft, as draft_from_form reads them (labels one per line)."""
    form: dict[str, list[str]] = {"uri": [draft.iri], "scheme": [draft.scheme]}
    for key, (attribute, several) in LABEL_FIELDS.items():
        for lang, value in getattr(draft, attribute).items():
            form[f"{key}.{lang}"] = ["\n".join(value)] if several else [value]
    for key, attribute in NOTE_FIELDS.items():
        for lang, text in getattr(draft, attribute).items():
            form[f"{key}.{lang}"] = [text]
    form["notation"] = [draft.notation]
    form["broader"] = list(draft.broader)
    form["related"] = list(draft.related)
    for key in MATCH_PROPERTIES:
        form[key] = list(draft.mappings.get(key, []))
    return form


def _values(value: object) -> list[str]:
    """A form field's values: a list, or one string (a plain dict of the form)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def _split_iris(values: Sequence[str]) -> list[str]:
    # An IRI holds no white space: a textarea of IRIs, one per line, reads like repeated fields.
    return [part for value in values for part in value.split()]


# --- the checks every input shares --------------------------------------------------------------


def _field_name(text: str) -> str:
    """A field name fit to show back (what was sent may be anything, and long)."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= 60 else cleaned[:59] + "…"


def _control_characters(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


class _Reader:
    """Reads the values of one draft, collecting every problem before refusing any."""

    def __init__(self, lang: str = "en") -> None:
        self.problems: list[FieldProblem] = []
        self.lang = lang

    def problem(self, field_name: str, text: str) -> None:
        self.problems.append(FieldProblem(field_name, text))

    def said(self, key: str, **values: object) -> str:
        """A message in the reader's language (concept_messages)."""
        return message(key, self.lang, **values)

    def count(self, number: int) -> str:
        return count(number, self.lang)

    def draft(self, values: dict[str, object]) -> ConceptDraft:
        if self.problems:
            raise DraftError(self.problems)
        return ConceptDraft(**values)  # type: ignore[arg-type]

    def single(self, key: str, values: Sequence[str]) -> str:
        """The one value of a field that takes one (empty ones ignored)."""
        filled = list(dict.fromkeys(v.strip() for v in values if v.strip()))
        if len(filled) > 1:
            self.problem(_field_name(key), self.said("one_value"))
        return filled[0] if filled else ""

    def one_iri(self, key: str, value: object) -> str:
        if not isinstance(value, str):
            self.problem(key, self.said("expected_iri_text"))
            return ""
        value = value.strip()
        if value and not valid_iri(value):
            self.problem(key, self.said("bad_iri", value=_field_name(value)))
            return ""
        return value

    def iris(self, key: str, value: object) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, self.said("expected_iris"))
            return []
        found = [v.strip() for v in value if v.strip()]
        if len(found) > MAX_VALUES:
            self.problem(key, self.said("too_many_values", count=self.count(MAX_VALUES)))
            return []
        bad = [v for v in found if not valid_iri(v)]
        for iri in bad:
            self.problem(key, self.said("bad_iri", value=_field_name(iri)))
        return [v for v in found if v not in bad]

    def notation(self, value: object) -> str:
        if not isinstance(value, str):
            self.problem("notation", self.said("expected_text"))
            return ""
        value = value.strip()
        if len(value) > MAX_NOTATION_CHARS:
            self.problem(
                "notation", self.said("notation_too_long", count=self.count(MAX_NOTATION_CHARS))
            )
        elif _control_characters(value):
            self.problem("notation", self.said("notation_one_line"))
        return value

    def by_language(
        self, key: str, value: object, several: bool, max_chars: int
    ) -> dict[str, object]:
        """A {language: text} map (or {language: [texts]}), checked and cleaned."""
        if not isinstance(value, Mapping):
            self.problem(key, self.said("expected_by_language"))
            return {}
        if len(value) > MAX_LANGUAGES:
            self.problem(key, self.said("too_many_languages", count=self.count(MAX_LANGUAGES)))
            return {}
        found: dict[str, object] = {}
        for raw_lang, texts in value.items():
            lang = str(raw_lang).strip().lower()
            where = _field_name(f"{key}.{lang}")
            if not (len(lang) <= MAX_LANGUAGE_CHARS and _LANGUAGE.fullmatch(lang)):
                self.problem(_field_name(f"{key}.{raw_lang}"), self.said("bad_language_tag"))
                continue
            if lang in found:
                self.problem(where, self.said("language_twice"))
                continue
            if several:
                cleaned = self._texts(where, texts, max_chars)
                if cleaned:
                    found[lang] = cleaned
            elif not isinstance(texts, str):
                self.problem(where, self.said("expected_one_text"))
            else:
                text = self._text(where, texts, max_chars, one_line=key in LABEL_FIELDS)
                if text:
                    found[lang] = text
        return found

    def _texts(self, where: str, texts: object, max_chars: int) -> list[str]:
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            self.problem(where, self.said("expected_texts"))
            return []
        if len(texts) > MAX_VALUES:
            self.problem(where, self.said("too_many_values", count=self.count(MAX_VALUES)))
            return []
        cleaned = [self._text(where, text, max_chars, one_line=True) for text in texts]
        return list(dict.fromkeys(text for text in cleaned if text))

    def _text(self, where: str, text: str, max_chars: int, *, one_line: bool) -> str:
        if one_line:
            if "\n" in text.strip() or "\r" in text.strip():
                self.problem(where, self.said("label_one_line"))
                return ""
            text = " ".join(text.split())
        else:
            text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(text) > max_chars:
            self.problem(where, self.said("too_long", start=text[:40], count=self.count(max_chars)))
            return ""
        if _control_characters(text, "" if one_line else "\n\t"):
            self.problem(where, self.said("control_characters", start=_field_name(text[:40])))
            return ""
        return text
