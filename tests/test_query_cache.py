"""The per-data-version answer cache of /sparql."""

from __future__ import annotations

from graph_service.query.runner import AnswerCache, QueryTask
from graph_service.store.base import QueryAnswer
from graph_service.store.embedded import EmbeddedStore

TASK = QueryTask(query="SELECT * WHERE { ?s ?p ?o }")


def test_answers_are_reused_within_a_version_only():
    cache = AnswerCache()
    answer = QueryAnswer("select", b"{}")
    assert cache.get("v1", (TASK, 10)) is None
    cache.put("v1", (TASK, 10), answer)
    assert cache.get("v1", (TASK, 10)) is answer
    assert cache.get("v1", (TASK, 20)) is None  # another row limit is another question
    assert cache.get("v2", (TASK, 10)) is None  # a write happened
    assert cache.get("v1", (TASK, 10)) is None  # and the old version is gone for good


def test_volatile_and_large_answers_are_not_kept():
    cache = AnswerCache(max_answer_bytes=10)
    cache.get("v", (TASK, 0))
    now = QueryTask(query="SELECT (now() AS ?t) WHERE {}")
    cache.put("v", (now, 0), QueryAnswer("select", b"{}"))
    assert cache.get("v", (now, 0)) is None
    cache.put("v", (TASK, 0), QueryAnswer("select", b"x" * 11))
    assert cache.get("v", (TASK, 0)) is None


def test_least_recently_used_answers_are_evicted_past_the_byte_budget():
    cache = AnswerCache(max_bytes=10)
    tasks = [QueryTask(query=f"ASK {{ <urn:{i}> ?p ?o }}") for i in range(3)]
    cache.get("v", (tasks[0], 0))
    for task in tasks:
        cache.put("v", (task, 0), QueryAnswer("ask", b"12345"))
    assert cache.get("v", (tasks[0], 0)) is None
    assert cache.get("v", (tasks[2], 0)) is not None


def test_a_write_changes_the_version_the_cache_is_keyed_on():
    store = EmbeddedStore()
    before = store.version
    store.update("INSERT DATA { <urn:a> <urn:p> <urn:b> }")
    assert store.version != before
