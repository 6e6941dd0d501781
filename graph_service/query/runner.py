"""Runs /sparql queries under a time limit: in killable worker processes, or in threads.

A persistent store's queries run in the worker processes of query/workers.py, so that a query
past its time limit is stopped and its CPU freed. An in-memory store cannot be shared with
another process: its queries run in threads, and a late one is answered 503 but runs on to
its end. Answers of repeated queries are kept per data version.
"""

from __future__ import annotations

import atexit
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from graph_service.query.execute import (
    QueryTask,
    QueryTimeout,
    TooManyRows,
    count_rows,
    execute,
    timeout_message,
)
from graph_service.query.fairness import ClientSlots, TooManyQueries, per_client_limit
from graph_service.query.inprocess import InProcessRunner
from graph_service.query.workers import WorkerPool
from graph_service.store import Store
from graph_service.store.base import QueryAnswer
from graph_service.store.federation import calls_service

__all__ = [
    "AnswerCache",
    "QueryTask",
    "QueryTimeout",
    "TooManyQueries",
    "TooManyRows",
    "count_rows",
    "federated",
    "get_runner",
    "renew_workers",
    "run_query",
]

#: Query workers per process when the app's config has no QUERY_WORKERS.
DEFAULT_WORKERS = 2


class ThreadRunner:
    """For in-memory stores: queries run in threads; a late one is answered but not stopped."""

    def __init__(self, size: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=max(4, size), thread_name_prefix="query")

    def run(self, store: Store, task: QueryTask, timeout: float, max_rows: int) -> QueryAnswer:
        """Run a task in a thread and wait at most `timeout` seconds for it."""
        future = self._executor.submit(execute, store, task, max_rows)
        try:
            return future.result(timeout if timeout > 0 else None)
        except FutureTimeout:
            raise QueryTimeout(timeout_message(timeout)) from None

    def shutdown(self) -> None:
        """Stop taking tasks (running ones finish on their own)."""
        self._executor.shutdown(wait=False, cancel_futures=True)


# --- one pool per process, started by the first /sparql query -------------------------------

Runner = WorkerPool | ThreadRunner | InProcessRunner
_RUNNERS: dict[str, Callable[[int], Runner]] = {
    "pool": WorkerPool,
    "threads": ThreadRunner,
    "inprocess": InProcessRunner,
}
_runners: dict[str, Runner] = {}
_runners_lock = threading.Lock()


def get_runner(store: Store, workers: int = DEFAULT_WORKERS) -> Runner:
    """The process's pool for persistent stores, its thread runner for in-memory ones, or, in
    a reader process, its in-process runner (query/inprocess.py)."""
    if getattr(store, "replica", False):
        kind = "inprocess"
    else:
        kind = "pool" if store.is_persistent else "threads"
    runner = _runners.get(kind)
    if runner is None:
        with _runners_lock:
            runner = _runners.get(kind)
            if runner is None:
                runner = _RUNNERS[kind](workers)
                _runners[kind] = runner
                atexit.register(runner.shutdown)
    return runner


def renew_workers() -> None:
    """Replace the query workers (a busy one once its query ends): after a move to another
    build, so that none keeps the old build's directory open until its next query."""
    pool = _runners.get("pool")
    if isinstance(pool, WorkerPool):
        pool.renew()


class AnswerCache:
    """Answers of repeated queries, valid for one data version, bounded in bytes (LRU).

    A vocabulary service is read far more than written and its clients repeat the same
    queries; any write changes the data version and so empties the cache. GET answers are also
    kept whole by the response cache, so this one matters most for POSTed queries: it is small.
    """

    #: Functions whose value changes from one evaluation to the next: never cached.
    VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)

    def __init__(self, max_bytes: int = 16 * 1024 * 1024, max_answer_bytes: int = 4 * 1024 * 1024):
        self.max_bytes, self.max_answer_bytes = max_bytes, max_answer_bytes
        self._entries: OrderedDict[tuple[QueryTask, int], QueryAnswer] = OrderedDict()
        self._version: str | None = None
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, version: str, key: tuple[QueryTask, int]) -> QueryAnswer | None:
        """The cached answer for this task at this data version, if any."""
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version, self._bytes = version, 0
                return None
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
            return answer

    def put(self, version: str, key: tuple[QueryTask, int], answer: QueryAnswer) -> None:
        """Keep an answer (small enough, deterministic) for later requests at this version."""
        size = len(answer.body)
        if size > self.max_answer_bytes or self.VOLATILE.search(key[0].query):
            return
        with self._lock:
            if version != self._version or key in self._entries:
                return
            self._entries[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)


_answers = AnswerCache()


def federated(task: QueryTask) -> bool:
    """Whether a task calls another endpoint (SERVICE, when federation is on): its answer
    changes with that endpoint's data, which our data version does not follow, so no cache
    (ours, the response cache, HTTP caches) may keep it. Free when federation is off."""
    return bool(task.services) and calls_service(task.query, task.base_iri)


#: The queries each client address has running (per process: the server has one worker).
_slots = ClientSlots()


def run_query(
    store: Store,
    task: QueryTask,
    *,
    timeout: float,
    max_rows: int,
    workers: int = DEFAULT_WORKERS,
    remember: bool = True,
    client: str = "",
    per_client: int = 0,
) -> QueryAnswer:
    """Run one protocol query under the time and row limits; raises GraphServiceError.

    Answers are reused while the data version stays the same, unless `remember` is False (a
    caller whose answers another cache keeps) or the query is `federated`. A query that must
    run counts against its `client`'s limit (`per_client`, 0: one less than the workers):
    TooManyQueries past it.
    """
    remember = remember and not federated(task)
    if remember:
        version, key = store.version, (task, max_rows)
        cached = _answers.get(version, key)
        if cached is not None:
            return cached
    runner = get_runner(store, workers)
    limit = per_client_limit(per_client, workers)
    with _slots.hold(client, limit, retry_after=timeout or 1):
        answer = runner.run(store, task, timeout, max_rows)
    if remember:
        _answers.put(version, key, answer)
    return answer
