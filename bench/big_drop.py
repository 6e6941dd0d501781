"""Time and peak memory of removing a large graph through the write path an HTTP write takes.

    python -m bench.big_drop --quads 200000 --out /tmp/drop

`setup` builds a persistent store whose graph holds that many quads; each measured case then
runs in a fresh process on a fresh copy of it, so that its peak RSS (`ru_maxrss`) and CPU time
are the case's own (wall-clock time varies with the machine's load; CPU time much less).
Cases: a SPARQL `DROP GRAPH`, a `DELETE WHERE` over the graph, the Graph Store's DELETE
(`write_drop`), each under the HTTP limits (500,000 quads), and a `DROP GRAPH` refused by a
limit below the graph's size. Prints one JSON line per case.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

G = "http://example.org/graph/big"
CASES = ("drop", "delete-where", "graph-store-delete", "refused-drop")


def setup(out: Path, quads: int) -> None:
    """A persistent store at out/base whose graph G holds `quads` quads."""
    from graph_service.store.embedded import EmbeddedStore

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    source = out / "big.nt"
    with source.open("w", encoding="utf-8") as handle:
        for i in range(quads):
            handle.write(
                f'<http://example.org/s{i // 10}> <http://example.org/p{i % 10}> "v{i}" .\n'
            )
    store = EmbeddedStore(out / "base")
    store.bulk_load_file(source, "ntriples", G)
    store.close()
    source.unlink()


def measure(out: Path, case: str, quads: int) -> dict[str, object]:
    """Run one case on a fresh copy of the store (in this process: run it in a new one)."""
    from graph_service.exceptions import GraphServiceError
    from graph_service.store.changes import write_drop, write_update
    from graph_service.store.embedded import EmbeddedStore
    from graph_service.store.journal import Journal
    from graph_service.store.write_limits import WriteLimits

    work = out / f"run-{case}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(out / "base", work / "store")
    store = EmbeddedStore(work / "store")
    journal = Journal(work)
    store.count(G)  # warm the engine's caches as the server's earlier requests would have
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    limits = WriteLimits(max_quads=quads // 2 if case == "refused-drop" else 500_000)
    started = time.perf_counter()
    outcome = "written"
    try:
        if case in ("drop", "refused-drop"):
            write_update(store, journal, f"DROP GRAPH <{G}>", limits=limits)
        elif case == "delete-where":
            write_update(
                store, journal, f"DELETE WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}", limits=limits
            )
        else:
            write_drop(store, journal, G, limits=limits)
    except GraphServiceError as exc:
        outcome = f"refused ({exc.status})"
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_after, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    left = store.count(G)
    store.close()
    shutil.rmtree(work, ignore_errors=True)
    return {
        "case": case,
        "quads": quads,
        "outcome": outcome,
        "quads_left": left,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mb": round(rss_after / 1024),
        "peak_rss_growth_mb": round((rss_after - rss_before) / 1024),
    }


def main() -> None:
    """Set up once, then each case in its own process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quads", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out/big_drop"))
    parser.add_argument("--case", choices=CASES)
    parser.add_argument("--cases", default=",".join(CASES))
    args = parser.parse_args()
    if args.case:
        print(json.dumps(measure(args.out, args.case, args.quads)))
        return
    setup(args.out, args.quads)
    for case in args.cases.split(","):
        command = [sys.executable, "-m", "bench.big_drop", "--quads", str(args.quads)]
        command += ["--out", str(args.out), "--case", case]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
