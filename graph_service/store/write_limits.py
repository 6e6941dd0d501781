"""Limits on one write made through HTTP: how many quads it may change, how long it may wait
for the write lock.

A change is computed in memory (its patch, and the scratch copy of what an update names)
and journalled row by row, all under the write lock: an import-sized change sent over HTTP
held the lock for tens of seconds and left the web process gigabytes larger. Bulk loads
belong to `graph-service import` and the build, which pass no limits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from graph_service.exceptions import GraphServiceError
from graph_service.store.limits import TryLater

T = TypeVar("T")


@dataclass(frozen=True)
class WriteLimits:
    """The limits of one write (0: none)."""

    #: Most quads a change may add and remove together.
    max_quads: int = 0
    #: Seconds a write may wait for the write lock before it is refused.
    lock_wait: float = 0


#: What the command line and the build write with.
NO_LIMITS = WriteLimits()


class ChangeTooLarge(GraphServiceError):
    """A change larger than the limit of a write through HTTP (413); nothing was written."""

    status = 413

    def __init__(self, limit: int, what: str = "this change adds and removes") -> None:
        super().__init__(
            f"{what} more than {limit:,} quads, the limit of one change "
            "(GRAPH_SERVICE_MAX_CHANGE_QUADS): load bulk data with `graph-service import` "
            "or put it in vocab/ and build"
        )
        self.limit = limit


def check_size(limits: WriteLimits, quads: int, what: str = "this change adds and removes") -> None:
    """Refuse a change of `quads` quads past the limit."""
    if limits.max_quads and quads > limits.max_quads:
        raise ChangeTooLarge(limits.max_quads, what)


def counted(items: Iterable[T], limits: WriteLimits, already: int = 0) -> Iterator[T]:
    """The items (a parser's quads), refused as soon as the one past the limit (`already`
    counted before) is read: the parser stops there instead of reading the whole document."""
    count = already
    for item in items:
        count += 1
        check_size(limits, count, "the data sent holds")
        yield item


@contextmanager
def holding(lock: threading.Lock, limits: WriteLimits) -> Iterator[None]:
    """Hold the write lock, waiting at most `limits.lock_wait` seconds for it (TryLater,
    503 with Retry-After, past that): writes queued behind a long one would otherwise each
    take a server thread and time out at the client anyway."""
    acquired = lock.acquire(timeout=limits.lock_wait if limits.lock_wait > 0 else -1)
    if not acquired:
        raise TryLater(
            f"another write has held the write lock for more than {limits.lock_wait:g} s "
            "(GRAPH_SERVICE_WRITE_LOCK_WAIT): try again later",
            retry_after=min(limits.lock_wait, 30),
        )
    try:
        yield
    finally:
        lock.release()
