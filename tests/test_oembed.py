"""oEmbed 1.0: answers checked against the specification's fields, in JSON and in XML."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import requests

NS = "https://w3id.org/pdv/"
CONCERTATION = NS + "notions/concertation"
PAGE = "http://localhost/notions/concertation"
#: oEmbed 1.0, section 2.3.4: fields of every answer, and those a "rich" answer requires.
REQUIRED = {"type", "version"}
RICH_REQUIRED = {"html", "width", "height"}
OPTIONAL = {
    "title",
    "author_name",
    "author_url",
    "provider_name",
    "provider_url",
    "cache_age",
    "thumbnail_url",
    "thumbnail_width",
    "thumbnail_height",
}


def oembed(client, url: str, **params: str):
    """GET /oembed for a page URL."""
    return client.get("/oembed", query_string={"url": url, **params})


def iframe_attributes(markup: str) -> dict[str, str]:
    """The attributes of the single <iframe> of an embed's HTML."""
    match = re.fullmatch(r"<iframe ([^>]*)></iframe>", markup)
    assert match, markup
    return {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', match.group(1))}


def check_rich(answer: dict[str, object], base: str) -> dict[str, str]:
    """Assert a JSON answer is a valid oEmbed 1.0 "rich" answer; return its iframe attributes."""
    assert set(answer) >= REQUIRED | RICH_REQUIRED
    assert set(answer) <= REQUIRED | RICH_REQUIRED | OPTIONAL
    assert answer["type"] == "rich" and answer["version"] == "1.0"
    assert isinstance(answer["width"], int) and isinstance(answer["height"], int)
    assert answer["width"] > 0 and answer["height"] > 0
    assert isinstance(answer["cache_age"], int)
    assert answer["provider_url"] == base + "/"
    attributes = iframe_attributes(str(answer["html"]))
    assert attributes["src"].startswith(base + "/card/")
    assert attributes["width"] == str(answer["width"])
    assert attributes["height"] == str(answer["height"])
    assert attributes["loading"] == "lazy" and attributes["scrolling"] == "no"
    assert attributes["title"]
    return attributes


def test_json_answer_has_the_required_fields(client) -> None:
    response = oembed(client, PAGE)
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    answer = response.get_json()
    attributes = check_rich(answer, "http://localhost")
    assert answer["title"] == "Concertation"
    assert attributes["src"] == "http://localhost/card/notions/concertation?lang=fr"
    assert attributes["title"].startswith("Concertation — Notions de la participation")


def test_xml_answer_is_well_formed_with_the_same_fields(client) -> None:
    response = oembed(client, PAGE, format="xml")
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8" standalone="yes"?>')
    root = ET.fromstring(response.data)
    assert root.tag == "oembed"
    fields = {child.tag: child.text or "" for child in root}
    assert len(fields) == len(root)  # each field once
    assert set(fields) >= REQUIRED | RICH_REQUIRED
    assert set(fields) <= REQUIRED | RICH_REQUIRED | OPTIONAL
    assert list(root) and all(len(child) == 0 for child in root)  # the HTML is text, not markup
    as_json = oembed(client, PAGE).get_json()
    converted = {k: int(v) if isinstance(as_json[k], int) else v for k, v in fields.items()}
    assert converted == as_json
    check_rich(converted, "http://localhost")


def test_maxwidth_and_maxheight_are_respected(client) -> None:
    default = oembed(client, PAGE).get_json()
    assert default["width"] == 400
    for maxwidth, maxheight in [("300", "150"), ("200", "1000"), ("120", "80"), ("1000", "40")]:
        answer = oembed(client, PAGE, maxwidth=maxwidth, maxheight=maxheight).get_json()
        assert answer["width"] <= int(maxwidth) and answer["height"] <= int(maxheight)
        check_rich(answer, "http://localhost")
    narrow = oembed(client, PAGE, maxwidth="250").get_json()
    assert narrow["width"] == 250 and narrow["height"] > default["height"]  # text wraps more
    for bad in ("abc", "0", "-5", "1.5"):
        assert oembed(client, PAGE, maxwidth=bad).status_code == 400
        assert oembed(client, PAGE, maxheight=bad).status_code == 400


def test_every_url_form_of_a_concept_page(client) -> None:
    forms = [
        PAGE,
        CONCERTATION,  # the IRI itself, in the namespace
        f"http://localhost/page?uri={quote(CONCERTATION, safe='')}",
        "http://localhost/card/notions/concertation",
        "http://localhost/notions/concertation.html",
        "/notions/concertation",
    ]
    for url in forms:
        response = oembed(client, url)
        assert response.status_code == 200, url
        assert "card/notions/concertation?lang=fr" in response.get_json()["html"]
    english = oembed(client, PAGE + "?lang=en").get_json()
    assert "card/notions/concertation?lang=en" in english["html"]
    assert "Concepts of citizen participation" in english["html"]


def test_errors(client) -> None:
    assert client.get("/oembed").status_code == 400
    assert oembed(client, "  ").status_code == 400
    for unknown in (
        "http://localhost/notions/nothing-here",
        "http://elsewhere.example/notions/concertation",  # not this host
        NS + "notions",  # a scheme, not a concept
        "https://example.org/notions/concertation",
        "http://localhost/",
        "not a url",
    ):
        response = oembed(client, unknown)
        assert response.status_code == 404, unknown
        assert response.headers["Cache-Control"] == "no-store"
    for fmt in ("yaml", "html", "JSONP"):
        assert oembed(client, PAGE, format=fmt).status_code == 501
    assert oembed(client, PAGE, format="JSON").status_code == 200


def test_over_http_with_discovery(live_server_factory, built_vocab_dir: Path) -> None:
    server = live_server_factory(built_vocab_dir)
    page = server.url + "/notions/concertation"
    for fmt in ("json", "xml"):
        response = requests.get(
            server.url + "/oembed", params={"url": page, "format": fmt}, timeout=30
        )
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.headers["ETag"]
        if fmt == "json":
            check_rich(response.json(), server.url)
        else:
            assert ET.fromstring(response.content).tag == "oembed"
    frame = iframe_attributes(
        requests.get(server.url + "/oembed", params={"url": page}, timeout=30).json()["html"]
    )
    card = requests.get(frame["src"], timeout=30)
    assert card.status_code == 200 and '<h1 lang="fr">Concertation</h1>' in card.text
