"""Site search in a real browser (Playwright driving Debian's chromium) against a running server
on the committed vocabulary: a resource found by its title, an old term leading to the concept
that replaced it, and a typo corrected by the autocomplete."""

from __future__ import annotations

import re

import pytest
from conftest import LiveServer

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect

ARTICLE = "/resources/refonte-des-contrats-de-ville-2023"
QPV = "/notions/quartier-prioritaire-de-la-politique-de-la-ville"


def _box(page):
    return page.get_by_role("combobox", name="Rechercher", exact=True)


def test_search_finds_a_resource_by_its_title(page, server: LiveServer) -> None:
    page.goto(server.url + "/search")
    box = _box(page)
    box.fill("refonte des contrats de ville")
    box.locator("xpath=ancestor::form").get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"/search\?q=refonte"))
    first = page.locator("ol.hits li").first
    expect(first).to_have_class("hit hit-resource")
    expect(page.locator("aside.facets")).to_contain_text("Ressources")
    first.locator("a.hit-label").click()
    page.wait_for_url(server.url + ARTICLE)
    expect(page.locator("h1")).to_contain_text("Refonte des contrats de ville")


def test_a_deprecated_term_leads_to_its_replacement(page, server: LiveServer) -> None:
    page.goto(server.url + "/")
    box = _box(page)
    box.press_sequentially("ZUS", delay=20)
    option = page.locator(".suggest-list [role=option][data-kind=replacement]")
    expect(option).to_contain_text("ZUS → remplacé par")
    expect(option).to_contain_text("Quartier prioritaire de la politique de la ville")
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    page.wait_for_url(server.url + QPV)
    # The results page says it too, for a visitor without the autocomplete.
    page.goto(server.url + "/search?q=ZUS")
    expect(page.locator(".replacement")).to_contain_text("remplacé par")
    page.locator("a.replacement-link").click()
    page.wait_for_url(server.url + QPV)


@pytest.mark.parametrize(
    ("typo", "meant", "path"),
    [("concertaion", "Concertation", "/notions/concertation"),
     ("démocratie particpative", "Démocratie participative", "/notions/democratie-participative")],
)  # fmt: skip
def test_the_autocomplete_corrects_a_typo(page, server: LiveServer, typo, meant, path) -> None:
    page.goto(server.url + "/")
    box = _box(page)
    box.press_sequentially(typo, delay=20)
    option = page.locator(".suggest-list [role=option][data-kind=correction]").first
    expect(option).to_contain_text(meant)
    expect(option).to_contain_text("orthographe corrigée")
    option.click()
    page.wait_for_url(server.url + path)
