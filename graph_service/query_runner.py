"""Runs /sparql queries under a time limit, in worker processes that can be killed when late.

pyoxigraph cannot cancel a query, so a query past its time limit is stopped by killing the
process that runs it. The pool's workers are fresh interpreters (never forks of this process,
which holds a RocksDB handle), and each opens the persistent store read-only, reopening it when
the parent's data version changes. An in-memory store cannot be shared with another
process: its queries run in threads, and a late one is answered 503 but runs on to its end.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import marshal
import os
import queue
import re
import select
import signal
import struct
import subprocess
import sys
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

from .exceptions import GraphServiceError
from .remote_store import RemoteUnavailable
from .store import EmbeddedStore, QueryAnswer, StoreError

log = logging.getLogger(__name__)

#: Query workers per process when the app's config has no QUERY_WORKERS.
DEFAULT_WORKERS = 2
#: The smallest number of bytes one row takes in each results format: an answer shorter than
#: limit x this cannot hold too many rows, so most answers are never counted.
_MIN_ROW_BYTES = {"json": 3, "xml": 17, "csv": 2, "tsv": 1}


class QueryTimeout(GraphServiceError):
    """The query ran past the time limit and was stopped."""

    status = 503


class TooManyRows(GraphServiceError):
    """The answer holds more rows than the configured limit (never cut short silently)."""

    status = 422


@dataclass(frozen=True)
class QueryTask:
    """One protocol query: its text, the formats to answer in, and its RDF dataset."""

    query: str
    result_format: str = "json"
    graph_format: str = "turtle"
    #: None: the service's dataset (default graph = union of all graphs); a tuple: exactly
    #: these graphs, as default-graph-uri / named-graph-uri ask (an empty tuple = no graph).
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None


def count_rows(body: bytes, fmt: str) -> int:
    """Count the solutions of a serialised SELECT answer."""
    if fmt == "xml":
        return body.count(b"<result>")  # markup in values is escaped as &lt;
    if fmt == "tsv":
        return body.count(b"\n") - 1  # newlines in values are escaped as \n
    if fmt == "csv":
        import csv
        import io

        return sum(1 for _ in csv.reader(io.StringIO(body.decode()))) - 1
    return len(json.loads(body)["results"]["bindings"])


def execute(store: EmbeddedStore, task: QueryTask, max_rows: int) -> QueryAnswer:
    """Run a task in this process and check the row limit; raises GraphServiceError."""
    try:
        answer = store.query_serialized(
            task.query,
            result_format=task.result_format,
            graph_format=task.graph_format,
            default_graphs=task.default_graphs,
            named_graphs=task.named_graphs,
            base_iri=task.base_iri,
        )
    except RemoteUnavailable as exc:
        raise GraphServiceError(str(exc), status=503) from exc
    except StoreError as exc:
        raise GraphServiceError(str(exc)) from exc
    if (
        answer.kind == "select"
        and max_rows > 0
        and len(answer.body) > max_rows * _MIN_ROW_BYTES[task.result_format]
        and count_rows(answer.body, task.result_format) > max_rows
    ):
        raise TooManyRows(
            f"the answer has more than {max_rows:,} rows, the limit of this endpoint: "
            "add a LIMIT (and page with OFFSET) or aggregate"
        )
    return answer


def _timeout_message(seconds: float) -> str:
    return f"query exceeded the {seconds:g} s time limit and was stopped"


# --- the worker processes ---------------------------------------------------------------------

#: How a worker starts: a fresh interpreter (never a fork of this process, which holds a
#: RocksDB handle and threads), talking to the parent over two pipes.
_BOOT = (
    "import sys; from graph_service.query_runner import worker_main; "
    "worker_main(int(sys.argv[1]), int(sys.argv[2]))"
)
#: Seconds a new worker may take to import the engine and say it is ready.
_BOOT_SECONDS = 30.0
#: A frame on the pipes: a 4-byte big-endian length, then a marshal-encoded tuple of plain
#: values. marshal and raw os.read/os.write cost a few microseconds where pickle over a
#: multiprocessing Connection, waited on with its selector, cost ~150 us per round trip.
_HEADER = struct.Struct(">I")
_READY = ("ready",)


def _send(fd: int, message: tuple) -> None:
    """Write one frame (all of it: a pipe may take a large answer in several writes)."""
    payload = marshal.dumps(message)
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, missing = [], size
    while missing:
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise EOFError("the other end of the pipe is closed")
        chunks.append(chunk)
        missing -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _receive(fd: int) -> tuple:
    """Read one frame; EOFError when the other process is gone."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    return marshal.loads(_read_exactly(fd, size))


def _receive_reply(fd: int) -> tuple:
    """Read a worker's frame, in one system call for most answers.

    A worker speaks only when spoken to (ready, then one reply per task), so nothing follows
    its frame on the pipe and reading ahead cannot swallow the next one. (The other way, the
    stop message may follow a task at once: the worker reads exact frames.)
    """
    first = os.read(fd, 1 << 16)
    if len(first) < _HEADER.size:
        if not first:
            raise EOFError("the other end of the pipe is closed")
        first += _read_exactly(fd, _HEADER.size - len(first))
    (size,) = _HEADER.unpack_from(first)
    payload = first[_HEADER.size :]
    if len(payload) < size:
        payload += _read_exactly(fd, size - len(payload))
    return marshal.loads(payload)


def _task_fields(task: QueryTask) -> tuple:
    return (
        task.query,
        task.result_format,
        task.graph_format,
        task.default_graphs,
        task.named_graphs,
        task.base_iri,
    )


def worker_main(read_fd: int, write_fd: int) -> None:
    """A worker's loop: read (path, version, max_rows, task...), answer ("ok"|"error", ...)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _send(write_fd, _READY)
    store: EmbeddedStore | None = None
    opened: tuple[str, str] | None = None
    while True:
        try:
            message = _receive(read_fd)
        except (EOFError, OSError):
            return  # the parent is gone
        if not message:
            return
        path, version, max_rows, *fields = message
        try:
            if opened != (path, version):
                # A read-only open sees every write made before it (measured: ~9 ms).
                store = None
                store = EmbeddedStore(Path(path), read_only=True)
                opened = (path, version)
            answer = execute(store, QueryTask(*fields), max_rows)  # type: ignore[arg-type]
            reply: tuple[object, ...] = ("ok", answer.kind, answer.body)
        except GraphServiceError as exc:
            reply = ("error", exc.status, exc.message)
        except StoreError as exc:
            opened = None
            reply = ("error", 503, str(exc))
        except Exception as exc:  # the parent must always get an answer
            reply = ("error", 500, f"query worker failed: {type(exc).__name__}: {exc}")
        try:
            _send(write_fd, reply)
        except OSError:
            return


class _Worker:
    """One worker process and the parent's ends of its two pipes."""

    def __init__(self) -> None:
        from_parent, to_child = os.pipe()
        from_child, to_parent = os.pipe()
        if hasattr(fcntl, "F_SETPIPE_SZ"):
            # A 1 MB pipe carries most answers in one write instead of 16 ping-pongs of 64 kB.
            with contextlib.suppress(OSError):
                fcntl.fcntl(to_parent, fcntl.F_SETPIPE_SZ, 1 << 20)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, str(from_parent), str(to_parent)],
            pass_fds=(from_parent, to_parent),
            stdin=subprocess.DEVNULL,
        )
        os.close(from_parent)
        os.close(to_parent)
        self.tasks, self.replies = to_child, from_child
        self._poller = select.poll()
        self._poller.register(from_child, select.POLLIN)
        self._closed = False

    def wait(self, timeout: float | None) -> bool:
        """Whether a reply (or the end of the pipe) arrived within `timeout` seconds."""
        return bool(self._poller.poll(None if timeout is None else max(0, int(timeout * 1000))))

    def ask(self, message: tuple) -> None:
        """Send the worker one task."""
        _send(self.tasks, message)

    def reply(self) -> tuple:
        """Read the worker's reply (call once wait() said it is there)."""
        return _receive_reply(self.replies)

    def ready(self) -> bool:
        """Wait for the worker's first message, which says it has imported the engine."""
        try:
            return self.wait(_BOOT_SECONDS) and self.reply() == _READY
        except (EOFError, OSError, ValueError):
            return False

    def kill(self) -> None:
        """Stop the process now (a query in the engine cannot be stopped any other way)."""
        self.process.kill()
        self.process.wait()
        if not self._closed:
            self._closed = True
            for fd in (self.tasks, self.replies):
                with contextlib.suppress(OSError):
                    os.close(fd)


class WorkerPool:
    """A few worker processes; a request borrows one, and kills and replaces it when late."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        # SimpleQueue (in C) where Queue's Condition cost a lock dance on every query.
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        """Start a worker; a thread puts it in the idle queue once it is ready."""
        worker = _Worker()
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)

        def when_ready() -> None:
            if worker.ready():
                self._idle.put(worker)
            else:
                log.error("a query worker failed to start (exit code %s)", worker.process.poll())
                self._forget(worker)

        threading.Thread(target=when_ready, name="query-worker-boot", daemon=True).start()

    def _forget(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker (its CPU is freed at once) and start a fresh one in its place."""
        self._forget(worker)
        if not self._closed:
            self._spawn()

    def run(
        self, store: EmbeddedStore, task: QueryTask, timeout: float, max_rows: int
    ) -> QueryAnswer:
        """Run a task in a worker; QueryTimeout once `timeout` seconds have passed."""
        limit = timeout if timeout > 0 else None
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty:
            raise QueryTimeout(
                f"all {self.size} query workers stayed busy for {timeout:g} s: retry later"
            ) from None
        try:
            worker.ask((str(store.path), store.version, max_rows, *_task_fields(task)))
            reply = worker.reply() if worker.wait(limit) else None
        except (EOFError, OSError, ValueError):
            self._replace(worker)
            raise GraphServiceError("the query worker stopped unexpectedly", status=503) from None
        except BaseException:
            self._replace(worker)
            raise
        if reply is None:
            self._replace(worker)
            raise QueryTimeout(_timeout_message(timeout))
        self._idle.put(worker)
        if reply[0] == "ok":
            return QueryAnswer(reply[1], reply[2])
        raise GraphServiceError(reply[2], status=reply[1])

    def shutdown(self) -> None:
        """Ask every worker to stop, then kill the ones that do not."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            with contextlib.suppress(OSError):
                _send(worker.tasks, ())
        for worker in workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(1)
            worker.kill()


class ThreadRunner:
    """For in-memory stores: queries run in threads; a late one is answered but not stopped."""

    def __init__(self, size: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=max(4, size), thread_name_prefix="query")

    def run(
        self, store: EmbeddedStore, task: QueryTask, timeout: float, max_rows: int
    ) -> QueryAnswer:
        """Run a task in a thread and wait at most `timeout` seconds for it."""
        future = self._executor.submit(execute, store, task, max_rows)
        try:
            return future.result(timeout if timeout > 0 else None)
        except FutureTimeout:
            raise QueryTimeout(_timeout_message(timeout)) from None

    def shutdown(self) -> None:
        """Stop taking tasks (running ones finish on their own)."""
        self._executor.shutdown(wait=False, cancel_futures=True)


# --- one pool per process, started by the first /sparql query -------------------------------

_runners: dict[str, WorkerPool | ThreadRunner] = {}
_runners_lock = threading.Lock()


def get_runner(store: EmbeddedStore, workers: int = DEFAULT_WORKERS) -> WorkerPool | ThreadRunner:
    """The process's pool for persistent stores, or its thread runner for in-memory ones."""
    kind = "pool" if store.is_persistent else "threads"
    runner = _runners.get(kind)
    if runner is None:
        with _runners_lock:
            runner = _runners.get(kind)
            if runner is None:
                runner = WorkerPool(workers) if kind == "pool" else ThreadRunner(workers)
                _runners[kind] = runner
                atexit.register(runner.shutdown)
    return runner


class AnswerCache:
    """Answers of repeated queries, valid for one data version, bounded in bytes (LRU).

    A vocabulary service is read far more than written and its clients repeat the same
    queries; any write changes the data version and so empties the cache. GET answers are also
    kept whole by the response cache, so this one matters most for POSTed queries: it is small.
    """

    #: Functions whose value changes from one evaluation to the next: never cached.
    VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)

    def __init__(self, max_bytes: int = 16 * 1024 * 1024, max_answer_bytes: int = 4 * 1024 * 1024):
        self.max_bytes, self.max_answer_bytes = max_bytes, max_answer_bytes
        self._entries: OrderedDict[tuple[QueryTask, int], QueryAnswer] = OrderedDict()
        self._version: str | None = None
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, version: str, key: tuple[QueryTask, int]) -> QueryAnswer | None:
        """The cached answer for this task at this data version, if any."""
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version, self._bytes = version, 0
                return None
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
            return answer

    def put(self, version: str, key: tuple[QueryTask, int], answer: QueryAnswer) -> None:
        """Keep an answer (small enough, deterministic) for later requests at this version."""
        size = len(answer.body)
        if size > self.max_answer_bytes or self.VOLATILE.search(key[0].query):
            return
        with self._lock:
            if version != self._version or key in self._entries:
                return
            self._entries[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)


_answers = AnswerCache()


def run_query(
    store: EmbeddedStore,
    task: QueryTask,
    *,
    timeout: float,
    max_rows: int,
    workers: int = DEFAULT_WORKERS,
    remember: bool = True,
) -> QueryAnswer:
    """Run one protocol query under the time and row limits; raises GraphServiceError.

    Answers are reused while the data version stays the same, unless `remember` is False (a
    caller whose answers another cache keeps).
    """
    if not remember:
        return get_runner(store, workers).run(store, task, timeout, max_rows)
    version, key = store.version, (task, max_rows)
    cached = _answers.get(version, key)
    if cached is not None:
        return cached
    answer = get_runner(store, workers).run(store, task, timeout, max_rows)
    _answers.put(version, key, answer)
    return answer
