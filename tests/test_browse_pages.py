"""Finding things by browsing (issue 16): the resource list and its facets, type and theme pages,
the search box and hierarchy sidebar of every page, public pages without jargon, the site's
name from configuration, and many vocabularies side by side (UNESCO imported: its languages,
right-to-left Arabic, its licence, its id)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from graph_service import create_app
from graph_service.config import PROJECT_ROOT
from graph_service.curate.imports import ImportFailed, choose_vocab_id, default_vocab_id
from graph_service.store.build import build_store, open_current

UNESCO_FILE = PROJECT_ROOT.parent / "shared" / "data" / "vocab" / "unesco-thesaurus.ttl"
UNESCO_DEMOCRACY = "http://vocabularies.unesco.org/thesaurus/concept5854"
TYPES = "https://w3id.org/pdv/types/"
ARTICLE = "/resources/refonte-des-contrats-de-ville-2023"
GUIDE_TITLE = "Les conseils citoyens, un levier au service de la participation des habitants"


def _text(answer) -> str:  # type: ignore[no-untyped-def]
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_data(as_text=True)


def _heading_count(html: str, heading: str) -> int:
    """The count a heading says: "Ressources (103)" -> 103."""
    found = re.search(
        re.escape(heading) + r'\s*<span class="count">\(([\d\s\u202f\u00a0,]+)\)', html
    )
    assert found, heading
    return int(re.sub(r"\D", "", found.group(1)))


def _listed(html: str) -> list[str]:
    """The titles of the resources a list shows."""
    return re.findall(r'<li class="resource-item">\s*<a href="[^"]+"[^>]*>([^<]+)</a>', html)


# --- the resource list ------------------------------------------------------------------------


def test_resource_list_pages_and_facets(client) -> None:
    # The catalogue (vocab/resources/) holds about a hundred: listed 20 at a time.
    html = _text(client.get("/resources"))
    total = _heading_count(html, "<h1>Ressources")
    assert total > 20 and len(_listed(html)) == 20
    # Every facet offers its values with counts; each link narrows the list.
    for name in ("type", "theme", "territory", "year"):
        assert f'id="facet-{name}"' in html
    assert 'href="/resources?year=2021"' in html
    html = _text(client.get("/resources?year=2021"))
    year = _listed(html)
    assert GUIDE_TITLE in year
    assert (
        "Participation citoyenne dans les quartiers prioritaires : ressources conseillées" in year
    )
    assert len(year) == _heading_count(html, "<h1>Ressources") < total
    assert 'aria-current="true">2021</a>' in html
    # A type keeps the resources of its narrower types (a practical guide is a publication).
    html = _text(client.get(f"/resources?type={TYPES}publication&year=2021"))
    assert GUIDE_TITLE in _listed(html) and "Guide pratique" in html
    html = _text(client.get(f"/resources?type={TYPES}guide-pratique&year=2021"))
    assert _listed(html) == [GUIDE_TITLE]
    # A territory keeps resources about the places under it (Lille is in the Nord).
    html = _text(client.get("/resources?territory=https://w3id.org/pdv/territoires/departement/59"))
    assert (
        "Refonte des contrats de ville : un cycle en cours avec les pilotes des contrats de ville"
        in _listed(html)
    )
    assert "Cop des quartiers du 11 avril à Lille" in _listed(html)  # about Lille, in the Nord
    theme = "https://w3id.org/pdv/thematiques/conseils-citoyens"
    assert GUIDE_TITLE in _listed(_text(client.get(f"/resources?theme={theme}")))
    assert _listed(_text(client.get("/resources?year=1999"))) == []


@pytest.mark.parametrize(
    "query", ["year=20x", "year=20233", "type=not-an-iri", "territory=a%20b", "page=x"]
)
def test_resource_list_refuses_bad_filters_with_400(client, query: str) -> None:
    answer = client.get(f"/resources?{query}")
    assert answer.status_code == 400
    assert query.split("=")[0] in answer.get_data(as_text=True)  # the message names it


def test_resource_list_is_linked_from_the_navigation_and_in_english(client) -> None:
    home = _text(client.get("/"))
    assert '<a href="/resources">Ressources</a>' in home
    assert '<a href="/resources">Toutes les ressources</a>' in home.split('id="latest-title"')[1]
    english = _text(client.get("/resources?lang=en"))
    assert "<h1>Resources" in english and 'href="/resources?lang=en&amp;year=2023"' in english


def test_type_page_lists_the_resources_of_that_type(client) -> None:
    html = _text(client.get("/types/guide-pratique"))
    assert "Ressources de ce type" in html
    assert GUIDE_TITLE in _listed(html)
    assert len(_listed(html)) == _heading_count(html, "Ressources de ce type")
    assert 'href="/resources?type=https%3A%2F%2Fw3id.org%2Fpdv%2Ftypes%2Fguide-pratique"' in html
    # A broader type lists its narrower types' resources when asked, like subjects do.
    own = _text(client.get("/types/publication"))
    wider = _text(client.get("/types/publication?narrower=1"))
    assert GUIDE_TITLE not in _listed(own)
    assert _heading_count(wider, "Ressources de ce type") > _heading_count(
        own, "Ressources de ce type"
    )


def test_theme_page_lists_its_resources_and_links_the_filtered_list(client) -> None:
    html = _text(client.get("/thematiques/participation-citoyenne"))
    assert (
        "Refonte des contrats de ville : un cycle en cours avec les pilotes des contrats de ville"
        in _listed(html)
    )
    assert (
        "/resources?theme=https%3A%2F%2Fw3id.org%2Fpdv%2Fthematiques%2Fparticipation-citoyenne"
        in html
    )


def test_home_lists_resources_not_schemes(client) -> None:
    html = _text(client.get("/"))
    latest = html.split('id="latest-title"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r'<li class="resource-item">\s*<a href="([^"]+)"', latest)
    assert items and all(href.startswith("/resources/") for href in items)


# --- every page: search box, hierarchy sidebar ------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/notions/democratie-participative", "/territoires/commune/59350", ARTICLE, "/vocab",
             "/notions", "/resources"],
)  # fmt: skip
def test_every_page_has_the_search_box(client, path: str) -> None:
    html = _text(client.get(path))
    form = html.split('<form class="site-search" role="search"', 1)[1].split("</form>", 1)[0]
    assert 'action="/search"' in form and 'name="q"' in form and "data-autocomplete=" in form
    assert '<label class="visually-hidden" for="site-q">Rechercher dans le site</label>' in form


def test_concept_sidebar_shows_the_path_the_concept_and_its_level(client) -> None:
    html = _text(client.get("/notions/democratie-participative"))
    sidebar = html.split('<nav class="place" aria-labelledby="place-title">', 1)[1].split("</nav>")[
        0
    ]
    # From the scheme down: scheme, top concept, the concept (current), its children.
    order = [
        sidebar.index('href="/notions"'),
        sidebar.index('href="/notions/democratie"'),
        sidebar.index('aria-current="page"'),
        sidebar.index('href="/notions/democratie-de-proximite"'),
    ]
    assert order == sorted(order)
    assert 'href="/notions/democratie-participative" aria-current="page"' in sidebar
    # The others at its level are folded, and the concept is not among them.
    folded = sidebar.split("<details>", 1)[1]
    assert 'href="/notions/democratie-deliberative"' in folded
    assert "democratie-participative" not in folded


def test_commune_sidebar_folds_the_other_communes_of_its_epci(client) -> None:
    html = _text(client.get("/territoires/commune/59350"))
    sidebar = html.split('<nav class="place"', 1)[1].split("</nav>")[0]
    path = re.findall(r'<a href="(/territoires[^"]*)"', sidebar.split("<details>")[0])
    assert path == [
        "/territoires", "/territoires/pays/FR", "/territoires/region/32",
        "/territoires/departement/59", "/territoires/epci/200093201", "/territoires/commune/59350",
    ]  # fmt: skip
    summary = re.search(r"<summary>([^<]+)</summary>", sidebar)
    assert summary and summary.group(1) == "94 autres au même niveau"


# --- no jargon on public pages ----------------------------------------------------------------


def test_territory_page_words_its_properties_for_people(client) -> None:
    html = _text(client.get("/territoires/epci/200093201"))
    card = html.split("</dl>", 1)[0]
    assert "pdvo:" not in card.replace('title="pdvo:', "")
    assert '<dt><span title="pdvo:population">Population</span></dt>' in card
    assert re.search(r'<data value="(\d+)">\d{1,3}(\u202f\d{3})+</data>', card)
    assert '<abbr title="METRO">Métropole</abbr>' in card
    assert "Fait partie de" in card and "Concepts génériques" not in card
    commune = _text(client.get("/territoires/commune/59350")).split("</dl>", 1)[0]
    assert "Fait partie de" in commune and "Concepts génériques" not in commune


def test_resource_page_spells_dates_out(client) -> None:
    html = _text(client.get(ARTICLE))
    assert "schema:" not in html.split("</dl>", 1)[0]
    assert "2023-05-31T16:36" not in html
    assert '<time datetime="2023-05-31">31 mai 2023</time>' in html
    english = _text(client.get(ARTICLE + "?lang=en"))
    assert '<time datetime="2023-05-31">31 May 2023</time>' in english


def test_territories_are_counted_as_territories(client) -> None:
    home = _text(client.get("/"))
    territories = home.split('data-vocab="territoires"', 1)[1].split("</li>", 1)[0]
    assert re.search(r'<span class="n">3\u202f924</span> territoires', territories)
    assert "concepts" not in territories
    scheme = _text(client.get("/territoires"))
    assert '<p class="stats">3\u202f924 territoires' in scheme
    assert '<p class="stats">3,924 territories' in _text(client.get("/territoires?lang=en"))


def test_site_name_and_logo_come_from_configuration(vocab_store) -> None:
    default = create_app({"TESTING": True, "STORE": vocab_store}).test_client()
    html = _text(default.get("/notions/empowerment"))
    assert "graph-service" not in html.split("</header>")[0]
    assert "<title>Empowerment — Glossaire de la politique de la ville</title>" in html
    assert "<title>Urban policy glossary</title>" in _text(default.get("/?lang=en"))
    app = create_app({"TESTING": True, "STORE": vocab_store, "SITE_NAME": "Glossaire de Lille",
                      "SITE_NAME_EN": "", "SITE_LOGO": "/static/logo.svg"})  # fmt: skip
    html = _text(app.test_client().get("/?lang=en"))
    assert (
        '<img class="logo" src="/static/logo.svg" alt="" height="32">Glossaire de Lille</a>' in html
    )
    assert "<h1>Glossaire de Lille</h1>" in html


def test_every_page_title_ends_with_the_site_name(vocab_store) -> None:
    app = create_app({"TESTING": True, "STORE": vocab_store, "SITE_NAME": "Glossaire de Lille"})
    for path in ("/sparql", "/login", "/search", "/search?q=lille"):
        page = app.test_client().get(path, headers={"Accept": "text/html"})
        title = re.search(r"<title>(.*?)</title>", _text(page))
        assert title and title.group(1).endswith(" — Glossaire de Lille"), (path, title)


def test_search_box_label_says_search_not_concept(client) -> None:
    html = _text(client.get("/search"))
    assert '<label for="search-q">Rechercher</label>' in html
    assert "Rechercher un concept" not in html
    assert '<label for="search-q">Search</label>' in _text(client.get("/search?lang=en"))


def test_footer_states_our_licence(client) -> None:
    html = _text(client.get("/notions/empowerment"))
    footer = html.split('<footer class="site">', 1)[1]
    assert 'rel="license" href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/"' in footer
    assert "Licence Ouverte 2.0" in footer


# --- many vocabularies: UNESCO imported next to ours ------------------------------------------


@pytest.fixture(scope="module")
def unesco_client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The committed vocabulary with the UNESCO Thesaurus imported (as a rebuild finds it in
    DATA_DIR/imports), read by an app."""
    if not UNESCO_FILE.exists():
        pytest.skip(f"{UNESCO_FILE} is missing")
    data_dir = tmp_path_factory.mktemp("with-unesco")
    (data_dir / "imports").mkdir()
    shutil.copy(UNESCO_FILE, data_dir / "imports" / "unesco-thesaurus.ttl")
    build_store(PROJECT_ROOT / "vocab", data_dir)
    store = open_current(data_dir, read_only=True)
    yield create_app({"TESTING": True, "STORE": store}).test_client()
    store.close()


def test_language_selector_offers_the_vocabularys_languages(unesco_client) -> None:
    html = _text(unesco_client.get("/vocab/unesco-thesaurus"))
    select = html.split('<select id="clang-select"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([^"]+)"', select)
    assert options[:2] == ["fr", "en"] and {"ar", "es", "ru"} <= set(options)
    assert '<option value="ar" lang="ar" dir="rtl">العربية</option>' in select
    assert '<option value="ru" lang="ru">Русский</option>' in select
    # Our own pages offer French and English only.
    ours = _text(unesco_client.get("/notions/empowerment"))
    assert re.findall(r'<option value="([^"]+)"', ours.split("</select>")[0]) == ["fr", "en"]


def test_arabic_content_is_right_to_left_and_selected(unesco_client) -> None:
    html = _text(unesco_client.get(f"/page?uri={UNESCO_DEMOCRACY}&clang=ar"))
    assert re.search(r'<option value="ar" lang="ar" dir="rtl" selected>', html)
    assert re.search(r'<h1 lang="ar" dir="rtl">[^<]+</h1>', html)
    assert '<html lang="fr">' in html  # the interface stays French


def test_each_vocabulary_shows_its_own_licence(unesco_client) -> None:
    theirs = _text(unesco_client.get(f"/page?uri={UNESCO_DEMOCRACY}")).split(
        '<footer class="site">'
    )[1]
    assert 'rel="license" href="http://creativecommons.org/licenses/by-sa/3.0/igo/"' in theirs
    assert "CC BY-SA 3.0 IGO" in theirs and "Licence Ouverte" not in theirs
    ours = _text(unesco_client.get("/notions/empowerment")).split('<footer class="site">')[1]
    assert "Licence Ouverte 2.0" in ours and "CC BY-SA" not in ours
    void = Graph().parse(data=_text(unesco_client.get("/.well-known/void")), format="turtle")
    licences = {
        str(node).rsplit("#", 1)[-1]: str(licence)
        for node, licence in void.subject_objects(URIRef("http://purl.org/dc/terms/license"))
    }
    assert licences["unesco-thesaurus"] == "http://creativecommons.org/licenses/by-sa/3.0/igo/"
    assert licences["notions"] == licences["dataset"]
    assert licences["dataset"].startswith("https://www.etalab.gouv.fr/licence-ouverte")


def test_an_imported_vocabulary_has_its_imports_id_everywhere(unesco_client) -> None:
    # The import is named "unesco-thesaurus" (its graph, its file): so are its page, its REST
    # vocabulary, its dump, its VoID subset and its search facet; "thesaurus" names nothing.
    assert unesco_client.get("/vocab/unesco-thesaurus").status_code == 200
    assert unesco_client.get("/vocab/thesaurus").status_code == 404
    rest = unesco_client.get("/rest/v1/unesco-thesaurus/?lang=fr")
    assert rest.status_code == 200 and json.loads(rest.get_data(as_text=True))["id"] == (
        "unesco-thesaurus"
    )
    assert unesco_client.get("/rest/v1/thesaurus/?lang=fr").status_code == 404
    listed = unesco_client.get("/rest/v1/vocabularies?lang=fr").get_data(as_text=True)
    vocabularies = json.loads(listed)["vocabularies"]
    assert "unesco-thesaurus" in {v["id"] for v in vocabularies}
    assert "thesaurus" not in {v["id"] for v in vocabularies}
    assert unesco_client.get("/dumps/unesco-thesaurus.nt").status_code == 200
    assert unesco_client.get("/dumps/thesaurus.nt").status_code == 404
    void = _text(unesco_client.get("/.well-known/void"))
    assert "void#unesco-thesaurus>" in void and "void#thesaurus>" not in void
    found = _text(unesco_client.get("/search?q=d%C3%A9mocratie"))
    facet = found.split('class="facets"', 1)[1]
    assert "vocab=unesco-thesaurus" in facet and "vocab=thesaurus" not in facet
    page = _text(unesco_client.get(f"/page?uri={UNESCO_DEMOCRACY}"))
    assert "/vocab/unesco-thesaurus" in page and "/vocab/thesaurus" not in page


def test_an_imported_scheme_is_not_a_resource(unesco_client, client) -> None:
    home = _text(unesco_client.get("/"))
    latest = home.split('id="latest-title"', 1)[1].split("</section>", 1)[0]
    assert "UNESCO" not in latest and "thesaurus" not in latest
    listed = _text(unesco_client.get("/resources"))
    assert "UNESCO" not in listed.split("<main", 1)[1]
    # As many resources as without the import (the committed catalogue alone).
    alone = _heading_count(_text(client.get("/resources")), "<h1>Ressources")
    assert _heading_count(listed, "<h1>Ressources") == alone


# --- the id of an imported vocabulary ---------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ("http://vocabularies.unesco.org/thesaurus", "unesco-thesaurus"),
        ("http://zbw.eu/stw", "stw"),
        ("http://www.yso.fi/onto/yso/", "yso"),
        ("http://example.org/greenvoc/greenvoc", "greenvoc"),
        ("https://data.example.com/vocab/", "example-vocab"),
    ],
)
def test_default_vocab_id_is_telling(scheme: str, expected: str) -> None:
    assert default_vocab_id(scheme) == expected


def test_a_generic_id_without_a_publisher_asks_for_one() -> None:
    graph = Graph()
    graph.add((URIRef("http://localhost/thesaurus"), RDF.type, SKOS.ConceptScheme))
    with pytest.raises(ImportFailed, match="--id"):
        choose_vocab_id(graph, None)
    assert choose_vocab_id(graph, "local-thesaurus") == "local-thesaurus"


def test_unesco_file_gets_a_telling_id() -> None:
    if not UNESCO_FILE.exists():
        pytest.skip(f"{UNESCO_FILE} is missing")
    head = Path(UNESCO_FILE).read_text(encoding="utf-8")
    scheme = re.search(
        r"<(http://vocabularies\.unesco\.org/thesaurus)>\s+a\s+skos:ConceptScheme", head
    )
    assert scheme, "the UNESCO file names its scheme"
    assert default_vocab_id(scheme.group(1)) == "unesco-thesaurus"


# --- the new pages are well formed and accessible, as every page is (tests/test_ui_pages.py) --

NEW_PAGES = [
    "/resources", "/resources?lang=en", f"/resources?type={TYPES}publication&year=2021",
    "/resources?territory=https://w3id.org/pdv/territoires/region/32&page=2",
    "/types/guide-pratique", "/types/publication?narrower=1&lang=en",
]  # fmt: skip


@pytest.mark.parametrize("url", NEW_PAGES)
def test_new_pages_are_well_formed_and_accessible(client, url: str) -> None:
    from test_ui_pages import check_page, html_of

    checker = check_page(html_of(client, url))
    assert checker.landmarks["nav"] >= 2


def test_unesco_pages_are_well_formed(unesco_client) -> None:
    from test_ui_pages import check_page, html_of

    for url in ("/vocab/unesco-thesaurus?clang=ar", f"/page?uri={UNESCO_DEMOCRACY}&clang=ar", "/"):
        check_page(html_of(unesco_client, url))
