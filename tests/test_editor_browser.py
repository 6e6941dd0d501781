"""The librarian's journey in a real browser (Playwright driving Debian's chromium) against a
running server: a contributor proposes a concept, an editor approves it, then moves it,
deprecates it with a replacement and reverts the deprecation, all through the pages."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests
from conftest import LiveServer

from graph_service.config import PROJECT_ROOT
from graph_service.curate.accounts import AccountStore
from graph_service.store.build import build_store

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect

PASSWORD = "correct horse battery"
LABEL = "Budget participatif des lycéens"
DEMOCRATIE = "https://w3id.org/pdv/notions/democratie-participative"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own (the journey writes), with a contributor and an editor."""
    data_dir = tmp_path_factory.mktemp("editor-journey")
    build_store(PROJECT_ROOT / "vocab", data_dir)
    accounts = AccountStore(data_dir)
    accounts.add("camille", "contributor", PASSWORD)
    accounts.add("dominique", "editor", PASSWORD)
    live = LiveServer(data_dir)
    yield live
    live.stop()


@pytest.fixture
def context(browser):
    """A fresh browser context; console errors fail the test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    ctx.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    ctx.on("weberror", lambda e: errors.append(str(e.error)))
    yield ctx
    ctx.close()
    assert errors == []


def sign_in(page, server: LiveServer, name: str) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("Nom").fill(name)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("form.account")).to_contain_text(name)


def sign_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("form.account")).to_have_count(0)


def pick(page, fieldset: str, typed: str, option: str) -> None:
    """Choose a concept in a picker through its autocomplete, by keyboard."""
    box = page.locator(f"fieldset#{fieldset} input[data-pick]")
    box.press_sequentially(typed, delay=20)
    choice = page.locator(f"fieldset#{fieldset} [role=option]", has_text=option).first
    choice.wait_for()
    for _ in range(10):
        box.press("ArrowDown")
        if choice.get_attribute("aria-selected") == "true":
            break
    box.press("Enter")
    expect(page.locator(f"fieldset#{fieldset} ul.picked input:checked")).to_have_count(1)


def public_labels(server: LiveServer, text: str) -> list[str]:
    answer = requests.get(server.url + "/api/autocomplete", params={"q": text}, timeout=30)
    return [item["label"] for item in answer.json()["results"]]


def test_a_librarians_journey_from_proposal_to_revert(context, server: LiveServer) -> None:
    page = context.new_page()

    # A contributor proposes a narrower concept of "démocratie participative".
    sign_in(page, server, "camille")
    page.goto(server.url + "/notions/democratie-participative")
    page.get_by_role("link", name="Nouveau concept spécifique").click()
    expect(page.locator(f"form.editor input[name=broader][value='{DEMOCRATIE}']")).to_be_checked()
    page.get_by_label("Libellé préféré (obligatoire)").fill(LABEL)
    page.locator("#f-definition-fr").fill("Budget dont des lycéens décident de l’usage.")
    page.get_by_role("button", name="Prévisualiser").click()
    expect(page.locator("section.preview")).to_contain_text(LABEL)
    page.get_by_role("button", name="Proposer").click()
    page.wait_for_url("**/curation/proposals/**")
    expect(page.locator("dd.status")).to_contain_text("En attente")
    assert public_labels(server, "lycéens") == []  # invisible until approved
    sign_out(page)

    # An editor reviews and approves it: it is public at once, in search too.
    sign_in(page, server, "dominique")
    page.goto(server.url + "/curation/review")
    page.get_by_role("link", name=LABEL).click()
    expect(page.locator("section.preview")).to_contain_text(LABEL)
    page.get_by_role("button", name="Approuver et publier").click()
    expect(page.locator("h1")).to_have_text(LABEL)
    concept_url = page.url
    assert public_labels(server, "lycéens") == [LABEL]
    feed = requests.get(server.url + "/changes.atom", timeout=30).text
    assert LABEL in feed and "camille" in feed and "dominique" in feed
    iri = "https://w3id.org/pdv/notions/" + concept_url.rsplit("/", 1)[-1].split("?")[0]
    history = page.context.new_page()
    history.goto(server.url + "/history?uri=" + quote(iri, safe=""))
    expect(history.locator("li.change .author").first).to_have_text("camille")
    expect(history.locator("li.change .reviewer").first).to_have_text("dominique")
    history.close()

    # Move it under "participation citoyenne".
    page.get_by_role("link", name="Modifier", exact=True).click()
    page.locator(f"form.editor input[name=broader][value='{DEMOCRATIE}']").uncheck()
    pick(page, "f-broader", "Participation cit", "Participation citoyenne")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_have_text(LABEL)
    expect(page.locator("ul.refs.broader")).to_contain_text("Participation citoyenne")
    expect(page.locator("ul.refs.broader")).not_to_contain_text("Démocratie participative")

    # Deprecate it, replaced by "budget participatif".
    page.get_by_role("link", name="Rendre obsolète").click()
    pick(page, "f-replacement", "Budget partici", "Budget participatif")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".notice.deprecated")).to_contain_text("Budget participatif")

    # Revert the deprecation from the history.
    page.get_by_role("link", name="Historique des modifications").click()
    page.locator("li.change form.revert button").first.click()
    page.wait_for_url("**/history?**")
    page.goto(concept_url)
    expect(page.locator(".notice.deprecated")).to_have_count(0)
    expect(page.locator("ul.refs.broader")).to_contain_text("Participation citoyenne")


@pytest.mark.parametrize(
    "path", ["/curation/concepts/new", "/curation/concepts/edit?uri=" + DEMOCRATIE]
)
def test_the_concept_form_is_labelled_and_fits_375_px(
    browser, server: LiveServer, path: str
) -> None:
    from test_ui_browser import A11Y_PROBLEMS

    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    sign_in(page, server, "camille")
    page.goto(server.url + path)
    expect(page.locator("form.editor")).to_be_visible()
    assert page.evaluate(A11Y_PROBLEMS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Submitting an empty label shows the problem next to its field, and the summary links to it.
    page.get_by_label("Libellé préféré (obligatoire)").fill("")
    page.get_by_role("button", name="Prévisualiser").click()
    expect(page.locator("#f-prefLabel-fr-errors")).to_be_visible()
    expect(page.locator("#f-prefLabel-fr")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary a[href='#f-prefLabel-fr']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
