"""Every change dates the concepts it touches: dct:modified (and dct:created for new ones)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from graph_service import create_app
from graph_service.model.stamps import stamp_concepts
from graph_service.store import EmbeddedStore
from graph_service.store.journal import MemoryJournal
from graph_service.store.patches import patch_of_update

EX = "http://example.org/v/"
NOTIONS = "https://w3id.org/pdv/graph/notions"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
DATA = f"""
@prefix skos: <{SKOS}> . @prefix dct: <{DCT}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{EX}scheme> a skos:ConceptScheme ; dct:title "V"@fr ; skos:hasTopConcept <{EX}c> .
<{EX}c> a skos:Concept ; skos:inScheme <{EX}scheme> ; skos:topConceptOf <{EX}scheme> ;
    skos:prefLabel "Concertation"@fr ; dct:created "2023-05-30"^^xsd:date ;
    dct:modified "2024-01-02"^^xsd:date .
<{EX}other> <{EX}p> "not a concept" .
"""
TODAY = date(2026, 12, 1)


def _triple(subject: str, predicate: str, value: str) -> str:
    return f'<{subject}> <{predicate}> "{value}"^^<{XSD_DATE}>'


def _row(subject: str, predicate: str, value: str, graph: str = NOTIONS) -> str:
    return f"{_triple(subject, predicate, value)} <{graph}>"


@pytest.fixture
def store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(DATA, "turtle", graph=NOTIONS)
    return store


def test_a_label_added_in_the_default_graph_dates_the_concept_in_its_own_graph(store) -> None:
    update = f'INSERT DATA {{ <{EX}c> <{SKOS}altLabel> "concertation préalable"@fr }}'
    patch = stamp_concepts(store, patch_of_update(store, update), TODAY)
    assert _row(EX + "c", DCT + "modified", "2026-12-01") in patch.added
    assert patch.removed == (_row(EX + "c", DCT + "modified", "2024-01-02"),)
    assert not any(DCT + "created" in row for row in patch.added)


def test_a_new_concept_gets_both_dates(store) -> None:
    update = (
        f"INSERT DATA {{ GRAPH <{NOTIONS}> {{ <{EX}n> a <{SKOS}Concept> ; "
        f'<{SKOS}prefLabel> "Nouveau"@fr }} }}'
    )
    patch = stamp_concepts(store, patch_of_update(store, update), TODAY)
    assert _row(EX + "n", DCT + "created", "2026-12-01") in patch.added
    assert _row(EX + "n", DCT + "modified", "2026-12-01") in patch.added


def test_other_resources_and_deleted_concepts_are_not_dated(store) -> None:
    plain = f'INSERT DATA {{ GRAPH <{NOTIONS}> {{ <{EX}other> <{EX}p> "x" }} }}'
    patch = patch_of_update(store, plain)
    assert stamp_concepts(store, patch, TODAY) == patch
    gone = f"DELETE WHERE {{ GRAPH <{NOTIONS}> {{ <{EX}c> ?p ?o }} }}"
    patch = patch_of_update(store, gone)
    assert stamp_concepts(store, patch, TODAY) == patch


def test_a_concept_already_dated_today_keeps_its_date(store) -> None:
    old = _triple(EX + "c", DCT + "modified", "2024-01-02")
    new = _triple(EX + "c", DCT + "modified", "2026-12-01")
    store.update(
        f"DELETE DATA {{ GRAPH <{NOTIONS}> {{ {old} }} }} ;"
        f"INSERT DATA {{ GRAPH <{NOTIONS}> {{ {new} }} }}"
    )
    update = f'INSERT DATA {{ <{EX}c> <{SKOS}altLabel> "concertation"@fr }}'
    patch = stamp_concepts(store, patch_of_update(store, update), TODAY)
    assert patch.removed == ()
    assert len(patch.added) == 1  # the label alone: a one-line diff once published


def test_the_rest_modified_list_follows_an_update_through_sparql(store) -> None:
    app = create_app(
        {"TESTING": True, "STORE": store, "JOURNAL": MemoryJournal(), "UPDATE_TOKEN": "t"}
    )
    client = app.test_client()
    day_before = datetime.now(UTC).date().isoformat()
    update = f'INSERT DATA {{ <{EX}c> <{SKOS}altLabel> "débat public"@fr }}'
    response = client.post(
        "/sparql", data={"update": update}, headers={"Authorization": "Bearer t"}
    )
    assert response.status_code == 204
    listed = client.get("/rest/v1/scheme/modified", query_string={"lang": "fr"}).get_json()
    [entry] = listed["changeList"]
    assert entry["uri"] == EX + "c"
    assert entry["date"][:10] in {day_before, datetime.now(UTC).date().isoformat()}
