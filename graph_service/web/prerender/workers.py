"""Render processes: beside reader processes, the writer has a share of the pages rendered by
each of a few processes of their own, at the lowest CPU priority, on read-only handles.

Rendering every page is CPU work for the interpreter: in the writing process it would take one
core for as long (~11 ms per concept page, 100,000 pages: 18 minutes) and slow the requests the
writer answers meanwhile. Each render process opens the writer's published store read-only (as
a reader does), computes the version's per-version answers once, renders the pages whose rank in
the list is its share, and writes them to the pages file itself; it stops as soon as the writer
publishes a newer version. `nice 19`: visitors' requests always come first on the cores.

Run as `python -m graph_service.web.prerender.workers VERSION SHARE SHARES ORIGIN`; it prints one
line per batch written ("rendered N"), and exits 0 when its share is done, 3 when the version
is no longer the writer's.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: The exit status of a render process whose version was overtaken by a write.
OVERTAKEN = 3


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
                [sys.executable, "-m", __name__, version, str(share), str(shares), origin],
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
    failed = [run.process.returncode for run in runs if run.process.returncode not in (0,)]
    if failed and any(code != OVERTAKEN for code in failed):
        log.error("render processes of version %s failed (exit %s)", version, failed)
    return not failed


def _main(argv: list[str]) -> int:
    """A render process: its share of the pages of one version, into the pages file."""
    from graph_service import create_app
    from graph_service.model.history import read_journal
    from graph_service.model.rendered_ahead import pages_to_render
    from graph_service.model.warmup import warm_up
    from graph_service.web.backend import follow_writer, get_journal
    from graph_service.web.paths import page_target
    from graph_service.web.prerender import _EXTENSION, pages_path
    from graph_service.web.prerender.pages_file import PagesFile, page_key
    from graph_service.web.prerender.renderer import BATCH, render_answer
    from graph_service.web.replicas import StoreFollower

    os.nice(19)  # after every visitor's request on the cores
    version, share, shares, origin = argv[0], int(argv[1]), int(argv[2]), argv[3]
    logging.basicConfig(level=logging.WARNING)
    app = create_app({"WARM_UP": False, "RESPONSE_CACHE_BYTES": 0})
    follower = StoreFollower(Path(app.config["DATA_DIR"]))
    follow_writer(app, follower)
    inner = app.extensions[_EXTENSION]["inner"]
    store = follower()
    if store.version != version:
        return OVERTAKEN
    with app.app_context():
        journal = get_journal()
        report = warm_up(
            store, still_current=lambda: follower().version == version, journal=journal
        )
        if not report.done:
            return OVERTAKEN
        read_journal(journal)  # who last changed each concept: on its page
        targets = [page_target(iri) for iri in pages_to_render(store)][share::shares]
    pages = PagesFile(pages_path(app), writable=True)
    scheme, _, host = origin.partition("://")
    key_origin = "" if app.config.get("PUBLIC_BASE") else origin
    done = 0
    for start in range(0, len(targets), BATCH):
        if follower().version != version:
            return OVERTAKEN
        batch = []
        for path, query in targets[start : start + BATCH]:
            with follower.pinned():
                if follower().version != version:
                    return OVERTAKEN
                page = render_answer(inner, scheme, host, path, query)
            if page is not None:
                batch.append((page_key(key_origin, *page[0]), page[1]))
        pages.put(version, batch)
        done += len(targets[start : start + BATCH])
        print(f"rendered {done}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
