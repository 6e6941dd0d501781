"""graph-service: a SKOS glossary and knowledge-graph service (create_app is the entry point)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from graph_service.config import Config, check_update_token


def create_app(test_config: Mapping[str, object] | None = None) -> Flask:
    """Build the Flask app from GRAPH_SERVICE_* settings, overridden by test_config."""
    from graph_service import web  # the web layer is loaded only by the entry points

    app = Flask(__name__)
    app.config.update(Config.from_env().as_flask_config())
    if test_config:
        app.config.update(test_config)
    check_update_token(str(app.config.get("UPDATE_TOKEN") or ""))  # test_config bypasses Config
    web.init_app(app)
    return app


def create_served_app() -> Flask:
    """The app as the production server's worker runs it: SIGHUP moves it to the latest build."""
    from graph_service.web.prerender import start_rendering
    from graph_service.web.server import reload_on_sighup

    app = create_app()
    reload_on_sighup(app)
    start_rendering(app)  # this process owns the store: it renders the pages ahead
    return app


def create_writer_app() -> Flask:
    """The writing process beside reader processes (serve --readers N): the served app, which
    publishes its store's data version for the readers and trusts their forwarded addresses."""
    import contextlib

    from graph_service.search.shared import share_in
    from graph_service.store.base import StoreError
    from graph_service.store.build import BuildError
    from graph_service.web.backend import publish_for_readers, store_of
    from graph_service.web.forward import trust_forwarded
    from graph_service.web.reader_warmth import readers_from_env
    from graph_service.web.warmup import warmer_of

    app = create_served_app()
    share_in(app.config["DATA_DIR"])  # its search index, in a file the readers read
    warmer_of(app).readers = readers_from_env()  # /healthz counts the readers' warm-ups
    publish_for_readers(app)
    # Open now: the readers learn where the data is from its stamp. With nothing to serve
    # yet, readers pass every request here until there is.
    with contextlib.suppress(BuildError, StoreError):
        store_of(app)
    app.wsgi_app = trust_forwarded(app.wsgi_app)  # type: ignore[method-assign,assignment]
    return app


def create_reader_app() -> Flask:
    """A reader process (serve --readers N): reads on a read-only handle of the writer's
    store; the rest goes to the writer, on the socket `serve` names in the environment."""
    import os
    from pathlib import Path

    from graph_service.web.forward import PrimaryForwarder
    from graph_service.web.reader_warmth import readers_from_env, report_warm
    from graph_service.web.replicas import WRITER_SOCKET_ENV, make_reader
    from graph_service.web.server import FORWARD_TIMEOUT_SECONDS
    from graph_service.web.warmup import warmer_of

    app = create_app()
    forward = PrimaryForwarder(Path(os.environ[WRITER_SOCKET_ENV]), FORWARD_TIMEOUT_SECONDS)
    make_reader(app, forward)
    if app.config.get("WARM_UP", True):
        # Each process remembers its own answers per data version (scheme counts, languages,
        # statistics): without its own warm-up, a reader's first concept page after a start
        # took 6.9 s at 100,000 concepts. It starts at once, not at the first request, and
        # waits for the writer's shared search index like any read of it.
        warmer = warmer_of(app)
        readers = readers_from_env()
        if readers is not None:
            directory = readers[0]
            warmer.on_warm = lambda version: report_warm(directory, version)
        warmer.start()
    return app
