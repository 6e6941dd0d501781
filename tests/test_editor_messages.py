"""The concept editor's pages say a refused edit's problems in the interface's language:
French by default, English with ?lang=en; the JSON API in English unless the request asks
for French (Accept-Language). One build of vocab/ for the module, with an editor and a
contributor account; every refusal leaves the journal as it was."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import (
    CSRF_FIELD,
    LIBRARIAN_PASSWORD,
    librarians_data_dir,
    signed_in,
    writable_app,
)
from flask import Flask
from flask.testing import FlaskClient

from graph_service.store.journal import Journal

PASSWORD = LIBRARIAN_PASSWORD
TOKEN = "messages-test-update-token"
TOKEN_FIELD = CSRF_FIELD
BASE_FIELD = re.compile(r'name="base" value="([^"]*)"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)" class="editor"')
NOTIONS = "https://w3id.org/pdv/notions"
N = NOTIONS + "/"
HTML = {"Accept": "text/html"}

DUPLICATE = {
    "fr": "Ce libellé préféré est déjà celui du concept « Concertation » dans ce vocabulaire.",
    "en": f"« Concertation » is already the preferred label of « Concertation » <{N}concertation>",
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return librarians_data_dir(
        tmp_path_factory.mktemp("messages-data"), ed="editor", con="contributor"
    )


@pytest.fixture(scope="module")
def app(data_dir: Path) -> Iterator[Flask]:
    with writable_app(data_dir, TOKEN) as app:
        yield app


@pytest.fixture(scope="module")
def editor(app: Flask) -> FlaskClient:
    return signed_in(app, "ed")


def _journal_size(data_dir: Path) -> int:
    return Journal(data_dir).last_seq()


def _post_form(client: FlaskClient, page: str, lang: str, **fields: object):
    """Open a form page in a language, then post it to where it posts (its action keeps the
    language), with its CSRF and state tokens and `fields`."""
    query = "&lang=en" if lang == "en" else ""
    opened = client.get(f"{page}{'&' if '?' in page else '?'}{query.lstrip('&')}", headers=HTML)
    assert opened.status_code == 200, opened.get_data(as_text=True)[:2000]
    text = opened.get_data(as_text=True)
    action = html.unescape(FORM_ACTION.search(text).group(1))  # type: ignore[union-attr]
    assert ("lang=en" in action) == (lang == "en")
    base = BASE_FIELD.search(text)
    data = {
        "csrf_token": TOKEN_FIELD.search(text).group(1),  # type: ignore[union-attr]
        "base": base.group(1) if base else "",
        "action": "preview",
        **fields,
    }
    return client.post(action, data=data, headers=HTML)


def _shown(answer) -> str:  # type: ignore[no-untyped-def]
    """The page's text as a reader sees it (entities decoded)."""
    return html.unescape(answer.get_data(as_text=True))


def _new(client: FlaskClient, lang: str, **fields: object):  # type: ignore[no-untyped-def]
    fields = {"scheme": NOTIONS, **fields}
    return _post_form(client, f"/curation/concepts/new?broader={N}democratie-participative",
                      lang, **fields)  # fmt: skip


def _edit(client: FlaskClient, iri: str, lang: str, **fields: object):  # type: ignore[no-untyped-def]
    return _post_form(client, f"/curation/concepts/edit?uri={iri}", lang, **fields)


#: The refusals made through the concept form: (form, field id, French, English).
FORM_CASES = {
    "duplicate label": (
        lambda c, lang: _new(c, lang, **{"prefLabel.fr": "Concertation"}),
        "f-prefLabel-fr", DUPLICATE["fr"], DUPLICATE["en"],
    ),
    "missing French label": (
        lambda c, lang: _new(c, lang, **{"prefLabel.en": "Only English"}),
        "f-prefLabel-fr", "Un libellé préféré en français est obligatoire.",
        "a preferred label in French is required",
    ),
    "unknown broader": (
        lambda c, lang: _new(c, lang, **{"prefLabel.fr": "Concept sans parent connu",
                                         "broader": N + "nothing-here"}),
        "f-broader", f"<{N}nothing-here> n’est pas un concept du vocabulaire.",
        f"<{N}nothing-here> is not a concept of the vocabulary",
    ),
    "broader cycle": (
        lambda c, lang: _edit(c, N + "concertation", lang, uri=N + "concertation",
                              scheme=NOTIONS, **{"prefLabel.fr": "Concertation"},
                              broader=[N + "participation-citoyenne",
                                       N + "concertation-prealable"]),
        "f-broader",
        "Cycle de concepts génériques : Concertation > Concertation préalable > Concertation.",
        "broader cycle: Concertation > Concertation préalable > Concertation",
    ),
    "related along the broader chain": (
        lambda c, lang: _edit(c, N + "concertation-prealable", lang,
                              uri=N + "concertation-prealable", scheme=NOTIONS,
                              **{"prefLabel.fr": "Concertation préalable"},
                              broader=N + "concertation", related=N + "participation-citoyenne"),
        "f-related",
        "« Participation citoyenne » est déjà un concept générique ou spécifique (direct ou "
        "non) de ce concept : il ne peut pas lui être aussi associé.",
        "« Participation citoyenne » is on its own broader chain: related and broader at once",
    ),
    "two values of a one-value field (draft parsing)": (
        lambda c, lang: _new(c, lang, **{"prefLabel.fr": ["Un", "Deux"]}),
        "f-prefLabel-fr", "Ce champ ne prend qu’une valeur.", "takes one value only",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", FORM_CASES)
def test_the_concept_form_says_its_problems_in_the_interface_language(
    editor: FlaskClient, data_dir: Path, case: str
) -> None:
    post, field_id, french, english = FORM_CASES[case]
    before = _journal_size(data_dir)
    for lang, expected, other in (("fr", french, english), ("en", english, french)):
        answer = post(editor, lang)
        assert answer.status_code == 422, _shown(answer)[:3000]
        page = _shown(answer)
        errors = re.search(rf'<ul class="field-errors" id="{field_id}-errors">(.*?)</ul>', page)
        assert errors is not None, page[:3000]
        assert f"<li>{expected}</li>" in errors.group(1)
        assert other not in page
    assert _journal_size(data_dir) == before


def test_the_deprecate_form_says_its_problems_in_the_interface_language(
    editor: FlaskClient, data_dir: Path
) -> None:
    before = _journal_size(data_dir)
    page = f"/curation/concepts/deprecate?uri={N}concertation"
    for replacement, french, english in (
        (N + "concertation", "Un concept ne peut pas être lié à lui-même.",
         "a concept cannot be linked to itself"),
        (N + "nothing-here", f"<{N}nothing-here> n’est pas un concept du vocabulaire.",
         f"<{N}nothing-here> is not a concept of the vocabulary"),
    ):  # fmt: skip
        in_french = _post_form(editor, page, "fr", replacement=replacement)
        assert in_french.status_code == 422
        assert french in _shown(in_french) and english not in _shown(in_french)
        in_english = _post_form(editor, page, "en", replacement=replacement)
        assert in_english.status_code == 422
        assert english in _shown(in_english) and french not in _shown(in_english)
    assert _journal_size(data_dir) == before


def test_the_merge_form_says_its_problems_in_the_interface_language(
    editor: FlaskClient, data_dir: Path
) -> None:
    before = _journal_size(data_dir)
    page = f"/curation/concepts/merge?uri={N}conseil-citoyen"
    for winner, french, english in (
        (N + "conseil-citoyen", "Un concept ne peut pas être fusionné avec lui-même.",
         "a concept cannot be merged into itself"),
        (N + "zone-urbaine-sensible", "« Zone urbaine sensible » est obsolète.",
         "« Zone urbaine sensible » is deprecated"),
    ):  # fmt: skip
        in_french = _post_form(editor, page, "fr", winner=winner)
        assert in_french.status_code == 422
        assert french in _shown(in_french) and english not in _shown(in_french)
        in_english = _post_form(editor, page, "en", winner=winner)
        assert in_english.status_code == 422
        assert english in _shown(in_english) and french not in _shown(in_english)
    assert _journal_size(data_dir) == before


def test_a_stale_form_is_said_in_the_interface_language(editor: FlaskClient) -> None:
    fields = {"uri": N + "consultation", "scheme": NOTIONS, "prefLabel.fr": "Consultation"}
    for lang, expected in (
        ("fr", "« Consultation » a été modifié depuis l’ouverture de ce formulaire : "
               "rechargez-le."),
        ("en", "« Consultation » was changed since this form was opened: reload it"),
    ):  # fmt: skip
        answer = _edit(editor, N + "consultation", lang, **fields, base="stale")
        assert answer.status_code == 409
        assert expected in _shown(answer)


def test_an_approval_refused_under_the_lock_is_said_in_the_interface_language(
    app: Flask, editor: FlaskClient, data_dir: Path
) -> None:
    # A contributor proposes a concept; an editor publishes one of the same label meanwhile:
    # the proposal, planned again when approved, is refused, in the reviewer's language.
    contributor = signed_in(app, "con")
    label = "Budget participatif des lycéens"
    proposed = _new(contributor, "fr", action="save", **{"prefLabel.fr": label})
    assert proposed.status_code == 303, _shown(proposed)[:3000]
    proposal_url = proposed.headers["Location"].split("?")[0]
    published = _new(editor, "fr", action="save", **{"prefLabel.fr": label.upper()})
    assert published.status_code == 303, _shown(published)[:3000]
    before = _journal_size(data_dir)
    for lang, expected in (
        ("fr", f"Ce libellé préféré est déjà celui du concept « {label.upper()} »"),
        ("en", f"« {label} » is already the preferred label of « {label.upper()} »"),
    ):
        query = "?lang=en" if lang == "en" else ""
        shown = _shown(editor.get(proposal_url + query, headers=HTML))
        assert expected in shown  # the proposal as it would be planned today
        csrf = TOKEN_FIELD.search(shown).group(1)  # type: ignore[union-attr]
        refused = editor.post(
            f"{proposal_url}/approve{query}", data={"csrf_token": csrf}, headers=HTML
        )
        assert refused.status_code == 422
        # The approval's own refusal, above the proposal's diff (planned again for the page).
        error = re.search(r'<div class="error" role="alert"><p>(.*?)</p></div>', _shown(refused))
        assert error is not None and expected in error.group(1)
    assert _journal_size(data_dir) == before


def test_the_api_speaks_english_unless_asked_for_french(app: Flask, data_dir: Path) -> None:
    client = app.test_client()
    before = _journal_size(data_dir)
    body = {"scheme": NOTIONS, "prefLabel": {"fr": "Concertation"}}
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    for headers, expected in (
        ({}, DUPLICATE["en"]),
        ({"Accept-Language": "en-GB,en;q=0.9"}, DUPLICATE["en"]),
        ({"Accept-Language": "de"}, DUPLICATE["en"]),
        ({"Accept-Language": "fr"}, DUPLICATE["fr"]),
        ({"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}, DUPLICATE["fr"]),
    ):
        answer = client.post("/api/concepts", json=body, headers={**bearer, **headers})
        assert answer.status_code == 422
        assert [p["message"] for p in answer.get_json()["problems"]] == [expected]
    malformed = client.post(
        "/api/concepts", json={"prefLabel": "x"}, headers={**bearer, "Accept-Language": "fr"}
    )
    assert malformed.status_code == 422
    assert malformed.get_json()["problems"] == [
        {"field": "prefLabel", "message": "Un objet de textes par langue est attendu.",
         "severity": "error"}
    ]  # fmt: skip
    missing = client.get(
        "/api/concepts", query_string={"uri": N + "nothing-here"},
        headers={"Accept-Language": "fr"},
    )  # fmt: skip
    assert missing.status_code == 404
    assert missing.get_json()["error"] == f"<{N}nothing-here> n’est pas un concept du vocabulaire."
    assert _journal_size(data_dir) == before
