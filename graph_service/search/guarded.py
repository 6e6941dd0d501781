"""A SQLite database shared by the server's threads, each query under its thread's deadline."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from graph_service.store.limits import Deadline, TryLater

#: SQLite virtual machine steps between two looks at the deadline (about a millisecond).
PROGRESS_STEPS = 10_000


class GuardedDatabase:
    """One connection behind a lock; under a deadline, a query past it is interrupted (SQLite's
    progress handler) and the wait for the lock ends at it: both raise TryLater."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._lock = threading.Lock()  # one connection, shared by the server's threads
        #: The deadline of the search running in each thread (see `under`).
        self._local = threading.local()

    def same_database(self, db: sqlite3.Connection) -> bool:
        """Whether this object reads through the connection `db`."""
        return self._db is db

    @contextmanager
    def under(self, deadline: Deadline | None) -> Iterator[None]:
        """Run this thread's searches under a deadline: a query past it is interrupted, and
        waiting for the index (another thread's query) stops at it too; both raise TryLater."""
        before = getattr(self._local, "deadline", None)
        self._local.deadline = deadline
        try:
            yield
        finally:
            self._local.deadline = before

    def _rows(self, sql: str, params: Iterable[object]) -> list[tuple]:
        """The rows of a query, under this thread's deadline if it has one."""
        deadline: Deadline | None = getattr(self._local, "deadline", None)
        if deadline is None:
            with self._lock:
                return self._db.execute(sql, list(params)).fetchall()
        deadline.check()
        wait = deadline.end - time.monotonic()
        if not self._lock.acquire(timeout=max(0.0, min(wait, threading.TIMEOUT_MAX))):
            raise TryLater(deadline.message(), retry_after=deadline.seconds)
        try:
            # SQLite calls the handler every PROGRESS_STEPS steps; a true answer interrupts.
            self._db.set_progress_handler(deadline.passed, PROGRESS_STEPS)
            return self._db.execute(sql, list(params)).fetchall()
        except sqlite3.OperationalError as exc:
            if deadline.passed():
                raise TryLater(deadline.message(), retry_after=deadline.seconds) from exc
            raise
        finally:
            self._db.set_progress_handler(None, 0)
            self._lock.release()

    def _stream(self, sql: str, params: list[object], batch: int = 256) -> Iterator[tuple]:
        """Rows of a query read in batches, so that a caller may stop early."""
        offset = 0
        while True:
            rows = self._rows(f"{sql} LIMIT {batch} OFFSET {offset}", params)
            yield from rows
            if len(rows) < batch:
                return
            offset += batch
