"""Concept cards on other sites look like they belong there, in Debian's chromium: theme="auto"
follows the host page (a light-only page keeps light cards on a dark system), the framed card
paints nothing outside its rounded box, its definition ends with an ellipsis in a small frame,
and the inline card keeps its distance from the text around it."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

import pytest
from conftest import LiveServer
from test_embed_browser import CONCERTATION, ThirdPartySite, article, popup_card

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect

LIGHT_CARD, DARK_CARD = "rgb(255, 255, 255)", "rgb(23, 26, 33)"
YELLOW = (255, 200, 0)


@pytest.fixture(scope="module")
def site() -> Iterator[ThirdPartySite]:
    """A third-party site on another origin."""
    third = ThirdPartySite()
    yield third
    third.close()


def pixel(png: bytes) -> tuple[int, int, int]:
    """The colour of a 1×1 PNG screenshot (8-bit RGB or RGBA: its one pixel is stored as is,
    whatever the row's filter, having no neighbour)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, channels = 8, b"", 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert (width, height, depth) == (1, 1, 8) and color in (2, 6)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            data += body
        pos += 12 + length
    raw = zlib.decompress(data)
    return tuple(raw[1 : 1 + channels][:3])  # type: ignore[return-value]


def host_page(service: str, body: str, head: str = "") -> str:
    return article(service, body, head)


@pytest.mark.parametrize(
    ("system", "head", "body_style", "expected"),
    [
        ("dark", "", "", LIGHT_CARD),  # a light-only page: light, whatever the system prefers
        ("dark", "", "background:#101418;color:#eee", DARK_CARD),  # a dark page: dark
        ("dark", '<meta name="color-scheme" content="light dark">', "", DARK_CARD),
        ("light", '<meta name="color-scheme" content="light dark">', "", LIGHT_CARD),
        ("light", "", "background:#fff", LIGHT_CARD),
    ],
)  # fmt: skip
def test_auto_theme_follows_the_host_page(
    browser, server: LiveServer, site: ThirdPartySite, system, head, body_style, expected
) -> None:
    name = f"/auto-{system}-{abs(hash((head, body_style)))}.html"
    url = site.add(name, host_page(
        server.url,
        f"""<div style="{body_style};padding:8px"><p>La <span id="term"
data-concept="{CONCERTATION}">concertation</span>.</p>
<concept-card id="inline" concept="{CONCERTATION}"></concept-card></div>""",
        head,
    ))  # fmt: skip
    context = browser.new_context(color_scheme=system)
    try:
        page = context.new_page()
        page.goto(url)
        inline = page.locator("#inline .card")
        expect(inline.locator(".label")).to_have_text("Concertation")
        assert inline.evaluate("e => getComputedStyle(e).backgroundColor") == expected
        page.locator("#term").hover()
        card = popup_card(page)
        expect(card.locator(".label")).to_have_text("Concertation")
        assert card.evaluate("e => getComputedStyle(e).backgroundColor") == expected
    finally:
        context.close()


def test_inline_card_has_its_own_margin(browser, server: LiveServer, site: ThirdPartySite) -> None:
    url = site.add("/margin.html", host_page(
        server.url,
        f"""<p id="before" style="margin:0">Avant.</p>
<concept-card id="inline" concept="{CONCERTATION}"></concept-card>
<p id="after" style="margin:0">Après.</p>""",
    ))  # fmt: skip
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        expect(page.locator("#inline .card .label")).to_have_text("Concertation")
        before = page.locator("#before").bounding_box()
        card = page.locator("#inline").bounding_box()
        after = page.locator("#after").bounding_box()
        assert before and card and after
        assert card["y"] - (before["y"] + before["height"]) >= 12
        assert after["y"] - (card["y"] + card["height"]) >= 12
        # The host page still decides: its own margin wins over the card's default.
        page.add_style_tag(content="concept-card { margin: 0 }")
        card = page.locator("#inline").bounding_box()
        before = page.locator("#before").bounding_box()
        assert card and before and abs(card["y"] - (before["y"] + before["height"])) < 1
    finally:
        context.close()


@pytest.mark.parametrize("theme", ["auto", "dark"])
def test_framed_card_is_transparent_around_its_box_and_ends_with_an_ellipsis(
    browser, server: LiveServer, site: ThirdPartySite, theme: str
) -> None:
    """A 236×200 frame in a sidebar, on a light-only yellow page, on a reader's dark system."""
    src = f"{server.url}/card/notions/concertation?theme={theme}"
    url = site.add(
        f"/sidebar-{theme}.html",
        f"""<!doctype html><html lang="fr"><head>
<meta charset="utf-8"><title>Blog</title></head><body style="margin:0;background:rgb{YELLOW}">
<aside style="width:236px;padding:0"><iframe src="{src}" width="236" height="200"
style="border:0;display:block" title="Concertation"></iframe></aside></body></html>""",
    )
    context = browser.new_context(color_scheme="dark", viewport={"width": 600, "height": 400})
    try:
        page = context.new_page()
        page.goto(url)
        frame = page.frame_locator("iframe")
        expect(frame.locator(".more a")).to_be_visible()
        background = frame.locator(".card").evaluate("e => getComputedStyle(e).backgroundColor")
        assert background == (DARK_CARD if theme == "dark" else LIGHT_CARD)
        # The frame's corner, outside the card's rounded border, shows the host page.
        corner = pixel(page.screenshot(clip={"x": 0, "y": 0, "width": 1, "height": 1}))
        assert corner == YELLOW, corner
        # Everything fits the frame; the definition is cut at a whole line, with an ellipsis.
        fits = frame.locator(".card").evaluate(
            "c => c.getBoundingClientRect().bottom <= innerHeight"
            " && c.scrollHeight <= c.clientHeight"
        )
        assert fits
        more = frame.locator(".more a").bounding_box()
        assert more is not None and more["y"] + more["height"] <= 200
        definition = frame.locator(".def")
        clamp = definition.evaluate("e => getComputedStyle(e).webkitLineClamp")
        assert clamp not in ("none", ""), clamp
        lines = definition.evaluate(
            "e => e.clientHeight / parseFloat(getComputedStyle(e).lineHeight)"
        )
        assert lines >= 1.9 and abs(lines - round(lines)) < 0.1, lines  # whole lines shown
        assert definition.evaluate("e => e.scrollHeight > e.clientHeight")  # the rest is cut
    finally:
        context.close()
