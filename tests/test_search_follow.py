"""The search index follows a write's concepts instead of being rebuilt whole."""

from __future__ import annotations

import pytest

from graph_service import create_app
from graph_service.search.index import SearchIndex, follow, get_index, index_ready
from graph_service.store import EmbeddedStore
from graph_service.store.changes import write_update
from graph_service.store.journal import MemoryJournal

EX = "http://example.org/v/"
G = "https://w3id.org/pdv/graph/notions"
DATA = f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<{EX}scheme> a skos:ConceptScheme .
<{EX}c> a skos:Concept ; skos:inScheme <{EX}scheme> ; skos:prefLabel "Concertation"@fr ;
    skos:altLabel "Consultation préalable"@fr .
<{EX}d> a skos:Concept ; skos:inScheme <{EX}scheme> ; skos:prefLabel "Débat public"@fr .
<{EX}e> a skos:Concept ; skos:inScheme <{EX}scheme> ; skos:prefLabel "Empowerment"@en .
"""
QUERIES = ["concertation", "consult*", "débat", "public", "empowerment", "nouveau", "garant*"]


def _answers(index: SearchIndex) -> dict[str, list[tuple[str, str, str]]]:
    """What each query finds: concept, matched label and its kind, best first."""
    return {
        q: [(h.iri, h.matched_label, h.matched_kind) for h in index.search(q, limit=20)]
        for q in QUERIES
    }


@pytest.fixture
def store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(DATA, "turtle", graph=G)
    return store


def _write(store: EmbeddedStore, journal: MemoryJournal, update: str) -> None:
    write_update(
        store,
        journal,
        f"PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"PREFIX owl: <http://www.w3.org/2002/07/owl#>\n{update}",
        followup=follow,
    )


def test_edits_are_followed_and_answer_as_a_rebuild_would(store: EmbeddedStore) -> None:
    journal = MemoryJournal()
    index = get_index(store)
    _write(
        store,
        journal,
        f"""DELETE DATA {{ GRAPH <{G}> {{
  <{EX}c> skos:altLabel "Consultation préalable"@fr }} }} ;
INSERT DATA {{ GRAPH <{G}> {{ <{EX}c> skos:altLabel "Garant de la concertation"@fr .
  <{EX}n> a skos:Concept ; skos:inScheme <{EX}scheme> ;
    skos:prefLabel "Nouveau quartier"@fr }} }}""",
    )
    _write(store, journal, f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}e> owl:deprecated true }} }}")
    assert index_ready(store)
    followed = get_index(store)
    assert followed is index  # the same index, brought up to date, not a new one
    answers = _answers(followed)
    assert answers["garant*"][0][:2] == (EX + "c", "Garant de la concertation")
    assert answers["consult*"] == []
    assert answers["nouveau"][0][0] == EX + "n"
    assert answers["empowerment"] == []  # deprecated: out of search, as in Skosmos
    assert answers == _answers(SearchIndex.build(store))
    assert len(followed) == 3


def test_a_write_while_the_index_is_of_another_version_leaves_it_to_the_next_search(
    store: EmbeddedStore,
) -> None:
    journal = MemoryJournal()
    store.update(f'INSERT DATA {{ <{EX}x> <{EX}p> "not through the journal" }}')
    _write(store, journal, f'INSERT DATA {{ GRAPH <{G}> {{ <{EX}d> skos:altLabel "DP"@fr }} }}')
    assert not index_ready(store)  # nothing was built: nothing to follow
    assert get_index(store).search("dp")[0].iri == EX + "d"


def test_healthz_says_ready_after_a_write_through_sparql(store: EmbeddedStore) -> None:
    app = create_app(
        {"TESTING": True, "STORE": store, "JOURNAL": MemoryJournal(), "UPDATE_TOKEN": "t"}
    )
    client = app.test_client()
    assert client.get("/search", query_string={"q": "concertation"}).status_code == 200
    update = f'INSERT DATA {{ <{EX}d> <http://www.w3.org/2004/02/skos/core#altLabel> "Agora"@fr }}'
    response = client.post(
        "/sparql", data={"update": update}, headers={"Authorization": "Bearer t"}
    )
    assert response.status_code == 204
    assert client.get("/healthz").get_json()["search_index"] == "ready"
    hits = client.get("/rest/v1/search", query_string={"query": "agora", "lang": "fr"})
    assert [r["uri"] for r in hits.get_json()["results"]] == [EX + "d"]
