"""Start and stop the servers under test (ours and `oxigraph serve`), time builds, read memory."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .load import fetch

HOST = "127.0.0.1"
#: Our /sparql's per-address limit in the bench: above the largest cell's 16 clients.
QUERIES_PER_CLIENT = 64


class PeerError(Exception):
    """A server that would not start, or a command that failed."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def tool(name: str) -> str:
    """A console script of the venv running us (graph-service, oxigraph), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise PeerError(f"`{name}` not found: install the dev extras (pip install -e '.[dev]')")
    return found


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Timed:
    """A finished command: wall time, peak resident memory (ru_maxrss) and exit status."""

    seconds: float
    max_rss_kb: int
    returncode: int


def timed_run(argv: list[str], env: dict[str, str], log: Path) -> Timed:
    """Run a command to completion; wait4 gives the child's own peak RSS (with its children)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        began = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
    if process.returncode != 0:
        raise PeerError(f"{' '.join(argv)} exited with {process.returncode}:\n{_tail(log)}")
    return Timed(seconds, usage.ru_maxrss, process.returncode)


class Server:
    """One server process (in its own process group) on 127.0.0.1:port."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        port: int,
        env: dict[str, str],
        log: Path,
        ready_path: str,
        ready_mark: bytes | tuple[bytes, ...] = b"",
    ) -> None:
        self.name, self.argv, self.port, self.env, self.log = name, argv, port, env, log
        #: Ready when ready_path answers 200 with every ready mark in its body.
        self.ready_path = ready_path
        self.ready_marks = (ready_mark,) if isinstance(ready_mark, bytes) else ready_mark
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300.0) -> Server:
        """Start the process and wait until ready_path answers 200."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            # Its own session, so stop() reaches the workers it forks (and nothing else).
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PeerError(
                    f"{self.name} exited with {self.process.returncode}:\n{_tail(self.log)}"
                )
            try:
                status, body = fetch(HOST, self.port, self.ready_path, {}, timeout=5)
                if status == 200 and all(mark in body for mark in self.ready_marks):
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise PeerError(f"{self.name} not ready after {timeout:.0f} s:\n{_tail(self.log)}")

    def stop(self) -> None:
        """SIGTERM to the process group we started, then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid  # start_new_session: the group id is the leader's pid
        for sig, wait in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def memory(self) -> dict[str, object]:
        """VmRSS, VmHWM and Pss (kB) of the process and its descendants (process_tree_memory)."""
        if self.process is None:
            return {}
        return process_tree_memory(self.process.pid)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def process_tree_memory(root: int) -> dict[str, object]:
    """VmRSS, VmHWM and Pss (kB) summed over a process and its descendants, and each one.

    Pss shares pages between the processes that map them, so forked workers are not
    counted twice as they are in the VmRSS sum.
    """
    totals: dict[str, object] = {"VmRSS": 0, "VmHWM": 0, "Pss": 0, "processes": 0}
    each: list[dict[str, object]] = []
    for pid in _tree(root):
        figures = _process_memory(pid)
        if figures is None:
            continue
        each.append(figures)
        for key in ("VmRSS", "VmHWM", "Pss"):
            totals[key] += figures.get(key, 0)  # type: ignore[operator]
    totals["processes"] = len(each)
    totals["each"] = each
    return totals


def _process_memory(pid: int) -> dict[str, object] | None:
    """One process's name, VmRSS, VmHWM and Pss in kB (None if it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    figures: dict[str, object] = {"pid": pid, "command": command.strip()[:120]}
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = int(value.split()[0])
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                figures["Pss"] = int(line.split()[1])
    except OSError:
        pass
    return figures


def _tree(root: int) -> list[int]:
    """The pid and every descendant pid, from /proc/<pid>/stat parent links."""
    parent_of: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces: fields after the last ')' are fixed.
            parent_of[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [root], [root]
    while frontier:
        current = frontier.pop()
        children = [pid for pid, parent in parent_of.items() if parent == current]
        found += children
        frontier += children
    return found


def root_pid(server: object) -> int | None:
    """The pid of a server's main process (ours, oxigraph, or a Virtuoso peer's server)."""
    process = getattr(server, "process", None) or getattr(
        getattr(server, "server", None), "process", None
    )
    return process.pid if process is not None and process.poll() is None else None


@contextlib.contextmanager
def paused(servers: Iterable[object]) -> Iterator[None]:
    """Stop every process of `servers` (SIGSTOP) while the block runs, then let them go on.

    The server being measured then has the machine to itself: Virtuoso's checkpoints and the
    Virtuoso-backed service's warm-up took half a core beside ours' page cells (2026-12-02).
    Stopped rather than shut down: they keep their caches and need no new start.
    """
    stopped: list[int] = []
    try:
        for server in servers:
            root = root_pid(server)
            for pid in _tree(root) if root is not None else []:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
                    stopped.append(pid)
        _wait_stopped(stopped)
        yield
    finally:
        for pid in stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def _wait_stopped(pids: list[int], seconds: float = 10.0) -> None:
    """Wait until the kernel has stopped each process (a signal is delivered asynchronously)."""
    deadline = time.monotonic() + seconds
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                break  # gone
            if state in ("T", "t", "Z", "X"):
                break
            time.sleep(0.005)


def ours(
    data_dir: Path,
    vocab_dir: Path,
    log: Path,
    threads: int | None = None,
    readers: int | None = None,
) -> Server:
    """`graph-service serve --port P` on the synthetic store (not started yet); `readers`
    reader processes beside the writing one (None: the environment's setting)."""
    port = free_port()
    env = dict(
        os.environ, GRAPH_SERVICE_DATA_DIR=str(data_dir), GRAPH_SERVICE_VOCAB_DIR=str(vocab_dir)
    )
    # Every client of the bench comes from 127.0.0.1 and stands for a different user: the
    # per-address limit on running queries (default: one less than the workers) would answer
    # 429 to all but one of them and measure the limit (a figure of its own elsewhere).
    env.setdefault("GRAPH_SERVICE_QUERIES_PER_CLIENT", str(QUERIES_PER_CLIENT))
    # oxigraph serve writes no line per request: neither do we here, so that both do the same
    # work (our access log costs ~15% of a reader's unique-query throughput, measured with wrk).
    env.setdefault("GRAPH_SERVICE_ACCESS_LOG", "0")
    argv = [tool("graph-service"), "serve", "--port", str(port)]
    if threads:
        argv += ["--threads", str(threads)]
    if readers is not None:
        argv += ["--readers", str(readers)]
    # Measured once it is warm, as a service that has been up: the search index, which a start
    # builds in the background (about 45 s at 100,000 concepts), is ready, and so is the
    # warm-up that follows it (~15 s of CPU that would otherwise share the first cells).
    return Server(
        "graph-service", argv, port, env, log, "/healthz",
        (b'"search_index":"ready"', b'"warm":"ready"', b'"pages":"ready"'),
    )  # fmt: skip


def oxigraph(location: Path, log: Path) -> Server:
    """`oxigraph serve` on its own loaded directory, default graph = union (as our /sparql)."""
    port = free_port()
    argv = [
        tool("oxigraph"),
        "serve",
        "-l",
        str(location),
        "-b",
        f"{HOST}:{port}",
        "--union-default-graph",
    ]
    return Server("oxigraph", argv, port, dict(os.environ), log, "/query?query=ASK%7B%7D")


def oxigraph_version() -> str:
    """`oxigraph --version`, for the report."""
    try:
        done = subprocess.run(
            [tool("oxigraph"), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
        return done.stdout.strip() or "oxigraph"
    except (OSError, PeerError, subprocess.TimeoutExpired):
        return "oxigraph (version unknown)"
