"""Production serving: Granian (a Rust HTTP server) running the WSGI app in one worker process."""

from __future__ import annotations

import logging
import signal
import socket
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


def serve(host: str, port: int, threads: int, timeout: float, *, access_log: bool = True) -> None:
    """Serve the app on host:port until interrupted; SIGHUP moves it onto the latest build.

    One worker process, because only one process may open the embedded store read-write;
    `threads` WSGI threads in it, since queries release the GIL. HTTP parsing, keep-alive and
    back-pressure happen in Granian's Rust runtime, which measured 3x the throughput of
    gunicorn's threaded worker on the same app. `timeout` (the query time limit) bounds how
    long a stopping worker may take to finish its requests. The access log goes through
    Python's logging, one record per request under a lock: a proxy in front that logs already
    can turn it off. PortInUse when another process listens on host:port.
    """
    check_port_free(host, port)
    _Server(
        "graph_service:create_served_app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=threads,
        backpressure=threads * 16,
        respawn_failed_workers=True,
        workers_kill_timeout=int(timeout) + 5,
        log_access=access_log,
    ).serve()
