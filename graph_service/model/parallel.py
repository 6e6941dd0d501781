"""Independent questions of one page asked at once: the engine answers a query without holding
Python's lock, so on two cores a page that asks four slow questions waits for about the two
slowest instead of their sum (four of UNESCO's scheme-page questions after a write, measured
on their own: 0.51 s one after the other, 0.23 s at once)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

#: Shared by every request: it bounds the extra threads whatever the number of clients (a call
#: never waits on the pool from inside it, so a full pool only queues).
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="page-parts")


def in_parallel(*calls: Callable[[], Any]) -> tuple[Any, ...]:
    """Each call's answer, in order: the first call runs in the calling thread, the others in
    the shared pool. Once all have ended, the first exception raised (in call order) is."""
    futures = [_pool.submit(call) for call in calls[1:]]
    try:
        first = calls[0]()
    finally:
        # Wait for the others even when the first failed: nothing of the page outlives it.
        for future in futures:
            future.exception()
    return (first, *(future.result() for future in futures))
