"""The resource forms in the browser: sign-in, CSRF, suggest, preview, save, stale and bad edits."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from graph_service import create_app
from graph_service.config import PROJECT_ROOT
from graph_service.curate.accounts import AccountStore
from graph_service.curate.proposals import ProposalStore
from graph_service.store.build import build_store, open_current
from graph_service.web.backend import get_journal

PASSWORD = "correct horse battery"
P = "https://w3id.org/pdv/"
SEED = P + "resources/refonte-des-contrats-de-ville-2023"
HTML = Path(__file__).resolve().parent / "data" / "curation" / "irev-article.html"
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
BASE_FIELD = re.compile(r'name="base" value="([^"]+)"')
PAGE = {"Accept": "text/html"}
NEW = "/curation/resources/new"
EDIT = "/curation/resources/edit"


@pytest.fixture
def app(tmp_path: Path):
    """The app over a writable build of vocab/ with an editor account (whose saves are
    published at once) and a contributor's (whose saves are proposals)."""
    data_dir = tmp_path / "var"
    build_store(PROJECT_ROOT / "vocab", data_dir)
    AccountStore(data_dir).add("con", "editor", PASSWORD)
    AccountStore(data_dir).add("camille", "contributor", PASSWORD)
    store = open_current(data_dir)
    yield create_app({"TESTING": True, "STORE": store, "DATA_DIR": data_dir})
    store.close()


def _token(client, path: str = "/login") -> str:
    found = TOKEN_FIELD.search(client.get(path, headers=PAGE).get_data(as_text=True))
    assert found
    return found.group(1)


@pytest.fixture
def client(app):
    """A client signed in as the editor."""
    client = app.test_client()
    answer = client.post(
        "/login",
        data={"name": "con", "password": PASSWORD, "csrf_token": _token(client)},
        headers=PAGE,
    )
    assert answer.status_code == 303
    return client


def _changes(app) -> int:
    with app.app_context():
        return get_journal().last_seq()


def _new_form(client, **fields: object) -> dict[str, object]:
    form: dict[str, object] = {
        "csrf_token": _token(client, NEW),
        "title.fr": "Guide de la concertation locale",
        "description.fr": "Un guide sur la concertation et les conseils citoyens.",
        "date": "2024-02-03",
        "type": P + "types/guide-pratique",
        "url": "https://example.org/guide",
        "language": "fr",
        "themes": [P + "thematiques/participation-citoyenne"],
        "territories": "Lille",
        "subjects": P + "notions/concertation",
        "action": "save",
    }
    form.update(fields)
    return form


def _text(answer) -> str:
    return answer.get_data(as_text=True)


# --- access ---------------------------------------------------------------------------------------


def test_without_sign_in_the_forms_send_to_login(app) -> None:
    anonymous = app.test_client()
    for path in (NEW, f"{EDIT}?uri={SEED}"):
        answer = anonymous.get(path, headers=PAGE)
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/login?next=")
    posted = anonymous.post(NEW, data={"title.fr": "x"}, headers=PAGE)
    assert posted.status_code == 302 and _changes(app) == 0
    page = _text(anonymous.get("/resources/refonte-des-contrats-de-ville-2023", headers=PAGE))
    assert "/curation/resources/edit" not in page  # no "Modifier" link for visitors


def test_a_form_without_its_csrf_token_is_refused(app, client) -> None:
    form = _new_form(client)
    del form["csrf_token"]
    answer = client.post(NEW, data=form, headers=PAGE)
    assert answer.status_code == 403 and "CSRF" in _text(answer)
    assert _changes(app) == 0


# --- creating ---------------------------------------------------------------------------------


def test_the_new_form_has_labelled_fields_and_the_schemes_choices(client) -> None:
    page = _text(client.get(NEW, headers=PAGE))
    for control in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page):
        assert f'for="{control}"' in page, control  # every control has its label
    assert 'type="date"' in page and "<fieldset" in page and "<legend>" in page
    assert "Guide pratique" in page  # the types scheme, as options
    assert f'value="{P}thematiques/participation-citoyenne"' in page  # themes, as boxes
    assert "Pré-remplir depuis une page" in page
    assert 'data-vocab="territoires"' in page and 'data-vocab="notions"' in page
    english = _text(client.get(NEW + "?lang=en", headers=PAGE))
    assert "New resource" in english and "Suggest subjects" in english


def test_preview_shows_the_statements_and_writes_nothing(app, client) -> None:
    answer = client.post(NEW, data=_new_form(client, action="preview"), headers=PAGE)
    page = _text(answer)
    assert answer.status_code == 200, page
    assert "Ce qui sera enregistré" in page
    assert f"{P}resources/guide-de-la-concertation-locale-2024" in page
    assert "dct:spatial" in page and "Lille" in page  # the label typed is resolved
    assert f'value="{P}territoires/commune/59350" id="territories-1" checked' in page
    assert _changes(app) == 0


def test_save_creates_the_resource_and_shows_its_page(app, client) -> None:
    answer = client.post(NEW, data=_new_form(client), headers=PAGE)
    assert answer.status_code == 303, _text(answer)
    assert answer.headers["Location"] == "/resources/guide-de-la-concertation-locale-2024"
    page = _text(client.get(answer.headers["Location"], headers=PAGE))
    assert "Guide de la concertation locale" in page and "Concertation" in page
    assert "/curation/resources/edit?uri=" in page  # "Modifier" for a contributor
    with app.app_context():
        change = get_journal().changes()[-1]
    assert change.author == "con" and "Guide de la concertation locale" in change.message


@pytest.mark.parametrize(
    ("fields", "field_id", "words"),
    [
        ({"date": "2024-02-30"}, "f-date", "aaaa-mm-jj"),
        ({"subjects": P + "notions/no-such-notion"}, "f-subjects", "n’est pas un concept"),
        ({"subjects": "Pas une notion"}, "f-subjects", "aucun concept n’a pour libellé"),
        ({"title.fr": ""}, "f-title-fr", "un titre est obligatoire"),
    ],
)
def test_an_invalid_form_is_422_with_messages_at_the_fields(
    app, client, fields, field_id, words
) -> None:
    answer = client.post(NEW, data=_new_form(client, **fields), headers=PAGE)
    page = _text(answer)
    assert answer.status_code == 422
    assert words in page
    assert f'href="#{field_id}"' in page  # the error summary links to the field
    control = re.search(rf'<[^>]*\bid="{field_id}"[^>]*>', page)
    assert control and 'aria-invalid="true"' in control.group(0)
    assert f'aria-describedby="{field_id}-error"' in control.group(0)
    assert f'id="{field_id}-error"' in page
    assert _changes(app) == 0


# --- editing ----------------------------------------------------------------------------------


def _edit_form(client) -> dict[str, object]:
    """The seed resource's edit form as a browser would post it back, unchanged."""
    page = _text(client.get(f"{EDIT}?uri={SEED}", headers=PAGE))
    base = BASE_FIELD.search(page)
    assert base, page
    checked = re.findall(r'name="(themes|territories|subjects)" value="([^"]+)"[^>]*checked', page)
    form: dict[str, object] = {
        "csrf_token": TOKEN_FIELD.search(page).group(1),  # type: ignore[union-attr]
        "iri": SEED,
        "base": base.group(1),
        "title.fr": html.unescape(re.search(r'name="title.fr"[^>]*value="([^"]*)"', page).group(1)),  # type: ignore[union-attr]
        "date": "2023-05-30",
        "type": P + "types/actu-de-l-irev",
        "url": re.search(r'name="url"[^>]*value="([^"]*)"', page).group(1),  # type: ignore[union-attr]
        "language": "fr",
        "action": "save",
    }
    for lang in ("fr", "en"):
        text = re.search(rf'name="description.{lang}"[^>]*>([^<]*)</textarea>', page)
        form[f"description.{lang}"] = html.unescape(text.group(1))  # type: ignore[union-attr]
    for name, value in checked:
        form.setdefault(name, [])
        form[name].append(value)  # type: ignore[union-attr]
    return form


def test_edit_saves_only_what_changed(app, client) -> None:
    form = _edit_form(client)
    unchanged = client.post(EDIT, data={**form, "action": "preview"}, headers=PAGE)
    assert unchanged.status_code == 200 and "Aucune modification." in _text(unchanged)
    answer = client.post(EDIT, data={**form, "date": "2023-06-01"}, headers=PAGE)
    assert answer.status_code == 303, _text(answer)
    assert answer.headers["Location"] == "/resources/refonte-des-contrats-de-ville-2023"
    page = _text(client.get(answer.headers["Location"], headers=PAGE))
    assert "1 juin 2023" in page or "1er juin 2023" in page
    assert "Pièces jointes" in page  # attachments untouched
    with app.app_context():
        change = get_journal().changes()[-1]
    assert len(change.added) == 1 and len(change.removed) == 1


def test_a_stale_edit_is_409_with_a_link_to_reload(app, client) -> None:
    form = _edit_form(client)
    first = client.post(EDIT, data={**form, "date": "2023-06-01"}, headers=PAGE)
    assert first.status_code == 303
    written = _changes(app)
    stale = client.post(EDIT, data={**form, "date": "2023-06-02"}, headers=PAGE)
    page = _text(stale)
    assert stale.status_code == 409
    assert "modifiée par quelqu’un d’autre" in page
    assert (
        f'href="/curation/resources/edit?uri={SEED.replace(":", "%3A").replace("/", "%2F")}"'
        in page
    )
    assert _changes(app) == written


def test_messages_follow_the_interface_language(client) -> None:
    form = _new_form(client, date="someday")
    english = _text(client.post(NEW + "?lang=en", data=form, headers=PAGE))
    assert "“someday” is not a date: write it yyyy-mm-dd" in english
    assert "The resource was not saved:" in english


def test_editing_what_is_no_resource_is_404(client) -> None:
    assert client.get(f"{EDIT}?uri={P}notions/empowerment", headers=PAGE).status_code == 404
    assert client.get(EDIT, headers=PAGE).status_code == 404


# --- suggestions and pre-filling ------------------------------------------------------------------


def test_suggestions_are_offered_as_boxes_to_tick(app, client) -> None:
    form = _new_form(client, action="suggest", subjects="")
    form["description.fr"] = "La démocratie participative et l'empowerment des habitants."
    page = _text(client.post(NEW, data=form, headers=PAGE))
    assert "Suggestions" in page
    assert f'name="subjects" value="{P}notions/democratie-participative"' in page
    assert f'name="subjects" value="{P}notions/empowerment"' in page
    assert 'value="https://w3id.org/pdv/types/' not in page.split('id="suggestions"')[1]
    assert _changes(app) == 0


def test_prefill_from_an_uploaded_html_page_writes_nothing(app, client) -> None:
    with HTML.open("rb") as page_file:
        answer = client.post(
            "/curation/resources/prefill",
            data={"csrf_token": _token(client, NEW), "page_file": (page_file, "article.html")},
            headers=PAGE,
            content_type="multipart/form-data",
        )
    page = _text(answer)
    assert answer.status_code == 200, page
    assert 'value="Refonte des contrats de ville : un cycle en cours' in page
    assert 'value="2023-05-30"' in page
    assert f'value="{P}thematiques/' in page and "checked" in page
    assert 'name="base"' not in page  # a new resource's form
    assert _changes(app) == 0


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1:9/page.html", "loopback"),
        ("/etc/passwd", "not an http or https address"),
        ("", "Donnez une adresse ou un fichier."),
    ],
)
def test_prefill_refuses_what_it_may_not_fetch(app, client, url: str, words: str) -> None:
    answer = client.post(
        "/curation/resources/prefill",
        data={"csrf_token": _token(client, NEW), "page_url": url},
        headers=PAGE,
    )
    assert answer.status_code == 422
    assert words in _text(answer) and 'id="f-prefill-error"' in _text(answer)
    assert _changes(app) == 0


def test_the_curation_page_links_to_the_new_form(client) -> None:
    assert 'href="/curation/resources/new"' in _text(client.get("/curation/", headers=PAGE))


def test_a_contributors_resource_waits_for_review(app) -> None:
    contributor = app.test_client()
    signed = contributor.post(
        "/login",
        data={"name": "camille", "password": PASSWORD, "csrf_token": _token(contributor)},
        headers=PAGE,
    )
    assert signed.status_code == 303
    before = _changes(app)
    answer = contributor.post(NEW, data=_new_form(contributor), headers=PAGE)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/curation/proposals/")
    assert _changes(app) == before  # a proposal: nothing published
    public = app.test_client()
    assert public.get("/resources/guide-de-la-concertation-locale-2024").status_code == 404
    proposal_id = answer.headers["Location"].rsplit("/", 1)[-1]
    assert ProposalStore(app.config["DATA_DIR"]).get(proposal_id).kind == "resource.create"
