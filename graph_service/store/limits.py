"""Time limits for work that cannot be killed, and the errors of refused or late requests."""

from __future__ import annotations

import math
import time

from graph_service.exceptions import GraphServiceError


class TryLater(GraphServiceError):
    """The server cannot do this now (busy, or past a time limit): retry after some seconds."""

    status = 503

    def __init__(self, message: str, *, retry_after: float = 5, status: int | None = None):
        super().__init__(message, status)
        #: Seconds after which a retry may succeed (the HTTP Retry-After header).
        self.retry_after = max(1, math.ceil(retry_after))


class Deadline:
    """The moment a computation in this process must stop by (0 seconds: never).

    A query runs in a worker process that is killed when late; reconciliation, suggestion and
    search run in the serving process, which cannot be killed: they look at their deadline as
    they go, and stop.
    """

    def __init__(self, seconds: float, what: str) -> None:
        self.seconds, self.what = seconds, what
        self.end = time.monotonic() + seconds if seconds > 0 else math.inf

    def passed(self) -> bool:
        """Whether the time is up."""
        return time.monotonic() > self.end

    def check(self) -> None:
        """Raise TryLater once the time is up."""
        if self.passed():
            raise TryLater(self.message(), retry_after=self.seconds)

    def message(self) -> str:
        """What to tell the client when the time is up."""
        return f"{self.what} ran past its {self.seconds:g} s time limit and was stopped"
