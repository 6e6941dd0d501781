"""The four measurements (build, SPARQL, pages, memory), each adding its rows to the report."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from . import peers, wrk
from .load import CellResult, fetch, run_cell, warm_up
from .report import Report, Row, geometric_mean, mb, ms, rate, ratio, seconds, times, verdict
from .workload import PAGES, QUERIES, SPARQL_HEADERS, Pools, Query, page_paths, sparql_paths

ROUTES = {"ours": "/sparql", "oxigraph": "/query"}
SPARQL_TARGETS = {"repeated": 1.0, "unique": 0.6}


@dataclass
class Settings:
    """How long and how hard each cell runs."""

    duration: float
    warmup: float
    max_requests: int
    sparql_clients: tuple[int, ...] = (1, 4, 16)
    page_clients: tuple[int, ...] = (1, 16)
    client: str = "python"  # or "wrk"
    sparql_modes: tuple[str, ...] = ("repeated", "unique")
    queries: tuple[str, ...] = tuple(q.name for q in QUERIES)


@dataclass
class Layout:
    """Where the dataset, the two stores and the logs live."""

    root: Path

    @property
    def vocab(self) -> Path:
        return self.root / "vocab"

    @property
    def nquads(self) -> Path:
        return self.root / "all.nq"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def oxigraph(self) -> Path:
        return self.root / "oxigraph"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def env(self) -> dict[str, str]:
        """The environment our commands run with: the synthetic vocab/ and data dir."""
        return dict(
            os.environ,
            GRAPH_SERVICE_VOCAB_DIR=str(self.vocab),
            GRAPH_SERVICE_DATA_DIR=str(self.data),
        )


def _build_ours(layout: Layout) -> peers.Timed:
    argv = [peers.tool("graph-service"), "build", "--force", "--no-validate"]
    return peers.timed_run(argv, layout.env(), layout.logs / "build-ours.log")


def _load_oxigraph(layout: Layout) -> peers.Timed:
    shutil.rmtree(layout.oxigraph, ignore_errors=True)
    layout.oxigraph.mkdir(parents=True)
    argv = [peers.tool("oxigraph"), "load", "-l", str(layout.oxigraph), "-f", str(layout.nquads)]
    return peers.timed_run(argv, dict(os.environ), layout.logs / "load-oxigraph.log")


def _marker(path: Path, key: str, write: bool = False) -> bool:
    """Whether `path` was built from the dataset `key` (or record that it now is)."""
    marker = path.with_name(path.name + ".dataset")
    if write:
        marker.write_text(key)
        return True
    return marker.is_file() and marker.read_text() == key and path.is_dir()


def measure_build(layout: Layout, key: str, report: Report, progress) -> None:
    """Our build against `oxigraph load` of the same quads: wall time and peak RSS."""
    progress("build: graph-service build --force --no-validate ...")
    ours = _build_ours(layout)
    _marker(layout.data, key, write=True)
    progress(f"  {ours.seconds:.1f} s, peak {ours.max_rss_kb / 1024:.0f} MiB")
    progress("build: oxigraph load ...")
    peer = _load_oxigraph(layout)
    _marker(layout.oxigraph, key, write=True)
    progress(f"  {peer.seconds:.1f} s, peak {peer.max_rss_kb / 1024:.0f} MiB")
    report.raw["build"] = {"ours": vars(ours), "oxigraph": vars(peer)}
    r = ratio(ours.seconds, peer.seconds)
    report.add(
        Row(
            "build",
            "build time (whole dataset)",
            "",
            seconds(ours.seconds),
            seconds(peer.seconds),
            times(r),
            "≤ 3× oxigraph load",
            verdict(None if r is None else r <= 3.0),
        )
    )
    report.add(
        Row(
            "build",
            "build peak memory (ru_maxrss)",
            "",
            mb(ours.max_rss_kb),
            mb(peer.max_rss_kb),
            times(ratio(ours.max_rss_kb, peer.max_rss_kb)),
        )
    )


def ensure_built(layout: Layout, key: str, progress) -> None:
    """Build both stores (untimed) when the build part was not run on this dataset."""
    if not _marker(layout.data, key):
        progress("building our store (not measured) ...")
        _build_ours(layout)
        _marker(layout.data, key, write=True)
    if not _marker(layout.oxigraph, key):
        progress("loading oxigraph (not measured) ...")
        _load_oxigraph(layout)
        _marker(layout.oxigraph, key, write=True)


def _rows_count(body: bytes) -> int | None:
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None


def _check_same_answers(servers: dict, pools: Pools, report: Report) -> list[str]:
    """Ask each query once of both servers: the row counts must agree, else say so."""
    problems = []
    counts: dict[str, dict[str, int | None]] = {}
    for query in QUERIES:
        text = sparql_paths(pools, query, "", "repeated", 0, 1)[0]
        counts[query.name] = {}
        for name, server in servers.items():
            status, body = fetch(peers.HOST, server.port, ROUTES[name] + text, SPARQL_HEADERS)
            counts[query.name][name] = _rows_count(body) if status == 200 else None
        if len(set(counts[query.name].values())) != 1:
            problems.append(f"{query.name}: rows {counts[query.name]}")
    report.raw["sparql_answer_rows"] = counts
    return problems


def _cell(server, route_paths, headers, clients: int, settings: Settings, warm) -> CellResult:
    warm_up(peers.HOST, server.port, warm, headers, concurrency=clients, seconds=settings.warmup)
    measure = wrk.run_cell if settings.client == "wrk" else run_cell
    return measure(
        peers.HOST,
        server.port,
        route_paths,
        headers,
        concurrency=clients,
        max_requests=settings.max_requests,
        max_seconds=settings.duration,
    )


def _with_errors(text: str, cell: CellResult) -> str:
    if cell.requests == 0:
        return f"n/a (no answer within the cell; {cell.errors} errors)"
    return f"{text} ({cell.errors} errors)" if cell.errors else text


def measure_sparql(
    servers: dict, pools: Pools, settings: Settings, report: Report, progress
) -> None:
    """Queries/s of ours and oxigraph, cell by cell, repeated then unique query texts."""
    status, _ = fetch(peers.HOST, servers["ours"].port, "/sparql?query=ASK%7B%7D", SPARQL_HEADERS)
    if status == 404:
        report.add(Row("SPARQL", "all queries", ours="n/a (endpoint missing)"))
        return
    problems = _check_same_answers(servers, pools, report)
    for problem in problems:
        progress(f"  warning: ours and oxigraph disagree: {problem}")
        report.conditions.append(f"WARNING: answers differ between ours and oxigraph: {problem}")
    raw: list[dict] = []
    report.raw["sparql"] = raw
    for mode in settings.sparql_modes:
        target = SPARQL_TARGETS[mode]
        ratios: list[float] = []
        for query in (q for q in QUERIES if q.name in settings.queries):
            offsets = dict.fromkeys(servers, 0)
            for clients in settings.sparql_clients:
                cells = {}
                for name, server in servers.items():
                    route = ROUTES[name]
                    warm = sparql_paths(pools, query, route, mode, 0, 10**6, tag="warm-")
                    paths = sparql_paths(
                        pools, query, route, mode, offsets[name], settings.max_requests
                    )
                    cells[name] = _cell(server, paths, SPARQL_HEADERS, clients, settings, warm)
                    offsets[name] += cells[name].requests + cells[name].errors
                    raw.append(
                        {"mode": mode, "query": query.name, "server": name, **cells[name].summary()}
                    )
                r = ratio(cells["ours"].throughput, cells["oxigraph"].throughput)
                if r is not None:
                    ratios.append(r)
                progress(
                    f"  {mode:8} {query.name:9} c={clients:<2} ours "
                    f"{rate(cells['ours'].throughput):>9} oxigraph "
                    f"{rate(cells['oxigraph'].throughput):>9} ratio {times(r)}"
                )
                report.add(
                    Row(
                        f"SPARQL {mode}",
                        _query_label(query),
                        str(clients),
                        _with_errors(rate(cells["ours"].throughput), cells["ours"]),
                        _with_errors(rate(cells["oxigraph"].throughput), cells["oxigraph"]),
                        times(r),
                        f"≥ {target:.1f}×",
                        verdict(None if r is None else r >= target),
                    )
                )
        mean = geometric_mean(ratios)
        report.add(
            Row(
                f"SPARQL {mode}",
                "geometric mean of the ratios above",
                "all",
                "",
                "",
                times(mean),
                f"≥ {target:.1f}×",
                verdict(None if mean is None else mean >= target),
            )
        )


def _query_label(query: Query) -> str:
    return f"{query.name}: {query.title}"


PAGE_TARGETS = {
    "concept page": (
        "p50 ≤ 5 ms, p99 ≤ 30 ms",
        lambda c: c.percentile(0.5) <= 5 and c.percentile(0.99) <= 30,
    ),
    "search": ("p50 ≤ 5 ms", lambda c: c.percentile(0.5) <= 5),
}


def measure_pages(server, pools: Pools, settings: Settings, report: Report, progress) -> None:
    """p50/p99 latency and throughput of our pages and API calls at 1 and 16 clients."""
    raw: list[dict] = []
    report.raw["pages"] = raw
    # Per-request latencies are the point here, and a time-bounded wrk run drops the requests
    # still in flight at its end: the Python client measures every page cell.
    settings = replace(settings, client="python")
    for page in PAGES:
        target, check = PAGE_TARGETS.get(page.name, ("", None))
        first = page.make(pools, 0)
        try:
            status, _ = fetch(peers.HOST, server.port, first, page.headers, timeout=300)
        except OSError as exc:
            status, _ = 0, str(exc).encode()
        if status == 404:
            report.add(Row("pages", page.title, ours="n/a (endpoint missing)", target=target))
            progress(f"  {page.name}: n/a (endpoint missing: 404 on {first})")
            continue
        if not 200 <= status < 300:
            report.add(Row("pages", page.title, ours=f"n/a (HTTP {status})", target=target))
            progress(f"  {page.name}: n/a (HTTP {status} on {first})")
            continue
        offset = 1
        for clients in settings.page_clients:
            warm = page_paths(pools, page, len(pools.lists["concepts"]) // 2, 10**6)
            paths = page_paths(pools, page, offset, settings.max_requests)
            cell = _cell(server, paths, page.headers, clients, settings, warm)
            offset += cell.requests + cell.errors
            raw.append({"page": page.name, **cell.summary()})
            figures = (
                f"p50 {ms(cell.percentile(0.5))} · p99 {ms(cell.percentile(0.99))} · "
                f"{rate(cell.throughput)}"
            )
            progress(f"  {page.name:12} c={clients:<2} {figures}")
            met = check(cell) if check and cell.requests else None
            report.add(
                Row(
                    "pages",
                    page.title,
                    str(clients),
                    _with_errors(figures, cell),
                    "—",
                    "",
                    target,
                    verdict(met),
                )
            )


def measure_memory(servers: dict, report: Report, progress) -> None:
    """Resident memory of each serving process tree, after the load it has served."""
    figures = {name: server.memory() for name, server in servers.items()}
    report.raw["memory"] = figures
    ours, peer = figures["ours"], figures["oxigraph"]
    for name, tree in figures.items():
        for process in tree.get("each", []):
            progress(
                f"  {name} pid {process['pid']}: VmRSS {mb(process.get('VmRSS'))}, "
                f"Pss {mb(process.get('Pss'))}: {process['command'][:70]}"
            )
    progress(
        f"memory: ours {mb(ours.get('VmRSS'))} ({ours.get('processes')} processes), "
        f"oxigraph {mb(peer.get('VmRSS'))}"
    )
    one_gb = 1024 * 1024
    rss = ours.get("VmRSS")
    biggest = max((p.get("VmRSS", 0) for p in ours.get("each", [])), default=0)
    report.add(
        Row(
            "memory",
            f"serving RSS after the load (ours: sum of "
            f"{ours.get('processes')} processes, largest {mb(biggest)})",
            "",
            f"{mb(rss)} (Pss {mb(ours.get('Pss'))})",
            f"{mb(peer.get('VmRSS'))} (Pss {mb(peer.get('Pss'))})",
            times(ratio(rss, peer.get("VmRSS"))),
            "≤ 1 GB",
            verdict(rss <= one_gb if rss is not None else None),
        )
    )
