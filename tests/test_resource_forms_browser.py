"""The resource form in a real browser (Playwright driving Debian's chromium): a librarian signs
in, picks concepts with the autocomplete by keyboard, adds suggested subjects without a reload,
previews and saves; the form's controls are labelled, its contrast holds and it fits 375 px.
Screenshots go to tests/artifacts/ (gitignored)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import LiveServer
from test_ui_browser import A11Y_PROBLEMS, MIN_CONTRAST

from graph_service.config import PROJECT_ROOT
from graph_service.curate.accounts import AccountStore
from graph_service.store.build import build_store

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server over a writable build of vocab/ with a contributor account."""
    data_dir = tmp_path_factory.mktemp("resource-forms")
    build_store(PROJECT_ROOT / "vocab", data_dir)
    AccountStore(data_dir).add("con", "editor", PASSWORD)
    live = LiveServer(data_dir)
    yield live
    live.stop()


def _signed_in(browser, server: LiveServer, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/login?next=/curation/resources/new")
    page.fill("#login-name", "con")
    page.fill("#login-password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/curation/resources/new")
    return context, page, errors


def test_a_librarian_creates_a_resource_with_the_keyboard(browser, server: LiveServer) -> None:
    context, page, errors = _signed_in(browser, server)
    assert page.evaluate(A11Y_PROBLEMS) == []
    page.get_by_label("Titre (Français)").fill("Démocratie participative dans les quartiers")
    page.get_by_label("Résumé (Français)").fill(
        "Retour sur l'empowerment et les conseils citoyens de Roubaix."
    )
    page.get_by_label("Date de publication").fill("2024-02-03")
    page.get_by_label("Type de ressource").select_option(label="Compte rendu")

    # A territory through the autocomplete, by keyboard: a ticked box appears, no reload.
    box = page.get_by_role("combobox", name="Rechercher un territoire")
    box.press_sequentially("roubai", delay=20)
    page.get_by_role("option", name="Roubaix").wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    expect(page.locator("[data-chips=territories] input:checked")).to_have_count(1)
    assert box.input_value() == ""

    # Suggested subjects, added with one click each, without reloading the page.
    url = page.url
    page.get_by_role("button", name="Suggérer des sujets").click()
    page.get_by_role("button", name="Ajouter « Empowerment »").click()
    expect(page.locator("#suggestions button", has_text="Empowerment")).to_be_disabled()
    expect(page.locator("[data-chips=subjects] input:checked")).to_have_count(1)
    assert page.url == url

    page.get_by_role("button", name="Aperçu des modifications").last.click()
    page.get_by_role("heading", name="Ce qui sera enregistré").wait_for()
    assert page.locator(".changes").get_by_text("Roubaix", exact=True).count() == 1
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/resources/democratie-participative-dans-les-quartiers-2024")
    assert page.locator("h1").text_content() == "Démocratie participative dans les quartiers"
    assert page.get_by_role("link", name="Modifier").count() == 1
    context.close()
    assert errors == []


def test_errors_are_summarised_and_the_form_fits_375px(browser, server: LiveServer) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 375):
        context, page, errors = _signed_in(browser, server, width)
        page.get_by_label("Date de publication").fill("2024-02-03")
        page.get_by_role("button", name="Enregistrer").click()
        summary = page.locator("#error-summary")
        summary.wait_for()
        expect(summary).to_be_focused()  # read first, each message linking to its field
        summary.get_by_role("link", name="Titre (Français)").click()
        expect(page.locator("#f-title-fr")).to_be_focused()
        assert page.locator("#f-title-fr").get_attribute("aria-invalid") == "true"
        assert page.evaluate(A11Y_PROBLEMS) == []
        ratio, where = page.evaluate(MIN_CONTRAST)
        assert ratio >= 4.5, where
        if width == 375:
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        path = ARTIFACTS / f"resource-form-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        context.close()
        assert [e for e in errors if "status of 422" not in e] == []  # the refusal itself
