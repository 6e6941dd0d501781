"""Imports by a signed-in admin (/curation/import without the token), and everyone else's way."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from graph_service import create_app
from graph_service.curate.accounts import AccountStore
from graph_service.curate.imports import import_graph_iri
from graph_service.store.build import build_store, open_current
from graph_service.store.journal import Journal
from graph_service.web.curation.import_jobs import job_runner

DATA = Path(__file__).resolve().parent / "data" / "curation"
PASSWORD = "correct horse battery"
TOKEN = "import-token"
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
GREEN = import_graph_iri("greenvoc")


@pytest.fixture
def web(tiny_vocab: Path, tmp_path: Path):
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
    accounts = AccountStore(data_dir)
    accounts.add("root", "admin", PASSWORD)
    accounts.add("ed", "editor", PASSWORD)
    store = open_current(data_dir)
    app = create_app(
        {
            "TESTING": True,
            "STORE": store,
            "JOURNAL": Journal(data_dir),
            "UPDATE_TOKEN": TOKEN,
            "DATA_DIR": data_dir,
        }
    )
    yield app, store, data_dir
    for job in job_runner(app).jobs():  # no job may outlive its store
        job_runner(app).wait(job.id, 120)
    store.close()


def _csrf(client, path: str = "/curation/import") -> str:
    found = TOKEN_FIELD.search(client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def _signed_in(app, name: str):
    client = app.test_client()
    answer = client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf_token": _csrf(client, "/login")}
    )
    assert answer.status_code == 303
    return client


def _upload(client, accept: str = "text/html", **form: str):
    with (DATA / "import_ok.ttl").open("rb") as handle:
        return client.post(
            "/curation/import",
            data={"file": (handle, "import_ok.ttl"), **form},
            headers={"Accept": accept},
        )


def _finished(client, location: str) -> str:
    deadline = time.monotonic() + 120
    while (status := client.get(location + "?format=json").get_json())["state"] not in {
        "done",
        "failed",
    }:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return str(status["state"])


def test_a_signed_in_admin_imports_without_the_token(web) -> None:
    app, store, data_dir = web
    admin = _signed_in(app, "root")
    form = admin.get("/curation/import").get_data(as_text=True)
    assert 'name="token"' not in form and "Connecté comme administrateur (root)" in form
    assert 'name="csrf_token"' in form
    answer = _upload(admin, csrf_token=_csrf(admin))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert _finished(admin, answer.headers["Location"]) == "done"
    assert store.has_graph(GREEN)
    [change] = Journal(data_dir).changes()
    assert change.author == "root"  # the journal names the account, not the shared token


def test_a_proxy_s_basic_auth_does_not_hide_the_admin_s_session(web) -> None:
    app, store, _ = web
    admin = _signed_in(app, "root")
    with (DATA / "import_ok.ttl").open("rb") as handle:
        answer = admin.post(
            "/curation/import",
            data={"file": (handle, "import_ok.ttl"), "csrf_token": _csrf(admin)},
            headers={"Authorization": "Basic c2l0ZTpndWVzdA==", "Accept": "text/html"},
        )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert _finished(admin, answer.headers["Location"]) == "done" and store.has_graph(GREEN)


def test_an_admin_s_form_without_its_csrf_token_is_refused(web) -> None:
    app, store, _ = web
    admin = _signed_in(app, "root")
    refused = _upload(admin)
    assert refused.status_code == 403 and "CSRF" in refused.get_data(as_text=True)
    assert _upload(admin, csrf_token="forged").status_code == 403
    as_json = _upload(admin, accept="application/json")
    assert as_json.status_code == 403 and "CSRF" in as_json.get_json()["error"]
    assert job_runner(app).jobs() == [] and not store.has_graph(GREEN)


def test_other_accounts_need_the_token(web) -> None:
    app, store, data_dir = web
    editor = _signed_in(app, "ed")
    form = editor.get("/curation/import?lang=en").get_data(as_text=True)
    assert 'name="token"' in form and "Update token" in form
    refused = _upload(editor, csrf_token=_csrf(editor))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Importer demande le rôle administrateur (ed est éditeur)" in text
    assert job_runner(app).jobs() == [] and not store.has_graph(GREEN)
    # With the token, an editor imports like anyone holding it, named in the journal.
    answer = _upload(editor, token=TOKEN)
    assert answer.status_code == 303
    assert _finished(editor, answer.headers["Location"]) == "done"
    assert Journal(data_dir).changes()[0].author == "ed"


def test_anonymous_and_scripts_keep_the_token_path(web) -> None:
    app, store, _ = web
    anonymous = app.test_client()
    form = anonymous.get("/curation/import").get_data(as_text=True)
    assert 'name="token"' in form and 'name="csrf_token"' not in form  # no session made
    assert "Set-Cookie" not in anonymous.get("/curation/import").headers
    assert _upload(anonymous).status_code == 401
    assert _upload(anonymous, token="wrong").status_code == 403
    # An admin's script sends the Bearer token: no CSRF needed then.
    admin = _signed_in(app, "root")
    with (DATA / "import_ok.ttl").open("rb") as handle:
        answer = admin.post(
            "/curation/import",
            data={"file": (handle, "import_ok.ttl")},
            headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
        )
    assert answer.status_code == 202
    assert _finished(admin, answer.headers["Location"]) == "done" and store.has_graph(GREEN)
