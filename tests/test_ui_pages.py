"""The browsing pages through the test client: every page renders as well-formed, accessible
HTML; concept, territory, resource, scheme, index and search pages show what they must; bad
input is a 4xx. (Real-browser behaviour is in test_ui_browser.py, escaping in test_ui_xss.py.)"""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graph_service import create_app
from graph_service.store.build import build_store, open_current
from graph_service.web import i18n

PDV = "https://w3id.org/pdv/"
CONCEPT = "/notions/democratie-participative"
EPCI = "/territoires/epci/200093201"  # Métropole Européenne de Lille
REGION = "/territoires/region/32"
COMMUNE = "/territoires/commune/59350"  # Lille
ARTICLE = "/resources/refonte-des-contrats-de-ville-2023"
GUIDE = ARTICLE + "/conseils-citoyens-levier-participation-habitants"
TEMPLATES = Path(__file__).resolve().parent.parent / "graph_service" / "templates"

# --- a small HTML checker (html5lib is not a dependency; the standard parser is enough) -------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
CONTROLS = {"input", "select", "textarea", "button"}


class PageChecker(HTMLParser):
    """Collects what makes a page invalid or inaccessible: unbalanced tags, duplicate ids,
    dangling aria references, unlabelled controls, images and SVGs without a text alternative,
    inline event handlers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.errors: list[str] = []
        self.ids: Counter[str] = Counter()
        self.refs: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict[str, str], bool]] = []
        self.button_text: list[str] = []
        self.svgs: list[dict[str, str]] = []
        self.svg_titles = 0
        self.landmarks: Counter[str] = Counter()
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, {k: v or "" for k, v in attrs}, closed=tag in VOID)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, {k: v or "" for k, v in attrs}, closed=True)

    def _element(self, tag: str, attrs: dict[str, str], closed: bool) -> None:
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        for name in ("aria-labelledby", "aria-describedby"):
            self.refs += attrs.get(name, "").split()
        if any(name.startswith("on") for name in attrs):
            self.errors.append(f"inline event handler on <{tag}>")
        if tag == "label" and "for" in attrs:
            self.label_for.add(attrs["for"])
        if tag in {"header", "nav", "main", "footer"}:
            self.landmarks[tag] += 1
        if tag == "img" and "alt" not in attrs:
            self.errors.append(f"<img> without alt: {attrs.get('src')}")
        if tag == "svg":
            self.svgs.append(attrs)
        if tag == "title" and any(t == "svg" for t, _ in self.stack):
            self.svg_titles += 1
        if tag in CONTROLS and attrs.get("type") != "hidden":
            in_label = any(t == "label" for t, _ in self.stack)
            self.controls.append((tag, attrs, in_label))
            if tag == "button":
                self.button_text.append("")
        if tag == "script":
            self._script = []
        if not closed:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            open_tags = [t for t, _ in self.stack[-5:]]
            self.errors.append(f"</{tag}> does not close the open element (open: {open_tags})")
            return
        _, attrs = self.stack.pop()
        if tag == "script" and self._script is not None:
            self.scripts.append((attrs, "".join(self._script)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        if any(t == "button" for t, _ in self.stack) and self.button_text:
            self.button_text[-1] += data.strip()

    def problems(self) -> list[str]:
        """Everything wrong with the page (empty when it is fine)."""
        found = list(self.errors)
        found += [f"unclosed <{t}>" for t, _ in self.stack]
        found += [f"duplicate id {i!r}" for i, n in self.ids.items() if n > 1]
        found += [f"aria reference to missing id {r!r}" for r in self.refs if r not in self.ids]
        buttons = iter(self.button_text)
        for tag, attrs, in_label in self.controls:
            text = next(buttons) if tag == "button" else ""
            labelled = (
                in_label
                or attrs.get("id", "\0") in self.label_for
                or attrs.get("aria-label")
                or attrs.get("aria-labelledby")
                or text
            )
            if not labelled:
                found.append(f"<{tag}> without a label: {attrs}")
        for attrs in self.svgs:
            if not (attrs.get("aria-label") or attrs.get("aria-labelledby")
                    or attrs.get("aria-hidden") == "true" or self.svg_titles):  # fmt: skip
                found.append("<svg> without a text alternative")
        for landmark in ("header", "main", "footer"):
            if not self.landmarks[landmark]:
                found.append(f"no <{landmark}> landmark")
        return found


def check_page(html: str) -> PageChecker:
    """Parse a page and fail the test with every problem found."""
    checker = PageChecker()
    checker.feed(html)
    checker.close()
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert checker.problems() == []
    assert 'name="viewport"' in html  # laid out for small screens
    return checker


def json_ld(checker: PageChecker) -> list[dict]:
    """The JSON-LD blocks of a checked page, parsed."""
    return [json.loads(text) for attrs, text in checker.scripts
            if attrs.get("type") == "application/ld+json"]  # fmt: skip


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == status, (url, response.get_data(as_text=True)[:500])
    if status == 200:
        assert response.headers["Content-Type"].startswith("text/html")
    return response.get_data(as_text=True)


# --- every page ----------------------------------------------------------------------------

PAGES = [
    "/", "/?lang=en", "/vocab", "/notions", "/territoires", "/thematiques?lang=en&clang=en",
    "/vocab/notions/index", "/vocab/notions/index?letter=E",
    "/vocab/territoires/index?letter=L&page=2", "/search", "/search?q=democratie",
    "/search?q=lille&vocab=territoires", "/search?q=concertaton&lang=en", CONCEPT,
    CONCEPT + "?narrower=1&lang=en&clang=en", EPCI, REGION, COMMUNE,
    "/territoires/contrat-de-ville/CV192", "/territoires/pays/FR", ARTICLE, GUIDE,
    "/territoires/contrats-de-ville-2015", "/notions/empowerment?clang=de",
]  # fmt: skip


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_well_formed_and_accessible(client, url: str) -> None:
    html = html_of(client, url)
    checker = check_page(html)
    assert checker.landmarks["nav"] >= 1
    lang = "en" if "lang=en" in url else "fr"
    assert f'<html lang="{lang}">' in html
    assert 'class="skip" href="#main"' in html


def test_vocab_id_redirects_to_the_scheme_page(client) -> None:
    answer = client.get("/vocab/notions?lang=en")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/notions?lang=en")
    assert client.get("/vocab/nope").status_code == 404


# --- concept page ----------------------------------------------------------------------------


def test_concept_page_shows_the_whole_concept(client) -> None:
    html = html_of(client, CONCEPT)
    checker = check_page(html)
    assert '<h1 lang="fr">Démocratie participative</h1>' in html
    assert "Participatory democracy" in html  # the other preferred label
    assert "Conception de la démocratie" in html  # definition
    # Breadcrumbs up to the top: scheme, then the broader chain, then the concept.
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert crumbs.index('href="/notions"') < crumbs.index('href="/notions/democratie"')
    assert 'rel="up"' in crumbs and 'aria-current="page"' in crumbs
    assert 'href="/notions/democratie-de-proximite"' in html  # narrower
    assert 'href="/notions/democratie-deliberative"' in html  # related
    unesco = "http://vocabularies.unesco.org/thesaurus/concept5854"
    assert f'class="external" href="{unesco}"' in html  # mapping
    assert 'href="https://www.dicopart.fr/democratie-participative-2013"' in html  # see also
    for extension in ("ttl", "jsonld", "rdf", "nt"):
        assert f'href="{CONCEPT}.{extension}"' in html
    (term,) = json_ld(checker)
    assert term["@type"] == "DefinedTerm" and term["@id"] == PDV + CONCEPT[1:]
    assert {"@value": "Démocratie participative", "@language": "fr"} in term["name"]
    assert term["inDefinedTermSet"]["@id"] == PDV + "notions"


def test_neighbourhood_picture_links_broader_narrower_related(client) -> None:
    html = html_of(client, CONCEPT)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert '<title id="picture-title">' in svg
    for kind, path in (("broader", "democratie"), ("narrower", "democratie-de-proximite"),
                       ("related", "democratie-deliberative")):  # fmt: skip
        assert f'<a class="node {kind}" href="/notions/{path}"><title' in svg
    assert svg.count("<a ") == 1 + 1 + 4  # broader, narrower, related
    assert 'class="node more' not in svg
    many = html_of(client, "/notions/dispositif-de-la-politique-de-la-ville")
    svg = re.search(r"<svg.*?</svg>", many, re.S).group(0)
    assert 'class="node more' not in svg  # 10 narrower: all drawn (up to a dozen)
    assert svg.count("<a ") == 10 + 1  # 10 narrower, related


def test_resources_toggle_narrower_and_territory_filter(client) -> None:
    direct = html_of(client, "/notions/participation-citoyenne")
    wider = html_of(client, "/notions/participation-citoyenne?narrower=1")

    def total(html: str) -> int:
        return int(re.search(r'resources-title">[^<]*<span class="count">\((\d+)\)', html)[1])

    assert total(wider) >= total(direct) > 0
    assert 'href="/notions/participation-citoyenne?narrower=1#resources"' in direct
    assert f'href="{ARTICLE}"' in direct
    # The territories of the resources filter them (Lille: the article only).
    assert "?territory=https%3A%2F%2Fw3id.org%2Fpdv%2Fterritoires%2Fcommune%2F59350" in direct
    lille = html_of(client, "/notions/participation-citoyenne?territory=" + PDV + COMMUNE[1:])
    assert total(lille) == 1 and f'href="{ARTICLE}"' in lille
    assert "Retirer le filtre" in lille


def test_content_language_with_fallbacks(client) -> None:
    english = html_of(client, CONCEPT + "?clang=en")
    assert '<h1 lang="en">Participatory democracy</h1>' in english
    assert "?clang=en" in english  # links keep the content language
    # No German label: French is shown, marked as such.
    german = html_of(client, CONCEPT + "?clang=de")
    assert '<h1 lang="fr">Démocratie participative</h1>' in german
    assert 'data-fallback="fr"' in german and "fallback-note" in german


def test_interface_language_is_carried_by_links(client) -> None:
    html = html_of(client, CONCEPT + "?lang=en")
    assert "Broader concepts" in html and "Concepts génériques" not in html
    assert 'href="/notions/participation-citoyenne?lang=en"' in html
    assert 'href="/notions/democratie-participative" lang="fr" hreflang="fr"' in html  # switch
    # Labels follow the interface language unless clang says otherwise.
    assert '<h1 lang="en">Participatory democracy</h1>' in html
    fr_content = html_of(client, CONCEPT + "?lang=en&clang=fr")
    assert '<h1 lang="fr">Démocratie participative</h1>' in fr_content
    assert "?lang=en&amp;clang=fr" in fr_content


# --- territory pages -------------------------------------------------------------------------


def test_epci_page_lists_communes_contrats_and_resources(client) -> None:
    html = html_of(client, EPCI)
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    for path in ("/territoires/pays/FR", REGION, "/territoires/departement/59"):
        assert f'href="{path}"' in crumbs
    assert "Communes <span" in html and f'href="{COMMUNE}"' in html
    contrats = re.search(r'<section class="contrats".*?</section>', html, re.S).group(0)
    assert 'href="/territoires/contrat-de-ville/CV192"' in contrats
    assert f'href="{ARTICLE}"' in html  # about Lille, a commune of the EPCI


def test_region_and_commune_pages(client) -> None:
    region = html_of(client, REGION)
    assert "Départements" in region and 'href="/territoires/departement/59"' in region
    contrats = re.search(r'<section class="contrats".*?</section>', region, re.S).group(0)
    assert contrats.count("<li>") >= 40  # every contrat de ville of the region
    commune = html_of(client, COMMUNE)
    assert f'href="{ARTICLE}"' in commune
    assert "/territoires/contrat-de-ville/CV192" in commune  # its EPCI's contrat
    assert "contrat de l’EPCI" in commune


# --- resource page ---------------------------------------------------------------------------


def test_resource_page_metadata_parts_and_source(client) -> None:
    html = html_of(client, ARTICLE)
    check_page(html)
    assert "IREV - Centre de ressources politique de la ville" in html  # publisher
    assert '<time datetime="2023-05-30">30 mai 2023</time>' in html
    assert 'href="/notions/empowerment"' in html and f'href="{COMMUNE}"' in html
    assert 'href="https://irev.fr/actualites-0/refonte-des-contrats-de-ville' in html
    parts = re.search(r'<ul class="parts">.*?</ul>', html, re.S).group(0)
    assert f'href="{GUIDE}"' in parts and "1,19\xa0Mo" in parts and "538,64\xa0Ko" in parts
    english = html_of(client, ARTICLE + "?lang=en")
    assert "1.19\xa0MB" in english and "30 May 2023" in english


def test_attachment_page_has_size_toc_and_parent(client) -> None:
    html = html_of(client, ARTICLE + "/ressources-conseillees-participation-qpv")
    assert f'href="{ARTICLE}" rel="up"' in html
    assert '<data value="551567">538,64\xa0Ko</data>' in html
    assert "<li>Outils méthodologiques (p. 16)</li>" in html


# --- scheme, tree and index ------------------------------------------------------------------


def test_scheme_page_tree_opens_without_javascript(client) -> None:
    closed = html_of(client, "/territoires")
    assert 'href="/territoires/pays/FR"' in closed
    assert 'href="/territoires/region/32"' not in closed
    toggle = re.search(r'<a class="twisty" href="([^"]+)"', closed)[1].replace("&amp;", "&")
    assert "expand=https%3A%2F%2Fw3id.org%2Fpdv%2Fterritoires%2Fpays%2FFR" in toggle
    opened = html_of(client, toggle.split("#")[0])
    assert 'href="/territoires/region/32"' in opened
    assert 'aria-expanded="true"' in opened
    assert 'data-children="/ui/children?uri=' in opened


def test_children_fragment(client) -> None:
    answer = client.get("/ui/children", query_string={"uri": PDV + "territoires/region/32"})
    assert answer.status_code == 200
    fragment = answer.get_data(as_text=True)
    assert fragment.strip().startswith('<ul class="tree"')
    # 5 départements, and the 3 EPCI that span two of them (under the region, not under both)
    assert fragment.count('class="tree-node"') == 8 and "Nord" in fragment
    assert "CC Flandre Lys" in fragment
    assert client.get("/ui/children", query_string={"uri": PDV + "nope"}).status_code == 404
    assert client.get("/ui/children", query_string={"uri": "not an iri"}).status_code == 400


def test_index_folds_accents_and_pages(client) -> None:
    html = html_of(client, "/vocab/notions/index?letter=E")
    assert "Échelle de participation" in html and "Éducation populaire" in html
    territories = html_of(client, "/vocab/territoires/index?letter=A")
    assert 'rel="next"' in territories and "Page 1" in territories
    second = html_of(client, "/vocab/territoires/index?letter=A&page=2")
    assert 'rel="prev"' in second
    first_entries = set(re.findall(r'<li>(?:<span class="alt">[^<]*</span> → )?<a href="([^"]+)"',
                                   territories))  # fmt: skip
    second_entries = set(re.findall(r'<a href="(/territoires/[^"]+)"', second))
    assert first_entries and not first_entries & second_entries


@pytest.fixture(scope="module")
def letters_app(tmp_path_factory: pytest.TempPathFactory):
    """A built vocabulary with accented and numeric labels and 130 labels under one letter."""
    vocab = tmp_path_factory.mktemp("letters-vocab")
    lines = [
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix ex: <http://example.org/letters/> .",
        "@prefix voc: <http://example.org/> .",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        'voc:letters a skos:ConceptScheme ; skos:prefLabel "Lettres"@fr .',
        'ex:e a skos:Concept ; skos:inScheme voc:letters ; skos:prefLabel "Égalité"@fr .',
        'ex:n a skos:Concept ; skos:inScheme voc:letters ; skos:prefLabel "2030, agenda"@fr .',
        "ex:old a skos:Concept ; skos:inScheme voc:letters ; owl:deprecated true ;",
        '  dct:isReplacedBy ex:e ; skos:prefLabel "Parité"@fr ; skos:broader ex:e .',
        "ex:e skos:narrower ex:old .",
    ]
    lines += [
        f'ex:m{i:03d} a skos:Concept ; skos:inScheme voc:letters ; skos:prefLabel "Mot {i:03d}"@fr.'
        for i in range(130)
    ]
    (vocab / "letters.ttl").write_text("\n".join(lines), encoding="utf-8")
    data = tmp_path_factory.mktemp("letters-data")
    build_store(vocab, data)
    return create_app({"TESTING": True, "STORE": open_current(data, read_only=True)})


def test_index_letters_buckets_and_pagination(letters_app) -> None:
    client = letters_app.test_client()
    scheme = html_of(client, "/vocab/letters")
    letters = re.findall(r"index\?letter=([^\"&]+)\">", scheme)
    assert letters == ["E", "M", "0-9"]
    assert "Égalité" in html_of(client, "/vocab/letters/index?letter=E")
    assert "2030, agenda" in html_of(client, "/vocab/letters/index?letter=0-9")
    first = html_of(client, "/vocab/letters/index?letter=M")
    assert first.count("Mot ") == 100 and "Mot 099" in first and 'rel="next"' in first
    last = html_of(client, "/vocab/letters/index?letter=M&page=2")
    assert last.count("Mot ") == 30 and "Mot 129" in last and 'rel="next"' not in last
    # Imported concepts (outside our namespace) link to /page?uri=, which shows them.
    assert "/page?uri=http%3A%2F%2Fexample.org%2Fletters%2Fm000" in first
    imported = html_of(client, "/page?uri=http%3A%2F%2Fexample.org%2Fletters%2Fm000")
    check_page(imported)
    assert '<h1 lang="fr">Mot 000</h1>' in imported
    assert 'href="/vocab/letters"' in imported  # the breadcrumbs start at the vocabulary
    assert 'href="/page?uri=http%3A%2F%2Fexample.org%2Fletters%2Fm000&amp;format=ttl"' in imported


def test_deprecated_concept_names_its_replacement(letters_app) -> None:
    client = letters_app.test_client()
    html = html_of(client, "/page?uri=http%3A%2F%2Fexample.org%2Fletters%2Fold")
    notice = re.search(r'<div class="notice deprecated".*?</div>', html, re.S).group(0)
    assert "Concept obsolète." in notice and "Remplacé par" in notice
    assert 'href="/page?uri=http%3A%2F%2Fexample.org%2Fletters%2Fe"' in notice
    assert "Parité" not in html_of(client, "/vocab/letters/index?letter=P", 200)


# --- search ----------------------------------------------------------------------------------


def test_search_results_facets_and_highlight(client) -> None:
    html = html_of(client, "/search?q=democratie")
    assert "<mark>Démocratie</mark> participative" in html
    assert 'href="/notions/democratie-participative"' in html
    facets = re.search(r'<aside class="facets".*?</aside>', html, re.S).group(0)
    assert 'href="/search?q=democratie&amp;vocab=notions"' in facets
    assert re.search(r"Notions[^<]*</a> <span class=\"count\">\d+</span>", facets)
    assert "labellang=fr" in facets
    lille = html_of(client, "/search?q=lille")
    assert "type=https%3A%2F%2Fw3id.org%2Fpdv%2Fontology%23Commune" in lille
    only = html_of(client, "/search?q=lille&type=https://w3id.org/pdv/ontology%23EPCI")
    # the MEL matches by its former name, an alternative label ("Lille Métropole")
    assert 'href="/territoires/epci/200093201"' in only and "<mark>Lille</mark>" in only
    assert 'href="/territoires/commune/59350"' not in only


def test_search_prefix_alternative_labels_and_did_you_mean(client) -> None:
    assert 'href="/notions/democratie-participative"' in html_of(
        client, "/search?q=democratie+partic"
    )
    # A single obvious correction is searched at once (model/search.py), and said so.
    typo = html_of(client, "/search?q=concertaton")
    assert "Résultats pour « Concertation »" in typo and "« concertaton »" in typo
    assert 'href="/notions/concertation"' in typo
    english = html_of(client, "/search?q=concertaton&lang=en")
    assert "Results for “Concertation”" in english
    # A correction not close enough is offered, not taken.
    far = html_of(client, "/search?q=democratie+representatiive+participativ")
    assert "Vouliez-vous dire" in far and "Résultats pour « D" not in far
    assert 'href="/search?q=D%C3%A9mocratie+repr%C3%A9sentative"' in far


def test_search_pagination(client) -> None:
    html = html_of(client, "/search?q=saint")
    assert 'rel="next"' in html and "Page 1 sur" in html
    second = html_of(client, "/search?q=saint&page=2")
    assert 'start="21"' in second


def test_autocomplete_json(client) -> None:
    answer = client.get("/api/autocomplete?q=democratie&lang=en&clang=fr")
    assert answer.status_code == 200
    results = answer.json["results"]
    hit = next(r for r in results if r["uri"] == PDV + "notions/democratie-participative")
    assert hit["label"] == "Démocratie participative" and hit["lang"] == "fr"
    assert hit["href"] == "/notions/democratie-participative?lang=en&clang=fr"
    assert client.get("/api/autocomplete?q=").json["results"] == []
    english = client.get("/api/autocomplete?q=particip&clang=en").json["results"]
    assert any(r["label"] == "Participatory democracy" for r in english)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [CONCEPT + "?rpage=abc", CONCEPT + "?rpage=0", CONCEPT + "?territory=not%20an%20iri",
     "/search?q=x&page=-1", "/search?q=x&type=javascript", "/vocab/notions/index?page=x"],
)  # fmt: skip
def test_bad_parameters_are_400(client, url: str) -> None:
    answer = client.get(url, headers={"Accept": "text/html"})
    assert answer.status_code == 400
    assert "Traceback" not in answer.get_data(as_text=True)


def test_unknown_things_are_404(client) -> None:
    assert client.get("/vocab/nope/index").status_code == 404
    assert (
        client.get("/notions/no-such-concept", headers={"Accept": "text/html"}).status_code == 404
    )


# --- interface strings -----------------------------------------------------------------------


def test_every_interface_string_exists_in_both_languages() -> None:
    used: set[str] = set()
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text("utf-8")
        used |= set(re.findall(r"_\('([a-z_]+\.[A-Za-z_.]*[A-Za-z])'[,)]", text))
    prefixes = {"mapping.": ["exactMatch", "closeMatch", "broadMatch", "narrowMatch",
                             "relatedMatch"],
                "picture.": ["broader", "narrower", "related"],
                "search.matched_": ["pref", "alt", "hidden"],
                "territory.group.": ["Region", "Departement", "EPCI", "Commune",
                                     "QuartierPrioritaire", "ContratDeVille"]}  # fmt: skip
    used |= {prefix + name for prefix, names in prefixes.items() for name in names}
    missing = sorted(key for key in used if key not in i18n.CATALOGUE)
    assert missing == []
    for key, (fr, en) in i18n.CATALOGUE.items():
        assert fr and en, key
        assert re.findall(r"\{\w+\}", fr) == re.findall(r"\{\w+\}", en), key
