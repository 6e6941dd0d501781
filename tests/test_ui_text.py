"""The UI's pure helpers: safe highlighting, JSON-LD for a script element, sizes, dates, label
wrapping, the neighbourhood layout, search query shaping and "did you mean" on a large index."""

from __future__ import annotations

import json

import pytest

from graph_service.model import search as model_search
from graph_service.model.base import Ref
from graph_service.search.index import get_index
from graph_service.web.ui.search import did_you_mean, search_query
from graph_service.web.ui.svg import MAX_NARROWER, neighbourhood
from graph_service.web.ui.text import format_date, highlight, human_size, json_ld, wrap


def test_highlight_folds_accents_and_escapes_first() -> None:
    assert highlight("Démocratie participative", "democratie") == (
        "<mark>Démocratie</mark> participative"
    )
    assert highlight("Œuvre & co", "oeuvre") == "<mark>Œuvre</mark> &amp; co"
    assert highlight("<b>ville</b>", "ville") == "&lt;b&gt;<mark>ville</mark>&lt;/b&gt;"
    assert highlight("<script>", "script*") == "&lt;<mark>script</mark>&gt;"
    assert highlight("a<b", "<") == "a&lt;b"  # no word in the query: nothing marked


def test_json_ld_never_closes_the_script_element() -> None:
    data = {"name": "</script><script>alert(1)</script>", "x": "<!-- & -->", "l": "\u2028"}
    text = str(json_ld(data))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == data


@pytest.mark.parametrize(
    ("size", "lang", "text"),
    [(1247805, "fr", "1,19\xa0Mo"), (1247805, "en", "1.19\xa0MB"), (551567, "fr", "538,64\xa0Ko"),
     (512, "en", "512\xa0B"), (None, "fr", "")],
)  # fmt: skip
def test_human_size(size: int | None, lang: str, text: str) -> None:
    assert human_size(size, lang) == text


def test_format_date() -> None:
    assert format_date("2023-05-30", "fr") == "30 mai 2023"
    assert format_date("2021-10-01", "fr") == "1er octobre 2021"
    assert format_date("2023-05-30T16:30:00+02:00", "en") == "30 May 2023"
    assert format_date("2021-09", "en") == "September 2021"
    assert format_date("not a date", "fr") == "not a date"


def test_wrap_keeps_two_lines() -> None:
    assert wrap("Démocratie participative", 21) == ("Démocratie", "participative")
    assert wrap("Quartier prioritaire de la politique de la ville", 21) == (
        "Quartier prioritaire",
        "de la politique de l…",
    )
    assert wrap("Court", 21) == ("Court",)


def test_neighbourhood_layout_cuts_long_lists() -> None:
    refs = [Ref(f"http://x/{i}", f"Concept {i}") for i in range(20)]
    picture = neighbourhood(Ref("http://x/c", "Centre"), refs[:1], refs[1:16], refs[16:20])
    kinds = [n.kind for n in picture.nodes]
    assert kinds.count("broader") == 1 and kinds.count("center") == 1
    assert kinds.count("narrower") == MAX_NARROWER - 1 and kinds.count("more") == 1
    assert kinds.count("related") == 4
    more = next(n for n in picture.nodes if n.kind == "more")
    assert more.count == 15 - (MAX_NARROWER - 1) and more.iri == "#narrower"
    assert len(picture.edges) == len(picture.nodes) - 1
    for node in picture.nodes:  # every box inside the picture
        assert node.x >= 0 and node.x + node.w <= picture.width
        assert node.y >= 0 and node.y + node.h <= picture.height


def test_search_query_makes_the_last_word_a_prefix() -> None:
    assert search_query("democratie partic") == "democratie partic*"
    assert search_query("*ville") == "*ville"
    assert search_query("<script>") == "script*"
    assert search_query("  ") == ""


def test_did_you_mean_through_candidates(vocab_store, monkeypatch) -> None:
    index = get_index(vocab_store)
    assert did_you_mean(index, "concertaton") == ["Concertation"]
    # The path taken for large vocabularies: candidates sharing each word's first letters.
    monkeypatch.setattr(model_search, "FULL_SCAN_CONCEPTS", 0)
    assert did_you_mean(index, "concertaton") == ["Concertation"]
    assert "Démocratie participative" in did_you_mean(index, "democratie particpative")
    assert did_you_mean(index, "xq") == []
