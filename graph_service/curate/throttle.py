"""Rate limits kept in memory: so many events per key in sliding windows, then wait a while.

Sign-in counts failures per name and per address (after too many, wait); visitors' feedback
counts messages per address (say 5 per 10 minutes and 20 per day). A restart forgets the
counts, which only helps someone who can restart the server. Keys are counted whether or not
they name anything real, so that a refusal reveals nothing.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
#: Keys remembered at most: beyond, the oldest are forgotten (a flood cannot fill memory).
MAX_KEYS = 100_000


class RateLimit:
    """Counts events per key in several sliding windows at once: `limits` are (events, seconds)
    pairs, and a key is refused while any of them is reached."""

    def __init__(
        self, limits: Sequence[tuple[int, float]], clock: Callable[[], float] = time.time
    ) -> None:
        if not limits or any(count < 1 or window <= 0 for count, window in limits):
            raise ValueError(f"bad rate limits {limits!r}: (events >= 1, seconds > 0) pairs")
        self.limits, self.clock = tuple(limits), clock
        # Older events than the longest window, or beyond the largest count, decide nothing.
        self._longest = max(window for _, window in self.limits)
        self._most = max(count for count, _ in self.limits)
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._events.get(key, deque(maxlen=self._most))
        while times and times[0] <= now - self._longest:
            times.popleft()
        return times

    def retry_at(self, *keys: str) -> float | None:
        """When every refused key may try again (epoch seconds), or None if none is refused."""
        now = self.clock()
        latest = None
        with self._lock:
            for key in keys:
                times = list(self._recent(key, now))
                for count, window in self.limits:
                    within = [t for t in times if t > now - window]
                    if len(within) >= count:
                        # Free again once enough of the events have left this window.
                        at = within[len(within) - count] + window
                        latest = at if latest is None else max(latest, at)
        return latest

    def record(self, *keys: str) -> None:
        """Count one event against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                times.append(now)
                self._events.pop(key, None)
                self._events[key] = times  # re-inserted: the dict stays oldest-first
            while len(self._events) > MAX_KEYS:
                del self._events[next(iter(self._events))]

    def forget(self, *keys: str) -> None:
        """Forget the events of keys."""
        with self._lock:
            for key in keys:
                self._events.pop(key, None)


class LoginThrottle(RateLimit):
    """Counts failed sign-ins per key ("name:alice", "addr:10.0.0.1") in a sliding window."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__([(max_failures, window)], clock)
        self.max_failures, self.window = max_failures, window

    def failed(self, *keys: str) -> None:
        """Record one failed attempt against each key."""
        self.record(*keys)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of keys after a successful sign-in."""
        self.forget(*keys)
