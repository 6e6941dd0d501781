"""Render processes: beside reader processes, the writer has a share of the pages rendered by
each of a few processes of their own, at the lowest CPU priority, on read-only handles.

Rendering every page is CPU work for the interpreter: in the writing process it would take one
core for as long (~11 ms per concept page, 100,000 pages: 18 minutes) and slow the requests the
writer answers meanwhile. Each render process opens the writer's published store read-only (as
a reader does), computes the version's per-version answers once, renders the pages whose rank in
the list is its share, and writes them to the pages file itself; it stops as soon as the writer
publishes a newer version. `nice 19`: visitors' requests always come first on the cores.

Each runs cli/render_share.py (an entry point: it builds the app).
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: The exit status of a render process whose version was overtaken by a write.
OVERTAKEN = 3
#: What a render process runs (a module of its own: none of the package imports it).
SHARE_MODULE = "graph_service.cli.render_share"


@dataclass
class ShareRun:
    """One render process and how far it went."""

    process: subprocess.Popen[str]
    rendered: int = 0


def render_in_processes(
    version: str,
    shares: int,
    origin: str,
    still_current: Callable[[], bool],
    progress: Callable[[int], None],
) -> bool:
    """Render the pages of `version` in `shares` processes; True when all of them finished
    their share (False: overtaken by a write, or one failed, said in the log)."""
    runs = [
        ShareRun(
            subprocess.Popen(
                [sys.executable, "-m", SHARE_MODULE, version, str(share), str(shares), origin],
                stdout=subprocess.PIPE,
                stderr=None,  # the process's log goes where the writer's goes
                text=True,
            )
        )
        for share in range(shares)
    ]

    def follow(run: ShareRun) -> None:
        assert run.process.stdout is not None
        for line in run.process.stdout:
            if line.startswith("rendered "):
                run.rendered = int(line.split()[1])
                progress(sum(r.rendered for r in runs))

    readers = [threading.Thread(target=follow, args=(run,), daemon=True) for run in runs]
    for thread in readers:
        thread.start()
    stop = threading.Event()
    try:
        while any(run.process.poll() is None for run in runs):
            if not still_current():
                return False
            stop.wait(0.5)
    finally:
        for run in runs:
            if run.process.poll() is None:
                run.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                run.process.wait(timeout=30)
            if run.process.poll() is None:
                run.process.kill()
                run.process.wait()
        for thread in readers:
            thread.join(timeout=5)
        for run in runs:
            if run.process.stdout is not None:
                run.process.stdout.close()
    failed = [run.process.returncode for run in runs if run.process.returncode not in (0,)]
    if failed and any(code != OVERTAKEN for code in failed):
        log.error("render processes of version %s failed (exit %s)", version, failed)
    return not failed
