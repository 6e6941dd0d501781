"""The thread that renders every scheme and concept page of the current data version into the
pages file, in the process that owns the store, after the version's warm-up."""

from __future__ import annotations

import io
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask

from graph_service.model.rendered_ahead import pages_to_render
from graph_service.web.backend import store_of
from graph_service.web.background import start_loop
from graph_service.web.paths import page_target
from graph_service.web.prerender.layer import request_path
from graph_service.web.prerender.pages_file import PagesFile, StoredPage, page_key
from graph_service.web.prerender.workers import render_in_processes
from graph_service.web.warmup import warmer_of

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Pages rendered between two looks at the data version (and written in one transaction).
BATCH = 100
#: Headers of a rendered answer not kept: the entity tag is the request's (its Accept...),
#: computed when the page is served.
_DROPPED = frozenset({"etag"})


@dataclass
class RenderPass:
    """One data version's rendering: how far it went, and how long it took."""

    version: str
    total: int = 0
    rendered: int = 0
    kept: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    done: bool = False
    started: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class Origin:
    """Where pages are rendered for: the scheme and host of their requests; `free` when the
    pages do not depend on it (PUBLIC_BASE set), so that one key serves every host."""

    scheme: str
    host: str
    free: bool

    @property
    def key(self) -> str:
        """The origin part of the pages' keys ("" when free)."""
        return "" if self.free else f"{self.scheme}://{self.host}"


def origin_for(public_base: str, served_at: str) -> Origin | None:
    """The origin to render for: PUBLIC_BASE's, else the address `serve` listens on
    ("127.0.0.1:8000"); None when neither names a host clients use (0.0.0.0, ::)."""
    if public_base:
        parts = urlsplit(public_base)
        if parts.scheme and parts.netloc:
            return Origin(parts.scheme, parts.netloc, free=True)
        return None
    host, _, port = served_at.rpartition(":")
    if not host or not port or host.strip("[]") in {"0.0.0.0", "::", ""}:
        return None
    return Origin("http", served_at, free=False)


class PageRenderer:
    """Renders the pages of each new data version once (newest first), through `render_app`:
    the app's WSGI callable inside the layer that serves the pages file."""

    def __init__(
        self,
        app: Flask,
        render_app: WSGIApp,
        pages: PagesFile,
        origin: Origin,
        busy: Callable[[], bool] = lambda: False,
        processes: int = 0,
    ) -> None:
        self.app, self.render_app, self.pages, self.origin = app, render_app, pages, origin
        #: Whether the process is answering requests: the renderer then takes half of the
        #: interpreter's time at most (it shares one with them), pausing as long as it rendered.
        self.busy = busy
        #: Render processes (workers.py) beside reader processes, which can open the
        #: writer's published store; 0: render in this thread.
        self.processes = processes
        self.current: RenderPass | None = None
        self.last_done: RenderPass | None = None
        self.started = threading.Event()
        self._lock = threading.Lock()

    def status(self, version: str) -> dict[str, object]:
        """For /healthz: "ready" when every page of `version` is rendered, else "rendering"
        with how far it is (or "waiting" for the version's warm-up), "off" without a thread."""
        done = self.last_done
        if done is not None and done.version == version:
            return {"state": "ready", "pages": done.kept, "seconds": round(done.seconds, 1)}
        current = self.current
        if current is not None and current.version == version:
            return {"state": "rendering", "rendered": current.rendered, "total": current.total}
        return {"state": "waiting" if self.started.is_set() else "off"}

    def start(self) -> None:
        """Start the thread (once): it renders the current version, then each new one."""
        start_loop("rendering ahead", self.started, self.run_once)

    def run_once(self, *, wait_for_warm_up: bool = True) -> RenderPass | None:
        """Render the current version's pages unless done already; the pass, or None when
        there was nothing to do (or the warm-up of the version is not finished)."""
        with self._lock:
            store = store_of(self.app)
            version = store.version
            if self.last_done is not None and self.last_done.version == version:
                return None
            warmer = warmer_of(self.app)
            # After the warm-up: the answers it computes are what every page reads.
            if wait_for_warm_up and warmer.started.is_set() and warmer.warm_version != version:
                return None
            return self._render_version(version)

    def _render_version(self, version: str) -> RenderPass:
        cpu = time.process_time()
        current = RenderPass(version)
        self.current = current
        with self.app.app_context():
            iris = pages_to_render(store_of(self.app))
            targets = [page_target(iri) for iri in iris]
        current.total = len(targets)
        if self.processes > 0:
            finished = render_in_processes(
                version,
                self.processes,
                f"{self.origin.scheme}://{self.origin.host}",
                still_current=lambda: store_of(self.app).version == version,
                progress=lambda rendered: setattr(current, "rendered", rendered),
            )
            current.kept = self.pages.count(version)
        else:
            finished = self._render_here(version, targets, current)
        if not finished or store_of(self.app).version != version:
            log.info("rendering of version %s overtaken by a write", version)
            return current
        self.pages.keep_only(version)
        self.pages.compact()
        current.seconds = time.perf_counter() - current.started
        current.cpu_seconds = time.process_time() - cpu
        current.done = True
        self.last_done = current
        log.info("%d pages of %s rendered ahead in %.1f s", current.kept, version, current.seconds)
        return current

    def _render_here(
        self, version: str, targets: list[tuple[str, str]], current: RenderPass
    ) -> bool:
        """Render in this thread; False when a write overtook the version."""
        for start in range(0, len(targets), BATCH):
            if store_of(self.app).version != version:  # a write: its version comes next
                return False
            batch = []
            for path, query in targets[start : start + BATCH]:
                began = time.perf_counter()
                page = self.render(path, query)
                if page is not None:
                    batch.append((page_key(self.origin.key, *page[0]), page[1]))
                if self.busy():
                    time.sleep(time.perf_counter() - began)
            self.pages.put(version, batch)
            current.rendered += len(targets[start : start + BATCH])
            current.kept += len(batch)
        return True

    def render(self, path: str, query: str) -> tuple[tuple[str, str], StoredPage] | None:
        """One page as the app answers an anonymous request for its HTML (render_answer)."""
        return render_answer(self.render_app, self.origin.scheme, self.origin.host, path, query)


def render_answer(
    app: WSGIApp, scheme: str, host: str, path: str, query: str
) -> tuple[tuple[str, str], StoredPage] | None:
    """The answer of `app` to an anonymous GET of a page's HTML from scheme://host: its key's
    path and query, and the answer; None when it is not a public 200 (kept as it is)."""
    environ = _environ(scheme, host, path, query)
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    answer = app(environ, start_response)
    try:
        body = b"".join(answer)
    finally:
        close = getattr(answer, "close", None)
        if close is not None:
            close()
    headers = captured.get("headers", [])
    names = {name.lower(): value for name, value in headers}
    if not str(captured.get("status", "")).startswith("200"):
        return None
    if "set-cookie" in names or "public" not in names.get("cache-control", ""):
        return None
    kept = tuple((name, value) for name, value in headers if name.lower() not in _DROPPED)
    return (request_path(environ), query), StoredPage(kept, body)


def _environ(scheme: str, host: str, path: str, query: str) -> dict[str, Any]:
    name, _, port = host.rpartition(":")
    if not name or not port.isdigit():
        name, port = host, "443" if scheme == "https" else "80"
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        # WSGI's PATH_INFO: the percent-decoded bytes of the path, as latin-1 characters.
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": name,
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host,
        "HTTP_ACCEPT": "text/html",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
