"""Runs queries in threads of a reader process, which ends itself when one runs past its limit.

A reader process (`serve --readers N`) holds a read-only store handle and nothing else a crash
could lose, and its server starts a fresh one when it ends. So it needs no worker processes
between it and the engine (their pipes cost about as much CPU as a small query): a query runs
in a thread here, and one still running at its time limit is answered 503 and its process ends
shortly after (pyoxigraph cannot stop a query; only the end of the process frees its CPU).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

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
    """Queries in a few threads; one past its time limit gets `on_late` called (by default:
    this process ends, see end_process)."""

    def __init__(self, size: int, on_late: Callable[[str], None] = end_process) -> None:
        self.size = max(1, size)
        self._executor = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="query")
        self._on_late = on_late

    def run(self, store: Store, task: QueryTask, timeout: float, max_rows: int) -> QueryAnswer:
        """Run a task in a thread and wait at most `timeout` seconds for it."""
        future = self._executor.submit(execute, store, task, max_rows)
        try:
            return future.result(timeout if timeout > 0 else None)
        except FutureTimeout:
            if future.cancel():  # it never started: every thread was busy, nothing runs late
                raise QueryTimeout(
                    f"all {self.size} query threads stayed busy for {timeout:g} s: retry later",
                    retry_after=timeout,
                ) from None
            if future.done():  # it ended between the wait and now
                return future.result()
            self._on_late(timeout_message(timeout))
            raise QueryTimeout(timeout_message(timeout)) from None

    def shutdown(self) -> None:
        """Stop taking tasks (running ones finish on their own)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
