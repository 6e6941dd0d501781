"""Pages rendered ahead: concept and scheme pages computed per data version, off the request path.

A concept page costs ~9 ms of CPU (queries and template), so the service serves ~150 distinct
pages a second on two cores. The store's owner renders every scheme and concept page of the
current data version after its warm-up (renderer.py: in a background thread, or beside reader
processes in render processes of their own, workers.py) into one SQLite file of DATA_DIR
(pages_file.py), and every serving process answers a request for one of those pages from the
file when its data version is the one being served (layer.py): a lookup instead of a render.
A page is kept for one data version only, as the response cache's answers are: after a write,
pages are rendered again and, meanwhile, rendered per request as before.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from graph_service.web.backend import data_version
from graph_service.web.prerender import layer
from graph_service.web.prerender.layer import PrerenderedPages, WSGIApp
from graph_service.web.prerender.pages_file import FILE_NAME, PagesFile
from graph_service.web.prerender.renderer import PageRenderer, origin_for
from graph_service.web.reader_warmth import READERS_COUNT_ENV

log = logging.getLogger(__name__)

_EXTENSION = "graph_service.prerender"
#: The address `serve` listens on ("127.0.0.1:8000"), set by it for the processes it starts:
#: without PUBLIC_BASE, pages are rendered for the requests that reach that address.
SERVED_AT_ENV = "GRAPH_SERVICE_SERVED_AT"


def enabled(app: Flask) -> bool:
    """Whether pages are rendered ahead: PRERENDER_PAGES, on the embedded store only (a remote
    store's data may change behind the service's back, and its version with it)."""
    return bool(app.config.get("PRERENDER_PAGES", True)) and not app.config.get("SPARQL_ENDPOINT")


def pages_path(app: Flask) -> Path:
    """The pages file of the app's DATA_DIR."""
    return Path(app.config["DATA_DIR"]) / FILE_NAME


def wrap(app: Flask) -> None:
    """Put the layer that serves the pages file around the app's WSGI callable (every serving
    process reads the file; the renderer, started by start_rendering, writes it)."""
    if not enabled(app):
        return
    from graph_service.web.linked_data.views import PAGE_TYPES

    # The IRI pages' own offer: the layer answers only requests whose Accept picks HTML there.
    layer.PAGE_OFFER = (*PAGE_TYPES, "application/json")
    inner = app.wsgi_app
    pages = PagesFile(pages_path(app), writable=False)
    served = PrerenderedPages(
        inner, lambda: data_version(app), pages, origin_free=bool(app.config.get("PUBLIC_BASE"))
    )
    # Flask's documented way to add WSGI middleware; its stubs type wsgi_app as a method.
    app.wsgi_app = served  # type: ignore[method-assign]
    app.extensions[_EXTENSION] = {"layer": served, "inner": inner, "renderer": None}


def render_app(app: Flask) -> WSGIApp:
    """The app's WSGI callable inside the layer that serves the pages file (what renders)."""
    return app.extensions[_EXTENSION]["inner"]


def renderer_of(app: Flask) -> PageRenderer | None:
    """The app's renderer, when this process renders pages ahead."""
    found = app.extensions.get(_EXTENSION)
    return None if found is None else found["renderer"]


def make_renderer(app: Flask) -> PageRenderer | None:
    """The renderer of the process that owns the store (not started), or None when pages are
    not rendered ahead (off, or no origin to render them for)."""
    found = app.extensions.get(_EXTENSION)
    if found is None:
        return None
    if found["renderer"] is not None:
        return found["renderer"]
    origin = origin_for(str(app.config.get("PUBLIC_BASE") or ""), os.environ.get(SERVED_AT_ENV, ""))
    if origin is None:
        log.info("pages not rendered ahead: set GRAPH_SERVICE_PUBLIC_BASE to the service's URL")
        return None
    pages = PagesFile(pages_path(app), writable=True)
    # Beside reader processes, the writer has published its store for other processes: as
    # many render processes as readers (the cores the service was given) render the pages.
    processes = int(os.environ.get(READERS_COUNT_ENV, "0") or 0)
    found["renderer"] = PageRenderer(
        app, found["inner"], pages, origin, found["layer"].busy, processes
    )
    return found["renderer"]


def start_rendering(app: Flask) -> None:
    """In the process that owns the store: render each data version's pages in a thread,
    after its warm-up (none without one: GRAPH_SERVICE_WARM_UP=false leaves every per-version
    cost to the visitors, and a renderer started at once shared their first requests)."""
    if not app.config.get("WARM_UP", True):
        return
    renderer = make_renderer(app)
    if renderer is not None:
        renderer.start()
