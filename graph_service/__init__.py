"""graph-service: a SKOS glossary and knowledge-graph service (create_app is the entry point)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask


def create_app(test_config: Mapping[str, object] | None = None) -> Flask:
    """Build the Flask app from GRAPH_SERVICE_* settings, overridden by test_config."""
    from . import backend, errors, health, sparql, ui
    from .config import Config
    from .sparql_fast import SparqlFastPath

    app = Flask(__name__)
    app.config.update(Config.from_env().as_flask_config())
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    backend.init_app(app)
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(ui.bp)
    sparql.init_app(app)  # /sparql (protocol, page) and /store (Graph Store Protocol)
    from . import caching, linked_data, openapi, rest

    caching.init_app(app)  # ETag, Last-Modified, 304 and Cache-Control on every GET
    rest.init_app(app)  # Skosmos-compatible REST API at /rest/v1
    openapi.init_app(app)  # /openapi.json
    linked_data.init_app(app)  # IRI pages, /page, /dumps, /.well-known/void (catch-all route)
    from . import cards, curation, reconcile

    app.register_blueprint(curation.bp)  # /curation/ pages and POST /api/suggest
    app.register_blueprint(reconcile.bp)  # OpenRefine reconciliation service at /reconcile
    app.register_blueprint(cards.bp)  # concept cards: /card, /oembed, /api/summary, /embed.js
    # WSGI layers, innermost first: plain GET /sparql queries skip Flask, and repeated GETs
    # are answered from memory before reaching any of it.
    if app.config.get("SPARQL_FAST_PATH", True):
        app.wsgi_app = SparqlFastPath(app.wsgi_app, app)  # type: ignore[method-assign]
    backend.wrap_response_cache(app)
    return app
