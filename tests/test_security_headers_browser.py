"""In chromium: our pages run under their Content-Security-Policy without a violation, another
site cannot frame them (issue 19: /curation/import and its token field), and can frame cards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_embed_browser import ThirdPartySite

pytestmark = pytest.mark.browser

CONCERTATION = "https://w3id.org/pdv/notions/concertation"
#: Pages with their scripts (ui.js, sparql.js, the embed panel's, the JSON-LD block).
PAGES = ["/", "/notions", "/notions/concertation", "/search?q=concert", "/sparql",
         "/sparql?query=ASK%20%7B%7D", "/history", "/curation/", "/curation/import",
         "/curation/quality", "/curation/suggest", "/login", f"/feedback?uri={CONCERTATION}",
         f"/reconcile/preview?id={CONCERTATION}", "/card/notions/concertation",
         "/no/such/page"]  # fmt: skip
#: Collects the page's CSP violations (init scripts run outside the page's policy).
WATCH = """document.addEventListener("securitypolicyviolation", (event) => {
  (window.__violations = window.__violations || []).push(
    event.violatedDirective + " " + event.blockedURI);
});"""


@pytest.fixture
def site() -> Iterator[ThirdPartySite]:
    third = ThirdPartySite()
    yield third
    third.close()


def test_pages_run_without_csp_violations(live_server_factory, built_vocab_dir: Path, browser):
    server = live_server_factory(built_vocab_dir)
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.location.get('url')}: {m.text}") if m.type == "error" else None
        ),
    )
    try:
        for path in PAGES:
            answer = page.goto(server.url + path)
            assert answer is not None and "content-security-policy" in answer.headers, path
            page.wait_for_load_state("networkidle")
            violations = page.evaluate("window.__violations || []")
            assert violations == [], (path, violations)
        page.goto(server.url + "/")
        page.locator("input[data-autocomplete]").first.press_sequentially("concert")
        page.locator("[role=option]").first.wait_for()  # the autocomplete fetched: connect-src
        assert page.evaluate("window.__violations || []") == []
    finally:
        context.close()
    # A missing page logs its 404 as a console error, and so does a page without an icon link
    # (the browser asks for /favicon.ico): expected, no other.
    expected = ("/no/such/page", "/favicon.ico")
    assert [e for e in errors if not any(path in e for path in expected)] == []


def test_another_site_cannot_frame_our_pages_but_can_frame_cards(
    live_server_factory, built_vocab_dir: Path, site: ThirdPartySite, browser
) -> None:
    server = live_server_factory(built_vocab_dir)
    url = site.add(
        "/framing.html",
        f"""<!doctype html><html><head><meta charset="utf-8"><title>Framing</title></head><body>
<iframe id="import" src="{server.url}/curation/import"></iframe>
<iframe id="concept" src="{server.url}/notions/concertation"></iframe>
<iframe id="card" src="{server.url}/card/notions/concertation"></iframe>
</body></html>""",
    )
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        card = page.frame_locator("#card").locator("h1")
        assert card.text_content() == "Concertation"  # framed, as cards are meant to be
        assert page.frame_locator("#import").locator("input[name=token]").count() == 0
        assert page.frame_locator("#concept").locator("#embed").count() == 0
        loaded = {frame.url for frame in page.frames}
        assert f"{server.url}/card/notions/concertation" in loaded
    finally:
        context.close()
