"""Runs queries in the requesting thread of a reader process, which ends itself when one runs
past its time limit.

A reader process (`serve --readers N`) holds a read-only store handle and nothing else a crash
could lose, and its server starts a fresh one when it ends. So it needs no worker processes
between it and the engine (their pipes cost about as much CPU as a small query), nor even a
thread of its own per query (handing a query to a pool thread and back cost a fifth of a reader's
throughput, measured with wrk): a query runs where its request is answered, and a watchdog thread
ends the process shortly after one passes its limit (pyoxigraph cannot stop a query; only the
end of the process frees its CPU). That query's client gets its connection closed, not an answer.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable

from graph_service.query.execute import QueryTask, QueryTimeout, execute, timeout_message
from graph_service.store import Store
from graph_service.store.base import QueryAnswer

log = logging.getLogger(__name__)

#: Seconds between a late query's 503 and the end of its process: the answer (and the other
#: requests' answers) are on their way by then.
GRACE_SECONDS = 1.0
#: The exit status of a process ended for a late query (its server counts it as failed and
#: starts another).
LATE_QUERY_EXIT = 75


def end_process(reason: str) -> None:
    """End this process GRACE_SECONDS from now (once), for `reason`."""
    with _ending_lock:
        if _ending:
            return
        _ending.append(reason)
    log.error("ending this reader process in %g s: %s", GRACE_SECONDS, reason)

    def end() -> None:
        time.sleep(GRACE_SECONDS)
        logging.shutdown()
        os._exit(LATE_QUERY_EXIT)

    threading.Thread(target=end, name="end-reader", daemon=True).start()


_ending: list[str] = []
_ending_lock = threading.Lock()


class InProcessRunner:
    """Queries in their requests' threads, at most `size` at a time, under a watchdog: one still
    running at its time limit gets `on_late` called (by default: this process ends, see
    end_process) and is answered QueryTimeout if it ever ends."""

    #: Seconds between the watchdog's looks at the running queries.
    WATCH_SECONDS = 0.1

    def __init__(self, size: int, on_late: Callable[[str], None] = end_process) -> None:
        self.size = max(1, size)
        self._slots = threading.BoundedSemaphore(self.size)
        self._on_late = on_late
        self._lock = threading.Lock()
        #: Running queries: token -> (deadline on the monotonic clock, time limit).
        self._running: dict[int, tuple[float, float]] = {}
        self._late: set[int] = set()
        self._tokens = itertools.count()
        self._watchdog: threading.Thread | None = None
        self._stopped = threading.Event()

    def run(self, store: Store, task: QueryTask, timeout: float, max_rows: int) -> QueryAnswer:
        """Run a task here, watched for `timeout` seconds (0: no limit)."""
        if not self._slots.acquire(timeout=timeout if timeout > 0 else None):
            raise QueryTimeout(
                f"all {self.size} query threads stayed busy for {timeout:g} s: retry later",
                retry_after=timeout,
            )
        try:
            if timeout <= 0:
                return execute(store, task, max_rows)
            token = self._watch(timeout)
            try:
                answer = execute(store, task, max_rows)
            finally:
                late = self._unwatch(token)
            if late:  # the process is ending: say why rather than answer late
                raise QueryTimeout(timeout_message(timeout))
            return answer
        finally:
            self._slots.release()

    def _watch(self, timeout: float) -> int:
        token = next(self._tokens)
        with self._lock:
            self._running[token] = (time.monotonic() + timeout, timeout)
            if self._watchdog is None:
                self._watchdog = threading.Thread(
                    target=self._patrol, name="query-watchdog", daemon=True
                )
                self._watchdog.start()
        return token

    def _unwatch(self, token: int) -> bool:
        """Forget a query that ended; whether it was reported late."""
        with self._lock:
            del self._running[token]
            late = token in self._late
            self._late.discard(token)
            return late

    def running(self) -> int:
        """How many watched queries are running now."""
        with self._lock:
            return len(self._running)

    def _patrol(self) -> None:
        while not self._stopped.wait(self.WATCH_SECONDS):
            now = time.monotonic()
            with self._lock:
                overdue = [
                    (token, limit)
                    for token, (deadline, limit) in self._running.items()
                    if deadline <= now and token not in self._late
                ]
                self._late.update(token for token, _ in overdue)
            for _, limit in overdue:
                self._on_late(timeout_message(limit))

    def shutdown(self) -> None:
        """Stop the watchdog (running queries finish on their own)."""
        self._stopped.set()
