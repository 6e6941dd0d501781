"""Curation pages under /curation/ (quality, suggest) and POST /api/suggest.

Pages that change data (import, in web/curation/import_jobs.py) need a signed-in admin or the
update token, as a `token` form field or an `Authorization: Bearer` header; the others only
read.
"""

from __future__ import annotations

import hmac
import threading
import weakref

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from graph_service.curate.proposals import ProposalStore
from graph_service.curate.quality import QualityReport, run_checks
from graph_service.curate.suggest import get_label_index, suggest
from graph_service.exceptions import Forbidden, GraphServiceError
from graph_service.store import Store
from graph_service.store.limits import Deadline
from graph_service.web.accounts import current_account
from graph_service.web.backend import get_store
from graph_service.web.csrf import check_csrf
from graph_service.web.params import json_body

bp = Blueprint("curation", __name__, template_folder="templates")

MAX_TEXT = 200_000
_reports: weakref.WeakKeyDictionary[Store, QualityReport] = weakref.WeakKeyDictionary()
_versions: weakref.WeakKeyDictionary[Store, str] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def check_token() -> None:
    """Accept the update token from the form (pages) or as a Bearer token (scripts)."""
    given = request.form.get("token", "")
    if given.strip():  # a blank field is no token: the Bearer header may still carry one
        expected: str = current_app.config.get("UPDATE_TOKEN") or ""
        if not expected.strip():
            raise Forbidden("changes are disabled: the server has no GRAPH_SERVICE_UPDATE_TOKEN")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Forbidden("the update token is wrong")
        return
    from graph_service.web.auth import require_update_token

    require_update_token()


def wants_json() -> bool:
    """Whether the client asked for JSON (?format=json, or Accept preferring it to HTML)."""
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.get("/curation/")
def index() -> ResponseReturnValue:
    """The curation tools, and the editor's entry points for a signed-in librarian."""
    account = current_account()
    pending = 0
    if account is not None and account.has_role("editor"):
        pending = ProposalStore(current_app.config["DATA_DIR"]).count("pending")
    response = Response(render_template("curation/index.html", pending_count=pending))
    if account is not None:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def quality_report(store: Store) -> QualityReport:
    """The quality report of the live store, computed once per data version."""
    with _lock:
        if _versions.get(store) != store.version or store not in _reports:
            _reports[store] = run_checks(store, sources=["store"])
            _versions[store] = store.version
        return _reports[store]


@bp.get("/curation/quality")
def quality() -> ResponseReturnValue:
    """The qSKOS checks on the live store, offenders linked to their pages."""
    report = quality_report(get_store())
    if wants_json():
        return jsonify(report.as_dict())
    order = {"error": 0, "warning": 1, "info": 2}
    checks = sorted(report.checks, key=lambda c: (c.count == 0, order[c.severity], c.id))
    return render_template("curation/quality.html", report=report, checks=checks, lang="fr")


def _suggest_args() -> tuple[str, str, int, bool]:
    """Text, title, limit and broader from a JSON body or a form; GraphServiceError if bad."""
    data = json_body() if request.is_json else request.form
    if data is None or not hasattr(data, "get"):
        raise GraphServiceError('send JSON {"text": "...", "limit": 20} or a form with text=')
    text, title = data.get("text"), data.get("title") or ""
    if not isinstance(text, str) or not text.strip():
        raise GraphServiceError("'text' is required")
    if len(text) > MAX_TEXT or not isinstance(title, str):
        raise GraphServiceError(f"'text' must be a string of at most {MAX_TEXT:,} characters")
    try:
        raw = data.get("limit")
        limit = 20 if raw is None or raw == "" else int(raw)
    except (TypeError, ValueError) as exc:
        raise GraphServiceError("'limit' must be a number") from exc
    if not 1 <= limit <= 200:
        raise GraphServiceError("'limit' must be between 1 and 200")
    broader = str(data.get("broader", "")).lower() in {"1", "true", "on", "yes"}
    return text, title, limit, broader


def _deadline(store: Store) -> Deadline:
    """The time limit of a suggestion, computed in this process (TryLater, 503, past it),
    started once the data version's label index is built (the build is not the text's work)."""
    get_label_index(store)
    return Deadline(float(current_app.config.get("COMPUTE_TIME_LIMIT") or 0), "this suggestion")


@bp.post("/api/suggest")
def api_suggest() -> ResponseReturnValue:
    """Ranked concepts for a text: {"text": ..., "limit": ...} -> {"results": [...]}."""
    try:
        text, title, limit, broader = _suggest_args()
    except GraphServiceError as exc:
        return jsonify({"error": exc.message}), 400
    store = get_store()
    hits = suggest(
        store, text, title=title, limit=limit, add_broader=broader, deadline=_deadline(store)
    )
    return jsonify({"results": [h.as_dict() for h in hits]})


@bp.route("/curation/suggest", methods=["GET", "POST"])
def suggest_page() -> ResponseReturnValue:
    """A form to paste a text and see the concepts suggested for it."""
    if request.method == "GET":
        return render_template("curation/suggest.html", lang="fr", hits=None, text="", error="")
    # A page of another site could otherwise post texts in a visitor's name (and session),
    # spending this service's CPU on suggestions whose answer it never reads.
    check_csrf()
    try:
        text, title, limit, broader = _suggest_args()
    except GraphServiceError as exc:
        body = render_template(
            "curation/suggest.html", lang="fr", hits=None, text="", error=exc.message
        )
        return Response(body, 400)
    store = get_store()
    hits = suggest(
        store, text, title=title, limit=limit, add_broader=broader, deadline=_deadline(store)
    )
    return render_template("curation/suggest.html", lang="fr", hits=hits, text=text, error="")
