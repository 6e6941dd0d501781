"""The background threads that follow the data versions (the warm-up, the pages rendered
ahead): started once per process, each runs its work, then looks again every second."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from graph_service.exceptions import GraphServiceError
from graph_service.store.base import StoreError
from graph_service.store.build import BuildError

log = logging.getLogger(__name__)

#: Seconds between two looks at the data version.
POLL_SECONDS = 1.0


def start_loop(name: str, started: threading.Event, run_once: Callable[[], object]) -> None:
    """Start the thread `name` unless `started` says it runs: it calls run_once() for as long
    as the process lives, a second apart."""
    if started.is_set():
        return
    started.set()
    threading.Thread(target=_loop, args=(name, run_once), name=name, daemon=True).start()


def _loop(name: str, run_once: Callable[[], object]) -> None:
    stop = threading.Event()  # never set: the thread lives as long as the process
    while True:
        try:
            run_once()
        except (BuildError, StoreError, GraphServiceError):
            # Nothing built yet, or the store is being replaced: look again later.
            log.debug("%s postponed", name, exc_info=True)
        except Exception:  # a bug on one version must not stop the next ones
            log.exception("%s failed", name)
        stop.wait(POLL_SECONDS)
