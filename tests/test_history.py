"""The history of the data: the model's questions on the journal, revert, and their pages, JSON,
Atom feed and CLI (a real store and journal; the Flask test client, Click's runner)."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TINY_SCHEME
from flask.cli import ScriptInfo

from graph_service import create_app
from graph_service.cli import main
from graph_service.curate.revert import revert
from graph_service.exceptions import GraphServiceError, NotFound
from graph_service.model import history as history_module
from graph_service.model.history import (
    find_change,
    history_of,
    last_change,
    recent_changes,
    statement_text,
)
from graph_service.model.stats import changes_by_month
from graph_service.store.build import build_store, open_current
from graph_service.store.changes import commit, write_update
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import Journal, MemoryJournal
from graph_service.store.patches import Patch
from graph_service.store.rdf_patch import Change, format_change

TOKEN = "history-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/tiny/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GRAPH = "http://example.org/tiny/graph"
ALT = f'<{EX}a> <{SKOS}altLabel> "Premier terme"@fr'
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def store() -> EmbeddedStore:
    """The tiny scheme in a store in memory, in a named graph as a build loads it."""
    store = EmbeddedStore()
    store.load(TINY_SCHEME, "turtle", graph=GRAPH)
    return store


@pytest.fixture
def journal() -> MemoryJournal:
    return MemoryJournal()


def _update(store: EmbeddedStore, journal: Journal, text: str, message: str) -> Change:
    change = write_update(store, journal, text, author="alice", message=message)
    assert change is not None
    return change


# --- the model --------------------------------------------------------------------------------


def test_history_of_an_iri_as_subject_or_object_newest_first(store, journal) -> None:
    first = _update(store, journal, f"INSERT DATA {{ {ALT} }}", "Add a label")
    other = _update(store, journal, f'INSERT DATA {{ <{EX}x> <{EX}p> "x" }}', "Elsewhere")
    link = _update(
        store,
        journal,
        f"INSERT DATA {{ GRAPH <{EX}links> {{ <{EX}b> <{SKOS}related> <{EX}a> }} }}",
        "Relate b to a",
    )
    history = history_of(journal, f"{EX}a", store=store, lang="en")
    assert [e.stamp.id for e in history.entries] == [link.id, first.id]
    assert other.id not in {e.stamp.id for e in history.entries}
    newest = history.entries[0]
    assert (newest.stamp.author, newest.stamp.message, newest.stamp.seq) == (
        "alice",
        link.message,
        3,
    )
    (statement,) = newest.added
    assert (statement.subject, statement.predicate, statement.object) == (
        f"{EX}b",
        f"{SKOS}related",
        f"{EX}a",
    )
    assert (statement.object_kind, statement.graph) == ("iri", f"{EX}links")
    # Labels come from the store, in the asked language.
    assert (statement.subject_label, statement.object_label) == ("Beta", "Alpha")
    (label,) = history.entries[1].added
    assert (label.object, label.object_kind, label.language, label.graph) == (
        "Premier terme",
        "literal",
        "fr",
        "",
    )
    assert statement_text(label) == f'<{EX}a> skos:altLabel "Premier terme"@fr'
    assert last_change(journal, f"{EX}a") == newest.stamp
    assert last_change(journal, f"{EX}nothing") is None


def test_history_pages_and_an_index_that_grows_with_the_journal(store, journal) -> None:
    for n in range(5):
        _update(store, journal, f'INSERT DATA {{ <{EX}a> <{EX}n> "{n}" }}', f"n{n}")
    page = history_of(journal, f"{EX}a", limit=2, offset=2)
    assert [e.stamp.message for e in page.entries] == ["n2", "n1"]
    assert page.more
    assert not history_of(journal, f"{EX}a", limit=2, offset=4).more
    # A change appended after the index was built is found at once.
    _update(store, journal, f'INSERT DATA {{ <{EX}a> <{EX}n> "5" }}', "n5")
    assert history_of(journal, f"{EX}a", limit=1).entries[0].stamp.message == "n5"


def test_last_change_before_the_journal_is_indexed(store, tmp_path: Path) -> None:
    """A process's first question is answered from the journal's text (subject and object
    positions only, complete changes only) while the index is built in the background; the
    answers are the index's."""
    writer = Journal(tmp_path)
    subject = _update(store, writer, f'INSERT DATA {{ <{EX}a> <{EX}n> "1" }}', "Subject")
    as_object = _update(store, writer, f"INSERT DATA {{ <{EX}b> <{EX}p> <{EX}a> }}", "Object")
    removed = _update(store, writer, f"DELETE DATA {{ <{EX}b> <{EX}p> <{EX}a> }}", "Unlink")
    # Later mentions of a that touch it neither as subject nor as object:
    _update(store, writer, f'INSERT DATA {{ <{EX}c> <{EX}a> "predicate only" }}', f"about <{EX}a>")
    in_literal = _update(
        store, writer, f'INSERT DATA {{ <{EX}c> <{EX}n> "<{EX}a>" }}', "In a literal"
    )
    # A torn change (a writer cut off mid-append) is no change yet.
    with writer.path.open("a", encoding="utf-8") as handle:
        handle.write(
            f'H id <urn:uuid:ffffffff-0000-4000-8000-000000000000> .\nH seq "9" .\n'
            f'TX .\nA <{EX}a> <{EX}n> "torn" .\n'
        )
    expected = {
        f"{EX}a": removed.id,  # not the later mentions as predicate, in a literal, a message
        f"{EX}b": removed.id,
        f"{EX}c": in_literal.id,
        f"{EX}nothing": None,
    }
    # The text search itself, on a journal object that has read nothing (a new process).
    fresh = Journal(tmp_path)
    hits = [(change.message, row) for change, row in fresh.rows_back(f"<{EX}a>")]
    assert hits[0] == ("In a literal", f'<{EX}c> <{EX}n> "<{EX}a>"')
    assert {message for message, _ in hits} == {
        "Unlink",
        "In a literal",
        "Object",
        "Subject",
        f"about <{EX}a>",
    }
    assert fresh._tail.changes == []  # nothing parsed: the bytes were searched
    # The same search once the journal is read (rows in memory).
    fresh.changes()
    assert [(c.message, row) for c, row in fresh.rows_back(f"<{EX}a>")] == hits
    # last_change on a new journal object: the search, then the background index.
    newer = Journal(tmp_path)
    answers = {iri: _stamp_id(last_change(newer, iri)) for iri in expected}
    assert answers == expected
    assert last_change(newer, f"{EX}a").message == "Unlink"
    assert last_change(newer, f"{EX}b").message == "Unlink"
    assert _wait_indexed(newer)
    assert {iri: _stamp_id(last_change(newer, iri)) for iri in expected} == expected
    assert _stamp_id(last_change(newer, f"{EX}n")) is None  # a predicate alone
    assert subject.id != as_object.id


def _stamp_id(stamp) -> str | None:
    return None if stamp is None else stamp.id


def _wait_indexed(journal: Journal) -> bool:
    """Whether the background index of the journal was finished (generous bound)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if journal in history_module._complete:
            return True
        time.sleep(0.05)
    return False


def test_typed_literals_and_large_changes_are_readable(store, journal) -> None:
    rows = tuple(
        f'<{EX}c{n}> <{EX}rank> "{n}"^^<http://www.w3.org/2001/XMLSchema#integer>'
        for n in range(120)
    )
    commit(store, journal, Patch(added=rows), author="bob", message="An import")
    (entry,) = recent_changes(journal).entries
    assert entry.added_count == 120 and len(entry.added) == 50
    assert entry.added[0].datatype == "http://www.w3.org/2001/XMLSchema#integer"
    assert statement_text(entry.added[0]).endswith('"0"^^xsd:integer')
    # In an IRI's history, its own statements come first, even past the ones shown.
    (about,) = history_of(journal, f"{EX}c119").entries
    assert about.added[0].subject == f"{EX}c119" and len(about.added) == 50


def test_recent_changes_of_one_vocabulary(store, journal) -> None:
    inside = _update(store, journal, f"INSERT DATA {{ {ALT} }}", "In the scheme")
    _update(store, journal, f'INSERT DATA {{ <http://example.org/x> <{EX}p> "x" }}', "Outside")
    gone = _update(
        store,
        journal,
        f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ <{EX}b> <{SKOS}inScheme> ?s }} }}",
        "b leaves the scheme",
    )
    found = recent_changes(journal, store=store, vocab_id="scheme")
    assert found is not None
    # b is no longer in the scheme, but the change removing it names the scheme.
    assert [e.stamp.id for e in found.entries] == [gone.id, inside.id]
    assert len(recent_changes(journal).entries) == 3
    assert recent_changes(journal, store=store, vocab_id="nope") is None


def _journal_with_ids(tmp_path: Path, *ids: str) -> Journal:
    """A journal on disk whose changes have chosen ids (the file written as the journal does)."""
    journal = Journal(tmp_path)
    journal.directory.mkdir(parents=True)
    text = "".join(
        format_change(
            Change(
                id=i,
                seq=n,
                time="2025-01-01T00:00:00+00:00",
                author="a",
                message=f"m{n}",
                added=(f'<{EX}a> <{EX}n> "{n}"',),
            )
        )
        for n, i in enumerate(ids, start=1)
    )
    journal.path.write_text(text, encoding="utf-8")
    return journal


def test_find_change_by_id_or_unique_prefix(tmp_path: Path) -> None:
    journal = _journal_with_ids(
        tmp_path,
        "abcd1111-0000-4000-8000-000000000000",
        "abcd2222-0000-4000-8000-000000000000",
    )
    assert find_change(journal, "abcd1").seq == 1
    assert find_change(journal, "urn:uuid:abcd2222-0000-4000-8000-000000000000").seq == 2
    with pytest.raises(GraphServiceError, match="names 2 changes"):
        find_change(journal, "abcd")
    with pytest.raises(GraphServiceError, match="at least"):
        find_change(journal, "ab")
    with pytest.raises(NotFound):
        find_change(journal, "ffff")


def test_changes_by_month(store) -> None:
    store.update(
        f"""PREFIX dct: <http://purl.org/dc/terms/>
INSERT DATA {{ GRAPH <{GRAPH}> {{
  <{EX}a> dct:created "2024-03-02" ; dct:modified "2024-05-10" .
  <{EX}b> dct:created "2024-05-01" ; dct:modified "2024-05-01" .
}} }}"""
    )
    months = changes_by_month(store, "scheme", "en")
    assert months is not None
    assert [m.month for m in months] == ["2024-05", "2024-03"]
    may = [(i.change.label, i.is_new) for i in months[0].items]
    assert may == [("Alpha", False), ("Beta", True)]  # b modified on its creation day: new only
    assert changes_by_month(store, "nope") is None


# --- revert -----------------------------------------------------------------------------------


def test_revert_commits_the_inverse_as_a_new_change(store, journal) -> None:
    label = _update(store, journal, f"INSERT DATA {{ {ALT} }}", "Add a label")
    done = revert(store, journal, label.id[:8], author="carol")
    assert not store.ask(f"ASK {{ {ALT} }}")
    assert done.original == label and done.skipped == 0
    assert (done.change.removed, done.change.added) == (label.added, ())
    assert done.change.message == 'Revert "Add a label" (' + label.id[:8] + ")"
    assert [c.seq for c in journal.changes()] == [1, 2]
    # A revert is a change like another: reverting it brings the label back.
    revert(store, journal, done.change.id, author="carol", message="Put it back")
    assert store.ask(f"ASK {{ {ALT} }}")
    assert journal.changes()[-1].message == "Put it back"


def test_revert_leaves_what_later_changes_changed(store, journal) -> None:
    both = _update(
        store, journal, f'INSERT DATA {{ {ALT} . <{EX}a> <{EX}n> "1" }}', "Two statements"
    )
    _update(store, journal, f'DELETE DATA {{ <{EX}a> <{EX}n> "1" }}', "One removed since")
    done = revert(store, journal, both.id, author="carol")
    assert done.skipped == 1 and done.change.removed == (ALT,)
    with pytest.raises(GraphServiceError, match="nothing to revert") as caught:
        revert(store, journal, both.id, author="carol")
    assert caught.value.status == 409


# --- pages, JSON, revert over HTTP and the feed ---------------------------------------------


@pytest.fixture
def client(store, journal):
    app = create_app({"TESTING": True, "STORE": store, "JOURNAL": journal, "UPDATE_TOKEN": TOKEN})
    return app.test_client()


def _write(client, text: str, message: str) -> None:
    response = client.post(
        "/sparql",
        data=text,
        headers={**AUTH, "Content-Type": "application/sparql-update", "X-Change-Message": message},
    )
    assert response.status_code == 204, response.text


def test_scenario_update_history_revert_feed(client, store, journal) -> None:
    _write(client, f"INSERT DATA {{ {ALT} }}", "Ajout d’un libellé")
    found = client.get(f"/history?uri={EX}a", headers={"Accept": "application/json"})
    assert found.status_code == 200 and found.mimetype == "application/json"
    assert "Accept" in found.headers["Vary"]
    document = found.get_json()
    assert document["uri"] == f"{EX}a"
    (change,) = document["changes"]
    assert (change["author"], change["message"], change["seq"]) == (
        "anonymous token",
        "Ajout d’un libellé",
        1,
    )
    label = {
        "subject": f"{EX}a",
        "predicate": f"{SKOS}altLabel",
        "object": "Premier terme",
        "object_type": "literal",
        "language": "fr",
        "graph": None,
    }
    # The label, and the date the change gives the concept it touches (model/stamps.py).
    assert label in change["added"] and len(change["added"]) == 2
    assert any(t["predicate"] == "http://purl.org/dc/terms/modified" for t in change["added"])
    assert change["removed"] == []

    reverted = client.post("/history/revert", data={"change": change["id"][:8]}, headers=AUTH)
    assert reverted.status_code == 200, reverted.text
    assert reverted.get_json()["reverted"] == change["id"]
    assert not store.ask(f"ASK {{ {ALT} }}")
    assert len(journal.changes()) == 2
    assert reverted.get_json()["id"] == journal.changes()[-1].id

    feed = client.get("/changes.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None, name
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/changes.atom")
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        f"urn:uuid:{c.id}" for c in reversed(journal.changes())
    ]
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{name}"), name
        assert entry.findtext(f"{ATOM}author/{ATOM}name") == "anonymous token"
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert link.endswith("/history?uri=http%3A%2F%2Fexample.org%2Ftiny%2Fa")
    assert entries[1].findtext(f"{ATOM}title") == "Ajout d’un libellé"
    assert '+ <http://example.org/tiny/a> skos:altLabel "Premier terme"@fr' in entries[1].findtext(
        f"{ATOM}summary"
    )


def test_revert_needs_the_token_and_a_known_change(client) -> None:
    _write(client, f"INSERT DATA {{ {ALT} }}", "Add")
    assert client.post("/history/revert", data={"change": "whatever"}).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/history/revert", data={"change": "x"}, headers=wrong).status_code == 403
    assert client.post("/history/revert", data={}, headers=AUTH).status_code == 400
    unknown = client.post("/history/revert", data={"change": "ffffffff"}, headers=AUTH)
    assert unknown.status_code == 404 and "no change" in unknown.text


def test_history_page_in_both_languages_escapes_the_data(client) -> None:
    _write(
        client,
        f'INSERT DATA {{ <{EX}a> <{SKOS}note> "<script>alert(1)</script>"@fr }}',
        "<b>why</b>",
    )
    page = client.get(f"/history?uri={EX}a")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.text
    assert "Historique de « Alpha »" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>why</b>" not in html and "&lt;b&gt;why&lt;/b&gt;" in html
    assert "skos:note" in html and 'type="application/atom+xml"' in html
    english = client.get(f"/history?uri={EX}a&lang=en").text
    assert "History of “Alpha”" in english and " by " in english
    latest = client.get("/history").text
    assert "Dernières modifications" in latest and "&lt;b&gt;why&lt;/b&gt;" in latest
    assert client.get("/history?uri=not%20an%20iri").status_code == 400
    assert client.get("/history?scheme=nope").status_code == 404
    assert "Aucune modification" in client.get(f"/history?uri={EX}b").text


def test_concept_page_says_when_and_by_whom_it_was_modified(client) -> None:
    before = client.get(f"/page?uri={EX}a").text
    assert (
        "Modifié le" not in before and "/history?uri=http%3A%2F%2Fexample.org%2Ftiny%2Fa" in before
    )
    _write(client, f"INSERT DATA {{ {ALT} }}", "Add")
    page = client.get(f"/page?uri={EX}a").text
    assert "Modifié le" in page and "anonymous token" in page
    assert "Modified on" in client.get(f"/page?uri={EX}a&lang=en").text


def test_feed_of_one_vocabulary_and_links_to_it(client) -> None:
    _write(client, f"INSERT DATA {{ {ALT} }}", "In the scheme")
    _write(client, 'INSERT DATA { <http://example.org/x> <http://example.org/p> "x" }', "Outside")
    root = ET.fromstring(client.get("/changes.atom?scheme=scheme").data)
    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == ["In the scheme"]
    assert "Petit vocabulaire" in root.findtext(f"{ATOM}title")
    assert client.get("/changes.atom?scheme=nope").status_code == 404
    home = client.get("/").text
    assert '<link rel="alternate" type="application/atom+xml"' in home
    scheme_page = client.get("/vocab/scheme").text
    assert "/vocab/scheme/changes" in scheme_page and "/changes.atom?scheme=scheme" in scheme_page


def test_changes_page_groups_concepts_by_month(client, store) -> None:
    store.update(
        "PREFIX dct: <http://purl.org/dc/terms/> "
        f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}b> dct:created "2024-05-01" }} }}'
    )
    page = client.get("/vocab/scheme/changes")
    assert page.status_code == 200
    assert "mai 2024" in page.text and "Bêta" in page.text and "nouveau" in page.text
    assert "May 2024" in client.get("/vocab/scheme/changes?lang=en").text
    assert client.get("/vocab/nope/changes").status_code == 404


# --- the CLI ----------------------------------------------------------------------------------


@pytest.fixture
def data_dir(tiny_vocab: Path, tmp_path: Path) -> Path:
    """A build of the tiny scheme with one journalled change, the store closed again."""
    data = tmp_path / "data"
    build_store(tiny_vocab, data)
    store = open_current(data)
    _update(store, Journal(data), f"INSERT DATA {{ {ALT} }}", "Add a label")
    store.close()
    return data


def _cli(data_dir: Path, *args: str):
    app = create_app({"TESTING": True, "DATA_DIR": data_dir})
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_cli_history_and_revert(data_dir: Path) -> None:
    shown = _cli(data_dir, "history", f"{EX}a")
    assert shown.exit_code == 0, shown.output
    assert "alice  Add a label" in shown.output
    assert f'+ <{EX}a> skos:altLabel "Premier terme"@fr' in shown.output
    change_id = Journal(data_dir).changes()[0].id
    reverted = _cli(data_dir, "revert", change_id[:8], "--message", "Not this one")
    assert reverted.exit_code == 0, reverted.output
    store = open_current(data_dir, read_only=True)
    assert not store.ask(f"ASK {{ {ALT} }}")
    store.close()
    changes = Journal(data_dir).changes()
    assert [c.message for c in changes] == ["Add a label", "Not this one"]
    listed = _cli(data_dir, "history", "--json", "--limit", "5")
    document = json.loads(listed.output)
    assert [c["message"] for c in document["changes"]] == ["Not this one", "Add a label"]


def test_cli_revert_refuses_unknown_ids_and_a_locked_store(data_dir: Path) -> None:
    unknown = _cli(data_dir, "revert", "ffffffff")
    assert unknown.exit_code != 0 and "no change 'ffffffff'" in unknown.output
    held = open_current(data_dir)  # as a running server holds it
    try:
        locked = _cli(data_dir, "revert", Journal(data_dir).changes()[0].id)
    finally:
        held.close()
    assert locked.exit_code != 0
    assert "stop the server" in locked.output and "POST /history/revert" in locked.output
    assert _cli(data_dir, "history", "not-an-iri").exit_code != 0
