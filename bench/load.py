"""Bounded HTTP load client: keep-alive connections in threads, capped by count and by time."""

from __future__ import annotations

import http.client
import itertools
import math
import statistics
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

CLIENT = "Python threads, one keep-alive http.client connection each"


@dataclass
class CellResult:
    """One measured cell: how many requests completed, how fast, and what they answered."""

    concurrency: int
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list, repr=False)  # seconds, successful only
    statuses: Counter[int] = field(default_factory=Counter)
    #: Percentiles (quantile -> ms) reported by an external client that keeps no latency list.
    reported: dict[float, float] = field(default_factory=dict)
    reported_mean_ms: float | None = None
    client: str = "python"

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float:
        """Latency at quantile q (0-1) in milliseconds, from the sorted latencies."""
        if not self.latencies:
            return self.reported.get(q, float("nan"))
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))  # nearest rank
        return ordered[index] * 1000

    def summary(self) -> dict[str, object]:
        """The figures that go into results.json."""
        return {
            "concurrency": self.concurrency,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "throughput": round(self.throughput, 1),
            "p50_ms": round(self.percentile(0.50), 3),
            "p99_ms": round(self.percentile(0.99), 3),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 3)
            if self.latencies
            else self.reported_mean_ms,
            "statuses": dict(self.statuses),
            "client": self.client,
        }


def fetch(
    host: str, port: int, path: str, headers: dict[str, str], timeout: float = 120.0
) -> tuple[int, bytes]:
    """One request on a fresh connection: (status, body); used to probe and warm up."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_cell(
    host: str,
    port: int,
    paths: Sequence[str],
    headers: dict[str, str],
    *,
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    timeout: float = 60.0,
) -> CellResult:
    """Send GET requests for paths[0], paths[1], ... (cycling) from `concurrency` threads.

    Stops after max_requests requests or max_seconds, whichever comes first; each thread
    finishes the request it is in. Non-2xx answers and connection errors count as errors.
    """
    result = CellResult(concurrency=concurrency)
    counter = itertools.count()  # next() on it is atomic under the GIL
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        errors = 0
        start.wait()
        clock = time.perf_counter
        while True:
            n = next(counter)
            if n >= max_requests or clock() >= deadline[0]:
                break
            path = paths[n % len(paths)]
            began = clock()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
                errors += 1
                continue
            elapsed = clock() - began
            statuses[status] += 1
            if 200 <= status < 300:
                latencies.append(elapsed)
            else:
                errors += 1
        connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.statuses.update(statuses)
            result.errors += errors

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + max_seconds
    start.wait()
    for thread in threads:
        thread.join(max_seconds + timeout + 5)
    result.seconds = time.perf_counter() - began
    result.requests = len(result.latencies)
    return result


def warm_up(
    host: str,
    port: int,
    paths: Sequence[str],
    headers: dict[str, str],
    *,
    concurrency: int,
    seconds: float,
) -> None:
    """A short unmeasured run, so connection set-up and first-use costs stay out of the cell."""
    if seconds > 0:
        run_cell(
            host,
            port,
            paths,
            headers,
            concurrency=concurrency,
            max_requests=10**9,
            max_seconds=seconds,
        )
