"""Sign-in through the browser: /login, /logout, the session cookie, CSRF, lock-out and roles."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
import requests
from flask import Flask

from graph_service import create_app
from graph_service.curate.accounts import AccountStore
from graph_service.store.build import build_store, open_current
from graph_service.web.accounts import require_role
from graph_service.web.auth import change_author
from graph_service.web.csrf import check_csrf

PASSWORD = "correct horse battery"
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tiny_vocab: Path, tmp_path: Path):
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
    accounts = AccountStore(data_dir)
    accounts.add("ed", "editor", PASSWORD)
    accounts.add("con", "contributor", PASSWORD)
    store = open_current(data_dir)
    app = create_app({"TESTING": True, "STORE": store, "DATA_DIR": data_dir})
    _add_test_routes(app)
    yield app
    store.close()


def _add_test_routes(app: Flask) -> None:
    @app.get("/test/editors")
    @require_role("editor")
    def editors_only() -> str:
        return "editors welcome"

    @app.post("/test/author")
    def author() -> str:
        check_csrf()
        return change_author()


def _token(client, path: str = "/login") -> str:
    page = client.get(path, headers={"Accept": "text/html"})
    found = TOKEN_FIELD.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)
    return found.group(1)


def _sign_in(client, name: str = "ed", password: str = PASSWORD, **extra: str):
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": _token(client), **extra},
        headers={"Accept": "text/html"},
    )


def test_sign_in_sets_an_httponly_samesite_cookie_and_shows_the_account(app) -> None:
    client = app.test_client()
    answer = _sign_in(client, next="/test/editors")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/test/editors")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the public base is not https here
    page = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Connecté : ed" in page and "Se déconnecter" in page
    english = client.get("/?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Signed in: ed" in english and "Sign out" in english
    assert client.get("/test/editors").get_data(as_text=True) == "editors welcome"


def test_the_secret_key_is_generated_once_in_the_data_directory(app) -> None:
    _sign_in(app.test_client())
    key_file = Path(app.config["DATA_DIR"]) / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.secret_key == key_file.read_text(encoding="ascii").strip()


def test_secure_cookie_behind_https(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path, "PUBLIC_BASE": "https://example.org/"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_wrong_password_is_refused_with_a_message(app) -> None:
    client = app.test_client()
    for name in ("ed", "nobody"):  # the same answer whether the name exists or not
        answer = _sign_in(client, name=name, password="not the password")
        assert answer.status_code == 401
        assert "Nom ou mot de passe incorrect." in answer.get_data(as_text=True)
    assert "Connecté" not in client.get("/").get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(app) -> None:
    client = app.test_client()
    _token(client)  # a session exists, but the form does not carry its token
    answer = client.post("/login", data={"name": "ed", "password": PASSWORD})
    assert answer.status_code == 403
    assert "CSRF" in answer.get_data(as_text=True)
    wrong = client.post("/login", data={"name": "ed", "password": PASSWORD, "csrf_token": "x"})
    assert wrong.status_code == 403


def test_the_sixth_attempt_is_locked_out_with_the_retry_time(app) -> None:
    client = app.test_client()
    for _ in range(5):
        assert _sign_in(client, password="not the password").status_code == 401
    locked = _sign_in(client)  # even the right password: the name is locked for a while
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    text = locked.get_data(as_text=True)
    assert "réessayez après" in text and "UTC" in text
    # An unknown name is refused the same way (from another address, so that the name's
    # limit is the one met): the lock-out reveals nothing.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    for _ in range(5):
        assert _sign_in(other, name="ghost", password="not the password").status_code == 401
    assert _sign_in(other, name="ghost").status_code == 429


def test_many_names_from_one_address_meet_the_address_limit(app) -> None:
    client = app.test_client()
    for number in range(5):
        assert _sign_in(client, name=f"guess{number}", password="nope").status_code == 401
    assert _sign_in(client, name="con").status_code == 429


def test_logout_ends_the_session(app) -> None:
    client = app.test_client()
    _sign_in(client)
    page = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    token = TOKEN_FIELD.search(page)
    assert token
    assert client.post("/logout", data={}).status_code == 403  # CSRF here too
    answer = client.post("/logout", data={"csrf_token": token.group(1)})
    assert answer.status_code == 303
    assert "Connecté" not in client.get("/").get_data(as_text=True)
    assert client.get("/test/editors", headers={"Accept": "text/html"}).status_code == 302


def test_roles_guard_pages(app) -> None:
    anonymous = app.test_client()
    page = anonymous.get("/test/editors", headers={"Accept": "text/html"})
    assert page.status_code == 302 and "/login?next=" in page.headers["Location"]
    assert anonymous.get("/test/editors", headers={"Accept": "application/json"}).status_code == 401
    contributor = app.test_client()
    _sign_in(contributor, name="con")
    refused = contributor.get("/test/editors")
    assert refused.status_code == 403
    assert "editor" in refused.get_data(as_text=True)


def test_a_removed_account_is_signed_out(app) -> None:
    client = app.test_client()
    _sign_in(client)
    AccountStore(app.config["DATA_DIR"]).remove("ed")
    assert client.get("/test/editors", headers={"Accept": "text/html"}).status_code == 302


def test_a_new_password_ends_the_old_sessions(app) -> None:
    client = app.test_client()
    _sign_in(client)
    assert client.get("/test/editors").status_code == 200
    AccountStore(app.config["DATA_DIR"]).set_password("ed", "a brand new password")
    assert client.get("/test/editors", headers={"Accept": "text/html"}).status_code == 302


def test_change_author_names_the_signed_in_account(app) -> None:
    client = app.test_client()
    token = _token(client)
    assert client.post("/test/author", data={"csrf_token": token}).get_data(as_text=True) == (
        "anonymous token"
    )
    _sign_in(client)
    page = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    token = TOKEN_FIELD.search(page)
    assert token
    assert (
        client.post("/test/author", data={"csrf_token": token.group(1)}).get_data(as_text=True)
        == "ed"
    )


def test_only_local_next_targets(app) -> None:
    client = app.test_client()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        answer = _sign_in(client, next=target)
        assert answer.status_code == 303
        assert "evil" not in answer.headers["Location"]
        client = app.test_client()


def test_signed_in_pages_are_private(app) -> None:
    client = app.test_client()
    _sign_in(client)
    answer = client.get("/", headers={"Accept": "text/html"})
    assert "private" in answer.headers["Cache-Control"]
    assert "Cookie" in answer.headers.get("Vary", "")


def test_the_login_page_escapes_what_it_shows_back(app) -> None:
    client = app.test_client()
    answer = _sign_in(client, name="<script>x</script>", password="not the password")
    text = answer.get_data(as_text=True)
    assert "<script>x</script>" not in text and "&lt;script&gt;" in text


def test_sign_in_over_real_http(tiny_vocab: Path, tmp_path: Path, live_server_factory) -> None:
    # Through the production server and its WSGI layers (the response cache must neither keep
    # a signed-in page nor answer a signed-in browser with an anonymous one).
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
    AccountStore(data_dir).add("ed", "editor", PASSWORD)
    server = live_server_factory(data_dir)
    for _ in range(2):  # a second time: the cache keeps an answer from its second request on
        assert "Connecté" not in requests.get(server.url + "/", timeout=60).text
    browser = requests.Session()
    form = browser.get(server.url + "/login", timeout=60)
    token = TOKEN_FIELD.search(form.text)
    assert token
    answer = browser.post(
        server.url + "/login",
        data={"name": "ed", "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 303
    assert "HttpOnly" in answer.headers["Set-Cookie"]
    home = browser.get(server.url + "/", timeout=60)
    assert "Connecté : ed" in home.text
    assert "private" in home.headers["Cache-Control"]
    assert "Connecté" not in requests.get(server.url + "/", timeout=60).text


def test_a_page_cached_before_signing_in_is_not_confirmed_after(app) -> None:
    # The ETag of the anonymous page must not earn a 304 once the header shows the account.
    client = app.test_client()
    anonymous = client.get("/vocab", headers={"Accept": "text/html"})
    tag = anonymous.headers["ETag"]
    _sign_in(client)
    again = client.get("/vocab", headers={"Accept": "text/html", "If-None-Match": tag})
    assert again.status_code == 200
    assert "Connecté : ed" in again.get_data(as_text=True)
    assert "ETag" not in again.headers and "private" in again.headers["Cache-Control"]
