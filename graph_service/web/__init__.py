"""Everything Flask: the blueprints, the request helpers and the WSGI layers, set up by init_app."""

from __future__ import annotations

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

from graph_service.web import (
    accounts,
    backend,
    body_limit,
    caching,
    compression,
    errors,
    health,
    history,
    openapi,
    prerender,
    security_headers,
    static_files,
    warmup,
)

# Modules imported as _name add their routes to a blueprint defined next to them.
from graph_service.web.cards import views as cards
from graph_service.web.curation import (
    admin_accounts,
    api_concepts,
    concept_forms,
    feedback,
    reconcile,
    resource_forms,
    review,
)
from graph_service.web.curation import import_jobs as _curation_jobs  # noqa: F401
from graph_service.web.curation import views as curation
from graph_service.web.linked_data import dumps
from graph_service.web.linked_data import views as linked_data
from graph_service.web.rest import base as rest
from graph_service.web.rest import concept as _rest_concept  # noqa: F401
from graph_service.web.rest import search as _rest_search  # noqa: F401
from graph_service.web.rest import stats as _rest_stats  # noqa: F401
from graph_service.web.rest import vocab as _rest_vocab  # noqa: F401
from graph_service.web.sparql import views as sparql
from graph_service.web.sparql.fast import SparqlFastPath
from graph_service.web.ui import resources as _ui_resources  # noqa: F401
from graph_service.web.ui import scheme as _ui_scheme  # noqa: F401
from graph_service.web.ui import search as _ui_search  # noqa: F401
from graph_service.web.ui import views as ui


def init_app(app: Flask) -> None:
    """Register every blueprint, request hook and WSGI layer of the service on `app`."""
    if isinstance(app.json, DefaultJSONProvider):
        app.json.ensure_ascii = False  # labels as they are written, not as \u escapes
    backend.init_app(app)
    errors.init_app(app)
    body_limit.init_app(app)  # 413 for bodies the body_limit layer refused (before other hooks)
    security_headers.init_app(app)  # CSP, frame protection, nosniff, Referrer-Policy
    app.register_blueprint(health.bp)
    warmup.init_app(app)  # warms each data version in a background thread (/healthz says)
    app.register_blueprint(ui.bp)  # home, vocabularies, search, autocomplete
    sparql.init_app(app)  # /sparql (protocol, page) and /store (Graph Store Protocol)
    caching.init_app(app)  # ETag, Last-Modified, 304 and Cache-Control on every GET
    static_files.init_app(app)  # /static/x?v=<hash> URLs, kept a year when the hash is current
    rest.init_app(app)  # Skosmos-compatible REST API at /rest/v1
    openapi.init_app(app)  # /openapi.json
    app.register_blueprint(dumps.bp)  # /dumps and /.well-known/void
    app.register_blueprint(history.bp)  # /history, /history/revert, /changes.atom
    linked_data.init_app(app)  # IRI pages and /page (the catch-all route, not over others' paths)
    app.register_blueprint(curation.bp)  # /curation/ pages and POST /api/suggest
    app.register_blueprint(resource_forms.bp)  # /curation/resources/new, /edit: resource forms
    accounts.init_app(app)  # /login, /logout, the session and the CSRF field
    app.register_blueprint(concept_forms.bp)  # the concept editor's forms
    app.register_blueprint(review.bp)  # the review queue and proposals' pages
    app.register_blueprint(api_concepts.bp)  # /api/concepts for scripts
    app.register_blueprint(admin_accounts.bp)  # /curation/accounts: the admins' accounts page
    app.register_blueprint(feedback.bp)  # visitors' feedback: /feedback, /feedback/sent
    app.register_blueprint(reconcile.bp)  # OpenRefine reconciliation service at /reconcile
    app.register_blueprint(cards.bp)  # concept cards: /card, /oembed, /api/summary, /embed.js
    # WSGI layers, innermost first: bodies past their route's limit are refused unread (or
    # cut) before Flask; plain GET /sparql queries skip Flask, and repeated GETs are answered
    # from memory before reaching any of it (neither reads a body).
    body_limit.wrap(app)
    if app.config.get("SPARQL_FAST_PATH", True):
        # Flask's documented way to add WSGI middleware; its stubs type wsgi_app as a method.
        app.wsgi_app = SparqlFastPath(app.wsgi_app, app)  # type: ignore[method-assign]
    prerender.wrap(app)  # pages rendered ahead, answered from their file (then compressed)
    compression.wrap(app)  # gzip/brotli inside the cache, so compressed answers are kept
    backend.wrap_response_cache(app)
    trust_proxies(app)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host from
    the last that many X-Forwarded-* entries (werkzeug's ProxyFix, outermost, so that every
    layer and view sees them). With 0, those headers are ignored: a client could forge them,
    and the per-address limits (sign-in, feedback) would be dodged with one header."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count < 0:
        raise ValueError(f"GRAPH_SERVICE_TRUSTED_PROXIES={count} must be 0 or more")
    if count > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
