"""How close any CPython front can come to `oxigraph serve` on unique SPARQL queries.

`python -m bench.floor` serves the benchmark's built dataset three ways, one after the other,
and loads each with wrk on unique query texts (no answer cache can help):

- `oxigraph serve-read-only` (Rust end to end: the peer of the main benchmark);
- the floor: bench/floor_app.py on Granian (a bare WSGI app running each query in-process,
  with nothing graph-service needs around it: no time limit, no log, no cache), in one and
  two worker processes, and the same through Granian's RSGI interface in two (`rsgi2`);
- `graph-service serve` itself.

Besides requests per second it reports the CPU each server's processes spent per answered
query (user + system, from /proc), a figure that moves less than throughput when the machine
is shared. Run `python -m bench --only build` first (it builds `bench/out`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import peers, wrk
from .load import warm_up
from .synth import SynthSummary
from .workload import QUERIES, SPARQL_HEADERS, Pools, sparql_paths

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Row:
    """One measured cell."""

    server: str
    query: str
    clients: int
    per_second: float
    cpu_ms: float
    errors: int


def cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and its descendants (the server's workers)."""
    total = 0
    for pid in peers._tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (cutime: reaped children)
    return total / _TICKS


def _floor(
    store: Path, log: Path, workers: int, threads: int, interface: str = "wsgi"
) -> peers.Server:
    port = peers.free_port()
    target = "bench.floor_app:app" if interface == "wsgi" else "bench.floor_app:rsgi_app"
    argv = [
        peers.tool("granian"), "--interface", interface, "--host", peers.HOST,
        "--port", str(port), "--workers", str(workers), "--blocking-threads", str(threads),
        "--log-level", "warning", target,
    ]  # fmt: skip
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, BENCH_FLOOR_STORE=str(store.resolve()), PYTHONPATH=root)
    return peers.Server(f"floor w{workers}", argv, port, env, log, "/?query=ASK%7B%7D")


def _oxigraph(location: Path, log: Path) -> peers.Server:
    port = peers.free_port()
    argv = [
        peers.tool("oxigraph"), "serve-read-only", "-l", str(location),
        "-b", f"{peers.HOST}:{port}", "--union-default-graph",
    ]  # fmt: skip
    return peers.Server("oxigraph", argv, port, dict(os.environ), log, "/query?query=ASK%7B%7D")


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table (Markdown) and write it beside the JSON figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--queries", default="concept,children,ancestors,resources,label")
    parser.add_argument("--clients", default="4,16")
    parser.add_argument("--duration", type=int, default=5, help="seconds per cell")
    parser.add_argument("--servers", default="oxigraph,floor1,floor2,rsgi2,ours")
    parser.add_argument(
        "--readers", type=int, default=2, help="ours: reader processes (serve --readers)"
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    summary = SynthSummary(**json.loads((out / "synth.json").read_text()))
    pools = Pools(summary, seed=summary.seed)
    store = (out / "data" / "current").resolve()
    logs = out / "logs"
    factories = {
        "oxigraph": lambda: (_oxigraph(out / "oxigraph", logs / "floor-oxigraph.log"), "/query"),
        "floor1": lambda: (_floor(store, logs / "floor1.log", 1, 4), "/"),
        "floor2": lambda: (_floor(store, logs / "floor2.log", 2, 4), "/"),
        "rsgi2": lambda: (_floor(store, logs / "rsgi2.log", 2, 1, "rsgi"), "/"),
        "ours": lambda: (
            peers.ours(out / "data", out / "vocab", logs / "floor-ours.log", readers=args.readers),
            "/sparql",
        ),
    }
    queries = [q for q in QUERIES if q.name in args.queries.split(",")]
    clients = [int(c) for c in args.clients.split(",")]
    rows: list[Row] = []
    offset = 0
    started = time.strftime("%Y-%m-%d %H:%M")
    load_at_start = os.getloadavg()
    for name in args.servers.split(","):
        server, route = factories[name]()
        with server:
            assert server.process is not None
            for query in queries:
                for count in clients:
                    warm = sparql_paths(pools, query, route, "unique", offset, 500, tag="w")
                    warm_up(peers.HOST, server.port, warm, SPARQL_HEADERS, concurrency=count,
                            seconds=1)  # fmt: skip
                    offset += 500
                    paths = sparql_paths(pools, query, route, "unique", offset, 200_000)
                    offset += 200_000
                    before = cpu_seconds(server.process.pid)
                    cell = wrk.run_cell(peers.HOST, server.port, paths, SPARQL_HEADERS,
                                        concurrency=count, max_requests=200_000,
                                        max_seconds=args.duration)  # fmt: skip
                    spent = cpu_seconds(server.process.pid) - before
                    row = Row(name, query.name, count, cell.requests / cell.seconds,
                              1000 * spent / max(1, cell.requests), cell.errors)  # fmt: skip
                    rows.append(row)
                    print(row, file=sys.stderr, flush=True)
    text = _table(rows, started, load_at_start)
    print(text)
    (out / "floor.md").write_text(text, encoding="utf-8")
    (out / "floor.json").write_text(json.dumps([r.__dict__ for r in rows], indent=1))
    return 0


def _table(rows: list[Row], started: str, load: tuple[float, float, float]) -> str:
    """Markdown: each cell with its ratio to oxigraph's (throughput and CPU per query)."""
    peer = {(r.query, r.clients): r for r in rows if r.server == "oxigraph"}
    lines = [
        f"### CPython floor, {started} (load average at start {load[0]:.2f}, {load[1]:.2f}, "
        f"{load[2]:.2f})",
        "",
        "| server | query | clients | queries/s | ×oxigraph | CPU ms/query | oxigraph CPU/ours |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ref = peer.get((r.query, r.clients))
        ratio = f"{r.per_second / ref.per_second:.2f}×" if ref and ref.per_second else ""
        cpu = f"{ref.cpu_ms / r.cpu_ms:.2f}×" if ref and r.cpu_ms else ""
        errors = f" ({r.errors} errors)" if r.errors else ""
        lines.append(
            f"| {r.server} | {r.query} | {r.clients} | {r.per_second:,.0f}{errors} | {ratio} "
            f"| {r.cpu_ms:.3f} | {cpu} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
