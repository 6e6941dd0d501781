"""Commit an editor's action (a stand-in for the shared submit: commits directly).

The shared version commits for editors and files a proposal for contributors; this one, with
the same signature, commits every action of a signed-in account so that the resource forms
can be built and tested before it lands. The action is planned again under the write lock,
so what was checked is what is written (a stale form gets Conflict, 409).
"""

from __future__ import annotations

from flask import redirect
from werkzeug.wrappers import Response

from graph_service.curate.edit_plan import EditPlan
from graph_service.curate.resource_draft import ResourceDraftError
from graph_service.curate.resource_edit import RESOURCE_PLANNERS
from graph_service.exceptions import Forbidden, GraphServiceError
from graph_service.model.stamps import stamp_concepts
from graph_service.search.index import follow
from graph_service.store import Store
from graph_service.store.changes import write_patch
from graph_service.store.patches import Patch
from graph_service.web.accounts import current_account
from graph_service.web.backend import get_journal, get_store
from graph_service.web.ui.links import page_href


def submit_action(action: dict, summary: str, target: str) -> Response:
    """Commit `action` ({"kind": ..., ...}) as one change by the signed-in account, then
    send the browser to the target's page (303)."""
    account = current_account()
    if account is None:
        raise Forbidden("sign in to save changes")
    kind = str(action.get("kind", ""))
    planner = RESOURCE_PLANNERS.get(kind)
    if planner is None:
        raise GraphServiceError(f"unknown kind of action: {kind!r}")

    def make_patch(store: Store) -> Patch:
        plan: EditPlan = planner(store, action)
        if not plan.ok:
            raise ResourceDraftError(plan.problems)
        return plan.patch

    write_patch(
        get_store(),
        get_journal(),
        make_patch,
        author=account.name,
        message=summary,
        amend=stamp_concepts,
        followup=follow,
    )
    return redirect(page_href(target), 303)
