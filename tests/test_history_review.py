"""Reviewed changes in the history (who proposed, who approved: page, JSON, Atom, concept page,
CLI lines) and the previews of a patch as the history would show it (model.preview_entry and
the shared statements partial)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from conftest import TINY_SCHEME
from flask import render_template_string
from rdflib import Literal, URIRef

from graph_service import create_app
from graph_service.cli.history import _entry_lines
from graph_service.model.history import history_of, preview_entry
from graph_service.store.changes import write_patch
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import MemoryJournal
from graph_service.store.patches import Patch
from graph_service.store.rdf_patch import row_of

EX = "http://example.org/tiny/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GRAPH = "http://example.org/tiny/graph"
ATOM = "{http://www.w3.org/2005/Atom}"
ALT = row_of(URIRef(f"{EX}a"), URIRef(f"{SKOS}altLabel"), Literal("Premier", lang="fr"), GRAPH)
RELATED = row_of(URIRef(f"{EX}a"), URIRef(f"{SKOS}related"), URIRef(f"{EX}b"), GRAPH)
OLD_LABEL = row_of(URIRef(f"{EX}b"), URIRef(f"{SKOS}prefLabel"), Literal("Beta", lang="en"), GRAPH)


@pytest.fixture
def store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(TINY_SCHEME, "turtle", graph=GRAPH)
    return store


@pytest.fixture
def journal() -> MemoryJournal:
    return MemoryJournal()


@pytest.fixture
def app(store, journal):
    return create_app({"TESTING": True, "STORE": store, "JOURNAL": journal})


def _reviewed_change(store, journal, reviewer: str = "ed") -> None:
    write_patch(
        store,
        journal,
        lambda _store: (Patch(added=(ALT,)), "Un autre libellé"),
        author="con",
        reviewer=reviewer,
    )


def test_a_reviewed_change_names_its_author_and_reviewer_everywhere(app, store, journal) -> None:
    _reviewed_change(store, journal)
    client = app.test_client()
    page = client.get(f"/history?uri={EX}a").text
    assert 'proposé par <span class="author">con</span>, approuvé par' in page
    assert '<span class="reviewer">ed</span>' in page
    english = client.get(f"/history?uri={EX}a&lang=en").text
    assert 'proposed by <span class="author">con</span>, approved by' in english
    latest = client.get("/history").text  # the latest changes, every IRI
    assert "approuvé par" in latest

    (change,) = client.get("/history", headers={"Accept": "application/json"}).json["changes"]
    assert (change["author"], change["reviewer"]) == ("con", "ed")

    entry = ET.fromstring(client.get("/changes.atom").data).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "con"
    assert entry.findtext(f"{ATOM}contributor/{ATOM}name") == "ed"

    concept = client.get(f"/page?uri={EX}a").text
    assert "proposé par" in concept and '<span class="reviewer">ed</span>' in concept

    (lines_entry,) = history_of(journal, f"{EX}a").entries
    assert "con (approved by ed)" in _entry_lines(lines_entry)[0]


def test_an_unreviewed_change_says_only_by_whom(app, store, journal) -> None:
    _reviewed_change(store, journal, reviewer="")
    client = app.test_client()
    page = client.get(f"/history?uri={EX}a").text
    assert 'par <span class="author">con</span>' in page and "approuvé" not in page
    (change,) = client.get("/history", headers={"Accept": "application/json"}).json["changes"]
    assert change["reviewer"] is None
    entry = ET.fromstring(client.get("/changes.atom").data).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}contributor") is None


def test_the_reviewer_name_is_escaped(app, store, journal) -> None:
    _reviewed_change(store, journal, reviewer="<b>ed</b>")
    page = app.test_client().get(f"/history?uri={EX}a").text
    assert "<b>ed</b>" not in page and "&lt;b&gt;ed&lt;/b&gt;" in page


def test_preview_entry_is_labelled_like_the_history(store) -> None:
    entry = preview_entry(store, [ALT, RELATED], [OLD_LABEL], "en", first=f"{EX}b")
    assert (entry.added_count, entry.removed_count, entry.subject) == (2, 1, f"{EX}b")
    assert entry.stamp.id == "" and entry.stamp.author == ""
    # Statements about `first` come first; IRIs carry the store's labels.
    assert entry.added[0].object == f"{EX}b" and entry.added[0].object_label == "Beta"
    assert entry.added[0].subject_label == "Alpha"
    assert entry.removed[0].object == "Beta" and entry.removed[0].language == "en"
    assert preview_entry(store, [ALT], [], None).subject == f"{EX}a"  # the main subject


def test_the_statements_partial_renders_a_preview_as_the_history_does(app, store) -> None:
    entry = preview_entry(store, [ALT], [OLD_LABEL], "fr")
    with app.test_request_context("/"):
        app.preprocess_request()
        by_macro = render_template_string(
            '{% from "ui/_change_statements.html" import change_statements with context %}'
            "{{ change_statements(entry) }}",
            entry=entry,
        )
        by_include = render_template_string(
            '{% include "ui/_change_statements.html" %}', entry=entry
        )
    assert by_macro.strip() == by_include.strip()
    assert 'class="statement added"' in by_macro and 'class="statement removed"' in by_macro
    assert '<q lang="fr">Premier</q>' in by_macro and "skos:altLabel" in by_macro
