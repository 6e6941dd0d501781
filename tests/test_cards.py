"""Concept cards: the card page, the summary JSON, /embed.js and the embed partials."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from flask import render_template

from graph_service import create_app
from graph_service.model.cards import DEFINITION_LIMIT, shorten
from graph_service.model.concept import concept_details
from graph_service.store.build import build_store, open_current
from graph_service.store.embedded import EmbeddedStore
from graph_service.web.cards.views import FIT_SCRIPT

NS = "https://w3id.org/pdv/"
CONCERTATION = NS + "notions/concertation"
CARD_LIMIT = 10 * 1024
#: A label and a definition that run script if any consumer inserts them as HTML.
EVIL_LABEL = "<img src=x onerror=window.pwned=1;alert(1)>"
EVIL_DEFINITION = "Texte <script>window.pwned=2</script> et <img src=y onerror=window.pwned=3>"
EVIL_VOCAB = f"""\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .

<{NS}notions> a skos:ConceptScheme ;
    dct:title "Notions <b onclick=alert(2)>piégées</b>"@fr ;
    skos:hasTopConcept <{NS}notions/piege> .
<{NS}notions/piege> a skos:Concept ; skos:inScheme <{NS}notions> ;
    skos:topConceptOf <{NS}notions> ;
    skos:prefLabel "{EVIL_LABEL}"@fr ;
    skos:definition "{EVIL_DEFINITION}"@fr ;
    skos:related <{NS}notions/voisin> .
<{NS}notions/voisin> a skos:Concept ; skos:inScheme <{NS}notions> ;
    skos:prefLabel "Voisin <svg onload=alert(4)>"@fr ;
    skos:related <{NS}notions/piege> .
"""


def build_evil_vocab(root: Path) -> Path:
    """A data directory holding a small vocabulary whose texts are HTML injection attempts."""
    vocab = root / "evil-vocab"
    vocab.mkdir()
    (vocab / "notions.ttl").write_text(EVIL_VOCAB, encoding="utf-8")
    data_dir = root / "evil-data"
    build_store(vocab, data_dir)
    return data_dir


def _text(html: str, css_class: str) -> str:
    """The raw (escaped) content of the first element with this class."""
    match = re.search(rf'class="{css_class}"[^>]*>(.*?)</', html, re.S)
    assert match, css_class
    return match.group(1)


# --- the card page ---------------------------------------------------------------------------


def test_card_shows_the_concept_compactly(client) -> None:
    response = client.get("/card/notions/concertation")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    html = response.get_data(as_text=True)
    assert '<h1 lang="fr">Concertation</h1>' in html
    assert "Notions de la participation citoyenne" in _text(html, "scheme")
    definition = _text(html, "def")
    assert definition.startswith("Échange organisé entre une autorité")
    assert definition.endswith("…")  # cut at a word boundary
    assert len(definition.replace("&#39;", "'")) <= DEFINITION_LIMIT
    assert "Participation citoyenne</a>" in html  # broader
    related = re.search(r"Associés[^<]*</span>(.*?)</p>", html, re.S).group(1)
    assert related.count("<a ") == 3  # up to three related concepts
    full_page = re.search(r'<p class="more"[^>]*><a ([^>]*)>', html).group(1)
    assert 'href="http://localhost/notions/concertation"' in full_page
    assert 'target="_blank"' in full_page and 'rel="noopener"' in full_page


def test_card_is_self_contained_and_small(client) -> None:
    html = client.get("/card/notions/concertation").get_data(as_text=True)
    assert len(html.encode()) < CARD_LIMIT
    # One script, inline and allowed by its hash alone: it fits the definition to the frame.
    assert html.count("<script") == 1 and f"<script>{FIT_SCRIPT}</script>" in html
    assert 'rel="stylesheet"' not in html and " src=" not in html and "@import" not in html
    assert "<style>" in html  # its CSS is inline
    # Fluid: nothing sets a fixed width in pixels.
    assert not re.search(r"(?<![-\w])width:\s*\d+px", html)
    assert 'name="viewport"' in html


def test_every_card_of_the_vocabulary_stays_under_10_kb(client, vocab_store) -> None:
    found = vocab_store.select(
        "SELECT ?c WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> "
        "FILTER(!STRSTARTS(STR(?c), 'https://w3id.org/pdv/territoires/')) }"
    )
    iris = sorted(str(row["c"]) for row in found)
    assert len(iris) > 100
    for iri in iris:
        for lang in ("fr", "en"):
            response = client.get(f"/card/{iri.removeprefix(NS)}?lang={lang}")
            assert response.status_code == 200, iri
            assert len(response.data) < CARD_LIMIT, iri


def test_card_by_uri_parameter_and_languages(client) -> None:
    by_path = client.get("/card/notions/concertation?lang=en").get_data(as_text=True)
    by_uri = client.get(f"/card?uri={CONCERTATION}&lang=en").get_data(as_text=True)
    assert by_path == by_uri
    assert "An organised exchange between an authority" in by_path
    assert "See the full page" in by_path and "Broader:" in by_path
    assert 'href="http://localhost/notions/concertation?lang=en"' in by_path
    # A language the vocabulary lacks falls back to French data, with English interface text.
    german = client.get("/card/notions/concertation?lang=de").get_data(as_text=True)
    assert "Échange organisé" in german and "See the full page" in german
    assert client.get("/card/notions/concertation?lang=fr;drop").status_code == 400


def test_card_themes(client) -> None:
    auto = client.get("/card/notions/concertation").get_data(as_text=True)
    # auto is light in a frame, which cannot see its host's colours: never the reader's system.
    assert 'data-theme="auto"' in auto and "prefers-color-scheme" not in auto
    assert "color-scheme:dark" not in auto  # a scheme unlike the host's paints an opaque band
    for theme in ("light", "dark"):
        html = client.get(f"/card/notions/concertation?theme={theme}").get_data(as_text=True)
        assert f'data-theme="{theme}"' in html
    bad = client.get("/card/notions/concertation?theme=pink")
    assert bad.status_code == 400
    assert "theme must be one of auto, light, dark" in bad.get_data(as_text=True)


def test_unknown_concept_gets_a_small_404_card(client) -> None:
    for url in ("/card/notions/nothing-here", f"/card?uri={NS}notions/nothing-here"):
        response = client.get(url)
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert "Concept inconnu" in html and f"{NS}notions/nothing-here" in html
        assert len(response.data) < 3000
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert client.get("/card").status_code == 400


def test_card_headers_over_http(live_server_factory, built_vocab_dir: Path) -> None:
    server = live_server_factory(built_vocab_dir)
    url = server.url + "/card/notions/concertation?lang=en&theme=dark"
    first = requests.get(url, timeout=30)
    assert first.status_code == 200
    assert "X-Frame-Options" not in first.headers
    policy = first.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        "frame-ancestors *",
        "script-src 'sha256-",  # the inline FIT_SCRIPT, nothing else
    ):
        assert directive in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["Last-Modified"]
    # Its links are absolute, made from the Host header: another host name, another answer.
    assert "Host" in first.headers["Vary"]
    other_host = requests.get(url.replace("127.0.0.1", "localhost"), timeout=30)
    assert f"http://localhost:{server.port}/notions/concertation" in other_host.text
    etag = first.headers["ETag"]
    again = requests.get(url, headers={"If-None-Match": etag}, timeout=30)
    assert again.status_code == 304 and again.content == b""
    assert requests.get(url, headers={"If-None-Match": 'W/"x"'}, timeout=30).status_code == 200
    missing = requests.get(server.url + "/card/notions/nothing-here", timeout=30)
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"


# --- summary JSON ----------------------------------------------------------------------------


def test_summary_by_iri_label_and_path(client) -> None:
    by_iri = client.get(f"/api/summary?uri={CONCERTATION}")
    assert by_iri.status_code == 200
    body = by_iri.get_json()
    assert {"uri", "label", "lang", "definition", "scheme", "url", "card_url"} <= set(body)
    assert body["uri"] == CONCERTATION and body["label"] == "Concertation"
    assert body["lang"] == "fr" and body["definition"].endswith("…")
    assert body["url"] == "http://localhost/notions/concertation"
    assert body["card_url"] == "http://localhost/card/notions/concertation"
    assert by_iri.headers["Access-Control-Allow-Origin"] == "*"
    # Labels are matched ignoring case and accents; an English label answers in English.
    assert client.get("/api/summary?label=CONCERTATION").get_json()["uri"] == CONCERTATION
    english = client.get("/api/summary?label=stakeholder%20dialogue").get_json()
    assert english["uri"] == CONCERTATION and english["lang"] == "en"
    assert english["definition"].startswith("An organised exchange")
    assert client.get("/api/summary?label=Concertation&lang=en").get_json()["lang"] == "en"
    by_path = client.get("/summary/notions/concertation?lang=en").get_json()
    assert by_path["url"] == "http://localhost/notions/concertation?lang=en"


def test_summary_errors_are_json_with_cors(client) -> None:
    cases = {
        f"/api/summary?uri={NS}notions/nothing": 404,
        "/api/summary?label=zzz%20no%20such%20label": 404,
        "/summary/notions/nothing": 404,
        "/api/summary": 400,
        "/api/summary?uri=x&lang=%3Cb%3E": 400,
    }
    for url, status in cases.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.get_json()["error"] == status


def test_summary_and_script_over_http(live_server_factory, built_vocab_dir: Path) -> None:
    server = live_server_factory(built_vocab_dir)
    origin = {"Origin": "http://elsewhere.example"}
    summary = requests.get(server.url + "/api/summary?label=concertation", headers=origin)
    assert summary.headers["Access-Control-Allow-Origin"] == "*"
    assert summary.headers["Content-Type"] == "application/json; charset=utf-8"
    assert summary.json()["url"] == server.url + "/notions/concertation"
    tag = summary.headers["ETag"]
    conditional = {"If-None-Match": tag, **origin}
    cached = requests.get(server.url + "/api/summary?label=concertation", headers=conditional)
    assert cached.status_code == 304
    script = requests.get(server.url + "/embed.js", headers=origin, timeout=30)
    assert script.status_code == 200
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert script.headers["Access-Control-Allow-Origin"] == "*"
    assert script.headers["Cache-Control"].startswith("public, max-age=")
    assert "document.currentScript" in script.text and "innerHTML" not in script.text
    again = requests.get(
        server.url + "/embed.js", headers={"If-None-Match": script.headers["ETag"]}
    )
    assert again.status_code == 304


# --- partials for the concept page -------------------------------------------------------------


def test_embed_panel_and_oembed_links(app, vocab_store) -> None:
    concept = concept_details(vocab_store, CONCERTATION, "fr")
    with app.test_request_context("/notions/concertation", base_url="https://glossaire.example"):
        panel = render_template("_embed_panel.html", concept=concept, lang="fr")
        links = render_template("_oembed_link.html", concept=concept, lang="fr")
    assert "Intégrer ce concept" in panel
    codes = re.findall(r"<pre><code[^>]*>(.*?)</code></pre>", panel, re.S)
    assert len(codes) == 3
    iframe, oembed, script = codes
    assert iframe.startswith("&lt;iframe src=&#34;https://glossaire.example/card/notions/")
    assert "<iframe" not in panel  # shown as text, never as markup
    assert oembed.startswith("https://glossaire.example/oembed?url=https%3A%2F%2Fglossaire")
    assert "&lt;script src=&#34;https://glossaire.example/embed.js&#34;" in script
    assert f"data-concept=&#34;{CONCERTATION}&#34;" in script
    assert "&lt;concept-card concept=" in script
    # Copy buttons are hidden until the script can make them work.
    assert panel.count("hidden>") == 3
    assert 'type="application/json+oembed"' in links and 'type="text/xml+oembed"' in links
    assert "https://glossaire.example/oembed?url=" in links and "format=xml" in links
    assert 'title="Concertation"' in links


def test_concept_pages_carry_oembed_discovery(client) -> None:
    page = client.get("/notions/concertation", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    links = re.findall(r'<link rel="alternate" type="(\w+/\w+\+oembed)" href="([^"]+)"', html)
    assert {kind for kind, _ in links} == {"application/json+oembed", "text/xml+oembed"}
    for kind, href in links:
        answer = client.get(href.replace("&amp;", "&").removeprefix("http://localhost"))
        assert answer.status_code == 200
        assert answer.content_type.startswith(kind.split("+")[0])  # application/json, text/xml
    assert "Intégrer ce concept" in html  # the embed panel


# --- injection --------------------------------------------------------------------------------


@pytest.fixture
def evil_client(tmp_path: Path):
    """A client on a vocabulary whose label and definition are HTML injection attempts."""
    store: EmbeddedStore = open_current(build_evil_vocab(tmp_path), read_only=True)
    return create_app({"TESTING": True, "STORE": store}).test_client()


def test_injected_markup_stays_text(evil_client) -> None:
    html = evil_client.get("/card/notions/piege").get_data(as_text=True)
    assert "<img" not in html and "<script>window" not in html and "<svg" not in html
    assert "<b onclick" not in html
    assert "&lt;img src=x onerror=window.pwned=1;alert(1)&gt;</h1>" in html
    summary = evil_client.get(f"/api/summary?uri={NS}notions/piege")
    assert summary.get_json()["label"] == EVIL_LABEL  # a plain string; consumers use it as text
    assert summary.get_json()["definition"] == EVIL_DEFINITION
    by_label = evil_client.get("/api/summary", query_string={"label": EVIL_LABEL})
    assert by_label.get_json()["uri"] == f"{NS}notions/piege"


# --- model ------------------------------------------------------------------------------------


def test_shorten_cuts_at_a_word_boundary() -> None:
    assert shorten("Court.") == "Court."
    assert shorten("  deux   espaces ") == "deux espaces"
    text = "mot " * 100
    cut = shorten(text, 50)
    assert len(cut) <= 50 and cut.endswith("mot…")
    assert shorten("a" * 300, 20) == "a" * 19 + "…"  # one long word is cut inside
    assert shorten("Une phrase, puis une autre qui continue", 13) == "Une phrase…"
