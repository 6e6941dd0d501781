"""Visitors' feedback: the link on concept pages, the form in both languages, what is kept in
the review queue, and the defences (CSRF, honeypot, rate limit, field checks, no caching), over
Flask's test client and over real HTTP through the response cache."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from graph_service import create_app
from graph_service.curate.proposals import ProposalStore
from graph_service.store.build import build_store, open_current
from graph_service.web.curation import feedback

A = "http://example.org/tiny/a"
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
HTML = {"Accept": "text/html"}


@pytest.fixture
def data_dir(tiny_vocab: Path, tmp_path: Path) -> Path:
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
    return data_dir


@pytest.fixture
def app(data_dir: Path):
    store = open_current(data_dir)
    yield create_app({"TESTING": True, "STORE": store, "DATA_DIR": data_dir})
    store.close()


def _token(client, uri: str = A, lang: str = "") -> str:
    page = client.get(f"/feedback?uri={quote(uri)}{lang}", headers=HTML)
    assert page.status_code == 200, page.text
    found = TOKEN_FIELD.search(page.text)
    assert found, page.text
    return found.group(1)


def _send(client, message: str = "Il manque un synonyme.", **fields: str):
    data = {"uri": A, "message": message, "csrf_token": _token(client), **fields}
    return client.post("/feedback", data=data, headers=HTML)


def test_every_concept_page_links_to_the_form(app) -> None:
    client = app.test_client()
    page = client.get(f"/page?uri={quote(A)}", headers=HTML).text
    assert f'href="/feedback?uri={quote(A, safe="")}"' in page
    assert "Suggérer une correction" in page
    english = client.get(f"/page?uri={quote(A)}&lang=en", headers=HTML).text
    assert "Suggest a correction" in english
    assert f"/feedback?lang=en&amp;uri={quote(A, safe='')}" in english  # the language carried on


def test_the_form_shows_the_concept_and_is_never_cached(app) -> None:
    client = app.test_client()
    page = client.get(f"/feedback?uri={quote(A)}", headers=HTML)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "session=" in page.headers["Set-Cookie"]  # the form sets up the CSRF token
    text = page.text
    assert "Suggérer une correction" in text and ">Alpha</a>" in text
    assert '<label for="feedback-message">' in text and 'id="feedback-message"' in text
    assert '<label for="feedback-email">' in text and 'autocomplete="email"' in text
    trap = re.search(r'<div class="trap" aria-hidden="true">.*?</div>', text, re.S)
    assert trap and 'name="website"' in trap.group(0)
    assert 'tabindex="-1"' in trap.group(0) and 'autocomplete="off"' in trap.group(0)
    english = client.get(f"/feedback?uri={quote(A)}&lang=en", headers=HTML).text
    assert "Your message" in english and "Send" in english and '<html lang="en">' in english
    assert 'action="/feedback?lang=en"' in english


def test_a_message_is_kept_for_the_editors(app, data_dir: Path) -> None:
    client = app.test_client()
    message = "  Il manque le synonyme « A ».\r\nMerci  " + "x" * 120
    answer = _send(client, message, name=" Jeanne   Dupont ", email="jeanne@example.org")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/feedback/sent?uri={quote(A, safe='')}"
    (kept,) = ProposalStore(data_dir).list()
    assert (kept.kind, kept.author, kept.target, kept.status) == (
        "feedback",
        "visitor",
        A,
        "pending",
    )
    assert kept.action == {
        "uri": A,
        "message": "Il manque le synonyme « A ».\nMerci  " + "x" * 120,
        "name": "Jeanne Dupont",
        "email": "jeanne@example.org",
    }
    assert kept.summary == "Il manque le synonyme « A ». Merci " + "x" * 64  # 100 characters
    thanks = client.get(answer.headers["Location"], headers=HTML)
    assert thanks.status_code == 200 and "Merci !" in thanks.text
    assert thanks.headers["Cache-Control"] == "no-store"
    assert "Retour au concept « Alpha »" in thanks.text


def test_the_honeypot_is_thanked_and_forgotten(app, data_dir: Path) -> None:
    client = app.test_client()
    answer = _send(client, "Buy now", website="http://spam.example")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/feedback/sent")
    assert ProposalStore(data_dir).count() == 0


def test_without_the_csrf_token_nothing_is_kept(app, data_dir: Path) -> None:
    client = app.test_client()
    _token(client)  # a session, but the form lacks its token
    answer = client.post("/feedback", data={"uri": A, "message": "Hello"}, headers=HTML)
    assert answer.status_code == 403 and "CSRF" in answer.text
    other = app.test_client()
    forged = other.post(
        "/feedback", data={"uri": A, "message": "Hello", "csrf_token": _token(client)}
    )
    assert forged.status_code == 403  # another session's token
    assert ProposalStore(data_dir).count() == 0


def test_the_sixth_message_within_ten_minutes_waits(app, data_dir: Path) -> None:
    client = app.test_client()
    for number in range(5):
        assert _send(client, f"Message {number}").status_code == 303
    refused = _send(client, "Message 5")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    assert "réessayez après" in refused.text and "Message 5</textarea>" in refused.text
    assert ProposalStore(data_dir).count() == 5
    # Another address is not held back.
    other = app.test_client()
    data = {"uri": A, "message": "Autre", "csrf_token": _token(other)}
    answer = other.post("/feedback", data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert answer.status_code == 303


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"message": "   "}, "message", "Écrivez votre message."),
        ({"message": "x" * 2001}, "message", "dépasse 2000 caractères (2001)"),
        ({"email": "not an address"}, "email", "n’est pas valide"),
        ({"name": "n" * 201}, "name", "dépasse 200 caractères"),
    ],
)
def test_bad_fields_are_refused_next_to_the_field(app, data_dir, fields, field, words) -> None:
    client = app.test_client()
    answer = _send(client, **{"message": "Bonjour", **fields})
    assert answer.status_code == 400
    assert words in answer.text
    assert f'id="feedback-{field}-error"' in answer.text
    assert re.search(rf'id="feedback-{field}"[^>]*aria-invalid="true"', answer.text)
    assert ProposalStore(data_dir).count() == 0


def test_a_message_of_2000_characters_with_crlf_line_ends_fits(app, data_dir: Path) -> None:
    client = app.test_client()
    assert _send(client, ("y" * 99 + "\r\n") * 20).status_code == 303  # 2000 once CRLF is LF
    assert len(ProposalStore(data_dir).list()[0].action["message"]) == 1999  # stripped


@pytest.mark.parametrize(
    ("uri", "status"),
    [
        ("http://example.org/tiny/nope", 404),
        ("not an iri", 400),
        ("", 400),
        ("http://example.org/tiny/scheme", 404),  # a scheme is not a concept
    ],
)
def test_unknown_or_invalid_concepts(app, data_dir: Path, uri: str, status: int) -> None:
    client = app.test_client()
    assert client.get(f"/feedback?uri={quote(uri)}", headers=HTML).status_code == status
    data = {"uri": uri, "message": "Hello", "csrf_token": _token(client)}
    assert client.post("/feedback", data=data, headers=HTML).status_code == status
    assert client.get(f"/feedback/sent?uri={quote(uri)}", headers=HTML).status_code == status
    assert ProposalStore(data_dir).count() == 0


def test_what_visitors_write_is_escaped(app) -> None:
    client = app.test_client()
    answer = _send(client, "<script>alert(1)</script>", email='"><img src=x onerror=alert(1)>')
    assert answer.status_code == 400
    assert "<script>alert" not in answer.text and "&lt;script&gt;" in answer.text
    assert "<img src=x" not in answer.text


def test_the_limits_hold_over_a_day() -> None:
    # The 10-minute window lets 5 through; the day's lets 20 through in all.
    now = [0.0]
    limit = feedback.RateLimit(feedback.LIMITS, clock=lambda: now[0])
    sent = 0
    for _ in range(6 * 24):  # every 10 minutes and a second, for a day
        while limit.retry_at("addr:x") is None:
            limit.record("addr:x")
            sent += 1
        now[0] += 601
    assert sent == 20


# --- over real HTTP, through the response cache ------------------------------------------------


def test_over_http_the_form_is_never_served_from_the_cache(data_dir: Path, live_server_factory):
    server = live_server_factory(data_dir, GRAPH_SERVICE_ACCESS_LOG="false")
    url = f"{server.url}/feedback?uri={quote(A)}"
    pages = [requests.get(url, headers=HTML, timeout=60) for _ in range(3)]
    tokens = set()
    for page in pages:
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        assert "session=" in page.headers.get("Set-Cookie", "")
        tokens.add(TOKEN_FIELD.search(page.text).group(1))
    assert len(tokens) == 3  # each visitor got their own session and token, none a cached one

    session = requests.Session()
    token = TOKEN_FIELD.search(session.get(url, headers=HTML, timeout=60).text).group(1)
    answer = session.post(
        f"{server.url}/feedback",
        data={"uri": A, "message": "Par HTTP", "csrf_token": token},
        headers=HTML,
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 303, answer.text
    (kept,) = ProposalStore(data_dir).list()
    assert kept.action["message"] == "Par HTTP"
    forged = requests.post(
        f"{server.url}/feedback", data={"uri": A, "message": "x"}, headers=HTML, timeout=60
    )
    assert forged.status_code == 403
    assert ProposalStore(data_dir).count() == 1
