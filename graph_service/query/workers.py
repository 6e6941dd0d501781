"""Worker processes that run queries and can be killed when late, and their pool.

pyoxigraph cannot cancel a query, so a query past its time limit is stopped by killing the
process that runs it. The pool's workers are fresh interpreters (never forks of this process,
which holds a RocksDB handle), and each opens the persistent store read-only, reopening it when
the parent's data version changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import marshal
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
from pathlib import Path

from graph_service.exceptions import GraphServiceError
from graph_service.query.execute import QueryTask, QueryTimeout, execute, timeout_message
from graph_service.store import Store
from graph_service.store.base import QueryAnswer, StoreError
from graph_service.store.embedded import EmbeddedStore

log = logging.getLogger(__name__)

#: How a worker starts: a fresh interpreter (never a fork of this process, which holds a
#: RocksDB handle and threads), talking to the parent over two pipes.
_BOOT = (
    "import sys; from graph_service.query.workers import worker_main; "
    "worker_main(int(sys.argv[1]), int(sys.argv[2]))"
)
#: Seconds a new worker may take to import the engine and say it is ready.
_BOOT_SECONDS = 30.0
#: A frame on the pipes: a 4-byte big-endian length, then a marshal-encoded tuple of plain
#: values. marshal and raw os.read/os.write cost a few microseconds where pickle over a
#: multiprocessing Connection, waited on with its selector, cost ~150 us per round trip.
_HEADER = struct.Struct(">I")
_READY = ("ready",)
#: Most seconds a client is told to wait (Retry-After) when every worker stayed busy.
BUSY_RETRY_AFTER = 10.0


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
        task.services,
    )


def worker_main(read_fd: int, write_fd: int) -> None:
    """A worker's loop: read (path, version, max_rows, task...), answer ("ok"|"error", ...)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _send(write_fd, _READY)
    store: Store | None = None
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
            if store is None or opened != (path, version):
                # A read-only open sees every write made before it (measured: ~9 ms); the store
                # retries it when the writer's compaction removes a table meanwhile.
                store = None
                store = EmbeddedStore(Path(path), read_only=True)
                opened = (path, version)
            answer = execute(store, QueryTask(*fields), max_rows)
            reply: tuple[object, ...] = ("ok", answer.kind, answer.body)
        except GraphServiceError as exc:
            reply = ("error", exc.status, exc.message)
        except StoreError as exc:
            opened = None
            reply = ("error", 503, str(exc))
        except Exception as exc:  # the parent must always get an answer, in our words
            reply = ("error", 503, f"the query worker failed on this query ({type(exc).__name__})")
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
        self.generation = 0  # the pool's generation it was started in (WorkerPool.renew)

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
        #: Bumped by renew(): a worker started before it is replaced instead of reused.
        self._generation = 0
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        """Start a worker; a thread puts it in the idle queue once it is ready."""
        worker = _Worker()
        worker.generation = self._generation
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

    def run(self, store: Store, task: QueryTask, timeout: float, max_rows: int) -> QueryAnswer:
        """Run a task in a worker; QueryTimeout once `timeout` seconds have passed."""
        limit = timeout if timeout > 0 else None
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty:
            # The busy workers may run up to a whole time limit more: retry after a part of it.
            raise QueryTimeout(
                f"all {self.size} query workers stayed busy for {timeout:g} s: retry later",
                retry_after=min(timeout, BUSY_RETRY_AFTER),
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
            raise QueryTimeout(timeout_message(timeout))
        if worker.generation == self._generation:
            self._idle.put(worker)
        else:
            self._replace(worker)
        if reply[0] == "ok":
            return QueryAnswer(reply[1], reply[2])
        raise GraphServiceError(reply[2], status=reply[1])

    def renew(self) -> None:
        """Replace every worker with a fresh one: the idle ones now, busy ones when done."""
        self._generation += 1
        stale: list[_Worker] = []
        while True:
            try:
                stale.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for worker in stale:
            self._replace(worker)

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
