"""Sign-in throttling: after too many failures for a name or from an address, wait a while.

Kept in memory: a restart forgets the failures, which only helps someone who can restart the
server. Keys are counted whether or not the account exists, so the refusal reveals nothing.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
#: Keys remembered at most: beyond, the oldest are forgotten (a flood cannot fill memory).
MAX_KEYS = 100_000


class LoginThrottle:
    """Counts failed sign-ins per key ("name:alice", "addr:10.0.0.1") in a sliding window."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_failures, self.window, self.clock = max_failures, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_at(self, *keys: str) -> float | None:
        """When a locked-out key may try again (epoch seconds), or None if none is locked out."""
        now = self.clock()
        latest = None
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.max_failures:
                    # Free again once enough of the failures have left the window.
                    at = times[len(times) - self.max_failures] + self.window
                    latest = at if latest is None else max(latest, at)
        return latest

    def failed(self, *keys: str) -> None:
        """Record one failed attempt against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                times.append(now)
                self._failures.pop(key, None)
                self._failures[key] = times  # re-inserted: the dict stays oldest-first
            while len(self._failures) > MAX_KEYS:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of keys after a successful sign-in."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
