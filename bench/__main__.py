"""`python -m bench` (`make bench`): generate the synthetic dataset, measure, print one table."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from . import peers, virtuoso_peer, wrk
from .imported import Scenario, run_imported
from .load import CLIENT
from .report import Report
from .resident import resident
from .runner import (
    Layout,
    Settings,
    add_peer_build,
    ensure_built,
    measure_build,
    measure_memory,
    measure_pages,
    measure_sparql,
)
from .synth import load_or_generate
from .workload import PAGES, QUERIES, Pools
from .writes import WritesError, WritesSettings, run_writes

BENCH_DIR = Path(__file__).resolve().parent
PARTS = ("build", "sparql", "pages", "memory")
PEERS = ("oxigraph", "virtuoso")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--concepts", type=int, help="concepts (default 100000; --quick 5000)")
    parser.add_argument("--resources", type=int, help="resources (default 200000; --quick 10000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=float, help="seconds per measured cell (default 5)")
    parser.add_argument("--warmup", type=float, help="unmeasured seconds before each cell")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=100_000,
        help="most requests per cell (each cell stops at this or --duration)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 5,000 concepts, 10,000 resources, 1 s cells",
    )
    parser.add_argument(
        "--scenario",
        choices=("read", "writes", "imported"),
        default="read",
        help="read: the synthetic dataset against oxigraph (default); writes: after an import "
        "of STW, one-triple updates each followed by a query; imported: UNESCO and STW imported "
        "next to the synthetic data, every page and endpoint of theirs cold and warm (see "
        "bench/README.md)",
    )
    parser.add_argument(
        "--cold-only",
        action="store_true",
        help="imported scenario: the cold phase alone (a service version without warm-up)",
    )
    parser.add_argument(
        "--rounds", type=int, default=20, help="writes scenario: measured rounds (default 20)"
    )
    parser.add_argument("--only", choices=PARTS, help="run one part (builds stores if needed)")
    parser.add_argument(
        "--peers",
        default="auto",
        help="servers to compare with, comma-separated: oxigraph, virtuoso (default auto: "
        "both, virtuoso only when Debian's virtuoso-opensource is installed)",
    )
    parser.add_argument(
        "--sparql-modes",
        default="repeated,unique",
        help="SPARQL modes to measure, comma-separated (repeated, unique)",
    )
    parser.add_argument(
        "--queries",
        default=",".join(q.name for q in QUERIES),
        help="SPARQL queries to measure, comma-separated (default: all five)",
    )
    parser.add_argument("--clients", default="1,4,16", help="SPARQL client counts, comma-separated")
    parser.add_argument(
        "--client",
        choices=("auto", "python", "wrk"),
        default="auto",
        help="load client of the measured cells (auto: wrk when installed)",
    )
    parser.add_argument("--threads", type=int, help="our server's threads (GRAPH_SERVICE_THREADS)")
    parser.add_argument(
        "--readers",
        type=int,
        default=2,
        help="our server's reader processes beside its writer (serve --readers; default 2, "
        "one per core of the 2-core reference machine; 0: one process)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="dataset and store directory (default bench/out, or bench/out/quick with --quick)",
    )
    parser.add_argument(
        "--output", type=Path, help="Markdown table (and .json beside it); default <out>/results.md"
    )
    return parser


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _io_pressure() -> str:
    """How much the machine waited on its disk lately (Linux PSI), or "" where unknown: on a
    machine that trims its page cache (a VM reclaiming cold pages), the stores are read from
    disk and every figure of the run drops, ours and the peers' alike."""
    try:
        for line in Path("/proc/pressure/io").read_text().splitlines():
            if line.startswith("full"):
                fields = dict(part.split("=") for part in line.split()[1:])
                return (
                    f"I/O pressure (PSI, every task stalled on I/O): {fields['avg60']}% of the "
                    f"last minute, {fields['avg300']}% of the last 5"
                )
    except (OSError, ValueError, KeyError):
        pass
    return ""


def _page_cache() -> str:
    """The page cache's size now (what of the stores can be read without the disk)."""
    try:
        fields = {
            line.split(":")[0]: int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
        }
        return f"page cache {fields['Cached'] / 1024:,.0f} MiB"
    except (OSError, ValueError, KeyError, IndexError):
        return ""


def _disk_state() -> str:
    """I/O pressure and page cache, for the conditions at the start and the end of a run."""
    return "; ".join(part for part in (_io_pressure(), _page_cache()) if part)


def _machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{int(memory) / 1024**2:.0f} GiB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    return f"{os.cpu_count()} cores ({model}), {ram}, {platform.system()} {platform.release()}"


def _peers(wanted: str) -> tuple[list[str], list[str]]:
    """(peers to run, notes for the report): virtuoso is skipped, saying so, when missing."""
    names = list(PEERS) if wanted == "auto" else [n.strip() for n in wanted.split(",") if n]
    unknown = [n for n in names if n not in PEERS]
    if unknown:
        raise SystemExit(f"--peers: unknown {', '.join(unknown)} (known: {', '.join(PEERS)})")
    notes = []
    if "virtuoso" in names and not virtuoso_peer.installed():
        names.remove("virtuoso")
        notes.append(
            "virtuoso: SKIPPED, not installed (apt-get install -y virtuoso-opensource, as root)"
        )
    return names, notes


def _peer_conditions(names: list[str], threads: int, pages: bool) -> list[str]:
    """What each peer is, for the conditions above the table."""
    lines = []
    if "oxigraph" in names:
        lines.append(
            f"peer: {peers.oxigraph_version()} serve --union-default-graph (our /sparql's "
            "default graph is the union too)"
        )
    if "virtuoso" in names:
        lines.append(
            f"peer: {virtuoso_peer.version()} (Debian's virtuoso-opensource), a private "
            f"database bulk-loaded from all.nq (ld_dir + rdf_loader_run + checkpoint: its build "
            f"figures are that load, inside the server, whose buffers of "
            f"{virtuoso_peer.BUFFERS * 8 // 1024} MiB are allocated at its start), set up as "
            "the service's Virtuoso backend (README, Scaling out): its default graph is the "
            f"union of the graphs, without its own; {virtuoso_peer.HTTP_THREADS} HTTP threads"
        )
    if "virtuoso" in names and pages:
        lines.append(
            f"pages, virtuoso column: graph-service ({threads} threads) on the Virtuoso backend "
            "(GRAPH_SERVICE_SPARQL_ENDPOINT, dialect virtuoso) against ours on its embedded "
            "store, the same requests; ratio of throughputs; measured once its warm-up is done"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the parts asked for and print the table; 0 unless something could not run."""
    args = _parser().parse_args(argv)
    if args.scenario == "writes":
        return _writes(args)
    if args.scenario == "imported":
        return _imported(args)
    peer_names, peer_notes = _peers(args.peers)
    for note in peer_notes:
        _progress(note)
    concepts = args.concepts or (5_000 if args.quick else 100_000)
    resources = args.resources or (10_000 if args.quick else 200_000)
    duration = args.duration or (1.0 if args.quick else 5.0)
    warmup = args.warmup if args.warmup is not None else (0.3 if args.quick else 1.0)
    out = args.out or (BENCH_DIR / "out" / "quick" if args.quick else BENCH_DIR / "out")
    layout = Layout(out.resolve())
    parts = [args.only] if args.only else list(PARTS)
    client = args.client
    if client == "auto":
        client = "wrk" if wrk.available() else "python"
    elif client == "wrk" and not wrk.available():
        _progress("wrk is not installed (apt-get install wrk): using the Python client")
        client = "python"
    settings = Settings(
        duration=duration,
        warmup=warmup,
        max_requests=args.max_requests,
        client=client,
        sparql_modes=tuple(m for m in args.sparql_modes.split(",") if m in ("repeated", "unique")),
        queries=tuple(q for q in args.queries.split(",") if q),
        sparql_clients=tuple(int(c) for c in args.clients.split(",") if c),
    )

    _progress(
        f"dataset: {concepts:,} concepts, {resources:,} resources (seed {args.seed}) "
        f"in {layout.root}"
    )
    summary, generated = load_or_generate(layout.root, concepts, resources, args.seed, _progress)
    key = f"{concepts}-{resources}-{args.seed}-{summary.version}"
    load_avg = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    report = Report(
        title=f"graph-service benchmark, {datetime.now():%Y-%m-%d %H:%M}"
        f"{' (quick smoke run)' if args.quick else ''}"
    )
    threads = args.threads or int(os.environ.get("GRAPH_SERVICE_THREADS", "8"))
    report.conditions += [
        f"machine: {_machine()}; load average at start {load_avg}; at start: {_disk_state()}",
        f"dataset: {concepts:,} concepts, {resources:,} resources, {summary.triples:,} triples "
        f"(seed {args.seed}; generated in {summary.seconds:.1f} s"
        f"{'' if generated else ', reused'})",
        f"ours: graph-service serve (Granian WSGI, {_processes(args.readers)}, {threads} threads, "
        f"Python {platform.python_version()}; GRAPH_SERVICE_QUERIES_PER_CLIENT="
        f"{os.environ.get('GRAPH_SERVICE_QUERIES_PER_CLIENT', peers.QUERIES_PER_CLIENT)}: "
        "every client of the bench has the address 127.0.0.1; GRAPH_SERVICE_ACCESS_LOG="
        f"{os.environ.get('GRAPH_SERVICE_ACCESS_LOG', '0')}: oxigraph serve logs no requests "
        "either); measured once /healthz says its search index and warm-up are ready",
        *_peer_conditions(peer_names, threads, "pages" in parts),
        *peer_notes,
        f"clients: SPARQL cells {wrk.CLIENT if client == 'wrk' else CLIENT}; page cells {CLIENT}"
        f"; each cell at most {duration:g} s"
        f"{' (whole seconds for wrk)' if client == 'wrk' else ''} or "
        f"{args.max_requests:,} requests, after {warmup:g} s of warm-up; "
        f"client and servers share the machine's {os.cpu_count()} cores",
        "SPARQL modes: repeated = the same query text every time; unique = a different concept "
        "(or label) per request, the same sequence for every server",
    ]
    report.raw["settings"] = {
        "concepts": concepts,
        "resources": resources,
        "seed": args.seed,
        "duration": duration,
        "warmup": warmup,
        "max_requests": args.max_requests,
        "client": client,
        "threads": threads,
        "queries": [q.name for q in QUERIES],
        "pages": [p.name for p in PAGES],
        "peers": peer_names,
    }
    started = time.perf_counter()
    servers: dict[str, peers.Server | virtuoso_peer.VirtuosoPeer] = {}
    backends: dict[str, peers.Server] = {}  # graph-service on another backend, for the pages
    with_oxigraph = "oxigraph" in peer_names
    kept = contextlib.ExitStack()  # the stores locked in memory while they are measured
    try:
        built = None
        if "build" in parts:
            built = measure_build(layout, key, report, _progress, with_oxigraph)
        if {"sparql", "pages", "memory"} & set(parts):
            ensure_built(layout, key, _progress, with_oxigraph)
        if "virtuoso" in peer_names:
            # Loaded afresh each run (about as long as oxigraph's load): timed when the build
            # part runs, and kept serving for the other parts.
            _progress("virtuoso: a new database, bulk load of all.nq ...")
            peer = virtuoso_peer.VirtuosoPeer(layout.root / "virtuoso", layout.nquads)
            servers["virtuoso"] = peer
            peer.start()
            assert peer.loaded is not None
            _progress(
                f"  {peer.loaded.seconds:.1f} s, peak {peer.loaded.max_rss_kb / 1024:.0f} MiB"
            )
            if built is not None:
                add_peer_build(report, "virtuoso", built, peer.loaded)
        if {"sparql", "pages", "memory"} & set(parts):
            pools = Pools(summary, args.seed)
            stores = [layout.data / "current", layout.data / "read-model"]
            if with_oxigraph:
                stores.append(layout.oxigraph)
            if "virtuoso" in servers:
                stores.append(layout.root / "virtuoso")
            _progress("locking the stores in memory ...")
            report.conditions.append(
                kept.enter_context(resident(stores, layout.logs / "vmtouch.pid"))
            )
            _progress(f"starting graph-service and {', '.join(peer_names) or 'no peer'} ...")
            # Until its pages are rendered ahead too: ~10 minutes at 100,000 concepts.
            servers["ours"] = peers.ours(
                layout.data, layout.vocab, layout.logs / "ours.log", args.threads, args.readers
            ).start(timeout=3600)
            report.conditions.append(_pages_rendered(servers["ours"]))
            # The pages file, written while the server started, is read by every concept page
            # cell: kept in memory as the stores are (a run that left it out read it from the
            # disk after the machine paged it out: p99 89 ms at 1 client instead of 2.3 ms).
            report.conditions.append(
                kept.enter_context(
                    resident(
                        [layout.data / name for name in PAGES_FILES],
                        layout.logs / "vmtouch-pages.pid",
                    )
                )
            )
            if with_oxigraph:
                servers["oxigraph"] = peers.oxigraph(
                    layout.oxigraph, layout.logs / "oxigraph.log"
                ).start()
            # Ours first, then the peers in --peers order: each cell runs them in that order.
            servers = {name: servers[name] for name in ("ours", *peer_names)}
            if "sparql" in parts:
                measure_sparql(servers, pools, settings, report, _progress)
            if "pages" in parts and "virtuoso" in servers:
                _progress("starting graph-service on the Virtuoso backend (until warm) ...")
                backends["virtuoso"] = virtuoso_peer.service_on(
                    servers["virtuoso"],  # type: ignore[arg-type]
                    layout.vocab,
                    layout.root / "data-virtuoso",
                    layout.logs / "ours-on-virtuoso.log",
                    args.threads,
                ).start(timeout=1800)
            if "pages" in parts:
                peer_servers = {n: s for n, s in servers.items() if n != "ours"}
                measure_pages(
                    servers["ours"], pools, settings, report, _progress, backends, peer_servers
                )
            if parts == ["memory"]:
                # Memory alone: serve a little of everything first, so caches are populated.
                light = Settings(
                    duration=min(duration, 1.0),
                    warmup=0,
                    max_requests=2_000,
                    sparql_clients=(4,),
                    page_clients=(4,),
                )
                measure_sparql(servers, pools, light, Report("scratch"), _progress)
                measure_pages(servers["ours"], pools, light, Report("scratch"), _progress)
            if "memory" in parts:
                measure_memory(servers, report, _progress)
    except peers.PeerError as exc:
        _progress(f"error: {exc}")
        report.conditions.append(f"ERROR: {exc}".splitlines()[0])
        return _finish(report, args, layout, started, status=1)
    finally:
        for server in [*backends.values(), *servers.values()]:
            server.stop()
        kept.close()
    return _finish(report, args, layout, started, status=0)


def _writes(args: argparse.Namespace) -> int:
    """The writes scenario alone: its own store under <out>/writes, its own table."""
    out = (args.out or BENCH_DIR / "out").resolve()
    report = Report(title=f"graph-service writes benchmark, {datetime.now():%Y-%m-%d %H:%M}")
    report.conditions.append(f"machine: {_machine()}; ours: {_ours(args)}")
    settings = WritesSettings(rounds=args.rounds, seed=args.seed)
    return _run_scenario(
        report,
        lambda: run_writes(out, settings, report, _progress, args.threads),
        args.output or out / "writes" / "results.md",
    )


def _imported(args: argparse.Namespace) -> int:
    """The imported-vocabularies scenario alone: its store under <out>/imported, its table."""
    out = (args.out or BENCH_DIR / "out").resolve()
    report = Report(title=f"graph-service imported vocabularies, {datetime.now():%Y-%m-%d %H:%M}")
    load_avg = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    report.conditions.append(
        f"machine: {_machine()}; load average at start {load_avg}; at start: {_disk_state()}; "
        f"ours: {_ours(args)}"
    )
    scenario = Scenario(
        out,
        concepts=args.concepts or (5_000 if args.quick else 100_000),
        resources=args.resources or (10_000 if args.quick else 200_000),
        seed=args.seed,
        threads=args.threads,
        warm_phase=not args.cold_only,
    )
    return _run_scenario(
        report,
        lambda: run_imported(scenario, report, _progress),
        args.output or out / "imported" / "results.md",
    )


#: The file of pages rendered ahead and its write-ahead log, in the data directory.
PAGES_FILES = ("prerendered-pages.sqlite", "prerendered-pages.sqlite-wal")


def _pages_rendered(server: peers.Server) -> str:
    """The run's condition line on the pages rendered ahead before the cells (from /healthz)."""
    import json

    try:
        _, body = peers.fetch(peers.HOST, server.port, "/healthz", {}, timeout=60)
        rendered = json.loads(body).get("pages_rendered", {})
    except (OSError, ValueError):
        rendered = {}
    if "pages" not in rendered:
        return "pages rendered ahead: none (see /healthz)"
    return (
        f"pages rendered ahead before the cells: {rendered['pages']:,} (schemes and concepts, "
        f"French interface) in {rendered['seconds']:.0f} s by the render processes"
    )


def _processes(readers: int) -> str:
    """How our server's processes are described in the conditions."""
    if readers > 0:
        return f"{readers} reader processes beside 1 writing process"
    return "1 worker process"


def _ours(args: argparse.Namespace) -> str:
    """How our server runs, for a scenario's conditions."""
    threads = args.threads or int(os.environ.get("GRAPH_SERVICE_THREADS", "8"))
    return (
        f"graph-service serve (Granian WSGI, 1 worker, {threads} threads, "
        f"Python {platform.python_version()})"
    )


def _run_scenario(report: Report, run: Callable[[], object], output: Path) -> int:
    """Run a scenario's measurement; on a failure, the error goes in the table (status 1).
    Either way the table is printed and written with how long the run took."""
    started = time.perf_counter()
    try:
        run()
    except (peers.PeerError, WritesError) as exc:
        _progress(f"error: {exc}")
        report.conditions.append(f"ERROR: {exc}".splitlines()[0])
        status = 1
    else:
        status = 0
    report.conditions.append(
        f"run took {time.perf_counter() - started:.0f} s; at the end: {_disk_state()}"
    )
    print(report.text())
    for path in report.write(output):
        _progress(f"wrote {path}")
    return status


def _finish(
    report: Report, args: argparse.Namespace, layout: Layout, started: float, status: int
) -> int:
    report.conditions.append(
        f"run took {time.perf_counter() - started:.0f} s; at the end: {_disk_state()}"
    )
    print(report.text())
    written = report.write(args.output or layout.root / "results.md")
    for path in written:
        _progress(f"wrote {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
