"""Labels, notes, titles and IRIs carrying HTML or script are shown as text on every page: in the
markup, in the neighbourhood SVG, in the JSON-LD block, in search highlighting, in autocomplete,
and in a real browser where no payload runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_ui_pages import check_page, json_ld

from graph_service import create_app
from graph_service.store.build import build_store, open_current

SCRIPT = "<script>window.__xss = 1; alert(1)</script>Concept piège"
IMG = '<img src=x onerror="window.__xss = 2; alert(2)">'
BREAKOUT = "</script><script>window.__xss = 3; alert(3)</script><!-- x"
ATTRIBUTE = '"><svg onload="window.__xss=4;alert(4)">'
PAYLOADS = (SCRIPT, IMG, BREAKOUT, ATTRIBUTE)


def turtle_string(text: str) -> str:
    """A Turtle long string holding `text` as is."""
    return '"""' + text.replace("\\", "\\\\").replace('"', '\\"') + '"""'


VOCAB = f"""\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix pdv: <https://w3id.org/pdv/> .
@prefix x: <https://w3id.org/pdv/xss/> .
@prefix res: <https://w3id.org/pdv/resources/> .

pdv:xss a skos:ConceptScheme ; dct:title {turtle_string(ATTRIBUTE)}@fr ;
    skos:hasTopConcept x:top .
x:top a skos:Concept ; skos:inScheme pdv:xss ; skos:topConceptOf pdv:xss ;
    skos:prefLabel {turtle_string(IMG)}@fr ; skos:narrower x:piege .
x:piege a skos:Concept ; skos:inScheme pdv:xss ; skos:broader x:top ;
    skos:prefLabel {turtle_string(SCRIPT)}@fr, {turtle_string(IMG)}@en ;
    skos:altLabel {turtle_string(ATTRIBUTE)}@fr ;
    skos:definition {turtle_string(BREAKOUT)}@fr ;
    skos:notation {turtle_string(ATTRIBUTE)} ;
    skos:related x:autre ;
    rdfs:seeAlso <javascript:alert(5)> ;
    skos:exactMatch <javascript:alert(6)> .
x:autre a skos:Concept ; skos:inScheme pdv:xss ;
    skos:prefLabel {turtle_string(BREAKOUT)}@fr ; skos:related x:piege .
res:xss a <https://schema.org/NewsArticle> ;
    dct:title {turtle_string(SCRIPT)}@fr ; dct:issued "2024-01-01" ;
    dct:description {turtle_string(IMG)}@fr ;
    dct:subject x:piege ; dct:source <javascript:alert(7)> .
"""
PIEGE = "/xss/piege"
PAGES = ["/", "/xss", "/xss?expand=https%3A%2F%2Fw3id.org%2Fpdv%2Fxss%2Ftop", PIEGE,
         PIEGE + "?clang=en", "/xss/top", "/xss/autre", "/resources/xss", "/vocab",
         "/vocab/xss/index", "/search?q=script", "/search?q=img+onerror",
         "/search?q=%3Cscript%3Ealert(1)%3C/script%3E"]  # fmt: skip


@pytest.fixture(scope="module")
def xss_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built store holding the payload vocabulary."""
    vocab = tmp_path_factory.mktemp("xss-vocab")
    (vocab / "xss.ttl").write_text(VOCAB, encoding="utf-8")
    data = tmp_path_factory.mktemp("xss-data")
    build_store(vocab, data)
    return data


@pytest.fixture(scope="module")
def xss_client(xss_data: Path):
    app = create_app({"TESTING": True, "STORE": open_current(xss_data, read_only=True)})
    return app.test_client()


def no_live_markup(html: str) -> None:
    """No payload appears as markup: no payload script, no event handler, no javascript: link."""
    for payload in PAYLOADS:
        assert payload not in html
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        if "application/ld+json" not in attrs:
            assert "__xss" not in body
    assert not re.search(r"<(?:img|svg)\b[^>]*\bon\w+\s*=", html, re.I)
    assert 'href="javascript:' not in html.lower()


@pytest.mark.parametrize("url", PAGES)
def test_payloads_stay_text_in_every_page(xss_client, url: str) -> None:
    response = xss_client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    check_page(html)
    no_live_markup(html)


def test_concept_page_shows_each_payload_as_escaped_text(xss_client) -> None:
    html = xss_client.get(PIEGE).get_data(as_text=True)
    assert "&lt;script&gt;window.__xss = 1; alert(1)&lt;/script&gt;Concept piège" in html
    assert "&lt;img src=x onerror=&#34;window.__xss = 2; alert(2)&#34;&gt;" in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "&lt;img src=x" in svg and "<img" not in svg  # the broader box, escaped
    assert "javascript:alert(5)" in html and "javascript:alert(6)" in html  # shown as text


def test_json_ld_cannot_be_broken_out_of(xss_client) -> None:
    html = xss_client.get(PIEGE).get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "</" not in block and "<!--" not in block and "<" not in block
    term = json.loads(block)
    assert {"@value": SCRIPT, "@language": "fr"} in term["name"]
    assert term["description"] == [{"@value": BREAKOUT, "@language": "fr"}]
    checker = check_page(html)
    assert json_ld(checker)[0]["alternateName"] == [{"@value": ATTRIBUTE, "@language": "fr"}]


def test_search_highlight_escapes_before_marking(xss_client) -> None:
    html = xss_client.get("/search?q=script").get_data(as_text=True)
    assert "&lt;<mark>script</mark>&gt;window.__xss" in html


def test_autocomplete_returns_labels_as_data(xss_client) -> None:
    results = xss_client.get("/api/autocomplete?q=script").json["results"]
    assert any(r["label"] == SCRIPT for r in results)


@pytest.mark.browser
def test_payloads_do_not_run_in_a_browser(browser, live_server_factory, xss_data: Path) -> None:
    server = live_server_factory(xss_data)
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(server.url + PIEGE)
        assert page.locator("h1").text_content().strip().startswith(SCRIPT)
        assert page.locator(".breadcrumbs a[rel=up]").first.text_content() == IMG
        assert page.locator(".definition p").first.text_content() == BREAKOUT
        assert page.locator("ul.labels li[lang=fr]").nth(1).text_content().startswith(ATTRIBUTE)
        assert page.evaluate("window.__xss") is None
        data = page.evaluate(
            "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
        )
        assert data["description"][0]["@value"] == BREAKOUT
        # The autocomplete shows a payload label as text too.
        page.goto(server.url + "/")
        page.fill("#home-q", "onerror")
        option = page.locator(".suggest-list [role=option]").first
        option.wait_for()
        texts = page.locator(".suggest-list [role=option] > span:first-child").all_text_contents()
        assert IMG in texts and SCRIPT in texts
        for url in ("/xss", "/search?q=script", "/resources/xss"):
            page.goto(server.url + url)
        assert page.evaluate("window.__xss") is None
        assert page.locator("img").count() == 0
        assert dialogs == []
    finally:
        context.close()
