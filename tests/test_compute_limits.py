"""Time and size limits of the computations the serving process does itself: reconciliation
batches and suggestions (which nothing could stop from outside, unlike a query worker)."""

from __future__ import annotations

import json

import pytest

from graph_service import create_app
from graph_service.config import Config
from graph_service.curate.suggest import suggest
from graph_service.store.limits import Deadline, TryLater

#: A time limit every computation is past as soon as it starts.
NO_TIME = 1e-9
TEXT = "La concertation et la démocratie participative dans les conseils citoyens. " * 20


def _client(store, **config):
    return create_app({"TESTING": True, "STORE": store, **config}).test_client()


def _batch(size: int) -> dict:
    return {f"q{i}": {"query": "concertation", "limit": 2} for i in range(size)}


def test_a_batch_past_its_time_limit_answers_each_query_left_with_an_error(vocab_store) -> None:
    response = _client(vocab_store, COMPUTE_TIME_LIMIT=NO_TIME).post(
        "/reconcile", data={"queries": json.dumps(_batch(20))}
    )
    assert response.status_code == 200
    answer = response.get_json()
    assert sorted(answer) == sorted(_batch(20))
    for entry in answer.values():
        assert entry["result"] == []
        assert "ran past its 1e-09 s time limit" in entry["error"]
        assert "send fewer queries per batch" in entry["error"]


def test_a_batch_within_its_time_limit_is_answered_whole(vocab_store) -> None:
    response = _client(vocab_store).post("/reconcile", data={"queries": json.dumps(_batch(20))})
    assert response.status_code == 200
    answer = response.get_json()
    assert all(entry["result"] and "error" not in entry for entry in answer.values())


def test_the_batch_size_is_a_setting(vocab_store) -> None:
    client = _client(vocab_store, RECONCILE_MAX_QUERIES=5)
    response = client.post("/reconcile", data={"queries": json.dumps(_batch(6))})
    assert response.status_code == 400
    assert "at most 5 queries per request: this batch has 6" in response.get_json()["error"]
    assert client.post("/reconcile", data={"queries": json.dumps(_batch(5))}).status_code == 200
    assert Config().reconcile_max_queries == 100


def test_a_single_query_past_its_time_limit_is_503_with_retry_after(vocab_store) -> None:
    response = _client(vocab_store, COMPUTE_TIME_LIMIT=NO_TIME).get(
        "/reconcile", query_string={"query": TEXT}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert "time limit" in response.get_json()["error"]


def test_a_suggestion_past_its_time_limit_is_503_with_retry_after(vocab_store) -> None:
    client = _client(vocab_store, COMPUTE_TIME_LIMIT=NO_TIME)
    response = client.post("/api/suggest", json={"text": TEXT})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert "this suggestion ran past its" in response.get_data(as_text=True)
    ok = _client(vocab_store).post("/api/suggest", json={"text": TEXT})
    assert ok.status_code == 200 and ok.get_json()["results"]


def test_suggest_stops_at_its_deadline(vocab_store) -> None:
    with pytest.raises(TryLater):
        suggest(vocab_store, TEXT, deadline=Deadline(NO_TIME, "this suggestion"))
    assert suggest(vocab_store, TEXT, deadline=Deadline(0, "no limit"))
