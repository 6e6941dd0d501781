"""Concept cards in a real browser, on pages served from another origin than the service."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from test_cards import EVIL_DEFINITION, EVIL_LABEL, NS, build_evil_vocab

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CONCERTATION = NS + "notions/concertation"
DEFINITION_START = "Échange organisé entre une autorité"


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh page; any dialog (alert...) fails the test that opened it."""
    context = browser.new_context()
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield opened
    context.close()
    assert dialogs == [], f"a script ran: {dialogs}"


class ThirdPartySite:
    """Pages of "another site": a tiny HTTP server on its own port of 127.0.0.1."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path.split("?", 1)[0])
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, body: str) -> str:
        """Serve `body` at `path`; return its URL."""
        self.pages[path] = body
        return self.url + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[ThirdPartySite]:
    """A third-party site on another origin (another port)."""
    third = ThirdPartySite()
    yield third
    third.close()


def article(service: str, body: str, head: str = "") -> str:
    """A third-party page that loads /embed.js from the service."""
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Article</title>
{head}<script src="{service}/embed.js" defer></script></head><body>{body}</body></html>"""


def popup_card(page):
    """The hover card (it lives in a shadow root; Playwright's CSS locators pierce it)."""
    return page.locator("graph-service-card .card")


def test_hover_focus_and_escape_on_another_origin(
    live_server_factory, built_vocab_dir: Path, site: ThirdPartySite, page
) -> None:
    server = live_server_factory(built_vocab_dir)
    url = site.add(
        "/article.html",
        article(
            server.url,
            f"""<h1>Le quartier se transforme</h1>
<p>La <span id="term" data-concept="{CONCERTATION}">concertation</span> a commencé.</p>
<p>Une <a id="linked" href="#maison" data-concept-label="maison du projet">maison du projet</a>
ouvrira, avec une <em id="english" data-concept-label="Stakeholder dialogue" data-lang="en">
stakeholder dialogue</em>.</p><button id="after">Suite</button>""",
        ),
    )
    assert not url.startswith(server.url)  # another origin
    page.goto(url)
    term = page.locator("#term")
    expect(term).to_have_attribute("tabindex", "0")  # made focusable
    expect(page.locator("#linked")).not_to_have_attribute("tabindex", "0")  # already was

    term.hover()
    card = popup_card(page)
    expect(card).to_be_visible()
    expect(card.locator(".label")).to_have_text("Concertation")
    expect(card.locator(".def")).to_contain_text(DEFINITION_START)
    expect(card.locator(".scheme")).to_contain_text("Notions de la participation citoyenne")
    link = card.locator("a.more")
    expect(link).to_have_attribute("href", server.url + "/notions/concertation")
    expect(link).to_have_attribute("target", "_blank")
    # A non-modal dialog (not a tooltip: it holds a link), controlled by the term as a button.
    dialog = page.locator("graph-service-card")
    expect(dialog).to_have_attribute("role", "dialog")
    expect(dialog).to_have_attribute("aria-label", "Concertation")
    host_id = dialog.get_attribute("id")
    expect(term).to_have_attribute("role", "button")
    expect(term).to_have_attribute("aria-controls", host_id)
    expect(term).to_have_attribute("aria-expanded", "true")
    page.mouse.move(0, 0)
    expect(card).to_be_hidden()
    expect(term).to_have_attribute("aria-expanded", "false")

    # Keyboard: focus shows the card, Tab goes into it (to its link), Escape closes it and
    # gives focus back to the term.
    term.focus()
    expect(card).to_be_visible()
    expect(card.locator(".label")).to_have_text("Concertation")
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    expect(card).to_be_visible()
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(term).to_be_focused()
    # Enter opens the card and moves focus into it; Tab reaches its link.
    page.keyboard.press("Enter")
    expect(card).to_be_visible()
    expect(card).to_be_focused()
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(term).to_be_focused()
    page.keyboard.press("Tab")  # to the link marked by label
    expect(page.locator("#linked")).to_be_focused()
    expect(card.locator(".label")).to_have_text("Maison du projet")
    expect(card.locator(".def")).to_contain_text("Lieu ouvert au public")
    page.locator("#english").focus()
    expect(card.locator(".label")).to_have_text("Concertation")
    expect(card.locator(".def")).to_contain_text("An organised exchange")
    page.locator("#after").focus()
    expect(card).to_be_hidden()


def test_tap_on_touch_screens(
    live_server_factory, built_vocab_dir: Path, site: ThirdPartySite, browser
) -> None:
    server = live_server_factory(built_vocab_dir)
    url = site.add(
        "/touch.html",
        article(
            server.url,
            f"""<p style="font-size:30px">La <a id="term" href="#followed"
data-concept="{CONCERTATION}">concertation</a> a commencé.</p>
<p id="elsewhere" style="height:300px">Ailleurs</p>""",
        ),
    )
    context = browser.new_context(
        has_touch=True, is_mobile=True, viewport={"width": 390, "height": 700}
    )
    try:
        page = context.new_page()
        page.goto(url)
        page.tap("#term")
        card = popup_card(page)
        expect(card.locator(".label")).to_have_text("Concertation")
        assert not page.url.endswith("#followed")  # the first tap only shows the card
        page.tap("#elsewhere")
        expect(card).to_be_hidden()
    finally:
        context.close()


def test_custom_element_in_shadow_dom_without_style_leaks(
    live_server_factory, built_vocab_dir: Path, site: ThirdPartySite, page
) -> None:
    server = live_server_factory(built_vocab_dir)
    hostile = """<style>
* { color: rgb(255, 0, 0); font-family: serif; letter-spacing: 3px; }
.card, .label, .def, .more, p, span, a { background: rgb(0, 255, 0); padding: 0; margin: 0;
  font-size: 10px; border: 0; text-transform: none; }
</style>"""
    url = site.add(
        "/inline.html",
        article(
            server.url,
            f"""<p class="def" id="own">Un paragraphe du site.</p>
<div class="card" id="owncard"><span class="label" id="ownlabel">Étiquette du site</span></div>
<concept-card id="inline" concept="{CONCERTATION}"></concept-card>
<concept-card id="bylabel" label="Co-construction" lang="en" theme="dark"></concept-card>""",
            head=hostile,
        ),
    )
    page.goto(url)
    inline = page.locator("#inline .card")
    expect(inline.locator(".label")).to_have_text("Concertation")
    expect(inline.locator(".def")).to_contain_text(DEFINITION_START)
    assert page.evaluate("document.querySelector('#inline').shadowRoot !== null")
    assert page.locator("#inline").evaluate("e => e.children.length") == 0  # all in the shadow

    def style(locator, prop: str) -> str:
        return locator.evaluate(f"e => getComputedStyle(e).{prop}")

    # The page's styles do not reach into the card...
    for part in (inline, inline.locator(".label"), inline.locator(".def")):
        assert style(part, "color") != "rgb(255, 0, 0)"
        assert style(part, "fontFamily").split(",")[0].strip() != "serif"
        assert style(part, "letterSpacing") in {"normal", "0px"}
    assert style(inline, "backgroundColor") == "rgb(255, 255, 255)"
    assert style(inline, "paddingTop") == "12px"
    assert style(inline.locator(".label"), "fontSize") == "16px"
    # ...and the card's styles do not reach the page's elements of the same classes.
    for own in ("#own", "#owncard", "#ownlabel"):
        assert style(page.locator(own), "color") == "rgb(255, 0, 0)"
        assert style(page.locator(own), "backgroundColor") == "rgb(0, 255, 0)"
        assert style(page.locator(own), "paddingTop") == "0px"
        assert style(page.locator(own), "fontSize") == "10px"
    assert style(page.locator("#ownlabel"), "fontWeight") == "400"
    # Label lookup, language and theme attributes.
    dark = page.locator("#bylabel .card")
    expect(dark.locator(".label")).to_have_text("Co-construction")
    expect(dark.locator(".def")).to_contain_text("An approach in which residents")
    assert style(dark, "backgroundColor") == "rgb(23, 26, 33)"


def test_oembed_html_renders_the_card_in_its_iframe(
    live_server_factory, built_vocab_dir: Path, site: ThirdPartySite, page
) -> None:
    server = live_server_factory(built_vocab_dir)
    answer = requests.get(
        server.url + "/oembed",
        params={"url": server.url + "/notions/concertation", "maxwidth": "320"},
        timeout=30,
    ).json()
    url = site.add(
        "/oembed.html",
        f"""<!doctype html><html><head><meta charset="utf-8"><title>Blog</title></head>
<body><h1>Un billet</h1>{answer["html"]}</body></html>""",
    )
    page.goto(url)
    frame_element = page.locator("iframe")
    expect(frame_element).to_have_attribute("width", "320")
    frame = page.frame_locator("iframe")
    expect(frame.locator("h1")).to_have_text("Concertation")
    expect(frame.locator(".def")).to_contain_text(DEFINITION_START)
    expect(frame.locator(".more a")).to_have_attribute("target", "_blank")
    box = frame_element.bounding_box()
    assert box is not None and box["width"] == 320
    # The card fits the frame: nothing of the definition is cut, the link is inside the frame.
    clipped = "e => e.scrollHeight > e.clientHeight"
    assert frame.locator(".def").evaluate(clipped) is False
    link_box = frame.locator(".more a").bounding_box()
    assert link_box is not None and link_box["y"] + link_box["height"] <= box["y"] + box["height"]
    # Narrow (200 px) and dark: still readable, the link still visible.
    page.set_content(
        f'<iframe src="{server.url}/card/notions/concertation?theme=dark" width="200" '
        'height="330" title="carte"></iframe>'
    )
    narrow = page.frame_locator("iframe")
    expect(narrow.locator("h1")).to_have_text("Concertation")
    card_box = narrow.locator(".card").bounding_box()
    assert card_box is not None and card_box["width"] <= 200
    assert narrow.locator(".card").evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb(23, 26, 33)"
    )
    expect(narrow.locator(".more a")).to_be_visible()


def test_injected_markup_is_text_in_card_summary_and_hover_card(
    live_server_factory, tmp_path: Path, site: ThirdPartySite, page
) -> None:
    server = live_server_factory(build_evil_vocab(tmp_path))
    iri = NS + "notions/piege"
    summary = requests.get(server.url + "/api/summary", params={"uri": iri}, timeout=30).json()
    assert summary["label"] == EVIL_LABEL and summary["definition"] == EVIL_DEFINITION

    # The card page.
    page.goto(server.url + "/card/notions/piege")
    expect(page.locator("h1")).to_have_text(EVIL_LABEL)
    expect(page.locator(".def")).to_have_text(EVIL_DEFINITION)
    assert page.locator("img, svg").count() == 0
    assert page.locator("script").count() == 1  # the card's own FIT_SCRIPT (allowed by hash)
    assert page.evaluate("window.pwned") is None

    # The hover card and the custom element on a third-party page (no CSP there to help).
    url = site.add(
        "/evil.html",
        article(
            server.url,
            f"""<p>Un <span id="term" data-concept="{iri}">terme</span>.</p>
<p>Par libellé : <span id="bylabel" data-concept-label="Voisin &lt;svg onload=alert(4)&gt;">
voisin</span></p><concept-card id="inline" concept="{iri}"></concept-card>""",
        ),
    )
    page.goto(url)
    page.locator("#term").hover()
    card = popup_card(page)
    expect(card.locator(".label")).to_have_text(EVIL_LABEL)
    expect(card.locator(".def")).to_have_text(EVIL_DEFINITION)
    page.locator("#bylabel").focus()
    expect(card.locator(".label")).to_have_text("Voisin <svg onload=alert(4)>")
    inline = page.locator("#inline .card")
    expect(inline.locator(".label")).to_have_text(EVIL_LABEL)
    count = "h => h.shadowRoot.querySelectorAll('img, script, svg').length"
    assert page.locator("graph-service-card").evaluate(count) == 0
    assert page.locator("#inline").evaluate(count) == 0
    assert page.locator("img, script:not([src]), svg").count() == 0
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.pwned") is None


def test_embed_panel_copy_buttons_on_the_concept_page(
    live_server_factory, built_vocab_dir: Path, browser
) -> None:
    server = live_server_factory(built_vocab_dir)
    url = server.url + "/notions/concertation"
    without_js = browser.new_context(java_script_enabled=False)
    try:
        page = without_js.new_page()
        page.goto(url)
        expect(page.locator("#embed pre code")).to_have_count(3)  # the snippets are there
        expect(page.locator("#embed-code-iframe")).to_contain_text('<iframe src="')
        expect(page.locator("#embed .embed-copy")).to_have_count(3)
        assert page.locator("#embed .embed-copy:visible").count() == 0  # no dead buttons
    finally:
        without_js.close()
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    try:
        page = context.new_page()
        page.goto(url)
        button = page.locator("#embed .embed-copy").first
        expect(button).to_be_visible()
        button.click()
        expect(button).to_have_text("Copié")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("#embed-code-iframe").text_content()
        assert copied.startswith(f'<iframe src="{server.url}/card/notions/concertation?lang=fr"')
    finally:
        context.close()


def test_works_under_the_host_pages_strict_csp(
    live_server_factory, built_vocab_dir: Path, site: ThirdPartySite, page
) -> None:
    server = live_server_factory(built_vocab_dir)
    policy = f"default-src 'self'; script-src {server.url}; connect-src {server.url}"
    url = site.add(
        "/strict.html",
        article(
            server.url,
            f"""<p>La <span id="term" data-concept="{CONCERTATION}">concertation</span>.</p>
<concept-card id="inline" concept="{CONCERTATION}"></concept-card>""",
            head=f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
        ),
    )
    page.goto(url)
    inline = page.locator("#inline .card")
    expect(inline.locator(".label")).to_have_text("Concertation")
    # No 'unsafe-inline' in style-src, yet the card is styled.
    assert inline.evaluate("e => getComputedStyle(e).paddingTop") == "12px"
    page.locator("#term").hover()
    card = popup_card(page)
    expect(card.locator(".label")).to_have_text("Concertation")
    assert card.evaluate("e => getComputedStyle(e).borderTopLeftRadius") == "10px"
