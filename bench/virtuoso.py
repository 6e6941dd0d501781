"""OpenLink Virtuoso for the tests and the benchmark: a private server, and the vocab built in.

It lives in bench/ (a package the tests already import, as bench.synth) rather than in tests/
(not a package: the benchmark could not import it) or in graph_service/ (which ships no test
servers). The server runs from Debian's virtuoso-opensource on 127.0.0.1, with a database,
a virtuoso.ini and ports of its own, in its own process group; its dba password and the
account the service writes with are random for each start.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

from graph_service.store.build import BuildReport, build_remote
from graph_service.store.virtuoso import VirtuosoStore, server_setup_sql

#: The Debian package that brings the server (virtuoso-t) and its SQL client (isql-vt).
PACKAGE = "virtuoso-opensource"
#: The account the service writes with (SPARQL_UPDATE role, digest authentication).
WRITER = "graph_service"
#: Seconds to start (about 7 s on an idle machine for a new database) and to stop.
START_SECONDS = 180.0
STOP_SECONDS = 60.0
#: Where the Debian package keeps the pages /sparql needs (its "vsp" root).
VSP_ROOT = Path("/var/lib/virtuoso-opensource-7/vsp")

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = {dirs}
; 8 KB pages: 20,000 buffers (160 MB) are enough for a vocabulary of 100k concepts
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
CheckpointInterval = 60
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
ServerThreads = {http_threads}
MaxClientConnections = {http_threads}
Charset = UTF-8

[SPARQL]
; Virtuoso cuts answers at 10,000 rows by default, silently: a graph dump would be partial
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 120
; 0: no refusal on the optimiser's estimate, which puts skos:broader* paths at 10^7 s
MaxQueryCostEstimationTime = 0
"""


class VirtuosoMissing(RuntimeError):
    """Virtuoso is not installed (virtuoso-t or isql-vt not on PATH)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def binaries() -> tuple[str, str]:
    """The server and SQL client commands, or VirtuosoMissing saying how to install them."""
    server, client = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or client is None:
        raise VirtuosoMissing(
            f"Virtuoso is not installed: `apt-get install -y {PACKAGE}` (as root; "
            "DEBIAN_FRONTEND=noninteractive, no password needed: the tests make their own "
            "database)"
        )
    return server, client


class VirtuosoServer:
    """A private Virtuoso on 127.0.0.1, started in `location` (a new, empty directory)."""

    def __init__(
        self,
        location: Path,
        *,
        readable: tuple[Path, ...] = (),
        buffers: int = 20_000,
        http_threads: int = 10,
    ) -> None:
        """`readable`: more directories its SQL may read files from (the bulk loader's input);
        `buffers`: 8 KB pages of cache; `http_threads`: concurrent HTTP requests it serves."""
        server, self._isql = binaries()
        self.location = location
        self.sql_port, self.http_port = _free_port(), _free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.query_endpoint = self.url + "/sparql"
        self.credentials = f"{WRITER}:{secrets.token_urlsafe(16)}"
        # An SQL identifier, not a string (a letter first): see _set_up_accounts.
        self._dba_password = f"p{secrets.token_hex(16)}"
        ini = location / "virtuoso.ini"
        ini.write_text(
            INI.format(
                dir=location,
                dirs=", ".join(str(d) for d in (location, *readable)),
                buffers=buffers,
                dirty=buffers * 3 // 4,
                http_threads=http_threads,
                sql_port=self.sql_port,
                http_port=self.http_port,
                vsp=VSP_ROOT,
            ),
            encoding="utf-8",
        )
        self._log = (location / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)],
            cwd=location,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        try:
            self._wait_until_up()
            self._set_up_accounts()
        except Exception:
            self.stop()
            raise

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        probe = self.query_endpoint + "?query=ASK%7B%7D"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited ({self.process.returncode}): {self.log()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(probe, timeout=5).ok:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"virtuoso-t did not answer within {START_SECONDS:g} s: {self.log()}")

    def _set_up_accounts(self) -> None:
        """The service's account and graphs (server_setup_sql), and dba's well-known password
        replaced (by an SQL identifier, not a string: a letter first)."""
        user, _, password = self.credentials.partition(":")
        script = server_setup_sql(user, password) + f"SET PASSWORD dba {self._dba_password};\n"
        self.sql(script, password="dba", timeout=120)

    def sql(self, script: str, *, password: str | None = None, timeout: float = 120.0) -> str:
        """Run an isql script as dba; its output, or RuntimeError if it reports an error."""
        done = subprocess.run(
            [self._isql, f"127.0.0.1:{self.sql_port}", "dba", password or self._dba_password],
            input=script,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0 or "Error" in done.stdout + done.stderr:
            raise RuntimeError(f"Virtuoso's isql script failed: {done.stdout}{done.stderr}")
        return done.stdout

    def log(self) -> str:
        """The end of the server's log."""
        with contextlib.suppress(OSError):
            return (self.location / "virtuoso.log").read_text(errors="replace")[-2000:]
        return ""

    def store(self, timeout: float = 30.0) -> VirtuosoStore:
        """A store on this server, writing as the writer account."""
        return VirtuosoStore(self.query_endpoint, credentials=self.credentials, timeout=timeout)

    def empty_store(self, timeout: float = 30.0) -> VirtuosoStore:
        """A store on this server with every graph of ours dropped first."""
        store = self.store(timeout)
        store.update("DROP SILENT ALL")
        return store

    def stop(self) -> None:
        """SIGTERM (Virtuoso shuts down in a second or two), then SIGKILL for the group."""
        self.process.terminate()
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._log.close()


def build_vocab(server: VirtuosoServer, vocab_dir: Path, data_dir: Path) -> BuildReport:
    """Replace the server's graphs with a vocab/ directory (as `graph-service build` does)."""
    return build_remote(vocab_dir, data_dir, server.empty_store(timeout=120.0))
