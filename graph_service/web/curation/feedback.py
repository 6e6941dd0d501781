"""Visitors' feedback: GET /feedback?uri=<concept> shows a short form, POST /feedback keeps the
message in the review queue (curate/proposals.py) for the editors, /feedback/sent thanks.

No account is needed, so the form defends itself: a CSRF token tied to the session (the form
sets it up), a honeypot field that people never see (filled: the same thanks, nothing kept),
and a rate limit per client address kept in memory. Its pages carry a session token: never
kept by a shared cache (Cache-Control: no-store).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import cast

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from graph_service.curate.proposals import ProposalStore
from graph_service.curate.throttle import RateLimit
from graph_service.exceptions import NotFound
from graph_service.model.base import concept_exists
from graph_service.model.browse import labels_for
from graph_service.namespaces import valid_iri
from graph_service.web import csrf
from graph_service.web.backend import get_store
from graph_service.web.i18n import translate
from graph_service.web.params import BadParameter
from graph_service.web.ui.links import content_language, ui_language, with_params

bp = Blueprint("feedback", __name__)

MAX_MESSAGE = 2000
MAX_NAME = 200
MAX_EMAIL = 254  # the longest address SMTP carries
#: The honeypot: a field hidden from people, which robots filling every field fill.
HONEYPOT = "website"
#: Messages per client address: 5 per 10 minutes and 20 per day.
LIMITS = ((5, 10 * 60), (20, 24 * 60 * 60))
SUMMARY_CHARS = 100
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _limit() -> RateLimit:
    """This app's feedback rate limit (one per app, made on first use)."""
    return cast(RateLimit, current_app.extensions.setdefault("feedback_limit", RateLimit(LIMITS)))


def _client_key() -> str:
    return f"addr:{request.remote_addr or '-'}"


def _concept(raw: str | None) -> tuple[str, str, str]:
    """The concept IRI asked about, its label and the label's language; 400 for a missing or
    malformed IRI, 404 for an IRI that is not a concept of the store."""
    iri = (raw or "").strip()
    if not iri:
        raise BadParameter("uri parameter missing: which concept is the message about?")
    if not valid_iri(iri):
        raise BadParameter(f"uri parameter is not a valid IRI: {iri[:200]!r}")
    store = get_store()
    if not concept_exists(store, iri):
        raise NotFound(f"No concept <{iri}>")
    ref = labels_for(store, [iri], content_language())[iri]
    return iri, ref.label, ref.lang


def _page(status: int = 200, headers: dict[str, str] | None = None, **values: object) -> Response:
    """The feedback page (form or thanks), never cached: it holds the session's CSRF token."""
    response = Response(
        render_template("curation/feedback.html", lang=ui_language(), **values),
        status,
        content_type="text/html; charset=utf-8",
    )
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def _form(
    concept: tuple[str, str, str],
    *,
    status: int = 200,
    problems: dict[str, str] | None = None,
    alert: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    iri, label, label_lang = concept
    return _page(
        status,
        headers,
        iri=iri,
        label=label,
        label_lang=label_lang,
        problems=problems or {},
        alert=alert,
        values={key: request.form.get(key, "") for key in ("message", "name", "email")},
        max_message=MAX_MESSAGE,
        max_name=MAX_NAME,
        max_email=MAX_EMAIL,
    )


def _problems(message: str, name: str, email: str) -> dict[str, str]:
    """What is wrong with the fields (field -> message in the interface language)."""
    lang = ui_language()
    found = {}
    if not message:
        found["message"] = translate("feedback.message_missing", lang)
    elif len(message) > MAX_MESSAGE:
        found["message"] = translate(
            "feedback.message_too_long", lang, max=MAX_MESSAGE, count=len(message)
        )
    if len(name) > MAX_NAME:
        found["name"] = translate("feedback.name_too_long", lang, max=MAX_NAME)
    if email and (len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email)):
        found["email"] = translate("feedback.email_invalid", lang)
    return found


def _too_many(at: float) -> tuple[str, int]:
    """The 429 message and the seconds to wait until `at`."""
    seconds = max(1, int(at - datetime.now(UTC).timestamp()) + 1)
    when = datetime.fromtimestamp(at, UTC).strftime("%H:%M UTC")
    message = translate("feedback.too_many", ui_language(), when=when, minutes=(seconds + 59) // 60)
    return message, seconds


@bp.get("/feedback")
def form() -> ResponseReturnValue:
    """The feedback form about one concept (?uri=)."""
    return _form(_concept(request.args.get("uri")))


@bp.post("/feedback")
def send() -> ResponseReturnValue:
    """Keep a visitor's message for the editors, then thank them (303 to /feedback/sent)."""
    csrf.check_csrf()
    concept = _concept(request.form.get("uri"))
    key = _client_key()
    retry_at = _limit().retry_at(key)
    if retry_at is not None:
        alert, seconds = _too_many(retry_at)
        return _form(concept, status=429, alert=alert, headers={"Retry-After": str(seconds)})
    thanks = redirect(with_params(url_for("feedback.sent"), uri=concept[0]), 303)
    if request.form.get(HONEYPOT, ""):
        _limit().record(key)  # a robot: counted, thanked, and forgotten
        return thanks
    # Line ends as browsers send them (CRLF) count once, as the textarea's maxlength does.
    message = request.form.get("message", "").replace("\r\n", "\n").strip()
    name = " ".join(request.form.get("name", "").split())
    email = request.form.get("email", "").strip()
    problems = _problems(message, name, email)
    if problems:
        return _form(concept, status=400, problems=problems)
    ProposalStore(current_app.config["DATA_DIR"]).add(
        kind="feedback",
        author="visitor",
        action={"uri": concept[0], "message": message, "name": name, "email": email},
        target=concept[0],
        summary=message[:SUMMARY_CHARS],
    )
    _limit().record(key)
    return thanks


@bp.get("/feedback/sent")
def sent() -> ResponseReturnValue:
    """The thanks after a message, with the way back to the concept."""
    iri, label, label_lang = _concept(request.args.get("uri"))
    return _page(sent=True, iri=iri, label=label, label_lang=label_lang)
