"""The review queue: editors see proposals (contributors' edits, visitors' feedback) with what
they would change today, and approve, reject with a reason, or edit then approve them.

A proposal is planned again when shown and when approved, on the data as it is then: its
diff is the one that would land, and a proposal about a concept changed since it was made is
shown as a conflict (to edit, or reject) instead of undoing the other change.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from graph_service.curate.edit_plan import EditPlan
from graph_service.curate.operations import RefusedEdit, plan_action
from graph_service.curate.proposals import STATUSES, Proposal
from graph_service.exceptions import Conflict, Forbidden, GraphServiceError
from graph_service.model.history import preview_entry
from graph_service.web import csrf
from graph_service.web.accounts import require_role
from graph_service.web.backend import get_store
from graph_service.web.curation.submit import approve, proposal_store, session_actor
from graph_service.web.ui.links import content_language, page_href, ui_language

bp = Blueprint("review", __name__)

MAX_REASON = 2000
FEEDBACK = "feedback"


def _page(template: str, status: int = 200, **values: object) -> Response:
    body = render_template(template, ui_lang=ui_language(), **values)
    response = Response(body, status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/curation/review")
@require_role("editor")
def queue() -> ResponseReturnValue:
    """The proposals of one status (pending by default), oldest first."""
    status = request.args.get("status", "pending")
    if status not in STATUSES:
        raise GraphServiceError(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
    store = proposal_store()
    counts = {name: store.count(name) for name in STATUSES}
    return _page(
        "curation/review.html", proposals=store.list(status), current_status=status, counts=counts,
        mine=False,
    )  # fmt: skip


@bp.get("/curation/proposals")
@require_role("contributor")
def my_proposals() -> ResponseReturnValue:
    """The signed-in account's own proposals, whatever their status."""
    actor = session_actor()
    store = proposal_store()
    mine = [p for status in STATUSES for p in store.list(status) if p.author == actor.name]
    mine.sort(key=lambda p: p.created, reverse=True)
    return _page("curation/review.html", proposals=mine, current_status="", counts={}, mine=True)


def _visible(proposal: Proposal) -> None:
    actor = session_actor()
    if not actor.can_publish and proposal.author != actor.name:
        raise Forbidden("only editors and the proposal's author can see it")


def _planned(proposal: Proposal) -> tuple[EditPlan | None, str]:
    """The proposal's plan on today's data, or the reason it cannot be planned."""
    if proposal.kind == FEEDBACK:
        return None, ""
    try:
        return plan_action(get_store(), proposal.action, lang=ui_language()), ""
    except Conflict as exc:
        return None, exc.message
    except GraphServiceError as exc:
        return None, exc.message


def _proposal_view(proposal: Proposal, status: int = 200, error: str = "") -> Response:
    plan, blocked = _planned(proposal) if proposal.status == "pending" else (None, "")
    entry = None
    if plan is not None and not plan.patch.is_empty:
        entry = preview_entry(
            get_store(), plan.patch.added, plan.patch.removed, content_language(),
            plan.target or None,
        )  # fmt: skip
    editable = proposal.kind in ("concept.create", "concept.update")
    target = proposal.target or str(proposal.action.get("uri", "") or "")
    return _page(
        "curation/proposal.html", status, proposal=proposal, plan=plan, preview=entry,
        blocked=blocked, error=error, editable=editable,
        target_href=page_href(target) if target else "",
        can_review=session_actor().can_publish, max_reason=MAX_REASON,
    )  # fmt: skip


@bp.get("/curation/proposals/<proposal_id>")
@require_role("contributor")
def proposal_page(proposal_id: str) -> ResponseReturnValue:
    """One proposal: what it would change today, and the editor's decisions."""
    proposal = proposal_store().get(proposal_id)
    _visible(proposal)
    return _proposal_view(proposal)


@bp.post("/curation/proposals/<proposal_id>/approve")
@require_role("editor")
def approve_proposal(proposal_id: str) -> ResponseReturnValue:
    """Apply a proposal in its author's name, with the signed-in editor as reviewer."""
    csrf.check_csrf()
    store = proposal_store()
    proposal = store.get(proposal_id)
    actor = session_actor()
    if proposal.kind == FEEDBACK:
        note = " ".join(request.form.get("reason", "").split())[:MAX_REASON]
        store.decide(proposal_id, status="approved", reviewer=actor.name, reason=note)
        return redirect(url_for("review.queue", lang=ui_language()), 303)
    try:
        submitted = approve(proposal_id, actor, lang=ui_language())
    except Conflict as exc:
        return _proposal_view(store.get(proposal_id), 409, exc.message)
    except RefusedEdit as exc:
        return _proposal_view(store.get(proposal_id), 422, exc.message)
    assert submitted.committed is not None
    return redirect(page_href(submitted.committed.plan.target), 303)


@bp.post("/curation/proposals/<proposal_id>/reject")
@require_role("editor")
def reject_proposal(proposal_id: str) -> ResponseReturnValue:
    """Reject a proposal; a reason is required (its author reads it)."""
    csrf.check_csrf()
    reason = " ".join(request.form.get("reason", "").split())
    store = proposal_store()
    if not reason:
        return _proposal_view(store.get(proposal_id), 400, "give a reason for the rejection")
    if len(reason) > MAX_REASON:
        return _proposal_view(
            store.get(proposal_id), 400, f"the reason is longer than {MAX_REASON} characters"
        )
    store.decide(proposal_id, status="rejected", reviewer=session_actor().name, reason=reason)
    return redirect(url_for("review.queue", lang=ui_language()), 303)
