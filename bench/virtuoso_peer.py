"""Virtuoso as a peer of the read benchmark: a private server bulk-loaded with all.nq, timed."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from graph_service.store.virtuoso import DEFAULT_GRAPH

from .peers import PeerError, Server, Timed, free_port, process_tree_memory, tool
from .virtuoso import VirtuosoMissing, VirtuosoServer, binaries

#: 8 KB pages of cache: 60,000 (470 MB) hold the 2 M-triple dataset and its indexes, so the
#: cells measure queries, not disk reads (Virtuoso's guide: about 2/3 of the RAM it may use).
BUFFERS = 60_000
#: HTTP threads (and connections it accepts): more than the 16 clients of the largest cell,
#: or the extra connections would wait in its queue and the cell would measure that queue.
HTTP_THREADS = 20
#: The bulk loader's input file and its run: the loader reads N-Quads (.nq) with their graphs,
#: and puts a triple without one into the store's default graph (none in all.nq).
LOAD_SQL = """\
ld_dir('{folder}', '{name}', '{default_graph}');
rdf_loader_run();
checkpoint;
SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_state <> 2 OR ll_error IS NOT NULL;
"""


def installed() -> bool:
    """Whether virtuoso-t and isql-vt are on PATH (Debian's virtuoso-opensource)."""
    try:
        binaries()
    except VirtuosoMissing:
        return False
    return True


def version() -> str:
    """The server's version line, for the report."""
    try:
        done = subprocess.run(
            [binaries()[0], "-?"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, VirtuosoMissing, subprocess.TimeoutExpired):
        return "Virtuoso (version unknown)"
    for line in (done.stdout + done.stderr).splitlines():
        if "Version" in line:
            # "Version 7.2.5.3229-pthreads as of Feb  8 2023": the number is what matters
            return "Virtuoso " + line.split("Version", 1)[1].split()[0]
    return "Virtuoso"


class VirtuosoPeer:
    """A Virtuoso server in `location` (emptied first), loaded with `nquads` when started."""

    name = "virtuoso"

    def __init__(self, location: Path, nquads: Path) -> None:
        self.location, self.nquads = location, nquads
        self.server: VirtuosoServer | None = None
        #: The load: wall time of the bulk loader (with its checkpoint), peak RSS of the server.
        self.loaded: Timed | None = None

    @property
    def port(self) -> int:
        """The HTTP port of its SPARQL endpoint (/sparql)."""
        assert self.server is not None, "not started"
        return self.server.http_port

    def start(self) -> VirtuosoPeer:
        """A new database, the service's set-up script, then the bulk load of the quads."""
        shutil.rmtree(self.location, ignore_errors=True)
        self.location.mkdir(parents=True)
        try:
            self.server = VirtuosoServer(
                self.location,
                readable=(self.nquads.parent,),
                buffers=BUFFERS,
                http_threads=HTTP_THREADS,
            )
            began = time.perf_counter()
            out = self.server.sql(
                LOAD_SQL.format(
                    folder=self.nquads.parent, name=self.nquads.name, default_graph=DEFAULT_GRAPH
                ),
                timeout=3600,
            )
            seconds = time.perf_counter() - began
        except (RuntimeError, OSError) as exc:
            self.stop()
            raise PeerError(f"virtuoso: {exc}") from exc
        if not _loaded_cleanly(out):
            self.stop()
            raise PeerError(f"virtuoso: the bulk load reported failed files:\n{out[-1500:]}")
        # The server's own high-water mark: the load ran inside it (no separate process).
        peak = process_tree_memory(self.server.process.pid).get("VmHWM", 0)
        self.loaded = Timed(seconds, peak if isinstance(peak, int) else 0, 0)
        return self

    def stop(self) -> None:
        """Stop the server (its database stays in `location` until the next start)."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    def memory(self) -> dict[str, object]:
        """VmRSS, VmHWM and Pss of the server process (as peers.Server.memory)."""
        if self.server is None:
            return {}
        return process_tree_memory(self.server.process.pid)


def _loaded_cleanly(isql_output: str) -> bool:
    """Whether the LOAD_LIST check printed 0 (files not loaded, or loaded with an error)."""
    numbers = [line.strip() for line in isql_output.splitlines() if line.strip().isdigit()]
    return bool(numbers) and numbers[-1] == "0"


def service_on(
    peer: VirtuosoPeer, vocab_dir: Path, data_dir: Path, log: Path, threads: int | None = None
) -> Server:
    """`graph-service serve` on the peer's data (the Virtuoso backend), not started yet.

    Its data dir holds only what the service keeps beside a remote store (the journal). It is
    ready once its warm-up is done: over HTTP, the warm-up's queries (and the search index it
    reads from the store) take long enough that they would otherwise share the first cells.
    """
    assert peer.server is not None, "start the peer first"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = dict(
        os.environ,
        GRAPH_SERVICE_DATA_DIR=str(data_dir),
        GRAPH_SERVICE_VOCAB_DIR=str(vocab_dir),
        GRAPH_SERVICE_SPARQL_ENDPOINT=peer.server.query_endpoint,
        GRAPH_SERVICE_SPARQL_DIALECT="virtuoso",
        GRAPH_SERVICE_SPARQL_CREDENTIALS=peer.server.credentials,
    )
    port = free_port()
    argv = [tool("graph-service"), "serve", "--port", str(port)]
    if threads:
        argv += ["--threads", str(threads)]
    return Server("graph-service on virtuoso", argv, port, env, log, "/healthz", b'"warm":"ready"')
