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
    from graph_service.web.server import reload_on_sighup

    app = create_app()
    reload_on_sighup(app)
    return app
