"""The admins' accounts page (/curation/accounts): who may reach it, its forms and refusals."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from graph_service import create_app
from graph_service.curate.accounts import AccountStore
from graph_service.store.build import build_store, open_current

PASSWORD = "correct horse battery"
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
GENERATED = re.compile(r'<code class="generated-password" id="generated-password">([^<]+)</code>')
PAGE = "/curation/accounts"


@pytest.fixture
def app(tiny_vocab: Path, tmp_path: Path):
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
    accounts = AccountStore(data_dir)
    accounts.add("root", "admin", PASSWORD)
    accounts.add("ed", "editor", PASSWORD)
    accounts.add("con", "contributor", PASSWORD)
    store = open_current(data_dir)
    yield create_app({"TESTING": True, "STORE": store, "DATA_DIR": data_dir})
    store.close()


def _accounts(app) -> AccountStore:
    return AccountStore(app.config["DATA_DIR"])


def _token(client, path: str = "/login") -> str:
    page = client.get(path, headers={"Accept": "text/html"})
    found = TOKEN_FIELD.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)
    return found.group(1)


def _signed_in(app, name: str = "root", password: str = PASSWORD):
    client = app.test_client()
    answer = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": _token(client)},
        headers={"Accept": "text/html"},
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return client


def _post(client, path: str, csrf: bool = True, **form: str):
    data = dict(form)
    if csrf:
        data["csrf_token"] = _token(client, "/")
    return client.post(path, data=data, headers={"Accept": "text/html"})


def _reaches(client, path: str = "/curation/review") -> int:
    return client.get(path, headers={"Accept": "text/html"}).status_code


def test_only_admins_reach_the_page(app) -> None:
    anonymous = app.test_client().get(PAGE, headers={"Accept": "text/html"})
    assert anonymous.status_code == 302 and "/login?next=" in anonymous.headers["Location"]
    editor = _signed_in(app, "ed")
    assert _reaches(editor, PAGE) == 403
    for path, form in (
        (PAGE, {"name": "mallory", "role": "admin", "generate": "1"}),
        (PAGE + "/role", {"account": "ed", "role": "admin"}),
        (PAGE + "/password", {"account": "root", "generate": "1"}),
        (PAGE + "/remove", {"account": "root"}),
    ):
        assert _post(editor, path, **form).status_code == 403
    assert _accounts(app).get("ed").role == "editor"  # type: ignore[union-attr]
    assert _accounts(app).get("mallory") is None
    assert "/curation/accounts" not in editor.get("/curation/").get_data(as_text=True)

    admin = _signed_in(app)
    page = admin.get(PAGE, headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    for name, role in (("root", "administrateur"), ("ed", "éditeur"), ("con", "contributeur")):
        assert f'data-account="{name}"' in text and role in text
    created = _accounts(app).get("ed").created  # type: ignore[union-attr]
    assert f'datetime="{created}"' in text
    assert "scrypt" not in text
    english = admin.get(PAGE + "?lang=en").get_data(as_text=True)
    assert "Add an account" in english and "contributor" in english
    assert 'action="/curation/accounts?lang=en"' in english  # posts keep the language
    assert "/curation/accounts" in admin.get("/curation/").get_data(as_text=True)


def test_every_form_needs_its_csrf_token(app) -> None:
    admin = _signed_in(app)
    for path, form in (
        (PAGE, {"name": "mallory", "role": "admin", "generate": "1"}),
        (PAGE + "/role", {"account": "ed", "role": "admin"}),
        (PAGE + "/password", {"account": "ed", "generate": "1"}),
        (PAGE + "/remove", {"account": "ed"}),
    ):
        refused = _post(admin, path, csrf=False, **form)
        assert refused.status_code == 403 and "CSRF" in refused.get_data(as_text=True)
        wrong = admin.post(path, data={**form, "csrf_token": "forged"})
        assert wrong.status_code == 403
    assert [(a.name, a.role) for a in _accounts(app).list()] == [
        ("con", "contributor"), ("ed", "editor"), ("root", "admin")
    ]  # fmt: skip
    assert _reaches(_signed_in(app, "ed")) == 200  # ed's password was not changed


def test_add_an_account_with_a_typed_password(app) -> None:
    admin = _signed_in(app)
    form = {"name": "alice", "role": "editor", "password": "a long password", "password_again": ""}
    mismatch = _post(admin, PAGE, **form)
    text = mismatch.get_data(as_text=True)
    assert mismatch.status_code == 400
    assert 'id="add-password-error">Les deux mots de passe diffèrent.' in text
    assert 'value="alice"' in text and "a long password" not in text  # never shown back
    assert _accounts(app).get("alice") is None

    added = _post(admin, PAGE, **{**form, "password_again": "a long password"})
    assert added.status_code == 303 and added.headers["Location"] == PAGE
    notice = admin.get(PAGE).get_data(as_text=True)
    assert "Compte alice créé (éditeur)." in notice
    assert "Compte alice créé" not in admin.get(PAGE).get_data(as_text=True)  # said once
    assert _reaches(_signed_in(app, "alice", "a long password")) == 200


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "a b"}, "add-name", "Nom invalide"),
        ({"name": "<script>x</script>"}, "add-name", "Nom invalide"),
        ({"name": "ed"}, "add-name", "Un compte porte déjà ce nom."),
        ({"role": "root"}, "add-role", "Choisissez un rôle de la liste."),
        ({"password": "short", "password_again": "short"}, "add-password", "de 8 à 1024"),
    ],
)
def test_bad_fields_are_told_next_to_the_field(app, form, field, message) -> None:
    admin = _signed_in(app)
    good = {"name": "alice", "role": "editor", "password": PASSWORD, "password_again": PASSWORD}
    answer = _post(admin, PAGE, **{**good, **form})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert f'<span class="field-error" id="{field}-error">' in text
    error = text.split(f'id="{field}-error">', 1)[1].split("</span>", 1)[0]
    assert message in html.unescape(error)
    assert f'aria-describedby="{field}-hint {field}-error"' in text or (
        f'aria-describedby="{field}-error"' in text
    )
    assert "<script>x</script>" not in text
    assert [a.name for a in _accounts(app).list()] == ["con", "ed", "root"]


def test_messages_follow_the_interface_language(app) -> None:
    admin = _signed_in(app)
    answer = admin.post(
        PAGE + "?lang=en",
        data={"name": "a b", "role": "editor", "generate": "1", "csrf_token": _token(admin, "/")},
    )
    assert answer.status_code == 400
    assert "Invalid name: 1 to 64 unaccented letters" in answer.get_data(as_text=True)


def test_a_generated_password_is_shown_once_and_works(app) -> None:
    admin = _signed_in(app)
    answer = _post(admin, PAGE + "?lang=en", name="bob", role="contributor", generate="1")
    assert answer.status_code == 200
    assert "no-store" in answer.headers["Cache-Control"]
    found = GENERATED.search(answer.get_data(as_text=True))
    assert found
    password = html.unescape(found.group(1))
    assert len(password) >= 16
    # Never again: not on the list, not in the file, not in the session cookie.
    assert password not in admin.get(PAGE).get_data(as_text=True)
    assert password not in _accounts(app).path.read_text(encoding="utf-8")
    assert password not in answer.headers.get("Set-Cookie", "")
    assert _reaches(_signed_in(app, "bob", password), "/curation/proposals") == 200

    # The same for a new password: generated, shown, and the old one no longer works.
    changed = _post(admin, PAGE + "/password", account="bob", generate="1")
    new = GENERATED.search(changed.get_data(as_text=True))
    assert changed.status_code == 200 and new
    assert _accounts(app).authenticate("bob", html.unescape(new.group(1))) is not None
    assert _accounts(app).authenticate("bob", password) is None


def test_a_role_change_takes_effect_on_the_next_request(app) -> None:
    ed = _signed_in(app, "ed")
    assert _reaches(ed) == 200
    admin = _signed_in(app)
    answer = _post(admin, PAGE + "/role", account="ed", role="contributor")
    assert answer.status_code == 303
    assert "ed est maintenant contributeur." in admin.get(PAGE).get_data(as_text=True)
    assert _reaches(ed) == 403  # the same session, no longer an editor
    assert _post(admin, PAGE + "/role", account="ed", role="admin").status_code == 303
    assert _reaches(ed, PAGE) == 200

    bad = _post(admin, PAGE + "/role", account="ed", role="root")
    assert bad.status_code == 400 and 'id="role-ed-error"' in bad.get_data(as_text=True)
    unknown = _post(admin, PAGE + "/role", account="nobody", role="editor")
    assert unknown.status_code == 404


def test_the_last_admin_can_be_neither_demoted_nor_removed(app) -> None:
    admin = _signed_in(app)
    demoted = _post(admin, PAGE + "/role", account="root", role="editor")
    text = demoted.get_data(as_text=True)
    assert demoted.status_code == 409
    assert 'id="role-root-error">C’est le dernier administrateur' in text
    removed = _post(admin, PAGE + "/remove", account="root")
    assert removed.status_code == 409 and 'id="remove-root-error"' in removed.get_data(as_text=True)
    assert _accounts(app).get("root").role == "admin"  # type: ignore[union-attr]
    assert _reaches(admin, PAGE) == 200

    # With a second admin, root may step down: sent to /curation/, no longer let in here.
    assert _post(admin, PAGE + "/role", account="ed", role="admin").status_code == 303
    stepped = _post(admin, PAGE + "/role", account="root", role="editor")
    assert stepped.status_code == 303 and stepped.headers["Location"] == "/curation/"
    assert _reaches(admin, PAGE) == 403
    ed = _signed_in(app, "ed")
    assert _post(ed, PAGE + "/role", account="ed", role="contributor").status_code == 409


def test_a_new_password_ends_the_other_sessions(app) -> None:
    ed = _signed_in(app, "ed")
    admin = _signed_in(app)
    elsewhere = _signed_in(app)  # root signed in on another device too
    form = {"password": "ed's new password", "password_again": "ed's new password"}
    answer = _post(admin, PAGE + "/password", account="ed", **form)
    assert answer.status_code == 303
    assert "ses autres sessions sont fermées" in admin.get(PAGE).get_data(as_text=True)
    assert _reaches(ed) == 302  # sent to sign in again
    assert _reaches(_signed_in(app, "ed", "ed's new password")) == 200

    # An admin's own new password: this session goes on, the other device's ends.
    own = {"password": "root's new password", "password_again": "root's new password"}
    assert _post(admin, PAGE + "/password", account="root", **own).status_code == 303
    assert _reaches(admin, PAGE) == 200
    assert _reaches(elsewhere, PAGE) == 302
    short = _post(admin, PAGE + "/password", account="ed", password="x", password_again="x")
    assert short.status_code == 400 and 'id="password-ed-error"' in short.get_data(as_text=True)


def test_removing_takes_a_confirmation(app) -> None:
    ed = _signed_in(app, "ed")
    admin = _signed_in(app)
    confirm = admin.get(PAGE + "/remove?account=ed&lang=en")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "no-store" in confirm.headers["Cache-Control"]
    assert "Remove the account ed?" in text and 'name="account" value="ed"' in text
    assert _accounts(app).get("ed") is not None  # asking is not removing
    assert admin.get(PAGE + "/remove?account=nobody").status_code == 404

    answer = _post(admin, PAGE + "/remove", account="ed")
    assert answer.status_code == 303
    assert "Compte ed supprimé." in admin.get(PAGE).get_data(as_text=True)
    assert _accounts(app).get("ed") is None and _reaches(ed) == 302

    # An admin removing themselves (another admin remains) is signed out at once.
    assert _post(admin, PAGE + "/role", account="con", role="admin").status_code == 303
    gone = _post(admin, PAGE + "/remove", account="root")
    assert gone.status_code == 303 and _reaches(admin, PAGE) == 302
    assert [a.name for a in _accounts(app).list()] == ["con"]


def test_the_accounts_file_never_holds_a_password(app) -> None:
    admin = _signed_in(app)
    _post(admin, PAGE, name="alice", role="editor", password=PASSWORD, password_again=PASSWORD)
    stored = json.loads(_accounts(app).path.read_text(encoding="utf-8"))
    assert PASSWORD not in json.dumps(stored)
    assert all(entry["hash"].startswith("scrypt:") for entry in stored["accounts"])
