"""The writer's serving stamp, a reader's store that follows it, and in-process queries."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from graph_service.exceptions import ServedByWriter
from graph_service.query.execute import QueryTask, QueryTimeout
from graph_service.query.inprocess import InProcessRunner
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.serving_stamp import (
    ServingStamp,
    StampWatch,
    publish,
    read_stamp,
    stamp_path,
)
from graph_service.web.replicas import StoreFollower, writer_path

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _insert(store: EmbeddedStore, name: str) -> None:
    store.update(f'INSERT DATA {{ <urn:x:{name}> <{LABEL}> "{name}" }}')


def _names(store) -> set[str]:
    rows = store.select(f"SELECT ?o WHERE {{ ?s <{LABEL}> ?o }}")
    return {str(row["o"]) for row in rows}


def test_publish_replaces_the_stamp_whole(tmp_path: Path) -> None:
    assert read_stamp(tmp_path) is None
    watch = StampWatch(tmp_path)
    assert watch.changed() is False  # no file, none read: the same
    publish(tmp_path, ServingStamp(tmp_path / "build-1", "abc-0"))
    assert watch.changed()
    assert watch.read() == ServingStamp(tmp_path / "build-1", "abc-0")
    assert not watch.changed()
    publish(tmp_path, ServingStamp(tmp_path / "build-1", "abc-1"))
    assert watch.changed()
    assert watch.read().version == "abc-1"
    assert [p.name for p in tmp_path.iterdir()] == [stamp_path(tmp_path).name]  # no leftovers
    stamp_path(tmp_path).write_text("{not json", encoding="utf-8")
    assert read_stamp(tmp_path) is None


def test_reader_follows_every_write_of_the_writer(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    writer = EmbeddedStore(tmp_path / "store")
    follower = StoreFollower(data_dir)
    with pytest.raises(ServedByWriter):
        follower()  # nothing published yet: the writer must answer

    def published(store: EmbeddedStore) -> None:
        publish(data_dir, ServingStamp(store.path, store.version))

    writer.on_write = published
    _insert(writer, "first")
    reader = follower()
    assert reader.read_only and reader.version == writer.version
    assert _names(reader) == {"first"}
    assert follower() is reader  # no write since: the same handle
    _insert(writer, "second")
    again = follower()
    assert again is not reader and again.version == writer.version
    assert _names(again) == {"first", "second"}
    with pytest.raises(Exception):  # noqa: B017 - the engine's own error for a read-only handle
        _insert(again, "refused")


def test_reader_reads_one_version_for_the_whole_of_a_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    writer = EmbeddedStore(tmp_path / "store")
    writer.on_write = lambda store: publish(data_dir, ServingStamp(store.path, store.version))
    _insert(writer, "first")
    follower = StoreFollower(data_dir)
    stats: list[int] = []
    identity = StampWatch._identity
    monkeypatch.setattr(StampWatch, "_identity", lambda self: stats.append(1) or identity(self))
    before = follower()  # opened by an earlier request
    stats.clear()
    with follower.pinned():
        during = follower()
        assert during is before and len(stats) == 1  # one look at the stamp for the request
        _insert(writer, "second")  # published while the request is being answered
        assert follower() is during and follower() is during
        assert len(stats) == 1 and _names(during) == {"first"}
        seen_in_other_thread: list[set[str]] = []
        other = threading.Thread(target=lambda: seen_in_other_thread.append(_names(follower())))
        other.start()
        other.join(60)
        assert seen_in_other_thread == [{"first", "second"}]  # the pin is this thread's only
    after = follower()
    assert after is not during and _names(after) == {"first", "second"}


def test_reader_reports_a_store_it_cannot_open(tmp_path: Path) -> None:
    publish(tmp_path, ServingStamp(tmp_path / "missing-build", "v-1"))
    follower = StoreFollower(tmp_path)
    with pytest.raises(ServedByWriter, match="cannot open"):
        follower()
    store = EmbeddedStore(tmp_path / "build")
    _insert(store, "late")
    store.flush()
    publish(tmp_path, ServingStamp(store.path, "v-2"))
    assert _names(follower()) == {"late"}  # tried again, once the stamp changed


def test_paths_the_writer_answers_whatever_the_method() -> None:
    assert writer_path("/curation") and writer_path("/curation/concepts/edit")
    assert writer_path("/login") and writer_path("/healthz") and writer_path("/reconcile/v1")
    assert not writer_path("/loginx") and not writer_path("/sparql")
    assert not writer_path("/notions/empowerment") and not writer_path("/rest/v1/search")


#: A few seconds of engine work over busy_store (bounded: a late query runs on to its end
#: when its process is not ended, as here).
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?p ?y FILTER(?x < ?y) }"


@pytest.fixture
def busy_store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.update(
        "INSERT DATA { "
        + " ".join(f'<urn:x:{i}> <{LABEL}> "{i:04d}" .' for i in range(2500))
        + " }"
    )
    return store


def test_in_process_query_past_its_limit_is_refused_and_reported_late(
    busy_store: EmbeddedStore,
) -> None:
    # The hook's default ends the reader process: tests/test_readers.py checks that for real.
    late: list[tuple[str, str, bool]] = []
    ended = threading.Event()
    runner = InProcessRunner(
        1,
        on_late=lambda reason: late.append(
            (reason, threading.current_thread().name, ended.is_set())
        ),
    )
    try:
        answer = runner.run(busy_store, QueryTask("ASK { ?s ?p ?o }"), timeout=60, max_rows=0)
        assert answer.kind == "ask" and late == []
        with pytest.raises(QueryTimeout, match="time limit"):
            try:
                runner.run(busy_store, QueryTask(SLOW_QUERY), timeout=0.2, max_rows=0)
            finally:
                ended.set()
        # Reported once, by the watchdog, while the query was still running.
        assert late == [
            ("query exceeded the 0.2 s time limit and was stopped", "query-watchdog", False)
        ]
        answer = runner.run(busy_store, QueryTask("ASK { ?s ?p ?o }"), timeout=60, max_rows=0)
        assert answer.kind == "ask" and len(late) == 1  # the next query is not reported
    finally:
        runner.shutdown()


def test_in_process_query_that_never_started_is_only_refused(busy_store: EmbeddedStore) -> None:
    late: list[str] = []
    runner = InProcessRunner(1, on_late=late.append)
    outcome: list[str] = []

    def slow() -> None:
        try:
            runner.run(busy_store, QueryTask(SLOW_QUERY), timeout=1.0, max_rows=0)
        except QueryTimeout as exc:
            outcome.append(str(exc))

    first = threading.Thread(target=slow)
    try:
        first.start()
        # Wait until the slow query holds the runner's one slot (another runner's watchdog
        # thread may be alive in this process: ask this runner).
        while runner.running() == 0:
            first.join(0.01)
        with pytest.raises(QueryTimeout, match="busy"):
            runner.run(busy_store, QueryTask("ASK { ?s ?p ?o }"), timeout=0.3, max_rows=0)
        first.join(120)
        assert outcome == late == ["query exceeded the 1 s time limit and was stopped"]
    finally:
        runner.shutdown()
