"""Long writes as background jobs: one worker thread runs them in turn and keeps their progress.

An import holds minutes of parsing, cleaning and loading; a request that waited for it would
outlive proxies' and browsers' patience. A job runs instead, and its status (step, percent,
result or error) is read while it runs. Jobs run one at a time: writes are serialised by the
journal's lock anyway, and two imports side by side would only share the same two cores.
The runner knows the jobs of its own process only, and forgets the oldest finished ones.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from graph_service.config import DEFAULT_MAX_NESTING
from graph_service.curate.imports import Stage, load_import, prepare_import
from graph_service.exceptions import GraphServiceError
from graph_service.search.index import get_index
from graph_service.store import Store
from graph_service.store.journal import Journal
from graph_service.store.write_limits import NO_LIMITS, WriteLimits

log = logging.getLogger(__name__)

State = Literal["queued", "running", "done", "failed"]
#: Told a step's name and how far the job is (0-100).
Report = Callable[[str, int], None]
#: A job's work: reports its steps, returns its result (raises with a message when it fails).
Work = Callable[[Report], dict[str, object]]
#: A job's result lists this many warnings at most (a large vocabulary can have thousands).
MAX_WARNINGS_SHOWN = 200


class JobsBusy(GraphServiceError):
    """Too many jobs waiting: the client should try again later."""

    status = 503


@dataclass(frozen=True)
class JobStatus:
    """A job as it was when asked for."""

    id: str
    kind: str
    state: State
    step: str
    percent: int
    created: float
    started: float | None
    finished: float | None
    result: dict[str, object] | None
    error: str
    #: The HTTP status the failure would have had as a request's answer (413: too large, 503:
    #: the store busy, retry; 400: the data's fault...), 0 while it has not failed.
    error_status: int = 0

    @property
    def over(self) -> bool:
        """Whether the job has finished, well or not."""
        return self.state in {"done", "failed"}

    def as_dict(self) -> dict[str, object]:
        """The JSON status of the job (times as ISO 8601 in UTC, null while not reached)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "step": self.step,
            "percent": self.percent,
            "result": self.result,
            "error": self.error or None,
            "error_status": self.error_status or None,
            "created": _iso(self.created),
            "started": _iso(self.started),
            "finished": _iso(self.finished),
        }


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


@dataclass
class _Job:
    id: str
    kind: str
    work: Work
    state: State = "queued"
    step: str = "queued"
    percent: int = 0
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: dict[str, object] | None = None
    error: str = ""
    error_status: int = 0

    def status(self) -> JobStatus:
        return JobStatus(
            self.id,
            self.kind,
            self.state,
            self.step,
            self.percent,
            self.created,
            self.started,
            self.finished,
            None if self.result is None else dict(self.result),
            self.error,
            self.error_status,
        )


class JobRunner:
    """Runs submitted jobs one after the other in a background thread; thread-safe."""

    def __init__(self, *, keep: int = 50, max_waiting: int = 10) -> None:
        self.keep, self.max_waiting = keep, max_waiting
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._waiting: list[_Job] = []
        self._thread: threading.Thread | None = None
        # One condition guards everything and wakes those waiting for a job to change.
        self._changed = threading.Condition()

    def submit(self, kind: str, work: Work) -> JobStatus:
        """Queue a job and return its status (JobsBusy when max_waiting jobs already wait)."""
        with self._changed:
            if len(self._waiting) >= self.max_waiting:
                raise JobsBusy(f"{len(self._waiting)} jobs are waiting already: try again later")
            job = _Job(str(uuid.uuid4()), kind, work)
            self._jobs[job.id] = job
            self._waiting.append(job)
            self._forget_old()
            if self._thread is None:
                # The worker ends when nothing waits: no thread outlives its jobs.
                self._thread = threading.Thread(
                    target=self._work, name="graph-service-jobs", daemon=True
                )
                self._thread.start()
            return job.status()

    def status(self, job_id: str) -> JobStatus | None:
        """A job's status, None when the runner does not know (or no longer keeps) it."""
        with self._changed:
            job = self._jobs.get(job_id)
            return None if job is None else job.status()

    def jobs(self) -> list[JobStatus]:
        """Every job kept, the latest first."""
        with self._changed:
            return [job.status() for job in reversed(self._jobs.values())]

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus | None:
        """Block until a job is over (or the timeout passes); its status then."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while True:
                job = self._jobs.get(job_id)
                if job is None or job.state in {"done", "failed"}:
                    return None if job is None else job.status()
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return job.status()
                self._changed.wait(left)

    def _forget_old(self) -> None:
        """Drop the oldest finished jobs past `keep` (never a queued or running one)."""
        over = [j.id for j in self._jobs.values() if j.state in {"done", "failed"}]
        for job_id in over[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[job_id]

    def _work(self) -> None:
        while True:
            with self._changed:
                if not self._waiting:
                    self._thread = None
                    return
                job = self._waiting.pop(0)
                job.state, job.step, job.started = "running", "starting", time.time()
                self._changed.notify_all()
            self._run(job)

    def _run(self, job: _Job) -> None:
        def report(step: str, percent: int) -> None:
            with self._changed:
                job.step, job.percent = step, max(job.percent, min(100, max(0, int(percent))))
                self._changed.notify_all()

        result: dict[str, object] | None = None
        error, error_status = "", 0
        try:
            result = job.work(report)
        except GraphServiceError as exc:
            error, error_status = exc.message, exc.status
        except Exception as exc:  # the worker must survive any job's failure, and say why
            log.exception("job %s (%s) failed", job.id, job.kind)
            error, error_status = f"unexpected error: {type(exc).__name__}: {exc}", 500
        with self._changed:
            job.finished = time.time()
            if error:
                job.state, job.error, job.error_status = "failed", error, error_status
            else:
                job.state, job.result, job.percent, job.step = "done", result or {}, 100, "done"
            self._forget_old()
            self._changed.notify_all()


def import_job(
    store: Store,
    journal: Journal,
    data_dir: Path | None,
    source: str,
    *,
    data: bytes | None = None,
    vocab_id: str | None = None,
    fmt: str | None = None,
    skosify: bool = True,
    allow_private: bool = False,
    author: str = "",
    max_nesting: int = DEFAULT_MAX_NESTING,
    limits: WriteLimits = NO_LIMITS,
) -> Work:
    """An import as a job's work (curate/jobs.py): every step, then the search index rebuilt
    so that the first search after it does not pay for it; returns what the import did.
    `limits`: a web import's write limits (the job fails with their message past them)."""

    def work(stage: Stage) -> dict[str, object]:
        report, turtle = prepare_import(
            source,
            data=data,
            vocab_id=vocab_id,
            fmt=fmt,
            skosify=skosify,
            allow_private=allow_private,
            stage=stage,
            store=store,
            max_nesting=max_nesting,
        )
        load_import(
            store,
            report,
            turtle,
            data_dir,
            journal=journal,
            author=author,
            stage=stage,
            limits=limits,
        )
        stage("indexing", 95)
        get_index(store)
        return {
            "vocab_id": report.vocab_id,
            "graph": report.graph,
            "triples": report.triples_loaded,
            "skosify_added": report.skosify_added,
            "skosify_removed": report.skosify_removed,
            "skosify_left_out": report.skosify_left_out,
            "warnings": [str(p) for p in report.warnings[:MAX_WARNINGS_SHOWN]],
            "warnings_count": len(report.warnings),
            "steps": report.steps,
            "seconds": report.seconds,
        }

    return work
