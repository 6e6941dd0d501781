"""Saving an edit: an editor's is applied at once, a contributor's becomes a proposal.

Forms and the JSON API both end here. The action is planned again under the write lock
(curate/operations.py), so a form saved after someone else changed the same concept gets a
409, and one whose result would not validate a 422, with nothing written either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app, redirect, url_for
from werkzeug.wrappers import Response

from graph_service.curate.edit_plan import EditPlan
from graph_service.curate.operations import (
    Committed,
    commit_action,
    committed_note,
    proposal_note,
    summarize,
)
from graph_service.curate.proposals import Proposal, ProposalStore
from graph_service.exceptions import Forbidden
from graph_service.model.stamps import stamp_concepts
from graph_service.store.patches import Patch
from graph_service.web.accounts import current_account
from graph_service.web.backend import get_journal, get_store, write_limits
from graph_service.web.followups import follow_write
from graph_service.web.ui.links import page_href, ui_language


@dataclass(frozen=True)
class Actor:
    """Who saves an edit: the name the journal records, and whether they may publish (an
    editor or an admin, or a script holding the update token) or only propose."""

    name: str
    can_publish: bool


@dataclass(frozen=True)
class Submitted:
    """What became of a saved edit: applied (`committed`) or filed for review (`proposal`)."""

    committed: Committed | None = None
    proposal: Proposal | None = None


def proposal_store() -> ProposalStore:
    """The proposals of this server's data directory."""
    return ProposalStore(current_app.config["DATA_DIR"])


def session_actor() -> Actor:
    """The signed-in account as an actor (Forbidden when no one with a role is signed in)."""
    account = current_account()
    if account is None or not account.has_role("contributor"):
        raise Forbidden("sign in with a librarian's account to change the vocabulary")
    return Actor(account.name, account.has_role("editor"))


def apply(
    action: Mapping[str, object],
    *,
    author: str,
    reviewer: str = "",
    note: str = "",
    lang: str = "en",
) -> Committed:
    """Commit an action now, with the model's dates and the search index following it; a
    refusal's problems are said in `lang` (the form's language)."""
    if get_store().read_only:
        raise Forbidden("changes are disabled: this server opened its store read-only")
    return commit_action(
        get_store(),
        get_journal(),
        action,
        author=author,
        reviewer=reviewer,
        note=note,
        amend=stamp_concepts,
        followup=follow_write,
        lang=lang,
        limits=write_limits(),
    )


def submit(
    action: Mapping[str, object], actor: Actor, *, target: str = "", lang: str = "en"
) -> Submitted:
    """Apply the action if the actor may publish (a refusal said in `lang`), else file it as a
    proposal."""
    if actor.can_publish:
        return Submitted(committed=apply(action, author=actor.name, lang=lang))
    summary = summarize(get_store(), action, ui_language())
    proposal = proposal_store().add(
        kind=str(action["kind"]), action=action, author=actor.name, summary=summary, target=target
    )
    return Submitted(proposal=proposal)


def approve(
    proposal_id: str,
    reviewer: Actor,
    action: Mapping[str, object] | None = None,
    *,
    lang: str = "en",
) -> Submitted:
    """Apply a pending proposal (its action, or `action` when the editor amended it) in the
    name of its author, with the editor as reviewer; the proposal is then marked approved.
    The apply runs under the proposals' lock: of two editors approving at once, one applies.
    A refusal's problems are said in `lang`."""
    store = proposal_store()
    if action is not None:
        store.replace_action(proposal_id, action, summarize(get_store(), action, ui_language()))
    note = proposal_note(proposal_id)
    committed: list[Committed] = []

    def apply_proposal(proposal: Proposal) -> str:
        # A crash between the commit and the decision leaves the change journalled: finish
        # that approval instead of applying the action a second time.
        done = committed_note(get_journal(), note)
        if done is not None:
            target = proposal.target or next(iter(done.subjects()), "")
            plan = EditPlan(proposal.kind, target, Patch(done.added, done.removed))
            committed.append(Committed(plan, done))
            return done.id
        result = apply(
            proposal.action, author=proposal.author, reviewer=reviewer.name, note=note, lang=lang
        )
        committed.append(result)
        return result.change.id if result.change is not None else ""

    decided = store.decide(
        proposal_id, status="approved", reviewer=reviewer.name, apply=apply_proposal
    )
    return Submitted(committed=committed[0], proposal=decided)


def after_submit(submitted: Submitted) -> Response:
    """Where a browser goes after saving: the page of what changed, or the proposal's page."""
    if submitted.committed is not None and submitted.proposal is None:
        return redirect(page_href(submitted.committed.plan.target), 303)
    assert submitted.proposal is not None
    return redirect(url_for("review.proposal_page", proposal_id=submitted.proposal.id), 303)


def submit_action(action: Mapping[str, object], summary: str = "", target: str = "") -> Response:
    """Save an edit made in a form by the signed-in account, then redirect (303)."""
    del summary  # computed from the action, in the reader's language
    return after_submit(submit(action, session_actor(), target=target, lang=ui_language()))
