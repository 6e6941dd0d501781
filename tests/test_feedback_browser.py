"""The feedback form in a real browser (Playwright driving Debian's chromium): reached from a
concept page, filled and sent with the keyboard alone (the honeypot is never focused nor
seen), errors announced and focused by link, labels, contrast and a 375 px screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import LiveServer
from test_ui_browser import A11Y_PROBLEMS, MIN_CONTRAST

from graph_service.curate.proposals import ProposalStore
from graph_service.store.build import build_store

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

A = "http://example.org/tiny/a"


@pytest.fixture
def served(tiny_vocab: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, Path]]:
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
    live = LiveServer(data_dir, {"GRAPH_SERVICE_ACCESS_LOG": "false"})
    yield live, data_dir
    live.stop()


def test_send_feedback_with_the_keyboard_on_a_phone(browser, served) -> None:
    server, data_dir = served
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{server.url}/page?uri={quote(A)}&lang=en")
    page.get_by_role("link", name="Suggest a correction").click()
    expect(page.get_by_role("heading", name="Suggest a correction")).to_be_visible()
    assert page.evaluate(A11Y_PROBLEMS) == []
    worst, where = page.evaluate(MIN_CONTRAST)
    assert worst >= 4.5, (worst, where)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    assert not page.locator("#feedback-website").is_visible() or (
        page.locator("#feedback-website").bounding_box()["x"] < -1000
    )

    # An empty message: the problem is announced, linked to the field, and the field marked.
    page.get_by_label("Your message").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your name (optional)")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your e-mail address (optional)")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()  # the honeypot skipped
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Write your message.")
    expect(page.get_by_label("Your message")).to_have_attribute("aria-invalid", "true")
    alert.get_by_role("link", name="Write your message.").press("Enter")
    expect(page.get_by_label("Your message")).to_be_focused()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375

    page.keyboard.type("Alpha needs an English definition.")
    page.keyboard.press("Tab")
    page.keyboard.type("Ada")
    page.keyboard.press("Tab")
    page.keyboard.type("ada@example.org")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    page.get_by_role("link", name="Back to the concept “Alpha”").click()
    expect(page.get_by_role("link", name="Suggest a correction")).to_be_visible()
    context.close()

    (kept,) = ProposalStore(data_dir).list()
    assert kept.action == {
        "uri": A,
        "message": "Alpha needs an English definition.",
        "name": "Ada",
        "email": "ada@example.org",
    }
