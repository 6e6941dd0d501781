"""Accept negotiation as pure functions."""

from __future__ import annotations

from graph_service.web.conneg import negotiate, parse_accept, quality, rdf_type, result_type

RDF = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]


def test_missing_header_takes_the_server_preference():
    assert negotiate(None, RDF) == "text/turtle"
    assert negotiate("", RDF) == "text/turtle"


def test_q_values_rank_the_offers():
    header = "application/rdf+xml;q=0.5, application/ld+json;q=0.9, */*;q=0.1"
    assert negotiate(header, RDF) == "application/ld+json"


def test_most_specific_entry_wins():
    items = parse_accept("text/*;q=0.3, text/turtle;q=0.7, */*;q=0.1")
    assert quality(items, "text/turtle") == 0.7
    assert quality(items, "text/csv") == 0.3
    assert quality(items, "application/json") == 0.1


def test_q_zero_refuses_and_nothing_acceptable_gives_none():
    assert negotiate("text/turtle;q=0, application/ld+json", RDF) == "application/ld+json"
    assert negotiate("image/png", RDF) is None


def test_browser_accept_prefers_html_when_offered():
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert negotiate(browser, ["text/html", *RDF]) == "text/html"


def test_yasgui_and_rdflib_headers():
    assert (
        negotiate(
            "application/sparql-results+json,*/*;q=0.9",
            ["application/sparql-results+xml", "application/sparql-results+json"],
        )
        == "application/sparql-results+json"
    )
    assert (
        negotiate(
            "application/rdf+xml, application/sparql-results+xml",
            ["application/sparql-results+json", "application/sparql-results+xml"],
        )
        == "application/sparql-results+xml"
    )


def test_malformed_q_is_treated_as_refusal():
    assert parse_accept("text/turtle;q=abc")[0].q == 0.0


def test_lookup_by_alias_media_type_and_extension():
    assert rdf_type("application/x-turtle").name == "turtle"
    assert rdf_type("text/turtle; charset=utf-8").name == "turtle"
    assert rdf_type("jsonld").media_type == "application/ld+json"
    assert result_type("json").media_type == "application/sparql-results+json"
    assert rdf_type("image/png") is None


def test_negotiation_is_remembered_per_header_and_offers_and_still_right() -> None:
    """The memo answers like a fresh negotiation, per (header, offers); long headers too."""
    from graph_service.web import conneg

    offers = ["application/sparql-results+json", "text/csv"]
    header = "text/csv;q=0.9, application/sparql-results+json;q=0.5"
    assert conneg.negotiate(header, offers) == "text/csv"
    hits = conneg._remembered.cache_info().hits
    assert conneg.negotiate(header, offers) == "text/csv"
    assert conneg._remembered.cache_info().hits == hits + 1
    assert conneg.negotiate(header, list(reversed(offers))) == "text/csv"
    assert conneg.negotiate("application/sparql-results+json", offers) == offers[0]
    assert conneg.negotiate(header, ["text/html"]) is None
    long = ", ".join(f"x/y{n};q=0.1" for n in range(100)) + ", text/csv"
    before = conneg._remembered.cache_info()
    assert len(long) > 512 and conneg.negotiate(long, offers) == "text/csv"
    assert conneg._remembered.cache_info() == before  # negotiated, not remembered
