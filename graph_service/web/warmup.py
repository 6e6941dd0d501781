"""The warm-up thread: after a start and after every write, computes the expensive answers the
model remembers per data version (model/warmup.py) off the request path, and tells /healthz
whether the current version is warm."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from graph_service.model.history import read_journal
from graph_service.model.warmup import WORKER_PROBE, WarmUp, warm_up
from graph_service.query.execute import QueryTask
from graph_service.query.runner import get_runner
from graph_service.store import Store
from graph_service.web.backend import get_journal, store_of
from graph_service.web.background import start_loop
from graph_service.web.reader_warmth import ReadersWarmth, readers_warmth

log = logging.getLogger(__name__)

_EXTENSION = "graph_service.warmup"


class Warmer:
    """Warms each new data version of an app's store once, newest first."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.warm_version: str | None = None
        self.last: WarmUp | None = None
        self.started = threading.Event()
        #: Templates are compiled once per process (a write does not change them).
        self.templates_compiled = False
        #: Called with each version once warm (a reader process reports it to the writer).
        self.on_warm: Callable[[str], None] | None = None
        #: In the writing process beside readers: their directory and count, whose warm-up
        #: is part of the service's (web/reader_warmth.py).
        self.readers: tuple[Path, int] | None = None
        self._lock = threading.Lock()

    def status(self, version: str) -> str:
        """ "ready" when `version` is warm (in this process and, beside readers, in every
        reader), "warming" while warm-ups work towards it, "off" when no thread runs (tests,
        or GRAPH_SERVICE_WARM_UP=false)."""
        if self.warm_version == version and self.readers_warmth(version).all_warm:
            return "ready"
        return "warming" if self.started.is_set() else "off"

    def readers_warmth(self, version: str) -> ReadersWarmth:
        """How many reader processes have warmed `version` (0 of 0 without readers)."""
        if self.readers is None:
            return ReadersWarmth(0, 0)
        directory, expected = self.readers
        return readers_warmth(directory, expected, version)

    def run_once(self) -> WarmUp | None:
        """Warm the store's current version unless it is warm already; the report, or None."""
        with self._lock:  # one warm-up at a time, whoever calls
            store = store_of(self.app)
            version = store.version
            if version == self.warm_version:
                return None
            with self.app.app_context():
                journal = get_journal()
            report = warm_up(
                store,
                still_current=lambda: store_of(self.app).version == version,
                journal=journal,
            )
            if report.done:
                began = time.perf_counter()
                self._warm_query_workers(store)
                report.steps["query workers"] = time.perf_counter() - began
            if report.done:
                began = time.perf_counter()
                self._index_journal()
                report.steps["journal index"] = time.perf_counter() - began
            if report.done and not self.templates_compiled:
                began = time.perf_counter()
                self._compile_templates()
                report.steps["templates"] = time.perf_counter() - began
            self.last = report
            if report.done:
                self.warm_version = version
                log.info("data version %s warm in %.1f s", version, report.seconds)
                if self.on_warm is not None:
                    try:
                        self.on_warm(version)
                    except OSError:  # /healthz then says "warming" until the next version
                        log.warning("could not report version %s warm", version, exc_info=True)
            return report

    def _warm_query_workers(self, store: Store) -> None:
        """Start the /sparql worker processes and have each open the current version: the
        first /sparql query after a start waited for both (6.5 s measured at 2 million
        triples); after a write, each worker reopens the store at its next query."""
        if not store.is_persistent:
            return  # in-memory stores answer in threads, nothing to start
        runner = get_runner(store, int(self.app.config.get("QUERY_WORKERS", 2)))
        size = getattr(runner, "size", 1)
        for _ in range(size):  # the idle queue is FIFO: each worker in turn
            runner.run(store, QueryTask(WORKER_PROBE), timeout=60, max_rows=1)

    def _index_journal(self) -> None:
        """Read the changes journalled since the last look into the history's index (who last
        changed each concept, shown on its page): all of them the first time in a process."""
        with self.app.app_context():
            read_journal(get_journal())

    def _compile_templates(self) -> None:
        """Compile every page template: the first page of each kind after a start paid
        0.1-0.2 s of Jinja compilation (the scheme page's 0.13 s of its 0.55 s at 100k)."""
        env = self.app.jinja_env
        for name in env.list_templates(extensions=("html",)):
            env.get_template(name)
        self.templates_compiled = True

    def start(self) -> None:
        """Start the thread (once): it warms the current version, then each new one."""
        start_loop("warm-up", self.started, self.run_once)


def warmer_of(app: Flask) -> Warmer:
    """The app's warmer (created by init_app)."""
    return app.extensions[_EXTENSION]


def init_app(app: Flask) -> None:
    """Create the warmer; the first request starts its thread (not under tests, nor with
    WARM_UP false), as the search index's build is started."""
    warmer = Warmer(app)
    app.extensions[_EXTENSION] = warmer

    @app.before_request
    def _start_warm_up() -> None:
        if not warmer.started.is_set() and app.config.get("WARM_UP", True) and not app.testing:
            warmer.start()
