"""The writes scenario (`python -m bench --scenario writes`): after an import of STW into a
running server, how soon a one-triple update is answered by /sparql, the Graph Store and search."""

from __future__ import annotations

import math
import os
import random
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import requests

from graph_service.config import PROJECT_ROOT

from . import peers
from .report import Report, Row, ms, seconds, verdict

#: The shared data beside the checkout, located as tests/conftest.py's SHARED_DATA is.
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
STW = SHARED_DATA / "vocab" / "stw-skos.ttl"
TOKEN = "bench-writes-token"
#: Issue 14's done-when: the query after a one-triple update answers in under 0.5 s.
TARGET_SECONDS = 0.5
SECTION = "writes"
SPARQL_JSON = "application/sparql-results+json"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: Query workers of a server left at its default (GRAPH_SERVICE_QUERY_WORKERS).
WORKERS = 2


class WritesError(Exception):
    """A step of the scenario answered something other than what it must (status or content)."""


@dataclass
class WritesSettings:
    """What the scenario imports and how many rounds it measures."""

    rounds: int = 20
    seed: int = 42
    source: Path = STW
    vocab_id: str = "stw"
    vocab_dir: Path = PROJECT_ROOT / "vocab"
    #: Search language of the search step (the labels written are in this language).
    lang: str = "en"


@dataclass
class Steps:
    """Per-step latencies in seconds, in the order the steps ran."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, step: str, value: float) -> None:
        """Record one latency of a step."""
        self.samples.setdefault(step, []).append(value)


#: The rows of the table, in order: (step key, what it measures, whether the target applies).
STEPS: tuple[tuple[str, str, bool], ...] = (
    ("update", "INSERT DATA of one altLabel (POST /sparql, journalled)", False),
    ("query_after_update", "first SELECT reading it back (GET /sparql) after the update", True),
    ("update_then_query", "update + that first query, end to end", False),
    ("query_again", "the same SELECT again (the next query worker reopens)", False),
    ("query_steady", "that SELECT once every worker has reopened (steady state)", False),
    ("put", "Graph Store PUT of a 3-triple graph (/store?graph=)", False),
    ("query_after_put", "first COUNT of that graph (GET /sparql) after the PUT", True),
    ("search_update", "INSERT DATA of one altLabel before the search", False),
    ("search_after_update", "/rest/v1/search for that label right after the update", False),
)


class Client:
    """One keep-alive HTTP session on our server, with the update token for writes."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.session = base, requests.Session()
        self.auth = {"Authorization": f"Bearer {token}"}

    def timed(
        self, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs: object
    ) -> tuple[float, requests.Response]:
        """One request: (seconds until the whole answer was read, the answer)."""
        began = time.perf_counter()
        response = self.session.request(method, self.base + path, timeout=300, **kwargs)  # type: ignore[arg-type]
        _ = response.content  # the body is part of the answer's latency
        elapsed = time.perf_counter() - began
        if response.status_code not in expect:
            raise WritesError(
                f"{method} {path[:80]} answered {response.status_code}: {response.text[:300]}"
            )
        return elapsed, response

    def update(self, sparql: str) -> float:
        """A SPARQL Update through POST /sparql with the token; its latency."""
        elapsed, _ = self.timed(
            "POST",
            "/sparql",
            expect=(200, 204),
            data=sparql.encode(),
            headers={**self.auth, "Content-Type": "application/sparql-update"},
        )
        return elapsed

    def select(self, sparql: str) -> tuple[float, list[dict[str, dict[str, str]]]]:
        """A query through GET /sparql: (latency, its JSON bindings)."""
        elapsed, response = self.timed(
            "GET", "/sparql", params={"query": sparql}, headers={"Accept": SPARQL_JSON}
        )
        return elapsed, response.json()["results"]["bindings"]


def _literal(text: str, lang: str) -> str:
    """A SPARQL language-tagged literal of text made only of letters, digits and spaces."""
    return f'"{text}"@{lang}'


def insert_label(graph: str, concept: str, label: str, lang: str) -> str:
    """The one-triple INSERT DATA of a new altLabel on a concept of the imported graph."""
    triple = f"<{concept}> <{SKOS}altLabel> {_literal(label, lang)}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{ {triple} }} }}"


def read_back(label: str, lang: str) -> str:
    """The SELECT that finds the concept carrying a label written by the scenario."""
    return f"SELECT ?c WHERE {{ ?c <{SKOS}altLabel> {_literal(label, lang)} }}"


def source_concepts(source: Path) -> list[str]:
    """The concepts of the file to import, read before the import so that the first update
    follows the import directly (a query in between would take the reopen it pays for)."""
    concept = pyoxigraph.NamedNode(SKOS + "Concept")
    rdf_type = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    found = {
        quad.subject.value
        for quad in pyoxigraph.parse(path=source, format=pyoxigraph.RdfFormat.TURTLE)
        if quad.predicate == rdf_type
        and quad.object == concept
        and isinstance(quad.subject, pyoxigraph.NamedNode)
    }
    # Sorted, so a seed picks the same concepts every run.
    return sorted(found)


def _import(client: Client, settings: WritesSettings) -> tuple[float, dict[str, object]]:
    """POST /curation/import of the source file with the token, then its job followed until it
    ends: (seconds from the POST to the job's end, the job's JSON result)."""
    began = time.perf_counter()
    with settings.source.open("rb") as handle:
        _, response = client.timed(
            "POST",
            "/curation/import",
            expect=(202,),
            files={"file": (settings.source.name, handle)},
            data={"vocab_id": settings.vocab_id},
            headers={**client.auth, "Accept": "application/json"},
        )
    status_url = str(response.json()["status_url"])
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        _, status = client.timed("GET", status_url, headers={"Accept": "application/json"})
        job = status.json()
        if job["state"] == "done":
            return time.perf_counter() - began, dict(job["result"])
        if job["state"] == "failed":
            raise WritesError(f"the import job failed: {job['error']}")
        time.sleep(0.25)  # a poll, not a measure: the import takes tens of seconds
    raise WritesError("the import job did not end within 30 minutes")


def measure_rounds(
    client: Client,
    graph: str,
    concepts: list[str],
    settings: WritesSettings,
    progress: Callable[[str], None],
) -> Steps:
    """The measured rounds on a server holding the imported vocabulary (the first one right
    after the import); raises WritesError if a written triple is not read back or found (a
    fast wrong answer is no answer)."""
    steps = Steps()
    rng = random.Random(settings.seed)
    # A run tag keeps every label new, even on a store reused from an earlier run.
    tag = f"{time.time_ns():x}"
    lang = settings.lang
    # Distinct concepts while there are enough of them (a tiny vocabulary repeats some).
    picked = rng.sample(concepts, min(settings.rounds, len(concepts)))
    for number in range(settings.rounds):
        concept = picked[number % len(picked)]
        label = f"benchwrite {tag} {number}"
        steps.add("update", client.update(insert_label(graph, concept, label, lang)))
        first, rows = client.select(read_back(label, lang))
        if [row["c"]["value"] for row in rows] != [concept]:
            raise WritesError(f"round {number}: the update's triple was not read back: {rows}")
        steps.add("query_after_update", first)
        steps.add("update_then_query", steps.samples["update"][-1] + first)
        again, _ = client.select(read_back(label, lang))
        steps.add("query_again", again)
        # The engine's steady state: a new text (no answer cache), once every query worker has
        # reopened the store after the write (each worker reopens on its first query after it).
        for variant in range(WORKERS):
            steady, _ = client.select(f"{read_back(label, lang)} # steady {variant}")
        steps.add("query_steady", steady)

        put_graph = f"urn:bench:writes:{tag}:{number}"
        turtle = "".join(
            f'<urn:bench:s{number}> <urn:bench:p{k}> "{k}" .\n' for k in range(3)
        ).encode()
        put, _ = client.timed(
            "PUT",
            "/store",
            expect=(201, 204),
            params={"graph": put_graph},
            data=turtle,
            headers={**client.auth, "Content-Type": "text/turtle"},
        )
        steps.add("put", put)
        counted, rows = client.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{put_graph}> {{ ?s ?p ?o }} }}"
        )
        if rows[0]["n"]["value"] != "3":
            raise WritesError(f"round {number}: the PUT graph counts {rows}, not 3 triples")
        steps.add("query_after_put", counted)

        word = f"zqbench{tag}x{number}"
        steps.add("search_update", client.update(insert_label(graph, concept, word, lang)))
        found, response = client.timed(
            "GET",
            "/rest/v1/search",
            # No `vocab`: REST ids come from the scheme IRI, not from the import's id.
            params={"query": word, "lang": lang},
            headers={"Accept": "application/json"},
        )
        uris = [hit.get("uri") for hit in response.json().get("results", [])]
        if concept not in uris:
            raise WritesError(f"round {number}: search for {word!r} did not find <{concept}>")
        steps.add("search_after_update", found)
        if (number + 1) % 5 == 0 or number + 1 == settings.rounds:
            progress(f"  writes: {number + 1}/{settings.rounds} rounds")
    return steps


def nearest_rank(values: list[float], q: float) -> float:
    """The nearest-rank quantile q (0-1) of values (as bench/load.py's percentiles)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def add_rows(report: Report, steps: Steps, rounds: int) -> None:
    """One row per step: median, p90 and max; the target is judged on the slowest round."""
    for key, measure, targeted in STEPS:
        values = steps.samples.get(key, [])
        if not values:
            continue
        cell = (
            f"median {ms(statistics.median(values) * 1000)} · "
            f"p90 {ms(nearest_rank(values, 0.9) * 1000)} · max {ms(max(values) * 1000)}"
        )
        report.add(
            Row(
                SECTION,
                measure,
                clients="1",
                ours=cell,
                target=f"< {TARGET_SECONDS:g} s every round" if targeted else "",
                met=verdict(max(values) < TARGET_SECONDS) if targeted else "",
            )
        )


def run_writes(
    out: Path,
    settings: WritesSettings,
    report: Report,
    progress: Callable[[str], None],
    threads: int | None = None,
) -> bool:
    """Build vocab/ into out/writes, start our server, import, measure; False when skipped."""
    if not settings.source.is_file():
        message = (
            f"writes scenario skipped: {settings.source} is missing (the shared data, "
            "../shared/data/vocab/stw-skos.ttl beside the checkout)"
        )
        progress(message)
        report.conditions.append(message)
        return False
    root = out / "writes"
    data, logs = root / "data", root / "logs"
    # A fresh store each run: the import and the rounds start from the committed vocab/ alone.
    shutil.rmtree(data, ignore_errors=True)
    env = dict(
        os.environ,
        GRAPH_SERVICE_DATA_DIR=str(data),
        GRAPH_SERVICE_VOCAB_DIR=str(settings.vocab_dir),
        GRAPH_SERVICE_UPDATE_TOKEN=TOKEN,
    )
    progress(f"writes: building {settings.vocab_dir} ...")
    built = peers.timed_run(
        [peers.tool("graph-service"), "build", "--force", "--no-validate"], env, logs / "build.log"
    )
    port = peers.free_port()
    argv = [peers.tool("graph-service"), "serve", "--port", str(port)]
    if threads:
        argv += ["--threads", str(threads)]
    server = peers.Server(
        "graph-service", argv, port, env, logs / "ours.log", "/healthz", b'"search_index":"ready"'
    )
    concepts = source_concepts(settings.source)
    if not concepts:
        raise WritesError(f"no skos:Concept in {settings.source}")
    load_avg = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    with server:
        client = Client(f"http://{peers.HOST}:{port}", TOKEN)
        # Warm, as a service that has been up is: each worker's first query opens the store
        # for the first time, a cost of the start, not of the import.
        warm = [
            client.select(f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1 # warm {n}")[0]
            for n in range(2 * WORKERS)
        ]
        progress(f"writes: importing {settings.source.name} as {settings.vocab_id!r} ...")
        imported, summary = _import(client, settings)
        # Nothing between the import and the first round: its update and query pay whatever
        # the import left to do (query workers reopening the store, the search index rebuilt).
        progress(f"writes: {settings.rounds} rounds ...")
        steps = measure_rounds(client, str(summary["graph"]), concepts, settings, progress)
    load_after = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    import_steps = "; ".join(str(step) for step in summary.get("steps", []))  # type: ignore[attr-defined]
    report.conditions += [
        f"writes: {settings.source.name} imported as {settings.vocab_id!r} "
        f"({summary.get('triples', 0):,} triples) through POST /curation/import into a server "
        f"on {settings.vocab_dir.name}/ (built in {built.seconds:.1f} s); then {settings.rounds} "
        "rounds, the first right after the import, each on another concept, one client on a "
        f"keep-alive connection; load average {load_avg} before, {load_after} after",
        f"writes: import steps as the server reported them: {import_steps}",
    ]
    report.add(
        Row(
            SECTION,
            "first query of the just-started server (before the import, unmeasured warm-up)",
            clients="1",
            ours=ms(warm[0] * 1000),
        )
    )
    report.add(
        Row(
            SECTION,
            f"import of {settings.source.name} (POST /curation/import to the end of its job)",
            clients="1",
            ours=seconds(imported),
        )
    )
    first = {key: values[0] for key, values in steps.samples.items()}
    report.add(
        Row(
            SECTION,
            "first round, right after the import: update · query reading it back · search",
            clients="1",
            ours=f"{ms(first['update'] * 1000)} · {ms(first['query_after_update'] * 1000)} · "
            f"{ms(first['search_after_update'] * 1000)}",
            target=f"query < {TARGET_SECONDS:g} s",
            met=verdict(first["query_after_update"] < TARGET_SECONDS),
        )
    )
    add_rows(report, steps, settings.rounds)
    report.raw["writes"] = {
        "source": str(settings.source),
        "rounds": settings.rounds,
        "build_seconds": round(built.seconds, 3),
        "import_seconds": round(imported, 3),
        "warm_up_seconds": [round(w, 4) for w in warm],
        "import": summary,
        "load_average": [load_avg, load_after],
        "samples": {k: [round(v, 5) for v in vs] for k, vs in steps.samples.items()},
    }
    return True
