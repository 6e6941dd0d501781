"""Production serving with Granian (a Rust HTTP server): one process, or readers beside a writer."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType

from flask import Flask
from granian.constants import Interfaces
from granian.server.mp import MPServer

from graph_service.config import Config
from graph_service.web.backend import reload_store

log = logging.getLogger(__name__)

#: Logged when a SIGHUP finds the build being served still the latest one.
NOTHING_TO_RELOAD = "already serving the latest build: nothing to reload"
#: Logged (with the build's name) when a SIGHUP moved the server onto a new build.
NOW_SERVING = "SIGHUP: now serving build"
#: The file SIGHUP writes in DATA_DIR and the serving worker watches.
RELOAD_REQUEST = "reload-request"
RELOAD_POLL_SECONDS = 0.25


class PortInUse(OSError):
    """Another process listens on the address the server was asked to serve on."""


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUse when something listens on host:port already.

    Granian binds with SO_REUSEPORT, which lets a second server bind a port a first one
    (Granian too) serves: both then said "Listening at" and the kernel shared the connections
    between them, each answering from its own store. A socket bound without SO_REUSEPORT is
    refused while any other listens there, which is the check (SO_REUSEADDR only lets it past
    the connections of a server that just stopped).
    """
    for family, kind, proto, _, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    ):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise PortInUse(
                    exc.errno,
                    f"cannot serve on {host}:{port}: {exc.strerror} (is another "
                    "server running there? stop it, or choose another --port)",
                ) from exc


class _Server(MPServer):
    """Granian (worker processes) whose SIGHUP moves the running worker onto the latest build.

    Granian's own reload starts a new worker process and stops the old one a few seconds
    later: the new one could not open the store the old one held (RocksDB allows one
    read-write open), and answered 503 meanwhile (76 requests of 1,917 under 4 clients), and
    an old worker slow to drain was killed with its connections. Here the signal is passed on
    to the worker, which swaps its store handle in place (web/backend.py reload_store).
    """

    def signal_handler_reload(self, *args: object, **kwargs: object) -> None:
        """Tell the worker to reload (a new number in its request file) instead of replacing
        it. Not a signal to the worker: a Python handler there runs only when its main thread
        runs Python code, and under load it sits in the server's native loop (a SIGHUP passed
        on was seen to wait for ever)."""
        request_reload(Config.from_env().data_dir)


def request_reload(data_dir: Path) -> None:
    """Ask the serving worker to move onto the latest build (what SIGHUP does)."""
    path = Path(data_dir) / RELOAD_REQUEST
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(time.time_ns()), encoding="ascii")


def reload_on_sighup(app: Flask) -> None:
    """Make SIGHUP move `app` onto the latest build (in the production server's worker): a
    thread watches the request file the server's main process writes on SIGHUP."""
    lock = threading.Lock()
    path = Path(app.config["DATA_DIR"]) / RELOAD_REQUEST

    def reload() -> None:
        with lock:
            try:
                store = reload_store(app)
            except Exception:  # the old store serves on: say why the new one did not open
                log.exception("SIGHUP: the latest build could not be opened; serving on")
                return
            if store is None:
                log.warning(NOTHING_TO_RELOAD)
            else:
                log.warning("%s %s", NOW_SERVING, store.path.name if store.path else "")

    def stamp() -> str:
        try:
            return path.read_text(encoding="ascii")
        except OSError:
            return ""

    def watch() -> None:
        seen = stamp()
        while True:
            time.sleep(RELOAD_POLL_SECONDS)
            current = stamp()
            if current != seen:
                seen = current
                reload()

    threading.Thread(target=watch, name="reload-watch", daemon=True).start()

    def on_sighup(signum: int, frame: FrameType | None) -> None:
        # A SIGHUP sent to the worker itself asks the same (whenever Python gets to run it).
        request_reload(Path(app.config["DATA_DIR"]))

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGHUP, on_sighup)


def serve(
    host: str,
    port: int,
    threads: int,
    timeout: float,
    *,
    access_log: bool = True,
    readers: int = 0,
) -> None:
    """Serve the app on host:port until interrupted; SIGHUP moves it onto the latest build.

    One worker process, because only one process may open the embedded store read-write;
    `threads` WSGI threads in it, since queries release the GIL. HTTP parsing, keep-alive and
    back-pressure happen in Granian's Rust runtime, which measured 3x the throughput of
    gunicorn's threaded worker on the same app. `timeout` (the query time limit) bounds how
    long a stopping worker may take to finish its requests. The access log goes through
    Python's logging, one record per request under a lock: a proxy in front that logs already
    can turn it off. PortInUse when another process listens on host:port.

    With `readers` > 0, that many reader processes serve host:port and the one process that
    writes listens on a private Unix socket behind them (serve_with_readers).
    """
    check_port_free(host, port)
    from graph_service.web.prerender import SERVED_AT_ENV

    # The processes started below render pages ahead for requests to this address.
    os.environ[SERVED_AT_ENV] = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if readers > 0:
        serve_with_readers(host, port, threads, timeout, readers, access_log=access_log)
        return
    _granian(
        "create_served_app",
        threads,
        timeout,
        workers=1,
        access_log=access_log,
        address=host,
        port=port,
    ).serve()


def _granian(
    factory: str,
    threads: int,
    timeout: float,
    *,
    workers: int,
    access_log: bool,
    **bind: object,
) -> _Server:
    """Granian serving graph_service's `factory` app on `bind` (address and port, or uds),
    with the settings every one of our processes shares."""
    return _Server(
        f"graph_service:{factory}",
        factory=True,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        backpressure=threads * 16,
        respawn_failed_workers=True,
        workers_kill_timeout=int(timeout) + 5,  # a stopping worker finishes its queries
        log_access=access_log,
        **bind,  # type: ignore[arg-type]  # address and port, or uds: each of its own type
    )


# --- reader processes beside one writing process (serve --readers N) ------------------------

#: Seconds the writing process may take to start and answer its first request.
WRITER_START_SECONDS = 120.0
#: Seconds a reader waits on the writer for a forwarded request's answer (imports and large
#: updates take long; only a writer that hangs is cut).
FORWARD_TIMEOUT_SECONDS = 300.0
_WRITER_BOOT = (
    "import sys; from graph_service.web.server import serve_writer; "
    "serve_writer(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))"
)


def serve_with_readers(
    host: str, port: int, threads: int, timeout: float, readers: int, *, access_log: bool
) -> None:
    """Serve host:port with `readers` reader processes (read-only store handles, queries run
    in them) and one writing process behind them on a Unix socket, restarted if it ends.

    Readers answer reads on several cores; writes, the editor, sign-in and what needs the
    search index go to the writer (web/replicas.py). The access log is the readers' (one
    line per request, forwarded or not). Only the embedded store can be shared this way.
    """
    config = Config.from_env()
    if config.sparql_endpoint:
        raise ValueError(
            "GRAPH_SERVICE_READERS needs the embedded store: with GRAPH_SERVICE_SPARQL_ENDPOINT "
            "the SPARQL server is the one to scale (serve several instances instead)"
        )
    from graph_service.web.accounts import load_secret_key
    from graph_service.web.replicas import WRITER_SOCKET_ENV

    if not config.secret_key:
        load_secret_key(config.data_dir)  # made once here, not raced by the processes
    from graph_service.web.reader_warmth import READERS_COUNT_ENV, READERS_DIR_ENV

    run_dir = Path(tempfile.mkdtemp(prefix="graph-service-"))  # 0700: only we reach the socket
    # Where readers say which data version they warmed, for the writer's /healthz.
    os.environ[READERS_DIR_ENV] = str(run_dir / "readers")
    os.environ[READERS_COUNT_ENV] = str(readers)
    writer = WriterProcess(run_dir / "writer.sock", threads, timeout)
    try:
        writer.start()
        writer.wait_ready(WRITER_START_SECONDS)
        writer.supervise()
        os.environ[WRITER_SOCKET_ENV] = str(writer.socket_path)  # the readers' factory reads it
        _granian(
            "create_reader_app",
            threads,
            timeout,
            workers=readers,
            access_log=access_log,
            address=host,
            port=port,
        ).serve()
    finally:
        writer.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


def serve_writer(socket_path: str, threads: int, timeout: float) -> None:
    """The writing process (started by serve_with_readers): the full app on a Unix socket,
    ended when the process that started it is gone (even killed)."""
    parent = os.getppid()

    def orphaned() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=orphaned, name="parent-watch", daemon=True).start()
    _granian(
        "create_writer_app",
        threads,
        timeout,
        workers=1,
        access_log=False,
        uds=Path(socket_path),
        uds_permissions=0o600,
    ).serve()


class WriterProcess:
    """The writing process: started, waited for, restarted when it ends, stopped."""

    def __init__(self, socket_path: Path, threads: int, timeout: float) -> None:
        self.socket_path, self.threads, self.timeout = socket_path, threads, timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        """Start the process (in its own session: a Ctrl-C is for us to pass on)."""
        self.socket_path.unlink(missing_ok=True)  # an ended writer's socket file stays
        args = [str(self.socket_path), str(self.threads), str(self.timeout)]
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WRITER_BOOT, *args], start_new_session=True
        )

    def answers(self) -> bool:
        """Whether the writer answers a request on its socket (any status)."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.settimeout(30.0)
                client.connect(str(self.socket_path))
                client.sendall(
                    b"GET /healthz HTTP/1.1\r\nHost: writer\r\nConnection: close\r\n\r\n"
                )
                return client.recv(16).startswith(b"HTTP/1.1 ")
        except OSError:
            return False

    def wait_ready(self, seconds: float) -> None:
        """Wait until the writer answers (RuntimeError if it ends or takes too long)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the writing process ended at start (exit {self.process.returncode})"
                )
            if self.socket_path.exists() and self.answers():
                return
            time.sleep(0.1)
        raise RuntimeError(f"the writing process did not answer within {seconds:g} s")

    def supervise(self) -> None:
        """Start a thread that starts the writer again whenever it ends unasked."""

        def watch() -> None:
            while not self._stopping.is_set():
                assert self.process is not None
                code = self.process.wait()
                if self._stopping.is_set():
                    return
                log.error("the writing process ended (exit %s): starting another", code)
                time.sleep(1.0)
                if not self._stopping.is_set():
                    self.start()

        threading.Thread(target=watch, name="writer-watch", daemon=True).start()

    def stop(self) -> None:
        """Stop the writer: SIGTERM (Granian finishes its requests), then SIGKILL."""
        self._stopping.set()
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(self.timeout + 10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
