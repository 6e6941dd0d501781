"""The browsing UI in a real browser (Playwright driving Debian's chromium) against a running
server on the committed vocabulary: the journey of a visitor, the tree and the autocomplete by
keyboard, labels and text alternatives, contrast, 375 px layouts, and screenshots of the concept
page kept in tests/artifacts/ (gitignored)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LiveServer

pytestmark = pytest.mark.browser

# expect() waits for a state (up to conftest's BROWSER_TIMEOUT_MS) where reading it right
# after an action would race the page's scripts and navigations on a loaded machine.
expect = pytest.importorskip("playwright.sync_api").expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CONCEPT = "/notions/democratie-participative"

#: Every control has an accessible name; every image and SVG a text alternative.
A11Y_PROBLEMS = """() => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  for (const el of document.querySelectorAll("input, select, textarea, button")) {
    if (el.type === "hidden") continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label")
      || el.getAttribute("aria-labelledby")
      || (el.tagName === "BUTTON" && el.textContent.trim());
    if (!named) problems.push("unlabelled " + el.outerHTML.slice(0, 80));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("img without alt " + img.src);
  }
  for (const svg of document.querySelectorAll("svg")) {
    const alt = svg.getAttribute("aria-label") || svg.getAttribute("aria-labelledby")
      || svg.getAttribute("aria-hidden") === "true" || svg.querySelector(":scope > title");
    if (!alt) problems.push("svg without a text alternative");
  }
  for (const el of document.querySelectorAll("[role=combobox]")) {
    const list = document.getElementById(el.getAttribute("aria-controls"));
    if (!list || list.getAttribute("role") !== "listbox") problems.push("combobox without listbox");
  }
  for (const el of document.querySelectorAll("a")) {
    if (visible(el) && !el.textContent.trim() && !el.getAttribute("aria-label")
        && !el.querySelector("title")) {
      problems.push("link without text " + el.outerHTML.slice(0, 80));
    }
  }
  return problems;
}"""

#: The lowest contrast ratio between a text and its background on the page (WCAG formula).
MIN_CONTRAST = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  let worst = 21, where = "";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el) continue;
    if (el.closest("svg, script, style, [hidden], .skip")) continue;
    if (!(el.offsetWidth || el.offsetHeight)) continue;
    const fg = lum(parse(getComputedStyle(el).color).slice(0, 3));
    const bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < worst) {
      worst = ratio;
      where = el.tagName + " " + node.textContent.trim().slice(0, 40);
    }
  }
  return [worst, where];
}"""


def test_visitor_journey(page, server: LiveServer) -> None:
    # Home, then the autocomplete: type, move down to the concept with the keyboard, Enter.
    page.goto(server.url + "/")
    assert page.locator("h1").text_content() == "Glossaire de la politique de la ville"
    box = page.get_by_role("combobox", name="Rechercher", exact=True)
    box.press_sequentially("democratie", delay=20)
    option = page.get_by_role("option", name="Démocratie participative")
    option.wait_for()
    expect(box).to_have_attribute("aria-expanded", "true")
    assert page.evaluate(A11Y_PROBLEMS) == []
    for _ in range(10):
        box.press("ArrowDown")
        if option.get_attribute("aria-selected") == "true":
            break
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(server.url + CONCEPT)
    assert page.locator("h1").text_content().strip() == "Démocratie participative"

    # Follow a broader link, and come back.
    page.locator("ul.refs.broader a").first.click()
    page.wait_for_url(server.url + "/notions/democratie")
    assert page.locator("h1").text_content().strip() == "Démocratie"
    page.go_back()
    page.wait_for_url(server.url + CONCEPT)

    # Open an indexed resource.
    first = page.locator("#resources ul.resources a").first
    title = first.text_content()
    first.click()
    page.wait_for_url("**/resources/**")
    assert page.locator("h1").text_content() == title

    # Switch the interface to English: the page and the links that follow stay in English.
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en**")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("navigation", name="Main navigation").is_visible()
    page.get_by_role("link", name="Vocabularies").first.click()
    page.wait_for_url("**/vocab?lang=en")  # the click starts a navigation: wait for its end
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Expand the tree by keyboard, children loaded on demand (no page load).
    page.get_by_role("link", name="Territories").first.click()
    page.wait_for_url("**/territoires?lang=en")
    url = page.url
    toggle = page.get_by_role("button", name="Expand or collapse “France”")
    toggle.focus()
    toggle.press("Enter")
    region = page.get_by_role("link", name="Hauts-de-France", exact=True)
    region.wait_for()
    assert toggle.get_attribute("aria-expanded") == "true" and page.url == url
    page.get_by_role("button", name="Expand or collapse “Hauts-de-France”").press("Space")
    nord = page.get_by_role("link", name="Nord", exact=True)
    nord.wait_for()
    assert nord.get_attribute("href").endswith("/territoires/departement/59?lang=en")
    toggle.click()  # and closed again
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(region).to_be_hidden()


def test_autocomplete_keyboard_escape_and_no_js_fallback(browser, server: LiveServer) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(server.url + "/search")
    box = page.get_by_role("combobox", name="Rechercher", exact=True)
    box.press_sequentially("concert", delay=20)
    page.locator(".suggest-list [role=option]").first.wait_for()
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Enter")  # no option chosen: the form submits to the search page
    page.wait_for_url("**/search?q=concert**")
    assert page.locator("ol.hits mark").first.text_content().lower() == "concert"
    context.close()
    # Without JavaScript the same box is a plain search form, and the tree opens by links.
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/territoires")
    page.get_by_role("link", name="Déplier ou replier « France »").click()
    page.get_by_role("link", name="Hauts-de-France", exact=True).wait_for()
    assert "expand=" in page.url
    page.fill("#scheme-q", "lille")
    page.press("#scheme-q", "Enter")
    page.wait_for_url("**/search?q=lille**")
    assert page.get_by_role("link", name="Lille", exact=True).count() == 1
    context.close()


PAGES = ["/", CONCEPT, "/territoires/epci/200093201", "/territoires", "/search?q=democratie",
         "/resources/refonte-des-contrats-de-ville-2023", "/vocab/notions/index?letter=C",
         "/notions/empowerment?lang=en"]  # fmt: skip


def test_labels_text_alternatives_contrast_and_375px(browser, server: LiveServer) -> None:
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        for url in PAGES:
            page.goto(server.url + url)
            assert page.evaluate(A11Y_PROBLEMS) == [], url
            worst, where = page.evaluate(MIN_CONTRAST)
            assert worst >= 4.5, (url, worst, where)
            if width == 375:
                scroll = page.evaluate("document.scrollingElement.scrollWidth")
                assert scroll <= 375, (url, scroll)
        context.close()


def test_skip_link_and_focus_order(page, server: LiveServer) -> None:
    page.goto(server.url + CONCEPT)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_concept_page_screenshots(browser, server: LiveServer) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        # A concept with a full neighbourhood (8 narrower, 5 related shown).
        page.goto(server.url + "/notions/participation-citoyenne")
        assert page.locator("figure.neighbourhood svg a").count() >= 10
        path = ARTIFACTS / f"concept-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        assert path.stat().st_size > 10_000
        context.close()
