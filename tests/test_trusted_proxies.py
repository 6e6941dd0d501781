"""GRAPH_SERVICE_TRUSTED_PROXIES: X-Forwarded-For is believed only from that many proxies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from graph_service import create_app
from graph_service.config import Config
from graph_service.curate.accounts import AccountStore
from graph_service.store.build import build_store, open_current

PASSWORD = "correct horse battery"
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def make_app(tiny_vocab: Path, tmp_path: Path):
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
    AccountStore(data_dir).add("ed", "editor", PASSWORD)
    store = open_current(data_dir)

    def make(proxies: int):
        app = create_app(
            {"TESTING": True, "STORE": store, "DATA_DIR": data_dir, "TRUSTED_PROXIES": proxies}
        )

        @app.get("/test/address")
        def address() -> str:
            from flask import request

            return f"{request.remote_addr} {request.scheme} {request.host}"

        return app

    yield make
    store.close()


def _sign_in(app, forwarded: str, name: str, password: str = "not the password") -> int:
    """A sign-in from a new browser that says it is `forwarded`; the answer's status."""
    client = app.test_client()
    headers = {"X-Forwarded-For": forwarded, "Accept": "text/html"}
    page = client.get("/login", headers=headers).get_data(as_text=True)
    token = TOKEN_FIELD.search(page)
    assert token
    form = {"name": name, "password": password, "csrf_token": token.group(1)}
    return client.post("/login", data=form, headers=headers).status_code


def test_without_trusted_proxies_forwarded_headers_are_ignored(make_app) -> None:
    app = make_app(0)
    seen = app.test_client().get(
        "/test/address",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "evil.example"},
    )  # fmt: skip
    assert seen.get_data(as_text=True) == "127.0.0.1 http localhost"
    # Five wrong guesses, each claiming another address: all count against the real one.
    for number in range(5):
        assert _sign_in(app, f"198.51.100.{number}", f"guess{number}") == 401
    assert _sign_in(app, "198.51.100.99", "ed", PASSWORD) == 429


def test_behind_one_proxy_each_forwarded_address_has_its_own_limit(make_app) -> None:
    app = make_app(1)
    seen = app.test_client().get(
        "/test/address",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "glossaire.example"},
    )  # fmt: skip
    assert seen.get_data(as_text=True) == "203.0.113.9 https glossaire.example"
    for number in range(5):
        assert _sign_in(app, "198.51.100.1", f"guess{number}") == 401
    assert _sign_in(app, "198.51.100.1", "another") == 429  # that visitor is locked out
    assert _sign_in(app, "198.51.100.2", "ed", PASSWORD) == 303  # not everyone behind the proxy
    # A client writing its own X-Forwarded-For gets the proxy's entry appended: only the
    # last one (what the trusted proxy saw) counts, so the forged first one changes nothing.
    assert _sign_in(app, "192.0.2.200, 198.51.100.1", "another") == 429


def test_the_setting_is_read_from_the_environment() -> None:
    assert Config.from_env({}).trusted_proxies == 0
    assert Config.from_env({"GRAPH_SERVICE_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    with pytest.raises(ValueError, match="GRAPH_SERVICE_TRUSTED_PROXIES"):
        Config.from_env({"GRAPH_SERVICE_TRUSTED_PROXIES": "one"})
    app = create_app({"TESTING": True, "TRUSTED_PROXIES": 2})
    assert isinstance(app.wsgi_app, ProxyFix) and app.wsgi_app.x_for == 2
    assert not isinstance(create_app({"TESTING": True}).wsgi_app, ProxyFix)
    with pytest.raises(ValueError, match="0 or more"):
        create_app({"TESTING": True, "TRUSTED_PROXIES": -1})
