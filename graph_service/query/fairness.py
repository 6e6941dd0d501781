"""At most so many /sparql queries (or reconciliation requests) at once per client, so that one
client cannot take every query worker, or every server thread, and make the others wait."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from graph_service.store.limits import TryLater


class TooManyQueries(TryLater):
    """The client has as many queries running as it may: 429, retry once one has ended."""

    status = 429


def per_client_limit(configured: int, workers: int) -> int:
    """The queries one client may run at once: as configured, or (0) one less than the query
    workers, at least 1, so that some capacity is always left to the other clients."""
    return configured if configured > 0 else max(1, workers - 1)


class ClientSlots:
    """How many queries each client address has running, refusing one past the limit."""

    def __init__(self) -> None:
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def running(self, client: str) -> int:
        """The queries this client has running now."""
        with self._lock:
            return self._running.get(client, 0)

    @contextmanager
    def hold(
        self, client: str, limit: int, retry_after: float, what: str = "queries"
    ) -> Iterator[None]:
        """Count a query of `client` while it runs; TooManyQueries when it has `limit` already
        (not queued: waiting behind its own heavy queries would also hold a server thread).
        `what` names the requests counted, in the message."""
        with self._lock:
            count = self._running.get(client, 0)
            if count >= limit:
                raise TooManyQueries(
                    f"this client ({client}) already has {count} {what} running, the most "
                    f"one client may run at once: wait for one to end before sending another",
                    retry_after=retry_after,
                )
            self._running[client] = count + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._running[client] - 1
                if left:
                    self._running[client] = left
                else:
                    del self._running[client]
