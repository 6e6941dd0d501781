"""A render process (started by web/prerender/workers.py): its share of one data version's
pages, rendered on a read-only handle of the writer's published store into the pages file.

Run as `python -m graph_service.cli.render_share VERSION SHARE SHARES ORIGIN`; it
prints one line per batch written ("rendered N"), and exits 0 when its share is done, 3 when
the version is no longer the writer's (or the writer is gone).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from graph_service import create_app
from graph_service.model.history import read_journal
from graph_service.model.rendered_ahead import pages_to_render
from graph_service.model.warmup import warm_up
from graph_service.web.backend import follow_writer, get_journal
from graph_service.web.paths import page_target
from graph_service.web.prerender import pages_path, render_app
from graph_service.web.prerender.pages_file import PagesFile, page_key
from graph_service.web.prerender.renderer import BATCH, render_answer
from graph_service.web.prerender.workers import OVERTAKEN
from graph_service.web.replicas import StoreFollower


def main(argv: list[str]) -> int:
    """A render process: its share of the pages of one version, into the pages file."""
    os.nice(19)  # after every visitor's request on the cores
    parent = os.getppid()
    version, share, shares, origin = argv[0], int(argv[1]), int(argv[2]), argv[3]
    logging.basicConfig(level=logging.WARNING)
    app = create_app({"WARM_UP": False, "RESPONSE_CACHE_BYTES": 0})
    follower = StoreFollower(Path(app.config["DATA_DIR"]))
    follow_writer(app, follower)
    inner = render_app(app)
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
        # A writer gone (killed, restarted) has no use for the rest: its successor renders.
        if follower().version != version or os.getppid() != parent:
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
    sys.exit(main(sys.argv[1:]))
