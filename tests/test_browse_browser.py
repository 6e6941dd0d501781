"""Finding things by browsing, as a visitor does it in chromium (issue 16): the search box of
every page, the hierarchy sidebar (beside the card, under it at 375 px), the resource list and
its facets, type pages, pages without jargon, the curation pages at 375 px, and UNESCO imported
next to ours (Arabic offered in the language selector, right to left; its own licence)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from conftest import LiveServer

from graph_service.config import PROJECT_ROOT
from graph_service.store.build import build_store

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect

UNESCO_FILE = PROJECT_ROOT.parent / "shared" / "data" / "vocab" / "unesco-thesaurus.ttl"
GUIDE_TITLE = "Les conseils citoyens, un levier au service de la participation des habitants"
#: Whether the page is wider than the window (a sideways scroll on a phone).
SCROLL_WIDTH = "document.documentElement.scrollWidth"


@pytest.fixture
def phone(browser):
    """A fresh page 375 px wide."""
    context = browser.new_context(viewport={"width": 375, "height": 800})
    yield context.new_page()
    context.close()


def test_the_search_box_of_a_concept_page_searches(page, server: LiveServer) -> None:
    page.goto(server.url + "/notions/empowerment")
    box = page.get_by_role("combobox", name="Rechercher dans le site")
    expect(box).to_be_visible()
    box.fill("concertation")
    page.locator("form.site-search").get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/search?q=concertation**")


def test_the_sidebar_shows_where_the_concept_sits(page, server: LiveServer) -> None:
    page.goto(server.url + "/notions/democratie-participative")
    sidebar = page.get_by_role("navigation", name="Place dans la hiérarchie")
    current = sidebar.locator('[aria-current="page"]')
    expect(current).to_have_text("Démocratie participative")
    expect(sidebar.get_by_role("link", name="Démocratie", exact=True)).to_be_visible()
    # Beside the card on a desktop.
    card, aside = page.locator("article.concept-card"), page.locator("aside.concept-aside")
    assert aside.bounding_box()["x"] > card.bounding_box()["x"] + card.bounding_box()["width"] - 1
    # The other concepts of its level are folded; opened, they lead to their pages.
    sibling = sidebar.get_by_role("link", name="Démocratie délibérative", exact=True)
    expect(sibling).to_be_hidden()
    sidebar.locator("summary").click()
    expect(sibling).to_be_visible()
    sibling.click()
    page.wait_for_url(server.url + "/notions/democratie-deliberative")
    expect(page.locator("h1")).to_have_text("Démocratie délibérative")


def test_the_sidebar_goes_under_the_card_at_375_px(phone, server: LiveServer) -> None:
    phone.goto(server.url + "/territoires/commune/59350")
    sidebar = phone.get_by_role("navigation", name="Place dans la hiérarchie")
    expect(sidebar.locator('[aria-current="page"]')).to_have_text("Lille")
    card = phone.locator("article.concept-card").bounding_box()
    assert sidebar.bounding_box()["y"] >= card["y"] + card["height"] - 1
    sidebar.locator("summary").click()  # 94 communes unfolded: still no sideways scroll
    expect(sidebar.get_by_role("link", name="Roubaix", exact=True)).to_be_visible()
    assert phone.evaluate(SCROLL_WIDTH) <= 375


def test_resources_are_browsed_with_facets(page, server: LiveServer) -> None:
    page.goto(server.url + "/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Ressources"
    ).click()
    page.wait_for_url(server.url + "/resources")
    items = page.locator("ul.resources li.resource-item")
    expect(items).to_have_count(20)  # the first page of the catalogue
    facets = page.get_by_role("navigation", name="Filtrer les ressources")
    facets.get_by_role("link", name="2021", exact=True).click()
    page.wait_for_url("**year=2021**")
    expect(items.get_by_role("link", name=GUIDE_TITLE)).to_be_visible()
    facets.get_by_role("link", name="Guide pratique", exact=True).click()
    page.wait_for_url("**type=**guide-pratique**")
    expect(items).to_have_count(1)
    expect(items.first.get_by_role("link")).to_have_text(GUIDE_TITLE)
    expect(facets.get_by_role("link", name="Guide pratique", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    facets.get_by_role("link", name="Retirer tous les filtres").click()
    page.wait_for_url(server.url + "/resources")
    expect(items).to_have_count(20)


def test_the_resource_list_fits_375_px(phone, server: LiveServer) -> None:
    phone.goto(
        server.url + "/resources?theme=https://w3id.org/pdv/thematiques/participation-citoyenne"
    )
    expect(phone.locator("ul.resources li.resource-item").first).to_be_visible()
    assert phone.evaluate(SCROLL_WIDTH) <= 375
    # The list comes first, the facets under it.
    listing = phone.locator("section.listing").bounding_box()
    facets = phone.locator("nav.facets").bounding_box()
    assert facets["y"] >= listing["y"] + listing["height"] - 1


def test_a_type_page_lists_its_resources(page, server: LiveServer) -> None:
    page.goto(server.url + "/types/guide-pratique")
    section = page.locator("#resources")
    expect(section.get_by_role("heading")).to_contain_text("Ressources de ce type (2)")
    section.get_by_role("link", name=GUIDE_TITLE).click()
    page.wait_for_url("**/conseils-citoyens-levier-participation-habitants")
    expect(page.locator("h1")).to_have_text(GUIDE_TITLE)


def test_public_pages_speak_to_people(page, server: LiveServer) -> None:
    page.goto(server.url + "/territoires/epci/200093201")
    terms = page.locator("article.concept-card dl.properties > dt").all_text_contents()
    assert "Population" in terms and "Fait partie de" in terms and "Nature de l’EPCI" in terms
    assert not [t for t in terms if ":" in t], terms  # no pdvo:population, no schema:...
    assert "Concepts génériques" not in terms
    assert "graph-service" not in page.title()
    page.goto(server.url + "/resources/refonte-des-contrats-de-ville-2023")
    modified = page.locator("dl.properties dt", has_text="Modifié le").locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(modified).to_have_text("31 mai 2023")
    expect(page.locator("body")).not_to_contain_text("2023-05-31T16:36")
    page.goto(server.url + "/")
    expect(page.locator('li.scheme[data-vocab="territoires"] .count')).to_have_text(
        "3\u202f924 territoires"
    )
    expect(page.locator("header .brand")).to_have_text("Glossaire de la politique de la ville")


@pytest.fixture(scope="module")
def librarian_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on a build with an admin account."""
    from conftest import librarians_data_dir

    live = LiveServer(librarians_data_dir(tmp_path_factory.mktemp("librarians"), root="admin"))
    yield live
    live.stop()


def test_curation_pages_fit_375_px_in_french(phone, librarian_server: LiveServer) -> None:
    from conftest import LIBRARIAN_PASSWORD

    phone.goto(librarian_server.url + "/login")
    phone.get_by_label("Nom").fill("root")
    phone.get_by_label("Mot de passe").fill(LIBRARIAN_PASSWORD)
    phone.get_by_role("button", name="Se connecter").click()
    expect(phone.locator("form.account")).to_contain_text("root")
    for path in ("/curation/", "/curation/quality", "/curation/import", "/curation/suggest"):
        phone.goto(librarian_server.url + path)
        assert phone.evaluate(SCROLL_WIDTH) <= 375, path
    phone.goto(librarian_server.url + "/curation/quality")
    titles = phone.locator("table.quality tbody td:first-child a").all_text_contents()
    assert "Libellés en double" in titles and "Overlapping labels" not in titles


@pytest.fixture(scope="module")
def unesco_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on the committed vocabulary with the UNESCO Thesaurus imported."""
    if not UNESCO_FILE.exists():
        pytest.skip(f"{UNESCO_FILE} is missing")
    data_dir = tmp_path_factory.mktemp("with-unesco")
    (data_dir / "imports").mkdir()
    shutil.copy(UNESCO_FILE, data_dir / "imports" / "unesco-thesaurus.ttl")
    build_store(PROJECT_ROOT / "vocab", data_dir)
    live = LiveServer(data_dir)
    yield live
    live.stop()


def test_arabic_is_offered_and_written_right_to_left(page, unesco_server: LiveServer) -> None:
    page.goto(unesco_server.url + "/vocab/unesco-thesaurus")
    select = page.get_by_label("Langue des contenus")
    names = select.locator("option").all_text_contents()
    assert names[:2] == ["Français", "English"] and {"العربية", "Español", "Русский"} <= set(names)
    select.select_option("ar")
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url("**clang=ar**")
    expect(select).to_have_value("ar")
    heading = page.locator("h1")
    expect(heading).to_have_attribute("lang", "ar")
    assert heading.evaluate("el => getComputedStyle(el).direction") == "rtl"
    footer = page.locator("footer.site")
    expect(footer.get_by_role("link", name="CC BY-SA 3.0 IGO")).to_have_attribute(
        "href", "http://creativecommons.org/licenses/by-sa/3.0/igo/"
    )
    # Our own pages keep our licence, and the home page lists no scheme as a resource.
    page.goto(unesco_server.url + "/")
    expect(page.locator("footer.site")).to_contain_text("Licence Ouverte 2.0")
    latest = page.locator("section", has=page.locator("#latest-title"))
    expect(latest).not_to_contain_text("UNESCO")
