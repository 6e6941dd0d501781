"""The four measurements (build, SPARQL, pages, memory), each adding its rows to the report."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from . import peers, resident, wrk
from .load import CellResult, fetch, run_cell, warm_up
from .report import Report, Row, geometric_mean, mb, ms, rate, ratio, seconds, times, verdict
from .workload import PAGES, QUERIES, SPARQL_HEADERS, Pools, Query, page_paths, sparql_paths

ROUTES = {"ours": "/sparql", "oxigraph": "/query", "virtuoso": "/sparql"}
SPARQL_TARGETS = {"repeated": 1.0, "unique": 0.6}


@dataclass
class Settings:
    """How long and how hard each cell runs."""

    duration: float
    warmup: float
    max_requests: int
    sparql_clients: tuple[int, ...] = (1, 4, 16)
    # 1 and 4: the concept page's targets (issue 18); 16: how it holds under a crowd.
    page_clients: tuple[int, ...] = (1, 4, 16)
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


BUILD_MEASURES = ("build time (whole dataset)", "build peak memory (ru_maxrss)")


def measure_build(
    layout: Layout, key: str, report: Report, progress, with_oxigraph: bool = True
) -> peers.Timed:
    """Our build against `oxigraph load` of the same quads: wall time and peak RSS."""
    progress("build: graph-service build --force --no-validate ...")
    ours = _build_ours(layout)
    _marker(layout.data, key, write=True)
    progress(f"  {ours.seconds:.1f} s, peak {ours.max_rss_kb / 1024:.0f} MiB")
    report.raw["build"] = {"ours": vars(ours)}
    peer: peers.Timed | None = None
    if with_oxigraph:
        progress("build: oxigraph load ...")
        peer = _load_oxigraph(layout)
        _marker(layout.oxigraph, key, write=True)
        progress(f"  {peer.seconds:.1f} s, peak {peer.max_rss_kb / 1024:.0f} MiB")
        report.raw["build"]["oxigraph"] = vars(peer)  # type: ignore[index]
    r = ratio(ours.seconds, peer.seconds) if peer else None
    report.add(
        Row(
            "build",
            BUILD_MEASURES[0],
            "",
            seconds(ours.seconds),
            seconds(peer.seconds) if peer else "",
            times(r) if peer else "",
            "≤ 3× oxigraph load" if peer else "",
            verdict(None if r is None else r <= 3.0),
        )
    )
    report.add(
        Row(
            "build",
            BUILD_MEASURES[1],
            "",
            mb(ours.max_rss_kb),
            mb(peer.max_rss_kb) if peer else "",
            times(ratio(ours.max_rss_kb, peer.max_rss_kb)) if peer else "",
        )
    )
    return ours


def add_peer_build(report: Report, name: str, ours: peers.Timed, loaded: peers.Timed) -> None:
    """A further peer's load time and peak memory beside ours, in the two build rows."""
    report.raw.setdefault("build", {})[name] = vars(loaded)  # type: ignore[index]
    figures = {
        BUILD_MEASURES[0]: (
            seconds(loaded.seconds),
            times(ratio(ours.seconds, loaded.seconds)),
        ),
        BUILD_MEASURES[1]: (
            mb(loaded.max_rss_kb),
            times(ratio(ours.max_rss_kb, loaded.max_rss_kb)),
        ),
    }
    for row in report.rows:
        if row.section == "build" and row.measure in figures:
            row.others[name] = figures[row.measure]


def ensure_built(layout: Layout, key: str, progress, with_oxigraph: bool = True) -> None:
    """Build both stores (untimed) when the build part was not run on this dataset."""
    if not _marker(layout.data, key):
        progress("building our store (not measured) ...")
        _build_ours(layout)
        _marker(layout.data, key, write=True)
    if with_oxigraph and not _marker(layout.oxigraph, key):
        progress("loading oxigraph (not measured) ...")
        _load_oxigraph(layout)
        _marker(layout.oxigraph, key, write=True)


def _rows_count(body: bytes) -> int | None:
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None


#: Concepts of each query's pool asked of every server before the cells: the row counts must
#: agree (a peer that answers fast but wrong would make its column worthless).
ANSWER_SAMPLE = 4


def _check_same_answers(servers: dict, pools: Pools, report: Report) -> list[str]:
    """Ask each query of every server, about the repeated mode's concept and a few of the
    unique mode's: the row counts must agree, else say so."""
    problems = []
    counts: dict[str, dict[str, list[int | None]]] = {}
    for query in QUERIES:
        texts = [
            sparql_paths(pools, query, "", "repeated", 0, 1)[0],
            *sparql_paths(pools, query, "", "unique", 0, ANSWER_SAMPLE - 1)[:],
        ]
        counts[query.name] = {}
        for name, server in servers.items():
            rows: list[int | None] = []
            for text in texts:
                status, body = fetch(peers.HOST, server.port, ROUTES[name] + text, SPARQL_HEADERS)
                rows.append(_rows_count(body) if status == 200 else None)
            counts[query.name][name] = rows
        answers = {name: tuple(rows) for name, rows in counts[query.name].items()}
        if len(set(answers.values())) != 1:
            problems.append(f"{query.name}: rows {answers}")
    report.raw["sparql_answer_rows"] = counts
    return problems


def peer_columns(figures: dict[str, tuple[str, str]]) -> dict[str, object]:
    """Row keyword arguments for the peers' (figure, ratio) pairs: oxigraph's in peer and
    ratio, any other's in others."""
    columns: dict[str, object] = {
        "others": {name: pair for name, pair in figures.items() if name != "oxigraph"}
    }
    if "oxigraph" in figures:
        columns["peer"], columns["ratio"] = figures["oxigraph"]
    return columns


def _cell(server, route_paths, headers, clients: int, settings: Settings, warm) -> CellResult:
    resident.touch()  # what of the stores the machine paged out meanwhile, read back first
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
    """Queries/s of ours and each peer, cell by cell, repeated then unique query texts.
    The targets are judged against oxigraph (the issue's); other peers are shown beside."""
    status, _ = fetch(peers.HOST, servers["ours"].port, "/sparql?query=ASK%7B%7D", SPARQL_HEADERS)
    if status == 404:
        report.add(Row("SPARQL", "all queries", ours="n/a (endpoint missing)"))
        return
    names = [name for name in servers if name != "ours"]
    problems = _check_same_answers(servers, pools, report)
    for problem in problems:
        progress(f"  warning: the servers disagree: {problem}")
        report.conditions.append(f"WARNING: answers differ between the servers: {problem}")
    raw: list[dict] = []
    report.raw["sparql"] = raw
    for mode in settings.sparql_modes:
        target = SPARQL_TARGETS[mode]
        ratios: dict[str, list[float]] = {name: [] for name in names}
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
                    others = [s for n, s in servers.items() if n != name]
                    with peers.paused(others):
                        cells[name] = _cell(server, paths, SPARQL_HEADERS, clients, settings, warm)
                    offsets[name] += cells[name].requests + cells[name].errors
                    raw.append(
                        {"mode": mode, "query": query.name, "server": name, **cells[name].summary()}
                    )
                figures: dict[str, tuple[str, str]] = {}
                shown = [f"ours {rate(cells['ours'].throughput):>9}"]
                for name in names:
                    r = ratio(cells["ours"].throughput, cells[name].throughput)
                    if r is not None:
                        ratios[name].append(r)
                    figures[name] = (
                        _with_errors(rate(cells[name].throughput), cells[name]),
                        times(r),
                    )
                    shown.append(f"{name} {rate(cells[name].throughput):>9} ({times(r)})")
                progress(f"  {mode:8} {query.name:9} c={clients:<2} " + " ".join(shown))
                r = (
                    ratio(cells["ours"].throughput, cells["oxigraph"].throughput)
                    if "oxigraph" in cells
                    else None
                )
                report.add(
                    Row(
                        f"SPARQL {mode}",
                        _query_label(query),
                        str(clients),
                        _with_errors(rate(cells["ours"].throughput), cells["ours"]),
                        target=f"≥ {target:.1f}× oxigraph" if "oxigraph" in cells else "",
                        met=verdict(None if r is None else r >= target),
                        **peer_columns(figures),  # type: ignore[arg-type]
                    )
                )
        means = {name: geometric_mean(values) for name, values in ratios.items()}
        mean = means.get("oxigraph")
        report.add(
            Row(
                f"SPARQL {mode}",
                "geometric mean of the ratios above",
                "all",
                "",
                target=f"≥ {target:.1f}× oxigraph" if "oxigraph" in means else "",
                met=verdict(None if mean is None else mean >= target),
                **peer_columns({name: ("", times(m)) for name, m in means.items()}),  # type: ignore[arg-type]
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


def measure_pages(
    server,
    pools: Pools,
    settings: Settings,
    report: Report,
    progress,
    others: dict | None = None,
    bystanders: dict | None = None,
) -> None:
    """p50/p99 latency and throughput of our pages and API calls at 1, 4 and 16 clients, on
    our embedded store and, beside it, on each of `others` (graph-service on another backend,
    by column name); their ratio is of throughputs, as the SPARQL cells'. Every other server
    is stopped while one is measured: `bystanders` (the SPARQL peers, by name) too, except
    the one a backend column stands on."""
    others = others or {}
    bystanders = bystanders or {}

    def idle_beside(measured: str) -> list:
        services = {"ours": server, **others}
        return [s for n, s in services.items() if n != measured] + [
            s for n, s in bystanders.items() if n != measured
        ]

    raw: list[dict] = []
    report.raw["pages"] = raw
    # Per-request latencies are the point here, and a time-bounded wrk run drops the requests
    # still in flight at its end: the Python client measures every page cell.
    settings = replace(settings, client="python")
    for page in PAGES:
        target, check = PAGE_TARGETS.get(page.name, ("", None))
        first = page.make(pools, 0)
        missing = {
            name: reason
            for name, each in {"ours": server, **others}.items()
            if (reason := _page_missing(each, first, page.headers))
        }
        if "ours" in missing:
            report.add(Row("pages", page.title, ours=missing["ours"], target=target))
            progress(f"  {page.name}: {missing['ours']} on {first}")
            continue
        offset = 1
        for clients in settings.page_clients:
            warm = page_paths(pools, page, len(pools.lists["concepts"]) // 2, 10**6)
            paths = page_paths(pools, page, offset, settings.max_requests)
            with peers.paused(idle_beside("ours")):
                cell = _cell(server, paths, page.headers, clients, settings, warm)
            raw.append({"page": page.name, "server": "ours", **cell.summary()})
            figures = _page_figures(cell)
            progress(f"  {page.name:12} c={clients:<2} ours {figures}")
            # oxigraph serves no pages: a dash in its column, when the table has one.
            columns: dict[str, tuple[str, str]] = {}
            if any(r.peer for r in report.rows):
                columns["oxigraph"] = ("—", "")
            for name, other in others.items():
                if name in missing:
                    columns[name] = (missing[name], "")
                    continue
                # The same requests as ours: the backends answer the same concepts.
                with peers.paused(idle_beside(name)):
                    theirs = _cell(other, paths, page.headers, clients, settings, warm)
                raw.append({"page": page.name, "server": name, **theirs.summary()})
                columns[name] = (
                    _with_errors(_page_figures(theirs), theirs),
                    times(ratio(cell.throughput, theirs.throughput)),
                )
                progress(f"  {page.name:12} c={clients:<2} {name} {columns[name][0]}")
            offset += cell.requests + cell.errors
            met = check(cell) if check and cell.requests else None
            report.add(
                Row(
                    "pages",
                    page.title,
                    str(clients),
                    _with_errors(figures, cell),
                    target=target,
                    met=verdict(met),
                    **peer_columns(columns),  # type: ignore[arg-type]
                )
            )


def _page_figures(cell: CellResult) -> str:
    p50, p99 = ms(cell.percentile(0.5)), ms(cell.percentile(0.99))
    return f"p50 {p50} · p99 {p99} · {rate(cell.throughput)}"


def _page_missing(server, path: str, headers: dict[str, str]) -> str:
    """Why a server cannot be measured on a page ("" when it answers it)."""
    try:
        status, _ = fetch(peers.HOST, server.port, path, headers, timeout=300)
    except OSError as exc:
        return f"n/a ({exc})"
    if status == 404:
        return "n/a (endpoint missing)"
    return "" if 200 <= status < 300 else f"n/a (HTTP {status})"


def measure_memory(servers: dict, report: Report, progress) -> None:
    """Resident memory of each serving process tree, after the load it has served."""
    figures = {name: server.memory() for name, server in servers.items()}
    report.raw["memory"] = figures
    ours = figures["ours"]
    for name, tree in figures.items():
        for process in tree.get("each", []):
            progress(
                f"  {name} pid {process['pid']}: VmRSS {mb(process.get('VmRSS'))}, "
                f"Pss {mb(process.get('Pss'))}: {process['command'][:70]}"
            )
    progress(
        "memory: "
        + ", ".join(
            f"{name} {mb(tree.get('VmRSS'))} ({tree.get('processes')} processes)"
            for name, tree in figures.items()
        )
    )
    one_gb = 1024 * 1024
    rss = ours.get("VmRSS")
    biggest = max((p.get("VmRSS", 0) for p in ours.get("each", [])), default=0)
    columns = {
        name: (
            f"{mb(tree.get('VmRSS'))} (Pss {mb(tree.get('Pss'))})",
            times(ratio(rss, tree.get("VmRSS"))),
        )
        for name, tree in figures.items()
        if name != "ours"
    }
    report.add(
        Row(
            "memory",
            f"serving RSS after the load (ours: sum of "
            f"{ours.get('processes')} processes, largest {mb(biggest)})",
            "",
            f"{mb(rss)} (Pss {mb(ours.get('Pss'))})",
            target="≤ 1 GB",
            met=verdict(rss <= one_gb if rss is not None else None),
            **peer_columns(columns),  # type: ignore[arg-type]
        )
    )
