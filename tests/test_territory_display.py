"""Territory pages and lists: namesake communes shown with their département ("Dury (Somme)"),
a unique commune (Lille) without one (issue 17), and a territory's children grouped by class."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from conftest import LIBRARIAN_PASSWORD, csrf_token, signed_in

from graph_service import create_app
from graph_service.config import PROJECT_ROOT
from graph_service.curate.accounts import AccountStore
from graph_service.store.build import build_store, open_current

TERR = "https://w3id.org/pdv/territoires/"
DURY_SOMME, LILLE = TERR + "commune/80261", TERR + "commune/59350"
HTML = {"Accept": "text/html"}
#: A resource about two places, one of them a namesake, indexed with a notion.
RESOURCE = """@prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
<https://w3id.org/pdv/resources/forum-dury-lille> a schema:DigitalDocument ;
    dct:title "Forum des conseils citoyens de Dury et de Lille"@fr ;
    dct:issued "2024-03-01" ;
    dct:type <https://w3id.org/pdv/types/document> ;
    dct:subject <https://w3id.org/pdv/notions/conseil-citoyen> ;
    dct:spatial <https://w3id.org/pdv/territoires/commune/80261>,
        <https://w3id.org/pdv/territoires/commune/59350> .
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The app on the committed vocabulary plus one resource about Dury (Somme) and Lille,
    with an editor's account."""
    vocab = tmp_path_factory.mktemp("namesakes") / "vocab"
    shutil.copytree(PROJECT_ROOT / "vocab", vocab)
    (vocab / "resources" / "forum-dury-lille.ttl").write_text(RESOURCE, encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("namesakes-data")
    build_store(vocab, data_dir)
    AccountStore(data_dir).add("eve", "editor", LIBRARIAN_PASSWORD)
    store = open_current(data_dir, read_only=True)
    yield create_app({"TESTING": True, "STORE": store, "DATA_DIR": data_dir})
    store.close()


@pytest.fixture(scope="module")
def client(app) -> Iterator:  # type: ignore[no-untyped-def]
    """A visitor's client of the app."""
    return app.test_client()


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def _h1(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found, html[:500]
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return found.group(1).strip()


def test_concept_page_heading_and_title(client) -> None:  # type: ignore[no-untyped-def]
    dury = _text(client.get("/territoires/commune/80261", headers=HTML))
    assert _h1(dury).startswith("Dury (Somme)") and _title(dury).startswith("Dury (Somme) —")
    lille = _text(client.get("/territoires/commune/59350", headers=HTML))
    assert _h1(lille).startswith("Lille") and "(Nord)" not in _h1(lille)
    assert _title(lille).startswith("Lille —")


def test_card_title_and_heading(client) -> None:  # type: ignore[no-untyped-def]
    card = _text(client.get("/card/territoires/commune/80261"))
    assert _h1(card) == "Dury (Somme)" and _title(card).startswith("Dury (Somme)")
    assert _h1(_text(client.get("/card/territoires/commune/59350"))) == "Lille"


def test_subterritories_of_a_departement(client) -> None:  # type: ignore[no-untyped-def]
    somme = _text(client.get("/territoires/departement/80", headers=HTML))
    assert ">Dury (Somme)</a>" in somme


def test_resource_page_territories(client) -> None:  # type: ignore[no-untyped-def]
    page = _text(client.get("/resources/forum-dury-lille", headers=HTML))
    assert ">Dury (Somme)</a>" in page and ">Lille</a>" in page


def test_territory_facet_of_a_concept_page(client) -> None:  # type: ignore[no-untyped-def]
    page = _text(client.get("/notions/conseil-citoyen", headers=HTML))
    facet = page[page.index('id="resources"') :]
    assert ">Dury (Somme)</a>" in facet and ">Lille</a>" in facet


def test_territory_facet_of_the_resource_list(client) -> None:  # type: ignore[no-untyped-def]
    page = _text(client.get("/resources", query_string={"territory": DURY_SOMME}, headers=HTML))
    facet = page[page.index("<main") :]
    assert ">Dury (Somme)<" in facet and ">Lille<" in facet


def test_search_and_autocomplete(client) -> None:  # type: ignore[no-untyped-def]
    page = _text(client.get("/search?q=dury", headers=HTML))
    assert "Dury (Somme)" in page and "Dury (Aisne)" in page
    found = client.get("/api/autocomplete?q=dury").get_json()
    labels = {r["uri"]: r["label"] for r in found["results"]}
    assert labels[DURY_SOMME] == "Dury (Somme)"
    lille = client.get("/api/autocomplete?q=lille").get_json()
    assert {r["uri"]: r["label"] for r in lille["results"]}[LILLE] == "Lille"


def test_reconciliation_names(client) -> None:  # type: ignore[no-untyped-def]
    queries = {"q0": {"query": "Dury"}, "q1": {"query": "Lille"}}
    answer = client.post("/reconcile", data={"queries": json.dumps(queries)}).get_json()
    dury = {c["id"]: c["name"] for c in answer["q0"]["result"]}
    assert dury[DURY_SOMME] == "Dury (Somme)"
    lille = {c["id"]: c["name"] for c in answer["q1"]["result"]}
    assert lille[LILLE] == "Lille"


def test_data_dir_resource_exists() -> None:
    # The resource this module adds must not collide with a committed one.
    assert not Path(PROJECT_ROOT / "vocab" / "resources" / "forum-dury-lille.ttl").exists()


def _groups(html: str) -> dict[str, tuple[int, list[str]]]:
    """The children sections of a territory page: heading id -> (count said, links' hrefs)."""
    groups = {}
    for section in re.findall(r'<section class="subterritories".*?</section>', html, re.S):
        heading = re.search(r'<h2 id="children-(\w+)">(.*?)</h2>', section, re.S)
        assert heading, section[:300]
        said = re.search(r"\(([\d\s\u202f\u00a0]+)\)", heading.group(2))
        assert said, heading.group(2)
        count = int(re.sub(r"\D", "", said.group(1)))
        groups[heading.group(1)] = (count, re.findall(r'<a href="([^"]+)"', section))
    return groups


def test_departement_lists_its_epci_and_its_communes_apart(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/territoires/departement/80", headers=HTML).get_data(as_text=True)
    groups = _groups(html)
    assert list(groups) == ["EPCI", "Commune"]
    for count, links in groups.values():
        assert count == len(links) > 0
    assert all("/epci/" in href for href in groups["EPCI"][1])
    assert all("/commune/" in href for href in groups["Commune"][1])
    assert '<h2 id="children-Commune">Communes' in html
    english = client.get("/territoires/departement/80?lang=en", headers=HTML).get_data(as_text=True)
    assert '<h2 id="children-EPCI">Inter-municipal bodies (EPCI)' in english


def test_epci_lists_only_communes(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/territoires/epci/248000531", headers=HTML).get_data(as_text=True)
    groups = _groups(html)
    assert list(groups) == ["Commune"]
    assert any(href.endswith("/commune/80261") or "80261" in href for href in groups["Commune"][1])


def test_suggestions_for_a_text_name_the_namesake(app) -> None:  # type: ignore[no-untyped-def]
    editor = signed_in(app, "eve")
    text = "Le forum de la commune de Dury (Somme) et celui de Lille."
    token = csrf_token(editor, "/curation/suggest")
    form = {"text": text, "limit": "30", "csrf_token": token}
    page = _text(editor.post("/curation/suggest", data=form))
    assert ">Dury (Somme)</a>" in page and ">Lille</a>" in page
