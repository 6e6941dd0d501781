"""A runaway query is stopped at the time limit while the server keeps answering others.

Nothing here depends on how fast the machine is: the runaway query cannot end within any
limit a test would wait for, the limit is long enough for a simple query on a loaded
machine, and the test waits for what it checks (worker processes, seen in /proc) instead of
sleeping for a guessed time.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from pathlib import Path

import pytest
import requests

from graph_service.store.build import build_store

# 3000^4 = 8.1e13 rows to count, months at ~10M rows/s, in constant memory (nested loops):
# however slow or fast the machine, it is still running when the time limit stops it.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON = {"Accept": "application/sparql-results+json"}
TRIPLES = 3000
#: The time limit: simple queries take milliseconds, so even a machine slowed tenfold answers
#: them well within it; the runaway query never ends, so a long limit costs only its length.
LIMIT = 10
#: The service's default pool size; the test needs two workers, one for each query.
WORKERS = 2
#: How long the test waits for something that must happen (only a broken server reaches it).
PATIENCE = 120.0
#: Seconds of CPU a worker must burn to be the one running the runaway query (a simple query
#: costs a few milliseconds; a loaded machine gives the worker a fraction of a core).
RUNAWAY_CPU = 0.3
WORKER_MARK = "graph_service.query.workers import worker_main"
TICK = os.sysconf("SC_CLK_TCK")

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc"),
    pytest.mark.slow,  # waits the whole time limit out, by design
]


def generated_data_dir(root: Path, triples: int = TRIPLES) -> Path:
    """A built store holding a generated graph of `triples` triples."""
    vocab = root / "vocab"
    vocab.mkdir()
    lines = [f'<http://example.org/s/{i}> <http://example.org/p> "v{i}" .' for i in range(triples)]
    (vocab / "generated.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build_store(vocab, root / "data")
    return root / "data"


def simple(i: int) -> str:
    """A one-row query (answer: value(i)), distinct for each i so that no cache answers it."""
    return f"SELECT ?o WHERE {{ <http://example.org/s/{i % TRIPLES}> ?p ?o }} # query {i}"


def value(i: int) -> str:
    """The answer of simple(i)."""
    return f"v{i % TRIPLES}"


def _stat(pid: str) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used) of a process, None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    # After the command name: state, ppid, ... utime and stime are fields 14 and 15 of stat.
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def query_workers(root: int) -> dict[int, float]:
    """The query worker processes under process `root` (Granian's worker starts them): CPU
    seconds used by each, by pid."""
    stats = {int(pid): _stat(pid) for pid in os.listdir("/proc") if pid.isdigit()}
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        if stat is not None:
            children.setdefault(stat[0], []).append(pid)
    found: dict[int, float] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        stat = stats[pid]
        if WORKER_MARK in cmdline and stat is not None:
            found[pid] = stat[1]
    return found


def has_opened(pid: int, data_dir: Path) -> bool:
    """Whether a worker holds files of the store open (it opens it at its first query)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        links = [os.readlink(fd_dir / fd) for fd in os.listdir(fd_dir)]
    except OSError:
        return False
    return any(link.startswith(str(data_dir)) for link in links)


def wait_until(condition, what: str) -> None:
    """Poll `condition` until it holds; fail after PATIENCE seconds, naming `what`."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"waited {PATIENCE:g} s for {what}"
        time.sleep(0.05)


def ask(endpoint: str, i: int) -> requests.Response:
    """Send simple(i) to the endpoint."""
    return requests.get(endpoint, params={"query": simple(i)}, headers=JSON, timeout=PATIENCE)


def test_a_runaway_query_gets_503_while_a_simple_one_is_answered(
    tmp_path: Path, live_server_factory
) -> None:
    data_dir = generated_data_dir(tmp_path).resolve()
    server = live_server_factory(
        data_dir,
        GRAPH_SERVICE_QUERY_TIMEOUT=str(LIMIT),
        GRAPH_SERVICE_QUERY_WORKERS=str(WORKERS),
        # One client plays every part here: let it use every worker (test_sparql_fairness.py).
        GRAPH_SERVICE_QUERIES_PER_CLIENT=str(WORKERS),
    )
    endpoint = server.url + "/sparql"
    root = server.process.pid
    numbers = itertools.count()

    # Warm up until every worker has booted and answered a query (sequential queries take
    # the idle workers in turn), so that the time limit below only ever measures queries.
    # A 503 is allowed here only: the first query may wait longer than the limit for the
    # workers of a loaded machine to boot.
    def warm() -> bool:
        answer = ask(endpoint, next(numbers))
        assert answer.status_code in (200, 503), answer.text
        workers = query_workers(root)
        return len(workers) == WORKERS and all(has_opened(pid, data_dir) for pid in workers)

    wait_until(warm, f"{WORKERS} query workers to answer")
    before = query_workers(root)

    slow: dict[str, object] = {}

    def run_slow() -> None:
        started = time.monotonic()
        response = requests.get(
            endpoint, params={"query": RUNAWAY}, headers=JSON, timeout=LIMIT + PATIENCE
        )
        slow.update(response=response, seconds=time.monotonic() - started)

    thread = threading.Thread(target=run_slow)
    thread.start()

    # The runaway query is running once one worker burns CPU (instead of sleeping a guess).
    def runaway_pid() -> int | None:
        now = query_workers(root)
        busy = [pid for pid in before if now.get(pid, 0.0) - before[pid] >= RUNAWAY_CPU]
        return busy[0] if busy else None

    wait_until(lambda: runaway_pid() is not None or not thread.is_alive(), "the runaway query")
    running = runaway_pid()
    assert running is not None, f"the runaway query ended before it was seen running: {slow}"

    # Simple queries are answered by the other worker meanwhile.
    for _ in range(3):
        i = next(numbers)
        quick = ask(endpoint, i)
        assert quick.status_code == 200, quick.text
        assert quick.json()["results"]["bindings"][0]["o"]["value"] == value(i)
    assert thread.is_alive() and running in query_workers(root), (
        "the simple queries were answered only after the runaway one ended"
    )

    thread.join(LIMIT + PATIENCE)
    assert not thread.is_alive()
    response = slow["response"]
    assert isinstance(response, requests.Response)
    print(f"runaway query answered {response.status_code} after {slow['seconds']:.2f} s")
    assert response.status_code == 503
    assert f"query exceeded the {LIMIT} s time limit" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert slow["seconds"] >= LIMIT  # type: ignore[operator]

    # Its worker was killed (its CPU freed) before the answer, and another one started.
    assert not Path(f"/proc/{running}").exists(), "the runaway query's worker still runs"
    after = query_workers(root)
    assert len(after) == WORKERS and running not in after
    (new,) = set(after) - set(before)

    # The endpoint still answers, and the new worker answers too once it has booted: every
    # query gets 200 meanwhile, from the worker that stayed.
    def new_worker_answered() -> bool:
        i = next(numbers)
        answer = ask(endpoint, i)
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"]["bindings"][0]["o"]["value"] == value(i)
        return has_opened(new, data_dir)

    wait_until(new_worker_answered, "the new worker to answer")
