"""The imported-vocabularies scenario (`python -m bench --scenario imported`): UNESCO and STW
imported next to the synthetic dataset, every page and REST endpoint of theirs timed cold (the
first request of a new data version) and warm, then after the warm-up thread's work.

1. The synthetic dataset (the read scenario's generator, its sizes) is built into
   <out>/imported/data, then `graph-service import` loads each shared vocabulary that exists
   (without skosify or validation: the import's own cost is the writes scenario's business).
2. A server with GRAPH_SERVICE_WARM_UP=false: for each endpoint, a one-triple write (a new data
   version: the response cache and every remembered answer are forgotten), then the request
   (cold), then the same request five times (warm: median). Before any of it, the first
   /sparql query after the start and the one after it.
3. A server with the warm-up on: for each vocabulary, one write, the time until /healthz says
   "warm":"ready", then each endpoint's first request (what a visitor meets after a write).
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import peers
from .imported_paths import SAMPLES, Sample, paths
from .report import Report, Row
from .synth import load_or_generate
from .writes import SHARED_DATA, Client, WritesError

TOKEN = "bench-imported-token"
#: Issue 18: no page or endpoint of an imported scheme past 1 s cold.
TARGET_SECONDS = 1.0
WARM_REPEATS = 5
SCRATCH_GRAPH = "https://w3id.org/pdv/graph/bench-scratch"


@dataclass
class Timing:
    """One endpoint's figures: status, cold seconds, warm median seconds, after warm-up."""

    vocab_id: str
    name: str
    path: str
    status: int = 0
    cold: float = float("nan")
    warm: float = float("nan")
    after_warm_up: float = float("nan")
    bytes: int = 0


@dataclass
class Scenario:
    """Sizes of the synthetic dataset beside the imports, and where everything goes."""

    out: Path
    concepts: int = 100_000
    resources: int = 200_000
    seed: int = 42
    threads: int | None = None
    samples: tuple[Sample, ...] = SAMPLES
    #: False: the cold phase alone (to measure a version of the service without a warm-up).
    warm_phase: bool = True
    timings: list[Timing] = field(default_factory=list)


def _touch(client: Client, round_number: int) -> float:
    """One triple written to a scratch graph: a new data version; the write's latency."""
    return client.update(
        f"INSERT DATA {{ GRAPH <{SCRATCH_GRAPH}> {{ <{SCRATCH_GRAPH}> "
        f'<http://www.w3.org/2000/01/rdf-schema#comment> "round {round_number}" }} }}'
    )


def _get(client: Client, path: str) -> tuple[float, int, int]:
    """(seconds, status, body bytes) of one GET; any status is recorded, none is fatal."""
    elapsed, response = client.timed("GET", path, expect=tuple(range(200, 600)))
    return elapsed, response.status_code, len(response.content)


def _server(scenario: Scenario, env: dict[str, str], log: Path, mark: bytes) -> peers.Server:
    port = peers.free_port()
    argv = [peers.tool("graph-service"), "serve", "--port", str(port)]
    if scenario.threads:
        argv += ["--threads", str(scenario.threads)]
    return peers.Server("graph-service", argv, port, env, log, "/healthz", mark)


def _first_queries(client: Client, report: Report, how: str) -> None:
    """The first /sparql query after the start, and the next one, as a row."""
    query = "/sparql?query=" + "SELECT%20%3Fs%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201"
    first, _, _ = _get(client, query)
    second, _, _ = _get(client, query + "%20")
    report.add(
        Row(
            "imported",
            f"first /sparql SELECT after the start, {how} (then the next one)",
            "1",
            f"{first * 1000:.0f} ms (then {second * 1000:.0f} ms)",
        )
    )


def _wait_warm(client: Client, timeout: float = 600.0) -> float:
    """Seconds until /healthz says the current data version is warm."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        _, response = client.timed("GET", "/healthz", expect=(200,))
        if response.json().get("warm") == "ready":
            return time.perf_counter() - began
        time.sleep(0.1)
    raise WritesError(f"/healthz not warm after {timeout:.0f} s")


def run_imported(scenario: Scenario, report: Report, progress: Callable[[str], None]) -> bool:
    """Build, import, measure both phases and add the rows; False when no vocabulary exists."""
    samples = [s for s in scenario.samples if (SHARED_DATA / "vocab" / s.file_name).is_file()]
    if not samples:
        report.conditions.append(f"skipped: no shared vocabularies in {SHARED_DATA / 'vocab'}")
        return False
    root = scenario.out / "imported"
    summary, _ = load_or_generate(
        root, scenario.concepts, scenario.resources, scenario.seed, progress
    )
    data, logs = root / "data", root / "logs"
    shutil.rmtree(data, ignore_errors=True)
    env = dict(
        os.environ,
        GRAPH_SERVICE_VOCAB_DIR=str(root / "vocab"),
        GRAPH_SERVICE_DATA_DIR=str(data),
        GRAPH_SERVICE_UPDATE_TOKEN=TOKEN,
    )
    progress(f"imported: building {summary.triples:,} synthetic triples")
    built = peers.timed_run(
        [peers.tool("graph-service"), "build", "--force", "--no-validate"], env, logs / "build.log"
    )
    report.conditions.append(
        f"dataset: synthetic {summary.concepts:,} concepts, {summary.resources:,} resources "
        f"({summary.triples:,} triples, built in {built.seconds:.1f} s), then imported with "
        "`graph-service import --no-skosify --no-validate`: "
        + ", ".join(s.file_name for s in samples)
    )
    for sample in samples:
        progress(f"imported: importing {sample.file_name}")
        imported = peers.timed_run(
            [
                peers.tool("graph-service"),
                "import",
                str(SHARED_DATA / "vocab" / sample.file_name),
                # The id the paths use, whatever the default derivation gives (it now names
                # UNESCO's scheme "unesco-thesaurus": every thesaurus path was a 404).
                "--id",
                sample.vocab_id,
                "--no-skosify",
                "--no-validate",
            ],
            env,
            logs / f"import-{sample.vocab_id}.log",
        )
        report.conditions.append(f"import of {sample.file_name}: {imported.seconds:.1f} s")
    timings = {
        (s.vocab_id, name): Timing(s.vocab_id, name, path)
        for s in samples
        for name, path in paths(s)
    }
    scenario.timings = list(timings.values())

    progress("imported: cold and warm, warm-up off")
    cold_env = dict(env, GRAPH_SERVICE_WARM_UP="false")
    with _server(scenario, cold_env, logs / "cold.log", b'"search_index":"ready"') as srv:
        client = Client(f"http://{peers.HOST}:{srv.port}", TOKEN)
        _first_queries(client, report, "warm-up off")
        for number, timing in enumerate(scenario.timings):
            _touch(client, number)
            timing.cold, timing.status, timing.bytes = _get(client, timing.path)
            timing.warm = statistics.median(
                _get(client, timing.path)[0] for _ in range(WARM_REPEATS)
            )
            progress(
                f"  {timing.vocab_id} {timing.name}: {timing.status} cold {timing.cold:.3f} s, "
                f"warm {timing.warm * 1000:.1f} ms"
            )

    if scenario.warm_phase:
        _warm_phase(scenario, samples, env, report, progress)
    _rows(scenario.timings, report)
    return True


def _warm_phase(
    scenario: Scenario,
    samples: list[Sample],
    env: dict[str, str],
    report: Report,
    progress: Callable[[str], None],
) -> None:
    """Per vocabulary: a write, the wait for the warm-up, then each endpoint's first request."""
    logs = scenario.out / "imported" / "logs"
    progress("imported: first requests after a write, warm-up on")
    with _server(scenario, env, logs / "warm.log", b'"warm":"ready"') as srv:
        client = Client(f"http://{peers.HOST}:{srv.port}", TOKEN)
        _first_queries(client, report, "warm-up on, once /healthz said warm")
        for number, sample in enumerate(samples):
            _touch(client, 1000 + number)
            warm_up = _wait_warm(client)
            report.conditions.append(
                f"warm-up after a write ({sample.vocab_id} round): {warm_up:.1f} s until "
                '/healthz said "warm":"ready"'
            )
            for timing in scenario.timings:
                if timing.vocab_id == sample.vocab_id:
                    timing.after_warm_up = _get(client, timing.path)[0]


def _rows(timings: list[Timing], report: Report) -> None:
    """One row per endpoint, then the worst one named."""
    for t in timings:
        met = "yes" if t.cold <= TARGET_SECONDS and t.status < 500 else "no"
        report.add(
            Row(
                f"imported {t.vocab_id}",
                f"{t.name}: {t.path[:70]}",
                "1",
                f"{t.status} · cold {t.cold:.3f} s · warm {t.warm * 1000:.1f} ms"
                + (
                    ""
                    if math.isnan(t.after_warm_up)
                    else f" · first after warm-up {t.after_warm_up * 1000:.1f} ms"
                ),
                target=f"cold ≤ {TARGET_SECONDS:.0f} s",
                met=met,
            )
        )
    worst = max(timings, key=lambda t: t.cold)
    report.add(
        Row(
            "imported",
            f"worst cold endpoint: {worst.vocab_id} {worst.name}",
            "1",
            f"{worst.cold:.3f} s",
            target=f"≤ {TARGET_SECONDS:.0f} s",
            met="yes" if worst.cold <= TARGET_SECONDS else "no",
        )
    )
    report.raw["imported"] = [t.__dict__ for t in timings]
